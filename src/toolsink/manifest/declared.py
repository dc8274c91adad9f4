"""The JSON Schema of a schema written in the registration: a JSON Schema literal or a zod schema.

A JSON Schema literal (the low-level ``inputSchema``, in TypeScript or Python) is passed through as written,
its names and imported constants followed. A zod schema (a raw shape ``{a: z.string()}``, ``z.object({...})``,
``Schema.shape``, a name bound to any of these) is converted the way the TypeScript SDK converts it (zod 4's
JSON Schema output): ``z.string()``, ``.url()``/``.email()``/``.uuid()`` (``format``), ``.min``/``.max``/
``.length`` (lengths, item counts or bounds by type), ``.int()``, ``z.number()``, ``z.boolean()``,
``z.enum``, ``z.literal``, ``z.array``, ``z.object`` (nested), ``z.record``, ``z.union``,
``.optional()``/``.default(v)`` (not required), ``.nullable()``, ``.describe(s)``, ``z.preprocess``,
``.catch(v)``, ``z.nativeEnum``, and a project function without parameters that returns a schema.

Two differences from the SDK's output: the ``$schema`` key is left out, and so is the ``pattern`` zod adds
beside ``format`` for emails, UUIDs and dates (zod's own regular expression, not the server's text). A form
this module does not know gives ``{}`` (any value) for that schema, never a guess.
"""

from __future__ import annotations

import re

from .. import ir
from ..values import NOCONST
from .python_schema import object_schema

# `import { z } from "zod"` gives `zod.z.string`; `import * as z from "zod/v4"` gives `zod/v4.string`
ZOD_FACTORY = re.compile(r"^zod(?:/[\w-]+)?(?:\.z)?\.(?P<name>.+)$")
ZOD_NAMESPACE = re.compile(r"^zod(?:/[\w-]+)?(?:\.z)?(?:\.(?:coerce|iso))?$")  # what factories are called on
SAFE_INT = 9007199254740991
SIMPLE = {"string": {"type": "string"}, "number": {"type": "number"}, "boolean": {"type": "boolean"},
          "null": {"type": "null"}, "any": {}, "unknown": {}, "coerce.string": {"type": "string"},
          "coerce.number": {"type": "number"}, "coerce.boolean": {"type": "boolean"}}
FORMATS = {"url": "uri", "email": "email", "uuid": "uuid", "uuidv4": "uuid", "datetime": "date-time",
           "iso.datetime": "date-time", "iso.date": "date", "iso.time": "time", "ipv4": "ipv4", "ipv6": "ipv6"}
SIZES = {  # method -> keyword per type constrained
    "min": {"string": "minLength", "array": "minItems", "number": "minimum", "integer": "minimum"},
    "max": {"string": "maxLength", "array": "maxItems", "number": "maximum", "integer": "maximum"},
    "gte": {"number": "minimum", "integer": "minimum"}, "lte": {"number": "maximum", "integer": "maximum"},
    "gt": {"number": "exclusiveMinimum", "integer": "exclusiveMinimum"},
    "lt": {"number": "exclusiveMaximum", "integer": "exclusiveMaximum"},
    "nonempty": {"string": "minLength", "array": "minItems"},
}
SIGNS = {"positive": "exclusiveMinimum", "negative": "exclusiveMaximum", "nonnegative": "minimum",
         "nonpositive": "maximum"}
# refinements and transforms: the input the SDK describes is the schema they are applied to
KEEP = {"trim", "toLowerCase", "toUpperCase", "refine", "superRefine", "transform", "pipe", "brand", "readonly"}
LOWER, UPPER = ("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")


class DeclaredSchemas:
    """``static(module, expr)`` evaluates statically; ``definition(module, expr)`` follows names and imports."""

    def __init__(self, static, definition) -> None:
        self.static = static
        self.definition = definition

    def input_schema(self, module: ir.Module, expr) -> dict | None:
        """The object schema of a registration's schema expression; None when it is not one."""
        module, expr = self.definition(module, expr)
        if isinstance(expr, ir.Attribute) and expr.attr == "shape":  # zod: `Schema.shape` is its fields
            module, expr = self.definition(module, expr.value)
        if isinstance(expr, ir.Container) and expr.kind == "dict":
            if _is_json_schema(expr):
                value = self.json(module, expr)
                return value if isinstance(value, dict) else None
            return self.shape(module, expr, 0)
        if isinstance(expr, ir.Call):
            schema, _ = self.zod(module, expr, 0)
            return schema if schema.get("type") == "object" else None
        return None

    # ------------------------------------------------------------------ JSON Schema literals

    def json(self, module: ir.Module, expr, depth: int = 0):
        """A JSON value written as a literal, names followed; NOCONST where a part is not constant (a key with
        such a value is left out, a property schema becomes ``{}``)."""
        module, expr = self.definition(module, expr)
        if depth > 40:
            return NOCONST
        if isinstance(expr, ir.Container) and expr.kind == "dict":
            out = {}
            for k, v in expr.entries:
                key = self.static(module, k).const if k is not None else NOCONST
                if not isinstance(key, str):
                    continue
                value = self.json(module, v, depth + 1)
                if key in ("properties", "$defs", "definitions") and isinstance(v, ir.Container):
                    value = {pk: (pv if pv is not NOCONST else {}) for pk, pv in self._entries(module, v, depth)}
                if value is not NOCONST:
                    out[key] = value
            return out
        if isinstance(expr, ir.Container) and expr.kind in ("list", "tuple"):
            items = [self.json(module, i, depth + 1) for i in expr.items]
            return NOCONST if any(i is NOCONST for i in items) else items
        if isinstance(expr, ir.Call) and expr.new and isinstance(expr.func, ir.Name) and expr.func.id == "RegExp":
            return NOCONST
        value = self.static(module, expr).const
        return value if value is None or isinstance(value, (str, int, float, bool)) else NOCONST

    def _entries(self, module, container: ir.Container, depth: int):
        module, container = self.definition(module, container)
        for k, v in getattr(container, "entries", ()):
            key = self.static(module, k).const if k is not None else NOCONST
            if isinstance(key, str):
                yield key, self.json(module, v, depth + 2)

    # ------------------------------------------------------------------ zod

    def shape(self, module: ir.Module, obj: ir.Container, depth: int) -> dict:
        fields = []
        for k, v in obj.entries:
            key = self.static(module, k).const if k is not None else NOCONST
            if isinstance(key, str):
                schema, optional = self.zod(module, v, depth + 1)
                fields.append((key, schema, not optional))
        return object_schema(fields)

    def zod(self, module: ir.Module, expr, depth: int) -> tuple[dict, bool]:
        """The schema of a zod expression and whether the field may be left out (optional or defaulted)."""
        module, expr = self.definition(module, expr)
        if depth > 40 or not isinstance(expr, ir.Call):
            return {}, False
        func = expr.func
        made = self._made_by(module, expr)
        if made is not None:  # a project helper returning a schema: `lenientString()`
            return self.zod(made[0], made[1], depth + 1)
        if isinstance(func, ir.Attribute) and not ZOD_NAMESPACE.match(self.static(module, func.value).qualname or ""):
            base, optional = self.zod(module, func.value, depth + 1)  # a method of a schema: `z.string().url()`
            return self._method(module, base, optional, func.attr, expr.args, depth)
        return self._root(module, expr, depth)

    def _made_by(self, module, call: ir.Call):
        """The expression a project function without parameters returns when its body ends in its one
        ``return``, with the function's module; None for anything else (a helper whose schema depends on
        its arguments stays unknown)."""
        fn = self.static(module, call.func).ref
        fn = getattr(fn, "function", fn)
        if not isinstance(fn, ir.Function) or fn.module is None or fn.params or call.args:
            return None
        returns = [st for st in fn.body if isinstance(st, ir.Return)]
        if len(returns) != 1 or returns[0] is not fn.body[-1] or returns[0].value is None:
            return None
        return fn.module, returns[0].value

    def _factory(self, module, call: ir.Call) -> str | None:
        match = ZOD_FACTORY.match(self.static(module, call.func).qualname or "")
        return match.group("name") if match else None

    def _root(self, module, call: ir.Call, depth: int) -> tuple[dict, bool]:
        name = self._factory(module, call)
        args = call.args
        if name is None:
            return {}, False
        if name in SIMPLE:
            return dict(SIMPLE[name]), False
        if name in FORMATS:
            return {"type": "string", "format": FORMATS[name]}, False
        if name in ("int", "int32"):
            return _integer({"type": "number"}), False
        if name == "enum" and args:
            values = self.json(module, args[0])
            if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
                return {"type": "string", "enum": values}, False
            return {}, False
        if name == "literal" and args:
            value = self.json(module, args[0])
            kind = _type_of(value)
            return ({"type": kind, "const": value} if kind else {}), False
        if name == "array" and args:
            return {"type": "array", "items": self.zod(module, args[0], depth + 1)[0]}, False
        if name == "preprocess" and len(args) == 2:  # the SDK describes the schema the value is checked with
            return self.zod(module, args[1], depth + 1)
        if name == "nativeEnum" and args:
            values = self.json(module, args[0])
            if isinstance(values, dict) and values and all(isinstance(v, str) for v in values.values()):
                return {"type": "string", "enum": list(values.values())}, False
            return {}, False
        if name == "record" and len(args) == 2:
            return {"type": "object", "propertyNames": self.zod(module, args[0], depth + 1)[0],
                    "additionalProperties": self.zod(module, args[1], depth + 1)[0]}, False
        if name in ("object", "strictObject", "looseObject") and args:
            module_, obj = self.definition(module, args[0])
            if isinstance(obj, ir.Container) and obj.kind == "dict":
                return self.shape(module_, obj, depth), False
            return {}, False
        if name == "union" and args:
            module_, members = self.definition(module, args[0])
            if isinstance(members, ir.Container) and members.items:
                return _any_of([self.zod(module_, m, depth + 1)[0] for m in members.items]), False
            return {}, False
        if name in ("optional", "nullable", "nullish") and args:
            inner, optional = self.zod(module, args[0], depth + 1)
            return self._method(module, inner, optional, name, (), depth)
        return {}, False

    def _method(self, module, schema: dict, optional: bool, method: str, args, depth: int) -> tuple[dict, bool]:
        kind = schema.get("type")
        arg = self.json(module, args[0]) if args else NOCONST
        if method == "optional":
            return schema, True
        if method in ("nullable", "nullish"):
            if isinstance(kind, str):
                schema = {**schema, "type": [kind, "null"]}
            elif schema:
                schema = {"anyOf": [schema, {"type": "null"}]}
            return schema, optional or method == "nullish"
        if method == "default":
            return ({**schema, "default": arg} if arg is not NOCONST else schema), True
        if method == "catch":  # a fallback value: written as the default, the field stays as required as it was
            return ({**schema, "default": arg} if arg is not NOCONST and arg is not None else schema), optional
        if method == "describe":
            return ({**schema, "description": arg} if isinstance(arg, str) else schema), optional
        if method in FORMATS and kind == "string":
            return {**schema, "format": FORMATS[method]}, optional
        if method == "int" and kind in ("number", "integer"):
            return _integer(schema), optional
        if method in SIZES and isinstance(kind, str) and kind in SIZES[method]:
            value = 1 if method == "nonempty" else arg
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return _bound(schema, SIZES[method][kind], value), optional
            return {}, optional
        if method == "length" and kind in ("string", "array") and isinstance(arg, int):
            words = ("minLength", "maxLength") if kind == "string" else ("minItems", "maxItems")
            return {**schema, words[0]: arg, words[1]: arg}, optional
        if method in SIGNS and kind in ("number", "integer"):
            return _bound(schema, SIGNS[method], 0), optional
        if method == "regex" and kind == "string" and args:
            pattern = self._regex(module, args[0])
            return ({**schema, "pattern": pattern} if pattern is not None else {}), optional
        if method == "array":  # Item.array()
            return {"type": "array", "items": schema}, False
        if method in KEEP:
            return schema, optional
        return {}, optional  # a method toolsink does not model: the schema is unknown from here

    def _regex(self, module, expr) -> str | None:
        module, expr = self.definition(module, expr)
        if isinstance(expr, ir.Call) and expr.new and isinstance(expr.func, ir.Name) and expr.func.id == "RegExp":
            value = self.static(module, expr.args[0]).const if expr.args else None
            return value if isinstance(value, str) else None
        return None


def _is_json_schema(obj: ir.Container) -> bool:
    """``{"type": "object", ...}`` or ``{"properties": {...}}``, as opposed to a zod raw shape whose values are
    schemas."""
    for k, v in obj.entries:
        if isinstance(k, ir.Literal) and (k.value == "type" and isinstance(v, ir.Literal) and isinstance(v.value, str)
                                          or k.value == "properties" and isinstance(v, ir.Container)):
            return True
    return False


def _integer(schema: dict) -> dict:
    out = {**schema, "type": "integer"}
    out.setdefault("minimum", -SAFE_INT)
    out.setdefault("maximum", SAFE_INT)
    return out


def _bound(schema: dict, key: str, value) -> dict:
    """A bound replaces the safe-integer bound of ``.int()`` on the same side, as zod writes it."""
    out = dict(schema)
    for side in (LOWER, UPPER):
        if key in side:
            for other in side:
                if out.get(other) in (-SAFE_INT, SAFE_INT):
                    del out[other]
    out[key] = value
    return out


def _type_of(value) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "null" if value is None else None


def _any_of(schemas: list[dict]) -> dict:
    if any(not s for s in schemas):
        return {}
    if all(set(s) == {"type"} and isinstance(s["type"], str) for s in schemas):
        return {"type": list(dict.fromkeys(s["type"] for s in schemas))}
    return {"anyOf": schemas}
