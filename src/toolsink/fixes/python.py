"""Python fixes: the file is read once with :mod:`ast` (fast, and the check that it has no syntax error)
for its import bindings and the extent of its string expressions; each expression a fix edits (the call
of a finding, a model-visible string) is then parsed alone with libcst, which keeps comments and
formatting and gives exact positions. Whole-file libcst parsing with scope metadata took ~20 s for 200 kB
on the development machine, too slow to offer fixes on every scan.

libcst is imported only when an expression has to be edited (importing it takes about 0.5 s).

A name resolves to an import only when every binding of it in the module is an import of the same thing
(``import yaml``, ``from yaml import load as l``): a name that is also assigned, defined or a parameter
anywhere in the module resolves to nothing, and then nothing is fixed.
"""

from __future__ import annotations

import ast
import warnings

from ..findings import Finding, Fix
from ..metadata.hidden import hidden_positions
from .invisible import invisible_fix, registration_texts
from .literals import Piece
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
        self._calls: dict[tuple[int, int], ast.Call] | None = None

    def call_at(self, line: int, col: int) -> ast.Call | None:
        """The call expression starting at 1-based ``line`` and code-point column ``col``."""
        if self._calls is None:
            self._calls = {}
            for node in ast.walk(self.tree):
                if isinstance(node, ast.Call):
                    offset = self.char_offset(node.lineno, node.col_offset)
                    self._calls[self.table.position(offset)] = node
        return self._calls.get((line, col))

    def char_offset(self, line: int, byte_col: int) -> int:
        """File offset of an :mod:`ast` position (columns there are UTF-8 bytes)."""
        starts = self.table.starts
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.table.text)
        return self.table.base + start + len(self.table.text[start:end].encode("utf-8")[:byte_col].decode("utf-8",
                                                                                                        "ignore"))



def _string_expressions(tree: ast.Module):
    """Outermost string expressions (``Constant`` str and f-strings) with their line ranges."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            yield node
            continue
        stack.extend(ast.iter_child_nodes(node))


def _hides(node: ast.expr) -> bool:
    """The string expression's literal text holds characters MCP201 reports (checked before libcst)."""
    if isinstance(node, ast.Constant):
        return bool(hidden_positions(node.value))
    return any(isinstance(v, ast.Constant) and isinstance(v.value, str) and hidden_positions(v.value)
               for v in node.values)


def _string_pieces(file: PyFile, findings: list[Finding], registrations) -> list[Piece]:
    lines = {line for f in findings if f.rule == "MCP201" for _, line in registration_texts(f, registrations)}
    if not lines:
        return []
    from .snippets import string_pieces

    out: list[Piece] = []
    for node in _string_expressions(file.tree):
        if any(node.lineno <= line <= node.end_lineno for line in lines) and _hides(node):
            out.extend(string_pieces(file, node))
    return out


def _parse(source: str, path: str, mode: str = "exec"):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source, path, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _list_command(table: LineTable, loc, path: str) -> bool:
    """The call at ``loc`` has a list or tuple literal as its first argument (only such a command can lose
    ``shell=True``). The call alone is parsed: most shell findings are string commands, and parsing the
    whole file for them cost as much as the scan on a 500 kB file."""
    start = table.offset(loc.line, loc.col - 1) - table.base
    end = table.offset(loc.end_line, loc.end_col - 1) - table.base
    tree = _parse("(" + table.text[start:end] + ")", path, "eval")
    call = tree.body if tree is not None else None
    return isinstance(call, ast.Call) and bool(call.args) and isinstance(call.args[0], (ast.List, ast.Tuple))


def python_fixes(path: str, text: str, findings: list[Finding], registrations) -> dict[int, Fix]:
    """Fixes for ``findings`` (all in ``path``) by their index in the list."""
    base = 1 if text.startswith("\ufeff") else 0
    table = LineTable(text[base:], base)
    wanted = [k for k, f in enumerate(findings)
              if f.rule in ("MCP201", "MCP107") or _list_command(table, f.location, path)]
    if not wanted:
        return {}
    tree = _parse(text[base:], path)
    if tree is None:
        return {}  # a file with a syntax error gets no fix
    file = PyFile(path, text, tree)
    pieces = _string_pieces(file, [findings[k] for k in wanted], registrations)
    out: dict[int, Fix] = {}
    for k in wanted:
        f = findings[k]
        if f.rule == "MCP201":
            fix = invisible_fix(path, file.table, pieces, f, registrations)
        else:
            loc = f.location
            if file.call_at(loc.line, loc.col) is None:
                continue  # the finding is not at a call of this file as Python parses it
            from .snippets import call_fix

            start = file.table.offset(loc.line, loc.col - 1)
            end = file.table.offset(loc.end_line, loc.end_col - 1)
            fix = call_fix(file, start, end, f.rule)
        if fix is not None:
            out[k] = fix
    return out
