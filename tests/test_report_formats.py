"""Every output format on a real scan of the fixtures: SARIF against the official schema, JSON, text."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from conftest import scan_fixture_tree
from toolsink.report import FORMATS
from toolsink.rules import load_rules

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_of_fixture_scans_is_valid_and_complete():
    rules = load_rules()
    for language in ("python", "typescript"):
        result = scan_fixture_tree(language)
        sarif = json.loads(FORMATS["sarif"](result, rules, category=f"toolsink/{language}"))
        jsonschema.Draft7Validator(SCHEMA).validate(sarif)
        (run,) = sarif["runs"]
        assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted(rules)
        assert len(run["results"]) == len(result.findings) > 20
        flows = [r for r in run["results"] if r["ruleId"] == "MCP101"]
        locations = flows[0]["codeFlows"][0]["threadFlows"][0]["locations"]
        assert len(locations) >= 2 and locations[-1]["location"]["message"]["text"].startswith("`")
        assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
                   for r in run["results"])


def test_json_of_fixture_scan_names_tool_argument_sink_and_trace():
    result = scan_fixture_tree("python")
    data = json.loads(FORMATS["json"](result, load_rules(), version="test"))
    grep = [f for f in data["findings"] if f["entry"] == "tool grep" and f["rule"] == "MCP101"]
    assert grep and grep[0]["argument"] == "pattern" and grep[0]["sink"] == "subprocess.run"
    assert [s["kind"] for s in grep[0]["trace"]] == ["source", "step", "sink"]
    assert grep[0]["location"] == {"path": "sdk_v1_shell.py", "line": 23, "column": 11, "end_line": 23,
                                   "end_column": 74}
    assert data["summary"]["tools"] >= 30 and data["summary"]["findings"] == len(data["findings"])


def test_text_output_has_code_frame_trace_and_summary():
    result = scan_fixture_tree("python")
    text = FORMATS["text"](result, load_rules())
    assert "sdk_v1_shell.py:23:11: MCP101 Tool `grep` passes argument `pattern`" in text
    assert "= trace: Tool `grep`, argument `pattern` (line 21) -> f-string (line 22)" in text
    assert "^^^^ MCP101" in text.replace("^^^^^", "^^^^")
    assert text.rstrip().splitlines()[-1].startswith("Scanned ")
