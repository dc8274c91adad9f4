"""Grammars, parsing and the module a file becomes: :func:`parse` runs tree-sitter and the :class:`Lowerer`,
and turns syntax errors into diagnostics."""

from __future__ import annotations

import os
from functools import lru_cache

from ... import ir
from ..common import source_lines
from .lowerer import Lowerer


# --------------------------------------------------------------------------------------------------
# grammars


@lru_cache(maxsize=None)
def _language(grammar: str):
    from tree_sitter import Language

    if grammar == "javascript":
        import tree_sitter_javascript

        return Language(tree_sitter_javascript.language())
    import tree_sitter_typescript

    if grammar == "tsx":
        return Language(tree_sitter_typescript.language_tsx())
    return Language(tree_sitter_typescript.language_typescript())


@lru_cache(maxsize=None)
def _parser(grammar: str):
    from tree_sitter import Parser

    return Parser(_language(grammar))


@lru_cache(maxsize=None)
def _comment_query(grammar: str):
    from tree_sitter import Query

    return Query(_language(grammar), "(comment) @comment")


def _comments(grammar: str, root) -> dict[int, str]:
    """Line -> comment text. A query runs in C, several times faster than walking every node in Python."""
    from tree_sitter import QueryCursor

    found = QueryCursor(_comment_query(grammar)).captures(root).get("comment", [])
    comments: dict[int, str] = {}
    for node in sorted(found, key=lambda n: n.start_byte):
        comments.setdefault(node.start_point[0] + 1, node.text.decode("utf-8", "replace"))
    return comments



def parse(path: str, source: bytes, language: str = "typescript") -> ir.Module:
    """Lower one TypeScript (``"typescript"``, ``"tsx"``) or JavaScript (``"javascript"``) file."""
    grammar = language if language in ("typescript", "tsx", "javascript") else "typescript"
    tree = _parser(grammar).parse(source)
    root = tree.root_node
    strict = os.environ.get("TOOLSINK_STRICT") == "1"
    lowerer = Lowerer(path, source, strict)
    body = lowerer.lower_program(root)
    module = ir.Module(
        path=path,
        language="javascript" if grammar == "javascript" else "typescript",
        body=body,
        lines=source_lines(source),
        comments=_comments(grammar, root),
        diagnostics=_syntax_diagnostics(path, root, lowerer.pos) if root.has_error else [],
        functions=lowerer.functions,
        classes=lowerer.classes,
    )
    for fn in module.functions:
        fn.module = module
    for cls in module.classes:
        cls.module = module
    return module


def _error_points(node, out: list, limit: int) -> None:
    """Where the parser gave up, in source order: a MISSING node, or a token it had to skip.

    tree-sitter often wraps a whole file in one ERROR node that starts at line 1 and also holds every
    good statement; the position worth reporting is the first skipped token or nested error inside it.
    """
    for child in node.children:
        if len(out) >= limit:
            return
        if child.is_missing:
            out.append((child, f"missing `{child.type}`"))
        elif child.type == "ERROR" or child.has_error:
            before = len(out)
            _error_points(child, out, limit)
            if len(out) == before and child.type == "ERROR":
                out.append((child, "syntax error"))
        elif node.type == "ERROR" and not child.is_named:
            out.append((child, "syntax error"))


def _syntax_diagnostics(path: str, root, positions, limit: int = 1) -> list[ir.Diagnostic]:
    points: list = []
    _error_points(root, points, limit)
    if not points and root.has_error:
        points.append((root, "syntax error"))
    out = []
    for node, what in points:
        row, col = node.start_point
        line, column = row + 1, positions.col(row, col)
        out.append(ir.Diagnostic(path, f"{what} at line {line}, column {column}; analysed what could be parsed",
                                 "syntax-error", line, column))
    return out
