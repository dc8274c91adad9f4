"""Fix kind ``remove-invisible`` (MCP201): drop the invisible characters MCP201 reports from the string
literals that make up the reported model-visible text.

The literal is found from the finding's registration text: a literal of the string expression that starts
at (or spans) the text's line, whose value is part of that text and holds hidden characters. What counts
as hidden is :func:`toolsink.metadata.hidden.hidden_positions`, the same positions MCP201 reports.
Quotes, prefixes and other escapes stay as written; in an f-string or a concatenation only the literal
parts change.
"""

from __future__ import annotations

from ..findings import Finding, Fix
from ..metadata.hidden import hidden_positions
from .literals import Piece, check_python_literal
from .text import LineTable

KIND = "remove-invisible"


def registration_texts(finding: Finding, registrations) -> list[tuple[str, int]]:
    """The model-visible (text, line) pairs the MCP201 finding may be about: the texts of its registration
    with its ``where`` ("description", "parameter `mode` enum value" ...) at its line that hide characters
    (several enum values can share a line)."""
    out = []
    for reg in registrations:
        if reg.path != finding.location.path or f"{reg.kind} {reg.name}" != finding.entry:
            continue
        for where, text, line in reg.texts:
            if (where == finding.argument and line <= finding.location.line <= line + text.count("\n")
                    and hidden_positions(text)):
                out.append((text, line))
    return out


def _edited_body(piece: Piece) -> tuple[str, str] | None:
    """(new body source, new value) without the hidden characters; None when there are none."""
    value = piece.value
    hidden = set(hidden_positions(value))
    if not hidden:
        return None
    body, kept, at = [], [], 0
    for seg in piece.segments:
        span = range(at, at + len(seg.value))
        at += len(seg.value)
        if seg.value and all(i in hidden for i in span):
            continue
        body.append(seg.source)
        kept.append(seg.value)
    return "".join(body), "".join(kept)


def invisible_fix(path: str, table: LineTable, pieces: list[Piece], finding: Finding, registrations) -> Fix | None:
    texts = registration_texts(finding, registrations)
    edits = []
    for piece in pieces:
        first, last = piece.group
        value = piece.value
        if not value or not any(first <= line <= last and value in text for text, line in texts):
            continue
        edited = _edited_body(piece)
        if edited is None:
            continue
        body, new_value = edited
        if piece.python_quote and not check_python_literal(piece.python_quote, body, new_value):
            return None
        edits.append(table.edit(path, piece.start, piece.end, body))
    if not edits:
        return None
    return Fix(KIND, "Remove the invisible characters", tuple(edits))
