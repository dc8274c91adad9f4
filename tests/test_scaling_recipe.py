"""The recipe of docs/scaling.md works as printed: its Python block (``scan_repo``, ``merge_json``,
``merge_sarif``) is taken from the page and run on two fixture projects; the merged SARIF log, one run per
repository, is valid SARIF 2.1.0, and the merged JSON keeps every repository's report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, ROOT

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _recipe() -> dict:
    page = (ROOT / "docs" / "scaling.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", page, re.DOTALL) if "def merge_sarif" in b]
    assert len(blocks) == 1, "docs/scaling.md has one block defining merge_sarif"
    namespace: dict = {}
    exec(compile(blocks[0], "docs/scaling.md", "exec"), namespace)
    return namespace


def test_merged_reports_of_two_repositories():
    recipe = _recipe()
    trees = {"fixtures/python": FIXTURES / "python", "fixtures/typescript": FIXTURES / "typescript"}
    scans = [recipe["scan_repo"](name, str(path)) for name, path in trees.items()]
    alone = {s["name"]: json.loads(s["json"]) for s in scans}
    assert all(report["findings"] for report in alone.values())

    merged = recipe["merge_json"](scans)
    assert merged["repositories"] == alone
    assert merged["findings"] == sum(len(r["findings"]) for r in alone.values())
    assert merged["registrations"] == sum(len(r["registrations"]) for r in alone.values())

    log = recipe["merge_sarif"](scans)
    jsonschema.validate(log, SCHEMA)
    assert [run["automationDetails"]["id"] for run in log["runs"]] == list(trees)
    for run, name in zip(log["runs"], trees):
        assert len(run["results"]) == len(alone[name]["findings"])
        assert run == json.loads(next(s["sarif"] for s in scans if s["name"] == name))["runs"][0]


def test_two_runs_of_one_category_are_refused():
    recipe = _recipe()
    scan = recipe["scan_repo"]("same", str(FIXTURES / "python" / "shellsrv"))
    with pytest.raises(ValueError, match="same category"):
        recipe["merge_sarif"]([scan, scan])
