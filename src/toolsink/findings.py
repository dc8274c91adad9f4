"""Findings: the frozen records every analysis produces and every reporter formats.

A :class:`Finding` names the rule, the entry point (tool/resource/prompt) and the argument it came from,
the sink, and the trace between them. Its fingerprint is built from what the finding *is* (rule, file,
entry point, argument, sink callee, the sink's line text with whitespace folded) and never from line
numbers, so it survives code moving (the way Semgrep's match-based ids do).

A finding may carry a :class:`Fix` (computed by :mod:`toolsink.fixes` after the scan): the edits that make
the finding go away without judgement, which ``toolsink scan --fix`` applies and ``--diff`` shows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Location:
    path: str  # relative to the scan root, forward slashes
    line: int  # 1-based
    col: int  # 1-based, Unicode code points
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One hop of a trace: ``kind`` is "source", "step" or "sink"; ``message`` says what happened."""

    kind: str
    message: str
    location: Location


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the characters ``start:end`` of the file's text (also given as ``location``) with ``text``."""

    location: Location  # the replaced region; end_col is exclusive
    start: int  # offsets into the decoded text of the file
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe edit: its ``kind`` (``yaml-safe-load``, ``remove-invisible``, ``drop-shell``), a one-line
    description, and the edits, all in the finding's file."""

    kind: str
    message: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # "MCP101"
    name: str  # rule name, "tool-argument-to-shell"
    message: str
    severity: str  # "error" | "warning" | "note"
    location: Location  # the sink
    entry: str = ""  # "tool run_command" / "resource file://{path}" / "prompt summarize"
    argument: str = ""  # the tool argument the taint came from
    sink: str = ""  # the callee that receives it, e.g. "subprocess.run"
    trace: tuple[TraceStep, ...] = ()
    notes: tuple[str, ...] = ()  # why a guard did not count, ...
    snippet: str = ""  # the sink line, stripped
    extra: tuple[tuple[str, str], ...] = field(default=())
    fix: Fix | None = None  # never part of the fingerprint

    @property
    def fingerprint(self) -> str:
        basis = "\x1f".join(
            (self.rule, self.location.path, self.entry, self.argument, self.sink, " ".join(self.snippet.split()))
        )
        return hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()[:32]  # a non-UTF-8 file name

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.col, self.rule, self.argument)
