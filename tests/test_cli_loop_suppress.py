"""Whole-file suppression through the real command: ``per-file-ignores`` in the configuration (ruff's key)
and the file-level ``# toolsink: noqa`` / ``// toolsink: noqa`` comment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PY_SERVER = '''\
import os
import subprocess

from mcp.server.fastmcp import FastMCP

app = FastMCP("pfi")


@app.tool()
def show(name: str) -> str:
    return subprocess.run("cat " + name, shell=True, capture_output=True, text=True).stdout


@app.tool()
def fetch(url: str) -> int:
    return os.system(f"curl -s {url}")
'''
TS_SERVER = '''\
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { execSync } from "node:child_process";
import { z } from "zod";

const server = new McpServer({ name: "pfi", version: "1.0.0" });
server.tool("show", { name: z.string() }, async ({ name }) => {
  const out = execSync("cat " + name).toString();
  return { content: [{ type: "text", text: out }] };
});
'''


def toolsink(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolsink", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def concise(cwd: Path, *args: str) -> tuple[int, list[str]]:
    done = toolsink(cwd, "scan", ".", "--format", "concise", *args)
    return done.returncode, [line.split(" ")[0] + " " + line.split(" ")[1] for line in done.stdout.splitlines()]


def _tree(tmp_path: Path, config: str | None = None) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "server.py").write_text(PY_SERVER)
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "demo.py").write_text(PY_SERVER)
    if config is not None:
        (tmp_path / "pyproject.toml").write_text(f"[tool.toolsink]\n{config}\n")
    return tmp_path


ALL = ["app/server.py:11:12: MCP101", "app/server.py:16:12: MCP101",
       "examples/demo.py:11:12: MCP101", "examples/demo.py:16:12: MCP101"]


def test_without_per_file_ignores_every_file_reports(tmp_path):
    assert concise(_tree(tmp_path)) == (1, ALL)


@pytest.mark.parametrize("table,expected", [
    ('"examples/**" = ["MCP101"]', ALL[:2]),
    ('"demo.py" = ["MCP1"]', ALL[:2]),  # no slash: a file name anywhere, a prefix for the codes
    ('"examples/" = ["ALL"]', ALL[:2]),
    ('"examples/**" = ["MCP102"]', ALL),  # another rule: nothing changes
    ('"!app/*.py" = ["MCP101"]', ALL[:2]),  # ruff's negation: every file that does not match
])
def test_per_file_ignores(tmp_path, table, expected):
    code, lines = concise(_tree(tmp_path, f"[tool.toolsink.per-file-ignores]\n{table}"))
    assert lines == expected
    assert code == (1 if expected else 0)


def test_per_file_ignores_relative_to_the_configuration_file(tmp_path):
    _tree(tmp_path, '[tool.toolsink.per-file-ignores]\n"examples/*.py" = ["MCP101"]')
    done = toolsink(tmp_path / "examples", "scan", ".", "--format", "concise")
    assert done.returncode == 0 and done.stdout == "", done.stdout


@pytest.mark.parametrize("table,message", [
    ('"tests/*" = ["MPC101"]', 'unknown rule code or prefix "MPC101"'),
    ('"tests/*" = "MCP101"', '"per-file-ignores"[tests/*]: expected a list of rule codes'),
    ('"tests/*" = ["mcp101"]', '"per-file-ignores"[tests/*][0]: expected a rule code or code prefix in capitals'),
])
def test_per_file_ignores_are_validated(tmp_path, table, message):
    _tree(tmp_path, f"[tool.toolsink.per-file-ignores]\n{table}")
    done = toolsink(tmp_path, "scan", ".")
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert done.stdout == ""


def test_did_you_mean_for_a_per_file_code(tmp_path):
    _tree(tmp_path, '[tool.toolsink.per-file-ignores]\n"tests/*" = ["MCP1010"]')
    done = toolsink(tmp_path, "scan", ".")
    assert done.returncode == 2 and "did you mean MCP101?" in done.stderr


@pytest.mark.parametrize("comment,expected", [
    ("# toolsink: noqa", []),
    ("# toolsink: noqa: MCP101", []),
    ("# toolsink: noqa: MCP102, MCP104", ["server.py:12:12: MCP101", "server.py:17:12: MCP101"]),
    ("x = 1  # toolsink: noqa", ["server.py:12:12: MCP101", "server.py:17:12: MCP101"]),  # after code: not file-level
    ('NOTE = "# toolsink: noqa"', ["server.py:12:12: MCP101", "server.py:17:12: MCP101"]),  # a string, not a comment
])
def test_file_level_noqa_python(tmp_path, comment, expected):
    (tmp_path / "server.py").write_text(comment + "\n" + PY_SERVER)
    code, lines = concise(tmp_path)
    assert lines == expected and code == (1 if expected else 0)


@pytest.mark.parametrize("comment,expected", [
    ("// toolsink: noqa", []),
    ("/* toolsink: noqa: MCP1 */", []),
    ("// toolsink: noqa: MCP104", ["server.ts:8:15: MCP101"]),
])
def test_file_level_noqa_typescript(tmp_path, comment, expected):
    (tmp_path / "server.ts").write_text(comment + "\n" + TS_SERVER)
    code, lines = concise(tmp_path)
    assert lines == expected and code == (1 if expected else 0)


def test_file_level_noqa_under_require_reason(tmp_path):
    (tmp_path / "server.py").write_text("# toolsink: noqa\n" + PY_SERVER)
    done = toolsink(tmp_path, "scan", ".", "--format", "concise", "--require-reason")
    assert done.returncode == 1
    assert done.stdout.startswith("server.py:1:1: error: file-level suppression of every rule has no reason")
    (tmp_path / "server.py").write_text("# toolsink: noqa -- generated test double, never served\n" + PY_SERVER)
    done = toolsink(tmp_path, "scan", ".", "--format", "concise", "--require-reason")
    assert done.returncode == 0 and done.stdout == ""


def test_unused_file_level_codes_are_reported(tmp_path):
    (tmp_path / "server.py").write_text("# toolsink: noqa: MCP101, MCP103\n" + PY_SERVER)
    done = toolsink(tmp_path, "scan", ".", "--format", "json", "--report-unused-suppressions")
    import json

    [diag] = json.loads(done.stdout)["diagnostics"]
    assert diag["code"] == "unused-suppression" and diag["line"] == 1
    assert diag["message"] == "unused suppression of MCP103: no such finding in this file"
