"""Statements: expression statements and assignments (with destructuring), declarations, control flow
(if, switch with fall-through cases merged, loops, try), enums and namespaces."""

from __future__ import annotations

from ... import ir
from .nodes import AUG_OPS, TYPE_ONLY_STMTS, TYPE_WRAPPERS, named_kids, text_of
from . import declarations, expressions, modules


def s_block(lw, node, out: list) -> None:
    for child in named_kids(node):
        lw.stmt(child, out)


def s_error(lw, node, out: list) -> None:
    """An ERROR node at statement level: lower whatever statements and expressions it still holds."""
    for child in named_kids(node):
        if child.type in lw._stmt_table:
            lw.stmt(child, out)
        elif child.type in lw._expr_table:
            out.append(ir.ExprStmt(lw.expr(child), lw.span(child)))
        elif child.type in TYPE_ONLY_STMTS:
            continue
        else:
            s_error(lw, child, out)


def s_labeled(lw, node, out: list) -> None:
    body = node.child_by_field_name("body")
    if body is not None:
        lw.stmt(body, out)


def s_expression(lw, node, out: list) -> None:
    kids = named_kids(node)
    if kids:
        expression_statement(lw, kids[0], out)


def expression_statement(lw, node, out: list) -> None:
    """An expression used as a statement: assignments become Assign, the rest ExprStmt."""
    t = node.type
    if t == "parenthesized_expression" or t in TYPE_WRAPPERS:
        inner = expressions._inner(lw, node)
        if inner is not None and inner.type in ("assignment_expression", "sequence_expression"):
            expression_statement(lw, inner, out)
            return
    if t == "sequence_expression":
        for child in named_kids(node):
            expression_statement(lw, child, out)
        return
    if t == "await_expression":  # `await using x = ...` as the TypeScript grammar reads it
        kids = named_kids(node)
        if kids and kids[0].type == "assignment_expression":
            expression_statement(lw, kids[0], out)
            return
    if t in ("assignment_expression", "augmented_assignment_expression"):
        out.extend(assignment(lw, node))
        return
    if t == "update_expression":
        arg = node.child_by_field_name("argument")
        op_node = node.child_by_field_name("operator")
        op = "-" if op_node is not None and text_of(op_node) == "--" else "+"
        if arg is not None:
            out.append(ir.Assign((declarations.lower_target(lw, arg),), ir.Literal(1, lw.span(node)), lw.span(node), op=op))
            return
    out.append(ir.ExprStmt(lw.expr(node), lw.span(node)))


def assignment(lw, node) -> list:
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    span = lw.span(node)
    op = None
    if node.type == "augmented_assignment_expression":
        op_text = text_of(node.child_by_field_name("operator"))
        op = AUG_OPS.get(op_text, op_text[:-1])
    exported = modules._commonjs_export(lw, left)
    if exported is not None and op is None:
        value = declarations.function_value(lw, right, exported if exported != "" else None) if right is not None else None
        return modules._export_value(lw, exported, value, span)
    target = declarations.lower_target(lw, left) if left is not None else ir.Name("?", span)
    bound = target.id if isinstance(target, ir.Name) else (
        target.attr if isinstance(target, ir.Attribute) else None)
    value = declarations.function_value(lw, right, bound) if right is not None else None
    return [ir.Assign((target,), value, span, op=op)]


def s_declaration(lw, node, out: list) -> None:
    for decl in named_kids(node):
        if decl.type != "variable_declarator":
            continue
        name = decl.child_by_field_name("name")
        value = decl.child_by_field_name("value")
        if name is None:
            continue
        imported = modules._require_import(lw, name, value, decl)
        if imported is not None:
            out.append(imported)
            continue
        type_node = decl.child_by_field_name("type")
        annotation = declarations.type_expr(lw, type_node) if type_node is not None else None
        if value is not None and name.type == "identifier" and value.type in ("class",):
            cls = declarations.class_(lw, value, text_of(name))
            out.append(ir.ClassDef(cls, lw.span(decl)))
            continue
        target = declarations.lower_target(lw, name)
        bound = text_of(name) if name.type == "identifier" else None
        lowered = declarations.function_value(lw, value, bound, top_name=True) if value is not None else None
        out.append(ir.Assign((target,), lowered, lw.span(decl), annotation=annotation))


def s_function(lw, node, out: list) -> None:
    fn = declarations.function(lw, node)
    out.append(ir.FunctionDef(fn, lw.span(node)))


def s_class(lw, node, out: list) -> None:
    cls = declarations.class_(lw, node)
    out.append(ir.ClassDef(cls, lw.span(node)))


def s_if(lw, node, out: list) -> None:
    test = lw.expr_or_none(node.child_by_field_name("condition"))
    body = lw.block(node.child_by_field_name("consequence"))
    orelse: tuple = ()
    alternative = node.child_by_field_name("alternative")
    if alternative is not None:
        kids = named_kids(alternative)
        orelse = lw.block(kids[0]) if kids else ()
    out.append(ir.If(test or ir.Literal(True, lw.span(node)), body, orelse, lw.span(node)))


def s_switch(lw, node, out: list) -> None:
    subject = lw.expr_or_none(node.child_by_field_name("value")) or ir.Literal(None, lw.span(node))
    body = node.child_by_field_name("body")
    cases: list[ir.Case] = []
    waiting: list = []  # tests of empty cases that fall into the next one
    waiting_default = False
    first_span = None
    clauses = [c for c in named_kids(body) if c.type in ("switch_case", "switch_default")] if body else []
    for i, clause in enumerate(clauses):
        is_default = clause.type == "switch_default"
        if is_default:
            waiting_default = True
        else:
            test = lw.expr_or_none(clause.child_by_field_name("value"))
            if test is not None:
                waiting.append(test)
        first_span = first_span or lw.span(clause)
        stmts: list = []
        for child in clause.children_by_field_name("body"):
            if child.type != "comment":
                lw.stmt(child, stmts)
        if not stmts and i < len(clauses) - 1:
            continue  # falls into the next case: its tests join that case
        # a trailing unlabeled `break` leaves the switch; `break outer` stays (kind "break outer")
        ends_with_break = bool(stmts) and isinstance(stmts[-1], ir.Jump) and stmts[-1].kind == "break"
        if ends_with_break:
            stmts.pop()
        terminal = ends_with_break or (bool(stmts) and isinstance(stmts[-1], (ir.Return, ir.Raise, ir.Jump)))
        clause_span = lw.span(clause)
        span = ir.Span(first_span.line, first_span.col, clause_span.end_line, clause_span.end_col)
        tests = () if waiting_default else tuple(waiting)
        cases.append(ir.Case(tests, tuple(stmts), span, falls_through=not terminal and i < len(clauses) - 1))
        waiting, waiting_default, first_span = [], False, None
    out.append(ir.Switch(subject, tuple(cases), lw.span(node)))


def s_for(lw, node, out: list) -> None:
    init = node.child_by_field_name("initializer")
    if init is not None:
        if init.type in lw._stmt_table:
            lw.stmt(init, out)
        elif init.type in lw._expr_table:
            expression_statement(lw, init, out)
    cond = node.child_by_field_name("condition")
    test = None
    if cond is not None and cond.is_named and cond.type != "empty_statement":
        if cond.type == "expression_statement":
            kids = named_kids(cond)
            cond = kids[0] if kids else None
        test = lw.expr_or_none(cond)
    body = list(lw.block(node.child_by_field_name("body")))
    increment = node.child_by_field_name("increment")
    if increment is not None:
        saved, lw.pending = lw.pending, []
        tail: list = []
        expression_statement(lw, increment, tail)
        body.extend(lw.pending)
        body.extend(tail)
        lw.pending = saved
    out.append(ir.Loop(None, None, test or ir.Literal(True, lw.span(node)), tuple(body), (), lw.span(node)))


def s_for_in(lw, node, out: list) -> None:
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    target = declarations.lower_target(lw, left) if left is not None else None
    iterable = lw.expr_or_none(right)
    body = lw.block(node.child_by_field_name("body"))
    out.append(ir.Loop(target, iterable or ir.Literal(None, lw.span(node)), None, body, (), lw.span(node)))


def s_while(lw, node, out: list) -> None:
    test = lw.expr_or_none(node.child_by_field_name("condition"))
    body = lw.block(node.child_by_field_name("body"))
    out.append(ir.Loop(None, None, test or ir.Literal(True, lw.span(node)), body, (), lw.span(node)))


def s_do(lw, node, out: list) -> None:
    body = lw.block(node.child_by_field_name("body"))
    test = lw.expr_or_none(node.child_by_field_name("condition"))
    out.append(ir.Loop(None, None, test or ir.Literal(True, lw.span(node)), body, (), lw.span(node)))


def s_try(lw, node, out: list) -> None:
    body = lw.block(node.child_by_field_name("body"))
    handlers: list[ir.Handler] = []
    catch = node.child_by_field_name("handler")
    if catch is not None:
        param = catch.child_by_field_name("parameter")
        handler_body = list(lw.block(catch.child_by_field_name("body")))
        name = None
        if param is not None:
            if param.type == "identifier":
                name = text_of(param)
            else:  # catch ({ message }) -> a synthetic name and a destructuring assignment
                name = "$error"
                handler_body.insert(0, ir.Assign((declarations.lower_target(lw, param),), ir.Name(name, lw.span(param)),
                                                 lw.span(param)))
        handlers.append(ir.Handler(None, name, tuple(handler_body), lw.span(catch)))
    finalizer = node.child_by_field_name("finalizer")
    finalbody = lw.block(finalizer.child_by_field_name("body")) if finalizer is not None else ()
    out.append(ir.Try(body, tuple(handlers), (), finalbody, lw.span(node)))


def s_throw(lw, node, out: list) -> None:
    kids = [c for c in named_kids(node) if c.type in lw._expr_table]
    out.append(ir.Raise(lw.expr(kids[0]) if kids else None, lw.span(node)))


def s_return(lw, node, out: list) -> None:
    kids = [c for c in named_kids(node) if c.type in lw._expr_table]
    out.append(ir.Return(lw.expr(kids[0]) if kids else None, lw.span(node)))


def s_jump(lw, node, out: list) -> None:
    kind = "break" if node.type == "break_statement" else "continue"
    label = node.child_by_field_name("label")
    out.append(ir.Jump(kind if label is None else f"{kind} {text_of(label)}", lw.span(node)))


def s_with(lw, node, out: list) -> None:
    obj = lw.expr_or_none(node.child_by_field_name("object")) or ir.Literal(None, lw.span(node))
    body = lw.block(node.child_by_field_name("body"))
    out.append(ir.With((ir.WithItem(obj, None),), body, lw.span(node)))


def s_enum(lw, node, out: list) -> None:
    name = node.child_by_field_name("name")
    body = node.child_by_field_name("body")
    entries = []
    for member in named_kids(body) if body is not None else []:
        key_node = member.child_by_field_name("name") if member.type == "enum_assignment" else member
        if key_node is None:
            continue
        key = expressions.string_value(lw, key_node) if key_node.type == "string" else text_of(key_node)
        value_node = member.child_by_field_name("value") if member.type == "enum_assignment" else None
        value = lw.expr(value_node) if value_node is not None else ir.Literal(key, lw.span(member))
        entries.append((ir.Literal(key, lw.span(key_node)), value))
    if name is not None:
        out.append(ir.Assign((ir.Name(text_of(name), lw.span(name)),),
                             ir.Container("dict", entries=tuple(entries), span=lw.span(node)), lw.span(node)))


def s_namespace(lw, node, out: list) -> None:
    """``namespace N { ... }``: its statements are lowered in place (an approximation)."""
    body = node.child_by_field_name("body")
    if body is not None:
        s_block(lw, body, out)
