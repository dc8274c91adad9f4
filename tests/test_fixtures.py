"""Every annotation in ``fixtures/`` is checked: the ground truth of toolsink's precision and recall.

On a line of a fixture:
- ``# error: MCP101`` (``// error: MCP101``): a finding of that rule must be reported on this line;
- ``# ok: MCP101``: a guarded look-alike, no finding of that rule may be reported here;
- ``# todo-error: MCP101``: a known miss; if it starts being found the test fails so it is promoted;
- ``# todo-ok: MCP101``: a known false positive; if it stops being reported the test fails likewise.
Any finding on a line without an annotation for its rule fails the test too. Each fixture tree
(``fixtures/python``, ``fixtures/typescript``) is scanned as one project, so cross-module flows count.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from conftest import FIXTURES, scan_fixture_tree

ANNOTATION = re.compile(r"(?:#|//)\s*(todo-error|todo-ok|error|ok):\s*(MCP\d{3}(?:\s*,\s*MCP\d{3})*)")
EXTENSIONS = {".py", ".ts", ".tsx", ".js", ".mjs", ".cjs", ".mts", ".cts", ".jsx"}


def annotations(path) -> dict[int, dict[str, set[str]]]:
    out: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for lineno, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        for kind, codes in ANNOTATION.findall(line):
            for code in re.split(r"\s*,\s*", codes):
                out[lineno][kind].add(code)
    return out


def fixture_files():
    for language in ("python", "typescript"):
        base = FIXTURES / language
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix in EXTENSIONS and path.is_file():
                yield pytest.param(language, path, id=f"{language}/{path.relative_to(base).as_posix()}")


@pytest.mark.parametrize("language,path", list(fixture_files()))
def test_fixture_annotations(language, path):
    result = scan_fixture_tree(language)
    rel = path.relative_to(FIXTURES / language).as_posix()
    found: dict[int, set[str]] = defaultdict(set)
    for f in result.findings:
        if f.location.path == rel:
            found[f.location.line].add(f.rule)
    expected = annotations(path)
    problems = []
    for line, kinds in sorted(expected.items()):
        for code in sorted(kinds.get("error", ())):
            if code not in found.get(line, ()):
                problems.append(f"{rel}:{line}: expected {code}, not reported")
        for code in sorted(kinds.get("ok", ())):
            if code in found.get(line, ()):
                problems.append(f"{rel}:{line}: {code} reported on a line marked ok")
        for code in sorted(kinds.get("todo-error", ())):
            if code in found.get(line, ()):
                problems.append(f"{rel}:{line}: todo-error {code} is now reported: promote it to `error`")
        for code in sorted(kinds.get("todo-ok", ())):
            if code not in found.get(line, ()):
                problems.append(f"{rel}:{line}: todo-ok {code} is no longer reported: promote it to `ok`")
    for line, codes in sorted(found.items()):
        allowed = expected.get(line, {})
        for code in sorted(codes):
            if code not in allowed.get("error", ()) and code not in allowed.get("todo-ok", ()):
                problems.append(f"{rel}:{line}: unexpected {code} (not annotated)")
    assert not problems, "\n".join(problems)


def test_fixture_trees_have_annotations():
    """The parametrised test above must not pass vacuously."""
    files = list(fixture_files())
    assert len(files) >= 10
    errors = sum(len(k.get("error", ())) for _, p in (f.values for f in files) for k in annotations(p).values())
    oks = sum(len(k.get("ok", ())) for _, p in (f.values for f in files) for k in annotations(p).values())
    assert errors >= 40 and oks >= 20, (errors, oks)
