"""Developer-loop behaviours driven through the real command: no silent no-ops, `-` as standard input,
`lsp --stdio`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES

SERVER = (FIXTURES / "python" / "sdk_v1_shell.py").read_text(encoding="utf-8")


def toolsink(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolsink", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=120)


@pytest.mark.parametrize("args,config,expected", [
    (["--select", "MCP999"], None, 'unknown rule code or prefix "MCP999"'),
    (["--ignore", "MPC101"], None, "did you mean MCP101?"),
    (["--extend-select", "XYZ"], None, 'unknown rule code or prefix "XYZ"'),
    ([], 'ignore = ["MCP109"]', 'unknown rule code or prefix "MCP109"'),
])
def test_unknown_rule_selector_is_a_usage_error(tmp_path, args, config, expected):
    (tmp_path / "server.py").write_text(SERVER)
    if config:
        (tmp_path / "pyproject.toml").write_text(f"[tool.toolsink]\n{config}\n")
    done = toolsink(tmp_path, "scan", ".", *args)
    assert done.returncode == 2 and expected in done.stderr.decode()
    assert done.stdout == b""


def test_known_prefix_selects_its_rules(tmp_path):
    (tmp_path / "server.py").write_text(SERVER)
    done = toolsink(tmp_path, "scan", ".", "--select", "MCP10", "--format", "concise")
    assert done.returncode == 1 and b"server.py:23:11: MCP101" in done.stdout


def test_dash_reads_standard_input(tmp_path):
    done = toolsink(tmp_path, "scan", "-", "--stdin-filename", "server.py", "--format", "concise",
                    stdin=SERVER.encode())
    assert done.returncode == 1, done.stderr
    assert b"server.py:23:11: MCP101" in done.stdout and b"no such file" not in done.stderr
    alone = toolsink(tmp_path, "scan", "-")
    assert alone.returncode == 2 and b"--stdin-filename" in alone.stderr


def test_lsp_accepts_stdio_flag():
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "shutdown", "params": None}).encode()
    frame = b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    exit_body = json.dumps({"jsonrpc": "2.0", "method": "exit", "params": None}).encode()
    frame += b"Content-Length: %d\r\n\r\n%s" % (len(exit_body), exit_body)
    done = subprocess.run([sys.executable, "-m", "toolsink", "lsp", "--stdio"], input=frame, capture_output=True,
                          timeout=60)
    assert b'"id": 1' in done.stdout and b'"result": null' in done.stdout, done.stderr


def test_statistics_counts_findings_per_rule_and_registrations_per_file(tmp_path):
    (tmp_path / "server.py").write_text(SERVER)
    done = toolsink(tmp_path, "scan", ".", "--statistics")
    assert done.returncode == 1
    lines = done.stdout.decode().splitlines()
    assert lines[0].split() == ["3", "MCP101", "tool-argument-to-shell"]
    assert "  server.py: 8 tools, 0 resources, 0 prompts" in lines
