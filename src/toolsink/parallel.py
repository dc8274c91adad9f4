"""Worker processes for a large cold scan: every core lowers files and analyses components.

The IR is expensive to send between processes (pickling a lowered module back cost about half of lowering
it), so nothing but small records crosses: in the first round the workers lower chunks of files and send
back each file's facts (:class:`toolsink.unitcache.FileFacts`: import specifiers, suppression comments,
diagnostics, line count); the main process joins the components (:mod:`toolsink.components`); in the
second round each worker lowers the files of the components it is given again, analyses them, and
sends back each component's findings (:class:`toolsink.unitcache.Part`). A worker releases a component's
IR once it is analysed, so no process holds the whole project's IR. The results are merged in component
order, so the report is the one a single process would write (``tests/test_parallel.py``).

Lowering twice costs CPU time, and the work is only worth its start-up on large projects:
:func:`worth_it` decides, and ``--jobs 1`` never starts a worker. A worker that dies (out of memory, a
crash in a parser) costs nothing but time: the main process analyses what is left itself.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor

from . import ir

MIN_FILES = 400  # below this a worker's start-up and the second lowering cost more than they save
MIN_BYTES = 2_000_000
# A worker keeps the modules it lowered in round 1 for round 2, unless the project is very large: then it
# keeps about 40k lines (HOLD_BYTES of source, about 60 MB of IR) and lowers the rest again in round 2, so
# memory stays bounded (one million lines: 647 MiB for all processes, against 1,188 MiB in one process)
# at the price of a second lowering of what is beyond the bound.
HOLD_ALL_BYTES = 10_000_000  # about 300k lines
HOLD_BYTES = 1_200_000
_STATE: dict = {}  # in a worker: what the scan sent it for round 2 (see _init_analysis)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def worth_it(jobs: int, files) -> bool:
    if jobs <= 1 or len(files) < MIN_FILES:
        return False
    total = 0
    for f in files:
        try:
            total += os.stat(f.abs_path).st_size
        except OSError:
            continue
        if total >= MIN_BYTES:
            return True
    return False


def _context():
    # fork shares the loaded rules and models with the workers at no cost; elsewhere (macOS, Windows)
    # the workers start fresh and load them
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _chunks(items: list, n: int) -> list[list]:
    size = max(1, -(-len(items) // n))
    return [items[i:i + size] for i in range(0, len(items), size)]


class Workers:
    """``jobs`` worker processes, each a pool of one, so a task can be sent to the worker that holds the
    modules it needs: round 1 gives worker *k* the *k*-th run of files (neighbouring files import each
    other, so most components stay inside one worker), round 2 sends each component to the worker that
    holds most of its files; a worker lowers what it does not hold."""

    def __init__(self, jobs: int) -> None:
        context = _context()
        self.pools = [ProcessPoolExecutor(max_workers=1, mp_context=context) for _ in range(jobs)]
        self.holder: dict[str, int] = {}  # path -> the worker that holds its lowered module

    def close(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=False, cancel_futures=True)


# ------------------------------------------------------------------------------------ round 1: facts

def read_in_workers(workers: Workers, rows: list[tuple], max_bytes: int, tick) -> list[tuple]:
    """``(digest, facts, diagnostics, None)`` of each ``(path, language, SourceFile, buffer)`` row, lowered
    by the workers, which keep the modules for round 2; rows a dead worker did not finish are lowered here."""
    chunks = _chunks(rows, len(workers.pools))
    total = sum(_size(row) for row in rows)
    hold = total if total <= HOLD_ALL_BYTES else HOLD_BYTES
    futures = [pool.submit(_read_chunk, chunk, max_bytes, hold) for pool, chunk in zip(workers.pools, chunks)]
    out: list[tuple] = []
    for k, (future, chunk) in enumerate(zip(futures, chunks)):
        try:
            got = future.result()
        except Exception:  # a dead worker: its files are read here
            from .inputs import lower_file

            got = [(*lower_file(path, language, file, buffer, max_bytes)[:3], None)
                   for path, language, file, buffer in chunk]
        else:
            for row, (_, facts, _, held) in zip(chunk, got):
                if held:
                    workers.holder[row[0]] = k
            got = [(digest, facts, diags, None) for digest, facts, diags, _ in got]
        out.extend(got)
        tick(len(out), len(rows))
    return out


def _size(row: tuple) -> int:
    path, language, file, buffer = row
    if buffer is not None:
        return len(buffer)
    try:
        return os.stat(file.abs_path).st_size
    except OSError:
        return 0


def _read_chunk(rows: list[tuple], max_bytes: int, hold: int) -> list[tuple]:
    from .deepstack import run_deep
    from .inputs import lower_file

    def read() -> list[tuple]:
        out = []
        held = 0
        for row in rows:
            path, language, file, buffer = row
            digest, facts, diags, module = lower_file(path, language, file, buffer, max_bytes)
            size = _size(row)
            keep = module is not None and held + size <= hold
            if keep:
                _HELD[path] = module
                held += size
            out.append((digest, facts, diags, keep))
        return out

    return run_deep(read)


_HELD: dict[str, ir.Module] = {}  # in a worker: the modules it lowered in round 1, until analysed


# ------------------------------------------------------------------------------------ round 2: parts

def analyse_in_workers(workers: Workers, groups: list[list[ir.Module]], inputs, modules: list[ir.Module], rules,
                       config, root: str, fixes: bool, tick) -> list[tuple]:
    """``(Part, stable)`` of each component (a list of stubs), analysed by the workers, in order;
    ``stable`` is False when a member changed since its facts were read (then the part is not stored)."""
    shared = {"modules": [(m.path, m.language) for m in modules], "rules": rules, "config": config,
              "root": root, "fixes": fixes, "digests": inputs.digests, "texts": inputs.texts}
    jobs = len(workers.pools)
    assigned: list[list[int]] = [[] for _ in range(jobs)]
    load = [0] * jobs
    for i in sorted(range(len(groups)), key=lambda i: -len(groups[i])):
        votes = [0] * jobs
        for m in groups[i]:
            k = workers.holder.get(m.path)
            if k is not None:
                votes[k] += 1
        best = max(range(jobs), key=lambda k: (votes[k], -load[k]))
        assigned[best].append(i)
        load[best] += sum(inputs.facts[m.path].lines for m in groups[i])
    futures = []
    for k, pool in enumerate(workers.pools):
        pool.submit(_init_analysis, shared)
        for batch in _chunks(sorted(assigned[k]), 8):
            rows = [(i, [(m.path, inputs.pending.get(m.path)) for m in groups[i]]) for i in batch]
            futures.append(pool.submit(_analyse_batch, rows))
    results: dict[int, tuple] = {}
    for future in futures:
        for i, part, stable in future.result():
            results[i] = (part, stable)
        tick(len(results), len(groups))
    return [results[i] for i in range(len(groups))]


def _init_analysis(shared: dict) -> None:
    _STATE.clear()
    _STATE.update(shared)


def _analyse_batch(batch: list[tuple[int, list]]) -> list[tuple]:
    from .deepstack import run_deep

    return run_deep(_analyse_batch_here, batch)


def _analyse_batch_here(batch: list[tuple[int, list]]) -> list[tuple]:
    from .inputs import Inputs
    from .rules import load_models
    from .scan import analyse_component, attach_component_fixes, index_project, models_resolver
    from .unitcache import Part

    st = _STATE
    config = st["config"]
    if "project" not in st:
        stubs = [ir.Module(path, language, (), ()) for path, language in st["modules"]]
        st["stubs"] = {m.path: m for m in stubs}
        st["project"] = index_project(stubs, st["root"])
        st["models_for"] = models_resolver(load_models(tuple(str(d) for d in config.rules_dirs)))
    project, stubs = st["project"], st["stubs"]
    out = []
    for i, members in batch:
        inputs = Inputs(digests=st["digests"], pending={path: how for path, how in members
                                                         if path not in _HELD and how is not None})
        real = [_HELD.pop(path) if path in _HELD else inputs.lower(stubs[path], config.max_file_size)
                if path in inputs.pending else stubs[path] for path, _ in members]
        project.replace_modules(real)
        sub, missed = analyse_component(project.view(real), st["models_for"], st["rules"], config, st["root"])
        if st["fixes"]:
            attach_component_fixes(sub, st["texts"])
        part = Part(sub.result.findings, sub.result.registrations, sub.result.diagnostics, missed,
                    len(sub.entries))
        out.append((i, part, not inputs.unstable))
        project.release(real, [stubs[path] for path, _ in members])
    return out
