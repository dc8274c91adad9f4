"""No silent no-ops in discovery, through the real command: ``--force-exclude``, a scan whose every file an
ignore rule excluded, and a scan that finds source files but no MCP server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SERVER = '''\
import os

from mcp.server.fastmcp import FastMCP

app = FastMCP("disc")


@app.tool()
def count(folder: str) -> int:
    return os.system("ls " + folder + " | wc -l")
'''


def toolsink(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolsink", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def _diagnostics(done: subprocess.CompletedProcess) -> list[dict]:
    return json.loads(done.stdout)["diagnostics"]


def _project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.toolsink]\nextend-exclude = ["third_party/"]\n')
    (tmp_path / "third_party" / "pkg").mkdir(parents=True)
    (tmp_path / "third_party" / "pkg" / "srv.py").write_text(SERVER)
    return tmp_path


def test_force_exclude_applies_excludes_to_named_files(tmp_path):
    repo = _project(tmp_path)
    named = toolsink(repo, "scan", "third_party/pkg/srv.py", "--format", "concise")
    assert named.returncode == 1 and named.stdout.startswith("third_party/pkg/srv.py:10:12: MCP101"), named.stdout
    forced = toolsink(repo, "scan", "--force-exclude", "third_party/pkg/srv.py", "--format", "json")
    assert forced.returncode == 0, forced.stdout
    assert json.loads(forced.stdout)["findings"] == []
    [diag] = _diagnostics(forced)
    assert diag["code"] == "all-excluded" and diag["path"] == "third_party/pkg/srv.py"
    assert "exclude patterns" in diag["message"] and "--force-exclude" in diag["message"]


def test_force_exclude_keeps_named_files_outside_the_excludes(tmp_path):
    repo = _project(tmp_path)
    (repo / "server.py").write_text(SERVER)
    done = toolsink(repo, "scan", "--force-exclude", "server.py", "third_party/pkg/srv.py", "--format", "concise")
    assert done.returncode == 1
    assert done.stdout.splitlines() == ["server.py:10:12: MCP101 Tool `count` passes argument `folder` into shell "
                                        "command `os.system`"]


def test_force_exclude_from_configuration(tmp_path):
    repo = _project(tmp_path)
    (repo / "pyproject.toml").write_text('[tool.toolsink]\nextend-exclude = ["third_party/"]\nforce-exclude = true\n')
    done = toolsink(repo, "scan", "third_party/pkg/srv.py", "--format", "concise")
    assert done.returncode == 0 and "MCP101" not in done.stdout


def test_gitignore_in_a_parent_folder_is_named_when_it_excludes_everything(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "srv.py").write_text(SERVER)
    done = toolsink(tmp_path / "generated", "scan", ".", "--format", "text")
    assert done.returncode == 0
    first = done.stdout.splitlines()[0]
    assert first.startswith(".: warning: no source file scanned")
    assert str(tmp_path / ".gitignore") in first and "--no-respect-gitignore" in first
    assert first.endswith("[all-excluded]")
    anyway = toolsink(tmp_path / "generated", "scan", ".", "--no-respect-gitignore", "--format", "concise")
    assert anyway.returncode == 1 and anyway.stdout.startswith("srv.py:10:12: MCP101")


def test_excluded_folder_is_not_reported_when_other_files_are_scanned(tmp_path):
    repo = _project(tmp_path)
    (repo / "server.py").write_text(SERVER)
    done = toolsink(repo, "scan", ".", "--format", "json")
    assert [d["code"] for d in _diagnostics(done)] == []


def test_source_files_without_a_server_get_a_note(tmp_path):
    (tmp_path / "util.py").write_text("import os\n\n\ndef run(cmd):\n    return os.system(cmd)\n")
    done = toolsink(tmp_path, "scan", ".", "--format", "json")
    assert done.returncode == 0
    [diag] = _diagnostics(done)
    assert (diag["code"], diag["level"], diag["path"]) == ("no-mcp-server", "note", ".")
    assert "1 source file scanned, but none registers an MCP tool" in diag["message"]
    github = toolsink(tmp_path, "scan", ".", "--format", "github")
    assert github.stdout.startswith("::notice ") and "title=toolsink no-mcp-server::" in github.stdout
    (tmp_path / "server.py").write_text(SERVER)
    with_server = toolsink(tmp_path, "scan", ".", "--format", "json")
    assert "no-mcp-server" not in {d["code"] for d in _diagnostics(with_server)}
