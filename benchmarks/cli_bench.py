#!/usr/bin/env python3
"""Whole-process timing of the ``toolsink scan`` command (what a user, CI job or pre-commit hook pays).

``bench.py`` times :func:`toolsink.scan.scan` in-process; this script runs the command itself in child
processes, so interpreter start-up, reporting, garbage collection after the scan and interpreter exit
count too. With ``--compare DIR`` it alternates runs of two source trees (for example a checkout of the
previous commit and this one) on the same target, so load from other processes hits both alike, and
prints the median wall and CPU seconds (children's user+system time) of each.

    python benchmarks/cli_bench.py benchmarks/.corpus/python --runs 5
    python benchmarks/cli_bench.py benchmarks/.corpus/python --compare /tmp/before/src --runs 5

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
    args, extra = parser.parse_known_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
