"""The TypeScript and JavaScript frontend: a tree-sitter tree of a .ts/.tsx/.js file becomes an ``ir.Module``.

This module owns how TypeScript, TSX and JavaScript (ESM and CommonJS) are lowered into the IR, so the
one taint engine can read Node MCP servers exactly the way it reads Python ones:

- ES imports, ``require``, ``import x = require()`` and ``await import()`` bound to a name become
  :class:`ir.Import` (a ``node:`` prefix is dropped, so ``node:child_process`` and ``child_process`` are one
  module); ``export``/``module.exports`` become :class:`ir.Export`.
- Methods get a synthetic first parameter ``this`` of kind ``"self"``, which the engine treats like
  Python's ``self``; class fields and constructor parameter properties become ``this.x = ...``.
- Destructured parameters become a synthetic parameter ``$arg{i}`` and a destructuring assignment at the
  top of the body; template literals and string ``+`` become :class:`ir.StrBuild`; ``switch`` becomes
  :class:`ir.Switch` with empty cases merged into the case they fall into.
- Type-only syntax (interfaces, type aliases, ``as``/``!``/``satisfies``) disappears; annotations are kept as
  plain expressions for ``Param.annotation``.

It never raises on bad input: ERROR nodes are mined for the statements and expressions they still hold,
syntax errors become diagnostics, and syntax it does not model becomes :class:`ir.Unknown` with its child
expressions (``TOOLSINK_STRICT=1`` makes that raise, for tests).
"""

from __future__ import annotations

import os
from functools import lru_cache

from .. import ir
from .common import Positions, UnknownSyntax, source_lines
from .ts_literals import decode_escape, join_surrogates, number_value

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


class _Positions(Positions):
    """Byte columns -> code-point columns, per row: ASCII rows of a non-ASCII file take the fast path too."""

    __slots__ = ("row_ascii",)

    def __init__(self, source: bytes) -> None:
        super().__init__(source)
        self.row_ascii = [True] if self.ascii else [line.isascii() for line in self.raw_lines]

    def col(self, row: int, byte_col: int) -> int:
        if self.ascii or row >= len(self.raw_lines) or self.row_ascii[row]:
            return byte_col + 1
        return len(self.raw_lines[row][:byte_col].decode("utf-8", "replace")) + 1


def parse(path: str, source: bytes, language: str = "typescript") -> ir.Module:
    """Lower one TypeScript (``"typescript"``, ``"tsx"``) or JavaScript (``"javascript"``) file."""
    grammar = language if language in ("typescript", "tsx", "javascript") else "typescript"
    tree = _parser(grammar).parse(source)
    root = tree.root_node
    strict = os.environ.get("TOOLSINK_STRICT") == "1"
    lowerer = _Lowerer(path, source, strict)
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


# --------------------------------------------------------------------------------------------------
# node classification

_COMPARE_OPS = {
    "===": "==", "==": "==", "!==": "!=", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=",
    "in": "in", "instanceof": "is",
}
_BOOL_OPS = {"&&": "and", "||": "or", "??": "??"}
_UNARY_OPS = {"!": "not", "typeof": "typeof", "-": "-", "+": "+", "~": "~", "void": "void", "delete": "delete"}
_AUG_OPS = {"&&=": "and", "||=": "or", "??=": "??"}

# Wrappers that only change the static type: lowered to the inner expression.
_TYPE_WRAPPERS = frozenset({
    "as_expression", "satisfies_expression", "non_null_expression", "type_assertion", "instantiation_expression",
})
# Declarations with no run-time effect (or none the engine models).
_TYPE_ONLY_STMTS = frozenset({
    "interface_declaration", "type_alias_declaration", "ambient_declaration", "function_signature",
    "abstract_class_declaration_signature", "empty_statement", "debugger_statement", "comment",
    "hash_bang_line", "import_alias", "html_comment",
})
_FUNCTION_EXPRS = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
_FUNCTION_DECLS = frozenset({"function_declaration", "generator_function_declaration"})
_CLASS_DECLS = frozenset({"class_declaration", "abstract_class_declaration"})
_DECLARATIONS = frozenset({"lexical_declaration", "variable_declaration", "using_declaration"})
_JSX = ("jsx_element", "jsx_self_closing_element", "jsx_fragment", "jsx_expression", "jsx_text", "jsx_opening_element")
_CLASS_SKIP = frozenset({
    "method_signature", "abstract_method_signature", "index_signature", "property_signature", "comment", ";",
})


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def _kids(node) -> list:
    """Named children without comments (comments may sit between any two tokens)."""
    return [c for c in node.named_children if c.type != "comment"]


def _has_token(node, token: str) -> bool:
    for child in node.children:
        if child.type == token and not child.is_named:
            return True
    return False


def _in_error(node) -> bool:
    """Inside or next to a syntax error, where the parser may leave fragments of any kind."""
    if node.has_error:
        return True
    parent = node.parent
    return parent is not None and parent.has_error


def _strip_node_prefix(spec: str) -> str:
    return spec[5:] if spec.startswith("node:") else spec


def _is_stringy(expr) -> bool:
    return (isinstance(expr, ir.Literal) and isinstance(expr.value, str)) or isinstance(expr, ir.StrBuild)


# --------------------------------------------------------------------------------------------------
# the lowering


class _Lowerer:
    """One file's lowering state: positions, the function and class lists, qualname scopes."""

    def __init__(self, path: str, source: bytes, strict: bool) -> None:
        self.path = path
        self.pos = _Positions(source)
        self.strict = strict
        self.functions: list[ir.Function] = []
        self.classes: list[ir.Class] = []
        self.qualnames: set[str] = set()
        self._next_suffix: dict[tuple[str, int], int] = {}
        # Enclosing definitions: (qualname, is_class); nested names are "outer.<locals>.inner".
        self.scopes: list[tuple[str, bool]] = []
        # Statements hoisted out of the expression being lowered (assignments in expressions, `require`).
        self.pending: list = []
        self._expr_table = {
            "identifier": self.e_name, "shorthand_property_identifier": self.e_name,
            "private_property_identifier": self.e_name, "property_identifier": self.e_name,
            "this": self.e_name, "super": self.e_name,
            "true": self.e_const, "false": self.e_const, "null": self.e_const, "undefined": self.e_const,
            "number": self.e_number, "string": self.e_string, "template_string": self.e_template,
            "regex": self.e_regex, "member_expression": self.e_member, "subscript_expression": self.e_subscript,
            "call_expression": self.e_call, "new_expression": self.e_new, "object": self.e_object,
            "array": self.e_array, "binary_expression": self.e_binary, "unary_expression": self.e_unary,
            "update_expression": self.e_update, "ternary_expression": self.e_ternary,
            "await_expression": self.e_await, "parenthesized_expression": self.e_paren,
            "sequence_expression": self.e_sequence, "assignment_expression": self.e_assign_expr,
            "augmented_assignment_expression": self.e_assign_expr, "spread_element": self.e_spread,
            "yield_expression": self.e_yield, "meta_property": self.e_meta, "class": self.e_class,
            "import": self.e_name, "decorator": self.e_paren,
            **{t: self.e_wrapper for t in _TYPE_WRAPPERS},
            **{t: self.e_function for t in _FUNCTION_EXPRS},
            **{t: self.e_jsx for t in _JSX},
        }
        self._stmt_table = {
            "expression_statement": self.s_expression, "lexical_declaration": self.s_declaration,
            "variable_declaration": self.s_declaration, "using_declaration": self.s_declaration,
            "import_statement": self.s_import, "export_statement": self.s_export,
            "if_statement": self.s_if, "switch_statement": self.s_switch, "for_statement": self.s_for,
            "for_in_statement": self.s_for_in, "while_statement": self.s_while, "do_statement": self.s_do,
            "try_statement": self.s_try, "throw_statement": self.s_throw, "return_statement": self.s_return,
            "break_statement": self.s_jump, "continue_statement": self.s_jump, "statement_block": self.s_block,
            "labeled_statement": self.s_labeled, "with_statement": self.s_with, "enum_declaration": self.s_enum,
            "internal_module": self.s_namespace, "module": self.s_namespace, "ERROR": self.s_error,
            **{t: self.s_function for t in _FUNCTION_DECLS},
            **{t: self.s_class for t in _CLASS_DECLS},
        }

    # ------------------------------------------------------------------ helpers

    def span(self, node) -> ir.Span:
        (r0, c0), (r1, c1) = node.start_point, node.end_point
        pos = self.pos
        if pos.ascii:
            return ir.Span(r0 + 1, c0 + 1, r1 + 1, c1 + 1)
        row_ascii = pos.row_ascii
        return ir.Span(r0 + 1, c0 + 1 if row_ascii[r0] else pos.col(r0, c0),
                       r1 + 1, c1 + 1 if row_ascii[r1] else pos.col(r1, c1))

    def unknown(self, node, kind: str | None = None) -> ir.Unknown:
        """Syntax the IR does not model: keep the expressions inside it so taint still flows."""
        if self.strict and node.type != "ERROR" and kind is None and not _in_error(node):
            row, col = node.start_point
            raise UnknownSyntax(f"{self.path}:{row + 1}:{col + 1}: unsupported syntax `{node.type}`")
        return ir.Unknown(kind or node.type, tuple(self.child_exprs(node)), self.span(node))

    def child_exprs(self, node) -> list:
        out = []
        for child in _kids(node):
            if child.type in self._expr_table:
                out.append(self.expr(child))
            elif child.type in self._stmt_table and child.type != "ERROR":
                # a statement inside an error or unknown construct: lower it for its side effects
                stmts: list = []
                self.stmt(child, stmts)
                self.pending.extend(stmts)
            else:
                out.extend(self.child_exprs(child))
        return out

    def qualify(self, name: str | None, node, anon: str) -> str:
        """A module-unique qualname for a definition named ``name`` (None: anonymous) in the current scope."""
        prefix = ""
        if self.scopes:
            outer, is_class = self.scopes[-1]
            prefix = outer + ("." if is_class else ".<locals>.")
        line = node.start_point[0] + 1
        base = prefix + (name if name else f"<{anon}@{line}>")
        qualname = base
        if qualname in self.qualnames:
            # the next free number for this name is remembered: 20,000 arrows on one minified line would
            # otherwise probe `@1#2`, `@1#3` ... from the start each time (quadratic)
            n = self._next_suffix.get((base, line), 1)
            qualname = f"{base}@{line}" if n == 1 else f"{base}@{line}#{n}"
            while qualname in self.qualnames:
                n += 1
                qualname = f"{base}@{line}#{n}"
            self._next_suffix[(base, line)] = n + 1
        self.qualnames.add(qualname)
        return qualname

    # ------------------------------------------------------------------ statements

    def lower_program(self, root) -> tuple:
        out: list = []
        for child in root.children:
            if child.is_named:
                self.stmt(child, out)
        return tuple(out)

    def stmt(self, node, out: list) -> None:
        """Lower one statement into ``out``; hoisted statements from its expressions come first."""
        handler = self._stmt_table.get(node.type)
        saved, self.pending = self.pending, []
        produced: list = []
        if handler is not None:
            handler(node, produced)
        elif node.type in _TYPE_ONLY_STMTS or not node.is_named:
            pass
        elif node.type in self._expr_table:  # an expression where a statement was expected (error recovery)
            produced.append(ir.ExprStmt(self.expr(node), self.span(node)))
        elif _in_error(node):  # a fragment the parser left over: mine it like an ERROR node
            self.s_error(node, produced)
        else:
            produced.append(ir.ExprStmt(self.unknown(node), self.span(node)))
        out.extend(self.pending)
        out.extend(produced)
        self.pending = saved

    def block(self, node) -> tuple:
        """A statement or statement block as a flat statement tuple."""
        if node is None:
            return ()
        out: list = []
        if node.type == "statement_block":
            for child in _kids(node):
                self.stmt(child, out)
        else:
            self.stmt(node, out)
        return tuple(out)

    def s_block(self, node, out: list) -> None:
        for child in _kids(node):
            self.stmt(child, out)

    def s_error(self, node, out: list) -> None:
        """An ERROR node at statement level: lower whatever statements and expressions it still holds."""
        for child in _kids(node):
            if child.type in self._stmt_table:
                self.stmt(child, out)
            elif child.type in self._expr_table:
                out.append(ir.ExprStmt(self.expr(child), self.span(child)))
            elif child.type in _TYPE_ONLY_STMTS:
                continue
            else:
                self.s_error(child, out)

    def s_labeled(self, node, out: list) -> None:
        body = node.child_by_field_name("body")
        if body is not None:
            self.stmt(body, out)

    def s_expression(self, node, out: list) -> None:
        kids = _kids(node)
        if kids:
            self.expression_statement(kids[0], out)

    def expression_statement(self, node, out: list) -> None:
        """An expression used as a statement: assignments become Assign, the rest ExprStmt."""
        t = node.type
        if t == "parenthesized_expression" or t in _TYPE_WRAPPERS:
            inner = self._inner(node)
            if inner is not None and inner.type in ("assignment_expression", "sequence_expression"):
                self.expression_statement(inner, out)
                return
        if t == "sequence_expression":
            for child in _kids(node):
                self.expression_statement(child, out)
            return
        if t == "await_expression":  # `await using x = ...` as the TypeScript grammar reads it
            kids = _kids(node)
            if kids and kids[0].type == "assignment_expression":
                self.expression_statement(kids[0], out)
                return
        if t in ("assignment_expression", "augmented_assignment_expression"):
            out.extend(self.assignment(node))
            return
        if t == "update_expression":
            arg = node.child_by_field_name("argument")
            op_node = node.child_by_field_name("operator")
            op = "-" if op_node is not None and _text(op_node) == "--" else "+"
            if arg is not None:
                out.append(ir.Assign((self.target(arg),), ir.Literal(1, self.span(node)), self.span(node), op=op))
                return
        out.append(ir.ExprStmt(self.expr(node), self.span(node)))

    def assignment(self, node) -> list:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        span = self.span(node)
        op = None
        if node.type == "augmented_assignment_expression":
            op_text = _text(node.child_by_field_name("operator"))
            op = _AUG_OPS.get(op_text, op_text[:-1])
        exported = self._commonjs_export(left)
        if exported is not None and op is None:
            value = self.function_value(right, exported if exported != "" else None) if right is not None else None
            return self._export_value(exported, value, span)
        target = self.target(left) if left is not None else ir.Name("?", span)
        bound = target.id if isinstance(target, ir.Name) else (
            target.attr if isinstance(target, ir.Attribute) else None)
        value = self.function_value(right, bound) if right is not None else None
        return [ir.Assign((target,), value, span, op=op)]

    def _commonjs_export(self, left) -> str | None:
        """``module.exports`` -> "" and ``module.exports.x`` / ``exports.x`` -> "x"; None otherwise."""
        if left is None or left.type != "member_expression":
            return None
        obj = left.child_by_field_name("object")
        prop = left.child_by_field_name("property")
        if obj is None or prop is None:
            return None
        obj_text, prop_text = _text(obj), _text(prop)
        if obj_text == "module" and prop_text == "exports":
            return ""
        if obj_text in ("exports", "module.exports"):
            return prop_text
        return None

    def _export_value(self, exported: str, value, span: ir.Span) -> list:
        """CommonJS exports as Export statements the index reads like ES exports.

        A value that is not a plain name is bound to a synthetic module-level name ``$exports.x`` first,
        so ``exports.run = async (args) => ...`` is importable as ``run`` without shadowing any local.
        """
        if exported == "":  # module.exports = value
            if isinstance(value, ir.Name):
                return [ir.Export(((value.id, "default"),), None, span)]
            if not (isinstance(value, ir.Container) and value.kind == "dict"):
                return [ir.Export((), value, span)]
            stmts: list = []
            names: list[tuple[str, str]] = []
            entries: list = []
            for key, item in value.entries:
                if isinstance(key, ir.Literal) and not isinstance(item, ir.Name):
                    local = f"$exports.{key.value}"
                    stmts.append(ir.Assign((ir.Name(local, key.span),), item, span))
                    item = ir.Name(local, getattr(item, "span", key.span))
                if isinstance(key, ir.Literal) and isinstance(item, ir.Name):
                    names.append((item.id, str(key.value)))
                entries.append((key, item))
            stmts.append(ir.Export(tuple(names), ir.Container("dict", entries=tuple(entries), span=value.span), span))
            return stmts
        if isinstance(value, ir.Name):
            return [ir.Export(((value.id, exported),), None, span)]
        local = f"$exports.{exported}"
        return [ir.Assign((ir.Name(local, span),), value, span), ir.Export(((local, exported),), None, span)]

    def s_declaration(self, node, out: list) -> None:
        for decl in _kids(node):
            if decl.type != "variable_declarator":
                continue
            name = decl.child_by_field_name("name")
            value = decl.child_by_field_name("value")
            if name is None:
                continue
            imported = self._require_import(name, value, decl)
            if imported is not None:
                out.append(imported)
                continue
            type_node = decl.child_by_field_name("type")
            annotation = self.type_expr(type_node) if type_node is not None else None
            if value is not None and name.type == "identifier" and value.type in ("class",):
                cls = self.class_(value, _text(name))
                out.append(ir.ClassDef(cls, self.span(decl)))
                continue
            target = self.target(name)
            bound = _text(name) if name.type == "identifier" else None
            lowered = self.function_value(value, bound, top_name=True) if value is not None else None
            out.append(ir.Assign((target,), lowered, self.span(decl), annotation=annotation))

    def _module_specifier(self, value) -> str | None:
        """The string argument of ``require("m")`` / ``import("m")`` / ``await import("m")``, else None."""
        if value is None:
            return None
        if value.type == "await_expression":
            kids = _kids(value)
            if not kids:
                return None
            value = kids[0]
            func = value.child_by_field_name("function") if value.type == "call_expression" else None
            if func is None or func.type != "import":
                return None
        if value.type != "call_expression":
            return None
        func = value.child_by_field_name("function")
        args = value.child_by_field_name("arguments")
        if func is None or args is None or args.type != "arguments":
            return None
        if not (func.type == "import" or (func.type == "identifier" and _text(func) == "require")):
            return None
        arg_nodes = _kids(args)
        if len(arg_nodes) != 1 or arg_nodes[0].type != "string":
            return None
        return _strip_node_prefix(self.string_value(arg_nodes[0]))

    def _require_import(self, name, value, decl) -> ir.Import | None:
        """``const x = require("m")``, ``const {a, b: c} = require("m")``, ``const x = require("m").y``."""
        if value is None:
            return None
        member = None
        if value.type == "member_expression":
            member = _text(value.child_by_field_name("property"))
            value = value.child_by_field_name("object")
        spec = self._module_specifier(value)
        if spec is None:
            return None
        span = self.span(decl)
        if name.type == "identifier":
            alias = _text(name)
            if member is None:
                return ir.Import(spec, (ir.ImportName(None, alias),), span)
            if member == "default":
                return ir.Import(spec, (ir.ImportName(None, alias, default=True),), span)
            return ir.Import(spec, (ir.ImportName(member, alias),), span)
        if name.type == "object_pattern" and member is None:
            names: list[ir.ImportName] = []
            for prop in _kids(name):
                if prop.type == "shorthand_property_identifier_pattern":
                    names.append(ir.ImportName(_text(prop), _text(prop)))
                elif prop.type == "pair_pattern":
                    key, val = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                    if val is None or val.type != "identifier" or key is None:
                        return None
                    key_text = self.string_value(key) if key.type == "string" else _text(key)
                    names.append(ir.ImportName(key_text, _text(val)))
                elif prop.type == "object_assignment_pattern":
                    left = prop.child_by_field_name("left")
                    if left is None or left.type != "shorthand_property_identifier_pattern":
                        return None
                    names.append(ir.ImportName(_text(left), _text(left)))
                else:  # rest or nested patterns: keep the plain assignment
                    return None
            return ir.Import(spec, tuple(names), span)
        return None

    def s_import(self, node, out: list) -> None:
        # `import type { McpServer }` is kept: it binds nothing at run time, but it tells the engine what a
        # parameter annotated `server: McpServer` is.
        source = node.child_by_field_name("source")
        span = self.span(node)
        names: list[ir.ImportName] = []
        for child in _kids(node):
            if child.type == "import_require_clause":  # import x = require("m")
                ident = next((c for c in _kids(child) if c.type == "identifier"), None)
                src = child.child_by_field_name("source")
                if ident is not None and src is not None:
                    out.append(ir.Import(_strip_node_prefix(self.string_value(src)),
                                         (ir.ImportName(None, _text(ident)),), span))
                return
            if child.type != "import_clause":
                continue
            for part in _kids(child):
                if part.type == "identifier":
                    names.append(ir.ImportName(None, _text(part), default=True))
                elif part.type == "namespace_import":
                    ident = next((c for c in _kids(part) if c.type == "identifier"), None)
                    if ident is not None:
                        names.append(ir.ImportName(None, _text(ident)))
                elif part.type == "named_imports":
                    for spec in _kids(part):
                        if spec.type != "import_specifier":
                            continue
                        imported = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias")
                        imported_name = self._export_name(imported)
                        local = _text(alias) if alias is not None else imported_name
                        if imported_name == "default":
                            names.append(ir.ImportName(None, local, default=True))
                        else:
                            names.append(ir.ImportName(imported_name, local))
        if source is None:
            return
        out.append(ir.Import(_strip_node_prefix(self.string_value(source)), tuple(names), span))

    def _export_name(self, node) -> str:
        if node is None:
            return "?"
        return self.string_value(node) if node.type == "string" else _text(node)

    def s_export(self, node, out: list) -> None:
        span = self.span(node)
        if _has_token(node, "type"):  # export type { ... }
            return
        decl = node.child_by_field_name("declaration")
        value = node.child_by_field_name("value")
        source = node.child_by_field_name("source")
        is_default = _has_token(node, "default")
        if source is not None:
            spec = _strip_node_prefix(self.string_value(source))
            names: list[ir.ImportName] = []
            star = False
            for child in _kids(node):
                if child.type == "export_clause":
                    for item in _kids(child):
                        if item.type != "export_specifier" or _has_token(item, "type"):
                            continue
                        name = self._export_name(item.child_by_field_name("name"))
                        alias = item.child_by_field_name("alias")
                        local = self._export_name(alias) if alias is not None else name
                        names.append(ir.ImportName(name, local))
                elif child.type == "namespace_export":
                    ident = next((c for c in _kids(child) if c.type in ("identifier", "string")), None)
                    if ident is not None:
                        names.append(ir.ImportName(None, self._export_name(ident)))
            if not names:
                star = _has_token(node, "*")
            out.append(ir.Import(spec, tuple(names), span, star=star, reexport=True))
            return
        if decl is not None:
            before = len(out)
            self.stmt(decl, out)
            if is_default:
                for stmt in out[before:]:
                    if isinstance(stmt, ir.FunctionDef):
                        out.append(ir.Export(((stmt.function.name, "default"),), None, span))
                    elif isinstance(stmt, ir.ClassDef):
                        out.append(ir.Export(((stmt.cls.name, "default"),), None, span))
            return
        if value is not None:
            if value.type in ("function_expression", "function", "generator_function") and \
                    value.child_by_field_name("name") is not None:
                fn = self.function(value)
                out.append(ir.FunctionDef(fn, self.span(value)))
                out.append(ir.Export(((fn.name, "default"),), None, span))
            elif value.type == "class" and value.child_by_field_name("name") is not None:
                cls = self.class_(value)
                out.append(ir.ClassDef(cls, self.span(value)))
                out.append(ir.Export(((cls.name, "default"),), None, span))
            elif value.type == "identifier":
                out.append(ir.Export(((_text(value), "default"),), None, span))
            else:
                out.append(ir.Export((), self.function_value(value, "default"), span))
            return
        for child in _kids(node):
            if child.type == "export_clause":
                pairs = []
                for item in _kids(child):
                    if item.type != "export_specifier" or _has_token(item, "type"):
                        continue
                    name = self._export_name(item.child_by_field_name("name"))
                    alias = item.child_by_field_name("alias")
                    pairs.append((name, self._export_name(alias) if alias is not None else name))
                out.append(ir.Export(tuple(pairs), None, span))
                return
        if _has_token(node, "="):  # TypeScript `export = value`
            kids = [c for c in _kids(node) if c.type in self._expr_table]
            if kids:
                out.extend(self._export_value("", self.expr(kids[0]), span))

    def s_function(self, node, out: list) -> None:
        fn = self.function(node)
        out.append(ir.FunctionDef(fn, self.span(node)))

    def s_class(self, node, out: list) -> None:
        cls = self.class_(node)
        out.append(ir.ClassDef(cls, self.span(node)))

    def s_if(self, node, out: list) -> None:
        test = self.expr_or_none(node.child_by_field_name("condition"))
        body = self.block(node.child_by_field_name("consequence"))
        orelse: tuple = ()
        alternative = node.child_by_field_name("alternative")
        if alternative is not None:
            kids = _kids(alternative)
            orelse = self.block(kids[0]) if kids else ()
        out.append(ir.If(test or ir.Literal(True, self.span(node)), body, orelse, self.span(node)))

    def s_switch(self, node, out: list) -> None:
        subject = self.expr_or_none(node.child_by_field_name("value")) or ir.Literal(None, self.span(node))
        body = node.child_by_field_name("body")
        cases: list[ir.Case] = []
        waiting: list = []  # tests of empty cases that fall into the next one
        waiting_default = False
        first_span = None
        clauses = [c for c in _kids(body) if c.type in ("switch_case", "switch_default")] if body else []
        for i, clause in enumerate(clauses):
            is_default = clause.type == "switch_default"
            if is_default:
                waiting_default = True
            else:
                test = self.expr_or_none(clause.child_by_field_name("value"))
                if test is not None:
                    waiting.append(test)
            first_span = first_span or self.span(clause)
            stmts: list = []
            for child in clause.children_by_field_name("body"):
                if child.type != "comment":
                    self.stmt(child, stmts)
            if not stmts and i < len(clauses) - 1:
                continue  # falls into the next case: its tests join that case
            # a trailing unlabeled `break` leaves the switch; `break outer` stays (kind "break outer")
            ends_with_break = bool(stmts) and isinstance(stmts[-1], ir.Jump) and stmts[-1].kind == "break"
            if ends_with_break:
                stmts.pop()
            terminal = ends_with_break or (bool(stmts) and isinstance(stmts[-1], (ir.Return, ir.Raise, ir.Jump)))
            clause_span = self.span(clause)
            span = ir.Span(first_span.line, first_span.col, clause_span.end_line, clause_span.end_col)
            tests = () if waiting_default else tuple(waiting)
            cases.append(ir.Case(tests, tuple(stmts), span, falls_through=not terminal and i < len(clauses) - 1))
            waiting, waiting_default, first_span = [], False, None
        out.append(ir.Switch(subject, tuple(cases), self.span(node)))

    def s_for(self, node, out: list) -> None:
        init = node.child_by_field_name("initializer")
        if init is not None:
            if init.type in self._stmt_table:
                self.stmt(init, out)
            elif init.type in self._expr_table:
                self.expression_statement(init, out)
        cond = node.child_by_field_name("condition")
        test = None
        if cond is not None and cond.is_named and cond.type != "empty_statement":
            if cond.type == "expression_statement":
                kids = _kids(cond)
                cond = kids[0] if kids else None
            test = self.expr_or_none(cond)
        body = list(self.block(node.child_by_field_name("body")))
        increment = node.child_by_field_name("increment")
        if increment is not None:
            saved, self.pending = self.pending, []
            tail: list = []
            self.expression_statement(increment, tail)
            body.extend(self.pending)
            body.extend(tail)
            self.pending = saved
        out.append(ir.Loop(None, None, test or ir.Literal(True, self.span(node)), tuple(body), (), self.span(node)))

    def s_for_in(self, node, out: list) -> None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        target = self.target(left) if left is not None else None
        iterable = self.expr_or_none(right)
        body = self.block(node.child_by_field_name("body"))
        out.append(ir.Loop(target, iterable or ir.Literal(None, self.span(node)), None, body, (), self.span(node)))

    def s_while(self, node, out: list) -> None:
        test = self.expr_or_none(node.child_by_field_name("condition"))
        body = self.block(node.child_by_field_name("body"))
        out.append(ir.Loop(None, None, test or ir.Literal(True, self.span(node)), body, (), self.span(node)))

    def s_do(self, node, out: list) -> None:
        body = self.block(node.child_by_field_name("body"))
        test = self.expr_or_none(node.child_by_field_name("condition"))
        out.append(ir.Loop(None, None, test or ir.Literal(True, self.span(node)), body, (), self.span(node)))

    def s_try(self, node, out: list) -> None:
        body = self.block(node.child_by_field_name("body"))
        handlers: list[ir.Handler] = []
        catch = node.child_by_field_name("handler")
        if catch is not None:
            param = catch.child_by_field_name("parameter")
            handler_body = list(self.block(catch.child_by_field_name("body")))
            name = None
            if param is not None:
                if param.type == "identifier":
                    name = _text(param)
                else:  # catch ({ message }) -> a synthetic name and a destructuring assignment
                    name = "$error"
                    handler_body.insert(0, ir.Assign((self.target(param),), ir.Name(name, self.span(param)),
                                                     self.span(param)))
            handlers.append(ir.Handler(None, name, tuple(handler_body), self.span(catch)))
        finalizer = node.child_by_field_name("finalizer")
        finalbody = self.block(finalizer.child_by_field_name("body")) if finalizer is not None else ()
        out.append(ir.Try(body, tuple(handlers), (), finalbody, self.span(node)))

    def s_throw(self, node, out: list) -> None:
        kids = [c for c in _kids(node) if c.type in self._expr_table]
        out.append(ir.Raise(self.expr(kids[0]) if kids else None, self.span(node)))

    def s_return(self, node, out: list) -> None:
        kids = [c for c in _kids(node) if c.type in self._expr_table]
        out.append(ir.Return(self.expr(kids[0]) if kids else None, self.span(node)))

    def s_jump(self, node, out: list) -> None:
        kind = "break" if node.type == "break_statement" else "continue"
        label = node.child_by_field_name("label")
        out.append(ir.Jump(kind if label is None else f"{kind} {_text(label)}", self.span(node)))

    def s_with(self, node, out: list) -> None:
        obj = self.expr_or_none(node.child_by_field_name("object")) or ir.Literal(None, self.span(node))
        body = self.block(node.child_by_field_name("body"))
        out.append(ir.With((ir.WithItem(obj, None),), body, self.span(node)))

    def s_enum(self, node, out: list) -> None:
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        entries = []
        for member in _kids(body) if body is not None else []:
            key_node = member.child_by_field_name("name") if member.type == "enum_assignment" else member
            if key_node is None:
                continue
            key = self.string_value(key_node) if key_node.type == "string" else _text(key_node)
            value_node = member.child_by_field_name("value") if member.type == "enum_assignment" else None
            value = self.expr(value_node) if value_node is not None else ir.Literal(key, self.span(member))
            entries.append((ir.Literal(key, self.span(key_node)), value))
        if name is not None:
            out.append(ir.Assign((ir.Name(_text(name), self.span(name)),),
                                 ir.Container("dict", entries=tuple(entries), span=self.span(node)), self.span(node)))

    def s_namespace(self, node, out: list) -> None:
        """``namespace N { ... }``: its statements are lowered in place (an approximation)."""
        body = node.child_by_field_name("body")
        if body is not None:
            self.s_block(body, out)

    # ------------------------------------------------------------------ functions and classes

    def function_value(self, node, bound: str | None, top_name: bool = False):
        """Lower an expression that may be a function or class, naming it after what it is bound to."""
        if node is None:
            return None
        inner = node
        while inner.type in ("parenthesized_expression", *_TYPE_WRAPPERS):
            kids = [c for c in _kids(inner) if c.type in self._expr_table]
            if not kids:
                break
            inner = kids[0]
        if inner.type in _FUNCTION_EXPRS and bound:
            fn = self.function(inner, bound=bound, bound_qualname=top_name)
            return ir.FunctionRef(fn, self.span(inner))
        return self.expr(node)

    def function(self, node, bound: str | None = None, bound_qualname: bool = False,
                 method_of: ir.Class | None = None, static: bool = False, method_name: str | None = None,
                 decorators: tuple = ()) -> ir.Function:
        name_node = node.child_by_field_name("name")
        own_name = _text(name_node) if name_node is not None and method_name is None else None
        name = method_name or own_name or bound
        anon = "arrow" if node.type == "arrow_function" else "function"
        if method_name is not None or own_name is not None or bound_qualname:
            qualname = self.qualify(name, node, anon)
        else:
            qualname = self.qualify(None, node, anon)
        fn = ir.Function(
            name=name or f"<{anon}>", qualname=qualname, params=(), body=(), span=self.span(node),
            decorators=decorators, is_async=_has_token(node, "async"), is_method=method_of is not None,
            cls=method_of,
        )
        self.functions.append(fn)
        returns = node.child_by_field_name("return_type")
        fn.returns = self.type_expr(returns) if returns is not None else None
        saved, self.pending = self.pending, []
        self.scopes.append((qualname, False))
        params, prologue = self.params(node)
        if method_of is not None and not static:
            params.insert(0, ir.Param("this", self.span(name_node or node), kind="self"))
        prologue = self.pending + prologue
        self.pending = []
        body_node = node.child_by_field_name("body")
        if body_node is None:
            body: tuple = ()
        elif body_node.type == "statement_block":
            body = self.block(body_node)
        else:  # expression-bodied arrow
            value = self.expr(body_node)
            body = (*self.pending, ir.Return(value, self.span(body_node)))
            fn.expression_body = True
        self.scopes.pop()
        self.pending = saved
        fn.params = tuple(params)
        fn.body = tuple(prologue) + tuple(body)
        return fn

    def params(self, node) -> tuple[list, list]:
        """Parameters of a function node, and the statements they imply (destructuring, this.x = x)."""
        params: list[ir.Param] = []
        prologue: list = []
        single = node.child_by_field_name("parameter")  # `x => ...`
        if single is not None:
            return [ir.Param(_text(single), self.span(single))], prologue
        plist = node.child_by_field_name("parameters")
        if plist is None:
            return params, prologue
        property_assigns: list = []
        index = 0
        for p in _kids(plist):
            if p.type in ("required_parameter", "optional_parameter"):
                pattern = p.child_by_field_name("pattern")
                type_node = p.child_by_field_name("type")
                default_node = p.child_by_field_name("value")
                is_property = any(c.type == "accessibility_modifier" for c in p.named_children) or \
                    _has_token(p, "readonly") or _has_token(p, "override")
            elif p.type == "assignment_pattern":
                pattern, type_node, default_node = p.child_by_field_name("left"), None, p.child_by_field_name("right")
                is_property = False
            elif p.type in ("identifier", "object_pattern", "array_pattern", "rest_pattern"):
                pattern, type_node, default_node, is_property = p, None, None, False
            else:
                continue
            if pattern is None or pattern.type == "this":  # TypeScript `this: Foo` declares a type only
                continue
            annotation = self.type_expr(type_node) if type_node is not None else None
            default = self.expr(default_node) if default_node is not None else None
            kind = "positional"
            if pattern.type == "rest_pattern":
                kind = "vararg"
                inner = _kids(pattern)
                pattern = inner[0] if inner else pattern
            span = self.span(p)
            if pattern.type == "identifier":
                pname = _text(pattern)
                params.append(ir.Param(pname, span, annotation, default, kind))
                if is_property:
                    property_assigns.append(ir.Assign(
                        (ir.Attribute(ir.Name("this", span), pname, span),), ir.Name(pname, span), span))
            else:
                pname = f"$arg{index}"
                params.append(ir.Param(pname, span, annotation, default, kind))
                prologue.append(ir.Assign((self.target(pattern),), ir.Name(pname, span), span))
            index += 1
        return params, prologue + property_assigns

    def class_(self, node, bound: str | None = None) -> ir.Class:
        name_node = node.child_by_field_name("name")
        name = _text(name_node) if name_node is not None else bound
        qualname = self.qualify(name, node, "class")
        bases: list = []
        decorators: list = []
        for child in node.named_children:
            if child.type == "class_heritage":
                for clause in _kids(child):
                    if clause.type == "extends_clause":
                        for value in clause.children_by_field_name("value"):
                            bases.append(self.expr(value))
                    elif clause.type in self._expr_table:  # JavaScript: `extends X` directly
                        bases.append(self.expr(clause))
            elif child.type == "decorator":
                decorators.append(self.expr(child))
        cls = ir.Class(name or f"<class@{node.start_point[0] + 1}>", qualname, tuple(bases), (), self.span(node),
                       tuple(decorators))
        self.classes.append(cls)
        self.scopes.append((qualname, True))
        body_stmts: list = []
        waiting_decorators: list = []
        body = node.child_by_field_name("body")
        for member in (body.named_children if body is not None else []):
            saved, self.pending = self.pending, []
            produced: list = []
            t = member.type
            if t == "decorator":
                waiting_decorators.append(self.expr(member))
            elif t == "method_definition":
                method_name = self._member_name(member.child_by_field_name("name"))
                static = _has_token(member, "static")
                fn = self.function(member, method_of=cls, static=static, method_name=method_name,
                                   decorators=tuple(waiting_decorators))
                waiting_decorators = []
                produced.append(ir.FunctionDef(fn, self.span(member)))
            elif t in ("public_field_definition", "field_definition"):
                field_node = member.child_by_field_name("name") or member.child_by_field_name("property")
                value_node = member.child_by_field_name("value")
                waiting_decorators = []
                if field_node is not None and value_node is not None:
                    field_name = self._member_name(field_node)
                    static = _has_token(member, "static")
                    owner = ir.Name(cls.name if static else "this", self.span(field_node))
                    value_inner = value_node
                    if value_inner.type in _FUNCTION_EXPRS:
                        fn = self.function(value_inner, method_of=None if static else cls,
                                           method_name=field_name)
                        fn.cls = cls
                        value = ir.FunctionRef(fn, self.span(value_inner))
                    else:
                        value = self.expr(value_node)
                    produced.append(ir.Assign((ir.Attribute(owner, field_name, self.span(field_node)),), value,
                                              self.span(member)))
            elif t == "class_static_block":
                self.s_block(member.child_by_field_name("body") or member, produced)
            elif t in _CLASS_SKIP or not member.is_named:
                pass
            elif t == "ERROR":
                self.s_error(member, produced)
            elif self.strict and not _in_error(member):
                raise UnknownSyntax(f"{self.path}:{member.start_point[0] + 1}: unsupported class member `{t}`")
            body_stmts.extend(self.pending)
            body_stmts.extend(produced)
            self.pending = saved
        self.scopes.pop()
        cls.body = tuple(body_stmts)
        for stmt in cls.body:
            if isinstance(stmt, ir.FunctionDef):
                stmt.function.cls = cls
        return cls

    def _member_name(self, node) -> str:
        if node is None:
            return "<member>"
        if node.type == "string":
            return self.string_value(node)
        if node.type == "computed_property_name":
            return f"[{_text(node)[1:-1].strip()}]"
        return _text(node)

    # ------------------------------------------------------------------ targets and types

    def target(self, node):
        t = node.type
        span = self.span(node)
        if t in ("identifier", "shorthand_property_identifier_pattern", "this", "undefined"):
            return ir.Name(_text(node), span)
        if t == "member_expression":
            return self.e_member(node)
        if t == "subscript_expression":
            return self.e_subscript(node)
        if t == "object_pattern":
            return ir.ObjectPattern(tuple(self._pattern_props(node)), span)
        if t == "array_pattern":
            return ir.TuplePattern(tuple(self._array_elements(node)), span)
        if t == "assignment_pattern":
            return self.target(node.child_by_field_name("left"))
        if t == "rest_pattern":
            kids = _kids(node)
            return ir.Starred(self.target(kids[0]) if kids else ir.Name("_", span), span)
        if t in ("parenthesized_expression", *_TYPE_WRAPPERS):
            inner = self._inner(node)
            if inner is not None:
                return self.target(inner)
        if self.strict and t != "ERROR" and not _in_error(node):
            raise UnknownSyntax(f"{self.path}:{node.start_point[0] + 1}: unsupported assignment target `{t}`")
        return ir.Name(_text(node), span)

    def _pattern_props(self, node) -> list[ir.PatternProp]:
        props: list[ir.PatternProp] = []
        for prop in _kids(node):
            t = prop.type
            if t == "shorthand_property_identifier_pattern":
                props.append(ir.PatternProp(_text(prop), ir.Name(_text(prop), self.span(prop))))
            elif t == "pair_pattern":
                key = self._pattern_key(prop.child_by_field_name("key"))
                value = prop.child_by_field_name("value")
                default = None
                if value is not None and value.type == "assignment_pattern":
                    default = self.expr_or_none(value.child_by_field_name("right"))
                    value = value.child_by_field_name("left")
                target = self.target(value) if value is not None else ir.Name(key, self.span(prop))
                props.append(ir.PatternProp(key, target, default))
            elif t == "object_assignment_pattern":
                left = prop.child_by_field_name("left")
                default = self.expr_or_none(prop.child_by_field_name("right"))
                if left is None:
                    continue
                if left.type == "shorthand_property_identifier_pattern":
                    props.append(ir.PatternProp(_text(left), ir.Name(_text(left), self.span(left)), default))
                else:
                    props.append(ir.PatternProp("*", self.target(left), default))
            elif t == "rest_pattern":
                kids = _kids(prop)
                if kids:
                    props.append(ir.PatternProp(None, self.target(kids[0])))
            elif t == "ERROR":
                continue
            elif self.strict and not _in_error(prop):
                raise UnknownSyntax(f"{self.path}:{prop.start_point[0] + 1}: unsupported pattern `{t}`")
        return props

    def _pattern_key(self, key) -> str:
        if key is None:
            return "*"
        if key.type == "string":
            return self.string_value(key)
        if key.type == "computed_property_name":
            inner = _kids(key)
            if inner and inner[0].type == "string":
                return self.string_value(inner[0])
            return "*"  # a key computed at run time
        return _text(key)

    def _array_elements(self, node) -> list:
        elts: list = []
        expect_element = True
        for child in node.children:
            if not child.is_named:
                if child.type == ",":
                    if expect_element:  # a hole: `[, b]`
                        elts.append(ir.Name("_", self.span(child)))
                    expect_element = True
                continue
            if child.type == "comment":
                continue
            elts.append(self.target(child))
            expect_element = False
        return elts

    def type_expr(self, node):
        """A type annotation as a plain expression (``string`` -> Name, ``Foo<T>`` -> Subscript ...)."""
        if node is None:
            return None
        t = node.type
        span = self.span(node)
        if t in ("type_annotation", "opting_type_annotation", "omitting_type_annotation", "parenthesized_type",
                 "asserts_annotation"):
            kids = _kids(node)
            return self.type_expr(kids[0]) if kids else None
        if t in ("predefined_type", "type_identifier", "identifier", "this_type"):
            return ir.Name(_text(node), span)
        if t == "nested_type_identifier":
            parts = _text(node).split(".")
            expr: object = ir.Name(parts[0], span)
            for part in parts[1:]:
                expr = ir.Attribute(expr, part, span)
            return expr
        if t == "generic_type":
            base = self.type_expr(node.child_by_field_name("name"))
            args_node = node.child_by_field_name("type_arguments")
            args = [self.type_expr(a) for a in _kids(args_node)] if args_node is not None else []
            index = args[0] if len(args) == 1 else ir.Container("tuple", tuple(args), span=span)
            return ir.Subscript(base, index, span)
        if t == "literal_type":
            kids = _kids(node)
            return self.expr(kids[0]) if kids else ir.Literal(_text(node), span)
        if t == "union_type":
            members = [self.type_expr(k) for k in _kids(node)]
            if not members:
                return ir.Unknown("union_type", (), span)
            expr = members[0]
            for member in members[1:]:
                expr = ir.BinOp("|", expr, member, span)
            return expr
        if t == "array_type":
            kids = _kids(node)
            return ir.Subscript(ir.Name("Array", span), self.type_expr(kids[0]) if kids else ir.Name("any", span),
                                span)
        return ir.Unknown(t, (), span)

    # ------------------------------------------------------------------ expressions

    def expr(self, node):
        handler = self._expr_table.get(node.type)
        if handler is not None:
            return handler(node)
        return self.unknown(node)

    def expr_or_none(self, node):
        if node is None or not node.is_named:
            return None
        return self.expr(node)

    def _inner(self, node):
        """The wrapped expression of a parenthesized or type-only wrapper node."""
        for child in _kids(node):
            if child.type in self._expr_table or child.type in ("assignment_expression", "sequence_expression"):
                return child
        return None

    def e_name(self, node):
        return ir.Name(_text(node), self.span(node))

    def e_const(self, node):
        value = {"true": True, "false": False, "null": None, "undefined": None}[node.type]
        return ir.Literal(value, self.span(node))

    def e_number(self, node):
        return ir.Literal(number_value(_text(node)), self.span(node))

    def string_value(self, node) -> str:
        if node.type != "string":
            return _text(node)
        parts = []
        for child in node.named_children:
            if child.type == "escape_sequence":
                parts.append(decode_escape(_text(child)))
            elif child.type == "html_character_reference":
                parts.append(_text(child))
            else:
                parts.append(_text(child))
        return join_surrogates("".join(parts))

    def e_string(self, node):
        return ir.Literal(self.string_value(node), self.span(node))

    def e_template(self, node):
        parts: list = []
        chunk: list[str] = []
        chunk_start = None

        def flush() -> None:
            nonlocal chunk, chunk_start
            if chunk:
                parts.append(ir.Literal(join_surrogates("".join(chunk)), chunk_start))
            chunk, chunk_start = [], None

        for child in node.named_children:
            if child.type in ("string_fragment", "escape_sequence"):
                if chunk_start is None:
                    chunk_start = self.span(child)
                chunk.append(decode_escape(_text(child)) if child.type == "escape_sequence" else _text(child))
            elif child.type == "template_substitution":
                flush()
                inner = [c for c in _kids(child)]
                parts.append(self.expr(inner[0]) if inner else ir.Literal("", self.span(child)))
            elif child.type == "comment":
                continue
        flush()
        span = self.span(node)
        if all(isinstance(p, ir.Literal) for p in parts):
            return ir.Literal("".join(str(p.value) for p in parts), span)
        return ir.StrBuild(tuple(parts), "template literal", span)

    def e_regex(self, node):
        """``/re/flags`` is ``new RegExp("re", "flags")``: guards can then see the pattern text."""
        span = self.span(node)
        pattern = node.child_by_field_name("pattern")
        flags = node.child_by_field_name("flags")
        args = (ir.Literal(_text(pattern) if pattern is not None else "", span),)
        if flags is not None:
            args += (ir.Literal(_text(flags), span),)
        return ir.Call(ir.Name("RegExp", span), args, (), span, new=True)

    def e_member(self, node):
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        if obj is not None and prop is not None and obj.text in (b"exports", b"module.exports"):
            # CommonJS `exports.run` reads the binding `exports.run = ...` made (see _export_value)
            return ir.Name(f"$exports.{_text(prop)}", self.span(node))
        optional = node.child_by_field_name("optional_chain") is not None or _has_token(node, "?.")
        value = self.expr(obj) if obj is not None else ir.Name("?", self.span(node))
        return ir.Attribute(value, _text(prop) if prop is not None else "?", self.span(node), optional=optional)

    def e_subscript(self, node):
        obj = node.child_by_field_name("object")
        index = node.child_by_field_name("index")
        value = self.expr(obj) if obj is not None else ir.Name("?", self.span(node))
        return ir.Subscript(value, self.expr_or_none(index) or ir.Literal(None, self.span(node)), self.span(node))

    def _require_value(self, node):
        """``require("m")`` inside an expression: hoist an import to a synthetic name and use that name."""
        if node is None or node.type != "call_expression":
            return None
        spec = self._module_specifier(node)
        if spec is None or _text(node.child_by_field_name("function")) != "require":
            return None
        alias = f"$require({spec})"
        span = self.span(node)
        self.pending.append(ir.Import(spec, (ir.ImportName(None, alias),), span))
        return ir.Name(alias, span)

    def arguments(self, node) -> tuple:
        if node is None:
            return ()
        if node.type == "template_string":  # tagged template: tag(strings, ...values)
            lowered = self.e_template(node)
            span = self.span(node)
            if isinstance(lowered, ir.StrBuild):
                strings = tuple(p for p in lowered.parts if isinstance(p, ir.Literal))
                values = tuple(p for p in lowered.parts if not isinstance(p, ir.Literal))
                return (ir.Container("list", strings, span=span), *values)
            return (ir.Container("list", (lowered,), span=span),)
        return tuple(self.expr(a) for a in _kids(node))

    def e_call(self, node):
        func = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        span = self.span(node)
        if func is not None and func.type == "identifier" and func.text == b"require":
            required = self._require_value(node)
            if required is not None:
                return required
        if func is not None and func.type == "import":  # dynamic import(): a module, unresolved
            return ir.Unknown("dynamic-import", self.arguments(args_node), span)
        callee = self.expr(func) if func is not None else ir.Name("?", span)
        return ir.Call(callee, self.arguments(args_node), (), span)

    def e_new(self, node):
        ctor = node.child_by_field_name("constructor")
        span = self.span(node)
        callee = self.expr(ctor) if ctor is not None else ir.Name("?", span)
        return ir.Call(callee, self.arguments(node.child_by_field_name("arguments")), (), span, new=True)

    def e_object(self, node):
        entries: list = []
        for item in _kids(node):
            t = item.type
            span = self.span(item)
            if t == "pair":
                key_node = item.child_by_field_name("key")
                value_node = item.child_by_field_name("value")
                key = self._object_key(key_node)
                bound = str(key.value) if isinstance(key, ir.Literal) else None
                value = self.function_value(value_node, bound) if value_node is not None else ir.Literal(None, span)
                entries.append((key, value))
            elif t == "shorthand_property_identifier":
                entries.append((ir.Literal(_text(item), span), ir.Name(_text(item), span)))
            elif t == "spread_element":
                kids = _kids(item)
                entries.append((None, self.expr(kids[0]) if kids else ir.Literal(None, span)))
            elif t == "method_definition":
                name = self._member_name(item.child_by_field_name("name"))
                fn = self.function(item, method_name=None, bound=name)
                entries.append((ir.Literal(name, self.span(item.child_by_field_name("name") or item)),
                                ir.FunctionRef(fn, span)))
            elif t == "ERROR":
                for expr in self.child_exprs(item):
                    entries.append((None, expr))
            elif self.strict and not _in_error(item):
                raise UnknownSyntax(f"{self.path}:{item.start_point[0] + 1}: unsupported object member `{t}`")
        return ir.Container("dict", entries=tuple(entries), span=self.span(node))

    def _object_key(self, key):
        if key is None:
            return ir.Literal("?", ir.NO_SPAN)
        span = self.span(key)
        if key.type == "string":
            return ir.Literal(self.string_value(key), span)
        if key.type == "number":
            return ir.Literal(number_value(_text(key)), span)
        if key.type == "computed_property_name":
            kids = _kids(key)
            return self.expr(kids[0]) if kids else ir.Literal("?", span)
        return ir.Literal(_text(key), span)

    def e_array(self, node):
        return ir.Container("list", tuple(self.expr(c) for c in _kids(node)), span=self.span(node))

    def e_spread(self, node):
        kids = _kids(node)
        return ir.Starred(self.expr(kids[0]) if kids else ir.Literal(None, self.span(node)), self.span(node))

    def e_binary(self, node):
        op = _text(node.child_by_field_name("operator"))
        left_node = node.child_by_field_name("left")
        right_node = node.child_by_field_name("right")
        span = self.span(node)
        left = self.expr(left_node) if left_node is not None else ir.Literal(None, span)
        right = self.expr(right_node) if right_node is not None else ir.Literal(None, span)
        if op == "+" and (_is_stringy(left) or _is_stringy(right)):
            parts: list = []
            for side in (left, right):
                if isinstance(side, ir.StrBuild) and side.how == "concatenation":
                    parts.extend(side.parts)
                else:
                    parts.append(side)
            return ir.StrBuild(tuple(parts), "concatenation", span)
        if op in _COMPARE_OPS:
            return ir.Compare(left, (_COMPARE_OPS[op],), (right,), span)
        if op in _BOOL_OPS:
            bool_op = _BOOL_OPS[op]
            values: list = []
            for side in (left, right):
                if isinstance(side, ir.BoolOp) and side.op == bool_op and side is left:
                    values.extend(side.values)
                else:
                    values.append(side)
            return ir.BoolOp(bool_op, tuple(values), span)
        return ir.BinOp(op, left, right, span)

    def e_unary(self, node):
        op = _text(node.child_by_field_name("operator"))
        arg = node.child_by_field_name("argument")
        span = self.span(node)
        return ir.UnaryOp(_UNARY_OPS.get(op, op), self.expr(arg) if arg is not None else ir.Literal(None, span), span)

    def e_update(self, node):
        op_node = node.child_by_field_name("operator")
        arg = node.child_by_field_name("argument")
        span = self.span(node)
        return ir.UnaryOp(_text(op_node) if op_node is not None else "++",
                          self.expr(arg) if arg is not None else ir.Literal(None, span), span)

    def e_ternary(self, node):
        span = self.span(node)
        return ir.Conditional(
            self.expr_or_none(node.child_by_field_name("condition")) or ir.Literal(None, span),
            self.expr_or_none(node.child_by_field_name("consequence")) or ir.Literal(None, span),
            self.expr_or_none(node.child_by_field_name("alternative")) or ir.Literal(None, span),
            span,
        )

    def e_await(self, node):
        kids = [c for c in _kids(node) if c.type in self._expr_table]
        span = self.span(node)
        return ir.Await(self.expr(kids[0]) if kids else ir.Literal(None, span), span)

    def e_paren(self, node):
        inner = self._inner(node)
        if inner is None:
            return ir.Literal(None, self.span(node))
        return self.expr(inner)

    e_wrapper = e_paren

    def e_sequence(self, node):
        """``(a, b)``: the value is ``b``; the others are evaluated for their effects."""
        kids = [c for c in _kids(node) if c.type in self._expr_table]
        if not kids:
            return ir.Literal(None, self.span(node))
        for child in kids[:-1]:
            stmts: list = []
            self.expression_statement(child, stmts)
            self.pending.extend(stmts)
        return self.expr(kids[-1])

    def e_assign_expr(self, node):
        """An assignment inside an expression: hoist the Assign before the statement, use the target."""
        stmts = self.assignment(node)
        self.pending.extend(stmts)
        stmt = stmts[-1] if stmts else None
        if isinstance(stmt, ir.Assign) and isinstance(stmt.targets[0], (ir.Name, ir.Attribute, ir.Subscript)):
            return stmt.targets[0]
        return ir.Unknown("assignment", (), self.span(node))

    def e_yield(self, node):
        kids = [c for c in _kids(node) if c.type in self._expr_table]
        return ir.Unknown("yield", tuple(self.expr(k) for k in kids), self.span(node))

    def e_meta(self, node):
        return ir.Name(_text(node).replace(" ", ""), self.span(node))

    def e_class(self, node):
        cls = self.class_(node)
        return ir.Unknown("class", (ir.Name(cls.name, self.span(node)),), self.span(node))

    def e_function(self, node):
        fn = self.function(node)
        return ir.FunctionRef(fn, self.span(node))

    def e_jsx(self, node):
        if node.type == "jsx_text":
            return ir.Literal(_text(node), self.span(node))
        return ir.Unknown("jsx", tuple(self.child_exprs(node)), self.span(node))
