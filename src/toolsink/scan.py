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
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import ir
from .config import Config
from .deepstack import run_deep
from .discover import default_root, discover
from .entrypoints import Entry, EntryFinder
from .components import components
from .frontends import MODEL_FAMILY
from .index import Project
from .inputs import Inputs, read_all
from .models import CompiledModels, compile_models
from .result import ScanResult
from .rules import Models, Rule, load_models, load_rules
from .sources import FindingBuilder, registration_record
from .engine import Engine
from .unitcache import Part


@dataclass(slots=True)
class Analysis:
    """Everything a scan computed, for integrations that want more than the result (LSP, flake8)."""

    result: ScanResult
    project: Project
    engine: Engine
    entries: list[Entry] = field(default_factory=list)


def models_resolver(models: dict[str, Models]):
    compiled: dict[str, CompiledModels] = {k: compile_models(v) for k, v in models.items()}
    empty = compile_models(Models())

    def models_for(module: ir.Module | None) -> CompiledModels:
        if module is None:
            return empty
        return compiled.get(MODEL_FAMILY.get(module.language, module.language), empty)

    return models_for


def analyse_modules(modules: list[ir.Module], rules: dict[str, Rule], config: Config, root: str,
                    progress=None, inputs: Inputs | None = None, fixes: bool = False, jobs: int = 1) -> Analysis:
    """Entry points, flows and checks over the lowered modules (on a deep stack: see :mod:`toolsink.deepstack`);
    ``progress(done, total, phase)`` as for :func:`scan`; ``inputs`` with a store: reuse of cached
    components; ``fixes``: attach each finding's fix (:mod:`toolsink.fixes`); ``jobs > 1`` with stubs in
    ``inputs``: components analysed by worker processes (:mod:`toolsink.parallel`)."""
    return run_deep(_analyse_modules, modules, rules, config, root, progress, inputs, fixes, jobs)


def _tick(progress, done: int, total: int, phase: str, every: int) -> None:
    if progress is not None and (done % every == 0 or done == total):
        progress(done, total, phase)


def _analyse_modules(modules: list[ir.Module], rules: dict[str, Rule], config: Config, root: str,
                     progress=None, inputs: Inputs | None = None, fixes: bool = False, jobs: int = 1) -> Analysis:
    """Index the whole project, then analyse each import-connected component on its own
    (:mod:`toolsink.components`): the engine never reaches across components, so the merged findings are
    those of one analysis of everything, and a component whose modules and imports are unchanged has the
    findings it had (``inputs.store``: :mod:`toolsink.unitcache`)."""
    models_for = models_resolver(load_models(tuple(str(d) for d in config.rules_dirs)))
    project = index_project(modules, root)
    analysis = Analysis(ScanResult(root=root), project, new_engine(project, models_for, config))
    store = inputs.store if inputs is not None else None
    edges: dict[str, tuple[str, ...]] = {}
    groups = components(project, inputs.stub_specs() if inputs is not None else None, edges)
    parts: list[Part | None] = [None] * len(groups)
    keys: list[str | None] = [None] * len(groups)
    for i, group in enumerate(groups):
        if store is not None:
            keys[i] = store.part_key([(m.path, m.language, inputs.digests.get(m.path, ""), edges.get(m.path, ()))
                                      for m in group], fixes)
            parts[i] = store.part(keys[i])
    todo = [i for i, part in enumerate(parts) if part is None]
    total = sum(len(groups[i]) for i in todo)

    def keep(i: int, part: Part, stable: bool) -> None:
        parts[i] = part
        if keys[i] is not None and stable:
            store.put_part(keys[i], part)

    if inputs is not None and inputs.workers is not None and all(m.path in inputs.pending for m in modules):
        from .parallel import analyse_in_workers

        def tick(done: int, count: int) -> None:
            _tick(progress, done, count, "analysed", 1)

        try:
            for i, (part, stable) in zip(todo, analyse_in_workers(inputs.workers, [groups[i] for i in todo], inputs,
                                                                  modules, rules, config, root, fixes, tick)):
                keep(i, part, stable)
        except Exception:  # a worker died: what is left is analysed here
            pass
        todo = [i for i in todo if parts[i] is None]
    done = 0
    for i in todo:
        _tick(progress, done, total, "analysed", 1)
        done += len(groups[i])
        group = groups[i]
        if inputs is not None and any(m.path in inputs.pending for m in group):
            group = [inputs.lower(m, config.max_file_size) if m.path in inputs.pending else m for m in group]
            project.replace_modules(group)
        sub, missed = analyse_component(project.view(group), models_for, rules, config, root,
                                        lambda: _tick(progress, done, total, "analysed", 1))
        if fixes:
            attach_component_fixes(sub, inputs.texts if inputs is not None else {})
        analysis.entries.extend(sub.entries)
        keep(i, Part(sub.result.findings, sub.result.registrations, sub.result.diagnostics, missed,
                     len(sub.entries)), not any(m.path in inputs.unstable or m.path not in inputs.digests
                                                for m in group) if inputs is not None else False)
    _tick(progress, total, total, "analysed", 1)
    missed_all: list[ir.Diagnostic] = []
    entries = 0
    for part in parts:
        analysis.result.findings.extend(part.findings)
        analysis.result.registrations.extend(part.registrations)
        analysis.result.diagnostics.extend(part.diagnostics)
        missed_all.extend(part.missed)
        entries += part.entries
    if not entries:
        analysis.result.diagnostics.extend(missed_all)
    return analysis


def index_project(modules: list[ir.Module], root: str) -> Project:
    from .tsconfig import load_aliases

    scripts = [m.path for m in modules if m.language != "python"]
    return Project(modules, load_aliases(scripts, root) if scripts else None)


def new_engine(project: Project, models_for, config: Config) -> Engine:
    engine = Engine(project, models_for)
    engine.allowed_roots = tuple(r.rstrip("/\\") or r for r in config.allowed_roots)
    engine.root_env_vars = frozenset(config.root_env_vars)
    return engine


def attach_component_fixes(part: Analysis, texts: dict[str, str]) -> None:
    """Each finding's fix (:mod:`toolsink.fixes`), computed with its component: a fix depends only on the
    finding's file, so it is kept and reused with the component's findings."""
    from .fixes import compute_fixes

    result = part.result
    view = ScanResult(root=result.root, findings=result.findings, registrations=result.registrations,
                      diagnostics=[d for m in part.project.modules for d in m.diagnostics])
    for i, fix in compute_fixes(view, dict(texts)).items():
        result.findings[i] = replace(result.findings[i], fix=fix)


def analyse_component(project: Project, models_for, rules: dict[str, Rule], config: Config,
                      root: str, poll=None) -> tuple[Analysis, list[ir.Diagnostic]]:
    """Entry points, flows and checks of one component (``project`` is its view of the index); also the
    modules that look like servers but register nothing, said by the caller only if no component has an
    entry point. ``poll()`` is called between registrations (the language server stops a stale scan there)."""
    poll = poll or (lambda: None)
    engine = new_engine(project, models_for, config)
    result = ScanResult(root=root)
    analysis = Analysis(result, project, engine)
    finder = EntryFinder(engine)
    builder = FindingBuilder(engine, project, rules)
    for module in project.modules:
        try:
            entries, diags = finder.find(module)
        except RecursionError:
            entries, diags = [], [ir.Diagnostic(module.path, "registration search gave up (nesting too deep)",
                                                "internal-error")]
        analysis.entries.extend(entries)
        result.diagnostics.extend(diags)
    builder.declare(analysis.entries)
    for entry in analysis.entries:
        poll()
        result.registrations.append(registration_record(entry, builder.checker))
        try:
            result.findings.extend(builder.findings(entry))
        except RecursionError:
            result.diagnostics.append(ir.Diagnostic(entry.module.path, f"analysis of `{entry.name}` gave up "
                                                    "(nesting too deep)", "internal-error", entry.span.line))
    poll()
    try:
        result.findings.extend(builder.setup_findings(analysis.entries))
    except RecursionError:
        result.diagnostics.append(ir.Diagnostic(project.modules[0].path, "analysis of set-up code gave up "
                                                "(nesting too deep)", "internal-error"))
    result.findings[:] = builder.name_users(result.findings)
    poll()
    from .checks import run_checks

    result.findings.extend(run_checks(analysis, rules, config))
    result.diagnostics.extend(engine.diagnostics)
    return analysis, ([] if analysis.entries else list(finder.missed))


def scan(paths: list[str], config: Config | None = None, *, root: str | None = None,
         rules: dict[str, Rule] | None = None, overrides: dict[str, bytes] | None = None,
         progress=None, restore_gc: bool = True, store=None, fixes: bool = False, jobs: int = 1) -> Analysis:
    """Scan ``paths``. ``overrides`` maps display paths to unsaved contents (editors, ``--stdin-filename``);
    ``progress(done, total, phase)`` is called while files are parsed (phase ``"parsed"``) and while the
    components are analysed (``"analysed"``, counted in files; the CLI shows it on a terminal).

    ``store`` (a :class:`toolsink.unitcache.UnitStore`) keeps file facts and component results between
    scans: a file whose facts are stored is parsed only if its component has to be analysed again, and a
    component whose members and imports are unchanged is not analysed at all. The result is the same.
    ``fixes=True`` attaches each finding's safe fix (``--fix``, ``[*]`` marks, SARIF and JSON fixes).
    ``jobs``: worker processes for a large project (:mod:`toolsink.parallel`; the result is the same).

    ``restore_gc=False`` leaves the collector thresholds raised after the scan: the CLI, which owns its
    process and exits right after reporting, passes it so that formatting the report does not trigger
    full collections over the result graph. Library callers keep the default (nothing global changes)."""
    # The IR is many small long-lived objects: the cyclic collector would rescan them again and again
    # (measured: 16-26% of a scan). Collect rarely while scanning; everything is freed with the result.
    _raise_gc()
    try:
        return _scan(paths, config, root=root, rules=rules, overrides=overrides, progress=progress, store=store,
                     fixes=fixes, jobs=jobs)
    finally:
        _lower_gc(restore_gc)


_GC_LOCK = threading.Lock()
_GC_STATE: list = [0, None]  # scans running in this process, the thresholds before the first of them


def _raise_gc() -> None:
    """The first of overlapping scans raises the thresholds; the last to end restores them (:func:`scan`)."""
    with _GC_LOCK:
        if _GC_STATE[0] == 0:
            _GC_STATE[1] = gc.get_threshold()
            gc.set_threshold(200_000, 50, 1000)
        _GC_STATE[0] += 1


def _lower_gc(restore: bool) -> None:
    with _GC_LOCK:
        _GC_STATE[0] -= 1
        if _GC_STATE[0] == 0:
            if restore:
                gc.set_threshold(*_GC_STATE[1])
            _GC_STATE[1] = None


def _scan(paths, config, *, root, rules, overrides, progress, store, fixes, jobs) -> Analysis:
    start = time.perf_counter()
    config = config or Config.default()
    root = root or default_root(paths)
    rules = rules if rules is not None else load_rules(tuple(str(d) for d in config.rules_dirs))
    files, diagnostics = discover(paths, root=root, exclude=config.all_excludes,
                                  respect_gitignore=config.respect_gitignore, follow_links=config.follow_links,
                                  force_exclude=config.force_exclude)

    def tick(done: int, total: int) -> None:
        _tick(progress, done, total, "parsed", 50)

    # One deep-stack thread for all files (a thread per file cost about 0.1 ms of CPU each).
    if jobs > 1:
        from .parallel import worth_it

        jobs = jobs if worth_it(jobs, files) else 1
    if jobs > 1:
        load_models(tuple(str(d) for d in config.rules_dirs))  # before the workers start: they inherit them
    inputs = run_deep(read_all, files, dict(overrides or {}), config.max_file_size, store, tick, diagnostics, jobs)
    try:
        analysis = analyse_modules(inputs.modules, rules, config, str(Path(root).resolve()), progress, inputs,
                                   fixes, jobs)
    finally:
        if inputs.workers is not None:
            inputs.workers.close()
    result = analysis.result
    result.diagnostics[:0] = diagnostics
    result.files_scanned = len(files)
    result.lines_scanned = inputs.lines
    finalize(result, analysis.project, config, rules, inputs.suppressions())
    result.seconds = time.perf_counter() - start
    return analysis


def finalize(result: ScanResult, project: Project, config: Config, rules: dict[str, Rule],
             suppressions: dict[str, list] | None = None) -> None:
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
    result.findings = apply_suppressions(selected, project, config, result, suppressions)
    result.findings.sort(key=lambda f: f.sort_key())
    result.registrations.sort(key=lambda r: (r.path, r.line, r.col))


def _experimental(rules: dict[str, Rule], code: str) -> bool:
    rule = rules.get(code)
    return rule is not None and rule.experimental
