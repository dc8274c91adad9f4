"""Expressions: names, literals (strings with their prefixes and escapes, f-strings as ``ir.StrBuild``),
attributes, calls (``.format``/``.join``/``%`` as string building), operators, containers, lambdas and
comprehensions."""

from __future__ import annotations

import codecs

from ... import ir
from . import declarations


COMPARE_OPS = {"==", "!=", "<", ">", "<=", ">=", "in", "not in", "is", "is not", "<>"}


def decode_escape(text: str) -> str:
    try:
        return codecs.decode(text, "unicode_escape")
    except (UnicodeDecodeError, ValueError):
        return text


def is_str(expr: ir.Expr) -> bool:
    return (isinstance(expr, ir.Literal) and isinstance(expr.value, str)) or isinstance(expr, ir.StrBuild)


def e_identifier(lw, node):
    return ir.Name(node.text.decode(), lw.span(node))


def e_keyword_identifier(lw, node):
    return ir.Name(node.text.decode(), lw.span(node))


def e_dotted_name(lw, node):
    parts = [c for c in node.named_children]
    expr: ir.Expr = ir.Name(parts[0].text.decode(), lw.span(parts[0]))
    for p in parts[1:]:
        expr = ir.Attribute(expr, p.text.decode(), lw.span(node))
    return expr


def e_type(lw, node):
    kids = node.named_children
    return lw.expr(kids[0]) if len(kids) == 1 else lw.unknown(node)


def e_generic_type(lw, node):
    # `Annotated[str, Field(...)]` in an annotation: a subscript of the head by a tuple of types
    kids = node.named_children
    head = lw.expr(kids[0])
    params = kids[1] if len(kids) > 1 else None
    items = tuple(lw.expr(c) for c in params.named_children) if params is not None else ()
    index = items[0] if len(items) == 1 else ir.Container("tuple", items, span=lw.span(node))
    return ir.Subscript(head, index, lw.span(node))


def e_union_type(lw, node):
    kids = node.named_children
    return ir.BinOp("|", lw.expr(kids[0]), lw.expr(kids[-1]), lw.span(node))


def e_none(lw, node):
    return ir.Literal(None, lw.span(node))


def e_true(lw, node):
    return ir.Literal(True, lw.span(node))


def e_false(lw, node):
    return ir.Literal(False, lw.span(node))


def e_integer(lw, node):
    text = node.text.decode().replace("_", "").rstrip("lLjJ")
    try:
        return ir.Literal(int(text, 0), lw.span(node))
    except ValueError:
        return ir.Literal(0, lw.span(node))


def e_float(lw, node):
    try:
        return ir.Literal(float(node.text.decode().replace("_", "").rstrip("jJ")), lw.span(node))
    except ValueError:
        return ir.Literal(0.0, lw.span(node))


def e_string(lw, node):
    return string(lw, node)


def string(lw, node) -> ir.Expr:
    start = node.children[0].text.decode() if node.children else '"'
    prefix = start.rstrip("'\"").lower()
    raw = "r" in prefix
    is_bytes = "b" in prefix
    parts: list[ir.Expr] = []
    buf: list[str] = []
    for c in node.children:
        if c.type == "string_content":
            buf.append(content(lw, c, raw))
        elif c.type == "interpolation":
            if buf:
                parts.append(ir.Literal("".join(buf), lw.span(c)))
                buf = []
            inner = c.child_by_field_name("expression") or (c.named_children[0] if c.named_children else None)
            if inner is not None:
                parts.append(lw.expr(inner))
        elif c.type == "escape_sequence":
            buf.append(c.text.decode() if raw else decode_escape(c.text.decode()))
    if not any(not isinstance(p, ir.Literal) for p in parts):
        text = "".join([*(p.value for p in parts), *buf])
        return ir.Literal(text.encode("utf-8", "surrogatepass") if is_bytes else text, lw.span(node))
    if buf:
        parts.append(ir.Literal("".join(buf), lw.span(node)))
    return ir.StrBuild(tuple(parts), "f-string", lw.span(node))


def content(lw, node, raw: bool) -> str:
    text = node.text.decode("utf-8", "replace")
    if raw or not node.named_children:
        return text
    out, last = [], node.start_byte
    src = node.text
    for esc in node.named_children:
        out.append(src[last - node.start_byte:esc.start_byte - node.start_byte].decode("utf-8", "replace"))
        t = esc.text.decode("utf-8", "replace")
        out.append(decode_escape(t) if esc.type == "escape_sequence" else t)
        last = esc.end_byte
    out.append(src[last - node.start_byte:].decode("utf-8", "replace"))
    return "".join(out)


def e_concatenated_string(lw, node):
    parts = [string(lw, c) for c in node.named_children if c.type == "string"]
    if all(isinstance(p, ir.Literal) for p in parts):
        values = [p.value for p in parts]
        if all(isinstance(v, str) for v in values):
            return ir.Literal("".join(values), lw.span(node))
    flat: list[ir.Expr] = []
    for p in parts:
        flat.extend(p.parts if isinstance(p, ir.StrBuild) else (p,))
    return ir.StrBuild(tuple(flat), "f-string", lw.span(node))


def e_attribute(lw, node):
    return ir.Attribute(lw.expr(node.child_by_field_name("object")),
                        node.child_by_field_name("attribute").text.decode(), lw.span(node))


def e_subscript(lw, node):
    subs = node.children_by_field_name("subscript")
    index = lw.expr(subs[0]) if len(subs) == 1 else ir.Container(
        "tuple", tuple(lw.expr(s) for s in subs), span=lw.span(node))
    return ir.Subscript(lw.expr(node.child_by_field_name("value")), index, lw.span(node))


def e_call(lw, node):
    func = lw.expr(node.child_by_field_name("function"))
    args_node = node.child_by_field_name("arguments")
    args: list[ir.Expr] = []
    keywords: list[ir.Keyword] = []
    span = lw.span(node)
    if args_node is not None and args_node.type == "generator_expression":
        args.append(lw.expr(args_node))
    elif args_node is not None:
        for a in args_node.named_children:
            if a.type == "keyword_argument":
                keywords.append(ir.Keyword(a.child_by_field_name("name").text.decode(),
                                           lw.expr(a.child_by_field_name("value")), lw.span(a)))
            elif a.type == "list_splat":
                args.append(ir.Starred(lw.expr(a.named_children[0]), lw.span(a)))
            elif a.type == "dictionary_splat":
                args.append(ir.Starred(lw.expr(a.named_children[0]), lw.span(a), double=True))
            elif a.type != "comment":
                args.append(lw.expr(a))
    # string building spelled as method calls
    if isinstance(func, ir.Attribute) and not keywords:
        recv = func.value
        if func.attr == "format" and isinstance(recv, (ir.Literal, ir.StrBuild)):
            return ir.StrBuild((recv, *args), ".format()", span)
        if func.attr == "join" and isinstance(recv, ir.Literal) and isinstance(recv.value, str) and len(args) == 1:
            return ir.StrBuild((recv, *args), ".join()", span)
    return ir.Call(func, tuple(args), tuple(keywords), span)


def e_binary_operator(lw, node):
    left = lw.expr(node.child_by_field_name("left"))
    right = lw.expr(node.child_by_field_name("right"))
    op = node.child_by_field_name("operator").text.decode()
    span = lw.span(node)
    if op == "%" and is_str(left):
        items = right.items if isinstance(right, ir.Container) and right.kind == "tuple" else (right,)
        return ir.StrBuild((left, *items), "%-format", span)
    if op == "+" and (is_str(left) or is_str(right)):
        parts: list[ir.Expr] = []
        for side in (left, right):
            parts.extend(side.parts if isinstance(side, ir.StrBuild) and side.how == "concatenation" else (side,))
        return ir.StrBuild(tuple(parts), "concatenation", span)
    return ir.BinOp(op, left, right, span)


def e_comparison_operator(lw, node):
    operands, ops = [], []
    pending = []
    for c in node.children:
        if c.is_named and c.type != "comment":
            if pending:
                ops.append(" ".join(pending))
                pending = []
            operands.append(lw.expr(c))
        elif c.type in COMPARE_OPS or c.type in ("not", "in", "is"):
            pending.append(c.type)
    if pending:
        ops.append(" ".join(pending))
    ops = ["!=" if o == "<>" else o for o in ops]
    if not operands:
        return lw.unknown(node)
    return ir.Compare(operands[0], tuple(ops), tuple(operands[1:]), lw.span(node))


def e_boolean_operator(lw, node):
    op = node.child_by_field_name("operator").type
    left = lw.expr(node.child_by_field_name("left"))
    right = lw.expr(node.child_by_field_name("right"))
    values = []
    for side in (left, right):
        values.extend(side.values if isinstance(side, ir.BoolOp) and side.op == op else (side,))
    return ir.BoolOp(op, tuple(values), lw.span(node))


def e_not_operator(lw, node):
    return ir.UnaryOp("not", lw.expr(node.child_by_field_name("argument")), lw.span(node))


def e_unary_operator(lw, node):
    return ir.UnaryOp(node.child_by_field_name("operator").text.decode(),
                      lw.expr(node.child_by_field_name("argument")), lw.span(node))


def e_conditional_expression(lw, node):
    kids = node.named_children
    if len(kids) < 3:
        return lw.unknown(node)
    return ir.Conditional(lw.expr(kids[1]), lw.expr(kids[0]), lw.expr(kids[2]), lw.span(node))


def e_await(lw, node):
    kids = node.named_children
    return ir.Await(lw.expr(kids[0]), lw.span(node)) if kids else lw.unknown(node)


def e_parenthesized_expression(lw, node):
    kids = [c for c in node.named_children if c.type != "comment"]
    return lw.expr(kids[0]) if len(kids) == 1 else lw.unknown(node)


def e_named_expression(lw, node):
    return lw.expr(node.child_by_field_name("value"))


def e_list(lw, node):
    return ir.Container("list", items(lw, node), span=lw.span(node))


def e_tuple(lw, node):
    return ir.Container("tuple", items(lw, node), span=lw.span(node))


def e_expression_list(lw, node):
    return ir.Container("tuple", items(lw, node), span=lw.span(node))


def e_set(lw, node):
    return ir.Container("set", items(lw, node), span=lw.span(node))


def items(lw, node) -> tuple[ir.Expr, ...]:
    out = []
    for c in node.named_children:
        if c.type == "list_splat":
            out.append(ir.Starred(lw.expr(c.named_children[0]), lw.span(c)))
        elif c.type != "comment":
            out.append(lw.expr(c))
    return tuple(out)


def e_dictionary(lw, node):
    entries = []
    for c in node.named_children:
        if c.type == "pair":
            entries.append((lw.expr(c.child_by_field_name("key")), lw.expr(c.child_by_field_name("value"))))
        elif c.type == "dictionary_splat":
            entries.append((None, lw.expr(c.named_children[0])))
    return ir.Container("dict", entries=tuple(entries), span=lw.span(node))


def e_list_splat(lw, node):
    return ir.Starred(lw.expr(node.named_children[0]), lw.span(node))


def e_lambda(lw, node):
    params = declarations.lower_params(lw, node.child_by_field_name("parameters"), False)
    span = lw.span(node)
    qual = ".".join([*lw.scope, f"<lambda@{span.line}:{span.col}>"])
    body = node.child_by_field_name("body")
    fn = ir.Function("<lambda>", qual, params, (), span, module=lw.module, expression_body=True)
    fn.body = (ir.Return(lw.expr(body), lw.span(body)),)
    lw.module.functions.append(fn)
    return ir.FunctionRef(fn, span)


def comprehension(lw, node, element_node) -> ir.Expr:
    generators, conditions = [], []
    for c in node.named_children:
        if c.type == "for_in_clause":
            generators.append((declarations.lower_target(lw, c.child_by_field_name("left")),
                               lw.expr(c.child_by_field_name("right"))))
        elif c.type == "if_clause" and c.named_children:
            conditions.append(lw.expr(c.named_children[0]))
    return ir.Comprehension(tuple(generators), element_node, tuple(conditions), lw.span(node))


def e_list_comprehension(lw, node):
    return comprehension(lw, node, lw.expr(node.child_by_field_name("body")))


def e_dictionary_comprehension(lw, node):
    pair = node.child_by_field_name("body")
    element = ir.Container("dict", entries=((lw.expr(pair.child_by_field_name("key")),
                                             lw.expr(pair.child_by_field_name("value"))),), span=lw.span(pair))
    return comprehension(lw, node, element)


e_set_comprehension = e_list_comprehension
e_generator_expression = e_list_comprehension
