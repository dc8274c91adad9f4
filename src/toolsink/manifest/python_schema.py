"""The JSON Schema a Python MCP SDK (FastMCP, pydantic) emits for a handler's parameters, read from the IR.

FastMCP builds a pydantic model from the handler signature and publishes its ``model_json_schema()``. This
module reproduces that from the annotations as written: builtin types, ``list[X]``/``List[X]``, ``dict``,
``Optional[X]``/``X | None``/``Union`` (``anyOf``), ``Literal[...]`` (``enum``/``const``), ``Enum``
subclasses (their values), pydantic ``BaseModel`` subclasses (their fields, to a bounded depth),
``Annotated[X, Field(...)]`` and ``= Field(...)`` (description, title, bounds, lengths, pattern, default,
alias as the property name).

Two differences from pydantic's output, both on purpose: the ``title`` pydantic derives from every name
(``"file_path"`` -> ``"File Path"``) is left out (an explicit ``Field(title=...)`` is kept), and classes are
written inline rather than as ``$defs`` references, so a review reads each parameter where it is. A type
this module cannot resolve gives ``{}`` (any value), never a guess.
"""

from __future__ import annotations

from .. import ir
from ..values import NOCONST

MAX_DEPTH = 4  # nested BaseModel fields are expanded this deep; deeper ones are written as {}


SIMPLE = {
    "str": {"type": "string"}, "int": {"type": "integer"}, "float": {"type": "number"},
    "bool": {"type": "boolean"}, "bytes": {"type": "string", "format": "binary"},
    "dict": {"type": "object", "additionalProperties": True}, "list": {"type": "array", "items": {}},
    "typing.Dict": {"type": "object", "additionalProperties": True},
    "typing.List": {"type": "array", "items": {}}, "typing.Any": {},
    "datetime.datetime": {"type": "string", "format": "date-time"},
    "datetime.date": {"type": "string", "format": "date"}, "datetime.time": {"type": "string", "format": "time"},
    "uuid.UUID": {"type": "string", "format": "uuid"},
    "pydantic.AnyUrl": {"type": "string", "format": "uri", "minLength": 1},
    "pydantic.networks.AnyUrl": {"type": "string", "format": "uri", "minLength": 1},
    "pydantic.HttpUrl": {"type": "string", "format": "uri", "minLength": 1, "maxLength": 2083},
    "pydantic.networks.HttpUrl": {"type": "string", "format": "uri", "minLength": 1, "maxLength": 2083},
    "pydantic.EmailStr": {"type": "string", "format": "email"},
}
NAMES = {"str", "int", "float", "bool", "bytes", "dict", "list", "None"}  # written as strings: "int"
TUPLES = {"tuple", "typing.Tuple"}
LISTS = {"list", "typing.List", "typing.Sequence", "collections.abc.Sequence"}
SETS = {"set", "typing.Set", "frozenset", "typing.FrozenSet"}
DICTS = {"dict", "typing.Dict", "typing.Mapping", "collections.abc.Mapping"}
OPTIONAL = {"typing.Optional", "typing_extensions.Optional"}
UNION = {"typing.Union", "typing_extensions.Union"}
LITERAL = {"typing.Literal", "typing_extensions.Literal"}
ANNOTATED = {"typing.Annotated", "typing_extensions.Annotated"}
FIELD = {"pydantic.Field", "pydantic.fields.Field"}
ENUM_BASES = {"enum.Enum", "enum.IntEnum", "enum.StrEnum"}
MODEL_BASES = {"pydantic.BaseModel", "pydantic.main.BaseModel"}
# Field keyword -> JSON Schema keyword; the length ones depend on the type they constrain
BOUNDS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum",
          "multiple_of": "multipleOf", "pattern": "pattern"}
LENGTHS = {"min_length": ("minLength", "minItems", "minProperties"),
           "max_length": ("maxLength", "maxItems", "maxProperties")}
NOTES = {"description": "description", "title": "title", "examples": "examples", "deprecated": "deprecated"}


def object_schema(fields) -> dict:
    """``{"type": "object", "properties": ..., "required": [...]}`` from ``(name, schema, required)``
    fields in order (``required`` left out when empty); the handler signature, a pydantic model and a zod
    object shape all end here."""
    properties: dict = {}
    required: list = []
    for name, schema, needed in fields:
        properties[name] = schema
        if needed:
            required.append(name)
    out: dict = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    return out


class PythonSchemas:
    """Schemas of annotations in one project; ``static(module, expr)`` evaluates an expression statically,
    ``bases(cls)`` gives a class's external base qualnames."""

    def __init__(self, static, bases) -> None:
        self.static = static
        self.bases = bases

    # ------------------------------------------------------------------ parameters

    def parameters(self, module: ir.Module, params) -> dict:
        """``{"type": "object", "properties": ..., "required": [...]}`` for handler parameters (the SDK's
        request context and ``self`` already left out by the caller)."""
        fields = []
        for p in params:
            schema, has_default = self.field(module, p.annotation, p.default, 0)
            fields.append((self.alias(module, p.annotation, p.default) or p.name, schema, not has_default))
        return object_schema(fields)

    def field(self, module: ir.Module, annotation, default, depth: int) -> tuple[dict, bool]:
        """The schema of one parameter or model field, and whether it has a default (so is not required)."""
        fields = []  # Field(...) calls: in Annotated[...] first, then the default
        base = annotation
        while True:
            head, items = self._subscript(module, base)
            if head not in ANNOTATED or not items:
                break
            base = items[0]
            fields.extend(m for m in items[1:] if self._is_field(module, m))
        # FastMCP publishes an unannotated parameter as a string
        schema = {"type": "string"} if annotation is None else dict(self.type_schema(module, base, depth))
        annotated = list(fields)
        if self._is_field(module, default):
            fields.append(default)
        for f in fields:
            self._apply_field(module, f, schema)
        if self._is_field(module, default):
            extra, has_default = self._field_default(module, default)
        elif default is not None:
            extra, has_default = self._defaulted(module, default)
        else:  # Annotated[int, Field(default=5)]: the default is written in the annotation
            extra, has_default = next((found for found in (self._field_default(module, f) for f in reversed(annotated))
                                       if found[1]), ({}, False))
        schema.update(extra)
        return schema, has_default

    def alias(self, module: ir.Module, annotation, default) -> str | None:
        """``Field(alias="fileName")``: the name the SDK publishes (and the client must send) instead."""
        calls = [default] if self._is_field(module, default) else []
        head, items = self._subscript(module, annotation)
        if head in ANNOTATED:
            calls.extend(m for m in items[1:] if self._is_field(module, m))
        for call in calls:  # the default's Field first
            value = call.kwarg("alias")
            text = self.static(module, value).const if value is not None else None
            if isinstance(text, str) and text:
                return text
        return None

    # ------------------------------------------------------------------ types

    def type_schema(self, module: ir.Module, expr, depth: int = 0) -> dict:
        if expr is None or depth > 12:
            return {}
        if isinstance(expr, ir.Literal):
            if expr.value is None:
                return {"type": "null"}
            if isinstance(expr.value, str) and expr.value in NAMES:  # a string annotation: "int"
                return dict(SIMPLE.get(expr.value, {"type": "null"}))
            return {}
        if isinstance(expr, ir.BinOp) and expr.op == "|":
            return self._union(module, self._flatten(expr), depth)
        if isinstance(expr, ir.Subscript):
            return self._generic(module, expr, depth)
        value = self.static(module, expr)
        qual = value.qualname or ""
        if qual in SIMPLE:
            return dict(SIMPLE[qual])
        if qual in SETS:
            return {"type": "array", "items": {}, "uniqueItems": True}
        if isinstance(value.ref, ir.Class):
            return self.class_schema(value.ref, depth)
        return {}

    def _generic(self, module, expr: ir.Subscript, depth: int) -> dict:
        head, items = self._subscript(module, expr)
        if head in OPTIONAL and items:
            return self._union(module, [items[0], ir.Literal(None, ir.NO_SPAN)], depth)
        if head in UNION:
            return self._union(module, items, depth)
        if head in LITERAL:
            values = [self.static(module, i).const for i in items]
            if not values or any(v is NOCONST or not _json_scalar(v) for v in values):
                return {}
            out: dict = {"const": values[0]} if len(values) == 1 else {"enum": values}
            kind = _json_type(values)
            if kind:
                out["type"] = kind
            return out
        if head in ANNOTATED and items:
            return self.field(module, expr, None, depth)[0]
        if head in LISTS and len(items) == 1:
            return {"type": "array", "items": self.type_schema(module, items[0], depth + 1)}
        if head in TUPLES and len(items) == 2 and _is_ellipsis(items[1]):
            return {"type": "array", "items": self.type_schema(module, items[0], depth + 1)}
        if head in TUPLES and items:  # tuple[int, str]: one schema per position
            members = [self.type_schema(module, i, depth + 1) for i in items]
            return {"type": "array", "prefixItems": members, "minItems": len(items), "maxItems": len(items)}
        if head in SETS and len(items) == 1:
            return {"type": "array", "items": self.type_schema(module, items[0], depth + 1), "uniqueItems": True}
        if head in DICTS and len(items) == 2:
            return {"type": "object", "additionalProperties": self.type_schema(module, items[1], depth + 1)}
        return {}

    def _union(self, module, members, depth: int) -> dict:
        schemas = []
        for m in members:
            s = self.type_schema(module, m, depth + 1)
            if not s:  # one member unknown: the union admits anything as far as toolsink can tell
                return {}
            for branch in s.get("anyOf", [s]) if set(s) == {"anyOf"} else [s]:
                if branch not in schemas:
                    schemas.append(branch)
        return schemas[0] if len(schemas) == 1 else {"anyOf": schemas}

    def class_schema(self, cls: ir.Class, depth: int) -> dict:
        bases = set(self.bases(cls))
        if bases & ENUM_BASES:
            values = []
            for s in cls.body:
                if isinstance(s, ir.Assign) and s.value is not None and len(s.targets) == 1 and isinstance(
                        s.targets[0], ir.Name) and not s.targets[0].id.startswith("_"):
                    v = self.static(cls.module, s.value).const
                    if v is NOCONST or not _json_scalar(v):
                        return {}  # auto() and computed members: values unknown
                    values.append(v)
            if not values:
                return {}
            out: dict = {"enum": values}
            kind = _json_type(values)
            if kind:
                out["type"] = kind
            return _described(out, cls)
        if bases & MODEL_BASES:
            if depth >= MAX_DEPTH:
                return {}
            fields = []
            for s in cls.body:
                if isinstance(s, ir.Assign) and s.annotation is not None and len(s.targets) == 1 and isinstance(
                        s.targets[0], ir.Name) and s.op is None:
                    name = s.targets[0].id
                    if name.startswith("_") or self._is_classvar(cls.module, s.annotation):
                        continue
                    schema, has_default = self.field(cls.module, s.annotation, s.value, depth + 1)
                    fields.append((self.alias(cls.module, s.annotation, s.value) or name, schema, not has_default))
            return _described(object_schema(fields), cls)
        return {}

    # ------------------------------------------------------------------ Field(...) and defaults

    def _apply_field(self, module, call: ir.Call, schema: dict) -> None:
        target = schema
        branches = schema.get("anyOf")
        if branches:  # Optional[str] = Field(max_length=5): pydantic bounds the non-null member
            real = [b for b in branches if b != {"type": "null"}]
            if len(real) == 1:
                target = real[0]
        for kw in call.keywords:
            value = self._json(module, kw.value)
            if value is NOCONST:
                continue
            if kw.name in NOTES:
                schema[NOTES[kw.name]] = value
            elif kw.name in BOUNDS:
                target[BOUNDS[kw.name]] = value
            elif kw.name in LENGTHS:
                string, array, obj = LENGTHS[kw.name]
                kind = target.get("type")
                target[array if kind == "array" else obj if kind == "object" else string] = value

    def _field_default(self, module, call: ir.Call) -> tuple[dict, bool]:
        """``Field(default)``, ``Field(default=...)``, ``Field(default_factory=...)``; ``Field(...)`` and a Field
        without a default leave the parameter required."""
        default = call.args[0] if call.args else call.kwarg("default")
        if default is None:
            return {}, call.kwarg("default_factory") is not None
        if _is_ellipsis(default):
            return {}, False
        return self._defaulted(module, default)

    def _defaulted(self, module, default) -> tuple[dict, bool]:
        if default is None:
            return {}, False
        value = self._json(module, default)
        return ({} if value is NOCONST else {"default": value}), True

    def _json(self, module, expr):
        """A JSON value written as a constant expression (``5``, ``None``, ``["a"]``, ``Color.RED``), else NOCONST."""
        if isinstance(expr, ir.Container):
            if expr.kind in ("list", "tuple", "set"):
                items = [self._json(module, i) for i in expr.items]
                return NOCONST if any(i is NOCONST for i in items) else items
            if expr.kind == "dict":
                out = {}
                for k, v in expr.entries:
                    key, val = (self._json(module, k) if k is not None else NOCONST), self._json(module, v)
                    if not isinstance(key, str) or val is NOCONST:
                        return NOCONST
                    out[key] = val
                return out
        value = self.static(module, expr).const
        return value if _json_scalar(value) else NOCONST

    # ------------------------------------------------------------------ helpers

    def _subscript(self, module, expr) -> tuple[str, tuple]:
        if not isinstance(expr, ir.Subscript):
            return "", ()
        head = self.static(module, expr.value).qualname or ""
        index = expr.index
        items = index.items if isinstance(index, ir.Container) and index.kind == "tuple" else (index,)
        return head, tuple(items)

    def _is_field(self, module, expr) -> bool:
        return isinstance(expr, ir.Call) and (self.static(module, expr.func).qualname or "") in FIELD

    def _is_classvar(self, module, annotation) -> bool:
        head = annotation.value if isinstance(annotation, ir.Subscript) else annotation
        return (self.static(module, head).qualname or "").endswith("ClassVar")

    @staticmethod
    def _flatten(expr) -> list:
        if isinstance(expr, ir.BinOp) and expr.op == "|":
            return PythonSchemas._flatten(expr.left) + PythonSchemas._flatten(expr.right)
        return [expr]


def _is_ellipsis(expr) -> bool:
    return isinstance(expr, ir.Unknown) and expr.kind == "ellipsis"


def _json_scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _json_type(values) -> str | None:
    """The JSON type pydantic writes beside an ``enum`` whose values all have one type."""
    kinds = {"boolean" if isinstance(v, bool) else "integer" if isinstance(v, int) else "number"
             if isinstance(v, float) else "string" if isinstance(v, str) else "null" for v in values}
    return kinds.pop() if len(kinds) == 1 else None


def _described(schema: dict, cls: ir.Class) -> dict:
    if cls.docstring:
        schema["description"] = cls.docstring
    return schema
