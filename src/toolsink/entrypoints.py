"""Entry points: find tool, resource and prompt registrations, as the registration models describe them.

A registration model row (``rules/models/*.yml``, section ``registrations``) names the server classes
(``factories``) and methods (``tool``, ``registerTool`` ...) or a direct callee, the syntactic forms
(``@server.tool``, ``@server.tool()``, ``server.tool(fn)``, ``Server(on_call_tool=fn)``), where the
handler, name and description are, and which handler parameters are sources. This module matches those
rows against decorators and calls in the IR; the receiver is resolved through imports and assignments
(any instance name, aliases, attributes like ``self.mcp``), so nothing here knows an SDK by name.

A decorator or call that looks like a registration (the method name matches and the module imports an
MCP SDK) but whose receiver cannot be resolved is still accepted, and one whose handler cannot be found
is reported as a diagnostic rather than skipped.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from . import ir
from .index import dotted_name
from .models import _names, last_segment
from .values import NOCONST, BoundMethod, Closure, Instance, Value
from .engine import Analysis, Engine
from .walk import all_exprs, stmt_exprs, sub_bodies

_SDK_ROOTS: dict[int, set[str]] = {}
_URI_VAR = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\*?\}")


@dataclass(slots=True)
class Entry:
    """A registration with its handler resolved."""

    kind: str
    name: str
    form: str
    module: ir.Module
    span: ir.Span
    handler: ir.Function | None
    row: dict
    call: ir.Call | None  # the registration call (None for a bare decorator)
    description: str = ""
    description_line: int = 0
    title: str = ""
    annotations: tuple = ()
    schema: ir.Expr | None = None
    config: ir.Expr | None = None
    arms: tuple = ()  # ((line, col) of an if/switch, arm index) for each branch the registration sits in
    schema_absent: bool = False  # the registration is written without an input schema (not merely unresolved)


def _match_any(name: str | None, patterns) -> bool:
    if not name:
        return False
    for p in _names(patterns):
        if "*" in p:
            if fnmatch.fnmatchcase(name, p):
                return True
        elif name == p:
            return True
    return False


class EntryFinder:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # modules that look like MCP servers but gave no registration: said when the whole scan found none
        # (tools are often registered in another module than the one that creates the server)
        self.missed: list[ir.Diagnostic] = []

    def find(self, module: ir.Module) -> tuple[list[Entry], list[ir.Diagnostic]]:
        models = self.engine.models_for(module)
        rows = models.registrations
        if not rows:
            return [], []
        self.analysis = Analysis(self.engine, None, None, module=module)
        self.module = module
        self.rows = rows
        self.sdk_imported = self._imports_sdk(module, rows)
        self.entries: list[Entry] = []
        self.diagnostics: list[ir.Diagnostic] = []
        self._arms: list[tuple] = []
        self._envs: dict[ir.Function, dict] = {}
        self.methods = {m for row in rows for m in _names(row.get("methods"))}
        self.callee_tails = {last_segment(c) for row in rows for c in _names(row.get("callee"))}
        self._walk(module.body, None)
        if not self.entries:
            self._say_if_missed(module)
        return self.entries, self.diagnostics

    def _say_if_missed(self, module: ir.Module) -> None:
        """A module that creates an MCP server, or writes tool-like objects with an ``inputSchema``, but has
        no registration toolsink recognises: zero findings there would mean "not analysed", not "safe"."""
        factories = [f for row in self.rows for f in _names(row.get("factories"))]
        what = None
        for expr in _all_exprs(module):
            if isinstance(expr, ir.Container) and expr.kind == "dict" and any(
                    isinstance(k, ir.Literal) and k.value in ("inputSchema", "input_schema") for k, _ in expr.entries):
                what = "defines tool-like objects with an `inputSchema`"
                break
            if self.sdk_imported and isinstance(expr, ir.Call) and factories:
                qual = self.analysis.static(expr.func).qualname
                if qual and _match_any(qual, factories):
                    what = f"creates an MCP server (`{qual}`)"
                    break
        if what is not None:
            self.missed.append(ir.Diagnostic(
                module.path, f"this module {what} but no tool, resource or prompt registration was recognised in "
                "it; its handlers are not analysed (see the registration forms in the README)", "no-registration",
                level="note"))

    # ------------------------------------------------------------------ walking

    def _imports_sdk(self, module: ir.Module, rows) -> bool:
        roots = _SDK_ROOTS.get(id(rows))
        if roots is None:
            roots = _SDK_ROOTS[id(rows)] = {re.split(r"[./]", name.lstrip("@"), maxsplit=1)[0] for row in rows
                                            for name in _names(row.get("factories")) + _names(row.get("callee"))}
        for s in module.body:
            if isinstance(s, ir.Import):
                head = re.split(r"[./]", s.module.lstrip("@"), maxsplit=1)[0]
                if head in roots:
                    return True
        return False

    def _walk(self, body, fn: ir.Function | None) -> None:
        for s in body:
            if isinstance(s, ir.FunctionDef):
                for d in s.function.decorators:
                    self._decorator(d, s.function, fn)
                self._walk(s.function.body, s.function)
            elif isinstance(s, ir.ClassDef):
                for sub in s.cls.body:
                    if isinstance(sub, ir.FunctionDef):
                        for d in sub.function.decorators:
                            self._decorator(d, sub.function, fn)
                        self._walk(sub.function.body, sub.function)
                    else:
                        self._walk((sub,), fn)
            else:
                for e in stmt_exprs(s):
                    self._scan_expr(e, fn)
                branching = isinstance(s, (ir.If, ir.Switch))
                for arm, sub in enumerate(sub_bodies(s)):
                    if branching:
                        self._arms.append(((s.span.line, s.span.col), arm))
                    self._walk(sub, fn)
                    if branching:
                        self._arms.pop()

    def _scan_expr(self, e, fn) -> None:
        stack = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, ir.Call):
                self._call(x, fn)
                stack.extend(x.args)
                stack.extend(k.value for k in x.keywords)
                stack.append(x.func)
            elif isinstance(x, ir.FunctionRef):
                self._walk(x.function.body, x.function)
            elif isinstance(x, (ir.Attribute, ir.Await, ir.Starred)):
                stack.append(x.value)
            elif isinstance(x, ir.Container):
                stack.extend(x.items)
                stack.extend(v for _, v in x.entries)
            elif isinstance(x, (ir.BoolOp,)):
                stack.extend(x.values)
            elif isinstance(x, ir.Conditional):
                stack.extend((x.body, x.orelse))

    # ------------------------------------------------------------------ resolution

    def _value(self, expr: ir.Expr, fn: ir.Function | None) -> Value:
        """What an expression denotes statically, seen from inside ``fn`` (for ``self.mcp``)."""
        analysis = self.analysis
        if fn is not None:
            try:
                return analysis.evaluate(expr, dict(self._env_for(fn)))
            except RecursionError:
                return Value()
        return analysis.static(expr)

    def _env_for(self, fn: ir.Function, depth: int = 0) -> dict:
        """Static bindings seen inside ``fn``: the enclosing functions' (a registration inside a callback
        sees ``server``, the outer function's parameter), then ``fn``'s own parameters and assignments."""
        env = self._envs.get(fn)
        if env is not None:
            return env
        analysis = self.analysis
        parent = self.engine.parent_of(fn)
        env = dict(self._env_for(parent, depth + 1)) if parent is not None and depth < 8 else {}
        for p in fn.params:  # `def register(server: McpServer)`: the annotation names the receiver
            if p.kind == "self":
                env[p.name] = Value(ref=Instance(fn.cls)) if fn.cls is not None else Value()
            elif p.annotation is not None:
                env[p.name] = Value(qualname=analysis.static(p.annotation).qualname)
            else:
                env[p.name] = Value()
        for s in _assigns_in(fn.body):
            for t in s.targets:
                if isinstance(t, ir.Name):
                    env[t.id] = analysis.evaluate(s.value, dict(env)) if parent is not None else analysis.static(s.value)
        self._envs[fn] = env
        return env

    def _rows_for_method(self, receiver: ir.Expr, method: str, fn, form: str) -> list[dict]:
        out = []
        recv_value = None
        for row in self.rows:
            if form not in row.get("forms", ()):
                continue
            if "methods" not in row or method not in _names(row["methods"]):
                continue
            if recv_value is None:
                recv_value = self._value(receiver, fn)
            qual = recv_value.qualname
            if qual and _match_any(qual, row.get("factories")):
                out.append(row)
            elif isinstance(recv_value.ref, Instance) and any(  # a project subclass of the SDK's server class
                    _match_any(b, row.get("factories"))
                    for b in self.analysis.engine.project.base_qualnames(recv_value.ref.cls)):
                out.append(row)
            elif (not qual or "." not in qual and "/" not in qual) and recv_value.ref is None and self.sdk_imported:
                # a parameter without a type, or a name nothing binds: accepted, and said
                out.append({**row, "_unresolved_receiver": dotted_name(receiver) or "?"})
        return out

    def _handler(self, expr: ir.Expr | None, fn) -> ir.Function | None:
        if expr is None:
            return None
        if isinstance(expr, ir.FunctionRef):
            return expr.function
        v = self._value(expr, fn)
        ref = v.ref
        if isinstance(ref, ir.Function):
            return ref
        if isinstance(ref, Closure):
            return ref.function
        if hasattr(ref, "function"):
            return ref.function
        if isinstance(expr, ir.Name):  # a nested def in the enclosing function
            for f in self.module.functions:
                if f.name == expr.id:
                    return f
        if isinstance(expr, ir.Call):  # a project middleware around the handler: `withTelemetry(async (req) => ...)`
            callee = self._value(expr.func, fn).ref
            if isinstance(callee, (ir.Function, Closure)) or hasattr(callee, "function"):
                wrapped = [h for h in (self._handler(a, fn) for a in expr.args
                                       if isinstance(a, (ir.FunctionRef, ir.Name, ir.Attribute))) if h is not None]
                if len(wrapped) == 1:
                    return wrapped[0]
        return None

    # ------------------------------------------------------------------ forms

    def _decorator(self, d: ir.Expr, handler: ir.Function, fn) -> None:
        if isinstance(d, ir.Attribute):  # @mcp.tool
            for row in self._rows_for_method(d.value, d.attr, fn, "decorator"):
                self._add(row, handler, None, d, fn)
        elif isinstance(d, ir.Call) and isinstance(d.func, ir.Attribute):  # @mcp.tool(...)
            for row in self._rows_for_method(d.func.value, d.func.attr, fn, "decorator-call"):
                self._add(row, handler, d, d, fn)
        elif isinstance(d, (ir.Name, ir.Call)):
            callee = d if isinstance(d, ir.Name) else d.func
            qual = self._value(callee, fn).qualname
            for row in self.rows:
                if _match_any(qual, row.get("callee")) and "decorator" in row.get("forms", ()):
                    self._add(row, handler, d if isinstance(d, ir.Call) else None, d, fn)

    def _call(self, call: ir.Call, fn) -> None:
        func = call.func
        # mcp.tool()(fn): a decorator-call applied by hand
        if isinstance(func, ir.Call) and isinstance(func.func, ir.Attribute) and call.args:
            for row in self._rows_for_method(func.func.value, func.func.attr, fn, "decorator-call"):
                self._add(row, self._handler(call.args[0], fn), func, call, fn)
            return
        last = func.attr if isinstance(func, ir.Attribute) else func.id if isinstance(func, ir.Name) else None
        if isinstance(func, ir.Attribute) and func.attr in self.methods:
            for row in self._rows_for_method(func.value, func.attr, fn, "call"):
                if any(not self._cond(c, call, fn) for c in row.get("when", ())):
                    continue
                target = self._locate(row.get("handler", {"arg": 0}), call, fn)
                if target is None and "decorator-call" in row.get("forms", ()):
                    continue  # `mcp.tool()` alone makes a decorator: `mcp.tool()(fn)` is matched on the outer call
                if isinstance(target, ir.Call) and self._is_registration_call(target, fn):
                    continue  # mcp.add_tool(Tool.from_function(f)): the inner call is the registration
                self._add(row, self._handler(target, fn), call, call, fn)
        if last is not None and last not in self.callee_tails and "*" not in self.callee_tails and not any(
                t.startswith("*") and last.endswith(t[1:]) for t in self.callee_tails):
            return
        qual = None
        for row in self.rows:
            if "callee" not in row or "call" not in row.get("forms", ()):
                continue
            if qual is None:
                qual = self._value(func, fn).qualname or ""
            if _match_any(qual, row["callee"]):
                if row.get("declares"):
                    self._add(row, None, call, call, fn)
                    continue
                loc = row.get("handler", {"arg": 0})
                target = self._locate(loc, call, fn)
                if target is None and "kwarg" in loc:
                    continue  # Server("x") without on_call_tool=
                if any(not self._cond(c, call, fn) for c in row.get("when", ())):
                    continue
                self._add(row, self._handler(target, fn), call, call, fn)

    def _is_registration_call(self, call: ir.Call, fn) -> bool:
        qual = self._value(call.func, fn).qualname
        return any("callee" in row and _match_any(qual, row["callee"]) for row in self.rows)

    def _cond(self, cond: dict, call: ir.Call, fn) -> bool:
        if "arg" in cond:
            if cond["arg"] >= len(call.args):
                return False
            expr = call.args[cond["arg"]]
        elif "kwarg" in cond:
            expr = call.kwarg(cond["kwarg"])
            if expr is None:
                return False
        else:
            return True
        if "qualname_in" in cond:
            qual = self._value(expr, fn).qualname or dotted_name(expr) or ""
            return any(fnmatch.fnmatchcase(qual, q) or qual.endswith("." + q.rsplit(".", 1)[-1]) and "*" in q
                       for q in cond["qualname_in"])
        return True

    def _locate(self, loc, call: ir.Call | None, fn) -> ir.Expr | None:
        if call is None or not isinstance(loc, dict):
            return None
        expr = None
        if "kwarg" in loc:
            expr = call.kwarg(loc["kwarg"])
        if expr is None and "arg" in loc:
            a = loc["arg"]
            args = call.args
            if a == "last-function":
                expr = next((x for x in reversed(args) if isinstance(x, ir.FunctionRef)
                             or isinstance(self._value(x, fn).ref, (ir.Function, Closure, BoundMethod))), None)
                if expr is None and args and isinstance(args[-1], (ir.Name, ir.Attribute)):
                    expr = args[-1]
            elif a == "first-string":
                expr = next((x for x in args if isinstance(x, (ir.Literal, ir.StrBuild))), None)
            elif a == "first-object":
                expr = next((x for x in args[1:] if isinstance(x, ir.Container) and x.kind == "dict"
                             or isinstance(x, (ir.Name, ir.Attribute))
                             and isinstance(self._value(x, fn).fields, tuple)
                             or isinstance(x, ir.Attribute) and x.attr == "shape"), None)  # zod Schema.shape
            elif isinstance(a, int) and a < len(args):
                expr = args[a]
                if loc.get("if_string") and not isinstance(self._value(expr, fn).const, str):
                    expr = None
        if expr is not None and "property" in loc:
            expr = _property(expr, loc["property"], self, fn)
        if expr is not None and loc.get("if_string") and "property" in loc:
            if not isinstance(self._value(expr, fn).const, str):
                return None
        return expr

    def _string(self, loc, call, fn) -> tuple[str | None, int]:
        expr = self._locate(loc, call, fn)
        if expr is None:
            return None, 0
        v = self._value(expr, fn).const
        return (v if isinstance(v, str) else None), getattr(getattr(expr, "span", None), "line", 0)

    def _add(self, row: dict, handler: ir.Function | None, call: ir.Call | None, at: ir.Expr, fn) -> None:
        span = getattr(at, "span", ir.NO_SPAN)
        name = None
        for loc in row.get("name", ()):
            if loc == "function-name":
                if handler is not None:
                    name = handler.name
            else:
                name, _ = self._string(loc, call, fn)
            if name:
                break
        if row.get("dispatch") is not None and not name:
            name = "*"
        if row["entry"] == "resource" and "uri_template" in row:
            uri, _ = self._string(row["uri_template"], call, fn)
            name = uri or name
        description, dline = "", 0
        for loc in row.get("description", ()):
            if loc == "docstring":
                if handler is not None and handler.docstring:
                    description, dline = handler.docstring, handler.span.line + 1
            else:
                d, dline = self._string(loc, call, fn)
                description = d or ""
            if description:
                break
        title = self._string(row["title"], call, fn)[0] if "title" in row else None
        annotations = ()
        if "annotations" in row:
            ann = self._locate(row["annotations"], call, fn)
            if isinstance(ann, ir.Call):  # ToolAnnotations(readOnlyHint=True)
                ann = ir.Container("dict", entries=tuple((ir.Literal(k.name, k.span), k.value) for k in ann.keywords))
            if ann is not None:
                annotations = _literal_fields(self._value(ann, fn))
        if row.get("_unresolved_receiver"):
            self.diagnostics.append(ir.Diagnostic(
                self.module.path,
                f"{row['entry']} registration `{name or '?'}` on `{row['_unresolved_receiver']}`: the receiver could "
                "not be resolved to an MCP server object; it is taken as one because this module imports an MCP SDK",
                "unresolved-receiver", span.line, span.col, level="note"))
        if handler is None and not row.get("declares"):
            self.diagnostics.append(ir.Diagnostic(
                self.module.path,
                f"{row['entry']} registration `{name or '?'}` ({row['id']}): handler could not be resolved; "
                "its arguments are not traced",
                "unresolved-registration", span.line, span.col))
        self.entries.append(Entry(
            row["entry"], name or (handler.name if handler else "?"), row["id"], self.module, span, handler, row,
            call, description or "", dline, title or "", annotations,
            self._locate(row["schema"], call, fn) if "schema" in row else None, arms=tuple(self._arms),
            schema_absent="schema" in row and _schema_absent(row["schema"], call),
        ))


def _schema_absent(loc, call: ir.Call | None) -> bool:
    """Whether the registration call is written without the schema its row looks for: only strings and the
    handler where an object is looked for (``server.tool("name", "text", handler)``), or an object literal
    without that property and without spreads (``registerTool("name", {description}, handler)``)."""
    if call is None or not isinstance(loc, dict) or "kwarg" in loc:
        return False
    a = loc.get("arg")
    if a == "first-object":
        return all(isinstance(x, (ir.Literal, ir.StrBuild, ir.FunctionRef)) for x in call.args[1:])
    if isinstance(a, int) and "property" in loc and a < len(call.args):
        obj = call.args[a]
        return (isinstance(obj, ir.Container) and obj.kind == "dict"
                and all(isinstance(k, ir.Literal) and k.value != loc["property"] for k, _ in obj.entries))
    return False


def _property(expr: ir.Expr, key: str, finder: EntryFinder, fn) -> ir.Expr | None:
    if isinstance(expr, ir.Container) and expr.kind == "dict":
        for k, v in expr.entries:
            if isinstance(k, ir.Literal) and k.value == key:
                return v
        return None
    if isinstance(expr, ir.Name):  # a config object defined elsewhere in the module
        for s in _assigns_in(finder.module.body):
            if any(isinstance(t, ir.Name) and t.id == expr.id for t in s.targets):
                return _property(s.value, key, finder, fn)
    return None


def _literal_fields(v: Value) -> tuple:
    return tuple((k, sub.const) for k, sub in v.fields or () if sub.const is not NOCONST)


def _assigns_in(body):
    for s in body:
        if isinstance(s, ir.Assign) and s.value is not None:
            yield s


def _all_exprs(module: ir.Module):
    """Every expression of a module, nested functions and classes included."""
    return all_exprs(module.body)


def uri_variables(uri: str) -> list[str]:
    return _URI_VAR.findall(uri or "")
