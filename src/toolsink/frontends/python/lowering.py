"""The lowering state of one Python file and the dispatch from tree-sitter node types to the functions of
:mod:`.statements`, :mod:`.declarations` and :mod:`.expressions`, which take the lowering first."""

from __future__ import annotations

from ... import ir
from ..common import STRICT, Positions, UnknownSyntax
from . import declarations, expressions, statements


SKIP = {"comment", "pass_statement", "global_statement", "nonlocal_statement", "future_import_statement",
         "type_alias_statement", "print_statement", "exec_statement", "ellipsis", "line_continuation"}


class Lowering:
    """One file's lowering state: positions, the module, the qualname scope and the enclosing class; the
    statement and expression lowerings are functions of the sibling modules that take it first."""

    def __init__(self, path: str, source: bytes) -> None:
        self.path = path
        self.pos = Positions(source)
        self.module: ir.Module | None = None
        self.scope: list[str] = []  # qualname parts
        self.current_class: ir.Class | None = None

    def span(self, node) -> ir.Span:
        return self.pos.span(node)

    def block(self, node) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for child in node.named_children:
            out.extend(self.stmt(child))
        return tuple(out)

    def body_of(self, node, field: str = "body") -> tuple[ir.Stmt, ...]:
        body = node.child_by_field_name(field)
        return self.block(body) if body is not None else ()

    def stmt(self, node) -> list[ir.Stmt]:
        t = node.type
        method = STATEMENTS.get(t)
        if method is not None:
            return method(self, node)
        if t in SKIP or t == "ERROR" and not node.named_children:
            return []
        if t == "ERROR":  # keep what parsed inside a broken region
            return self.recover(node)
        if t.endswith("_statement") or t == "block":
            if STRICT and t != "block":
                raise UnknownSyntax(f"{self.path}:{node.start_point[0] + 1}: statement {t}")
            return [ir.ExprStmt(self.unknown(node), self.span(node))]
        # a bare expression in a broken region
        return [ir.ExprStmt(self.expr(node), self.span(node))]

    def recover(self, node) -> list[ir.Stmt]:
        """Statements from an ERROR region: what an editor sends mid-edit, typically an unclosed call
        (``x = f(a + b`` followed by more lines). Named children that parsed are kept; a name or attribute
        followed by ``(`` becomes a call of the expressions after it, and ``name =`` before it an assignment."""
        out: list[ir.Stmt] = []
        kids = [c for c in node.children if c.type != "comment"]
        i = 0
        while i < len(kids):
            c = kids[i]
            if c.type in ("identifier", "attribute") and i + 1 < len(kids) and kids[i + 1].type == "(":
                j = i + 2
                args = []
                while j < len(kids) and kids[j].type not in (")", "ERROR") and kids[j].is_named and not (
                        kids[j].type == "identifier" and kids[j].text in (b"return", b"if", b"for", b"while")):
                    args.append(self.expr(kids[j]))
                    j += 1
                span = self.span(c)
                call = ir.Call(self.expr(c), tuple(args), (), span)
                if i >= 2 and kids[i - 1].type == "=" and kids[i - 2].type == "identifier":
                    out.append(ir.Assign((declarations.lower_target(self, kids[i - 2]),), call, span))
                else:
                    out.append(ir.ExprStmt(call, span))
                i = j + (1 if j < len(kids) and kids[j].type == ")" else 0)
                continue
            if c.is_named and c.type.endswith(("statement", "definition")):
                out.extend(self.stmt(c))
            elif c.type == "ERROR":
                out.extend(self.recover(c))
            i += 1
        return out

    def unknown(self, node) -> ir.Unknown:
        return ir.Unknown(node.type, tuple(self.expr(c) for c in node.named_children
                                           if c.type not in ("comment", "block")), self.span(node))

    def expr(self, node) -> ir.Expr:
        t = node.type
        method = EXPRESSIONS.get(t)
        if method is not None:
            return method(self, node)
        if STRICT and t not in ("ERROR", "ellipsis", "slice", "type_conversion", "yield", "generator_expression"):
            raise UnknownSyntax(f"{self.path}:{node.start_point[0] + 1}: expression {t}")
        return self.unknown(node)


# tree-sitter node type -> lowering function: `s_if_statement` lowers an `if_statement`
STATEMENTS = {name[2:]: fn for name, fn in vars(statements).items() if name.startswith("s_") and callable(fn)}
EXPRESSIONS = {name[2:]: fn for name, fn in vars(expressions).items() if name.startswith("e_") and callable(fn)}
