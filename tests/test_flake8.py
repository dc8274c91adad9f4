"""The flake8 plugin: real ``flake8 --select MCP`` runs over copies of the fixtures in temporary projects.

The expected findings come from the CLI (``toolsink scan --format concise``) on the same files: the plugin
must report the same codes, lines, columns and messages, only in flake8's format.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from toolsink.integrations import flake8 as plugin

from conftest import FIXTURES

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")
CLEAN = '''\
import shlex
import subprocess

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("clean")


@mcp.tool()
def run(command: str) -> str:
    return subprocess.check_output("echo " + shlex.quote(command), shell=True, text=True)
'''


def run_flake8(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8", "--select", "MCP", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=300)


def rows(output: str) -> list[tuple[str, int, int, str, str]]:
    out = []
    for line in output.splitlines():
        m = LINE.match(line)
        assert m, f"not a flake8 line: {line!r}"
        out.append((m["path"].removeprefix("./"), int(m["line"]), int(m["col"]), m["code"], m["message"]))
    return sorted(out)


def cli_rows(cwd: Path, *paths: str) -> list[tuple[str, int, int, str, str]]:
    done = subprocess.run([sys.executable, "-m", "toolsink", "scan", "--format", "concise", *paths], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return rows(done.stdout)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    return tmp_path


def test_reports_the_cli_findings_at_the_sink(project: Path) -> None:
    shutil.copy(FIXTURES / "python" / "sdk_v1_shell.py", project / "server.py")
    done = run_flake8(project, "server.py")
    assert done.returncode == 1, done.stderr
    got = rows(done.stdout)
    assert got == cli_rows(project, "server.py")
    assert ("server.py", 17, 12, "MCP108",
            "Tool `run_shell` hands argument `command` whole to `subprocess.check_output` as the shell command: "
            "the model chooses the whole shell command") in got
    expected_lines = {n for n, text in enumerate((project / "server.py").read_text().splitlines(), 1)
                      if re.search(r"#\s*error: MCP10[128]", text)}
    assert {line for _, line, _, _, _ in got} == expected_lines


def test_noqa_silences_only_that_code_on_that_line(project: Path) -> None:
    lines = (FIXTURES / "python" / "sdk_v1_shell.py").read_text(encoding="utf-8").splitlines()
    lines[16] = lines[16].split("#")[0].rstrip() + "  # noqa: MCP108"
    lines[22] = lines[22].split("#")[0].rstrip() + "  # noqa: MCP104"  # another code: still reported
    (project / "server.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = rows(run_flake8(project, "server.py").stdout)
    reported = {line for _, line, _, _, _ in got}
    assert 17 not in reported
    assert {23, 35, 48} <= reported


def test_clean_file_passes(project: Path) -> None:
    (project / "server.py").write_text(CLEAN, encoding="utf-8")
    done = run_flake8(project, "server.py")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr


def test_flow_into_another_module_is_reported_at_its_sink(project: Path) -> None:
    shutil.copytree(FIXTURES / "python" / "shellsrv", project / "shellsrv")
    done = run_flake8(project, "-j", "2", ".")  # several files, several worker processes
    assert done.returncode == 1, done.stderr
    got = rows(done.stdout)
    assert got == cli_rows(project, ".")
    assert {(path, line, code) for path, line, _, code, _ in got} == {("shellsrv/util/proc.py", 5, "MCP101")}
    assert {message.split("`")[1] for *_, message in got} == {"convert", "build"}


def test_uses_the_text_flake8_hands_over(project: Path) -> None:
    (project / "server.py").write_text(CLEAN, encoding="utf-8")  # on disk: clean
    vulnerable = CLEAN.replace('shlex.quote(command)', "command")
    done = run_flake8(project, "-", "--stdin-display-name", "server.py", stdin=vulnerable)
    assert done.returncode == 1, done.stderr
    (row,) = rows(done.stdout)
    assert row[0] == "server.py" and row[1:4] == (11, 12, "MCP101")


def test_one_scan_per_project_root(project: Path, monkeypatch) -> None:
    shutil.copytree(FIXTURES / "python" / "shellsrv", project / "shellsrv")
    calls = []
    real = plugin._scan

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(plugin, "_scan", counting)
    monkeypatch.setattr(plugin, "_ANALYSES", {})
    found = []
    for path in sorted((project / "shellsrv").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        found.extend((path.name, line) for line, *_ in plugin.Plugin(None, str(path), lines).run())
    assert len(calls) == 1
    assert found.count(("proc.py", 5)) == 3
