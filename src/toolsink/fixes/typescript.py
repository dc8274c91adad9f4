"""TypeScript/JavaScript fixes: only ``remove-invisible`` (MCP201), on a plain string literal or a template
literal without substitutions, edited on the ranges of the tree-sitter tree (the grammars the
TypeScript frontend parses with). A file with a syntax error gets no fix.
"""

from __future__ import annotations

from ..discover import language_of
from ..findings import Finding, Fix
from ..frontends.typescript.parser import _parser
from .invisible import invisible_fix
from .literals import Piece, js_segments
from .text import LineTable

_GROUPING = {"parenthesized_expression"}


def _char_offsets(source: bytes, text: str):
    """byte offset -> character offset."""
    if len(source) == len(text):
        return lambda b: b
    table = [0] * (len(source) + 1)
    b = 0
    for i, ch in enumerate(text):
        n = len(ch.encode("utf-8", "surrogatepass"))
        for k in range(n):
            table[b + k] = i
        b += n
    table[b] = len(text)
    return table.__getitem__


def _group(node) -> tuple[int, int]:
    """First and last line of the string expression ``node`` is part of (``"a" + "b"``, parentheses)."""
    top = node
    while top.parent is not None and (
        top.parent.type in _GROUPING
        or (top.parent.type == "binary_expression" and top.parent.child_by_field_name("operator") is not None
            and top.parent.child_by_field_name("operator").type == "+")
    ):
        top = top.parent
    return top.start_point[0] + 1, top.end_point[0] + 1


def _pieces(root, source: bytes, text: str) -> list[Piece]:
    at = _char_offsets(source, text)
    out: list[Piece] = []
    stack = [root]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in ("string", "template_string"):
            children = node.children
            if kind == "template_string" and any(c.type == "template_substitution" for c in children):
                continue
            if len(children) < 2:
                continue
            start, end = at(children[0].end_byte), at(children[-1].start_byte)
            escapes = [(at(c.start_byte) - start, at(c.end_byte) - start) for c in children
                       if c.type == "escape_sequence"]
            out.append(Piece(start, end, js_segments(text[start:end], escapes), _group(node)))
            continue
        stack.extend(node.children)
    return out


def typescript_fixes(path: str, text: str, findings: list[Finding], registrations) -> dict[int, Fix]:
    language = language_of(path) or "typescript"
    grammar = language if language in ("typescript", "tsx", "javascript") else "typescript"
    source = text.encode("utf-8")
    tree = _parser(grammar).parse(source)
    if tree.root_node.has_error:
        return {}
    pieces = _pieces(tree.root_node, source, text)
    table = LineTable(text)
    out: dict[int, Fix] = {}
    for k, f in enumerate(findings):
        if f.rule == "MCP201":
            fix = invisible_fix(path, table, pieces, f, registrations)
            if fix is not None:
                out[k] = fix
    return out
