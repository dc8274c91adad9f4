"""One scan, from paths to a :class:`ScanResult`: discover, parse, index, find entry points, analyse.

This is the path from files to findings in one place:

1. :func:`toolsink.discover.discover` lists the files (gitignore, excludes) and reports bad paths;
2. each file is read (:func:`read_source`) and lowered by its frontend; a file that cannot be read or
   parsed becomes a diagnostic and never costs other files' findings;
3. :class:`toolsink.index.Project` indexes modules and imports;
4. :class:`toolsink.entrypoints.EntryFinder` finds registrations from the models;
5. the taint engine summarises handlers and :class:`toolsink.sources.FindingBuilder` turns flows into
   findings; the metadata and exposure checks add theirs;
6. rule selection and suppressions filter the findings.
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import ir
from .config import Config
from .deepstack import run_deep
from .discover import SourceFile, default_root, discover, read_source
from .entrypoints import Entry, EntryFinder
from .frontends import MODEL_FAMILY, parser_for
from .index import Project
from .models import CompiledModels, compile_models
from .result import ScanResult
from .rules import Models, Rule, load_models, load_rules
from .sources import FindingBuilder, registration_record
from .engine import Engine


@dataclass(slots=True)
class Analysis:
    """Everything a scan computed, for integrations that want more than the result (LSP, flake8)."""

    result: ScanResult
    project: Project
    engine: Engine
    entries: list[Entry] = field(default_factory=list)


def parse_file(file: SourceFile, max_bytes: int) -> tuple[ir.Module | None, list[ir.Diagnostic], int]:
    """Read and lower one file; whatever goes wrong is that file's diagnostic, never the scan's failure."""
    try:
        source, diag = read_source(file, max_bytes)
    except Exception as exc:  # a reader bug must not cost the other files either
        return None, [_internal(file.path, "reading", exc)], 0
    if source is None:
        return None, [diag] if diag else [], 0
    module, diags, lines = parse_source(file.path, source, file.language)
    return module, ([diag] if diag else []) + diags, lines


def parse_source(path: str, source: bytes, language: str) -> tuple[ir.Module | None, list[ir.Diagnostic], int]:
    """Lower a file's text (from disk, standard input or an editor buffer) under the per-file guard."""
    try:
        module = run_deep(parser_for(language), path, source, language)
    except Exception as exc:  # a frontend bug must not cost the other files
        return None, [_internal(path, "parsing", exc)], source.count(b"\n") + 1
    return module, [], len(module.lines)


def _internal(path: str, doing: str, exc: Exception) -> ir.Diagnostic:
    return ir.Diagnostic(path, f"internal error while {doing}: {type(exc).__name__}: {exc}", "internal-error",
                         level="error")


def models_resolver(models: dict[str, Models]):
    compiled: dict[str, CompiledModels] = {k: compile_models(v) for k, v in models.items()}
    empty = compile_models(Models())

    def models_for(module: ir.Module | None) -> CompiledModels:
        if module is None:
            return empty
        return compiled.get(MODEL_FAMILY.get(module.language, module.language), empty)

    return models_for


def analyse_modules(modules: list[ir.Module], rules: dict[str, Rule], config: Config, root: str,
                    progress=None) -> Analysis:
    """Entry points, flows and checks over the lowered modules (on a deep stack: see :mod:`toolsink.deepstack`);
    ``progress(done, total, phase)`` as for :func:`scan`."""
    return run_deep(_analyse_modules, modules, rules, config, root, progress)


def _tick(progress, done: int, total: int, phase: str, every: int) -> None:
    if progress is not None and (done % every == 0 or done == total):
        progress(done, total, phase)


def _analyse_modules(modules: list[ir.Module], rules: dict[str, Rule], config: Config, root: str,
                     progress=None) -> Analysis:
    models = load_models(tuple(str(d) for d in config.rules_dirs))
    from .tsconfig import load_aliases

    scripts = [m.path for m in modules if m.language != "python"]
    project = Project(modules, load_aliases(scripts, root) if scripts else None)
    engine = Engine(project, models_resolver(models))
    engine.allowed_roots = tuple(r.rstrip("/\\") or r for r in config.allowed_roots)
    engine.root_env_vars = frozenset(config.root_env_vars)
    result = ScanResult(root=root)
    analysis = Analysis(result, project, engine)
    finder = EntryFinder(engine)
    builder = FindingBuilder(engine, project, rules)
    for done, module in enumerate(modules, 1):
        _tick(progress, done, len(modules), "searched for registrations in", 200)
        try:
            entries, diags = finder.find(module)
        except RecursionError:
            entries, diags = [], [ir.Diagnostic(module.path, "registration search gave up (nesting too deep)",
                                                "internal-error")]
        analysis.entries.extend(entries)
        result.diagnostics.extend(diags)
    if not analysis.entries:
        result.diagnostics.extend(finder.missed)
    builder.declare(analysis.entries)
    for done, entry in enumerate(analysis.entries, 1):
        _tick(progress, done, len(analysis.entries), "analysed", 10)
        result.registrations.append(registration_record(entry, builder.checker))
        try:
            result.findings.extend(builder.findings(entry))
        except RecursionError:
            result.diagnostics.append(ir.Diagnostic(entry.module.path, f"analysis of `{entry.name}` gave up "
                                                    "(nesting too deep)", "internal-error", entry.span.line))
    try:
        result.findings.extend(builder.setup_findings(analysis.entries))
    except RecursionError:
        result.diagnostics.append(ir.Diagnostic("", "analysis of set-up code gave up (nesting too deep)",
                                                "internal-error"))
    result.findings[:] = builder.name_users(result.findings)
    from .checks import run_checks

    result.findings.extend(run_checks(analysis, rules, config))
    result.diagnostics.extend(engine.diagnostics)
    return analysis


def scan(paths: list[str], config: Config | None = None, *, root: str | None = None,
         rules: dict[str, Rule] | None = None, overrides: dict[str, bytes] | None = None,
         progress=None, restore_gc: bool = True) -> Analysis:
    """Scan ``paths``. ``overrides`` maps display paths to unsaved contents (editors, ``--stdin-filename``);
    ``progress(done, total, phase)`` is called while files are parsed (phase ``"parsed"``), searched for
    registrations, and while the registrations are analysed (the CLI shows it on a terminal).

    ``restore_gc=False`` leaves the collector thresholds raised after the scan: the CLI, which owns its
    process and exits right after reporting, passes it so that formatting the report does not trigger
    full collections over the result graph. Library callers keep the default (nothing global changes)."""
    # The IR is many small long-lived objects: the cyclic collector would rescan them again and again
    # (measured: 16-26% of a scan). Collect rarely while scanning; everything is freed with the result.
    thresholds = gc.get_threshold()
    gc.set_threshold(200_000, 50, 1000)
    try:
        return _scan(paths, config, root=root, rules=rules, overrides=overrides, progress=progress)
    finally:
        if restore_gc:
            gc.set_threshold(*thresholds)


def _scan(paths, config, *, root, rules, overrides, progress) -> Analysis:
    start = time.perf_counter()
    config = config or Config.default()
    root = root or default_root(paths)
    rules = rules if rules is not None else load_rules(tuple(str(d) for d in config.rules_dirs))
    files, diagnostics = discover(paths, root=root, exclude=config.all_excludes,
                                  respect_gitignore=config.respect_gitignore, follow_links=config.follow_links,
                                  force_exclude=config.force_exclude)
    # One deep-stack thread for all files (a thread per file cost about 0.1 ms of CPU each).
    modules, lines = run_deep(_parse_all, files, dict(overrides or {}), config, progress, diagnostics)
    for module in modules:
        diagnostics.extend(module.diagnostics)
    analysis = analyse_modules(modules, rules, config, str(Path(root).resolve()), progress)
    result = analysis.result
    result.diagnostics[:0] = diagnostics
    result.files_scanned = len(files)
    result.lines_scanned = lines
    finalize(result, analysis.project, config, rules)
    result.seconds = time.perf_counter() - start
    return analysis


def _parse_all(files: list[SourceFile], overrides: dict[str, bytes], config: Config, progress,
               diagnostics: list[ir.Diagnostic]) -> tuple[list[ir.Module], int]:
    """Read and lower every file (and unsaved buffers not on disk yet), in order."""
    modules: list[ir.Module] = []
    lines = 0
    for done, file in enumerate(files, 1):
        _tick(progress, done, len(files), "parsed", 50)
        if file.path in overrides:
            module, diags, n = parse_source(file.path, overrides.pop(file.path), file.language)
        else:
            module, diags, n = parse_file(file, config.max_file_size)
        diagnostics.extend(diags)
        lines += n
        if module is not None:
            modules.append(module)
    for path, source in overrides.items():  # unsaved buffers not on disk yet
        from .discover import language_of

        language = language_of(path)
        if language is not None:
            module, diags, n = parse_source(path, source, language)
            diagnostics.extend(diags)
            lines += n
            if module is not None:
                modules.append(module)
    return modules, lines


def finalize(result: ScanResult, project: Project, config: Config, rules: dict[str, Rule]) -> None:
    """Select rules (``select``/``ignore``, then ``per-file-ignores``), apply inline suppressions, sort."""
    from .suppressions import apply_suppressions

    seen: set = set()
    selected = []
    for f in result.findings:  # one function registered twice (in two arms of an `if`) is one finding
        key = (f.rule, f.location, f.entry, f.argument, f.sink)
        if key in seen or not config.selects(f.rule, _experimental(rules, f.rule)):
            continue
        if config.per_file_ignores and config.ignored_in(f.rule, os.path.join(result.root, f.location.path)):
            continue
        seen.add(key)
        selected.append(f)
    result.findings = apply_suppressions(selected, project, config, result)
    result.findings.sort(key=lambda f: f.sort_key())
    result.registrations.sort(key=lambda r: (r.path, r.line, r.col))


def _experimental(rules: dict[str, Rule], code: str) -> bool:
    rule = rules.get(code)
    return rule is not None and rule.experimental
