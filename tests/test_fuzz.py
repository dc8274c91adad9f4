"""A few hundred mutated fixtures per run (the mutator of benchmarks/fuzz.py, seeded): the scan never
fails, never reports an internal error, and an untouched fixture beside each mutant keeps its findings."""

from __future__ import annotations

import importlib.util
import random

from conftest import FIXTURES, ROOT

_spec = importlib.util.spec_from_file_location("toolsink_fuzz", ROOT / "benchmarks" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)

CASES = 400


def test_mutants_never_cost_the_scan_or_the_file_beside_them():
    rng = random.Random(20261203)
    sources = fuzz.fixture_sources()
    witness = FIXTURES / "python" / "sdk_v1_shell.py"
    expected = fuzz.witness_expectation(witness)
    assert len(expected) >= 5
    problems = [p for p in (fuzz.run_case(rng, sources, witness, expected) for _ in range(CASES)) if p]
    assert problems == []


def test_the_mutator_changes_its_input():
    rng = random.Random(7)
    data = (FIXTURES / "python" / "sdk_v1_shell.py").read_bytes()
    assert sum(fuzz.mutate(data, rng) != data for _ in range(50)) >= 45
