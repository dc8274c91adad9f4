"""Expressions: names, literals (strings, templates, numbers, regexes), member and call expressions,
objects and arrays, operators (string ``+`` becomes ``ir.StrBuild``), and wrappers that only carry types."""

from __future__ import annotations

from ... import ir
from ..common import UnknownSyntax
from ..ts_literals import decode_escape, join_surrogates, number_value
from .nodes import BOOL_OPS, COMPARE_OPS, UNARY_OPS, has_token, in_error, is_stringy, named_kids, text_of
from . import declarations, modules, statements


def _inner(lw, node):
    """The wrapped expression of a parenthesized or type-only wrapper node."""
    for child in named_kids(node):
        if child.type in lw._expr_table or child.type in ("assignment_expression", "sequence_expression"):
            return child
    return None


def e_name(lw, node):
    return ir.Name(text_of(node), lw.span(node))


def e_const(lw, node):
    value = {"true": True, "false": False, "null": None, "undefined": None}[node.type]
    return ir.Literal(value, lw.span(node))


def e_number(lw, node):
    return ir.Literal(number_value(text_of(node)), lw.span(node))


def string_value(lw, node) -> str:
    if node.type != "string":
        return text_of(node)
    parts = []
    for child in node.named_children:
        if child.type == "escape_sequence":
            parts.append(decode_escape(text_of(child)))
        elif child.type == "html_character_reference":
            parts.append(text_of(child))
        else:
            parts.append(text_of(child))
    return join_surrogates("".join(parts))


def e_string(lw, node):
    return ir.Literal(string_value(lw, node), lw.span(node))


def e_template(lw, node):
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
                chunk_start = lw.span(child)
            chunk.append(decode_escape(text_of(child)) if child.type == "escape_sequence" else text_of(child))
        elif child.type == "template_substitution":
            flush()
            inner = [c for c in named_kids(child)]
            parts.append(lw.expr(inner[0]) if inner else ir.Literal("", lw.span(child)))
        elif child.type == "comment":
            continue
    flush()
    span = lw.span(node)
    if all(isinstance(p, ir.Literal) for p in parts):
        return ir.Literal("".join(str(p.value) for p in parts), span)
    return ir.StrBuild(tuple(parts), "template literal", span)


def e_regex(lw, node):
    """``/re/flags`` is ``new RegExp("re", "flags")``: guards can then see the pattern text."""
    span = lw.span(node)
    pattern = node.child_by_field_name("pattern")
    flags = node.child_by_field_name("flags")
    args = (ir.Literal(text_of(pattern) if pattern is not None else "", span),)
    if flags is not None:
        args += (ir.Literal(text_of(flags), span),)
    return ir.Call(ir.Name("RegExp", span), args, (), span, new=True)


def e_member(lw, node):
    obj = node.child_by_field_name("object")
    prop = node.child_by_field_name("property")
    if obj is not None and prop is not None and obj.text in (b"exports", b"module.exports"):
        # CommonJS `exports.run` reads the binding `exports.run = ...` made (see _export_value)
        return ir.Name(f"$exports.{text_of(prop)}", lw.span(node))
    optional = node.child_by_field_name("optional_chain") is not None or has_token(node, "?.")
    value = lw.expr(obj) if obj is not None else ir.Name("?", lw.span(node))
    return ir.Attribute(value, text_of(prop) if prop is not None else "?", lw.span(node), optional=optional)


def e_subscript(lw, node):
    obj = node.child_by_field_name("object")
    index = node.child_by_field_name("index")
    value = lw.expr(obj) if obj is not None else ir.Name("?", lw.span(node))
    return ir.Subscript(value, lw.expr_or_none(index) or ir.Literal(None, lw.span(node)), lw.span(node))


def arguments(lw, node) -> tuple:
    if node is None:
        return ()
    if node.type == "template_string":  # tagged template: tag(strings, ...values)
        lowered = e_template(lw, node)
        span = lw.span(node)
        if isinstance(lowered, ir.StrBuild):
            strings = tuple(p for p in lowered.parts if isinstance(p, ir.Literal))
            values = tuple(p for p in lowered.parts if not isinstance(p, ir.Literal))
            return (ir.Container("list", strings, span=span), *values)
        return (ir.Container("list", (lowered,), span=span),)
    return tuple(lw.expr(a) for a in named_kids(node))


def e_call(lw, node):
    func = node.child_by_field_name("function")
    args_node = node.child_by_field_name("arguments")
    span = lw.span(node)
    if func is not None and func.type == "identifier" and func.text == b"require":
        required = modules._require_value(lw, node)
        if required is not None:
            return required
    if func is not None and func.type == "import":  # dynamic import("./m"): that module; a computed one is unknown
        imported = modules._require_value(lw, node)
        if imported is not None:
            return imported
        return ir.Unknown("dynamic-import", arguments(lw, args_node), span)
    callee = lw.expr(func) if func is not None else ir.Name("?", span)
    return ir.Call(callee, arguments(lw, args_node), (), span)


def e_new(lw, node):
    ctor = node.child_by_field_name("constructor")
    span = lw.span(node)
    callee = lw.expr(ctor) if ctor is not None else ir.Name("?", span)
    return ir.Call(callee, arguments(lw, node.child_by_field_name("arguments")), (), span, new=True)


def e_object(lw, node):
    entries: list = []
    for item in named_kids(node):
        t = item.type
        span = lw.span(item)
        if t == "pair":
            key_node = item.child_by_field_name("key")
            value_node = item.child_by_field_name("value")
            key = _object_key(lw, key_node)
            bound = str(key.value) if isinstance(key, ir.Literal) else None
            value = declarations.function_value(lw, value_node, bound) if value_node is not None else ir.Literal(None, span)
            entries.append((key, value))
        elif t == "shorthand_property_identifier":
            entries.append((ir.Literal(text_of(item), span), ir.Name(text_of(item), span)))
        elif t == "spread_element":
            kids = named_kids(item)
            entries.append((None, lw.expr(kids[0]) if kids else ir.Literal(None, span)))
        elif t == "method_definition":
            name = declarations._member_name(lw, item.child_by_field_name("name"))
            fn = declarations.function(lw, item, method_name=None, bound=name)
            entries.append((ir.Literal(name, lw.span(item.child_by_field_name("name") or item)),
                            ir.FunctionRef(fn, span)))
        elif t == "ERROR":
            for expr in lw.child_exprs(item):
                entries.append((None, expr))
        elif lw.strict and not in_error(item):
            raise UnknownSyntax(f"{lw.path}:{item.start_point[0] + 1}: unsupported object member `{t}`")
    return ir.Container("dict", entries=tuple(entries), span=lw.span(node))


def _object_key(lw, key):
    if key is None:
        return ir.Literal("?", ir.NO_SPAN)
    span = lw.span(key)
    if key.type == "string":
        return ir.Literal(string_value(lw, key), span)
    if key.type == "number":
        return ir.Literal(number_value(text_of(key)), span)
    if key.type == "computed_property_name":
        kids = named_kids(key)
        return lw.expr(kids[0]) if kids else ir.Literal("?", span)
    return ir.Literal(text_of(key), span)


def e_array(lw, node):
    return ir.Container("list", tuple(lw.expr(c) for c in named_kids(node)), span=lw.span(node))


def e_spread(lw, node):
    kids = named_kids(node)
    return ir.Starred(lw.expr(kids[0]) if kids else ir.Literal(None, lw.span(node)), lw.span(node))


def e_binary(lw, node):
    op = text_of(node.child_by_field_name("operator"))
    left_node = node.child_by_field_name("left")
    right_node = node.child_by_field_name("right")
    span = lw.span(node)
    left = lw.expr(left_node) if left_node is not None else ir.Literal(None, span)
    right = lw.expr(right_node) if right_node is not None else ir.Literal(None, span)
    if op == "+" and (is_stringy(left) or is_stringy(right)):
        parts: list = []
        for side in (left, right):
            if isinstance(side, ir.StrBuild) and side.how == "concatenation":
                parts.extend(side.parts)
            else:
                parts.append(side)
        return ir.StrBuild(tuple(parts), "concatenation", span)
    if op in COMPARE_OPS:
        return ir.Compare(left, (COMPARE_OPS[op],), (right,), span)
    if op in BOOL_OPS:
        bool_op = BOOL_OPS[op]
        values: list = []
        for side in (left, right):
            if isinstance(side, ir.BoolOp) and side.op == bool_op and side is left:
                values.extend(side.values)
            else:
                values.append(side)
        return ir.BoolOp(bool_op, tuple(values), span)
    return ir.BinOp(op, left, right, span)


def e_unary(lw, node):
    op = text_of(node.child_by_field_name("operator"))
    arg = node.child_by_field_name("argument")
    span = lw.span(node)
    return ir.UnaryOp(UNARY_OPS.get(op, op), lw.expr(arg) if arg is not None else ir.Literal(None, span), span)


def e_update(lw, node):
    op_node = node.child_by_field_name("operator")
    arg = node.child_by_field_name("argument")
    span = lw.span(node)
    return ir.UnaryOp(text_of(op_node) if op_node is not None else "++",
                      lw.expr(arg) if arg is not None else ir.Literal(None, span), span)


def e_ternary(lw, node):
    span = lw.span(node)
    return ir.Conditional(
        lw.expr_or_none(node.child_by_field_name("condition")) or ir.Literal(None, span),
        lw.expr_or_none(node.child_by_field_name("consequence")) or ir.Literal(None, span),
        lw.expr_or_none(node.child_by_field_name("alternative")) or ir.Literal(None, span),
        span,
    )


def e_await(lw, node):
    kids = [c for c in named_kids(node) if c.type in lw._expr_table]
    span = lw.span(node)
    return ir.Await(lw.expr(kids[0]) if kids else ir.Literal(None, span), span)


def e_paren(lw, node):
    inner = _inner(lw, node)
    if inner is None:
        return ir.Literal(None, lw.span(node))
    return lw.expr(inner)


def e_sequence(lw, node):
    """``(a, b)``: the value is ``b``; the others are evaluated for their effects."""
    kids = [c for c in named_kids(node) if c.type in lw._expr_table]
    if not kids:
        return ir.Literal(None, lw.span(node))
    for child in kids[:-1]:
        stmts: list = []
        statements.expression_statement(lw, child, stmts)
        lw.pending.extend(stmts)
    return lw.expr(kids[-1])


def e_assign_expr(lw, node):
    """An assignment inside an expression: hoist the Assign before the statement, use the target."""
    stmts = statements.assignment(lw, node)
    lw.pending.extend(stmts)
    stmt = stmts[-1] if stmts else None
    if isinstance(stmt, ir.Assign) and isinstance(stmt.targets[0], (ir.Name, ir.Attribute, ir.Subscript)):
        return stmt.targets[0]
    return ir.Unknown("assignment", (), lw.span(node))


def e_yield(lw, node):
    kids = [c for c in named_kids(node) if c.type in lw._expr_table]
    return ir.Unknown("yield", tuple(lw.expr(k) for k in kids), lw.span(node))


def e_meta(lw, node):
    return ir.Name(text_of(node).replace(" ", ""), lw.span(node))


def e_class(lw, node):
    cls = declarations.class_(lw, node)
    return ir.Unknown("class", (ir.Name(cls.name, lw.span(node)),), lw.span(node))


def e_function(lw, node):
    fn = declarations.function(lw, node)
    return ir.FunctionRef(fn, lw.span(node))


def e_jsx(lw, node):
    if node.type == "jsx_text":
        return ir.Literal(text_of(node), lw.span(node))
    return ir.Unknown("jsx", tuple(lw.child_exprs(node)), lw.span(node))
