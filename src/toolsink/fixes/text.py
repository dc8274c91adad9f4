"""Positions in a file's text for fixes: line/column <-> character offsets, and :class:`Edit` building.

Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` (as Python's and tree-sitter's tokenizers see them); columns
count Unicode code points, 1-based in :class:`~toolsink.findings.Location`.
"""

from __future__ import annotations

import bisect
import re

from ..findings import Edit, Location

_NEWLINE = re.compile(r"\r\n|\r|\n")


class LineTable:
    """Character offset of each line's start in ``text``."""

    def __init__(self, text: str, base: int = 0) -> None:
        self.text = text
        self.base = base  # characters before ``text`` in the file (a byte order mark)
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def offset(self, line: int, col0: int) -> int:
        """Offset of 1-based ``line``, 0-based column ``col0`` (in the file, ``base`` included)."""
        return self.base + self.starts[line - 1] + col0

    def position(self, offset: int) -> tuple[int, int]:
        """(1-based line, 1-based column) of a file offset."""
        local = offset - self.base
        line = max(bisect.bisect_right(self.starts, local) - 1, 0)
        return line + 1, local - self.starts[line] + 1

    def edit(self, path: str, start: int, end: int, text: str) -> Edit:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Edit(Location(path, line, col, end_line, end_col), start, end, text)
