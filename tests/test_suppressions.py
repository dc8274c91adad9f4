"""Inline suppressions: what ``# noqa: MCP101`` and ``toolsink-ignore MCP101: reason`` silence, and what
is reported about them (bare, reason-less, unused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolsink.config import Config
from toolsink.scan import scan
from toolsink.suppressions import parse_comment

PY_HEAD = '''\
import os
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("x")


@mcp.tool()
def a(cmd: str) -> str:
'''
# line 9 is the first body line
TS_HEAD = '''\
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { execSync } from "node:child_process";
import { z } from "zod";

const server = new McpServer({ name: "demo", version: "1.0.0" });
server.tool("run", { cmd: z.string() }, async ({ cmd }) => {
'''
# line 7 is the first body line
TS_TAIL = '''\
  return { content: [{ type: "text", text: "ok" }] };
});
'''


@pytest.fixture
def run(tmp_path: Path):
    def scan_files(files: dict[str, str], **config):
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        return scan([str(tmp_path)], Config(**config), root=str(tmp_path)).result

    return scan_files


def py(*body: str) -> str:
    return PY_HEAD + "".join(f"    {line}\n" for line in body) + '    return "ok"\n'


def ts(*body: str) -> str:
    return TS_HEAD + "".join(f"  {line}\n" for line in body) + TS_TAIL


def found(result) -> list[tuple[int, str]]:
    return [(f.location.line, f.rule) for f in result.findings]


def diags(result, code: str) -> list[tuple[str, int]]:
    return [(d.path, d.line) for d in result.diagnostics if d.code == code]


def test_noqa_silences_only_its_code_on_its_line(run) -> None:
    result = run({"s.py": py("os.system('ls ' + eval(cmd))  # noqa: MCP106", "os.system('ls ' + cmd)")})
    assert found(result) == [(9, "MCP101"), (10, "MCP101")]
    assert result.suppressed == 1


def test_noqa_with_other_tools_codes_and_prefixes(run) -> None:
    result = run({"s.py": py("os.system('ls ' + cmd)  # noqa: E501, MCP101", "os.system('ls ' + eval(cmd))  # noqa: MCP1",
                             "os.system('ls ' + eval(cmd))  # noqa: MCP101")},
                 report_unused_suppressions=True)
    assert found(result) == [(11, "MCP106")]  # the prefix MCP1 covers MCP101 and MCP106
    assert diags(result, "unused-suppression") == []  # E501 is flake8's, never "unused" for toolsink


def test_toolsink_ignore_on_the_line_or_the_line_above(run) -> None:
    result = run({"t.ts": ts(
        "execSync(`sh -c ${cmd}`);",
        "// toolsink-ignore MCP101: fixed command set upstream",
        "execSync('ls ' + cmd);",
        'execSync("ls " + cmd); // toolsink-ignore MCP101: reviewed',
        "execSync('ls ' + cmd); /* toolsink-ignore MCP104: wrong code */",
    )})
    assert found(result) == [(7, "MCP101"), (11, "MCP101")]
    assert result.suppressed == 2


def test_toolsink_ignore_in_python(run) -> None:
    result = run({"s.py": py("# toolsink-ignore MCP101: the argument is an enum upstream", "os.system('ls ' + cmd)",
                             "os.system('ls ' + cmd)")})
    assert found(result) == [(11, "MCP101")]


def test_bare_suppressions(run) -> None:
    result = run({
        "s.py": PY_HEAD.replace('mcp = FastMCP("x")', 'mcp = FastMCP("x")  # noqa') + "    os.system('ls ' + cmd)  # noqa\n",
        "t.ts": ts("execSync('ls ' + cmd); // toolsink-ignore", "const x = 1; // toolsink-ignore"),
    })
    # bare suppressions silence nothing
    assert [(f.location.path, f.location.line) for f in result.findings] == [("s.py", 9), ("t.ts", 7)]
    bare = sorted(diags(result, "bare-suppression"))
    # the bare noqa on line 4 is flake8's business (no toolsink finding there); both bare ignores count
    assert bare == [("s.py", 9), ("t.ts", 7), ("t.ts", 8)]


def test_require_reason(run) -> None:
    result = run({
        "s.py": py("os.system('ls ' + cmd)  # noqa: MCP101", "os.system('ls ' + cmd)  # noqa: MCP101 -- cmd is a fixed enum",
                   "os.system('ls ' + cmd)  # noqa: MCP101 <reason>"),
        "t.ts": ts("// toolsink-ignore MCP101", "execSync('ls ' + cmd);", "execSync('ls ' + cmd); // toolsink-ignore MCP101: <reason>"),
    }, require_reason=True)
    assert found(result) == []
    errors = sorted((d.path, d.line) for d in result.diagnostics
                    if d.code == "suppression-without-reason" and d.level == "error")
    assert errors == [("s.py", 9), ("s.py", 11), ("t.ts", 7), ("t.ts", 9)]
    assert not diags(run({"s.py": py("os.system('ls ' + cmd)  # noqa: MCP101")}), "suppression-without-reason")


def test_unused_suppressions_in_every_module(run) -> None:
    files = {
        "s.py": py("os.system('ls ' + cmd)  # noqa: MCP101, MCP104", "x = 1  # noqa: MCP105"),
        "helper.py": "X = 1  # noqa: MCP103\nY = 2  # noqa: E501\n",  # no findings in this module at all
        "t.ts": ts("// toolsink-ignore MCP106: not here", "execSync('ls ' + cmd);"),
    }
    assert diags(run(files), "unused-suppression") == []  # off by default
    result = run(files, report_unused_suppressions=True)
    unused = {(d.path, d.line): d.message for d in result.diagnostics if d.code == "unused-suppression"}
    assert set(unused) == {("s.py", 9), ("s.py", 10), ("helper.py", 1), ("t.ts", 7)}
    assert "MCP104" in unused[("s.py", 9)] and "MCP101" not in unused[("s.py", 9)]
    # a code whose rule is not selected is not "unused"
    result = run(files, report_unused_suppressions=True, select=["MCP101"])
    assert diags(result, "unused-suppression") == []


@pytest.mark.parametrize(("comment", "expected"), [
    ("# noqa: MCP101", (frozenset({"MCP101"}), "", "noqa")),
    ("# noqa:MCP101,MCP102 -- validated", (frozenset({"MCP101", "MCP102"}), "validated", "noqa")),
    ("# NOQA: mcp101  # because", (frozenset({"MCP101"}), "because", "noqa")),
    ("# noqa", (None, "", "noqa")),
    ("# noqa: E501", None),
    ("# type: ignore", None),
    ("// toolsink-ignore MCP101: fixed list", (frozenset({"MCP101"}), "fixed list", "toolsink-ignore")),
    ("/* toolsink-ignore MCP101, MCP104: ok */", (frozenset({"MCP101", "MCP104"}), "ok", "toolsink-ignore")),
    ("// toolsink-ignore", (None, "", "toolsink-ignore")),
    ("// toolsink-ignore MCP101: <reason>", (frozenset({"MCP101"}), "", "toolsink-ignore")),
])
def test_parse_comment(comment: str, expected) -> None:
    assert parse_comment(comment) == expected
