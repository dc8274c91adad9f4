"""The language server, driven over stdio by a real LSP client (pygls's), plus its pure helpers.

The server runs as ``python -m toolsink lsp`` in a subprocess; every wait is bounded by a timeout so a
hung server fails the test instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path
from pygls.workspace.position_codec import PositionCodec

from toolsink.integrations.lsp import split_lines, suppression_edit

TIMEOUT = 60.0

VULNERABLE = '''\
import subprocess

from mcp.server.fastmcp import FastMCP

from helpers import run_it

mcp = FastMCP("demo")


@mcp.tool()
def run_shell(command: str) -> str:
    note = "😀"; return subprocess.check_output('ls ' + command, shell=True, text=True)


@mcp.tool()
def indirect(command: str) -> str:
    return run_it(command)
'''

FIXED = '''\
import shlex
import subprocess

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("demo")


@mcp.tool()
def run_shell(command: str) -> str:
    return subprocess.check_output("echo " + shlex.quote(command), shell=True, text=True)
'''

HELPERS = '''\
import os


def run_it(cmd):
    return os.system('ls ' + cmd)
'''

TS_SERVER = '''\
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { execSync } from "node:child_process";
import { z } from "zod";

const server = new McpServer({ name: "demo", version: "1.0.0" });
server.tool("run", { cmd: z.string() }, async ({ cmd }) => {
  const out = execSync(`sh -c ${cmd}`).toString();
  return { content: [{ type: "text", text: out }] };
});
'''


class Session:
    """A pygls client talking to ``python -m toolsink lsp``, collecting published diagnostics."""

    def __init__(self) -> None:
        self.client = LanguageClient("toolsink-test", "1")
        self.published: asyncio.Queue[lsp.PublishDiagnosticsParams] = asyncio.Queue()
        self.messages: list[lsp.ShowMessageParams] = []

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            self.published.put_nowait(params)

        @self.client.feature(lsp.WINDOW_SHOW_MESSAGE)
        def on_message(params: lsp.ShowMessageParams) -> None:
            self.messages.append(params)

    async def start(self, root: Path) -> lsp.InitializeResult:
        await self.client.start_io(sys.executable, "-m", "toolsink", "lsp")
        result = await asyncio.wait_for(self.client.initialize_async(lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(), process_id=None, root_uri=from_fs_path(str(root)),
            workspace_folders=[lsp.WorkspaceFolder(uri=from_fs_path(str(root)), name="demo")])), TIMEOUT)
        self.client.initialized(lsp.InitializedParams())
        return result

    async def diagnostics_for(self, uri: str, version: int) -> list[lsp.Diagnostic]:
        """The next diagnostics published for ``uri`` at ``version`` (older publications are skipped)."""

        async def wait() -> list[lsp.Diagnostic]:
            while True:
                params = await self.published.get()
                if params.uri == uri and (params.version is None or params.version >= version):
                    return list(params.diagnostics)

        return await asyncio.wait_for(wait(), TIMEOUT)

    def open(self, uri: str, text: str, language: str = "python") -> None:
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
            self.client.exit(None)
            await asyncio.wait_for(self.client.stop(), TIMEOUT)
        finally:
            server = self.client._server
            if server is not None and server.returncode is None:
                server.kill()


def run(coro) -> None:
    asyncio.run(asyncio.wait_for(coro, TIMEOUT * 4))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    (tmp_path / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (tmp_path / "server.py").write_text("", encoding="utf-8")  # the editor's buffer differs from disk
    return tmp_path


def test_diagnostics_follow_unsaved_text_and_offer_quick_fix(project: Path) -> None:
    uri = from_fs_path(str(project / "server.py"))

    async def scenario() -> None:
        session = Session()
        try:
            init = await session.start(project)
            assert init.capabilities.code_action_provider

            session.open(uri, VULNERABLE)
            diagnostics = await session.diagnostics_for(uri, 1)
            by_line = {d.range.start.line: d for d in diagnostics if d.code == "MCP101"}
            assert set(by_line) == {11}, diagnostics  # `indirect`'s sink is in helpers.py

            direct = by_line[11]
            # `    note = "😀"; return subprocess...`: the emoji is one code point but two UTF-16 units
            line = VULNERABLE.splitlines()[11]
            sink_cp = line.index("subprocess")
            assert direct.range.start.character == sink_cp + 1
            assert direct.source == "toolsink"
            assert direct.severity == lsp.DiagnosticSeverity.Error
            assert "run_shell" in direct.message and "command" in direct.message
            assert direct.related_information, "the trace goes into relatedInformation"
            assert direct.related_information[0].location.uri == uri
            assert direct.related_information[0].location.range.start.line == 10  # the tool's parameter

            actions = await asyncio.wait_for(session.client.text_document_code_action_async(lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri), range=direct.range,
                context=lsp.CodeActionContext(diagnostics=[direct]))), TIMEOUT)
            assert actions and len(actions) == 1
            action = actions[0]
            assert action.kind == lsp.CodeActionKind.QuickFix
            (edit,) = action.edit.changes[uri]
            assert edit.new_text == "  # noqa: MCP101"
            end_units = len(line.encode("utf-16-le")) // 2
            assert edit.range.start == lsp.Position(line=11, character=end_units)

            session.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=FIXED)]))
            assert await session.diagnostics_for(uri, 2) == []

            # half-typed code: the scan keeps going and still finds the sink
            broken = FIXED + ("\n\n@mcp.tool()\ndef oops(cmd: str) -> str:\n    return subprocess.getoutput('ls ' + cmd)\n"
                              "\n\n@mcp.tool()\ndef later(arg: str) -> str:\n    return subprocess.run(arg, shell=")
            session.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=3),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=broken)]))
            diagnostics = await session.diagnostics_for(uri, 3)
            assert 15 in [d.range.start.line for d in diagnostics if d.code == "MCP101"], diagnostics
            assert not session.messages
        finally:
            await session.stop()

    run(scenario())


def test_cross_file_flow_and_typescript_quick_fix(project: Path) -> None:
    helper_uri = from_fs_path(str(project / "helpers.py"))
    server_uri = from_fs_path(str(project / "server.py"))
    ts_path = project / "server.ts"
    ts_path.write_text("", encoding="utf-8")
    ts_uri = from_fs_path(str(ts_path))

    async def scenario() -> None:
        session = Session()
        try:
            await session.start(project)
            # the tool lives in an unsaved buffer; the sink in helpers.py is reported when it is opened
            session.open(server_uri, VULNERABLE)
            await session.diagnostics_for(server_uri, 1)
            session.open(helper_uri, HELPERS)
            diagnostics = await session.diagnostics_for(helper_uri, 1)
            (finding,) = [d for d in diagnostics if d.code == "MCP101"]
            assert finding.range.start.line == 4
            assert any(info.location.uri == server_uri for info in finding.related_information)

            session.open(ts_uri, TS_SERVER, "typescript")
            diagnostics = await session.diagnostics_for(ts_uri, 1)
            (finding,) = [d for d in diagnostics if d.code == "MCP101"]
            assert finding.range.start.line == 6
            actions = await asyncio.wait_for(session.client.text_document_code_action_async(lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=ts_uri), range=finding.range,
                context=lsp.CodeActionContext(diagnostics=[finding]))), TIMEOUT)
            (edit,) = actions[0].edit.changes[ts_uri]
            assert edit.range.start == lsp.Position(line=6, character=0)
            assert edit.new_text == "  // toolsink-ignore MCP101: <reason>\n"
        finally:
            await session.stop()

    run(scenario())


# ------------------------------------------------------------------------------------------ helpers

CODEC = PositionCodec()  # UTF-16, the LSP default


def test_python_quick_fix_merges_into_existing_noqa() -> None:
    lines = ["x = os.system(cmd)  # noqa: E501\n", "y = 1  # noqa\n", "z = 'é'\n"]
    first = suppression_edit(lines, 0, "MCP101", "python", CODEC)
    assert first.new_text == ", MCP101" and first.range.start.character == len(lines[0].rstrip("\n"))
    second = suppression_edit(lines, 1, "MCP101", "python", CODEC)
    assert second.new_text == ": MCP101" and second.range.start.character == len("y = 1  # noqa")
    third = suppression_edit(lines, 2, "MCP101", "python", CODEC)
    assert third.new_text == "  # noqa: MCP101" and third.range.start.character == 7


def test_typescript_quick_fix_keeps_indent_and_line_endings() -> None:
    edit = suppression_edit(["\tfoo();\r\n", "\t\texec(cmd);\r\n"], 1, "MCP101", "typescript", CODEC)
    assert edit.new_text == "\t\t// toolsink-ignore MCP101: <reason>\r\n"
    assert edit.range.start == lsp.Position(line=1, character=0)


def test_split_lines_counts_lines_like_lsp() -> None:
    assert split_lines("a\r\nb\rc\nd\u2028e") == ["a", "b", "c", "d\u2028e"]
