"""The language server through a real LSP client over stdio (pygls's, as tests/test_lsp.py): a request with
invalid params gets a JSON-RPC error response, and quick edits never publish diagnostics of an older
version of the document."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path

from test_lsp import TIMEOUT, Session, run

FIRST = '''\
import os

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("v")


@mcp.tool()
def first(arg: str) -> int:
    return os.system("echo " + arg)
'''
# the sink moves down a line: a publication of this version would put MCP101 on line 11 (0-based 10)
SECOND = FIRST.replace("def first(arg: str) -> int:\n", "def first(arg: str) -> int:\n    arg = arg.strip()\n")
THIRD = FIRST.replace('os.system("echo " + arg)', 'len(arg)')


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'v'\n", encoding="utf-8")
    (tmp_path / "server.py").write_text("", encoding="utf-8")
    return tmp_path


def _many_modules(root: Path, n: int = 400) -> None:
    """Enough modules that a scan of the project lasts well beyond the time the next edit takes to arrive."""
    package = root / "lib"
    package.mkdir()
    for i in range(n):
        (package / f"mod{i}.py").write_text(f"def helper{i}(value):\n    return [value] * {i}\n" * 20)


def test_invalid_params_get_an_error_response(project: Path) -> None:
    uri = from_fs_path(str(project / "server.py"))

    async def scenario() -> None:
        session = Session()
        try:
            await session.start(project)
            protocol = session.client.protocol
            typed = protocol.get_message_type
            protocol.get_message_type = lambda method: None  # send the params as given, unchecked by the client
            try:
                answer = protocol.send_request_async("textDocument/codeAction", {"textDocument": {"uri": uri}})
            finally:
                protocol.get_message_type = typed
            with pytest.raises(JsonRpcException) as info:  # no `range`, no `context`
                await asyncio.wait_for(answer, TIMEOUT)
            assert info.value.code == -32602
            assert "textDocument/codeAction" in info.value.message
            # the server keeps answering: a well-formed request right after gets its result
            actions = await asyncio.wait_for(session.client.text_document_code_action_async(lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=from_fs_path(str(project / "gone.py"))),
                range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)),
                context=lsp.CodeActionContext(diagnostics=[]))), TIMEOUT)
            assert not actions
            assert not session.messages  # an answer, not a popup
        finally:
            await session.stop()

    run(scenario())


def test_quick_edits_publish_only_the_latest_version(project: Path) -> None:
    uri = from_fs_path(str(project / "server.py"))

    def change(version: int, text: str) -> None:
        session.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))

    _many_modules(project)
    session = Session()

    async def scenario() -> None:
        try:
            await session.start(project)
            session.open(uri, FIRST)
            first = await session.diagnostics_for(uri, 1)
            assert [(d.code, d.range.start.line) for d in first if d.code == "MCP101"] == [("MCP101", 9)]

            # version 2 is saved (scanned at once, no debounce), then version 3 follows immediately
            change(2, SECOND)
            session.client.text_document_did_save(lsp.DidSaveTextDocumentParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri)))
            change(3, THIRD)

            published = []
            while True:
                params = await asyncio.wait_for(session.published.get(), TIMEOUT)
                if params.uri == uri:
                    published.append(params)
                    if params.version == 3:
                        break
            await asyncio.sleep(2.0)  # anything stale would arrive now
            while not session.published.empty():
                published.append(session.published.get_nowait())
            assert [p.version for p in published if p.uri == uri] == [3]
            assert list(published[0].diagnostics) == []
        finally:
            await session.stop()

    run(scenario())
