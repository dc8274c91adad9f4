"""What every tree-sitter frontend shares: positions, source lines, comments and syntax-error diagnostics.

tree-sitter reports UTF-8 byte columns; the IR counts 1-based Unicode code points. :class:`Positions`
converts, with a fast path for ASCII sources (almost all code).
"""

from __future__ import annotations

import os

from .. import ir

STRICT = os.environ.get("TOOLSINK_STRICT") == "1"  # tests: unknown syntax raises instead of degrading


class UnknownSyntax(Exception):
    pass


class Positions:
    __slots__ = ("ascii", "raw_lines")

    def __init__(self, source: bytes) -> None:
        self.ascii = source.isascii()
        self.raw_lines = source.split(b"\n")

    def col(self, row: int, byte_col: int) -> int:
        if self.ascii or row >= len(self.raw_lines):
            return byte_col + 1
        return len(self.raw_lines[row][:byte_col].decode("utf-8", "replace")) + 1

    def span(self, node) -> ir.Span:
        (r0, c0), (r1, c1) = node.start_point, node.end_point
        if self.ascii:
            return ir.Span(r0 + 1, c0 + 1, r1 + 1, c1 + 1)
        return ir.Span(r0 + 1, self.col(r0, c0), r1 + 1, self.col(r1, c1))


def source_lines(source: bytes) -> tuple[str, ...]:
    return tuple(source.decode("utf-8", "replace").splitlines())


def syntax_diagnostics(path: str, root, positions: Positions, limit: int = 3) -> list[ir.Diagnostic]:
    """Diagnostics for the first few ERROR/MISSING nodes of a tree that ``has_error``."""
    out: list[ir.Diagnostic] = []
    if not root.has_error:
        return out
    stack = [root]
    while stack and len(out) < limit:
        node = stack.pop()
        if node.is_error or node.is_missing:
            row, col = node.start_point
            what = f"missing `{node.type}`" if node.is_missing else "syntax error"
            out.append(
                ir.Diagnostic(
                    path,
                    f"{what} at line {row + 1}, column {positions.col(row, col)}; analysed what could be parsed",
                    "syntax-error", row + 1, positions.col(row, col),
                )
            )
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return out


_COMMENT_QUERIES: dict[int, object] = {}


def collect_comments(root, language, comment_type: str = "comment") -> dict[int, str]:
    """Line -> comment text, with a tree-sitter query (the walk runs in C)."""
    from tree_sitter import Query, QueryCursor

    key = id(language)
    query = _COMMENT_QUERIES.get(key)
    if query is None:
        query = _COMMENT_QUERIES[key] = Query(language, f"({comment_type}) @c")
    comments: dict[int, str] = {}
    for node in QueryCursor(query).captures(root).get("c", ()):
        comments.setdefault(node.start_point[0] + 1, node.text.decode("utf-8", "replace"))
    return comments
