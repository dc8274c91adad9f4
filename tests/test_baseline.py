"""Baselines: ``--write-baseline`` records today's findings, ``--baseline`` reports only new ones, and code
moving around does not bring recorded findings back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolsink.cli import main

SERVER = '''\
import os
import subprocess

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("demo")


@mcp.tool()
def run(command: str) -> str:
    os.system('ping ' + command)
    return "ok"


@mcp.tool()
def grep(pattern: str) -> str:
    return subprocess.check_output(f"grep -rn {pattern} .", shell=True, text=True)
'''
NEW_TOOL = '''

@mcp.tool()
def ping(host: str) -> str:
    return subprocess.getoutput("ping -c 1 " + host)
'''


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    (tmp_path / "server.py").write_text(SERVER, encoding="utf-8")
    return tmp_path


def concise(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["scan", ".", "--format", "concise", *args])
    return code, capsys.readouterr().out.splitlines()


def test_baseline_round_trip(repo: Path, capsys) -> None:
    code, lines = concise(capsys)
    assert code == 1 and len(lines) == 2
    assert main(["scan", ".", "--write-baseline", "baseline.json"]) == 0
    data = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert len(data["findings"]) == 2 and {row["rule"] for row in data["findings"]} == {"MCP101"}
    capsys.readouterr()

    assert concise(capsys, "--baseline", "baseline.json") == (0, [])

    # a new vulnerable tool: only it is reported
    (repo / "server.py").write_text(SERVER + NEW_TOOL, encoding="utf-8")
    code, lines = concise(capsys, "--baseline", "baseline.json")
    assert code == 1 and len(lines) == 1 and "Tool `ping`" in lines[0]

    # code moving down (lines inserted above) keeps the recorded findings recorded
    moved = SERVER.replace('mcp = FastMCP("demo")\n', 'mcp = FastMCP("demo")\nVERSION = "1"\n\n\n# helpers\n')
    (repo / "server.py").write_text(moved, encoding="utf-8")
    code, lines = concise(capsys)
    assert code == 1 and [line.split(":")[1] for line in lines] == ["15", "21"]
    assert concise(capsys, "--baseline", "baseline.json") == (0, [])


def test_a_second_identical_finding_is_new(repo: Path, capsys) -> None:
    assert main(["scan", ".", "--write-baseline", "baseline.json"]) == 0
    capsys.readouterr()
    doubled = SERVER.replace("    os.system('ping ' + command)\n", "    os.system('ping ' + command)\n    os.system('ping ' + command)\n")
    (repo / "server.py").write_text(doubled, encoding="utf-8")
    code, lines = concise(capsys, "--baseline", "baseline.json")
    assert code == 1 and len(lines) == 1


def test_unreadable_baseline_is_exit_2(repo: Path, capsys) -> None:
    (repo / "baseline.json").write_text("{not json", encoding="utf-8")
    assert main(["scan", ".", "--baseline", "baseline.json"]) == 2
    assert "baseline.json" in capsys.readouterr().err
    assert main(["scan", ".", "--baseline", "missing.json"]) == 2


def test_unwritable_baseline_is_exit_2(repo: Path, capsys) -> None:
    assert main(["scan", ".", "--write-baseline", "no/such/dir/baseline.json"]) == 2
    err = capsys.readouterr().err
    assert "cannot write the baseline" in err and "internal error" not in err
