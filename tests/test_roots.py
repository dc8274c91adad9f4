"""Configured roots: `allowed-roots` names the directories a server is meant to serve, so a literal path at or
below one of them is not a hardcoded root (MCP302), while other machine paths still are. Driven through the
real command with the configuration in pyproject.toml."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SERVER = '''\
import os
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("notes")
NOTES = "/srv/mcp-data/notes"
OTHER = "/srv/other"


@mcp.tool()
def read_note(name: str) -> str:
    return open(os.path.join(NOTES, os.path.basename(name))).read()


@mcp.tool()
def read_other(name: str) -> str:
    return open(os.path.join(OTHER, os.path.basename(name))).read()
'''


def _scan(tmp_path: Path, config: str) -> list[tuple[str, int, str]]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "server.py").write_text(SERVER, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "toolsink", "scan", ".", "-f", "json", "--no-cache"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    return sorted((Path(f["location"]["path"]).name, f["location"]["line"], f["rule"])
                  for f in json.loads(run.stdout)["findings"])


def test_without_configured_roots_both_literals_are_hardcoded(tmp_path):
    assert _scan(tmp_path, "[tool.toolsink]\n") == [("server.py", 5, "MCP302"), ("server.py", 6, "MCP302")]


def test_a_literal_below_a_configured_root_is_not_hardcoded(tmp_path):
    found = _scan(tmp_path, '[tool.toolsink]\nallowed-roots = ["/srv/mcp-data/"]\n')
    assert found == [("server.py", 6, "MCP302")]


def test_a_sibling_of_a_configured_root_is_still_hardcoded(tmp_path):
    found = _scan(tmp_path, '[tool.toolsink]\nallowed-roots = ["/srv/mcp"]\n')
    assert found == [("server.py", 5, "MCP302"), ("server.py", 6, "MCP302")]


ENV_SERVER = '''\
import os
from mcp.server.fastmcp import FastMCP

from settings import SETTINGS

mcp = FastMCP("notes")
NOTES = SETTINGS["NOTES_DIR"] if "NOTES_DIR" in SETTINGS else "notes"
SHARED = SETTINGS.get("SHARED_ROOT") or "/home/alice/shared"
PLAIN = os.environ.get("PLAIN_ROOT", "/srv/plain")


@mcp.tool()
def read_note(name: str) -> str:
    return open(os.path.join(NOTES, os.path.basename(name))).read()


@mcp.tool()
def read_shared(name: str) -> str:
    return open(os.path.join(SHARED, os.path.basename(name))).read()


@mcp.tool()
def read_plain(name: str) -> str:
    return open(os.path.join(PLAIN, os.path.basename(name))).read()
'''

SETTINGS_MODULE = '''\
import json

SETTINGS = json.load(open("settings.json"))


def setting(name, default):
    return SETTINGS.get(name, default)
'''

ENV_SERVER_TS = '''\
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { config } from "./config.js";

const NOTES = config.NOTES_ROOT ?? "/srv/notes";
const SHARED = process.env.SHARED_ROOT || "/home/alice/shared";
const server = new McpServer({ name: "notes", version: "1" });
server.tool("read_note", { name: z.string() }, async ({ name }) => ({
  content: [{ type: "text", text: await readFile(path.join(NOTES, path.basename(name)), "utf8") }],
}));
server.tool("read_shared", { name: z.string() }, async ({ name }) => ({
  content: [{ type: "text", text: await readFile(path.join(SHARED, path.basename(name)), "utf8") }],
}));
'''


def _scan_env(tmp_path: Path, config: str) -> list[tuple[str, int, str]]:
    (tmp_path / "server.py").unlink(missing_ok=True)
    (tmp_path / "env_server.py").write_text(ENV_SERVER, encoding="utf-8")
    (tmp_path / "settings.py").write_text(SETTINGS_MODULE, encoding="utf-8")
    (tmp_path / "env_server.ts").write_text(ENV_SERVER_TS, encoding="utf-8")
    (tmp_path / "config.ts").write_text("export const config = JSON.parse(process.argv[2] ?? \"{}\");\n",
                                        encoding="utf-8")
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "toolsink", "scan", ".", "-f", "json", "--no-cache"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    return sorted((Path(f["location"]["path"]).name, f["location"]["line"], f["rule"])
                  for f in json.loads(run.stdout)["findings"] if f["rule"] == "MCP302")


def test_fallbacks_of_project_settings_are_hardcoded_by_default(tmp_path):
    # the environment's own reads (os.environ.get, process.env) are overridable defaults by the models; a
    # project's settings helper is not known to read configuration
    assert _scan_env(tmp_path, "[tool.toolsink]\n") == [("env_server.py", 8, "MCP302"), ("env_server.ts", 7, "MCP302")]


def test_the_fallback_of_a_configured_root_variable_is_a_default(tmp_path):
    found = _scan_env(tmp_path, '[tool.toolsink]\nroot-env-vars = ["NOTES_ROOT"]\n')
    assert found == [("env_server.py", 8, "MCP302")]
    assert _scan_env(tmp_path, '[tool.toolsink]\nroot-env-vars = ["NOTES_ROOT", "SHARED_ROOT"]\n') == []
