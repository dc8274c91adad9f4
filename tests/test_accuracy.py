"""The accuracy benchmark (benchmarks/accuracy/): its manifest, its scoring and the page it writes.

The real trees are not scanned here (they live outside the checkout and take minutes); these tests keep
the manifest well-formed and large enough, pin the scoring rules on a small made-up manifest with SARIF
logs written by hand, and keep `docs/accuracy.md` exactly what the script renders from `results.json`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "accuracy"
DATA = Path(__file__).resolve().parent / "data" / "accuracy"
sys.path.insert(0, str(BENCH))

import evaluate  # noqa: E402
import report  # noqa: E402
import scoring  # noqa: E402


@pytest.fixture(scope="module")
def manifest():
    return evaluate.load_manifest()


def test_manifest_is_large_enough_and_every_entry_has_its_reason(manifest):
    stats = evaluate.manifest_stats(manifest)
    assert stats["servers"] >= 25
    assert stats["flows"] >= 100
    assert stats["guarded"] >= 40
    assert stats["python"] and stats["typescript"]
    assert stats["safe"] >= 3
    for server in manifest:
        assert len(server["reason"]) > 20, server["id"]
        if server["safe"]:
            assert not server.get("flows"), f"{server['id']} is judged safe but lists flows"
        places = Counter((e["file"], e["line"], scoring.family(e["class"]), e["tool"])
                         for e in server.get("flows", []) + server.get("guarded", []))
        assert [p for p, n in places.items() if n > 1] == [], server["id"]


def test_manifest_holds_places_not_code(manifest):
    for server in manifest:
        assert len(server["reason"]) < 600, server["id"]
        for entry in server.get("flows", []) + server.get("guarded", []):
            assert len(entry["reason"]) < 400, (server["id"], entry["line"])
            assert not Path(entry["file"]).is_absolute()
            assert ".." not in Path(entry["file"]).parts


def test_a_duplicate_server_id_is_refused(tmp_path):
    one = (DATA / "manifest.yml").read_text(encoding="utf-8")
    first = one.split("- id: example/clock-server")[0]
    (tmp_path / "m.yml").write_text(first + first.split("\n", 1)[1], encoding="utf-8")
    with pytest.raises(SystemExit, match="duplicate server ids"):
        evaluate.load_manifest(tmp_path / "m.yml")


def _scores():
    servers = evaluate.load_manifest(DATA / "manifest.yml")
    return {s["id"]: scoring.score_server(s, scoring.load_sarif(DATA / "runs" / "demo" / f"{evaluate.slug(s['id'])}.sarif"))
            for s in servers}


def test_scoring_rules_on_hand_written_logs():
    scores = _scores()
    notes = scores["example/notes-server"]
    assert [e["line"] for e in notes.found] == [10, 20, 40]
    assert [(e["line"], e["class"]) for e in notes.missed] == [(30, "ssrf")]
    assert [(e["line"], e["rules"]) for e in notes.guarded_flagged] == [(50, ["files"])]
    assert [e["line"] for e in notes.guarded_quiet] == [60]
    assert notes.unscored == 2
    clock = scores["example/clock-server"]
    assert clock.safe_results == [{"file": "src/clock.ts", "line": 7, "rule": "style-thing"}]


def test_summary_counts_per_class_and_language():
    summary = scoring.summarise("demo", list(_scores().values()))
    assert (summary["found"], summary["flows"]) == (3, 4)
    assert summary["per_class"] == {"command": [1, 1], "argument": [1, 1], "sql": [1, 1], "ssrf": [0, 1]}
    assert summary["per_language"] == {"python": [3, 4]}
    assert (summary["guarded_flagged"], summary["guarded"]) == (1, 2)
    assert (summary["safe_results"], summary["safe_servers_flagged"], summary["safe_servers"]) == (1, 1, 1)
    assert summary["misses"] == ["example/notes-server src/notes/tools.py:30 fetch(url) ssrf"]
    assert summary["false_alarms"][0] == "example/notes-server src/notes/tools.py:50 read path guarded (files)"
    assert summary["false_alarms"][1] == "example/clock-server src/clock.ts:7 style-thing on a safe server"


@pytest.mark.parametrize("rule_id, texts, expected", [
    ("MCP101", [], {"command"}),
    ("MCP108", [], set(scoring.CLASSES)),
    ("python.lang.security.audit.formatted-sql-query", ["CWE-89: SQL Injection"], {"sql"}),
    ("B602", [], {"command"}),
    ("javascript.express.security.express-ssrf", [], {"ssrf"}),
    ("some.style.rule", ["maintainability"], set()),
])
def test_rule_classes(rule_id, texts, expected):
    assert scoring.classes_of(rule_id, texts) == frozenset(expected)


def test_one_batched_log_is_split_by_server_folder(tmp_path):
    data = {"runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"ruleId": "a", "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"file://{tmp_path}/r/c/src/x.py"}}}]},
        {"ruleId": "b", "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"{tmp_path}/r/c/sub/y.py"}}}]},
    ]}]}
    parts = evaluate.split_sarif(data, {"whole": tmp_path / "r" / "c", "sub": tmp_path / "r" / "c" / "sub"})
    assert [r["ruleId"] for r in parts["whole"]["runs"][0]["results"]] == ["a"]
    assert [r["ruleId"] for r in parts["sub"]["runs"][0]["results"]] == ["b"]


def test_score_command_prints_each_tool(tmp_path):
    proc = subprocess.run([sys.executable, str(BENCH / "evaluate.py"), "score", "--manifest", str(DATA / "manifest.yml"),
                           "--out", str(DATA / "runs"), "--tool", "demo,absent"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["demo", "recall", "3/4", "guarded", "flagged", "1/2", "safe-server", "results", "1",
                                "unscored", "2"]
    assert lines[1].split()[:3] == ["absent", "recall", "0/4"]


def test_page_is_what_the_script_renders():
    results = json.loads((BENCH / "results.json").read_text(encoding="utf-8"))
    page = (ROOT / "docs" / "accuracy.md").read_text(encoding="utf-8")
    assert page == report.render(results, evaluate.load_explanations()), (
        "docs/accuracy.md is out of step: run `python benchmarks/accuracy/evaluate.py score --out RUNS --write`")


def test_results_cover_the_manifest(manifest):
    results = json.loads((BENCH / "results.json").read_text(encoding="utf-8"))
    assert results["manifest"] == evaluate.manifest_stats(manifest)
    tools = [t["tool"] for t in results["tools"]]
    assert tools[0] == "toolsink" and len(tools) >= 3
