#!/usr/bin/env python3
"""Throughput and memory benchmark for toolsink's full analysis.

The corpus is the bundled fixtures (``fixtures/python`` and ``fixtures/typescript``) copied into numbered
replica directories under ``benchmarks/.corpus/`` until each language has at least ``--lines`` lines.
Every replica sits in its own directory, so module names stay distinct (``python.r0007.shellsrv.tools``)
and cross-module resolution does the same work it does on the original fixtures.

For each target (Python corpus, TypeScript corpus, both together, and any directory named on the command
line) the script times ``toolsink.scan.scan`` in-process: one cold run (the first scan in the process,
paying for grammar loading, rule and model compilation and first-use caches) and the best of
``--repeat`` warm runs, each reported as wall-clock and CPU seconds (CPU time is what to compare on a
machine that other processes share) with the time spent in the garbage collector. Memory is measured in a
fresh child process per target so one target's peak cannot hide another's: the peak resident set around
a plain scan (``VmHWM`` on Linux, where ``ru_maxrss`` would report the parent's peak; ``ru_maxrss``
elsewhere), then a tracemalloc peak on a second scan (tracemalloc slows everything down, so it is never
part of a timed run). One more scan with a few engine functions wrapped gives the CPU time per phase
(read + parse + lower, taint and entry points, checks) next to the tree-sitter parse floor, and
``--profile`` prints cProfile's top functions for one warm scan of each target.

Targets are printed as PASS/FAIL next to the numbers and never asserted: full analysis at >= 30,000
lines/s on one core, and 100,000 lines in under 10 s.

    python benchmarks/bench.py                      # 100k lines per language
    python benchmarks/bench.py --lines 20000 --profile
    python benchmarks/bench.py /tmp/real/servers    # also time a real repository
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import hashlib
import inspect
import io
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = HERE / ".corpus"
FIXTURES = {"python": REPO / "fixtures" / "python", "typescript": REPO / "fixtures" / "typescript"}
SUFFIXES = {
    "python": (".py", ".pyi"),
    "typescript": (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"),
}
TARGET_LPS = 30_000  # lines per second, one core, full analysis
TARGET_LINES = 100_000
TARGET_SECONDS = 10.0

sys.path.insert(0, str(REPO / "src"))  # run from a checkout without installing; an installed copy is fine too

from toolsink import scan as scan_module  # noqa: E402
from toolsink.config import Config  # noqa: E402


# --------------------------------------------------------------------------------------------------
# corpus


def _fixture_files(language: str) -> list[Path]:
    root = FIXTURES[language]
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or "node_modules" in path.parts:
            continue
        if path.name.endswith(SUFFIXES[language]) and not path.name.endswith((".d.ts", ".d.mts", ".d.cts")):
            out.append(path)
    return out


def _count_lines(data: bytes) -> int:
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def build_corpus(language: str, min_lines: int, regen: bool) -> tuple[Path, int, int]:
    """Replicate one language's fixtures until at least ``min_lines``; return (dir, files, lines)."""
    files = _fixture_files(language)
    target = CORPUS / language
    if not files:
        return target, 0, 0
    blobs = [(f.relative_to(FIXTURES[language]), f.read_bytes()) for f in files]
    per_replica = sum(_count_lines(b) for _, b in blobs)
    if per_replica == 0:
        return target, 0, 0
    replicas = max(1, -(-min_lines // per_replica))
    digest = hashlib.sha256()
    for rel, data in blobs:
        digest.update(str(rel).encode() + b"\0" + data + b"\0")
    stamp = {"fixtures": digest.hexdigest(), "replicas": replicas}
    stamp_file = target / ".stamp.json"
    if not regen and stamp_file.is_file():
        try:
            if json.loads(stamp_file.read_text()) == stamp:
                return target, replicas * len(blobs), replicas * per_replica
        except (OSError, ValueError):
            pass
    if target.exists():
        shutil.rmtree(target)
    for i in range(replicas):
        base = target / f"r{i:04d}"
        for rel, data in blobs:
            dest = base / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
    stamp_file.write_text(json.dumps(stamp))
    return target, replicas * len(blobs), replicas * per_replica


# --------------------------------------------------------------------------------------------------
# scanning


def make_config(respect_gitignore: bool, jobs: int) -> tuple[Config, dict]:
    """``Config.default()``; the corpus itself is gitignored, so it is scanned with gitignore off."""
    config = Config.default()
    names = {f.name for f in dataclasses.fields(config)}
    changes = {}
    if not respect_gitignore and "respect_gitignore" in names:
        changes["respect_gitignore"] = False
    if "jobs" in names:
        changes["jobs"] = jobs
    for cache_field in ("cache", "use_cache"):  # measure the analysis, not a cache hit
        if cache_field in names:
            changes[cache_field] = False
    if "cache_dir" in names:
        changes["cache_dir"] = None
    if changes:
        config = dataclasses.replace(config, **changes)
    kwargs = {}
    if "jobs" in inspect.signature(scan_module.scan).parameters:
        kwargs["jobs"] = jobs
    return config, kwargs


def run_scan(path: Path, respect_gitignore: bool, jobs: int):
    config, kwargs = make_config(respect_gitignore, jobs)
    return scan_module.scan([str(path)], config, root=str(path), **kwargs)


class _GcClock:
    """Time spent in the cyclic garbage collector, through ``gc.callbacks``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._start = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.collections += 1


def timed(path: Path, respect_gitignore: bool, jobs: int) -> dict:
    """One scan: wall and CPU seconds, GC time, and the counts of its result. The previous run's objects
    are collected first so they neither inflate this run's GC work nor get freed inside its timing."""
    gc.collect()
    clock = _GcClock()
    gc.callbacks.append(clock)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        analysis = run_scan(path, respect_gitignore, jobs)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        gc.callbacks.remove(clock)
    result = analysis.result
    return {
        "wall": wall, "cpu": cpu, "gc": clock.seconds, "gc_collections": clock.collections,
        "files": result.files_scanned, "lines": result.lines_scanned, "findings": len(result.findings),
        "registrations": result.counts(), "diagnostics": len(result.diagnostics),
        "internal_errors": sum(1 for d in result.diagnostics if getattr(d, "code", "") == "internal-error"),
    }


# Engine functions timed inside one real scan, as (label, module, attribute). They are looked up by name
# at call time, so wrapping the module attribute times every call; a missing one is simply left out.
PHASE_HOOKS = (
    ("read+parse+lower", "toolsink.inputs", "lower_file"),
    ("analysis", "toolsink.scan", "analyse_modules"),  # entry points, taint and the checks
    ("checks (metadata, exposure)", "toolsink.checks", "run_checks"),
)


def phases(path: Path, respect_gitignore: bool, jobs: int) -> dict:
    """CPU seconds per phase of one instrumented scan, and the tree-sitter parse floor for the same files.

    The scan runs exactly as in the timed runs (same garbage-collector settings, same code); only the
    functions in ``PHASE_HOOKS`` are wrapped. ``analysis`` includes the checks; the report subtracts them.
    Engine internals move, so any failure here drops the split, never the run.
    """
    import importlib

    out: dict = {}
    patched = []
    try:
        for label, module_name, attr in PHASE_HOOKS:
            module = importlib.import_module(module_name)
            original = getattr(module, attr, None)
            if original is None:
                continue
            out[label] = 0.0

            def wrapper(*args, __original=original, __label=label, **kwargs):
                start = time.process_time()
                try:
                    return __original(*args, **kwargs)
                finally:
                    out[__label] += time.process_time() - start

            setattr(module, attr, wrapper)
            patched.append((module, attr, original))
        gc.collect()
        start = time.process_time()
        run_scan(path, respect_gitignore, jobs)
        out["scan"] = time.process_time() - start
    except Exception as exc:  # pragma: no cover - diagnostics only
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        for module, attr, original in patched:
            setattr(module, attr, original)
    try:
        from toolsink.discover import discover

        config, _ = make_config(respect_gitignore, 1)
        files, _ = discover([str(path)], root=str(path), exclude=config.all_excludes,
                            respect_gitignore=config.respect_gitignore)
        sources = [(f.language, Path(f.abs_path).read_bytes()) for f in files]
        parsers = {lang: _raw_parser(lang) for lang in {lang for lang, _ in sources}}
        start = time.process_time()
        for lang, data in sources:
            if parsers.get(lang) is not None:
                parsers[lang].parse(data)
        out["tree-sitter parse only"] = time.process_time() - start
    except Exception as exc:  # pragma: no cover
        out["tree-sitter parse only"] = None
        out["floor_error"] = f"{type(exc).__name__}: {exc}"
    return out


def _raw_parser(language: str):
    from tree_sitter import Language, Parser

    if language == "python":
        import tree_sitter_python as grammar

        return Parser(Language(grammar.language()))
    if language in ("typescript", "tsx"):
        import tree_sitter_typescript as grammar

        fn = grammar.language_tsx if language == "tsx" else grammar.language_typescript
        return Parser(Language(fn()))
    if language == "javascript":
        import tree_sitter_javascript as grammar

        return Parser(Language(grammar.language()))
    return None


def peak_rss() -> int:
    """This process's peak resident set in bytes. On Linux ``ru_maxrss`` survives ``exec`` (a child
    started by a big parent reports the parent's peak), so the per-process ``VmHWM`` is read instead."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def memory_child(path: str, respect_gitignore: bool, jobs: int) -> None:
    """Run in a fresh interpreter: print JSON with ru_maxrss before/after one scan and a tracemalloc peak."""
    base = peak_rss()
    run_scan(Path(path), respect_gitignore, jobs)
    after = peak_rss()
    tracemalloc.start()
    run_scan(Path(path), respect_gitignore, jobs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"maxrss_before": base, "maxrss_after": after, "tracemalloc_peak": peak}))


def measure_memory(path: Path, respect_gitignore: bool, jobs: int) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_memory-child", str(path), "--jobs", str(jobs)]
    if not respect_gitignore:
        cmd.append("--_no-gitignore")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["child failed"]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def profile(path: Path, respect_gitignore: bool, jobs: int, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run_scan(path, respect_gitignore, jobs)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"-- top {top} by cumulative time --\n")
    stats.sort_stats("cumulative").print_stats(top)
    out.write(f"-- top {top} by own time --\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# report


def _mib(n: float) -> str:
    return f"{n / 1048576:.1f} MiB"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def bench_target(label: str, path: Path, args, respect_gitignore: bool) -> dict:
    cold = timed(path, respect_gitignore, args.jobs)
    warm = [timed(path, respect_gitignore, args.jobs) for _ in range(args.repeat)]
    best = min(warm, key=lambda r: r["wall"]) if warm else cold
    row = {key: best[key] for key in ("files", "lines", "findings", "registrations", "diagnostics",
                                      "internal_errors")}
    lines = row["lines"]
    row.update({
        "target": label, "path": str(path), "cold": cold, "best": best, "runs": warm,
        "lines_per_s": lines / best["wall"] if best["wall"] else 0.0,
        "lines_per_cpu_s": lines / best["cpu"] if best["cpu"] else 0.0,
    })
    if not args.no_phases:
        row["phases"] = phases(path, respect_gitignore, args.jobs)
    if not args.no_memory:
        row["memory"] = measure_memory(path, respect_gitignore, args.jobs)
    return row


def print_row(row: dict) -> None:
    print(f"\n== {row['target']}  ({row['path']})")
    if not row["files"]:
        print("   no files: nothing to measure")
        return
    regs, best, cold = row["registrations"], row["best"], row["cold"]
    print(f"   files {row['files']:,}   lines {row['lines']:,}   findings {row['findings']:,}   "
          f"tools {regs.get('tool', 0):,} resources {regs.get('resource', 0):,} prompts {regs.get('prompt', 0):,}"
          f"   diagnostics {row['diagnostics']:,} (internal errors {row['internal_errors']})")
    runs = ", ".join(f"{r['wall']:.2f}" for r in row["runs"])
    print(f"   cold {cold['wall']:.3f} s   best {best['wall']:.3f} s wall / {best['cpu']:.3f} s CPU   "
          f"(warm runs: {runs}); GC {best['gc']:.2f} s in {best['gc_collections']} collections "
          f"({100 * best['gc'] / best['wall'] if best['wall'] else 0:.0f}%)")
    for what, lps in (("wall", row["lines_per_s"]), ("CPU", row["lines_per_cpu_s"])):
        projected = TARGET_LINES / lps if lps else float("inf")
        print(f"   {lps:>9,.0f} lines/s ({what:4})  [{_mark(lps >= TARGET_LPS)}: >= {TARGET_LPS:,} lines/s]   "
              f"100k lines in {projected:.2f} s [{_mark(projected < TARGET_SECONDS)}: < {TARGET_SECONDS:.0f} s]")
    ph = row.get("phases")
    if ph and "error" not in ph:
        total = ph.get("scan") or 0.0
        shown = {"read+parse+lower": ph.get("read+parse+lower")}
        if "analysis" in ph:
            shown["entry points+taint"] = ph["analysis"] - ph.get("checks (metadata, exposure)", 0.0)
        shown["checks (metadata, exposure)"] = ph.get("checks (metadata, exposure)")
        parts = [f"{label} {value:.2f} s ({100 * value / total if total else 0:.0f}%)"
                 for label, value in shown.items() if value is not None]
        floor = ph.get("tree-sitter parse only")
        if floor:
            parts.append(f"tree-sitter parse only {floor:.2f} s = {row['lines'] / floor:,.0f} lines/s")
        print(f"   phases (CPU, instrumented scan {total:.2f} s): " + "; ".join(parts))
    elif ph:
        print(f"   phases: unavailable ({ph['error']})")
    mem = row.get("memory")
    if mem and "error" not in mem:
        print(f"   memory: peak RSS {_mib(mem['maxrss_after'])} (after imports {_mib(mem['maxrss_before'])}, "
              f"scan adds {_mib(mem['maxrss_after'] - mem['maxrss_before'])}); "
              f"tracemalloc peak {_mib(mem['tracemalloc_peak'])}")
    elif mem:
        print(f"   memory: unavailable ({mem['error']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", metavar="DIR", help="also time these directories (real repositories)")
    parser.add_argument("--lines", type=int, default=TARGET_LINES, help="minimum corpus lines per language")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes, if the engine supports them")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs; the best one counts")
    parser.add_argument("--profile", action="store_true", help="cProfile one warm scan of each target")
    parser.add_argument("--top", type=int, default=25, help="rows of profile output")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory child processes")
    parser.add_argument("--no-phases", action="store_true", help="skip the parse/lower phase split")
    parser.add_argument("--only", choices=("python", "typescript", "combined", "none"), action="append",
                        help="corpus targets to run (repeatable; default all; 'none' for DIRs only)")
    parser.add_argument("--regen", action="store_true", help="rebuild the corpus even if it is up to date")
    parser.add_argument("--json", metavar="FILE", help="also write the measurements as JSON")
    parser.add_argument("--_memory-child", dest="memory_child", help=argparse.SUPPRESS)
    parser.add_argument("--_no-gitignore", dest="no_gitignore", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        memory_child(args.memory_child, not args.no_gitignore, args.jobs)
        return 0

    _, scan_kwargs = make_config(False, args.jobs)
    if args.jobs != 1 and "jobs" not in scan_kwargs and "jobs" not in {f.name for f in dataclasses.fields(Config)}:
        print(f"note: toolsink.scan.scan() takes no jobs setting yet; --jobs {args.jobs} is ignored (one core)")
    only = set(args.only or ("python", "typescript", "combined"))
    print(f"toolsink benchmark: python {sys.version.split()[0]}, {os.cpu_count()} cores, jobs {args.jobs}, "
          f"best of {args.repeat} warm runs, load average {_load()}")

    rows = []
    built = {}
    for language in ("python", "typescript"):
        if language in only or "combined" in only:
            start = time.perf_counter()
            directory, files, lines = build_corpus(language, args.lines, args.regen)
            built[language] = lines
            if files:
                print(f"corpus {language}: {files:,} files, {lines:,} lines in {directory.relative_to(REPO)} "
                      f"({time.perf_counter() - start:.1f} s to prepare)")
            else:
                print(f"corpus {language}: no fixtures under {FIXTURES[language].relative_to(REPO)}, skipped")
    targets: list[tuple[str, Path, bool]] = []
    for language in ("python", "typescript"):
        if language in only and built.get(language):
            targets.append((f"{language} corpus", CORPUS / language, False))
    if "combined" in only and sum(1 for v in built.values() if v) > 1:
        targets.append(("combined corpus", CORPUS, False))
    for d in args.dirs:
        path = Path(d).resolve()
        if not path.is_dir():
            print(f"skipping {d}: not a directory")
            continue
        targets.append((path.name, path, True))

    for label, path, gitignore in targets:
        row = bench_target(label, path, args, gitignore)
        rows.append(row)
        print_row(row)
        if args.profile and row["files"]:
            print(profile(path, gitignore, args.jobs, args.top))

    print(f"\nload average at the end: {_load()} (other processes on these cores slow the wall-clock numbers)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
