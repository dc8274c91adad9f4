"""Compiled models: fast look-up of the model rows that apply to a call.

Rows come from ``rules/models/*.yml`` (validated by :mod:`toolsink.rules`). A row matches a call by
``callee`` (a qualified name, ``*`` globbing anything) or by ``method`` (the called attribute's name on
any receiver). Exact names are dictionary hits; glob rows are checked only when a name has no exact hit
list that ends the search.
"""

from __future__ import annotations

import fnmatch
import re

from .rules import Models


def _names(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def last_segment(name: str) -> str:
    """``a.b.Server`` -> ``Server``; ``@mcp/sdk/server.js.McpServer`` -> ``McpServer``; ``*`` for a glob tail."""
    tail = name.rsplit(".", 1)[-1]
    if tail.startswith("*") and "*" not in tail[1:] and len(tail) > 1:
        return tail  # "*FastMCP": any name ending so
    return "*" if "*" in tail else tail


class Section:
    """One section of the models (sinks, sanitizers ...) indexed by callee and method name."""

    __slots__ = ("exact", "globs", "methods", "_cache", "tails")

    def __init__(self, rows) -> None:
        self.exact: dict[str, list[dict]] = {}
        self.globs: list[tuple[re.Pattern, dict]] = []
        self.methods: dict[str, list[dict]] = {}
        self._cache: dict[tuple, tuple[dict, ...]] = {}
        self.tails: set[str] = set()  # last name segments a matching call can end with ("*": any)
        for row in rows:
            self.tails.update(last_segment(n) for n in _names(row.get("callee")))
            self.tails.update(_names(row.get("method")))
            for name in _names(row.get("callee")):
                if "*" in name:
                    self.globs.append((re.compile(fnmatch.translate(name)), row))
                else:
                    self.exact.setdefault(name, []).append(row)
            for name in _names(row.get("method")):
                self.methods.setdefault(name, []).append(row)

    def may_match(self, last: str | None) -> bool:
        """Cheap pre-check on a call's syntactic last name, before resolving what it calls."""
        if last is None or last in self.tails or "*" in self.tails:
            return True
        return any(last.endswith(t[1:]) for t in self.tails if t.startswith("*") and "*" not in t[1:])

    def match(self, qualname: str | None, method: str | None, receiver: str | None = None) -> tuple[dict, ...]:
        key = (qualname, method, receiver)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        out: list[dict] = []
        if qualname:
            out.extend(self.exact.get(qualname, ()))
            for pattern, row in self.globs:
                if pattern.match(qualname) and row not in out:
                    out.append(row)
        if method:
            for row in self.methods.get(method, ()):
                recv = row.get("receiver")
                if recv is not None and not (receiver and any(fnmatch.fnmatchcase(receiver, r) for r in _names(recv))):
                    continue
                if row not in out:
                    out.append(row)
        result = tuple(out)
        self._cache[key] = result
        return result


class CompiledModels:
    def __init__(self, models: Models) -> None:
        self.raw = models
        self.registrations = models.registrations
        self.sources = Section(models.sources)
        self.sinks = Section(models.sinks)
        self.sanitizers = Section(models.sanitizers)
        self.propagators = Section(models.propagators)
        self.guards = Section([g for g in models.guards if "compare" not in g])
        self.compare_guards = [g for g in models.guards if "compare" in g]
        self.context_types = set(models.context_types)
        safe = models.safe_types
        self.safe_types = {t for row in safe for t in row.get("types", ())}
        self.safe_bases = {t for row in safe for t in row.get("subclasses_of", ())}
        self.type_wrappers = {t for row in safe for t in row.get("wrappers", ())}
        self.type_constraints = Section([c for row in safe for c in row.get("constraints", ())])
        self.call_checks = Section(models.call_checks)
        # qualified name -> attributes that are objects of the same type (Path(p).parent)
        self.same_type_attrs: dict[str, frozenset] = {}
        self.file_name_attrs: dict[str, frozenset] = {}  # file object type -> attributes that are its path
        for row in models.propagators:
            table = {"same-type": self.same_type_attrs, "names-file": self.file_name_attrs}.get(row.get("returns"))
            if table is not None and "attributes" in row:
                for qual in _names(row.get("receiver")):
                    table[qual] = table.get(qual, frozenset()) | frozenset(row.get("attributes", ()))
        # program -> (short and long options that take a value, long options that are flags)
        self.options: dict[str, tuple[frozenset, frozenset]] = {}
        # program -> {option: the sink kind of its value} (python -c CODE is code, sh -c CMD a shell command)
        self.option_kinds: dict[str, dict[str, str]] = {}
        self.script_runners: set[str] = set()  # programs whose first operand is a script they run
        self.program_aliases: dict[str, str] = {}  # sys.executable -> python
        for row in models.options:
            for program in _names(row["programs"]):
                values, flags = self.options.get(program, (frozenset(), frozenset()))
                self.options[program] = (values | frozenset(row.get("takes_value", ())),
                                         flags | frozenset(row.get("flags", ())))
                runs = self.option_kinds.setdefault(program, {})
                runs.update({o: "code" for o in row.get("runs_code", ())})
                runs.update({o: "shell-command" for o in row.get("runs_shell", ())})
                if row.get("runs_script"):
                    self.script_runners.add(program)
            for alias in _names(row.get("aliases")):
                self.program_aliases[alias] = _names(row["programs"])[0]
        self.literal_sources = [(re.compile(r["pattern"]), r) for r in models.literal_sources]
        combined = "|".join(f"(?:{r['pattern']})" for r in models.literal_sources)
        self.literal_re = re.compile(combined) if combined else None
        # values read from a library object or a handler parameter that are sources (the client's token):
        # (dotted name pattern, row), compared in lower case; `attribute_tails` lets reads of any other
        # attribute skip the patterns
        self.attribute_sources = [(re.compile(fnmatch.translate(n.lower())), r)
                                  for r in models.attribute_sources for n in _names(r["attribute"])]
        self.attribute_tails = {last_segment(n.lower()) for r in models.attribute_sources
                                for n in _names(r["attribute"])}
        # configuration reads (environment variables): (name pattern, literal source kinds their default drops)
        self.configuration_reads = [(re.compile(fnmatch.translate(n)), frozenset(r["drops"]))
                                    for r in models.configuration_reads for n in _names(r["names"])]

    def attribute_source(self, name: str) -> dict | None:
        """The attribute-source row a dotted name read matches (``req.headers.authorization``), if any."""
        low = name.lower()
        for pattern, row in self.attribute_sources:
            if pattern.match(low):
                return row
        return None

    def configuration_drops(self, qualname: str | None) -> frozenset:
        """The literal source kinds a default handed to this configuration read no longer carries."""
        if not qualname:
            return frozenset()
        out: frozenset = frozenset()
        for pattern, drops in self.configuration_reads:
            if pattern.match(qualname):
                out |= drops
        return out


_COMPILED: dict[int, tuple[Models, CompiledModels]] = {}


def compile_models(models: Models) -> CompiledModels:
    """Compiled once per loaded model set (the loader caches ``Models`` objects)."""
    hit = _COMPILED.get(id(models))
    if hit is None or hit[0] is not models:
        hit = (models, CompiledModels(models))
        _COMPILED[id(models)] = hit
    return hit[1]
