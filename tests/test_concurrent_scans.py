"""Two scans running at once in two threads of one process each report exactly what the same scan reports
alone: nothing one scan computes (import graphs, program facts, memo tables) is shared with another
(docs/scaling.md maps ``scan`` over repositories in long-lived workers, possibly threaded).

Each thread is started the way :mod:`toolsink.deepstack` starts its own analysis thread (a large stack and
the flag that says "already deep"), so ``scan`` runs in that thread directly instead of queueing behind the
deep-stack lock: the two scans really interleave, switching between threads wherever the interpreter
does, instead of only between their phases.
"""

from __future__ import annotations

import gc
import sys
import threading

from conftest import FIXTURES

from toolsink import deepstack
from toolsink.checks import programs as programs_module
from toolsink.config import Config
from toolsink.scan import scan


def _findings(tree) -> list[tuple]:
    result = scan([str(tree)], Config.default(), root=str(tree)).result
    return sorted((f.location.path, f.location.line, f.location.col, f.rule,
                   tuple((s.location.path, s.location.line, s.message) for s in f.trace))
                  for f in result.findings)


def _at_once(trees) -> list:
    """Scan every tree in its own deep thread, all started together; the findings of each, in order."""
    out: list = [None] * len(trees)
    errors: list = []
    start = threading.Barrier(len(trees))

    def work(i: int, tree) -> None:
        deepstack._local.deep = True  # this thread has the deep stack: scan without run_deep's lock
        try:
            start.wait(timeout=60)
            out[i] = _findings(tree)
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    old_size, old_limit, old_gc = threading.stack_size(), sys.getrecursionlimit(), gc.get_threshold()
    sys.setrecursionlimit(max(old_limit, deepstack.RECURSION_LIMIT))
    try:
        threading.stack_size(deepstack.STACK_BYTES)
        try:
            threads = [threading.Thread(target=work, args=(i, t), daemon=True) for i, t in enumerate(trees)]
            for thread in threads:
                thread.start()
        finally:
            threading.stack_size(old_size)
        for thread in threads:
            thread.join(timeout=600)
    finally:
        sys.setrecursionlimit(old_limit)
        gc.set_threshold(*old_gc)
    if errors:
        raise errors[0]
    return out


def test_two_scans_in_two_threads_equal_their_serial_scans():
    python, typescript = FIXTURES / "python", FIXTURES / "typescript"
    alone_python, alone_typescript = _findings(python), _findings(typescript)
    program_rules = {"MCP309"}  # answered from the program facts of the scan's own import graph
    assert program_rules & {f[3] for f in alone_python}, "the comparison covers the program-fact checks"
    assert program_rules & {f[3] for f in alone_typescript}
    assert alone_python != alone_typescript
    for trees, expected in (((python, typescript), [alone_python, alone_typescript]),
                            ((typescript, python), [alone_typescript, alone_python]),
                            ((python, python), [alone_python, alone_python])):
        assert _at_once(trees) == expected


def test_program_facts_are_not_kept_at_module_level():
    """The import graph of a scan belongs to its ``run_checks`` call: after a scan the checks' modules
    hold no analysis, no ``Programs`` and no filled container (a cache another scan could read)."""
    import toolsink.checks as checks_package
    from toolsink.checks import exposure, metadata, ownership

    scan([str(FIXTURES / "python")], Config.default(), root=str(FIXTURES / "python"))
    for module in (checks_package, programs_module, exposure, metadata, ownership):
        for name, value in vars(module).items():
            if name.startswith("__") or name == "CHECKS":
                continue
            assert not isinstance(value, programs_module.Programs), f"{module.__name__}.{name} keeps a Programs"
            if isinstance(value, (list, dict, set)):
                assert not value, f"{module.__name__}.{name} keeps {value!r:.80}"


def test_overlapping_scans_leave_the_collector_thresholds_as_they_were():
    """Two scans that overlap in time (the second starts while the first runs) leave the garbage
    collector's thresholds as they found them, as one scan does (``restore_gc=True``, the default)."""
    original = gc.get_threshold()
    before = (1234, 11, 12)  # not the scan's own values, whatever earlier tests left
    gc.set_threshold(*before)
    started = threading.Event()
    errors: list = []

    def first() -> None:
        try:
            scan([str(FIXTURES / "python")], Config.default(), root=str(FIXTURES / "python"),
                 progress=lambda *_: started.set())
        except BaseException as exc:
            errors.append(exc)
        finally:
            started.set()

    def second() -> None:
        try:
            scan([str(FIXTURES / "typescript")], Config.default(), root=str(FIXTURES / "typescript"))
        except BaseException as exc:
            errors.append(exc)

    one = threading.Thread(target=first, daemon=True)
    one.start()
    assert started.wait(timeout=300)
    two = threading.Thread(target=second, daemon=True)
    two.start()
    one.join(timeout=600)
    two.join(timeout=600)
    try:
        assert not errors, errors
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*original)
