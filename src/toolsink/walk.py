"""Walking the IR: the sub-bodies of a statement, the expressions it holds, the children of an expression,
and the functions defined directly in a body. Shared by the engine, the entry-point finder and the checks.
"""

from __future__ import annotations

from . import ir


def sub_bodies(s):
    if isinstance(s, ir.If):
        return (s.body, s.orelse)
    if isinstance(s, (ir.Loop,)):
        return (s.body, s.orelse)
    if isinstance(s, ir.With):
        return (s.body,)
    if isinstance(s, ir.Try):
        return (s.body, s.orelse, s.finalbody, *(h.body for h in s.handlers))
    if isinstance(s, ir.Switch):
        return tuple(c.body for c in s.cases)
    return ()


def nested_functions(body):
    """Functions defined directly inside ``body`` (not inside nested functions), incl. lambdas/arrows."""
    out = []

    def visit_expr(e):
        if isinstance(e, ir.FunctionRef):
            out.append(e.function)
            return
        for child in expr_children(e):
            visit_expr(child)

    def visit(stmts):
        for s in stmts:
            if isinstance(s, ir.FunctionDef):
                out.append(s.function)
                continue
            if isinstance(s, ir.ClassDef):
                continue
            for e in stmt_exprs(s):
                visit_expr(e)
            for sub in sub_bodies(s):
                visit(sub)

    visit(body)
    return out


def stmt_exprs(s):
    if isinstance(s, ir.Assign):
        return (s.value,) if s.value is not None else ()
    if isinstance(s, (ir.ExprStmt,)):
        return (s.value,)
    if isinstance(s, (ir.Return, ir.Raise)):
        return (s.value,) if s.value is not None else ()
    if isinstance(s, ir.If):
        return (s.test,)
    if isinstance(s, ir.Loop):
        return tuple(x for x in (s.iter, s.test) if x is not None)
    if isinstance(s, ir.With):
        return tuple(i.context for i in s.items)
    if isinstance(s, ir.Switch):
        return (s.subject,)
    if isinstance(s, ir.Export):
        return (s.value,) if s.value is not None else ()
    return ()


def expr_children(e):
    if isinstance(e, ir.Call):
        return (e.func, *e.args, *(k.value for k in e.keywords))
    if isinstance(e, (ir.Attribute, ir.Await, ir.Starred)):
        return (e.value,)
    if isinstance(e, ir.Subscript):
        return (e.value, e.index)
    if isinstance(e, ir.StrBuild):
        return e.parts
    if isinstance(e, ir.Container):
        return (*e.items, *(v for _, v in e.entries), *(k for k, _ in e.entries if k is not None))
    if isinstance(e, ir.BinOp):
        return (e.left, e.right)
    if isinstance(e, ir.Compare):
        return (e.left, *e.comparators)
    if isinstance(e, ir.BoolOp):
        return e.values
    if isinstance(e, ir.UnaryOp):
        return (e.operand,)
    if isinstance(e, ir.Conditional):
        return (e.test, e.body, e.orelse)
    if isinstance(e, ir.Comprehension):
        return (*(it for _, it in e.generators), e.element, *e.conditions)
    if isinstance(e, ir.Unknown):
        return e.children
    return ()


def all_exprs(body):
    """Every expression under a list of statements, nested functions, classes and callbacks included."""
    stack = list(body)
    exprs: list = []
    while stack:
        s = stack.pop()
        if isinstance(s, ir.FunctionDef):
            stack.extend(s.function.body)
            continue
        if isinstance(s, ir.ClassDef):
            stack.extend(s.cls.body)
            continue
        exprs.extend(stmt_exprs(s))
        for sub in sub_bodies(s):
            stack.extend(sub)
        while exprs:
            e = exprs.pop()
            if e is None:
                continue
            yield e
            if isinstance(e, ir.FunctionRef):
                stack.extend(e.function.body)
            else:
                exprs.extend(expr_children(e))
