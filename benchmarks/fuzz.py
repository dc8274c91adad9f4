"""Fuzz toolsink with mutated fixtures: byte flips, truncation, line deletion and duplication, inserted
brackets, quotes, NUL, BOM, CRLF and coding lines. The invariant: the scan finishes, raises nothing, and
an untouched fixture scanned beside the mutant keeps exactly its findings.

    python benchmarks/fuzz.py --cases 5000 --seed 1      # thousands, with a summary
The test suite runs a few hundred cases of the same mutator (tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

INSERTS = [b"(", b")", b"[", b"]", b"{", b"}", b"'", b'"', b"`", b"\x00", b"\xef\xbb\xbf", b"\r\n", b"${",
           b"# coding: base64\n", b"# coding: rot13\n", b"\\", b"\xff\xfe", b"\n    ", b"lambda: ", b"=> ", b"*/"]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits of ``data``."""
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        n = len(data)
        if n == 0:
            return rng.choice(INSERTS)
        i = rng.randrange(n)
        if op == 0:  # flip a byte
            data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
        elif op == 1:  # truncate
            data = data[:i]
        elif op in (2, 3):  # delete or duplicate a line
            lines = data.split(b"\n")
            k = rng.randrange(len(lines))
            if op == 2:
                del lines[k]
            else:
                lines.insert(k, lines[k])
            data = b"\n".join(lines)
        elif op == 4:  # insert a token
            data = data[:i] + rng.choice(INSERTS) + data[i:]
        elif op == 5:  # CRLF everywhere
            data = data.replace(b"\n", b"\r\n")
        else:  # a coding line or BOM at the top
            data = rng.choice([b"\xef\xbb\xbf", b"# -*- coding: latin-1 -*-\n", b"# coding: hex\n"]) + data
    return data


def fixture_sources() -> list[Path]:
    out = []
    for language in ("python", "typescript"):
        for path in sorted((ROOT / "fixtures" / language).rglob("*")):
            if path.suffix in (".py", ".ts", ".js", ".mjs", ".cjs") and path.is_file():
                out.append(path)
    return out


def findings_of(result, path: str) -> list[tuple]:
    return sorted((f.location.line, f.rule, f.entry, f.argument) for f in result.findings if f.location.path == path)


def run_case(rng: random.Random, sources: list[Path], witness: Path, expected: list[tuple]) -> str | None:
    """One mutant beside an untouched witness; a problem as text, or None."""
    from toolsink.config import Config
    from toolsink.scan import scan

    source = rng.choice(sources)
    mutant = mutate(source.read_bytes(), rng)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / ("mutant" + source.suffix)).write_bytes(mutant)
        (Path(tmp) / ("witness" + witness.suffix)).write_bytes(witness.read_bytes())
        try:
            result = scan([tmp], Config.default(), root=tmp).result
        except Exception as exc:  # the whole scan failed: the worst outcome
            return f"crash on a mutant of {source.name}: {type(exc).__name__}: {exc}"
        got = findings_of(result, "witness" + witness.suffix)
        if got != expected:
            return f"the witness lost findings beside a mutant of {source.name}"
        internal = [d for d in result.diagnostics if d.code == "internal-error"]
        if internal:
            return f"internal error on a mutant of {source.name}: {internal[0].message}"
    return None


def witness_expectation(witness: Path) -> list[tuple]:
    from toolsink.config import Config
    from toolsink.scan import scan

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / ("witness" + witness.suffix)).write_bytes(witness.read_bytes())
        return findings_of(scan([tmp], Config.default(), root=tmp).result, "witness" + witness.suffix)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hang-seconds", type=float, default=10.0, help="a case slower than this counts as a hang")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sources = fixture_sources()
    witness = ROOT / "fixtures" / "python" / "sdk_v1_shell.py"
    expected = witness_expectation(witness)
    problems: dict[str, int] = {}
    hangs = 0
    start = time.monotonic()
    for case in range(args.cases):
        t0 = time.monotonic()
        problem = run_case(rng, sources, witness, expected)
        if time.monotonic() - t0 > args.hang_seconds:
            hangs += 1
        if problem:
            problems[problem] = problems.get(problem, 0) + 1
        if (case + 1) % 500 == 0:
            print(f"{case + 1} cases, {sum(problems.values())} problems, {hangs} slow", file=sys.stderr)
    total = time.monotonic() - start
    print(f"cases {args.cases}  seed {args.seed}  problems {sum(problems.values())}  slow (> {args.hang_seconds:g} s) "
          f"{hangs}  time {total:.1f} s")
    for problem, count in sorted(problems.items(), key=lambda kv: -kv[1]):
        print(f"  {count:5d}  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
