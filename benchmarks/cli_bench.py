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
    args, extra = parser.parse_known_args(argv)
    if args.cache:
        return cache_runs(Path(args.target), args.runs, ["--no-respect-gitignore", *extra])
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


def cache_runs(target: Path, runs: int, extra: list[str]) -> int:
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        shutil.copytree(target, tree, ignore=shutil.ignore_patterns(".toolsink_cache"))
        cache = ["--cache-dir", str(Path(tmp) / "cache"), *extra]
        sources = sorted(p for p in tree.rglob("*") if p.suffix in (".py", ".ts", ".js") and p.is_file())
        cold, warm, changed = [], [], []
        for i in range(runs):
            shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
            cold.append(run_once(SRC, str(tree), cache)[:2])
            warm.append(run_once(SRC, str(tree), cache)[:2])
            victim = sources[i * 7919 % len(sources)]
            victim.write_bytes(victim.read_bytes() + b"\n")
            changed.append(run_once(SRC, str(tree), cache)[:2])
    for label, rows, target in (("cold", cold, None), ("cached", warm, TARGET_CACHED),
                                ("one file changed", changed, TARGET_CHANGED)):
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        mark = "" if target is None else f"  target < {target} s: {'PASS' if wall < target else 'FAIL'}"
        print(f"{label:17} median wall {wall:.2f} s, CPU {cpu:.2f} s ({len(rows)} runs){mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
