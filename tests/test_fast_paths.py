"""The fast paths of the metadata checks give exactly what the general paths give: the ASCII folding
against the per-character folding, and the phrase screen (one alternation) against a search per pattern."""

from __future__ import annotations

import random

from toolsink.metadata import phrases as P
from toolsink.metadata import text as T


def _texts(seed: int, n: int, alphabet: list[str]) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(n)]


def test_ascii_fold_equals_the_general_fold():
    confusables = P.load_phrases().confusables
    alphabet = [chr(i) for i in range(128)] + list("    \n\n\t\r**__--..")
    for text in _texts(13, 4000, alphabet) + ["  Do **not** tell\tthe\r\nuser  ", "read_file", "", " \x01 "]:
        for table in ({}, confusables):
            for drop in (False, True):
                assert T.fold(text, table, drop_separators=drop) == T._fold_any(text, table, drop), text


def test_fold_with_a_table_mapping_ascii_uses_the_general_path():
    assert T.fold("Hello", {"l": "1"}).text == "he11o"


def test_the_phrase_screen_loses_no_match():
    phrases = P.load_phrases()
    screen, outside = P._screen(phrases)
    assert screen is not None and len(outside) < len(phrases.patterns)
    samples = [s for p in phrases.patterns for s in (*p.examples, *p.counterexamples)]
    words = sorted({w for s in samples for w in s.split()})
    rng = random.Random(7)
    samples += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(1500)]
    hits = 0
    for text in samples:
        folded = T.fold(text, phrases.confusables)
        general = {(p.id, m.start(), m.end()) for p in phrases.patterns for m in p.regex.finditer(folded.text)
                   if m.end() > m.start()}
        found = {(m.pattern.id, m.start, m.end) for m in P.find_matches(folded, phrases) if not m.pattern.near}
        assert found == {r for r in general if not _pattern(phrases, r[0]).near}, text
        hits += bool(general)
    assert hits > 100  # the samples exercise the screen both ways


def _pattern(phrases, pattern_id):
    return next(p for p in phrases.patterns if p.id == pattern_id)


def test_back_references_stay_outside_the_screen():
    assert P._refers_back(r"(a)\1") and P._refers_back(r"(?P<x>a)(?P=x)") and P._refers_back(r"(a)?(?(1)b|c)")
    assert not P._refers_back(r"\b(ignore|disregard)\s+previous\b")


def test_no_code_assigns_to_an_ir_node_after_construction(monkeypatch):
    """IR nodes are not ``frozen`` (for speed, see ir.py); a scan of both fixture trees with every node
    class trapped records any assignment made outside the node's own ``__init__``."""
    import dataclasses

    from toolsink import ir
    from toolsink.config import Config
    from toolsink.scan import scan

    from conftest import FIXTURES

    building = [0]
    violations: list[str] = []
    classes = [c for c in vars(ir).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
               and c.__module__ == ir.__name__ and c.__dataclass_params__.unsafe_hash]  # not Module & co.
    assert len(classes) > 30

    def trap(cls):
        original = cls.__init__

        def __init__(self, *args, **kwargs):
            building[0] += 1
            try:
                original(self, *args, **kwargs)
            finally:
                building[0] -= 1

        def __setattr__(self, name, value):
            if not building[0]:
                violations.append(f"{type(self).__name__}.{name}")
            object.__setattr__(self, name, value)

        monkeypatch.setattr(cls, "__init__", __init__)
        monkeypatch.setattr(cls, "__setattr__", __setattr__)

    for cls in classes:
        trap(cls)
    span = ir.Span(1, 1, 1, 2)
    span.line = 3  # the trap itself works
    assert violations == ["Span.line"]
    violations.clear()
    findings = 0
    for language in ("python", "typescript"):
        tree = FIXTURES / language
        findings += len(scan([str(tree)], Config.default(), root=str(tree)).result.findings)
    assert findings > 50
    assert violations == []
