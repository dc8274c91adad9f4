"""Python fixes: the file is read once with :mod:`ast` (fast, and the check that it has no syntax error)
for its import bindings and the extent of its string expressions; each expression a fix edits (the call
of a finding, a model-visible string) is then parsed alone with libcst, which keeps comments and
formatting and gives exact positions. Whole-file libcst parsing with scope metadata took ~20 s for 200 kB
on the development machine, too slow to offer fixes on every scan.

A name resolves to an import only when every binding of it in the module is an import of the same thing
(``import yaml``, ``from yaml import load as l``): a name that is also assigned, defined or a parameter
anywhere in the module resolves to nothing, and then nothing is fixed.
"""

from __future__ import annotations

import ast
import warnings

import libcst as cst
from libcst.metadata import PositionProvider

from ..findings import Finding, Fix
from .invisible import invisible_fix, registration_text
from .literals import Piece, python_segments
from .text import LineTable

_AMBIGUOUS = ""


class _Bindings(ast.NodeVisitor):
    """Name -> what it is bound to by imports (dotted), or ``_AMBIGUOUS``; also ``from yaml import`` nodes."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.imports_from: dict[str, list[ast.ImportFrom]] = {}
        self.class_body = False  # names bound directly in a class body are the class's, not the module's

    def bind(self, name: str, target: str) -> None:
        if self.class_body:
            return
        if self.names.get(name, target) != target:
            target = _AMBIGUOUS
        self.names[name] = target

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            if a.asname:
                self.bind(a.asname, a.name)
            else:
                self.bind(a.name.split(".")[0], a.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            for a in node.names:
                self.bind(a.asname or a.name, _AMBIGUOUS)
            return
        if any(a.name == "*" for a in node.names):
            return
        self.imports_from.setdefault(node.module, []).append(node)
        for a in node.names:
            self.bind(a.asname or a.name, f"{node.module}.{a.name}")

    def visit_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load):
            self.bind(node.id, _AMBIGUOUS)

    def visit_arg(self, node: ast.arg) -> None:
        self.bind(node.arg, _AMBIGUOUS)
        self.generic_visit(node)

    def _named(self, node) -> None:
        self.bind(node.name, _AMBIGUOUS)
        outer, self.class_body = self.class_body, False
        self.generic_visit(node)
        self.class_body = outer

    visit_FunctionDef = visit_AsyncFunctionDef = _named

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.bind(node.name, _AMBIGUOUS)
        for child in (*node.bases, *node.keywords, *node.decorator_list):
            self.visit(child)
        outer, self.class_body = self.class_body, True
        for statement in node.body:
            self.visit(statement)
        self.class_body = outer

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bind(node.name, _AMBIGUOUS)
        self.generic_visit(node)

    def visit_Global(self, node) -> None:
        for n in node.names:
            self.bind(n, _AMBIGUOUS)

    visit_Nonlocal = visit_Global

    def visit_MatchAs(self, node) -> None:
        if node.name:
            self.bind(node.name, _AMBIGUOUS)
        self.generic_visit(node)

    visit_MatchStar = visit_MatchAs


class PyFile:
    """What the Python fix kinds ask of one file."""

    def __init__(self, path: str, text: str, tree: ast.Module) -> None:
        self.path = path
        base = 1 if text.startswith("\ufeff") else 0
        self.table = LineTable(text[base:], base)
        bindings = _Bindings()
        bindings.visit(tree)
        self.bindings = bindings.names
        self.imports_from = bindings.imports_from
        self.tree = tree

    def char_offset(self, line: int, byte_col: int) -> int:
        """File offset of an :mod:`ast` position (columns there are UTF-8 bytes)."""
        starts = self.table.starts
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.table.text)
        return self.table.base + start + len(self.table.text[start:end].encode("utf-8")[:byte_col].decode("utf-8",
                                                                                                        "ignore"))

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """The dotted import name a libcst ``Name``/``Attribute`` chain stands for, when unambiguous."""
        if isinstance(node, cst.Name):
            return self.bindings.get(node.value) or None
        if isinstance(node, cst.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr.value}" if base else None
        return None

    def snippet(self, start: int, end: int) -> "Snippet | None":
        try:
            return Snippet(self, start, end)
        except (cst.ParserSyntaxError, RecursionError, ValueError):
            return None


class Snippet:
    """One expression of the file (offsets ``start:end``) parsed alone with libcst, in parentheses."""

    def __init__(self, file: PyFile, start: int, end: int) -> None:
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


def _string_expressions(tree: ast.Module):
    """Outermost string expressions (``Constant`` str and f-strings) with their line ranges."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            yield node
            continue
        stack.extend(ast.iter_child_nodes(node))


def _pieces(file: PyFile, node: ast.expr) -> list[Piece]:
    start = file.char_offset(node.lineno, node.col_offset)
    end = file.char_offset(node.end_lineno, node.end_col_offset)
    snippet = file.snippet(start, end)
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


def _string_pieces(file: PyFile, findings: list[Finding], registrations) -> list[Piece]:
    lines = set()
    for f in findings:
        found = registration_text(f, registrations) if f.rule == "MCP201" else None
        if found is not None:
            lines.add(found[1])
    if not lines:
        return []
    out: list[Piece] = []
    for node in _string_expressions(file.tree):
        if any(node.lineno <= line <= node.end_lineno for line in lines):
            out.extend(_pieces(file, node))
    return out


def python_fixes(path: str, text: str, findings: list[Finding], registrations) -> dict[int, Fix]:
    """Fixes for ``findings`` (all in ``path``) by their index in the list."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text[1:] if text.startswith("\ufeff") else text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}  # a file with a syntax error gets no fix
    file = PyFile(path, text, tree)
    from .shell_list import shell_fix
    from .yaml_load import yaml_fix

    pieces = _string_pieces(file, findings, registrations)
    out: dict[int, Fix] = {}
    for k, f in enumerate(findings):
        fix = None
        if f.rule == "MCP201":
            fix = invisible_fix(path, file.table, pieces, f, registrations)
        else:
            loc = f.location
            start = file.table.offset(loc.line, loc.col - 1)
            end = file.table.offset(loc.end_line, loc.end_col - 1)
            snippet = file.snippet(start, end)
            if snippet is not None and isinstance(snippet.node, cst.Call):
                fix = yaml_fix(snippet) if f.rule == "MCP107" else shell_fix(snippet)
        if fix is not None:
            out[k] = fix
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
