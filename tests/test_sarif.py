"""SARIF reporter: schema validity, GitHub code scanning properties, fingerprints, limits."""

from __future__ import annotations

import json
import random
from pathlib import Path

import jsonschema
import pytest

from toolsink.findings import Finding, Location, TraceStep
from toolsink.ir import Diagnostic
from toolsink.report import FORMATS
from toolsink.report import sarif
from toolsink.result import ScanResult
from toolsink.rules import Rule, RuleDocs, load_rules

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    return jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def _rule(rule_id: str, cwe: tuple[int, ...], severity: str = "warning", score: float = 7.5) -> Rule:
    return Rule(
        id=rule_id, name=f"rule-{rule_id.lower()}", title=f"Title of {rule_id}", severity=severity,
        precision="medium", security_severity=score, cwe=cwe, languages=("python",),
        message="{entry} passes `{argument}` to `{sink}`",
        docs=RuleDocs(what=f"What {rule_id} finds.", why="Because.", example="bad()", use_instead="good()"),
    )


@pytest.fixture(scope="module")
def rules() -> dict[str, Rule]:
    """The real rule files plus two hand-made rules that sort after them (MCP9xx)."""
    out = dict(load_rules())
    out["MCP998"] = _rule("MCP998", (22,))
    out["MCP999"] = _rule("MCP999", (918,), severity="note", score=4.0)
    return out


def _loc(line: int, col: int, end_col: int, path: str = "server.py") -> Location:
    return Location(path, line, col, line, end_col)


def _finding(shift: int = 0, *, rule: str = "MCP101", sink: str = "subprocess.run", path: str = "server.py",
             severity: str = "error", steps: int = 1, notes: tuple[str, ...] = (),
             snippet: str = "subprocess.run(line, shell=True)") -> Finding:
    """A finding whose every line is moved down by ``shift`` (as if lines were inserted above)."""
    trace = [TraceStep("source", "argument `cmd` of tool run", _loc(10 + shift, 9, 12, path))]
    trace += [TraceStep("step", f"step {i}", _loc(11 + i + shift, 5, 20, path)) for i in range(steps)]
    sink_line = 12 + steps + shift
    trace.append(TraceStep("sink", f"reaches {sink}", _loc(sink_line, 12, 40, path)))
    return Finding(
        rule=rule, name="tool-argument-to-shell",
        message=f"tool run passes argument `cmd` into shell command `{sink}`",
        severity=severity, location=_loc(sink_line, 12, 40, path), entry="tool run", argument="cmd", sink=sink,
        trace=tuple(trace), notes=notes, snippet=snippet,
    )


def _sarif(validator, result: ScanResult, rules: dict[str, Rule], **options) -> dict:
    text = sarif.render(result, rules, **options)
    doc = json.loads(text)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    assert text.endswith("\n") and text.startswith('{\n  "$schema": ')
    return doc


def _run(doc: dict) -> dict:
    assert len(doc["runs"]) == 1
    return doc["runs"][0]


def _notes(run: dict) -> list[dict]:
    return run["invocations"][0].get("toolExecutionNotifications", [])


# --------------------------------------------------------------------------- document and rules


def test_zero_findings_is_valid_and_declares_every_rule(validator, rules, tmp_path):
    doc = _sarif(validator, ScanResult(root=str(tmp_path)), rules)
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    run = _run(doc)
    assert run["results"] == []  # present and empty: analysed, nothing found
    driver = run["tool"]["driver"]
    assert driver["name"] == "toolsink"
    assert driver["informationUri"] == "https://github.com/toolsink/toolsink"
    assert [r["id"] for r in driver["rules"]] == sorted(rules)
    assert "MCP101" in [r["id"] for r in driver["rules"]]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"][0]["executionSuccessful"] is True
    assert "automationDetails" not in run
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}


def test_rule_descriptor_has_github_properties(validator, rules, tmp_path):
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path)), rules))
    by_id = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    mcp101, real = by_id["MCP101"], rules["MCP101"]
    assert mcp101["name"] == "tool-argument-to-shell"
    assert mcp101["shortDescription"]["text"] == real.title == "Command injection"
    assert mcp101["fullDescription"]["text"] == " ".join(real.docs.what.split())
    assert mcp101["help"]["markdown"] == real.markdown()
    assert mcp101["help"]["text"].startswith(real.docs.what.strip())
    assert "Use instead:" in mcp101["help"]["text"]
    assert mcp101["defaultConfiguration"] == {"level": "error"}
    props = mcp101["properties"]
    assert props["tags"][0] == "security"
    assert "external/cwe/cwe-78" in props["tags"]
    assert props["security-severity"] == "9.8"
    assert props["precision"] == "high"
    assert "helpUri" not in mcp101
    for rule in run["tool"]["driver"]["rules"]:
        severity = rule["properties"]["security-severity"]
        assert isinstance(severity, str) and 0.0 <= float(severity) <= 10.0
        assert "security" in rule["properties"]["tags"]
    assert by_id["MCP999"]["defaultConfiguration"] == {"level": "note"}
    assert by_id["MCP999"]["properties"]["tags"] == ["security", "external/cwe/cwe-918"]
    assert by_id["MCP999"]["properties"]["security-severity"] == "4.0"


def test_help_uri_template_and_version(validator, rules, tmp_path):
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path)), rules,
                      help_uri="https://docs.example.org/rules/{id}.html", version="9.9.9"))
    by_id = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert by_id["MCP101"]["helpUri"] == "https://docs.example.org/rules/MCP101.html"
    assert run["tool"]["driver"]["version"] == "9.9.9"


def test_security_severity_is_clamped_and_formatted():
    assert sarif.security_severity(9.8) == "9.8"
    assert sarif.security_severity(7) == "7.0"
    assert sarif.security_severity(12.0) == "10.0"
    assert sarif.security_severity(-1.0) == "0.0"


# --------------------------------------------------------------------------- results


def test_result_fields(validator, rules, tmp_path):
    doc = _sarif(validator, ScanResult(root=str(tmp_path), findings=[
        _finding(rule="MCP999", severity="warning", sink="requests.get", path="b.py"),
        _finding(),
    ]), rules)
    run = _run(doc)
    driver_rules = run["tool"]["driver"]["rules"]
    first, second = run["results"]
    # results are sorted by path: "b.py" < "server.py"
    assert first["ruleId"] == "MCP999" and second["ruleId"] == "MCP101"
    for res in run["results"]:
        assert driver_rules[res["ruleIndex"]]["id"] == res["ruleId"]
    assert second["ruleIndex"] == sorted(rules).index("MCP101")
    assert first["ruleIndex"] == len(rules) - 1
    assert first["level"] == "warning"  # written out even though it is sarif-om's default
    assert second["level"] == "error"
    assert second["message"]["text"] == "tool run passes argument `cmd` into shell command `subprocess.run`"
    physical = second["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "server.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 13, "startColumn": 12, "endLine": 13, "endColumn": 40}
    assert second["properties"] == {"entry": "tool run", "argument": "cmd", "sink": "subprocess.run"}
    # sarif-om sentinel defaults never leak into the output
    assert "rank" not in second and "kind" not in second
    assert "newlineSequences" not in run and "language" not in run


def test_related_location_is_the_source(validator, rules, tmp_path):
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path), findings=[_finding()]), rules))
    related = run["results"][0]["relatedLocations"]
    assert len(related) == 1
    assert related[0]["id"] == 1
    assert related[0]["message"]["text"] == "argument `cmd` of tool run"
    assert related[0]["physicalLocation"]["region"] == {"startLine": 10, "startColumn": 9, "endLine": 10,
                                                        "endColumn": 12}
    assert related[0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"


def test_code_flow_reproduces_trace_in_order(validator, rules, tmp_path):
    finding = _finding(steps=2, notes=("Guard does not count: startswith(root) has no separator",))
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path), findings=[finding]), rules))
    flows = run["results"][0]["codeFlows"]
    assert len(flows) == 1 and len(flows[0]["threadFlows"]) == 1
    locations = [tfl["location"] for tfl in flows[0]["threadFlows"][0]["locations"]]
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in locations] == [10, 11, 12, 14]
    assert [loc["message"]["text"] for loc in locations] == [
        "argument `cmd` of tool run", "step 0", "step 1",
        "reaches subprocess.run (Guard does not count: startswith(root) has no separator)",
    ]
    assert flows[0]["message"]["text"].endswith("(Guard does not count: startswith(root) has no separator)")
    assert run["results"][0]["properties"]["notes"] == ["Guard does not count: startswith(root) has no separator"]


def test_long_trace_is_kept_whole_and_valid(validator, rules, tmp_path):
    finding = _finding(steps=300)
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path), findings=[finding]), rules))
    locations = run["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(locations) == 302
    assert locations[-1]["location"]["physicalLocation"]["region"]["startLine"] == 312
    assert _notes(run) == []


def test_finding_without_trace_has_no_code_flow(validator, rules, tmp_path):
    bare = Finding(rule="MCP101", name="tool-argument-to-shell", message="m", severity="error",
                   location=Location("a.py", 1, 1, 1, 2))
    res = _run(_sarif(validator, ScanResult(root=str(tmp_path), findings=[bare]), rules))["results"][0]
    assert "codeFlows" not in res and "relatedLocations" not in res and "properties" not in res


def test_uris_are_percent_encoded_and_relative(validator, rules, tmp_path):
    finding = _finding(path="src/my server/ü#1 50%.py")
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path), findings=[finding]), rules))
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "src/my%20server/%C3%BC%231%2050%25.py", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact("./pkg\\mod.py").uri == "pkg/mod.py"


def test_absolute_paths_become_file_uris_without_base():
    loc = sarif.artifact("/opt/other project/x.py")
    assert loc.uri == "file:///opt/other%20project/x.py"
    assert loc.uri_base_id is None
    assert sarif.artifact("C:\\work\\x.py").uri == "file:///C:/work/x.py"


def test_root_uri_has_trailing_slash(tmp_path):
    assert sarif.root_uri(str(tmp_path)) == tmp_path.resolve().as_uri() + "/"
    assert sarif.root_uri(str(tmp_path) + "/").endswith("/") and not sarif.root_uri(str(tmp_path)).endswith("//")


# --------------------------------------------------------------------------- fingerprints


def _fingerprints(validator, rules, root, findings) -> list[str]:
    run = _run(_sarif(validator, ScanResult(root=str(root), findings=findings), rules))
    return [r["partialFingerprints"]["toolsink/v1"] for r in run["results"]]


def test_fingerprint_survives_inserted_lines(validator, rules, tmp_path):
    before, after = _finding(), _finding(shift=7)
    assert before.location.line != after.location.line
    fp_before = _fingerprints(validator, rules, tmp_path, [before])
    fp_after = _fingerprints(validator, rules, tmp_path, [after])
    assert fp_before == fp_after == [before.fingerprint]
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path), findings=[after]), rules))
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 20
    assert "primaryLocationLineHash" not in run["results"][0]["partialFingerprints"]


def test_different_sinks_give_different_fingerprints(validator, rules, tmp_path):
    a = _finding(sink="subprocess.run")
    b = _finding(sink="os.system", snippet="os.system(line)")
    fps = _fingerprints(validator, rules, tmp_path, [a, b])
    assert len(set(fps)) == 2
    # even with the same sink line text, the callee alone tells them apart
    c = _finding(sink="os.popen")
    assert len(set(_fingerprints(validator, rules, tmp_path, [a, c]))) == 2


def test_repeated_fingerprints_are_disambiguated_in_sort_order(validator, rules, tmp_path):
    early, late = _finding(), _finding(shift=30)
    assert early.fingerprint == late.fingerprint
    expected = [early.fingerprint, early.fingerprint + ":2"]
    assert _fingerprints(validator, rules, tmp_path, [late, early]) == expected
    assert _fingerprints(validator, rules, tmp_path, [early, late]) == expected
    third = _finding(shift=60)
    assert _fingerprints(validator, rules, tmp_path, [third, late, early])[2] == early.fingerprint + ":3"


def test_output_is_deterministic(validator, rules, tmp_path):
    findings = [_finding(shift=s, path=p) for s in (0, 5, 40) for p in ("a.py", "z/b.py", "server.py")]
    diagnostics = [Diagnostic("x.py", "cannot parse", "syntax-error", 2, 1), Diagnostic("a.py", "?", "decode-error")]
    expected = sarif.render(ScanResult(root=str(tmp_path), findings=findings, diagnostics=diagnostics), rules)
    shuffled = findings[:]
    random.Random(7).shuffle(shuffled)
    again = sarif.render(ScanResult(root=str(tmp_path), findings=shuffled, diagnostics=diagnostics[::-1]), rules)
    assert again == expected
    run = _run(json.loads(expected))
    keys = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]]
    assert keys == sorted(keys)
    assert keys[0] == ("a.py", 13)


# --------------------------------------------------------------------------- invocation, category


def test_diagnostics_become_notifications(validator, rules, tmp_path):
    diagnostics = [
        Diagnostic("pkg/broken file.py", "invalid syntax", "syntax-error", line=4, col=7, level="error"),
        Diagnostic("pkg/a.ts", "cannot resolve handler `h`", "unresolved-registration", line=0, level="note"),
        Diagnostic("", "rule directory missing", "config", level="warning"),
    ]
    result = ScanResult(root=str(tmp_path), diagnostics=diagnostics, files_scanned=3, lines_scanned=120,
                        suppressed=2)
    run = _run(_sarif(validator, result, rules))
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert invocation["properties"]["filesScanned"] == 3
    assert invocation["properties"]["suppressedResults"] == 2
    codes = [d["id"] for d in run["tool"]["driver"]["notifications"]]
    assert codes == ["config", "syntax-error", "unresolved-registration"]
    notes = invocation["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == ["rule directory missing", "cannot resolve handler `h`",
                                                     "invalid syntax"]
    assert [n["level"] for n in notes] == ["warning", "note", "error"]
    for note in notes:
        assert codes[note["descriptor"]["index"]] == note["descriptor"]["id"]
    assert "locations" not in notes[0]
    assert notes[1]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "pkg/a.ts", "uriBaseId": "%SRCROOT%"}}
    assert notes[2]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "pkg/broken%20file.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 4, "startColumn": 7}}


def test_failed_execution_is_reported(validator, rules, tmp_path):
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path)), rules, execution_successful=False))
    assert run["invocations"][0]["executionSuccessful"] is False


def test_category_sets_automation_details(validator, rules, tmp_path):
    result = ScanResult(root=str(tmp_path), findings=[_finding(steps=40)],
                        diagnostics=[Diagnostic("a.py", "x", "syntax-error", 1, 1)])
    run = _run(_sarif(validator, result, rules, category="toolsink/backend/"))
    assert run["automationDetails"] == {"id": "toolsink/backend/"}
    assert "automationDetails" not in _run(_sarif(validator, result, rules, category=""))


def test_formats_table_dispatches_to_sarif(rules, tmp_path):
    result = ScanResult(root=str(tmp_path), findings=[_finding()])
    assert FORMATS["sarif"](result, rules, category="c/", colour=True) == sarif.render(result, rules, category="c/")


def test_finding_for_unloaded_rule_is_still_declared(validator, rules, tmp_path):
    stray = _finding(rule="MCP777")
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path), findings=[stray]), rules))
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "MCP777" in ids
    assert ids[run["results"][0]["ruleIndex"]] == "MCP777"


# --------------------------------------------------------------------------- GitHub limits


def test_results_over_limit_keep_most_severe(validator, rules, tmp_path, monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    findings = [_finding(path="a.py", rule="MCP999", severity="note"), _finding(path="b.py"),
                _finding(path="c.py")]
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path), findings=findings), rules))
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]] == [
        "b.py", "c.py"]
    notes = _notes(run)
    assert len(notes) == 1
    assert notes[0]["level"] == "warning"
    assert notes[0]["descriptor"]["id"] == "sarif-truncated"
    assert "3 results exceed the limit of 2 per run" in notes[0]["message"]["text"]


def test_trace_over_limit_keeps_source_and_sink(validator, rules, tmp_path, monkeypatch):
    monkeypatch.setattr(sarif, "MAX_THREAD_FLOW_LOCATIONS", 4)
    findings = [_finding(steps=8), _finding(steps=8, path="other.py"), _finding(steps=1, path="short.py")]
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path), findings=findings), rules))
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run["results"]}
    messages = [tfl["location"]["message"]["text"]
                for tfl in by_uri["server.py"]["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert messages == ["argument `cmd` of tool run", "step 0", "step 1", "reaches subprocess.run"]
    assert len(by_uri["short.py"]["codeFlows"][0]["threadFlows"][0]["locations"]) == 3
    notes = _notes(run)
    assert len(notes) == 1  # two shortened traces, one notification
    assert "2 traces shortened to the limit of 4 thread flow locations" in notes[0]["message"]["text"]


def test_tags_over_limit_are_cut(validator, tmp_path, monkeypatch):
    monkeypatch.setattr(sarif, "MAX_TAGS", 2)
    many = {"MCP998": _rule("MCP998", (22, 23, 59))}
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path)), many))
    assert run["tool"]["driver"]["rules"][0]["properties"]["tags"] == ["security", "external/cwe/cwe-22"]
    assert "rule MCP998 has 4 tags; kept the first 2" in _notes(run)[0]["message"]["text"]


def test_rules_over_limit_keep_those_with_results(validator, rules, tmp_path, monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RULES", 1)
    run = _run(_sarif(validator, ScanResult(root=str(tmp_path), findings=[_finding(rule="MCP998")]), rules))
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["MCP998"]
    assert run["results"][0]["ruleIndex"] == 0
    assert f"{len(rules)} rules exceed the limit of 1 per run" in _notes(run)[0]["message"]["text"]


def test_every_notification_descriptor_has_a_description(validator, rules, tmp_path):
    result = ScanResult(root=str(tmp_path))
    result.diagnostics = [Diagnostic("a.py", "syntax error at line 1", "syntax-error", 1, 1),
                          Diagnostic(".gitignore", "pattern `[z-a]` is invalid", "bad-ignore-file", 1, 1),
                          Diagnostic("b.py", "something new", "a-code-nobody-listed", 1, 1)]
    doc = _sarif(validator, result, rules)
    descriptors = _run(doc)["tool"]["driver"]["notifications"]
    assert {d["id"] for d in descriptors} == {"syntax-error", "bad-ignore-file", "a-code-nobody-listed"}
    assert all(d["shortDescription"]["text"].strip() for d in descriptors)
