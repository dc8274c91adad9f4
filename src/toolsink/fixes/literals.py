"""String literals as fixes see them: the literal's body cut into segments, each a piece of source text and
the characters it stands for (``\\u200b`` is one segment standing for U+200B), so that removing characters
from the value is removing segments from the source, quotes, prefixes and other escapes untouched.

The syntax trees give the literals and their body ranges (libcst for Python, tree-sitter for TypeScript);
the segmenting here only reads the text of one literal body.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass

from ..frontends.ts_literals import decode_escape

_PY_ESCAPE = re.compile(r"\\(?:\r\n|N\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)",
                        re.S)


@dataclass(frozen=True, slots=True)
class Segment:
    source: str  # as written
    value: str  # what it stands for


@dataclass(slots=True)
class Piece:
    """One literal's body: file offsets of the body, its segments, and the string expression it belongs to
    (``group``: the first and last line of the whole, e.g. implicitly concatenated, expression)."""

    start: int
    end: int
    segments: list[Segment]
    group: tuple[int, int]
    python_quote: str = ""  # Python: prefix + quote, to check the edited literal (empty for f-string parts)

    @property
    def value(self) -> str:
        return "".join(s.value for s in self.segments)


def _py_escape_value(escape: str) -> str | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = ast.literal_eval('"' + escape + '"') if escape != '\\"' else '"'
        except (SyntaxError, ValueError):
            return None
    return value if isinstance(value, str) else None


def python_segments(body: str, raw: bool, fstring: bool) -> list[Segment] | None:
    """Segments of a Python literal body; None when the body is not understood (then nothing is fixed)."""
    out: list[Segment] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if fstring and body.startswith(("{{", "}}"), i):
            out.append(Segment(body[i:i + 2], ch))
            i += 2
            continue
        if ch == "\\" and not raw:
            m = _PY_ESCAPE.match(body, i)
            if m is None:
                return None
            value = _py_escape_value(m.group())
            if value is None:
                return None
            out.append(Segment(m.group(), value))
            i = m.end()
            continue
        if ch == "\\" and raw and i + 1 < len(body):  # r"\"" : the backslash keeps the quote in the body
            out.append(Segment(body[i:i + 2], body[i:i + 2]))
            i += 2
            continue
        out.append(Segment(ch, ch))
        i += 1
    return out


def js_segments(body: str, escapes: list[tuple[int, int]]) -> list[Segment]:
    """Segments of a JS string or template body; ``escapes`` are the tree's escape_sequence ranges, relative
    to the body, in characters."""
    out: list[Segment] = []
    i = 0
    for start, end in sorted(escapes):
        out.extend(Segment(c, c) for c in body[i:start])
        text = body[start:end]
        out.append(Segment(text, decode_escape(text)))
        i = end
    out.extend(Segment(c, c) for c in body[i:])
    return out


def check_python_literal(quote: str, body: str, expected: str) -> bool:
    """The edited literal ``quote + body + closing quote`` means ``expected``."""
    prefix = quote.rstrip("'\"")
    closing = quote[len(prefix):]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.literal_eval(quote + body + closing) == expected
        except (SyntaxError, ValueError):
            return False
