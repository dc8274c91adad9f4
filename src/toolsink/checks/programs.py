"""Programs and program facts: what holds of the server a module belongs to, not of one call.

Some exposures depend on the whole server rather than on one call: an HTTP transport is a finding only if
no rate limiter is applied to the server (MCP309); a record fetched by an identifier is a finding only if
the server authenticates its callers at all (MCP310). Which code counts is data: ``program_facts`` rows in
the models name a *fact* (``rate-limited``, ``authenticated``) and what establishes it:

- ``refers``: any expression, through an imported name, that denotes one of these qualified names (a call,
  a class handed to ``add_middleware``, a plugin handed to ``register``);
- ``attributes``: any attribute read of one of these names (``extra.authInfo``);
- ``named_calls``: a call whose written callee (``rateLimiter.check``, ``new RateLimiter``) matches one of
  these globs: a project's own implementation, which has no library name to refer to;
- ``callee``/``method`` with ``when``/``unless`` conditions: a call with these arguments
  (``FastMCP(auth=...)``), matched as ``call_checks`` rows are.

The *program* of a module is the module, the project modules it imports (transitively) and the project
modules that import it (transitively): the server a transport start or a tool belongs to, without letting
an unrelated server in the same repository (or fixture tree) answer for it. A fact holds for a module when
it is established anywhere in its program.
"""

from __future__ import annotations

import fnmatch
import re

from .. import ir
from ..engine import Analysis
from ..engine.sinks import condition
from ..index import dotted_name
from ..models import Section, _names
from ..walk import expr_children, stmt_exprs, sub_bodies


def expressions(body):
    """Every expression in a body, nested functions, lambdas, classes and decorators included."""
    stack = list(body)
    while stack:
        s = stack.pop()
        if isinstance(s, ir.FunctionDef):
            stack.extend(s.function.body)
            todo = [*s.function.decorators, *(p.default for p in s.function.params if p.default is not None)]
        elif isinstance(s, ir.ClassDef):
            stack.extend(s.cls.body)
            continue
        else:
            todo = [x for x in stmt_exprs(s) if x is not None]
            for sub in sub_bodies(s):
                stack.extend(sub)
        while todo:
            x = todo.pop()
            yield x
            if isinstance(x, ir.FunctionRef):
                stack.extend(x.function.body)
                todo.extend(p.default for p in x.function.params if p.default is not None)
                continue
            todo.extend(c for c in expr_children(x) if c is not None)


def _imports(body):
    stack = list(body)
    while stack:
        s = stack.pop()
        if isinstance(s, ir.Import):
            yield s
        elif isinstance(s, ir.FunctionDef):
            stack.extend(s.function.body)
        elif isinstance(s, ir.ClassDef):
            stack.extend(s.cls.body)
        else:
            for sub in sub_bodies(s):
                stack.extend(sub)


class Programs:
    """The import graph of the project, and the program facts of each module (computed on demand).

    One is made per :func:`toolsink.checks.run_checks` call and handed to the checks that need it, so the
    checks of one scan share one import graph and nothing outlives the call: no module-level cache that a
    second scan, or a scan in another thread, could see. Constructing one computes nothing."""

    def __init__(self, analysis) -> None:
        self.project = analysis.project
        self.engine = analysis.engine
        self._forward: dict[int, set] | None = None
        self._backward: dict[int, set] = {}
        self._facts: dict[int, frozenset] = {}
        self._programs: dict[int, tuple] = {}
        self._compiled: dict[int, tuple] = {}  # id(program-fact rows) -> (rows, look-up tables)

    def _graph(self) -> dict[int, set]:
        if self._forward is None:
            forward: dict[int, set] = {}
            for module in self.project.modules:
                targets = forward.setdefault(id(module), set())
                for stmt in _imports(module.body):
                    specs = [stmt.module]
                    if module.language == "python":  # `from pkg import mod`: a submodule, or a name in pkg
                        specs += [f"{stmt.module}.{n.name}" if stmt.module else n.name
                                  for n in stmt.names if n.name]
                    for spec in specs:
                        found = self.project.resolve_module(module, spec, stmt.level)
                        if found is not None and found is not module:
                            targets.add(found)
                            self._backward.setdefault(id(found), set()).add(module)
            self._forward = forward
        return self._forward

    def program(self, module: ir.Module) -> tuple[ir.Module, ...]:
        """The module, what it imports and what imports it, transitively in each direction."""
        hit = self._programs.get(id(module))
        if hit is not None:
            return hit
        forward = self._graph()
        out = {id(module): module}
        for edges in (forward, self._backward):
            todo = [module]
            seen = {id(module)}
            while todo:
                m = todo.pop()
                for n in edges.get(id(m), ()):
                    if id(n) not in seen:
                        seen.add(id(n))
                        out[id(n)] = n
                        todo.append(n)
        result = tuple(out.values())
        self._programs[id(module)] = result
        return result

    def holds(self, module: ir.Module, fact: str) -> bool:
        return any(fact in self.facts(m) for m in self.program(module))

    def where(self, module: ir.Module, fact: str) -> ir.Module | None:
        """A module of the program that establishes ``fact`` (for messages), or None."""
        return next((m for m in self.program(module) if fact in self.facts(m)), None)

    def facts(self, module: ir.Module) -> frozenset:
        hit = self._facts.get(id(module))
        if hit is None:
            hit = self._facts[id(module)] = self._compute(module)
        return hit

    def _tables(self, rows) -> tuple:
        """The program-fact rows of one language as look-up tables, built once per scan and language."""
        hit = self._compiled.get(id(rows))
        if hit is None:
            refers = [(r["fact"], n) for r in rows for n in _names(r.get("refers"))]
            attributes: dict[str, set] = {}
            for r in rows:
                for n in _names(r.get("attributes")):
                    attributes.setdefault(n, set()).add(r["fact"])
            calls = Section([r for r in rows if "callee" in r or "method" in r])
            named = [(r["fact"], n) for r in rows for n in _names(r.get("named_calls"))]
            any_named = re.compile("|".join(f"(?:{fnmatch.translate(n)})" for _, n in named)) if named else None
            hit = self._compiled[id(rows)] = (rows, refers, attributes, calls, named, any_named)
        return hit[1:]

    def _compute(self, module: ir.Module) -> frozenset:
        rows = self.engine.models_for(module).raw.program_facts
        if not rows:
            return frozenset()
        refers, attributes, calls, named, any_named = self._tables(rows)
        static = Analysis(self.engine, None, None, module=module)
        found: set = set()
        resolved: dict[str, str | None] = {}
        # a reference counts only through a name an import binds: a local variable `limits` is not the
        # `limits` package
        imported = {n.alias for stmt in _imports(module.body) for n in stmt.names}
        for x in expressions(module.body):
            if isinstance(x, ir.Attribute) and x.attr in attributes:
                found |= attributes[x.attr]
            if refers and isinstance(x, (ir.Name, ir.Attribute)):
                text = dotted_name(x)
                if text is None or text.split(".", 1)[0] not in imported:
                    continue
                if text not in resolved:
                    resolved[text] = static.static(x).qualname
                qual = resolved[text]
                if qual:
                    found.update(f for f, n in refers if fnmatch.fnmatchcase(qual, n))
            elif isinstance(x, ir.Call) and named and (text := dotted_name(x.func)) is not None and \
                    any_named.match(text):
                found.update(f for f, n in named if fnmatch.fnmatchcase(text, n))
            elif isinstance(x, ir.Call) and (calls.exact or calls.globs or calls.methods):
                method = x.func.attr if isinstance(x.func, ir.Attribute) else None
                last = method or (x.func.id if isinstance(x.func, ir.Name) else None)
                if not calls.may_match(last):
                    continue
                for row in calls.match(static.static(x.func).qualname, method):
                    if row["fact"] in found:
                        continue
                    args = [static.static(a) for a in x.args]
                    kwargs = {k.name: static.static(k.value) for k in x.keywords}
                    if all(condition(c, x, args, kwargs) for c in row.get("when", ())) and not any(
                            condition(c, x, args, kwargs) for c in row.get("unless", ())):
                        found.add(row["fact"])
        return frozenset(found)
