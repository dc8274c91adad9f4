"""The per-component cache: what a scan computed for each file and for each import-connected component,
kept by content, so that a scan after an edit parses and analyses only the components the edit touched.

Two kinds of units, each under a SHA-256 key that starts from the *unit key* (toolsink's code, the
configuration, the rule and model files, the scan root):

- **file facts**, by path, language and content digest: the import specifiers
  (:func:`toolsink.components.import_specs`), the suppression comments, the file's own diagnostics and its
  line count: enough to place an unchanged file in its component and to apply its suppressions without
  parsing it;
- **component results**, by the path, language, content digest and resolved imports of every member: the
  findings, registrations and diagnostics of the component's analysis (before rule selection and
  suppressions, which the scan applies to all components alike), and the modules that look like servers
  but register nothing.

Why this is exact: the engine reaches another module only through an import it resolves
(:mod:`toolsink.components`), and a component's key covers every member's content and every member's
resolved imports, so a component whose key is unchanged would be analysed to the same result.
``tests/test_incremental.py`` checks cached and incremental scans against cold ones after random edits.

Storage: a :class:`UnitStore` keeps units in memory (the language server keeps one per project for the
session) and, for the CLI, in one *pack* file ``units`` in the cache directory, read at the start of a
scan and rewritten at its end with the units that scan used (so it never grows with old versions). The
pack is signed and written like the whole-result entries (:mod:`toolsink.cache`): JSON, never pickle,
HMAC under the per-user key, atomic replacement; a pack that fails any check is ignored.
"""

from __future__ import annotations

import hashlib
import json

import orjson
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostic import Diagnostic
from .findings import Edit, Finding, Fix, Location, TraceStep
from .result import Parameter, Registration
from .suppressions import Suppression

PACK_MAGIC = b"toolsink-units 1\n"
PACK_NAME = "units"


@dataclass(slots=True)
class FileFacts:
    """What a scan needs of a file it does not parse: see the module docstring."""

    parsed: bool  # False: the file was skipped (binary, too large, undecodable) or failed to lower
    specs: tuple[tuple[int, str], ...] = ()
    suppressions: tuple[tuple, ...] = ()  # Suppression fields but `used` (see :func:`suppressions_of`)
    diagnostics: tuple[Diagnostic, ...] = ()
    lines: int = 0


@dataclass(slots=True)
class Part:
    """One component's analysis, as :func:`toolsink.scan.analyse_component` left it."""

    findings: list[Finding] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    missed: list[Diagnostic] = field(default_factory=list)
    entries: int = 0


def suppression_rows(sups) -> tuple[tuple, ...]:
    return tuple((s.line, s.col, tuple(sorted(s.codes)) if s.codes is not None else None, s.reason, s.form,
                  tuple(s.covers)) for s in sups)


def suppressions_of(rows) -> list[Suppression]:
    """Fresh :class:`Suppression` records (their ``used`` sets are per scan)."""
    return [Suppression(line, col, frozenset(codes) if codes is not None else None, reason, form, tuple(covers))
            for line, col, codes, reason, form, covers in rows]


class UnitStore:
    """Units by key, in memory and optionally in a signed pack file (``directory``)."""

    def __init__(self, base: str, directory: Path | None = None, keep_modules: bool = False) -> None:
        from .cache import _Digests

        self.base = base
        self.directory = directory
        # the language server also keeps each file's lowered module by its file key: re-analysing the
        # edited file's component then lowers only the edited file (the IR is never changed by analysis)
        self.modules: dict[str, object] | None = {} if keep_modules else None
        self._digests = _Digests(directory)
        self.files: dict[str, FileFacts] = {}
        self.parts: dict[str, Part] = {}
        self._raw: dict[str, bytes] = {}  # key -> its JSON in the pack, decoded on first use, written back as is
        self.used: set[str] = set()
        self.changed = False
        self.hits = self.misses = 0
        if directory is not None:
            self._load()

    def digest_of(self, path: str) -> str | None:
        """The content digest of a file on disk (recognised by stat when unchanged), None if unreadable."""
        try:
            return self._digests.of(path).hex()
        except OSError:
            return None

    # ------------------------------------------------------------------------------------------ keys

    def file_key(self, path: str, language: str, digest: str) -> str:
        return _sha(self.base, "file", path, language, digest)

    def part_key(self, members, fixes: bool) -> str:
        """``members``: (path, language, digest, resolved import paths) of each module of the component;
        ``fixes``: whether its findings carry their fixes."""
        return _sha(self.base, "part", str(fixes), json.dumps(members, separators=(",", ":")))

    # ------------------------------------------------------------------------------------------ units

    def _unit(self, table: dict, key: str, decode):
        unit = table.get(key)
        if unit is None and key in self._raw:
            try:
                unit = table[key] = decode(orjson.loads(self._raw[key]))
            except (TypeError, ValueError, KeyError, IndexError):  # a pack of another shape: compute it again
                del self._raw[key]
                unit = None
        if unit is not None:
            self.used.add(key)
        return unit

    def file(self, key: str) -> FileFacts | None:
        return self._unit(self.files, key, _facts_from)

    def put_file(self, key: str, facts: FileFacts) -> None:
        self.files[key] = facts
        self._raw.pop(key, None)
        self.used.add(key)
        self.changed = True

    def part(self, key: str) -> Part | None:
        part = self._unit(self.parts, key, _part_from)
        if part is not None:
            self.hits += 1
        else:
            self.misses += 1
        return part

    def put_part(self, key: str, part: Part) -> None:
        self.parts[key] = part
        self._raw.pop(key, None)
        self.used.add(key)
        self.changed = True

    def forget_unused(self) -> None:
        """Drop the units this store's last scan did not use (the language server calls it after each scan)."""
        if self.modules is not None:
            self.modules = {k: v for k, v in self.modules.items() if k in self.used}
        self.files = {k: v for k, v in self.files.items() if k in self.used}
        self.parts = {k: v for k, v in self.parts.items() if k in self.used}
        self._raw = {k: v for k, v in self._raw.items() if k in self.used}
        self.used = set()

    # ------------------------------------------------------------------------------------------ the pack

    def _load(self) -> None:
        """Read the pack: a first line naming the unit key, then one ``key JSON`` line per unit (JSON never
        holds a raw newline), decoded only when a scan asks for that unit."""
        from .cache import _load_signed

        body = _load_signed(self.directory / PACK_NAME, PACK_MAGIC, "units", decode=False)
        if body is None:
            return
        lines = body.split(b"\n")
        if lines[0] != self.base.encode():
            return
        for line in lines[1:]:
            key, _, data = line.partition(b" ")
            if data:
                self._raw[key.decode("ascii", "replace")] = data

    def save(self) -> None:
        """Rewrite the pack with the units this scan used, if anything changed (or a unit went unused);
        a unit read from the pack is written back as it was read."""
        if self.directory is None:
            return
        self._digests.save()
        if not self.changed and set(self._raw) <= self.used:
            return
        from .cache import _store_signed

        out = [self.base.encode()]
        for key in sorted(self.used):
            data = self._raw.get(key)
            if data is None:
                record = self.files.get(key)
                row = _facts_json(record) if record is not None else _part_json(self.parts[key]) \
                    if key in self.parts else None
                if row is None:
                    continue
                data = _dumps(row)
            out.append(key.encode() + b" " + data)
        _store_signed(self.directory / PACK_NAME, PACK_MAGIC, "units", b"\n".join(out))


def _dumps(row) -> bytes:
    """One unit's JSON on one line (JSON escapes every newline inside strings)."""
    try:
        return orjson.dumps(row)
    except (TypeError, ValueError):  # a lone surrogate (a path that is not UTF-8): the standard encoder
        return json.dumps(row, separators=(",", ":")).encode("ascii")


def _sha(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        data = p.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


# ---------------------------------------------------------------------------------- JSON of the records
# Compact lists in a fixed field order; loading restores the tuples the records hold, so a loaded record
# equals the one that was stored.

def _diag_json(d: Diagnostic) -> list:
    return [d.path, d.message, d.code, d.line, d.col, d.level]


def _diag_from(row) -> Diagnostic:
    return Diagnostic(*row)


def _loc_json(loc: Location) -> list:
    return [loc.path, loc.line, loc.col, loc.end_line, loc.end_col]


def _finding_json(f: Finding) -> list:
    return [f.rule, f.name, f.message, f.severity, _loc_json(f.location), f.entry, f.argument, f.sink,
            [[s.kind, s.message, _loc_json(s.location)] for s in f.trace], list(f.notes), f.snippet,
            [list(x) for x in f.extra],
            None if f.fix is None else [f.fix.kind, f.fix.message,
                                        [[_loc_json(e.location), e.start, e.end, e.text] for e in f.fix.edits]]]


def _finding_from(row) -> Finding:
    rule, name, message, severity, loc, entry, argument, sink, trace, notes, snippet, extra, fix = row
    return Finding(rule, name, message, severity, Location(*loc), entry, argument, sink,
                   tuple(TraceStep(k, m, Location(*at)) for k, m, at in trace), tuple(notes), snippet,
                   tuple(tuple(x) for x in extra),
                   None if fix is None else Fix(fix[0], fix[1], tuple(Edit(Location(*at), start, end, text)
                                                                      for at, start, end, text in fix[2])))


def _registration_json(r: Registration) -> list:
    return [r.kind, r.name, r.path, r.line, r.col, r.handler, r.form, r.description, r.title,
            [[p.name, p.type, p.description, p.default, list(p.enum), p.is_source] for p in r.parameters],
            [list(a) for a in r.annotations], [list(t) for t in r.texts], _nested_lists(r.arms)]


def _registration_from(row) -> Registration:
    kind, name, path, line, col, handler, form, description, title, params, annotations, texts, arms = row
    return Registration(kind, name, path, line, col, handler, form, description, title,
                        tuple(Parameter(n, t, d, default, tuple(enum), src) for n, t, d, default, enum, src in params),
                        tuple(tuple(a) for a in annotations), tuple(tuple(t) for t in texts), _nested_tuples(arms))


def _nested_lists(value):
    return [_nested_lists(v) for v in value] if isinstance(value, (tuple, list)) else value


def _nested_tuples(value):
    return tuple(_nested_tuples(v) for v in value) if isinstance(value, list) else value


def _facts_json(f: FileFacts) -> list:
    return [f.parsed, [list(s) for s in f.specs], _nested_lists(f.suppressions),
            [_diag_json(d) for d in f.diagnostics], f.lines]


def _facts_from(row) -> FileFacts:
    parsed, specs, sups, diags, lines = row
    return FileFacts(bool(parsed), tuple((int(level), str(spec)) for level, spec in specs), _nested_tuples(sups),
                     tuple(_diag_from(d) for d in diags), int(lines))


def _part_json(p: Part) -> list:
    return [[_finding_json(f) for f in p.findings], [_registration_json(r) for r in p.registrations],
            [_diag_json(d) for d in p.diagnostics], [_diag_json(d) for d in p.missed], p.entries]


def _part_from(row) -> Part:
    findings, registrations, diags, missed, entries = row
    return Part([_finding_from(f) for f in findings], [_registration_from(r) for r in registrations],
                [_diag_from(d) for d in diags], [_diag_from(d) for d in missed], int(entries))
