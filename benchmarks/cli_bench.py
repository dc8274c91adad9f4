#!/usr/bin/env python3
"""Whole-process timing of the ``toolsink scan`` command (what a user, CI job or pre-commit hook pays).

``bench.py`` times :func:`toolsink.scan.scan` in-process; this script runs the command itself in child
processes, so interpreter start-up, reporting, garbage collection after the scan and interpreter exit
count too. With ``--compare DIR`` it alternates runs of two source trees (for example a checkout of the
previous commit and this one) on the same target, so load from other processes hits both alike, and
prints the median wall and CPU seconds (children's user+system time) of each.

    python benchmarks/cli_bench.py benchmarks/.corpus/python --runs 5
    python benchmarks/cli_bench.py benchmarks/.corpus/python --compare /tmp/before/src --runs 5
    python benchmarks/cli_bench.py benchmarks/.corpus/python --cache   # cold / cached / one file changed
    python benchmarks/cli_bench.py benchmarks/.corpus/python --cache --compare /tmp/before/src \
        --semgrep /path/to/semgrep                                      # before/after, Semgrep alike

``--compare`` takes the ``src`` directory of a full checkout (the rules are found next to it).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def run_once(src: Path, target: str, extra: list[str]) -> tuple[float, float, int]:
    env = dict(os.environ, PYTHONPATH=str(src), CI="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "toolsink", "scan", target, "-f", "json", "-o", os.devnull,
                           *extra], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        sys.exit(f"toolsink failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return wall, cpu, proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", help="directory to scan")
    parser.add_argument("--compare", metavar="SRC", help="another src/ directory to alternate with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache", action="store_true",
                        help="on a copy of the target: cold, cached and one-file-changed runs against the targets")
    parser.add_argument("--semgrep", metavar="EXE", help="also time this semgrep executable (with --cache)")
    parser.add_argument("--semgrep-config", metavar="RULES", action="append", default=[],
                        help="semgrep rule file or folder (repeatable; default benchmarks/semgrep-mcp.yml)")
    args, extra = parser.parse_known_args(argv)
    if args.cache:
        trees = {"this": SRC} if not args.compare else {"before": Path(args.compare).resolve(), "this": SRC}
        semgrep = None
        if args.semgrep:
            configs = args.semgrep_config or [HERE / "semgrep-mcp.yml"]
            semgrep = [args.semgrep, "scan", "--quiet", "--metrics=off", "--disable-version-check", "--json",
                       "--output", os.devnull, *(f"--config={c}" for c in configs)]
        return cache_runs(Path(args.target), args.runs, ["--no-respect-gitignore", *extra], trees, semgrep)
    args.extra = ["--no-respect-gitignore", *extra]  # the generated corpus is gitignored
    trees = {"this": SRC}
    if args.compare:
        trees = {"compare": Path(args.compare).resolve(), "this": SRC}
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in trees}
    for _ in range(args.runs):
        for label, src in trees.items():
            wall, cpu, _code = run_once(src, args.target, args.extra)
            samples[label].append((wall, cpu))
    for label, rows in samples.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"{label:8} {trees[label]}: median wall {wall:.2f} s, CPU {cpu:.2f} s over {len(rows)} runs")
    return 0


TARGET_CACHED, TARGET_CHANGED = 0.3, 1.0  # seconds, unchanged / one file changed, 100k lines (issue 13)


def cache_runs(target: Path, runs: int, extra: list[str], trees: dict[str, Path], semgrep: list[str] | None) -> int:
    """Per round and source tree (alternating): a cold run with an empty cache, the same command again
    (cached), then one file changed (a blank line appended) and the command again; Semgrep once per round."""
    import shutil
    import tempfile

    rows: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        shutil.copytree(target, tree, ignore=shutil.ignore_patterns(".toolsink_cache"))
        sources = sorted(p for p in tree.rglob("*") if p.suffix in (".py", ".ts", ".js") and p.is_file())
        for i in range(runs):
            for label, src in trees.items():
                cache_dir = Path(tmp) / f"cache-{label}"
                cache = ["--cache-dir", str(cache_dir), *extra]
                shutil.rmtree(cache_dir, ignore_errors=True)
                rows.setdefault(f"{label}: cold", []).append(run_once(src, str(tree), cache)[:2])
                time.sleep(2.1)  # files younger than 2 s are hashed again (racily clean rule, docs/cache.md)
                rows.setdefault(f"{label}: cached", []).append(run_once(src, str(tree), cache)[:2])
                victim = sources[(i * len(trees) + list(trees).index(label)) * 7919 % len(sources)]
                victim.write_bytes(victim.read_bytes() + b"\n")
                rows.setdefault(f"{label}: one file changed", []).append(run_once(src, str(tree), cache)[:2])
            if semgrep:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([*semgrep, str(tree)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                rows.setdefault("semgrep (MCP rules)", []).append(
                    (wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
    for label, samples in rows.items():
        target_s = TARGET_CACHED if label.endswith("cached") else TARGET_CHANGED if label.endswith("changed") else None
        wall = statistics.median(r[0] for r in samples)
        cpu = statistics.median(r[1] for r in samples)
        mark = "" if target_s is None else f"  target < {target_s} s: {'PASS' if wall < target_s else 'FAIL'}"
        print(f"{label:28} median wall {wall:.2f} s, CPU {cpu:.2f} s ({len(samples)} runs){mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
