"""GitHub Actions workflow-command reporter: one escaped annotation line per finding and diagnostic."""

from __future__ import annotations

import os

from toolsink.findings import Finding, Location, TraceStep
from toolsink.ir import Diagnostic
from toolsink.report import FORMATS
from toolsink.report import github
from toolsink.result import ScanResult


def _finding(path: str = "server.py", line: int = 13, severity: str = "error", message: str | None = None,
             notes: tuple[str, ...] = ()) -> Finding:
    trace = (
        TraceStep("source", "argument `cmd` of tool run", Location(path, line - 3, 9, line - 3, 12)),
        TraceStep("step", "f-string builds `line`", Location("lib/util.py", 4, 5, 4, 30)),
        TraceStep("sink", "reaches subprocess.run", Location(path, line, 12, line, 40)),
    )
    return Finding(
        rule="MCP101", name="tool-argument-to-shell",
        message=message or "tool run passes argument `cmd` into shell command `subprocess.run`",
        severity=severity, location=Location(path, line, 12, line, 40), entry="tool run", argument="cmd",
        sink="subprocess.run", trace=trace, notes=notes,
    )


def test_one_line_per_finding_with_trace(tmp_path):
    out = github.render(ScanResult(root=str(tmp_path), findings=[_finding()]), {}, base=str(tmp_path))
    assert out == (
        "::error file=server.py,line=13,col=12,endLine=13,endColumn=40,title=MCP101 tool-argument-to-shell::"
        "tool run passes argument `cmd` into shell command `subprocess.run` (trace: argument `cmd` of tool run "
        "(line 10) -> f-string builds `line` (lib/util.py:4) -> reaches subprocess.run (line 13))\n"
    )


def test_levels_sorting_and_diagnostics(tmp_path):
    result = ScanResult(
        root=str(tmp_path),
        findings=[_finding("z.py", severity="note"), _finding("a.py", severity="warning"), _finding("m.py")],
        diagnostics=[Diagnostic("bad.py", "invalid syntax", "syntax-error", line=3, col=5, level="error"),
                     Diagnostic("gone.ts", "cannot resolve handler", "unresolved-registration")],
    )
    lines = github.render(result, {}, base=str(tmp_path)).splitlines()
    assert len(lines) == 5
    assert [line.split(" ", 1)[0] for line in lines] == ["::warning", "::error", "::notice", "::warning", "::warning"]
    assert [line.split("file=", 1)[1].split(",", 1)[0] for line in lines[:3]] == ["a.py", "m.py", "z.py"]
    assert lines[3] == "::warning file=bad.py,line=3,col=5,title=toolsink syntax-error::invalid syntax"
    assert lines[4] == "::warning file=gone.ts,title=toolsink unresolved-registration::cannot resolve handler"


def test_escaping_of_message_and_properties(tmp_path):
    finding = _finding(path="we:ird,dir/100% x.py", message="50% of\r\nlines: a,b",
                       notes=("Guard does not count: no separator",))
    line = github.render(ScanResult(root=str(tmp_path), findings=[finding]), {}, base=str(tmp_path))
    assert line.count("\n") == 1 and line.endswith("\n")
    head, _, data = line.rstrip("\n").partition("::")[2].partition("::")
    assert head.startswith("error file=we%3Aird%2Cdir/100%25 x.py,line=13,")
    assert data.startswith("50%25 of%0D%0Alines: a,b (trace: argument `cmd` of tool run (line 10)")
    assert data.endswith("reaches subprocess.run (line 13)) Guard does not count: no separator")


def test_escape_helpers():
    assert github.escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert github.escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"


def test_nothing_to_report_is_empty(tmp_path):
    assert github.render(ScanResult(root=str(tmp_path)), {}, base=str(tmp_path)) == ""


def test_paths_are_rebased_onto_the_workspace(tmp_path, monkeypatch):
    root = tmp_path / "services" / "mcp"
    result = ScanResult(root=str(root), findings=[_finding("src/app.py")])
    out = github.render(result, {}, base=str(tmp_path))
    assert out.startswith("::error file=services/mcp/src/app.py,line=13,")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "services"))
    assert FORMATS["github"](result, {}).startswith("::error file=mcp/src/app.py,line=13,")


def test_path_outside_base_is_left_as_given(tmp_path):
    root = tmp_path / "elsewhere"
    base = tmp_path / "workspace"
    assert github.annotation_path("src/app.py", str(root), str(base)) == "src/app.py"
    assert github.annotation_path(os.path.join(str(base), "x.py"), "", str(base)) == "x.py"
