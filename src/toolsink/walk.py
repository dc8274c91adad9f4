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
    """The sub-expressions of ``e`` (``None`` where a part is absent), by the node's exact type: no IR
    class has subclasses, and one dictionary look-up is cheaper than a chain of ``isinstance`` tests (this
    runs for every node of every walk)."""
    children = _CHILDREN.get(type(e))
    return children(e) if children is not None else ()


_CHILDREN = {
    ir.Call: lambda e: (e.func, *e.args, *(k.value for k in e.keywords)),
    ir.Attribute: lambda e: (e.value,),
    ir.Await: lambda e: (e.value,),
    ir.Starred: lambda e: (e.value,),
    ir.Subscript: lambda e: (e.value, e.index),
    ir.StrBuild: lambda e: e.parts,
    ir.Container: lambda e: (*e.items, *(v for _, v in e.entries), *(k for k, _ in e.entries if k is not None)),
    ir.BinOp: lambda e: (e.left, e.right),
    ir.Compare: lambda e: (e.left, *e.comparators),
    ir.BoolOp: lambda e: e.values,
    ir.UnaryOp: lambda e: (e.operand,),
    ir.Conditional: lambda e: (e.test, e.body, e.orelse),
    ir.Comprehension: lambda e: (*(it for _, it in e.generators), e.element, *e.conditions),
    ir.Unknown: lambda e: e.children,
}


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
