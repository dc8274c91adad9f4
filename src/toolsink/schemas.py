"""Parameter safety and schemas: which handler parameters, and which fields of an argument object, the model
can fill with arbitrary text.

A parameter is safe by its declared type (``int``, ``Literal[...]``, an ``Enum``, ``Field(pattern=...)``) or
by the registration's schema, wherever that is written: a dict or ``z.object({...})`` in the call, a name or
an imported tool object's property (followed with :meth:`Project.definition`), zod's ``Schema.shape``,
nested fields of arrays of objects, JSON Schema properties (``enum``, ``pattern``, numbers), or the
low-level ``Tool(...)`` declaration a dispatcher answers for (chosen in :mod:`toolsink.sources`).
"""

from __future__ import annotations

import fnmatch

from . import ir
from .engine import Analysis, Engine
from .entrypoints import Entry
from .models import CompiledModels
from .values import Value

# JSON Schema string formats whose values cannot carry shell, SQL or path syntax
JSON_CLOSED_FORMATS = frozenset({"uuid", "date-time", "date", "time", "ipv4", "ipv6", "duration"})


class SourceChecker:
    """Decides per handler parameter whether the model can write arbitrary text into it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _static(self, module: ir.Module, expr: ir.Expr) -> Value:
        return Analysis(self.engine, None, None, module=module).static(expr)

    def is_context(self, module: ir.Module, models: CompiledModels, param: ir.Param) -> bool:
        if param.kind == "self":
            return True
        if param.annotation is None:
            return False
        for option in _optional_parts(param.annotation):  # ctx: Context | None, Optional[Context]
            qual = self._static(module, _head(option)).qualname or ""
            if any(fnmatch.fnmatchcase(qual, t) for t in models.context_types) or qual.rsplit(".", 1)[-1] == "Context":
                return True
        return False

    def safe_type(self, module: ir.Module, models: CompiledModels, expr: ir.Expr | None, depth: int = 0) -> bool:
        if expr is None or depth > 6:
            return False
        if isinstance(expr, ir.Literal):
            return expr.value is None or isinstance(expr.value, str) and self._safe_name(module, models, expr.value)
        if isinstance(expr, ir.BinOp) and expr.op == "|":
            return self.safe_type(module, models, expr.left, depth + 1) and self.safe_type(module, models, expr.right, depth + 1)
        if isinstance(expr, ir.Subscript):
            head = self._static(module, expr.value)
            qual = head.qualname or ""
            if qual in models.safe_types:  # Literal[...]
                return True
            if qual in models.type_wrappers:
                items = expr.index.items if isinstance(expr.index, ir.Container) and expr.index.kind == "tuple" else (expr.index,)
                if qual.endswith("Annotated"):
                    return self.safe_type(module, models, items[0], depth + 1) or any(
                        self.constraint(module, models, m) for m in items[1:])
                if qual.endswith("Union"):
                    return all(self.safe_type(module, models, i, depth + 1) for i in items)
                return self.safe_type(module, models, items[0], depth + 1)
            return False
        if isinstance(expr, ir.Call):
            return self.constraint(module, models, expr) or self.schema_safe(module, models, expr)
        if isinstance(expr, ir.Container) and expr.kind == "dict":
            return self.json_schema_safe(module, models, expr, depth)
        v = self._static(module, expr)
        if v.qualname in models.safe_types:
            return True
        if isinstance(v.ref, ir.Class):
            bases = self.engine.project.base_qualnames(v.ref)
            return any(b in models.safe_bases for b in bases)
        return False

    def json_schema_safe(self, module: ir.Module, models: CompiledModels, schema: ir.Container, depth: int) -> bool:
        """A JSON Schema property (the MCP ``inputSchema`` language) that admits no arbitrary text: an
        ``enum`` or ``const``, a number or boolean ``type``, a ``pattern``, a closed ``format``, or an array
        whose ``items`` are all of these."""
        def const(key):
            v = _entry(schema, key)
            return None if v is None else self._static(module, v).const
        if _entry(schema, "enum") is not None or _entry(schema, "const") is not None:
            return True
        if _entry(schema, "pattern") is not None or const("format") in JSON_CLOSED_FORMATS:
            return True
        kind = const("type")
        if kind in ("integer", "number", "boolean"):
            return True
        items = _entry(schema, "items")
        return kind == "array" and items is not None and self.safe_type(module, models, items, depth + 1)

    def safe_param(self, module: ir.Module, models: CompiledModels, param: ir.Param) -> bool:
        """A parameter the model cannot fill with arbitrary text: by its declared type, or by a default that
        constrains it (``x: str = Field(pattern=...)``). A plain default (``= None``, ``= "x"``) constrains
        nothing: the model may still pass any string."""
        if self.safe_type(module, models, param.annotation):
            return True
        return isinstance(param.default, ir.Call) and self.safe_type(module, models, param.default)

    def _safe_name(self, module, models, text: str) -> bool:
        return text in models.safe_types  # string annotations: "int"

    def constraint(self, module: ir.Module, models: CompiledModels, expr: ir.Expr) -> bool:
        if not isinstance(expr, ir.Call):
            return False
        fv = self._static(module, expr.func)
        method = expr.func.attr if isinstance(expr.func, ir.Attribute) else None
        for row in models.type_constraints.match(fv.qualname, method):
            kw = row.get("kwarg")
            if kw is None or expr.kwarg(kw) is not None:
                return True
        return False

    def schema_safe(self, module: ir.Module, models: CompiledModels, expr: ir.Expr) -> bool:
        """A schema built by a call chain (``z.string().regex(...)``): safe if any link is."""
        cur = expr
        for _ in range(12):
            if not isinstance(cur, ir.Call):
                break
            if self.constraint(module, models, cur):
                return True
            fv = self._static(module, cur.func)
            if fv.qualname in models.safe_types:
                return True
            cur = cur.func.value if isinstance(cur.func, ir.Attribute) else None
        return False

    def schema_field(self, entry: Entry, path) -> tuple[ir.Module, ir.Expr] | None:
        """The schema written for an argument or a field of it (``nodes.fileName``), wherever it is written:
        through names and imported constants, ``z.object({...})``, arrays of objects and JSON Schema
        ``properties``. None when the registration's schema does not describe that path."""
        project = self.engine.project
        module, cur = project.definition(entry.module, entry.schema)
        for key in path:
            if key.isdigit() and cur is not None and not _is_object_schema(cur):
                continue  # items[0].id: an element of an array is described by the array's item schema
            module, obj = self._object_of(module, cur)
            field = _entry(obj, key) if obj is not None else None
            if field is None:
                return None
            module, cur = project.definition(module, field)
        return (module, cur) if cur is not None and path else None

    def _object_of(self, module: ir.Module, expr) -> tuple[ir.Module, ir.Container | None]:
        project = self.engine.project
        for _ in range(12):
            module, expr = project.definition(module, expr)
            if isinstance(expr, ir.Attribute) and expr.attr == "shape":  # zod: `Schema.shape` is its fields
                expr = expr.value
                continue
            if isinstance(expr, ir.Container) and expr.kind == "dict":
                props, items = _entry(expr, "properties"), _entry(expr, "items")
                if isinstance(props, ir.Container) and props.kind == "dict":
                    return module, props
                if items is not None and _is_array_schema(expr):  # JSON Schema array: items describe each element
                    expr = items
                    continue
                return module, expr
            if not isinstance(expr, ir.Call):
                break
            obj = next((a for a in expr.args if isinstance(a, ir.Container) and a.kind == "dict"), None)
            if obj is not None:  # z.object({...})
                return module, obj
            if isinstance(expr.func, ir.Attribute):  # X.array(), X.optional(), z.array(X)
                expr = expr.args[0] if expr.func.attr == "array" and expr.args else expr.func.value
            elif expr.args:
                expr = expr.args[0]
            else:
                break
        return module, None

    def field_safe(self, entry: Entry, models: CompiledModels, path) -> bool:
        """Whether the schema makes the argument at ``path``, or any field on the way to it, safe."""
        for n in range(1, len(path) + 1):
            found = self.schema_field(entry, tuple(path[:n]))
            if found is None:
                return False
            module, expr = found
            if self.safe_type(module, self.engine.models_for(module), expr):
                return True
        return False


def _is_object_schema(expr) -> bool:
    """A schema written as an object of fields (``{...}``/``z.object``), not an array or a scalar: a digit key is
    then a field name, not an index."""
    if isinstance(expr, ir.Container):
        return expr.kind == "dict" and not _is_array_schema(expr)
    return isinstance(expr, ir.Call) and isinstance(expr.func, ir.Attribute) and expr.func.attr == "object"


def _is_array_schema(container) -> bool:
    """A JSON Schema literal for an array (``{"type": "array", "items": ...}``), not a zod shape or an object of
    fields that happens to have a field named ``items``."""
    kind = _entry(container, "type")
    return isinstance(kind, ir.Literal) and kind.value == "array" and _entry(container, "items") is not None


def _optional_parts(expr: ir.Expr) -> list:
    """The alternatives of ``X | None`` and ``Optional[X]`` (without None); the annotation itself otherwise."""
    if isinstance(expr, ir.BinOp) and expr.op == "|":
        return [p for side in (expr.left, expr.right) for p in _optional_parts(side)]
    if isinstance(expr, ir.Literal) and expr.value is None or isinstance(expr, ir.Name) and expr.id == "None":
        return []
    if isinstance(expr, ir.Subscript) and isinstance(expr.value, (ir.Name, ir.Attribute)) and (
            getattr(expr.value, "id", None) == "Optional" or getattr(expr.value, "attr", None) == "Optional"):
        return _optional_parts(expr.index)
    return [expr]


def _head(expr: ir.Expr) -> ir.Expr:
    while isinstance(expr, ir.Subscript):
        expr = expr.value
    return expr


def _entry(container, key: str):
    if isinstance(container, ir.Container) and container.kind == "dict":
        for k, v in container.entries:
            if isinstance(k, ir.Literal) and k.value == key:
                return v
    return None
