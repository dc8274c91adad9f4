"""The flake8 plugin: toolsink findings as flake8 errors (``MCP101 ...``) for the files flake8 checks.

flake8 hands a plugin one file at a time, but a flow from a tool argument to a sink often crosses
modules, so the plugin scans the file's whole project (see :func:`toolsink.integrations.project_root`)
and reports the findings located in that file. The project scan is cached per root in this process, so
a run over many files scans once (flake8's worker processes each keep their own cache).

The cached scan read the files from disk. When the text flake8 hands over differs from the file on disk
(``flake8 -`` with ``--stdin-display-name``, an editor running flake8 on a buffer), the project is scanned
again with that text as an override. ``# noqa: MCP101`` and ``# flake8: noqa`` are left to flake8, as other
plugins do, so ``flake8 --disable-noqa`` shows what they hide; toolsink's own comments
(``toolsink-ignore``, ``# toolsink: noqa``) and ``per-file-ignores`` still apply.
"""

from __future__ import annotations

import ast
import os
from typing import Iterator

from .. import __version__
from . import display_path, project_root

_ANALYSES: dict[str, object] = {}  # project root -> Analysis of the files on disk
_STDIN_NAMES = ("stdin", "-")


def _scan(root: str, overrides: dict[str, bytes] | None = None, extra: tuple[str, ...] = ()):
    from ..config import load_config
    from ..scan import scan

    config = load_config(root)
    config.inline_noqa = False
    return scan([root, *extra], config, root=root, overrides=overrides)


def _project(root: str):
    analysis = _ANALYSES.get(root)
    if analysis is None:
        analysis = _ANALYSES[root] = _scan(root)
    return analysis


def _on_disk(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return _normalized(handle.read())
    except OSError:
        return None


def _normalized(data: bytes) -> bytes:
    """Bytes as flake8 presents a file's lines: no BOM, universal newlines."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


class Plugin:
    """flake8 calls ``Plugin(tree, filename, lines).run()`` for each file; ``tree`` is unused."""

    name = "toolsink"
    version = __version__

    def __init__(self, tree: ast.AST | None = None, filename: str = "stdin", lines: list[str] | None = None):
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        path = os.path.abspath(os.getcwd() if self.filename in _STDIN_NAMES else self.filename)
        root = project_root(path)
        if self.filename in _STDIN_NAMES:
            path = os.path.join(root, "stdin.py")
        shown = display_path(path, root)
        text = _normalized("".join(self.lines).encode("utf-8")) if self.lines is not None else _on_disk(path)
        analysis = _project(root)
        if shown not in analysis.project.by_path or text != _on_disk(path):
            # The text is not what the cached scan read (unsaved, stdin, or a file the project walk skips).
            extra = (path,) if os.path.isfile(path) else ()
            analysis = _scan(root, {shown: text} if text is not None else None, extra)
        for finding in analysis.result.findings:
            if finding.location.path == shown:
                yield finding.location.line, finding.location.col - 1, f"{finding.rule} {finding.message}", type(self)
