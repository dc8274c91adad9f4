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
    python benchmarks/cli_bench.py /path/to/real/repo --cache           # any directory

``--compare`` takes the ``src`` directory of a full checkout (the rules are found next to it). The generated
corpus (under ``benchmarks/.corpus/``, gitignored) is scanned with ``--no-respect-gitignore``; any other
directory with its ``.gitignore`` files respected, as a user's scan would be (``--no-gitignore`` to override).

``--cache`` copies the target to a temporary directory (without ``.git``) and runs, per round and source
tree: a cold scan with an empty cache, the same command again (cached), then two edits and the command
after each: a blank line appended to some source file ("one file changed"), and a comment line appended to
a file that registers tools ("tool file changed": what an editor user changes). The files that register
tools are taken from the registrations of one untimed scan of the copy (JSON report), not guessed from
their text. Each edit runs are printed against the targets of issue 13 (cached < 0.3 s, one file changed
< 1 s); the cold scan against Semgrep when ``--semgrep`` is given (Semgrep runs once per round, same copy).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
CORPUS = HERE / ".corpus"
SOURCE_SUFFIXES = (".py", ".pyi", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


def run_once(src: Path, target: str, extra: list[str], output: str = os.devnull) -> tuple[float, float, int]:
    env = dict(os.environ, PYTHONPATH=str(src), CI="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "toolsink", "scan", target, "-f", "json", "-o", output,
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
    parser.add_argument("--src", default=str(SRC), help="src/ directory to time (default this checkout's)")
    parser.add_argument("--compare", metavar="SRC", help="another src/ directory to alternate with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache", action="store_true",
                        help="on a copy of the target: cold, cached and one-file-changed runs against the targets")
    parser.add_argument("--semgrep", metavar="EXE", help="also time this semgrep executable (with --cache)")
    parser.add_argument("--semgrep-config", metavar="RULES", action="append", default=[],
                        help="semgrep rule file or folder (repeatable; default benchmarks/semgrep-mcp.yml)")
    parser.add_argument("--no-gitignore", action="store_true",
                        help="scan with --no-respect-gitignore (the default only for the generated corpus)")
    args, extra = parser.parse_known_args(argv)
    if not Path(args.target).is_dir():
        parser.error(f"{args.target} is not a directory")
    if args.no_gitignore or _within(Path(args.target).resolve(), CORPUS):
        extra = ["--no-respect-gitignore", *extra]  # the generated corpus is gitignored
    this = Path(args.src).resolve()
    if args.cache:
        trees = {"this": this} if not args.compare else {"before": Path(args.compare).resolve(), "this": this}
        semgrep = None
        if args.semgrep:
            configs = args.semgrep_config or [HERE / "semgrep-mcp.yml"]
            semgrep = [args.semgrep, "scan", "--quiet", "--metrics=off", "--disable-version-check", "--json",
                       "--output", os.devnull, *(f"--config={c}" for c in configs)]
        return cache_runs(Path(args.target), args.runs, extra, trees, semgrep)
    args.extra = extra
    trees = {"this": this}
    if args.compare:
        trees = {"compare": Path(args.compare).resolve(), "this": this}
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
TARGET_COLD_LPS = 50_000  # lines per CPU second, cold scan (issue 13)


def _within(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def tool_files(src: Path, tree: Path, extra: list[str], tmp: Path) -> list[Path]:
    """The Python/TypeScript/JavaScript files of ``tree`` that register tools, from the registrations of
    one untimed scan by ``src`` (``--no-cache``: it leaves no entry behind)."""
    report = tmp / "registrations.json"
    run_once(src, str(tree), ["--no-cache", *extra], str(report))
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        sys.exit(f"cannot read the registrations of {tree}: {exc}")
    found = set()
    root = Path(data.get("root") or tree)  # report paths are relative to the scan's root
    for row in data.get("registrations", ()):
        if row.get("kind") != "tool" or not row.get("path"):
            continue
        path = Path(row["path"])
        path = path if path.is_absolute() else root / path
        if path.suffix in SOURCE_SUFFIXES and _within(path.resolve(), tree.resolve()) and path.is_file():
            found.add(path.resolve())
    return sorted(found)


def cache_runs(target: Path, runs: int, extra: list[str], trees: dict[str, Path], semgrep: list[str] | None) -> int:
    """Per round and source tree (alternating): a cold run with an empty cache, the same command again
    (cached), then one file changed (a blank line appended) and the command again, then a file that
    registers tools changed (a comment line appended) and the command again; Semgrep once per round.
    Every tree edits the same files in a round, so both pay for the same change."""
    import shutil
    import tempfile

    rows: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        shutil.copytree(target, tree, symlinks=True, ignore=shutil.ignore_patterns(".toolsink_cache", ".git"))
        sources = sorted(p for p in tree.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file()
                         and "node_modules" not in p.parts)
        if not sources:
            sys.exit(f"no Python, TypeScript or JavaScript files in {target}")
        tools = tool_files(trees["this"], tree, extra, Path(tmp))
        files, lines = len(sources), sum(p.read_bytes().count(b"\n") for p in sources)
        print(f"{target}: {files:,} source files, {lines:,} lines, {len(tools)} files register tools; "
              f"{runs} rounds; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("source trees: " + ", ".join(f"{label} = {src}" for label, src in trees.items()))
        if not tools:
            print("note: no file registers a tool here; the tool-file-changed runs are skipped")
        for i in range(runs):
            victim = sources[i * 7919 % len(sources)]
            tool_file = tools[i * 31 % len(tools)] if tools else None
            for label, src in trees.items():
                cache_dir = Path(tmp) / f"cache-{label}"
                cache = ["--cache-dir", str(cache_dir), *extra]
                shutil.rmtree(cache_dir, ignore_errors=True)
                rows.setdefault(f"{label}: cold", []).append(run_once(src, str(tree), cache)[:2])
                time.sleep(2.1)  # files younger than 2 s are hashed again (racily clean rule, docs/cache.md)
                rows.setdefault(f"{label}: cached", []).append(run_once(src, str(tree), cache)[:2])
                victim.write_bytes(victim.read_bytes() + b"\n")
                rows.setdefault(f"{label}: one file changed", []).append(run_once(src, str(tree), cache)[:2])
                if tool_file is not None:
                    comment = b"# " if tool_file.suffix in (".py", ".pyi") else b"// "
                    tool_file.write_bytes(tool_file.read_bytes() + comment + f"edit {i} {label}\n".encode())
                    rows.setdefault(f"{label}: tool file changed", []).append(
                        run_once(src, str(tree), cache)[:2])
            if semgrep:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([*semgrep, str(tree)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                rows.setdefault("semgrep (MCP rules)", []).append(
                    (wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
    semgrep_wall = statistics.median(r[0] for r in rows["semgrep (MCP rules)"]) if semgrep else None
    for label, samples in rows.items():
        target_s = (TARGET_CACHED if label.endswith("cached") else
                    TARGET_CHANGED if label.endswith("changed") else None)
        wall = statistics.median(r[0] for r in samples)
        cpu = statistics.median(r[1] for r in samples)
        mark = "" if target_s is None else f"  target < {target_s} s: {'PASS' if wall < target_s else 'FAIL'}"
        if label.endswith(": cold"):
            lps = lines / cpu if cpu else 0.0
            mark = f"  {lps:,.0f} lines/CPU s [>= {TARGET_COLD_LPS:,}: {'PASS' if lps >= TARGET_COLD_LPS else 'FAIL'}]"
            if semgrep_wall is not None:
                mark += f"  faster than Semgrep ({semgrep_wall:.2f} s): {'PASS' if wall < semgrep_wall else 'FAIL'}"
        print(f"{label:30} median wall {wall:.2f} s, CPU {cpu:.2f} s ({len(samples)} runs){mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
