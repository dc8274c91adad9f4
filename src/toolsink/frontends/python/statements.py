"""Statements: assignments, control flow (if, loops, with, try, match/case with literal and value
patterns), imports, and the definitions that delegate to :mod:`.declarations`."""

from __future__ import annotations

from ... import ir
from . import declarations


def s_block(lw, node):
    return list(lw.block(node))


def s_expression_statement(lw, node):
    out: list[ir.Stmt] = []
    for child in node.named_children:
        if child.type in ("assignment", "augmented_assignment"):
            out.extend(assignment(lw, child))
        else:
            out.append(ir.ExprStmt(lw.expr(child), lw.span(node)))
    return out


def assignment(lw, node) -> list[ir.Stmt]:
    span = lw.span(node)
    if node.type == "augmented_assignment":
        op = node.child_by_field_name("operator").text.decode()[:-1]
        return [ir.Assign((declarations.lower_target(lw, node.child_by_field_name("left")),),
                          lw.expr(node.child_by_field_name("right")), span, op=op)]
    targets = []
    cur = node
    value_node = None
    annotation = None
    while True:  # a = b = value is nested assignments on the right
        targets.append(declarations.lower_target(lw, cur.child_by_field_name("left")))
        if annotation is None and cur.child_by_field_name("type") is not None:
            annotation = lw.expr(cur.child_by_field_name("type"))
        right = cur.child_by_field_name("right")
        if right is not None and right.type == "assignment":
            cur = right
            continue
        value_node = right
        break
    value = lw.expr(value_node) if value_node is not None else None
    return [ir.Assign(tuple(targets), value, span, annotation=annotation)]


def s_return_statement(lw, node):
    kids = node.named_children
    value = lw.expr(kids[0]) if kids else None
    return [ir.Return(value, lw.span(node))]


def s_raise_statement(lw, node):
    kids = node.named_children
    return [ir.Raise(lw.expr(kids[0]) if kids else None, lw.span(node))]


def s_break_statement(lw, node):
    return [ir.Jump("break", lw.span(node))]


def s_continue_statement(lw, node):
    return [ir.Jump("continue", lw.span(node))]


def s_assert_statement(lw, node):
    # `assert cond` guards like `if not cond: raise`
    kids = node.named_children
    if not kids:
        return []
    span = lw.span(node)
    test = ir.UnaryOp("not", lw.expr(kids[0]), span)
    return [ir.If(test, (ir.Raise(None, span),), (), span)]


def s_delete_statement(lw, node):
    return [ir.ExprStmt(lw.unknown(node), lw.span(node))]


def s_if_statement(lw, node):
    test = lw.expr(node.child_by_field_name("condition"))
    body = lw.body_of(node, "consequence")
    orelse: tuple = ()
    alternatives = [c for c in node.children if c.type in ("elif_clause", "else_clause")]
    for alt in reversed(alternatives):
        if alt.type == "else_clause":
            orelse = lw.body_of(alt)
        else:
            orelse = (ir.If(lw.expr(alt.child_by_field_name("condition")),
                            lw.body_of(alt, "consequence"), orelse, lw.span(alt)),)
    return [ir.If(test, body, orelse, lw.span(node))]


def s_for_statement(lw, node):
    orelse = node.child_by_field_name("alternative")
    return [ir.Loop(declarations.lower_target(lw, node.child_by_field_name("left")), lw.expr(node.child_by_field_name("right")),
                    None, lw.body_of(node), lw.body_of(orelse) if orelse is not None else (), lw.span(node))]


def s_while_statement(lw, node):
    orelse = node.child_by_field_name("alternative")
    return [ir.Loop(None, None, lw.expr(node.child_by_field_name("condition")), lw.body_of(node),
                    lw.body_of(orelse) if orelse is not None else (), lw.span(node))]


def s_with_statement(lw, node):
    items = []
    clause = next((c for c in node.children if c.type == "with_clause"), None)
    for item in clause.named_children if clause is not None else ():
        if item.type != "with_item":
            continue
        value = item.child_by_field_name("value") or (item.named_children[0] if item.named_children else None)
        if value is None:
            continue
        if value.type == "as_pattern":
            ctx = lw.expr(value.named_children[0])
            alias = value.child_by_field_name("alias")
            tgt_node = alias.named_children[0] if alias is not None and alias.named_children else alias
            items.append(ir.WithItem(ctx, declarations.lower_target(lw, tgt_node) if tgt_node is not None else None))
        else:
            items.append(ir.WithItem(lw.expr(value), None))
    return [ir.With(tuple(items), lw.body_of(node), lw.span(node))]


def s_try_statement(lw, node):
    handlers, orelse, final = [], (), ()
    for c in node.children:
        if c.type in ("except_clause", "except_group_clause"):
            typ, name = None, None
            named = [k for k in c.named_children if k.type != "block"]
            if named:
                first = named[0]
                if first.type == "as_pattern":
                    typ = lw.expr(first.named_children[0])
                    alias = first.child_by_field_name("alias")
                    if alias is not None:
                        name = alias.text.decode()
                else:
                    typ = lw.expr(first)
                    if len(named) > 1 and named[1].type == "identifier":
                        name = named[1].text.decode()
            blk = next((k for k in c.named_children if k.type == "block"), None)
            handlers.append(ir.Handler(typ, name, lw.block(blk) if blk is not None else (), lw.span(c)))
        elif c.type == "else_clause":
            orelse = lw.body_of(c)
        elif c.type == "finally_clause":
            blk = next((k for k in c.named_children if k.type == "block"), None)
            final = lw.block(blk) if blk is not None else ()
    return [ir.Try(lw.body_of(node), tuple(handlers), orelse, final, lw.span(node))]


def s_match_statement(lw, node):
    subject_nodes = node.children_by_field_name("subject")
    subject = lw.expr(subject_nodes[0]) if subject_nodes else ir.Literal(None, lw.span(node))
    cases = []
    body = node.child_by_field_name("body")
    for clause in body.named_children if body is not None else ():
        if clause.type != "case_clause":
            continue
        tests: list[ir.Expr] = []
        for pat in clause.named_children:
            if pat.type == "case_pattern":
                tests.extend(case_tests(lw, pat))
        blk = clause.child_by_field_name("consequence") or next(
            (k for k in clause.named_children if k.type == "block"), None)
        cases.append(ir.Case(tuple(tests), lw.block(blk) if blk is not None else (), lw.span(clause)))
    return [ir.Switch(subject, tuple(cases), lw.span(node))]


def case_tests(lw, pat) -> list[ir.Expr]:
    out = []
    for c in pat.named_children:
        if c.type == "union_pattern":
            out.extend(lw.expr(k) for k in c.named_children if k.type in ("string", "integer", "dotted_name"))
        elif c.type in ("string", "integer", "float", "true", "false", "none"):
            out.append(lw.expr(c))
        elif c.type == "dotted_name" and c.named_child_count > 1:  # a value pattern: `case Kind.LOG:`
            out.append(lw.expr(c))
    return out


def s_import_statement(lw, node):
    out = []
    for c in node.named_children:
        if c.type == "dotted_name":
            name = c.text.decode()
            out.append(ir.Import(name, (ir.ImportName(None, name.split(".")[0]),), lw.span(node)))
            if "." in name:  # `import a.b` also makes `a.b` reachable through `a`
                out[-1] = ir.Import(name.split(".")[0], (ir.ImportName(None, name.split(".")[0]),), lw.span(node))
        elif c.type == "aliased_import":
            out.append(ir.Import(c.child_by_field_name("name").text.decode(),
                                 (ir.ImportName(None, c.child_by_field_name("alias").text.decode()),),
                                 lw.span(node)))
    return out


def s_import_from_statement(lw, node):
    mod = node.child_by_field_name("module_name")
    text = mod.text.decode() if mod is not None else ""
    level = len(text) - len(text.lstrip("."))
    module = text.lstrip(".")
    names, star = [], False
    for c in node.children_by_field_name("name"):
        if c.type == "aliased_import":
            names.append(ir.ImportName(c.child_by_field_name("name").text.decode(),
                                       c.child_by_field_name("alias").text.decode()))
        else:
            n = c.text.decode()
            names.append(ir.ImportName(n, n.split(".")[-1]))
    if any(c.type == "wildcard_import" for c in node.children):
        star = True
    return [ir.Import(module, tuple(names), lw.span(node), level=level, star=star)]


def s_function_definition(lw, node, decorators=()):
    fn = declarations.function(lw, node, decorators)
    return [ir.FunctionDef(fn, lw.span(node))]


def s_class_definition(lw, node, decorators=()):
    name = node.child_by_field_name("name").text.decode()
    supers = node.child_by_field_name("superclasses")
    bases = tuple(lw.expr(b) for b in supers.named_children if b.type != "keyword_argument") if supers else ()
    qual = ".".join([*lw.scope, name])
    cls = ir.Class(name, qual, bases, (), lw.span(node), tuple(decorators), module=lw.module)
    outer = lw.current_class
    lw.current_class = cls
    lw.scope.append(name)
    body_node = node.child_by_field_name("body")
    cls.docstring = declarations.docstring(lw, body_node)
    cls.body = lw.block(body_node) if body_node is not None else ()
    lw.scope.pop()
    lw.current_class = outer
    lw.module.classes.append(cls)
    return [ir.ClassDef(cls, lw.span(node))]


def s_decorated_definition(lw, node):
    decorators = [lw.expr(d.named_children[0]) for d in node.children if d.type == "decorator" and d.named_children]
    definition = node.child_by_field_name("definition")
    if definition is None:
        return []
    if definition.type == "class_definition":
        return s_class_definition(lw, definition, decorators)
    return s_function_definition(lw, definition, decorators)
