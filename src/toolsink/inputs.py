"""The files of a scan as the analysis meets them: read and lowered, or, with a per-component cache
(:class:`toolsink.unitcache.UnitStore`), a *stub* for a file whose facts are cached, lowered later only
if its component has to be analysed again.

:func:`read_all` walks the discovered files (and unsaved buffers) in order; every file a scan reads
gives its diagnostics and line count in the same order whether it was parsed or its facts came from
the cache, so a scan that reuses units reports what a cold one does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from . import ir
from .deepstack import run_deep
from .discover import SourceFile, decode_source, language_of, read_raw
from .frontends import parser_for
from .suppressions import module_suppressions


@dataclass(slots=True)
class Inputs:
    """What the parse phase leaves for the analysis."""

    modules: list[ir.Module] = field(default_factory=list)  # lowered modules and stubs, in scan order
    lines: int = 0
    store: object | None = None  # a UnitStore
    digests: dict[str, str] = field(default_factory=dict)  # path -> content digest (with a store or workers)
    facts: dict[str, object] = field(default_factory=dict)  # path -> FileFacts (with a store or workers)
    pending: dict[str, tuple] = field(default_factory=dict)  # stub path -> (SourceFile | None, buffer bytes)
    unstable: set[str] = field(default_factory=set)  # changed while the scan ran: its component is not stored
    texts: dict[str, str] = field(default_factory=dict)  # unsaved buffers' text, for fixes
    workers: object | None = None  # toolsink.parallel.Workers holding the modules they lowered

    def stub_specs(self) -> dict[str, tuple]:
        return {path: self.facts[path].specs for path in self.pending}

    def suppressions(self) -> dict[str, list]:
        """Suppression comments of the files that were not parsed, by path."""
        from .unitcache import suppressions_of

        return {path: suppressions_of(self.facts[path].suppressions) for path in self.pending}

    def lower(self, stub: ir.Module, max_bytes: int) -> ir.Module:
        """The lowered module for a stub (its component is analysed again); the stub itself if the file no
        longer lowers, and then the component's result is not stored."""
        file, buffer = self.pending.pop(stub.path)
        if buffer is None:
            data, _ = _read(file, max_bytes)
            if data is None or _digest(data) != self.digests.get(stub.path):
                self.unstable.add(stub.path)
            buffer = _decode(file, data)[0] if data is not None else None
        if buffer is None:
            self.unstable.add(stub.path)
            return stub
        module, _, _ = parse_source(stub.path, buffer, stub.language)
        if module is None:
            self.unstable.add(stub.path)
            return stub
        return module


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_source(path: str, source: bytes, language: str) -> tuple[ir.Module | None, list[ir.Diagnostic], int]:
    """Lower a file's text (from disk, standard input or an editor buffer) under the per-file guard."""
    try:
        module = run_deep(parser_for(language), path, source, language)
    except Exception as exc:  # a frontend bug must not cost the other files
        return None, [internal_error(path, "parsing", exc)], source.count(b"\n") + 1
    return module, [], len(module.lines)


def internal_error(path: str, doing: str, exc: Exception) -> ir.Diagnostic:
    return ir.Diagnostic(path, f"internal error while {doing}: {type(exc).__name__}: {exc}", "internal-error",
                         level="error")


def _guarded(step, file: SourceFile, arg) -> tuple[bytes | None, list[ir.Diagnostic]]:
    """One reading step (``read_raw``, ``decode_source``): bytes, or None and why; a bug in it is that
    file's diagnostic, never the scan's end."""
    try:
        out, diag = step(file, arg)
    except Exception as exc:
        return None, [internal_error(file.path, "reading", exc)]
    return out, [diag] if diag else []


def _read(file: SourceFile, max_bytes: int) -> tuple[bytes | None, list[ir.Diagnostic]]:
    return _guarded(read_raw, file, max_bytes)


def _decode(file: SourceFile, data: bytes) -> tuple[bytes | None, list[ir.Diagnostic]]:
    return _guarded(decode_source, file, data)


def read_all(files: list[SourceFile], overrides: dict[str, bytes], max_bytes: int, store, tick,
             diagnostics: list[ir.Diagnostic], jobs: int = 1) -> Inputs:
    """Read and lower every file (and unsaved buffers not on disk yet), in order; with ``store``, a file
    whose facts are cached becomes a stub instead. With ``jobs > 1`` worker processes lower the files and
    return only their facts: every module is then a stub, lowered again by the worker that analyses its
    component (:mod:`toolsink.parallel`)."""
    inputs = Inputs(store=store)
    todo: list[tuple[str, str, SourceFile | None]] = [(f.path, f.language, f) for f in files]
    on_disk = {f.path for f in files}
    todo += [(path, language_of(path), None) for path in overrides if path not in on_disk]
    todo = [row for row in todo if row[1] is not None]
    found: list = [None] * len(todo)  # per file: (digest, facts, diagnostics, module or None)
    misses: list[int] = []
    for i, (path, language, file) in enumerate(todo):
        buffer = overrides.get(path)
        if buffer is not None:
            inputs.texts[path] = buffer.decode("utf-8", "replace")
        if store is None:
            misses.append(i)
            continue
        digest = _digest(buffer) if buffer is not None else store.digest_of(file.abs_path)
        key = store.file_key(path, language, digest) if digest is not None else None
        facts = store.file(key) if key is not None else None
        if facts is not None:
            kept = store.modules.get(key) if store.modules is not None else None
            found[i] = (digest, facts, list(facts.diagnostics), kept)
        else:
            misses.append(i)
    want_facts = store is not None or jobs > 1
    from .parallel import MIN_FILES

    if jobs > 1 and len(misses) >= MIN_FILES:
        from .parallel import Workers, read_in_workers

        inputs.workers = Workers(jobs)
        rows = [(todo[i][0], todo[i][1], todo[i][2], overrides.get(todo[i][0])) for i in misses]
        for i, got in zip(misses, read_in_workers(inputs.workers, rows, max_bytes, tick)):
            found[i] = got
    else:
        for n, i in enumerate(misses, 1):
            tick(n, len(misses))
            path, language, file = todo[i]
            found[i] = lower_file(path, language, file, overrides.get(path), max_bytes, want_facts)
    missed = set(misses)
    for i, ((path, language, file), (digest, facts, diags, module)) in enumerate(zip(todo, found)):
        diagnostics.extend(diags)
        if facts is None:  # unreadable
            continue
        inputs.lines += facts.lines
        if store is not None and i in missed:
            key = store.file_key(path, language, digest)
            store.put_file(key, facts)
            if store.modules is not None and module is not None:
                store.modules[key] = module
        if not facts.parsed:
            continue
        if module is None:  # cached facts, or lowered by a worker: lowered again with its component
            module = ir.Module(path, language, (), ())
            inputs.pending[path] = (file, overrides.get(path))
        inputs.modules.append(module)
        inputs.digests[path] = digest
        inputs.facts[path] = facts
    return inputs


def lower_file(path: str, language: str, file: SourceFile | None, buffer: bytes | None, max_bytes: int,
               want_facts: bool = True) -> tuple:
    """Read (unless ``buffer`` is given), hash, decode and lower one file: ``(digest, facts, diagnostics,
    module)``; facts is None for a file that cannot be read. ``want_facts=False`` skips the import
    specifiers and suppression comments (a scan without a cache needs neither)."""
    from .components import import_specs
    from .unitcache import FileFacts, suppression_rows

    diags: list[ir.Diagnostic] = []
    if buffer is None:
        data, diags = _read(file, max_bytes)
        if data is None:
            return None, None, diags, None
        digest = _digest(data)
        buffer, diags = _decode(file, data)
        if buffer is None:
            return digest, FileFacts(False, diagnostics=tuple(diags)), diags, None
    else:
        digest = _digest(buffer)
    module, more, n = parse_source(path, buffer, language)
    diags = diags + more + (module.diagnostics if module is not None else [])
    facts = FileFacts(module is not None, diagnostics=tuple(diags), lines=n)
    if module is not None and want_facts:
        facts.specs = import_specs(module)
        facts.suppressions = suppression_rows(module_suppressions(module))
    return digest, facts, diags, module
