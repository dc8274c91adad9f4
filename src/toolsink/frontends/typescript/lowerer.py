"""The lowering state of one file (positions, the function and class lists, qualname scopes, hoisted
statements) and the dispatch from tree-sitter node types to the statement and expression lowerings, which
are functions of :mod:`.statements`, :mod:`.modules`, :mod:`.declarations` and :mod:`.expressions` taking
the lowerer as their first argument."""

from __future__ import annotations

from ... import ir
from ..common import UnknownSyntax
from .nodes import (
    CLASS_DECLS, FUNCTION_DECLS, FUNCTION_EXPRS, JSX, RowPositions, TYPE_ONLY_STMTS, TYPE_WRAPPERS, in_error, named_kids,
)
from . import expressions, modules, statements


class Lowerer:
    """One file's lowering state: positions, the function and class lists, qualname scopes."""

    def __init__(self, path: str, source: bytes, strict: bool) -> None:
        self.path = path
        self.pos = RowPositions(source)
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
            "identifier": expressions.e_name, "shorthand_property_identifier": expressions.e_name,
            "private_property_identifier": expressions.e_name, "property_identifier": expressions.e_name,
            "this": expressions.e_name, "super": expressions.e_name,
            "true": expressions.e_const, "false": expressions.e_const, "null": expressions.e_const, "undefined": expressions.e_const,
            "number": expressions.e_number, "string": expressions.e_string, "template_string": expressions.e_template,
            "regex": expressions.e_regex, "member_expression": expressions.e_member, "subscript_expression": expressions.e_subscript,
            "call_expression": expressions.e_call, "new_expression": expressions.e_new, "object": expressions.e_object,
            "array": expressions.e_array, "binary_expression": expressions.e_binary, "unary_expression": expressions.e_unary,
            "update_expression": expressions.e_update, "ternary_expression": expressions.e_ternary,
            "await_expression": expressions.e_await, "parenthesized_expression": expressions.e_paren,
            "sequence_expression": expressions.e_sequence, "assignment_expression": expressions.e_assign_expr,
            "augmented_assignment_expression": expressions.e_assign_expr, "spread_element": expressions.e_spread,
            "yield_expression": expressions.e_yield, "meta_property": expressions.e_meta, "class": expressions.e_class,
            "import": expressions.e_name, "decorator": expressions.e_paren,
            **{t: expressions.e_paren for t in TYPE_WRAPPERS},
            **{t: expressions.e_function for t in FUNCTION_EXPRS},
            **{t: expressions.e_jsx for t in JSX},
        }
        self._stmt_table = {
            "expression_statement": statements.s_expression, "lexical_declaration": statements.s_declaration,
            "variable_declaration": statements.s_declaration, "using_declaration": statements.s_declaration,
            "import_statement": modules.s_import, "export_statement": modules.s_export,
            "if_statement": statements.s_if, "switch_statement": statements.s_switch, "for_statement": statements.s_for,
            "for_in_statement": statements.s_for_in, "while_statement": statements.s_while, "do_statement": statements.s_do,
            "try_statement": statements.s_try, "throw_statement": statements.s_throw, "return_statement": statements.s_return,
            "break_statement": statements.s_jump, "continue_statement": statements.s_jump, "statement_block": statements.s_block,
            "labeled_statement": statements.s_labeled, "with_statement": statements.s_with, "enum_declaration": statements.s_enum,
            "internal_module": statements.s_namespace, "module": statements.s_namespace, "ERROR": statements.s_error,
            **{t: statements.s_function for t in FUNCTION_DECLS},
            **{t: statements.s_class for t in CLASS_DECLS},
        }

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
        if self.strict and node.type != "ERROR" and kind is None and not in_error(node):
            row, col = node.start_point
            raise UnknownSyntax(f"{self.path}:{row + 1}:{col + 1}: unsupported syntax `{node.type}`")
        return ir.Unknown(kind or node.type, tuple(self.child_exprs(node)), self.span(node))

    def child_exprs(self, node) -> list:
        out = []
        for child in named_kids(node):
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
            handler(self, node, produced)
        elif node.type in TYPE_ONLY_STMTS or not node.is_named:
            pass
        elif node.type in self._expr_table:  # an expression where a statement was expected (error recovery)
            produced.append(ir.ExprStmt(self.expr(node), self.span(node)))
        elif in_error(node):  # a fragment the parser left over: mine it like an ERROR node
            statements.s_error(self, node, produced)
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
            for child in named_kids(node):
                self.stmt(child, out)
        else:
            self.stmt(node, out)
        return tuple(out)

    def expr(self, node):
        handler = self._expr_table.get(node.type)
        if handler is not None:
            return handler(self, node)
        return self.unknown(node)

    def expr_or_none(self, node):
        if node is None or not node.is_named:
            return None
        return self.expr(node)
