"""Shared test helpers: the repository root and a cached scan of each fixture tree."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


@lru_cache(maxsize=None)
def scan_fixture_tree(language: str):
    from toolsink.config import Config
    from toolsink.scan import scan

    from toolsink.rules import load_rules

    tree = FIXTURES / language
    experimental = [r.id for r in load_rules().values() if r.experimental]  # fixtures check them too
    return scan([str(tree)], Config(extend_select=experimental), root=str(tree)).result


@pytest.fixture
def scan_source(tmp_path):
    """Scan a few files written to a temporary directory: ``scan_source({"server.py": "..."})``."""
    from toolsink.config import Config
    from toolsink.scan import scan

    def run(files: dict[str, str]):
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return scan([str(tmp_path)], Config.default(), root=str(tmp_path)).result

    return run


@pytest.fixture(autouse=True)
def _no_result_cache(monkeypatch, request, tmp_path_factory):
    """CLI tests never read or write a result cache (and never the user's key), except the cache tests."""
    monkeypatch.setenv("TOOLSINK_KEY_DIR", str(tmp_path_factory.mktemp("toolsink-key")))
    if "uses_cache" not in request.keywords:
        monkeypatch.setenv("TOOLSINK_NO_CACHE", "1")
