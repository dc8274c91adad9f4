"""Developer-loop behaviours of the real command's output: every format reports what decides the exit
code (``--require-reason``), and ``--stdin-filename`` for a new file reports that file only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SERVER = '''\
import subprocess

from mcp.server.fastmcp import FastMCP

app = FastMCP("loop")


@app.tool()
def lookup(host: str) -> str:
    return subprocess.run(f"nslookup {host}", shell=True, capture_output=True, text=True).stdout
'''
SINK_LINE = 10


def toolsink(cwd: Path, *args: str, stdin: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolsink", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=120, env=env)


def _reasonless(tmp_path: Path) -> Path:
    text = SERVER.replace(".stdout\n", ".stdout  # noqa: MCP101\n")
    (tmp_path / "quiet.py").write_text(text, encoding="utf-8")
    return tmp_path


def _mentions_reason(fmt: str, out: str) -> bool:
    """Whether the report in ``fmt`` carries the reason-less suppression of quiet.py, line 10."""
    if fmt == "json":
        diags = json.loads(out)["diagnostics"]
        return any(d["code"] == "suppression-without-reason" and d["path"] == "quiet.py" and d["line"] == SINK_LINE
                   for d in diags)
    if fmt == "sarif":
        run = json.loads(out)["runs"][0]
        notes = run["invocations"][0].get("toolExecutionNotifications", [])
        return any(n["descriptor"]["id"] == "suppression-without-reason"
                   and n["locations"][0]["physicalLocation"]["region"]["startLine"] == SINK_LINE for n in notes)
    if fmt == "github":
        return any(line.startswith("::") and "file=quiet.py" in line and f"line={SINK_LINE}" in line
                   and "no reason" in line for line in out.splitlines())
    return any(line.startswith(f"quiet.py:{SINK_LINE}:") and "no reason" in line and "error" in line
               for line in out.splitlines())


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github"])
def test_require_reason_is_reported_in_every_format(tmp_path, fmt):
    done = toolsink(_reasonless(tmp_path), "scan", ".", "--require-reason", "--format", fmt)
    assert done.returncode == 1, done.stderr
    assert _mentions_reason(fmt, done.stdout.decode()), done.stdout.decode()


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github"])
def test_without_require_reason_the_suppression_passes(tmp_path, fmt):
    done = toolsink(_reasonless(tmp_path), "scan", ".", "--format", fmt)
    assert done.returncode == 0, done.stdout
    assert not _mentions_reason(fmt, done.stdout.decode())


def test_stdin_filename_not_on_disk_reports_only_that_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "old.py").write_text(SERVER, encoding="utf-8")
    done = toolsink(tmp_path, "scan", "-", "--stdin-filename", "pkg/new.py", "--format", "concise",
                    stdin=SERVER.encode())
    assert done.returncode == 1, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines == [f"pkg/new.py:{SINK_LINE}:12: MCP101 Tool `lookup` passes argument `host` into shell command "
                     "`subprocess.run`"]
    clean = toolsink(tmp_path, "scan", "--stdin-filename", "fresh.py", "--format", "concise", stdin=b"x = 1\n")
    assert clean.returncode == 0 and clean.stdout == b"", clean.stdout


def test_stdin_filename_new_file_still_sees_project_modules(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "helpers.py").write_text("import os\n\n\ndef run(cmd):\n    return os.system('ls ' + cmd)\n")
    buffer = ('from mcp.server.fastmcp import FastMCP\n\nfrom helpers import run\n\napp = FastMCP("x")\n\n\n'
              '@app.tool()\ndef listing(where: str) -> int:\n    return run(where)\n')
    done = toolsink(tmp_path, "scan", "-", "--stdin-filename", "new_server.py", "--format", "json",
                    stdin=buffer.encode())
    findings = json.loads(done.stdout)["findings"]
    assert {(f["rule"], f["location"]["path"], f["location"]["line"]) for f in findings} == {("MCP101", "helpers.py", 5)}
    assert findings[0]["trace"][0]["location"]["path"] == "new_server.py"
