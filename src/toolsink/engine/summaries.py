"""The engine's entry: :class:`Engine` computes one summary per project function on demand and memoises
it, and answers what the analysis of a function needs to know about the project: closure environments,
module-level and class-level values, declared types, implementations of a method in subclasses."""

from __future__ import annotations

from .. import ir
from ..index import Project
from ..values import EMPTY, MAX_ALTERNATIVES, Instance, Value, join
from ..walk import nested_functions, sub_bodies
from .records import MAX_CALL_DEPTH, Env, Summary
from . import context, statements


class Engine:
    """Summaries for every project function, computed on demand and memoised."""

    def __init__(self, project: Project, models_for) -> None:
        self.project = project
        self.models_for = models_for  # ir.Module -> CompiledModels
        self.summaries: dict[ir.Function, Summary] = {}
        self.in_progress: set[ir.Function] = set()
        self._module_values: dict[tuple[int, str], Value] = {}
        self._class_attrs: dict[int, dict[str, ir.Expr]] = {}
        self._attr_types: dict[int, dict[str, ir.Expr]] = {}
        self._subclasses: dict[int, list[ir.Class]] | None = None
        self._parents: dict[int, dict[ir.Function, ir.Function]] = {}
        self.closure_envs: dict[ir.Function, Env] = {}  # nested function -> environment it was defined in
        self.diagnostics: list[ir.Diagnostic] = []  # where the analysis gave up, said once per place
        self.allowed_roots: tuple[str, ...] = ()  # directories the configuration says the server serves
        self.root_env_vars: frozenset[str] = frozenset()  # environment variables the configuration says hold roots
        self._gave_up_at: set = set()
        self._mutated: dict[int, set[str]] = {}
        self._module_envs: dict[int, Env] = {}

    def summary(self, fn: ir.Function, closure: Env | None = None, param_refs: dict | None = None) -> Summary:
        """The summary of ``fn``; memoised unless it is specialised to a closure or to functions passed for
        some of its parameters (``param_refs``: a helper that calls the callback it is given)."""
        memo = closure is None and not param_refs
        if memo:
            cached = self.summaries.get(fn)
            if cached is not None:
                return cached
        if fn in self.in_progress:
            return Summary(fn)  # recursion: what the cycle adds is found from its other entries
        if len(self.in_progress) >= MAX_CALL_DEPTH:
            self._gave_up(fn, f"stopped following calls at `{fn.qualname or fn.name}`, {MAX_CALL_DEPTH} calls deep; "
                              "flows through deeper calls are not reported")
            return Summary(fn)
        self.in_progress.add(fn)
        try:
            result = context.Analysis(self, fn, closure, param_refs=param_refs).run()
        finally:
            self.in_progress.discard(fn)
        if memo:
            self.summaries[fn] = result
        return result

    def _gave_up(self, fn: ir.Function, message: str) -> None:
        key = (id(fn), message)
        if key in self._gave_up_at:
            return
        self._gave_up_at.add(key)
        path = fn.module.path if fn.module is not None else ""
        self.diagnostics.append(ir.Diagnostic(path, message, "analysis-limit", fn.span.line, fn.span.col))

    def entry_summary(self, fn: ir.Function) -> Summary:
        """The summary of a handler as registered: a handler nested in a function (``main()``, a
        ``createServer(server)`` factory, a callback) sees that function's parameters and locals."""
        env = self.closure_env(fn)
        return self.summary(fn, env) if env is not None else self.summary(fn)

    def closure_env(self, fn: ir.Function, _depth: int = 0) -> Env | None:
        """The environment ``fn`` was defined in, from an analysis of the enclosing function (itself seen
        with its own closure), or None for a top-level function."""
        if fn in self.closure_envs:
            return self.closure_envs[fn]
        parent = self.parent_of(fn)
        if parent is None or _depth > 8 or parent in self.in_progress:
            return None
        outer = self.closure_env(parent, _depth + 1)
        self.summary(parent, outer) if outer is not None else self.summary(parent)
        return self.closure_envs.get(fn)

    # ---------------------------------------------------------------- module-level and class-level values

    def module_value(self, module: ir.Module, name: str) -> Value | None:
        key = (id(module), name)
        if key in self._module_values:
            return self._module_values[key]
        self._module_values[key] = EMPTY  # cycle guard
        sym = self.project.lookup(module, name)
        value: Value | None
        if sym is None:
            value = None
        elif sym.kind == "function":
            value = Value(ref=sym.function)
        elif sym.kind == "class":
            value = Value(ref=sym.cls)
        elif sym.kind == "module":
            value = Value(ref=sym.module)
        elif sym.kind == "external":
            value = Value(qualname=sym.qualname)
        else:
            value = context.Analysis(self, None, None, module=sym.module).static(sym.expr)
            if sym.module is not None and name in self._mutated_at_top(sym.module):
                value = self._module_env(sym.module).get(name, value)
            elif sym.module is not None and _placeholder(sym.expr):
                value = self._initialised_later(sym.module, name, value)
        self._module_values[key] = value
        return value

    def _initialised_later(self, module: ir.Module, name: str, value: Value) -> Value:
        """``let db = null`` at the top and ``db = createAdapter(kind)`` in an init function: the variable
        holds what the functions of its module assign to it (each alternative, as a factory's)."""
        for fn in module.functions:
            for s in walk_assigns(fn.body):
                if any(isinstance(t, ir.Name) and t.id == name for t in s.targets) and not _placeholder(s.value):
                    analysis = context.Analysis(self, fn, None)  # run there: a factory call gives its classes
                    try:
                        assigned = analysis.evaluate(s.value, analysis.entry_env())
                    except RecursionError:
                        continue
                    value = join(value, Value(ref=assigned.ref, qualname=assigned.qualname, fields=assigned.fields))
        return value

    def _mutated_at_top(self, module: ir.Module) -> set[str]:
        """Module-level names changed after their assignment by top-level code: ``REGISTRY.set(k, tool)``,
        ``TOOLS["x"] = Tool()``, ``for t in tools: toolMap.set(t.name, t)``."""
        names = self._mutated.get(id(module))
        if names is None:
            names = set()
            stack = list(module.body)
            while stack:
                st = stack.pop()
                if isinstance(st, ir.ExprStmt) and isinstance(st.value, ir.Call):
                    head = st.value.func
                    while isinstance(head, (ir.Attribute, ir.Subscript)):
                        head = head.value
                    if isinstance(head, ir.Name):
                        names.add(head.id)
                elif isinstance(st, ir.Assign):
                    for t in st.targets:
                        if isinstance(t, (ir.Attribute, ir.Subscript)) and isinstance(t.value, ir.Name):
                            names.add(t.value.id)
                for sub in sub_bodies(st):
                    stack.extend(sub)
            self._mutated[id(module)] = names
        return names

    def _module_env(self, module: ir.Module) -> Env:
        """The module's top-level code interpreted once, statically (what registries hold after import)."""
        env = self._module_envs.get(id(module))
        if env is None:
            self._module_envs[id(module)] = {}  # cycle guard
            env = {}
            try:
                env = statements.block(context.Analysis(self, None, None, module=module), module.body, env) or env
            except RecursionError:
                pass
            self._module_envs[id(module)] = env
        return env

    def class_attrs(self, cls: ir.Class) -> dict[str, ir.Expr]:
        """``self.x = expr`` in any method and ``x = expr`` in the class body, for static resolution."""
        table = self._class_attrs.get(id(cls))
        if table is not None:
            return table
        table = {}
        types: dict[str, ir.Expr] = {}
        for stmt in cls.body:
            if isinstance(stmt, ir.Assign):
                for t in stmt.targets:
                    name = t.id if isinstance(t, ir.Name) else t.attr if isinstance(t, ir.Attribute) and isinstance(
                        t.value, ir.Name) and t.value.id in ("self", "this") else None
                    if name is None:
                        continue
                    if stmt.value is not None and not _placeholder(stmt.value):  # `db = null`: set in a method
                        table[name] = stmt.value
                    if stmt.annotation is not None:
                        types.setdefault(name, stmt.annotation)  # `db: Db;`, `repo: git.Repo`
            elif isinstance(stmt, ir.FunctionDef):
                fn = stmt.function
                selfname = fn.params[0].name if fn.params and fn.params[0].kind == "self" else None
                if selfname:
                    declared = {p.name: p.annotation for p in fn.params if p.annotation is not None}
                    for s in walk_assigns(fn.body):
                        for t in s.targets:
                            if isinstance(t, ir.Attribute) and isinstance(t.value, ir.Name) and t.value.id == selfname:
                                table.setdefault(t.attr, s.value)
                                if isinstance(s.value, ir.Name) and s.value.id in declared:
                                    types.setdefault(t.attr, declared[s.value.id])  # this.db = db (db: Db)
        self._class_attrs[id(cls)] = table
        self._attr_types[id(cls)] = types
        return table

    def implementations(self, cls: ir.Class, name: str) -> list[ir.Function]:
        """Concrete methods ``name`` of the project classes that derive from ``cls`` (bounded)."""
        if self._subclasses is None:
            self._subclasses = {}
            for module in self.project.modules:
                for sub in module.classes:
                    for base in sub.bases:
                        head = base.id if isinstance(base, ir.Name) else None
                        sym = self.project.lookup(module, head) if head else None
                        if sym is not None and sym.kind == "class":
                            self._subclasses.setdefault(id(sym.cls), []).append(sub)
        out: list[ir.Function] = []
        stack, seen = [cls], set()
        while stack and len(out) < MAX_ALTERNATIVES:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            for sub in self._subclasses.get(id(current), ()):
                found = self._concrete_method(sub, name)
                if found is not None and found not in out:
                    out.append(found)
                stack.append(sub)
        return out

    def _concrete_method(self, cls: ir.Class, name: str, _depth: int = 0) -> ir.Function | None:
        """The first method ``name`` with a body in ``cls`` and its project bases, in base order."""
        for stmt in cls.body:
            if isinstance(stmt, ir.FunctionDef) and stmt.function.name == name and not is_stub(stmt.function):
                return stmt.function
        if _depth > 8 or cls.module is None:
            return None
        for base in cls.bases:
            sym = self.project.lookup(cls.module, base.id) if isinstance(base, ir.Name) else None
            if sym is not None and sym.kind == "class":
                found = self._concrete_method(sym.cls, name, _depth + 1)
                if found is not None:
                    return found
        return None

    def attr_type(self, cls: ir.Class, attr: str) -> ir.Expr | None:
        """The declared type of an attribute: a field declaration or the annotated constructor parameter it
        is assigned from (``constructor(private db: Db)``)."""
        self.class_attrs(cls)
        return self._attr_types.get(id(cls), {}).get(attr)

    def typed(self, module: ir.Module | None, annotation: ir.Expr | None, _depth: int = 0) -> Value | None:
        """What a declared type says a value is: an instance of a project class, or a library object by its
        qualified name (``git.Repo``, ``pathlib.Path``); None for builtins and anything unknown."""
        if annotation is None or module is None or _depth > 4:
            return None
        models = self.models_for(module)
        expr = annotation
        if isinstance(expr, ir.BinOp) and expr.op == "|":  # `Path | None`
            for side in (expr.left, expr.right):
                if not (isinstance(side, ir.Literal) and side.value is None):
                    return self.typed(module, side, _depth + 1)
            return None
        if isinstance(expr, ir.Subscript):  # Optional[X], Annotated[X, ...]
            head = context.Analysis(self, None, None, module=module).static(expr.value).qualname or ""
            if head.endswith(("Optional", "Annotated")):
                inner = expr.index.items[0] if isinstance(expr.index, ir.Container) and expr.index.items else expr.index
                return self.typed(module, inner, _depth + 1)
            return None
        v = context.Analysis(self, None, None, module=module).static(expr)
        if isinstance(v.ref, ir.Class):
            return Value(ref=Instance(v.ref))
        qual = v.qualname or ""
        if ("." in qual or "/" in qual) and qual not in models.context_types:
            return Value(qualname=qual)
        return None

    def parent_of(self, fn: ir.Function) -> ir.Function | None:
        module = fn.module
        if module is None:
            return None
        table = self._parents.get(id(module))
        if table is None:
            table = {}
            for outer in module.functions:
                for inner in nested_functions(outer.body):
                    table.setdefault(inner, outer)
            self._parents[id(module)] = table
        return table.get(fn)


def _placeholder(expr) -> bool:
    """``None``, ``null``, ``undefined``: a module variable declared now and set later."""
    return isinstance(expr, ir.Literal) and expr.value is None or isinstance(expr, ir.Name) and expr.id == "undefined"


def walk_assigns(body):
    for s in body:
        if isinstance(s, ir.Assign) and s.value is not None:
            yield s
        for sub in sub_bodies(s):
            yield from walk_assigns(sub)


def is_stub(fn: ir.Function) -> bool:
    """A declaration without a body: ``...``, ``pass``, a docstring, ``raise NotImplementedError``."""
    for s in fn.body:
        if isinstance(s, ir.ExprStmt) and (isinstance(s.value, ir.Literal) or isinstance(s.value, ir.Unknown)
                                           and not s.value.children):
            continue
        if isinstance(s, ir.Raise):
            continue
        return False
    return True
