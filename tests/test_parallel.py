"""Worker processes (:mod:`toolsink.parallel`) give the report a single process gives.

The size thresholds are lowered so the bundled fixtures are split between two workers."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from toolsink import parallel
from toolsink.config import Config
from toolsink.scan import scan
from toolsink.unitcache import UnitStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def small_is_large(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_FILES", 2)
    monkeypatch.setattr(parallel, "MIN_BYTES", 1)


def _view(result) -> tuple:
    return (result.findings, sorted(result.registrations, key=repr), result.diagnostics,
            result.files_scanned, result.lines_scanned, result.suppressed)


def _scan(root: Path, **kw):
    config = Config.default()
    config.respect_gitignore = False
    return scan([str(root)], config, root=str(root), fixes=True, **kw).result


def test_two_workers_report_what_one_process_reports(small_is_large, tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES, root)
    alone = _scan(root)
    assert alone.findings and any(f.fix is not None for f in alone.findings)
    assert _view(_scan(root, jobs=2)) == _view(alone)
    store = UnitStore("memory")
    assert _view(_scan(root, jobs=2, store=store)) == _view(alone)  # and the units they send back are right
    (root / "python" / "eval_deser.py").write_text("import os\n", encoding="utf-8")
    store.hits = store.misses = 0
    assert _view(_scan(root, jobs=2, store=store)) == _view(_scan(root))
    assert store.hits and store.misses == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the workers must inherit the patch (fork)")
def test_a_worker_that_fails_costs_only_time(small_is_large, tmp_path, monkeypatch):
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / "typescript", root)
    alone = _scan(root)
    marker = tmp_path / "crashed"

    def crash(batch):
        marker.write_text("yes")
        raise MemoryError("a worker ran out of memory")

    monkeypatch.setattr(parallel, "_analyse_batch_here", crash)  # the forked workers inherit it
    assert _view(_scan(root, jobs=2)) == _view(alone)
    assert marker.exists()  # the workers did run, and failed


def test_small_projects_never_start_a_worker(tmp_path):
    (tmp_path / "server.py").write_text("import os\n", encoding="utf-8")
    files = [type("F", (), {"abs_path": str(tmp_path / "server.py")})()]
    assert not parallel.worth_it(2, files)
    assert not parallel.worth_it(1, files * 1000)


def test_jobs_must_be_a_positive_number(tmp_path):
    import subprocess

    for bad in ("0", "-2", "many"):
        done = subprocess.run([sys.executable, "-m", "toolsink", "scan", str(FIXTURES / "python"), "--jobs", bad],
                              capture_output=True, timeout=120)
        assert done.returncode == 2
        assert b"--jobs" in done.stderr and b"1 or more" in done.stderr
