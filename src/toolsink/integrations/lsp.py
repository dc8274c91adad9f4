"""The language server (``toolsink lsp``): findings as editor diagnostics while you type, and quick fixes.

This module owns the LSP side of toolsink (pygls 2.x over stdio):

- on open, change (debounced), and save of a Python, TypeScript or JavaScript document it scans the
  document's project (the workspace folder holding it, else :func:`toolsink.integrations.project_root`)
  with the *unsaved* text of every open document as ``overrides``, so flows across modules are found and
  half-typed code is analysed as far as it parses (the scan never raises on syntax errors);
- a newer edit cancels the pending scan of that project, and a scan already running stops at its next
  progress point (between files, between tools); diagnostics are published only with the version of the
  document they were computed from, and never when the document changed meanwhile;
- for every open document of that project it publishes the findings located there: code (``MCP101``),
  severity, source ``toolsink``, message, the range in the client's position encoding (UTF-16 code
  units unless the client negotiated another; toolsink counts code points), and the trace in
  ``relatedInformation``; suppression problems (bare, unused, reason-less) come along as diagnostics
  too, syntax errors do not (the editor's own language server shows those);
- a quick fix per finding adds a suppression: ``  # noqa: MCP101`` at the end of a Python line (merged into
  an existing ``# noqa: ...``), ``// toolsink-ignore MCP101: <reason>`` above a TypeScript/JavaScript line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from typing import Sequence

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from ..discover import language_of
from . import display_path, project_root

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.25
SOURCE = "toolsink"
_SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
             "note": lsp.DiagnosticSeverity.Information}
_QUIET_DIAGNOSTICS = frozenset({"syntax-error"})
_NOQA_CODES = re.compile(r"#\s*noqa(?P<colon>:\s*[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)?", re.IGNORECASE)


class ToolsinkServer(LanguageServer):
    """A pygls server that keeps one pending scan per project root: a new edit replaces the scan waiting
    for its debounce, and one scan publishes the diagnostics of every open document of that project
    (a change in one module can add or remove findings in another)."""

    def __init__(self) -> None:
        super().__init__("toolsink", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.pending: dict[str, asyncio.Task] = {}  # project root -> scan task
        self.stops: dict[str, threading.Event] = {}  # project root -> "a newer edit came": stop that scan
        self.units: dict[str, _Units] = {}  # project root -> the units its scans reuse
        self.shown_errors: set[str] = set()

    # ---------------------------------------------------------------------------------- scheduling

    def schedule(self, uri: str, delay: float) -> None:
        path = to_fs_path(uri)
        if not path or language_of(path) is None:
            return
        root = self.root_for(os.path.abspath(path))
        old = self.pending.pop(root, None)
        if old is not None:
            old.cancel()
        stale = self.stops.pop(root, None)
        if stale is not None:
            stale.set()  # a scan already running in its thread stops at its next progress point
        stop = self.stops[root] = threading.Event()
        self.pending[root] = asyncio.get_running_loop().create_task(self._lint_later(root, delay, stop))

    async def _lint_later(self, root: str, delay: float, stop: threading.Event) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            documents = self.open_documents(root)  # display path -> (uri, version, text)
            overrides = {shown: text.encode("utf-8") for shown, (_, _, text) in documents.items()}
            units = self.units.setdefault(root, _Units())
            analysis = await asyncio.to_thread(_scan, root, overrides, stop, units)
            if stop.is_set():
                return  # a newer edit is being scanned; these results are stale
            for shown, (uri, version, text) in documents.items():
                if self.workspace.text_documents.get(uri) is None:
                    continue  # closed meanwhile
                if self.workspace.get_text_document(uri).version != version:
                    continue  # edited meanwhile: the scan of that edit publishes it
                diagnostics = to_diagnostics(analysis, shown, split_lines(text), root, self.workspace.position_codec)
                self.text_document_publish_diagnostics(
                    lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))
        except (asyncio.CancelledError, _Stale):
            pass
        except Exception as exc:  # the editor must keep working; the message says why
            self.show_once(exc)
        finally:
            if self.pending.get(root) is asyncio.current_task():
                del self.pending[root]
            if self.stops.get(root) is stop:
                del self.stops[root]

    def forget(self, uri: str) -> None:
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # ---------------------------------------------------------------------------------- scanning

    def root_for(self, path: str) -> str:
        """The workspace folder holding ``path`` (the innermost), else the file's own project."""
        folders = [to_fs_path(f.uri) for f in self.workspace.folders.values()]
        folders.append(self.workspace.root_path)
        inside = [f for f in folders if f and _within(path, f)]
        return os.path.abspath(max(inside, key=len)) if inside else project_root(path)

    def open_documents(self, root: str) -> dict[str, tuple[str, int | None, str]]:
        """The open Python/TypeScript/JavaScript documents scanned with ``root``, by display path."""
        out = {}
        for document in list(self.workspace.text_documents.values()):
            path = to_fs_path(document.uri)
            if path and language_of(path) and self.root_for(os.path.abspath(path)) == root:
                out[display_path(path, root)] = (document.uri, document.version, document.source)
        return out

    def show_once(self, exc: Exception) -> None:
        from ..config import ConfigError
        from ..rules import RuleError

        if isinstance(exc, (ConfigError, RuleError)):
            message = f"toolsink: configuration error: {exc}"
        else:
            log.error("toolsink scan failed", exc_info=exc)
            message = f"toolsink: internal error: {type(exc).__name__}: {exc}"
        if message not in self.shown_errors:
            self.shown_errors.add(message)
            self.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=message))


class _Stale(Exception):
    """Raised inside a scan whose document changed meanwhile: its results would be thrown away."""


class _Units:
    """The per-component units of one project, kept for the session (:mod:`toolsink.unitcache`): an edit
    re-parses and re-analyses the components it touched. One scan at a time uses them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.store = None


def _scan(root: str, overrides: dict[str, bytes], stop: threading.Event | None = None, units: _Units | None = None):
    from ..cache import unit_base
    from ..config import load_config
    from ..scan import scan
    from ..unitcache import UnitStore

    def check(done: int, total: int, phase: str = "") -> None:
        if stop is not None and stop.is_set():
            raise _Stale()

    config = load_config(root)
    if units is None:
        return scan([root], config, root=root, overrides=overrides, progress=check)
    with units.lock:  # a stale scan still running stops at its next progress point
        check(0, 0)
        base = unit_base(config, root)
        if base is None:
            units.store = None
        elif units.store is None or units.store.base != base:  # a changed configuration or rule file
            units.store = UnitStore(base, keep_modules=True)
        analysis = scan([root], config, root=root, overrides=overrides, progress=check, store=units.store)
        if units.store is not None:
            units.store.forget_unused()
        return analysis


def _disk_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            return split_lines(fh.read())
    except OSError:
        return []


def split_lines(text: str) -> list[str]:
    """The document's lines as LSP counts them (``\\n``, ``\\r\\n`` and ``\\r`` end a line)."""
    return re.split(r"\r\n|\r|\n", text)


def _within(path: str, directory: str) -> bool:
    directory = os.path.abspath(directory)
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


# -------------------------------------------------------------------------------------- conversion


def _range(codec, lines: Sequence[str], line: int, col: int, end_line: int, end_col: int) -> lsp.Range:
    """An LSP range from toolsink's 1-based line and code-point column pairs."""
    start = lsp.Position(line=max(line - 1, 0), character=max(col - 1, 0))
    end = lsp.Position(line=max(end_line - 1, 0), character=max(end_col - 1, 0))
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return codec.range_to_client_units(lines, lsp.Range(start=start, end=end))


def to_diagnostics(analysis, shown: str, lines: Sequence[str], root: str, codec) -> list[lsp.Diagnostic]:
    """The LSP diagnostics of the document ``shown`` (its display path) from a project scan."""
    result = analysis.result
    by_path = analysis.project.by_path

    def lines_of(path: str) -> Sequence[str]:
        if path == shown:
            return lines
        module = by_path.get(path)
        if module is not None and module.lines:
            return module.lines
        return _disk_lines(os.path.join(root, path))  # a module of a reused component is not lowered

    out: list[lsp.Diagnostic] = []
    for f in result.findings:
        loc = f.location
        if loc.path != shown:
            continue
        related = [
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(
                    uri=from_fs_path(os.path.join(root, step.location.path)),
                    range=_range(codec, lines_of(step.location.path), step.location.line, step.location.col,
                                 step.location.end_line, step.location.end_col)),
                message=step.message)
            for step in f.trace
        ]
        out.append(lsp.Diagnostic(
            range=_range(codec, lines, loc.line, loc.col, loc.end_line, loc.end_col),
            message=f.message, severity=_SEVERITY.get(f.severity, lsp.DiagnosticSeverity.Error),
            code=f.rule, source=SOURCE, related_information=related or None,
            data={"fingerprint": f.fingerprint}))
    for d in result.diagnostics:
        if d.path != shown or d.code in _QUIET_DIAGNOSTICS:
            continue
        line, col = max(d.line, 1), max(d.col, 1)
        end_col = len(lines[line - 1]) + 1 if line <= len(lines) else col
        out.append(lsp.Diagnostic(
            range=_range(codec, lines, line, col, line, max(end_col, col)), message=d.message,
            severity=_SEVERITY.get(d.level, lsp.DiagnosticSeverity.Warning), code=d.code, source=SOURCE))
    return out


# -------------------------------------------------------------------------------------- quick fixes


def suppression_edit(lines: Sequence[str], line: int, rule: str, language: str, codec) -> lsp.TextEdit:
    """The edit that suppresses ``rule`` on 0-based ``line`` of a document of ``language``."""
    raw = lines[line] if line < len(lines) else ""
    text = raw.rstrip("\r\n")

    def at(index: int) -> lsp.Position:
        return codec.position_to_client_units(list(lines) or [""], lsp.Position(line=line, character=index))

    if language == "python":
        match = _NOQA_CODES.search(text)
        if match and match.group("colon"):  # "# noqa: E501" -> "# noqa: E501, MCP101"
            pos = at(match.end())
            return lsp.TextEdit(range=lsp.Range(start=pos, end=pos), new_text=f", {rule}")
        if match:  # a bare "# noqa" already silences flake8's checks; name ours
            pos = at(match.end())
            return lsp.TextEdit(range=lsp.Range(start=pos, end=pos), new_text=f": {rule}")
        pos = at(len(text))
        return lsp.TextEdit(range=lsp.Range(start=pos, end=pos), new_text=f"  # noqa: {rule}")
    indent = text[:len(text) - len(text.lstrip())]
    newline = "\r\n" if raw.endswith("\r\n") else "\n"
    start = lsp.Position(line=line, character=0)
    return lsp.TextEdit(range=lsp.Range(start=start, end=start),
                        new_text=f"{indent}// toolsink-ignore {rule}: <reason>{newline}")


def code_actions(server: ToolsinkServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    path = to_fs_path(uri) or ""
    language = language_of(path)
    if language is None or (uri not in server.workspace.text_documents and not os.path.isfile(path)):
        return []  # neither open nor on disk: nothing to edit
    document = server.workspace.get_text_document(uri)
    lines = document.lines
    actions: list[lsp.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        rule = str(diagnostic.code or "")
        if diagnostic.source != SOURCE or not rule.startswith("MCP"):
            continue
        edit = suppression_edit(lines, diagnostic.range.start.line, rule, language, server.workspace.position_codec)
        where = "with a `# noqa` comment" if language == "python" else "with a `toolsink-ignore` comment"
        actions.append(lsp.CodeAction(
            title=f"Suppress {rule} on this line {where}", kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[diagnostic], edit=lsp.WorkspaceEdit(changes={uri: [edit]})))
    return actions


# -------------------------------------------------------------------------------------- wiring


def build_server() -> ToolsinkServer:
    server = ToolsinkServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: ToolsinkServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: ToolsinkServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: ToolsinkServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ToolsinkServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    def code_action(ls: ToolsinkServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return code_actions(ls, params)

    return server


def main() -> int:
    """Run the language server on standard input and output until the client says ``exit``."""
    from .lsp_io import serve_stdio

    serve_stdio(build_server())
    return 0
