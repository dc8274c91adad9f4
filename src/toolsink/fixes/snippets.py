"""The libcst side of the Python fixes: one expression of the file parsed alone (:class:`Snippet`), the
string literals of a model-visible string expression, removing a call argument without deleting a
comment, and the dispatch of a finding's call to its fix kind."""

from __future__ import annotations

import ast

import libcst as cst
from libcst.metadata import PositionProvider

from ..findings import Fix
from .literals import Piece, python_segments
from .text import LineTable


def resolve(file, node: cst.BaseExpression) -> str | None:
    """The dotted import name a libcst ``Name``/``Attribute`` chain stands for, when unambiguous."""
    if isinstance(node, cst.Name):
        return file.bindings.get(node.value) or None
    if isinstance(node, cst.Attribute):
        base = resolve(file, node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


class Snippet:
    """One expression of the file (offsets ``start:end``) parsed alone with libcst, in parentheses."""

    def __init__(self, file, start: int, end: int) -> None:
        self.file = file
        self.start = start
        source = "(" + file.table.text[start - file.table.base:end - file.table.base] + ")\n"
        module = cst.parse_module(source)
        statement = module.body[0]
        if not isinstance(statement, cst.SimpleStatementLine) or not isinstance(statement.body[0], cst.Expr):
            raise ValueError("not an expression")
        self.node = statement.body[0].value
        wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
        self.positions = wrapper.resolve(PositionProvider)
        self.local = LineTable(source)

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        """File offsets of ``node`` (a node of this snippet)."""
        r = self.positions[node]
        shift = self.start - 1  # the opening parenthesis
        return (shift + self.local.offset(r.start.line, r.start.column),
                shift + self.local.offset(r.end.line, r.end.column))


def parse_snippet(file, start: int, end: int) -> Snippet | None:
    try:
        return Snippet(file, start, end)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None


def call_fix(file, start: int, end: int, rule: str) -> Fix | None:
    """The fix of the call at ``start:end`` for a finding of ``rule``."""
    snippet = parse_snippet(file, start, end)
    if snippet is None or not isinstance(snippet.node, cst.Call):
        return None
    if rule == "MCP107":
        from .yaml_load import yaml_fix

        return yaml_fix(snippet)
    from .shell_list import shell_fix

    return shell_fix(snippet)


def string_pieces(file, node: ast.expr) -> list[Piece]:
    start = file.char_offset(node.lineno, node.col_offset)
    end = file.char_offset(node.end_lineno, node.end_col_offset)
    snippet = parse_snippet(file, start, end)
    if snippet is None:
        return []
    group = (node.lineno, node.end_lineno)
    out: list[Piece] = []
    value = snippet.node
    parts = [value]
    while parts:
        part = parts.pop(0)
        if isinstance(part, cst.ConcatenatedString):
            parts[:0] = [part.left, part.right]
        elif isinstance(part, cst.SimpleString) and "b" not in part.prefix.lower():
            prefix, quote = part.prefix, part.quote
            s, e = snippet.span(part)
            body = part.value[len(prefix) + len(quote):len(part.value) - len(quote)]
            segments = python_segments(body, "r" in prefix.lower(), fstring=False)
            if segments is not None:
                out.append(Piece(s + len(prefix) + len(quote), e - len(quote), segments, group, prefix + quote))
        elif isinstance(part, cst.FormattedString):
            raw = "r" in part.prefix.lower()
            for text_part in part.parts:
                if isinstance(text_part, cst.FormattedStringText):
                    s, e = snippet.span(text_part)
                    segments = python_segments(text_part.value, raw, fstring=True)
                    if segments is not None:
                        out.append(Piece(s, e, segments, group))
    return out


def remove_argument(snippet: Snippet, at: int):
    """The edit that removes argument ``at`` of the snippet's call, or None when that would delete a comment.

    An argument on a line of its own loses the line (a comment after it stays on that line); otherwise
    the last argument goes from the end of the one before it, and any other up to the next argument."""
    file, args = snippet.file, list(snippet.node.args)
    table = file.table
    text, base = table.text, table.base
    start, _ = snippet.span(args[at])
    _, end = snippet.span(args[at].value)
    after = end - base
    while after < len(text) and text[after] in " \t":
        after += 1
    if after < len(text) and text[after] == ",":
        after += 1
    line_start = text.rfind("\n", 0, start - base) + 1
    line_end = len(text) if text.find("\n", after) < 0 else text.find("\n", after)
    rest = text[after:line_end].strip()
    if not text[line_start:start - base].strip() and at > 0 and (not rest or rest.startswith("#")):
        if not rest:  # the whole line goes
            return table.edit(file.path, base + line_start, base + min(line_end + 1, len(text)), "")
        return table.edit(file.path, start, base + after + (len(text[after:line_end]) -
                                                            len(text[after:line_end].lstrip())), "")
    if at == len(args) - 1 and at > 0:
        _, start = snippet.span(args[at - 1].value)
    elif at < len(args) - 1:
        end, _ = snippet.span(args[at + 1])
    else:
        return None
    if "#" in text[start - base:end - base]:
        return None
    return table.edit(file.path, start, end, "")
