"""Declarations: functions (parameters, defaults, annotations, decorators, docstrings) and assignment
targets (names, attributes, subscripts, tuple patterns)."""

from __future__ import annotations

import inspect

from ... import ir
from . import expressions


def docstring(lw, body) -> str | None:
    if body is None or not body.named_children:
        return None
    first = body.named_children[0]
    if first.type == "expression_statement" and first.named_children and first.named_children[0].type == "string":
        value = expressions.string(lw, first.named_children[0])
        if isinstance(value, ir.Literal) and isinstance(value.value, str):
            return inspect.cleandoc(value.value)  # what the SDKs hand to the model
    return None


def function(lw, node, decorators=()) -> ir.Function:
    name = node.child_by_field_name("name").text.decode()
    is_method = lw.current_class is not None and (not lw.scope or lw.scope[-1] == lw.current_class.name)
    qual = ".".join([*lw.scope, name])
    params = lower_params(lw, node.child_by_field_name("parameters"), is_method, decorators)
    ret = node.child_by_field_name("return_type")
    fn = ir.Function(name, qual, params, (), lw.span(node), tuple(decorators),
                     is_async=any(c.type == "async" for c in node.children),
                     returns=lw.expr(ret) if ret is not None else None, is_method=is_method,
                     module=lw.module, cls=lw.current_class if is_method else None)
    body = node.child_by_field_name("body")
    fn.docstring = docstring(lw, body)
    outer_cls = lw.current_class
    lw.current_class = None if is_method else lw.current_class
    lw.scope.append(name)
    fn.body = lw.block(body) if body is not None else ()
    if not fn.body:  # an unfinished body: tree-sitter leaves it in an ERROR node beside the block
        fn.body = tuple(s for c in node.children if c.type == "ERROR" for s in lw.recover(c))
    lw.scope.pop()
    lw.current_class = outer_cls
    lw.module.functions.append(fn)
    return fn


def lower_params(lw, node, is_method: bool, decorators=()) -> tuple[ir.Param, ...]:
    if node is None:
        return ()
    out: list[ir.Param] = []
    kwonly = False
    static = any(isinstance(d, ir.Name) and d.id == "staticmethod" for d in decorators)
    for c in node.named_children:
        t = c.type
        span = lw.span(c)
        if t == "identifier":
            out.append(ir.Param(c.text.decode(), span, kind="kwonly" if kwonly else "positional"))
        elif t in ("typed_parameter", "typed_default_parameter", "default_parameter"):
            name_node = c.child_by_field_name("name") or c.named_children[0]
            ann = c.child_by_field_name("type")
            default = c.child_by_field_name("value")
            if name_node.type in ("list_splat_pattern", "dictionary_splat_pattern"):
                kind = "vararg" if name_node.type == "list_splat_pattern" else "kwarg"
                name = name_node.named_children[0].text.decode()
            else:
                kind, name = ("kwonly" if kwonly else "positional"), name_node.text.decode()
            out.append(ir.Param(name, span, lw.expr(ann) if ann is not None else None,
                                lw.expr(default) if default is not None else None, kind))
        elif t == "list_splat_pattern":
            kwonly = True
            out.append(ir.Param(c.named_children[0].text.decode(), span, kind="vararg"))
        elif t == "dictionary_splat_pattern":
            out.append(ir.Param(c.named_children[0].text.decode(), span, kind="kwarg"))
        elif t == "keyword_separator":
            kwonly = True
    if is_method and out and not static and out[0].kind == "positional":
        first = out[0]
        out[0] = ir.Param(first.name, first.span, first.annotation, first.default, "self")
    return tuple(out)


def lower_target(lw, node) -> ir.Target:
    t = node.type
    if t in ("pattern_list", "tuple_pattern", "list_pattern", "expression_list", "tuple", "list"):
        return ir.TuplePattern(tuple(lower_target(lw, c) for c in node.named_children), lw.span(node))
    if t in ("list_splat_pattern", "list_splat"):
        return ir.Starred(lower_target(lw, node.named_children[0]), lw.span(node))
    if t == "parenthesized_expression" and node.named_children:
        return lower_target(lw, node.named_children[0])
    expr = lw.expr(node)
    if isinstance(expr, (ir.Name, ir.Attribute, ir.Subscript)):
        return expr
    return ir.Name("_", lw.span(node))
