"""Imports and exports: ES imports, ``require`` and ``import x = require()``, dynamic ``import()``, CommonJS
``module.exports`` and ES ``export`` forms become ``ir.Import`` and ``ir.Export``."""

from __future__ import annotations

from ... import ir
from .nodes import has_token, named_kids, strip_node_prefix, text_of
from . import declarations, expressions


def _commonjs_export(lw, left) -> str | None:
    """``module.exports`` -> "" and ``module.exports.x`` / ``exports.x`` -> "x"; None otherwise."""
    if left is None or left.type != "member_expression":
        return None
    obj = left.child_by_field_name("object")
    prop = left.child_by_field_name("property")
    if obj is None or prop is None:
        return None
    obj_text, prop_text = text_of(obj), text_of(prop)
    if obj_text == "module" and prop_text == "exports":
        return ""
    if obj_text in ("exports", "module.exports"):
        return prop_text
    return None


def _export_value(lw, exported: str, value, span: ir.Span) -> list:
    """CommonJS exports as Export statements the index reads like ES exports.

    A value that is not a plain name is bound to a synthetic module-level name ``$exports.x`` first,
    so ``exports.run = async (args) => ...`` is importable as ``run`` without shadowing any local.
    """
    if exported == "":  # module.exports = value
        if isinstance(value, ir.Name):
            return [ir.Export(((value.id, "default"),), None, span)]
        if not (isinstance(value, ir.Container) and value.kind == "dict"):
            return [ir.Export((), value, span)]
        stmts: list = []
        names: list[tuple[str, str]] = []
        entries: list = []
        for key, item in value.entries:
            if isinstance(key, ir.Literal) and not isinstance(item, ir.Name):
                local = f"$exports.{key.value}"
                stmts.append(ir.Assign((ir.Name(local, key.span),), item, span))
                item = ir.Name(local, getattr(item, "span", key.span))
            if isinstance(key, ir.Literal) and isinstance(item, ir.Name):
                names.append((item.id, str(key.value)))
            entries.append((key, item))
        stmts.append(ir.Export(tuple(names), ir.Container("dict", entries=tuple(entries), span=value.span), span))
        return stmts
    if isinstance(value, ir.Name):
        return [ir.Export(((value.id, exported),), None, span)]
    local = f"$exports.{exported}"
    return [ir.Assign((ir.Name(local, span),), value, span), ir.Export(((local, exported),), None, span)]


def _module_specifier(lw, value) -> str | None:
    """The string argument of ``require("m")`` / ``import("m")`` / ``await import("m")``, else None."""
    if value is None:
        return None
    if value.type == "await_expression":
        kids = named_kids(value)
        if not kids:
            return None
        value = kids[0]
        func = value.child_by_field_name("function") if value.type == "call_expression" else None
        if func is None or func.type != "import":
            return None
    if value.type != "call_expression":
        return None
    func = value.child_by_field_name("function")
    args = value.child_by_field_name("arguments")
    if func is None or args is None or args.type != "arguments":
        return None
    if not (func.type == "import" or (func.type == "identifier" and text_of(func) == "require")):
        return None
    arg_nodes = named_kids(args)
    if len(arg_nodes) != 1 or arg_nodes[0].type != "string":
        return None
    return strip_node_prefix(expressions.string_value(lw, arg_nodes[0]))


def _require_import(lw, name, value, decl) -> ir.Import | None:
    """``const x = require("m")``, ``const {a, b: c} = require("m")``, ``const x = require("m").y``."""
    if value is None:
        return None
    member = None
    if value.type == "member_expression":
        member = text_of(value.child_by_field_name("property"))
        value = value.child_by_field_name("object")
    spec = _module_specifier(lw, value)
    if spec is None:
        return None
    span = lw.span(decl)
    if name.type == "identifier":
        alias = text_of(name)
        if member is None:
            return ir.Import(spec, (ir.ImportName(None, alias),), span)
        if member == "default":
            return ir.Import(spec, (ir.ImportName(None, alias, default=True),), span)
        return ir.Import(spec, (ir.ImportName(member, alias),), span)
    if name.type == "object_pattern" and member is None:
        names: list[ir.ImportName] = []
        for prop in named_kids(name):
            if prop.type == "shorthand_property_identifier_pattern":
                names.append(ir.ImportName(text_of(prop), text_of(prop)))
            elif prop.type == "pair_pattern":
                key, val = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                if val is None or val.type != "identifier" or key is None:
                    return None
                key_text = expressions.string_value(lw, key) if key.type == "string" else text_of(key)
                names.append(ir.ImportName(key_text, text_of(val)))
            elif prop.type == "object_assignment_pattern":
                left = prop.child_by_field_name("left")
                if left is None or left.type != "shorthand_property_identifier_pattern":
                    return None
                names.append(ir.ImportName(text_of(left), text_of(left)))
            else:  # rest or nested patterns: keep the plain assignment
                return None
        return ir.Import(spec, tuple(names), span)
    return None


def s_import(lw, node, out: list) -> None:
    # `import type { McpServer }` is kept: it binds nothing at run time, but it tells the engine what a
    # parameter annotated `server: McpServer` is.
    source = node.child_by_field_name("source")
    span = lw.span(node)
    names: list[ir.ImportName] = []
    for child in named_kids(node):
        if child.type == "import_require_clause":  # import x = require("m")
            ident = next((c for c in named_kids(child) if c.type == "identifier"), None)
            src = child.child_by_field_name("source")
            if ident is not None and src is not None:
                out.append(ir.Import(strip_node_prefix(expressions.string_value(lw, src)),
                                     (ir.ImportName(None, text_of(ident)),), span))
            return
        if child.type != "import_clause":
            continue
        for part in named_kids(child):
            if part.type == "identifier":
                names.append(ir.ImportName(None, text_of(part), default=True))
            elif part.type == "namespace_import":
                ident = next((c for c in named_kids(part) if c.type == "identifier"), None)
                if ident is not None:
                    names.append(ir.ImportName(None, text_of(ident)))
            elif part.type == "named_imports":
                for spec in named_kids(part):
                    if spec.type != "import_specifier":
                        continue
                    imported = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias")
                    imported_name = _export_name(lw, imported)
                    local = text_of(alias) if alias is not None else imported_name
                    if imported_name == "default":
                        names.append(ir.ImportName(None, local, default=True))
                    else:
                        names.append(ir.ImportName(imported_name, local))
    if source is None:
        return
    out.append(ir.Import(strip_node_prefix(expressions.string_value(lw, source)), tuple(names), span))


def _export_name(lw, node) -> str:
    if node is None:
        return "?"
    return expressions.string_value(lw, node) if node.type == "string" else text_of(node)


def s_export(lw, node, out: list) -> None:
    span = lw.span(node)
    if has_token(node, "type"):  # export type { ... }
        return
    decl = node.child_by_field_name("declaration")
    value = node.child_by_field_name("value")
    source = node.child_by_field_name("source")
    is_default = has_token(node, "default")
    if source is not None:
        spec = strip_node_prefix(expressions.string_value(lw, source))
        names: list[ir.ImportName] = []
        star = False
        for child in named_kids(node):
            if child.type == "export_clause":
                for item in named_kids(child):
                    if item.type != "export_specifier" or has_token(item, "type"):
                        continue
                    name = _export_name(lw, item.child_by_field_name("name"))
                    alias = item.child_by_field_name("alias")
                    local = _export_name(lw, alias) if alias is not None else name
                    names.append(ir.ImportName(name, local))
            elif child.type == "namespace_export":
                ident = next((c for c in named_kids(child) if c.type in ("identifier", "string")), None)
                if ident is not None:
                    names.append(ir.ImportName(None, _export_name(lw, ident)))
        if not names:
            star = has_token(node, "*")
        out.append(ir.Import(spec, tuple(names), span, star=star, reexport=True))
        return
    if decl is not None:
        before = len(out)
        lw.stmt(decl, out)
        if is_default:
            for stmt in out[before:]:
                if isinstance(stmt, ir.FunctionDef):
                    out.append(ir.Export(((stmt.function.name, "default"),), None, span))
                elif isinstance(stmt, ir.ClassDef):
                    out.append(ir.Export(((stmt.cls.name, "default"),), None, span))
        return
    if value is not None:
        if value.type in ("function_expression", "function", "generator_function") and \
                value.child_by_field_name("name") is not None:
            fn = declarations.function(lw, value)
            out.append(ir.FunctionDef(fn, lw.span(value)))
            out.append(ir.Export(((fn.name, "default"),), None, span))
        elif value.type == "class" and value.child_by_field_name("name") is not None:
            cls = declarations.class_(lw, value)
            out.append(ir.ClassDef(cls, lw.span(value)))
            out.append(ir.Export(((cls.name, "default"),), None, span))
        elif value.type == "identifier":
            out.append(ir.Export(((text_of(value), "default"),), None, span))
        else:
            out.append(ir.Export((), declarations.function_value(lw, value, "default"), span))
        return
    for child in named_kids(node):
        if child.type == "export_clause":
            pairs = []
            for item in named_kids(child):
                if item.type != "export_specifier" or has_token(item, "type"):
                    continue
                name = _export_name(lw, item.child_by_field_name("name"))
                alias = item.child_by_field_name("alias")
                pairs.append((name, _export_name(lw, alias) if alias is not None else name))
            out.append(ir.Export(tuple(pairs), None, span))
            return
    if has_token(node, "="):  # TypeScript `export = value`
        kids = [c for c in named_kids(node) if c.type in lw._expr_table]
        if kids:
            out.extend(_export_value(lw, "", lw.expr(kids[0]), span))


def _require_value(lw, node):
    """``require("m")`` or a dynamic ``import("m")`` inside an expression: hoist an import to a synthetic
    name and use that name (awaiting the module's promise gives the same namespace)."""
    if node is None or node.type != "call_expression":
        return None
    spec = _module_specifier(lw, node)
    func = node.child_by_field_name("function")
    if spec is None or not (text_of(func) == "require" or func.type == "import"):
        return None
    alias = f"$require({spec})"
    span = lw.span(node)
    lw.pending.append(ir.Import(spec, (ir.ImportName(None, alias),), span))
    return ir.Name(alias, span)
