"""Declarations: functions, arrows and methods (parameters, destructured parameters, defaults, ``this``),
classes (fields and constructor parameter properties become ``this.x = ...``), assignment targets and
type annotations kept as expressions."""

from __future__ import annotations

from ... import ir
from ..common import UnknownSyntax
from .nodes import CLASS_SKIP, FUNCTION_EXPRS, TYPE_WRAPPERS, has_token, in_error, named_kids, text_of
from . import expressions, statements


def function_value(lw, node, bound: str | None, top_name: bool = False):
    """Lower an expression that may be a function or class, naming it after what it is bound to."""
    if node is None:
        return None
    inner = node
    while inner.type in ("parenthesized_expression", *TYPE_WRAPPERS):
        kids = [c for c in named_kids(inner) if c.type in lw._expr_table]
        if not kids:
            break
        inner = kids[0]
    if inner.type in FUNCTION_EXPRS and bound:
        fn = function(lw, inner, bound=bound, bound_qualname=top_name)
        return ir.FunctionRef(fn, lw.span(inner))
    return lw.expr(node)


def function(lw, node, bound: str | None = None, bound_qualname: bool = False,
             method_of: ir.Class | None = None, static: bool = False, method_name: str | None = None,
             decorators: tuple = ()) -> ir.Function:
    name_node = node.child_by_field_name("name")
    own_name = text_of(name_node) if name_node is not None and method_name is None else None
    name = method_name or own_name or bound
    anon = "arrow" if node.type == "arrow_function" else "function"
    if method_name is not None or own_name is not None or bound_qualname:
        qualname = lw.qualify(name, node, anon)
    else:
        qualname = lw.qualify(None, node, anon)
    fn = ir.Function(
        name=name or f"<{anon}>", qualname=qualname, params=(), body=(), span=lw.span(node),
        decorators=decorators, is_async=has_token(node, "async"), is_method=method_of is not None,
        cls=method_of,
    )
    lw.functions.append(fn)
    returns = node.child_by_field_name("return_type")
    fn.returns = type_expr(lw, returns) if returns is not None else None
    saved, lw.pending = lw.pending, []
    lw.scopes.append((qualname, False))
    params, prologue = lower_params(lw, node)
    if method_of is not None and not static:
        params.insert(0, ir.Param("this", lw.span(name_node or node), kind="self"))
    prologue = lw.pending + prologue
    lw.pending = []
    body_node = node.child_by_field_name("body")
    if body_node is None:
        body: tuple = ()
    elif body_node.type == "statement_block":
        body = lw.block(body_node)
    else:  # expression-bodied arrow
        value = lw.expr(body_node)
        body = (*lw.pending, ir.Return(value, lw.span(body_node)))
        fn.expression_body = True
    lw.scopes.pop()
    lw.pending = saved
    fn.params = tuple(params)
    fn.body = tuple(prologue) + tuple(body)
    return fn


def lower_params(lw, node) -> tuple[list, list]:
    """Parameters of a function node, and the statements they imply (destructuring, this.x = x)."""
    params: list[ir.Param] = []
    prologue: list = []
    single = node.child_by_field_name("parameter")  # `x => ...`
    if single is not None:
        return [ir.Param(text_of(single), lw.span(single))], prologue
    plist = node.child_by_field_name("parameters")
    if plist is None:
        return params, prologue
    property_assigns: list = []
    index = 0
    for p in named_kids(plist):
        if p.type in ("required_parameter", "optional_parameter"):
            pattern = p.child_by_field_name("pattern")
            type_node = p.child_by_field_name("type")
            default_node = p.child_by_field_name("value")
            is_property = any(c.type == "accessibility_modifier" for c in p.named_children) or \
                has_token(p, "readonly") or has_token(p, "override")
        elif p.type == "assignment_pattern":
            pattern, type_node, default_node = p.child_by_field_name("left"), None, p.child_by_field_name("right")
            is_property = False
        elif p.type in ("identifier", "object_pattern", "array_pattern", "rest_pattern"):
            pattern, type_node, default_node, is_property = p, None, None, False
        else:
            continue
        if pattern is None or pattern.type == "this":  # TypeScript `this: Foo` declares a type only
            continue
        annotation = type_expr(lw, type_node) if type_node is not None else None
        default = lw.expr(default_node) if default_node is not None else None
        kind = "positional"
        if pattern.type == "rest_pattern":
            kind = "vararg"
            inner = named_kids(pattern)
            pattern = inner[0] if inner else pattern
        span = lw.span(p)
        if pattern.type == "identifier":
            pname = text_of(pattern)
            params.append(ir.Param(pname, span, annotation, default, kind))
            if is_property:
                property_assigns.append(ir.Assign(
                    (ir.Attribute(ir.Name("this", span), pname, span),), ir.Name(pname, span), span))
        else:
            pname = f"$arg{index}"
            params.append(ir.Param(pname, span, annotation, default, kind))
            prologue.append(ir.Assign((lower_target(lw, pattern),), ir.Name(pname, span), span))
        index += 1
    return params, prologue + property_assigns


def class_(lw, node, bound: str | None = None) -> ir.Class:
    name_node = node.child_by_field_name("name")
    name = text_of(name_node) if name_node is not None else bound
    qualname = lw.qualify(name, node, "class")
    bases: list = []
    decorators: list = []
    for child in node.named_children:
        if child.type == "class_heritage":
            for clause in named_kids(child):
                if clause.type == "extends_clause":
                    for value in clause.children_by_field_name("value"):
                        bases.append(lw.expr(value))
                elif clause.type in lw._expr_table:  # JavaScript: `extends X` directly
                    bases.append(lw.expr(clause))
        elif child.type == "decorator":
            decorators.append(lw.expr(child))
    cls = ir.Class(name or f"<class@{node.start_point[0] + 1}>", qualname, tuple(bases), (), lw.span(node),
                   tuple(decorators))
    lw.classes.append(cls)
    lw.scopes.append((qualname, True))
    body_stmts: list = []
    waiting_decorators: list = []
    body = node.child_by_field_name("body")
    for member in (body.named_children if body is not None else []):
        saved, lw.pending = lw.pending, []
        produced: list = []
        t = member.type
        if t == "decorator":
            waiting_decorators.append(lw.expr(member))
        elif t == "method_definition":
            method_name = _member_name(lw, member.child_by_field_name("name"))
            static = has_token(member, "static")
            if has_token(member, "get"):  # `get name() {...}`: read as a property, like Python's @property
                waiting_decorators.append(ir.Name("property", lw.span(member)))
            fn = function(lw, member, method_of=cls, static=static, method_name=method_name,
                               decorators=tuple(waiting_decorators))
            waiting_decorators = []
            produced.append(ir.FunctionDef(fn, lw.span(member)))
        elif t in ("public_field_definition", "field_definition"):
            field_node = member.child_by_field_name("name") or member.child_by_field_name("property")
            value_node = member.child_by_field_name("value")
            waiting_decorators = []
            if field_node is not None and value_node is not None:
                field_name = _member_name(lw, field_node)
                static = has_token(member, "static")
                owner = ir.Name(cls.name if static else "this", lw.span(field_node))
                value_inner = value_node
                if value_inner.type in FUNCTION_EXPRS:
                    fn = function(lw, value_inner, method_of=None if static else cls,
                                       method_name=field_name)
                    fn.cls = cls
                    value = ir.FunctionRef(fn, lw.span(value_inner))
                else:
                    value = lw.expr(value_node)
                produced.append(ir.Assign((ir.Attribute(owner, field_name, lw.span(field_node)),), value,
                                          lw.span(member)))
        elif t == "class_static_block":
            statements.s_block(lw, member.child_by_field_name("body") or member, produced)
        elif t in CLASS_SKIP or not member.is_named:
            pass
        elif t == "ERROR":
            statements.s_error(lw, member, produced)
        elif lw.strict and not in_error(member):
            raise UnknownSyntax(f"{lw.path}:{member.start_point[0] + 1}: unsupported class member `{t}`")
        body_stmts.extend(lw.pending)
        body_stmts.extend(produced)
        lw.pending = saved
    lw.scopes.pop()
    cls.body = tuple(body_stmts)
    for stmt in cls.body:
        if isinstance(stmt, ir.FunctionDef):
            stmt.function.cls = cls
    return cls


def _member_name(lw, node) -> str:
    if node is None:
        return "<member>"
    if node.type == "string":
        return expressions.string_value(lw, node)
    if node.type == "computed_property_name":
        return f"[{text_of(node)[1:-1].strip()}]"
    return text_of(node)


def lower_target(lw, node):
    t = node.type
    span = lw.span(node)
    if t in ("identifier", "shorthand_property_identifier_pattern", "this", "undefined"):
        return ir.Name(text_of(node), span)
    if t == "member_expression":
        return expressions.e_member(lw, node)
    if t == "subscript_expression":
        return expressions.e_subscript(lw, node)
    if t == "object_pattern":
        return ir.ObjectPattern(tuple(_pattern_props(lw, node)), span)
    if t == "array_pattern":
        return ir.TuplePattern(tuple(_array_elements(lw, node)), span)
    if t == "assignment_pattern":
        return lower_target(lw, node.child_by_field_name("left"))
    if t == "rest_pattern":
        kids = named_kids(node)
        return ir.Starred(lower_target(lw, kids[0]) if kids else ir.Name("_", span), span)
    if t in ("parenthesized_expression", *TYPE_WRAPPERS):
        inner = expressions._inner(lw, node)
        if inner is not None:
            return lower_target(lw, inner)
    if lw.strict and t != "ERROR" and not in_error(node):
        raise UnknownSyntax(f"{lw.path}:{node.start_point[0] + 1}: unsupported assignment target `{t}`")
    return ir.Name(text_of(node), span)


def _pattern_props(lw, node) -> list[ir.PatternProp]:
    props: list[ir.PatternProp] = []
    for prop in named_kids(node):
        t = prop.type
        if t == "shorthand_property_identifier_pattern":
            props.append(ir.PatternProp(text_of(prop), ir.Name(text_of(prop), lw.span(prop))))
        elif t == "pair_pattern":
            key = _pattern_key(lw, prop.child_by_field_name("key"))
            value = prop.child_by_field_name("value")
            default = None
            if value is not None and value.type == "assignment_pattern":
                default = lw.expr_or_none(value.child_by_field_name("right"))
                value = value.child_by_field_name("left")
            target = lower_target(lw, value) if value is not None else ir.Name(key, lw.span(prop))
            props.append(ir.PatternProp(key, target, default))
        elif t == "object_assignment_pattern":
            left = prop.child_by_field_name("left")
            default = lw.expr_or_none(prop.child_by_field_name("right"))
            if left is None:
                continue
            if left.type == "shorthand_property_identifier_pattern":
                props.append(ir.PatternProp(text_of(left), ir.Name(text_of(left), lw.span(left)), default))
            else:
                props.append(ir.PatternProp("*", lower_target(lw, left), default))
        elif t == "rest_pattern":
            kids = named_kids(prop)
            if kids:
                props.append(ir.PatternProp(None, lower_target(lw, kids[0])))
        elif t == "ERROR":
            continue
        elif lw.strict and not in_error(prop):
            raise UnknownSyntax(f"{lw.path}:{prop.start_point[0] + 1}: unsupported pattern `{t}`")
    return props


def _pattern_key(lw, key) -> str:
    if key is None:
        return "*"
    if key.type == "string":
        return expressions.string_value(lw, key)
    if key.type == "computed_property_name":
        inner = named_kids(key)
        if inner and inner[0].type == "string":
            return expressions.string_value(lw, inner[0])
        return "*"  # a key computed at run time
    return text_of(key)


def _array_elements(lw, node) -> list:
    elts: list = []
    expect_element = True
    for child in node.children:
        if not child.is_named:
            if child.type == ",":
                if expect_element:  # a hole: `[, b]`
                    elts.append(ir.Name("_", lw.span(child)))
                expect_element = True
            continue
        if child.type == "comment":
            continue
        elts.append(lower_target(lw, child))
        expect_element = False
    return elts


def type_expr(lw, node):
    """A type annotation as a plain expression (``string`` -> Name, ``Foo<T>`` -> Subscript ...)."""
    if node is None:
        return None
    t = node.type
    span = lw.span(node)
    if t in ("type_annotation", "opting_type_annotation", "omitting_type_annotation", "parenthesized_type",
             "asserts_annotation"):
        kids = named_kids(node)
        return type_expr(lw, kids[0]) if kids else None
    if t in ("predefined_type", "type_identifier", "identifier", "this_type"):
        return ir.Name(text_of(node), span)
    if t == "nested_type_identifier":
        parts = text_of(node).split(".")
        expr: object = ir.Name(parts[0], span)
        for part in parts[1:]:
            expr = ir.Attribute(expr, part, span)
        return expr
    if t == "generic_type":
        base = type_expr(lw, node.child_by_field_name("name"))
        args_node = node.child_by_field_name("type_arguments")
        args = [type_expr(lw, a) for a in named_kids(args_node)] if args_node is not None else []
        index = args[0] if len(args) == 1 else ir.Container("tuple", tuple(args), span=span)
        return ir.Subscript(base, index, span)
    if t == "literal_type":
        kids = named_kids(node)
        return lw.expr(kids[0]) if kids else ir.Literal(text_of(node), span)
    if t == "union_type":
        members = [type_expr(lw, k) for k in named_kids(node)]
        if not members:
            return ir.Unknown("union_type", (), span)
        expr = members[0]
        for member in members[1:]:
            expr = ir.BinOp("|", expr, member, span)
        return expr
    if t == "array_type":
        kids = named_kids(node)
        return ir.Subscript(ir.Name("Array", span), type_expr(lw, kids[0]) if kids else ir.Name("any", span),
                            span)
    return ir.Unknown(t, (), span)
