"""The taint engine: per-function summaries computed over the IR, for every language.

Each function is analysed once with its parameters as symbolic origins. The result, a :class:`Summary`,
says which parameters (and which fields of them) reach which sinks, through which steps, under which
dispatch conditions (``if name == "run_command"``), and what the function returns. A call into a project
function instantiates the callee's summary with the caller's argument values, so flows compose across
functions and modules to any depth; a tool handler's summary, instantiated with its arguments as
sources, gives the findings (see :mod:`toolsink.entrypoints`).

The engine knows no library and no language: calls are matched against the model rows of
:mod:`toolsink.models` (sinks, sanitizers, guards, propagators, secondary sources), and an unknown library
call propagates taint from its receiver and arguments to its result.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field, replace

from . import ir
from .index import Project, dotted_name
from .models import CompiledModels
from .walk import expr_children, nested_functions, stmt_exprs, sub_bodies
from .values import (
    EMPTY, MAX_ALTERNATIVES, MAX_PATH, NOCONST, Alternatives, BoundMethod, Closure, Fact, Instance, Origin, Step, Value,
    all_facts, dedupe, join, only_facts, options_of,
)

MAX_FLOWS = 256
MAX_CALL_DEPTH = 300  # nested summaries (helpers calling helpers); beyond it the engine says where it stopped
_SEPARATORS = ("/", "\\")
_HOST_FIXED = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#{}]+[/?#]|^/(?!/)|^\?")


@dataclass(frozen=True, slots=True)
class SinkFlow:
    """A fact reaching a sink inside a function (possibly through callees)."""

    fact: Fact
    kind: str
    sink: str  # callee display name
    file: str
    span: ir.Span
    conds: tuple[tuple[int, tuple[str, ...], object], ...] = ()  # (param, path, literal) dispatch conditions
    ignore_props: frozenset = frozenset()
    argv: bool = False  # an argv list that is a parameter: its elements are checked where it is built
    program: str | None = None


@dataclass(frozen=True, slots=True)
class Effect:
    """A state-changing or outbound call reached by a function, tainted or not (for annotation checks)."""

    kind: str
    sink: str
    file: str
    span: ir.Span
    destructive: bool = False
    writes: bool = False


@dataclass(slots=True)
class Summary:
    function: ir.Function
    flows: list[SinkFlow] = field(default_factory=list)
    returns: Value = EMPTY
    effects: list[Effect] = field(default_factory=list)
    validates: dict = field(default_factory=dict)  # param index -> "all" | sink kind it makes safe, on every exit


class _Terminated(Exception):
    pass


Env = dict  # str -> Value


def key_of(expr: ir.Expr) -> str | None:
    """The environment key of an access path: ``a``, ``a.b``, ``a.b.c`` (``a["b"]`` is ``a.b``)."""
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Attribute):
        base = key_of(expr.value)
        return f"{base}.{expr.attr}" if base is not None else None
    if isinstance(expr, ir.Subscript) and isinstance(expr.index, ir.Literal) and isinstance(expr.index.value, (str, int)):
        base = key_of(expr.value)
        return f"{base}.{expr.index.value}" if base is not None else None
    return None


def _const_str(v: Value) -> str | None:
    return v.const if isinstance(v.const, str) else None


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
            result = _FunctionAnalysis(self, fn, closure, param_refs=param_refs).run()
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
            value = _FunctionAnalysis(self, None, None, module=sym.module).static(sym.expr)
            if sym.module is not None and name in self._mutated_at_top(sym.module):
                value = self._module_env(sym.module).get(name, value)
        self._module_values[key] = value
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
                env = _FunctionAnalysis(self, None, None, module=module).block(module.body, env) or env
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
                    if stmt.value is not None:
                        table[name] = stmt.value
                    if stmt.annotation is not None:
                        types.setdefault(name, stmt.annotation)  # `db: Db;`, `repo: git.Repo`
            elif isinstance(stmt, ir.FunctionDef):
                fn = stmt.function
                selfname = fn.params[0].name if fn.params and fn.params[0].kind == "self" else None
                if selfname:
                    declared = {p.name: p.annotation for p in fn.params if p.annotation is not None}
                    for s in _walk_assigns(fn.body):
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
            if isinstance(stmt, ir.FunctionDef) and stmt.function.name == name and not _is_stub(stmt.function):
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
            head = _FunctionAnalysis(self, None, None, module=module).static(expr.value).qualname or ""
            if head.endswith(("Optional", "Annotated")):
                inner = expr.index.items[0] if isinstance(expr.index, ir.Container) and expr.index.items else expr.index
                return self.typed(module, inner, _depth + 1)
            return None
        v = _FunctionAnalysis(self, None, None, module=module).static(expr)
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


def _walk_assigns(body):
    for s in body:
        if isinstance(s, ir.Assign) and s.value is not None:
            yield s
        for sub in sub_bodies(s):
            yield from _walk_assigns(sub)


class _FunctionAnalysis:
    """Abstract interpretation of one function body (or of a module-level expression, ``fn`` None)."""

    def __init__(self, engine: Engine, fn: ir.Function | None, closure: Env | None, module: ir.Module | None = None,
                 param_refs: dict | None = None, param_values: dict | None = None):
        self.engine = engine
        self.param_refs = param_refs or {}
        self.param_values = param_values  # a predicate run on a caller's values (not on symbolic origins)
        self.answer_exits: list | None = None
        self.fn = fn
        self.module = fn.module if fn is not None else module
        self.file = self.module.path if self.module is not None else ""
        self.models: CompiledModels = engine.models_for(self.module)
        self.closure = closure
        self.summary = Summary(fn) if fn is not None else None
        self.conds: list[tuple[int, tuple[str, ...], object]] = []
        self.returns: Value | None = None
        self._flow_keys: set = set()
        self.static_mode = fn is None
        self._predicate_depth = 0
        self.validated: dict[str, str] = {}  # parameter name -> what a guard on it established
        self.exit_envs: list[Env] = []

    # ---------------------------------------------------------------- entry

    def run(self) -> Summary:
        fn = self.fn
        env = self._entry_env()
        try:
            end = self.block(fn.body, env)
        except RecursionError:
            end = None
            self.engine._gave_up(fn, f"analysis of `{fn.qualname or fn.name}` stopped: the code nests too deeply; "
                                     "flows inside it may be missed")
        self.summary.returns = self.returns or EMPTY
        if self.validated:
            self.summary.validates = self._validated_on_exit(end)
        return self.summary

    def _entry_env(self) -> Env:
        fn = self.fn
        env: Env = {}
        for i, p in enumerate(fn.params):
            if self.param_values is not None:
                if p.kind == "self":
                    cls = fn.cls or self._enclosing_class()
                    env[p.name] = Value(ref=Instance(cls)) if cls is not None else EMPTY
                else:
                    env[p.name] = self.param_values.get(i, EMPTY)
                continue
            if p.kind == "self":
                cls = fn.cls or self._enclosing_class()
                env[p.name] = Value(ref=Instance(cls)) if cls is not None else EMPTY
                continue
            origin = Origin(fn, i, (), "param", p.name, self.file, p.span)
            typed = self.engine.typed(self.module, p.annotation) if p.annotation is not None else None
            env[p.name] = Value(facts=(Fact(origin),), ref=self.param_refs.get(i) or (typed.ref if typed else None),
                                qualname=typed.qualname if typed else None)
        return env

    def _validated_on_exit(self, end: Env | None) -> dict:
        """Parameters a guard checked on every path that returns normally (``validate_path(p)`` raises)."""
        exits = self.exit_envs + ([end] if end is not None else [])
        out = {}
        for i, p in enumerate(self.fn.params):
            what = self.validated.get(p.name)
            if what is None or not exits:
                continue
            ok = True
            for env in exits:
                facts = env.get(p.name, EMPTY).facts
                if what == "all" and facts or what != "all" and any(what not in f.safe for f in facts):
                    ok = False
                    break
            if ok:
                out[i] = what
        return out

    def static(self, expr: ir.Expr | None) -> Value:
        """Evaluate a module-level or class-level expression for what it denotes (no taint)."""
        if expr is None:
            return EMPTY
        try:
            return self.expr(expr, {})
        except RecursionError:
            return EMPTY

    def _enclosing_class(self) -> ir.Class | None:
        fn = self.fn
        for _ in range(8):
            parent = self.engine.parent_of(fn)
            if parent is None:
                return None
            if parent.cls is not None:
                return parent.cls
            fn = parent
        return None

    # ---------------------------------------------------------------- statements

    def block(self, stmts, env: Env) -> Env | None:
        """Run statements; returns the environment at the end, or None when every path left the block."""
        for s in stmts:
            env = self.stmt(s, env)
            if env is None:
                return None
        return env

    def stmt(self, s, env: Env) -> Env | None:
        t = type(s)
        if t is ir.Assign:
            value = self.expr(s.value, env) if s.value is not None else EMPTY
            if isinstance(s.value, _TEST_FORMS) and s.op is None:
                value = replace(value, cond=s.value)
            if s.op is not None and len(s.targets) == 1:
                old = self.expr(s.targets[0], env) if not isinstance(s.targets[0], (ir.TuplePattern, ir.ObjectPattern)) else EMPTY
                value = join(old, value)
                if s.op == "+" and value.facts:
                    value = replace(value, facts=tuple(f.then(self.step("appended to", s.span)) for f in value.facts))
            for target in s.targets:
                self.assign(target, value, env)
            return env
        if t is ir.ExprStmt:
            self.expr(s.value, env)
            return env
        if t is ir.Return:
            value = self.expr(s.value, env) if s.value is not None else EMPTY
            if self.validated:
                self.exit_envs.append(env)
            if self.answer_exits is not None:
                self.answer_exits.append((dict(env), s.value))
            self.returns = join(self.returns, value) if self.returns is not None else value
            return None
        if t is ir.Raise:
            if s.value is not None:
                self.expr(s.value, env)
            return None
        if t is ir.Jump:
            return None
        if t is ir.If:
            return self.if_stmt(s, env)
        if t is ir.Switch:
            return self.switch(s, env)
        if t is ir.Loop:
            return self.loop(s, env)
        if t is ir.With:
            for item in s.items:
                value = self.expr(item.context, env)
                if item.target is not None:
                    self.assign(item.target, value, env)
            return self.block(s.body, env)
        if t is ir.Try:
            return self.try_stmt(s, env)
        if t is ir.FunctionDef:
            env[s.function.name] = Value(ref=Closure(s.function, env))
            if not self.static_mode:
                self.engine.closure_envs[s.function] = env
            return env
        if t is ir.ClassDef:
            env[s.cls.name] = Value(ref=s.cls)
            return env
        if t is ir.Import:
            for name in s.names:
                if not s.reexport and self.module is not None:
                    sym = self.engine.project.follow_import(self.module, Project._import_key(s, name))
                    env[name.alias] = self._symbol_value(sym)
            return env
        if t is ir.Export:
            if s.value is not None:
                self.expr(s.value, env)
            return env
        return env

    def if_stmt(self, s: ir.If, env: Env) -> Env | None:
        self.expr(s.test, env)
        env_t = self.refine(dict(env), s.test, True)
        env_f = self.refine(dict(env), s.test, False)
        conds = self.dispatch_conds(s.test, env)
        self.conds.extend(conds)
        out_t = self.block(s.body, env_t)
        del self.conds[len(self.conds) - len(conds):]
        out_f = self.block(s.orelse, env_f) if s.orelse else env_f
        return _join_env(out_t, out_f)

    def switch(self, s: ir.Switch, env: Env) -> Env | None:
        subject = self.expr(s.subject, env)
        outs = []
        has_default = False
        for case in s.cases:
            case_env = dict(env)
            conds = []
            if case.tests:
                lits = [self.expr(t, env) for t in case.tests]
                key = key_of(s.subject)
                if key is not None and all(lit.const is not NOCONST for lit in lits):
                    case_env[key] = Value(const=lits[0].const)  # a value equal to a literal is that literal
                conds = self._conds_for(subject, lits[0].const) if lits and lits[0].const is not NOCONST else []
            else:
                has_default = True
            self.conds.extend(conds)
            outs.append(self.block(case.body, case_env))
            del self.conds[len(self.conds) - len(conds):]
        if not has_default:
            outs.append(env)
        result = None
        for o in outs:
            result = _join_env(result, o)
        return result

    def loop(self, s: ir.Loop, env: Env) -> Env | None:
        body_env = dict(env)
        if s.iter is not None:
            it = self.expr(s.iter, env)
            if s.target is not None:
                self.assign(s.target, self.element(it), body_env)
        if s.test is not None:
            self.expr(s.test, env)
            body_env = self.refine(body_env, s.test, True)
        out = self.block(s.body, body_env)
        if out is not None:  # a second pass lets values assigned late in the body reach uses early in it
            again = _join_env(dict(body_env), out)
            out2 = self.block(s.body, again)
            out = _join_env(out, out2)
        result = _join_env(env, out)
        if s.orelse:
            result = self.block(s.orelse, result) if result is not None else None
        return result

    def try_stmt(self, s: ir.Try, env: Env) -> Env | None:
        out = self.block(s.body, dict(env))
        if out is not None and s.orelse:
            out = self.block(s.orelse, out)
        results = [out]
        handler_env = _join_env(env, out) or env
        for h in s.handlers:
            henv = dict(handler_env)
            if h.name:
                henv[h.name] = EMPTY
            results.append(self.block(h.body, henv))
        result = None
        for r in results:
            result = _join_env(result, r)
        if s.finalbody:
            fin = self.block(s.finalbody, dict(result if result is not None else env))
            if result is not None:
                result = fin
        return result

    # ---------------------------------------------------------------- assignment

    def assign(self, target, value: Value, env: Env) -> None:
        t = type(target)
        if t is ir.Name:
            prefix = target.id + "."
            for k in [k for k in env if k.startswith(prefix)]:
                del env[k]
            env[target.id] = value
            return
        if t is ir.Attribute or t is ir.Subscript:
            key = key_of(target)
            base_expr = target.value
            base_key = key_of(base_expr)
            if key is not None:
                prefix = key + "."
                for k in [k for k in env if k.startswith(prefix)]:
                    del env[k]
                env[key] = value
                attr = key.rsplit(".", 1)[1]
                if base_key is not None and base_key in env:
                    base = env[base_key]
                    fields = tuple((k, v) for k, v in (base.fields or ()) if k != attr) + ((attr, value),)
                    env[base_key] = replace(base, fields=fields)
            elif base_key is not None:  # d[x] = v with a computed key: the container holds v
                base = env.get(base_key, EMPTY)
                env[base_key] = replace(base, facts=dedupe(base.facts + all_facts(value)))
            return
        if t is ir.TuplePattern:
            items = value.items
            star_seen = False
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ir.Starred):
                    star_seen = True
                    self.assign(elt.value, Value(facts=all_facts(value)), env)
                elif items is not None and not star_seen and i < len(items):
                    self.assign(elt, items[i], env)
                else:
                    self.assign(elt, self.element(value), env)
            return
        if t is ir.ObjectPattern:
            for prop in target.props:
                if prop.key is None:
                    self.assign(prop.target, value, env)
                    continue
                v = self.read_field(value, prop.key, target.span)
                if prop.default is not None:
                    v = join(v, self.expr(prop.default, env))
                self.assign(prop.target, v, env)
            return
        if t is ir.Starred:
            self.assign(target.value, value, env)

    def element(self, value: Value) -> Value:
        if value.items:
            out = None
            for it in value.items:
                out = join(out, it)
            return join(out, only_facts(value.facts))
        facts = all_facts(value)
        return Value(facts=facts, qualname=value.qualname and value.qualname + "[]") if facts or value.qualname else EMPTY

    # ---------------------------------------------------------------- expressions

    def step(self, message: str, span: ir.Span) -> Step:
        return Step(message, self.file, span)

    def expr(self, e, env: Env) -> Value:
        t = type(e)
        if t is ir.Name:
            return self.name(e, env)
        if t is ir.Literal:
            v = e.value
            if isinstance(v, str):
                lit = self.models.literal_re
                if lit is not None and lit.search(v):
                    return Value(const=v, ends_sep=v.endswith(_SEPARATORS), facts=self.literal_facts(v, e.span))
                return Value(const=v, ends_sep=v.endswith(_SEPARATORS))
            return Value(const=v)
        if t is ir.Attribute:
            key = key_of(e)
            if key is not None and key in env:
                return env[key]
            return self.read_field(self.expr(e.value, env), e.attr, e.span)
        if t is ir.Call:
            return self.call(e, env)
        if t is ir.StrBuild:
            return self.strbuild(e, env)
        if t is ir.Subscript:
            key = key_of(e)
            if key is not None and key in env:
                return env[key]
            base = self.expr(e.value, env)
            index = self.expr(e.index, env)
            if index.const is not NOCONST and isinstance(index.const, (str, int)) and not isinstance(index.const, bool):
                if isinstance(index.const, int) and base.items is not None:
                    return base.items[index.const] if -len(base.items) <= index.const < len(base.items) else EMPTY
                return self.read_field(base, str(index.const), e.span)
            picked = self.pick(base, index) if base.fields or base.items else None
            if picked is not None:
                return picked
            return self.element(base) if base.facts or base.items or base.fields else Value(
                qualname=base.qualname and base.qualname + "[]")
        if t is ir.Await:
            return self.expr(e.value, env)
        if t is ir.Container:
            return self.container(e, env)
        if t is ir.BinOp:
            left = self.expr(e.left, env)
            right = self.expr(e.right, env)
            facts = dedupe(all_facts(left) + all_facts(right))
            if e.op == "/" and left.qualname:  # pathlib joins keep the path type
                facts = tuple(replace(f, props=frozenset()) for f in facts)
                return Value(facts=facts, qualname=left.qualname)
            if e.op == "+" and left.items is not None:  # ["kubectl", "get"] + shlex.split(args)
                extra = right.items if right.items is not None else (Value(facts=all_facts(right)),)
                return Value(items=left.items + tuple(extra))
            if e.op == "+":
                ls, rs = _const_str(left), _const_str(right)
                if facts:
                    step = self.step("concatenation", e.span)  # a value built from the argument, not the argument
                    facts = tuple(f.then(step) for f in facts)
                return Value(facts=facts, const=ls + rs if ls is not None and rs is not None else NOCONST,
                             ends_sep=right.ends_sep or (right.qualname or "").endswith(".sep"))
            return only_facts(facts)
        if t is ir.BoolOp:
            out = None
            for v in e.values:
                out = join(out, self.expr(v, env))
            return out if e.op != "and" else only_facts(out.facts) if out else EMPTY
        if t is ir.Conditional:
            self.expr(e.test, env)
            return join(self.expr(e.body, self.refine(dict(env), e.test, True)),
                        self.expr(e.orelse, self.refine(dict(env), e.test, False)))
        if t is ir.Compare:
            self.expr(e.left, env)
            for c in e.comparators:
                self.expr(c, env)
            return EMPTY
        if t is ir.UnaryOp:
            v = self.expr(e.operand, env)
            return EMPTY if e.op in ("not", "typeof", "-", "+", "~", "void", "delete") else v
        if t is ir.FunctionRef:
            if not self.static_mode:
                self.engine.closure_envs[e.function] = env
            return Value(ref=Closure(e.function, env))
        if t is ir.Starred:
            return self.expr(e.value, env)
        if t is ir.Comprehension:
            inner = dict(env)
            for target, it in e.generators:
                self.assign(target, self.element(self.expr(it, inner)), inner)
            for c in e.conditions:
                inner = self.refine(inner, c, True)
            el = self.expr(e.element, inner)
            return only_facts(all_facts(el))
        if t is ir.Unknown:
            facts: tuple = ()
            for c in e.children:
                facts += all_facts(self.expr(c, env))
            return only_facts(dedupe(facts))
        return EMPTY

    def literal_facts(self, text: str, span: ir.Span) -> tuple[Fact, ...]:
        """A constant that is a source by its text (a hardcoded absolute path)."""
        for pattern, row in self.models.literal_sources:
            if pattern.search(text):
                shown = text if len(text) <= 60 else text[:57] + "..."
                origin = Origin(None, -1, (), row["kind"], row["label"].format(value=shown), self.file, span)
                return (Fact(origin),)
        return ()

    def name(self, e: ir.Name, env: Env) -> Value:
        v = env.get(e.id)
        if v is not None:
            return v
        if self.closure is not None and e.id in self.closure:
            return self.closure[e.id]
        if self.module is not None:
            mv = self.engine.module_value(self.module, e.id)
            if mv is not None:
                return mv
        if e.id in ("self", "this") and self.fn is not None:
            fn = self.fn
            if fn.cls is not None and fn.is_method and not any(p.kind == "self" for p in fn.params):
                return Value(ref=fn.cls)  # `this` in a static method is the class
            cls = self._enclosing_class()
            if cls is not None:
                return Value(ref=Instance(cls))
        return Value(qualname=e.id)  # a builtin or global: `open`, `eval`, `fetch`

    def _symbol_value(self, sym) -> Value:
        if sym is None:
            return EMPTY
        if sym.kind == "function":
            return Value(ref=sym.function)
        if sym.kind == "class":
            return Value(ref=sym.cls)
        if sym.kind == "module":
            return Value(ref=sym.module)
        if sym.kind == "external":
            return Value(qualname=sym.qualname)
        return _FunctionAnalysis(self.engine, None, None, module=sym.module).static(sym.expr)

    def read_field(self, base: Value, attr: str, span: ir.Span) -> Value:
        known = base.field(attr)
        if known is not None:
            return known
        ref = base.ref
        if isinstance(ref, Alternatives):
            return self._read_alternatives(base, ref, attr, span)
        if isinstance(ref, ir.Module):
            mv = self.engine.module_value(ref, attr)
            if mv is not None:
                return mv
        elif isinstance(ref, Instance):
            method = self.engine.project.method(ref.cls, attr)
            if method is None or _is_stub(method):
                # a mixin calls a method its sibling defines (`self.upload` declared by a Protocol stub):
                # the concrete methods of the classes built on this one
                impls = [m for m in self.engine.implementations(ref.cls, attr) if m is not method]
                if impls:
                    options = tuple(BoundMethod(m, base) for m in impls)
                    return Value(ref=options[0] if len(options) == 1 else Alternatives(options))
            if method is not None:
                return Value(ref=BoundMethod(method, base))
            expr = self.engine.class_attrs(ref.cls).get(attr)
            declared = self.engine.attr_type(ref.cls, attr)
            if declared is not None and (expr is None or isinstance(expr, ir.Name)) and not base.facts:
                typed = self.engine.typed(ref.cls.module, declared)  # constructor(private db: Db)
                if typed is not None:
                    return typed
            if expr is not None and ref.cls.module is not None and not base.facts:
                return _FunctionAnalysis(self.engine, None, None, module=ref.cls.module).static(expr)
        elif isinstance(ref, ir.Class):
            method = self.engine.project.method(ref, attr)
            if method is not None:
                return Value(ref=method)
            expr = self.engine.class_attrs(ref).get(attr)  # Kind.LOG, a class constant
            if expr is not None and ref.module is not None:
                return _FunctionAnalysis(self.engine, None, None, module=ref.module).static(expr)
        facts = base.facts
        if facts:
            facts = tuple(
                replace(f, origin=replace(f.origin, path=f.origin.path + (attr,)))
                if not f.steps and len(f.origin.path) < MAX_PATH and f.origin.owner is not None else f
                for f in facts
            )
        qual = f"{base.qualname}.{attr}" if base.qualname else None
        if not facts and qual is None:
            return EMPTY
        return Value(facts=facts, qualname=qual, derived=base.derived)  # urlsplit(u).hostname still speaks of u

    def _read_alternatives(self, base: Value, alts: Alternatives, attr: str, span: ir.Span) -> Value:
        """``tool.execute`` where ``tool`` is one of several objects: the attribute of each."""
        refs, conds, facts = [], [], []
        for i, option in enumerate(alts.options):
            v = self.read_field(replace(base, ref=option), attr, span)
            facts.extend(v.facts)
            if v.ref is not None:
                refs.append(v.ref)
                conds.append(alts.conds[i] if alts.conds else ())
        if not refs:
            return only_facts(dedupe(facts))
        if len(refs) == 1 and not any(conds):
            return Value(facts=dedupe(facts), ref=refs[0])
        return Value(facts=dedupe(facts), ref=Alternatives(tuple(refs), tuple(conds) if any(conds) else (), alts.owner))

    def _keyed_options(self, e: ir.Call, row: dict, stored: Value) -> dict | None:
        """``registry.set(t.name, t)`` where ``t`` is one of several objects: the key of each object."""
        if "key" not in row or row["key"] >= len(e.args) or not isinstance(stored.ref, Alternatives):
            return None
        key_expr, obj_expr = e.args[row["key"]], e.args[row["stores"]]
        if not (isinstance(key_expr, ir.Attribute) and key_of(key_expr.value) is not None
                and key_of(key_expr.value) == key_of(obj_expr)):
            return None
        out = {}
        for option in stored.ref.options:
            name = self.read_field(Value(ref=option), key_expr.attr, key_expr.span).const
            if not isinstance(name, str):
                return None
            out[name] = Value(ref=option)
        return out

    def pick(self, base: Value, index: Value) -> Value | None:
        """A read with a computed key from a registry (``TOOLS[name]``, ``handlers.get(name)``): every entry
        that is a function, class or object is an alternative, chosen when the key equals its name."""
        options, conds = [], []
        for key, v in base.fields or ():
            for option in options_of(v.ref):
                if len(options) < MAX_ALTERNATIVES:
                    options.append(option)
                    conds.append(tuple(self._conds_for(index, key)))
        for v in base.items or ():
            for option in options_of(v.ref):
                if len(options) < MAX_ALTERNATIVES and option not in options:
                    options.append(option)
                    conds.append(())
        if not options:
            return None
        facts = all_facts(replace(base, fields=tuple((k, replace(v, ref=None)) for k, v in base.fields or ()) or None))
        return Value(facts=facts, ref=Alternatives(tuple(options), tuple(conds) if any(conds) else (), self.fn))

    def container(self, e: ir.Container, env: Env) -> Value:
        if e.kind == "dict":
            fields, facts = [], []
            for k, v in e.entries:
                val = self.expr(v, env)
                if k is None:
                    fields.extend(val.fields or ())
                    facts.extend(all_facts(val) if not val.fields else val.facts)
                    continue
                key = self.expr(k, env)
                if isinstance(key.const, (str, int)) and not isinstance(key.const, bool):
                    fields.append((str(key.const), val))
                else:
                    facts.extend(all_facts(val))
                    facts.extend(key.facts)
            return Value(facts=dedupe(facts), fields=tuple(fields))
        items = []
        extra: list[Fact] = []
        for it in e.items:
            if isinstance(it, ir.Starred):
                v = self.expr(it.value, env)
                if v.items is not None:
                    items.extend(v.items)
                else:
                    items.append(Value(facts=all_facts(v)))
                    extra.extend(all_facts(v))
            else:
                items.append(self.expr(it, env))
        return Value(items=tuple(items))

    def strbuild(self, e: ir.StrBuild, env: Env) -> Value:
        prefix = ""
        prefix_known = True
        facts: list[Fact] = []
        consts: list[str] | None = []
        last = EMPTY
        step = self.step(e.how, e.span)
        for part in e.parts:
            v = self.expr(part, env)
            last = v
            pf = all_facts(v)
            if pf:
                host_fixed = prefix_known and bool(_HOST_FIXED.match(prefix)) if prefix else False
                # `--name=${x}`, `-n${x}`: the element starts with a literal, so it is never an option of its own
                no_dash = frozenset({"argument"}) if prefix_known and prefix else frozenset()
                for f in pf:
                    props = frozenset({"host-fixed"}) if host_fixed or "host-fixed" in f.props else frozenset()
                    facts.append(replace(f, props=props, safe=f.safe | no_dash).then(step))
            s = _const_str(v)
            if s is not None:
                if prefix_known:
                    prefix += s
                if consts is not None:
                    consts.append(s)
            else:
                consts = None
                if prefix:
                    prefix += "\x00"  # unknown middle: later literals no longer start the string
                else:
                    prefix_known = False
        ends_sep = last.ends_sep or (last.qualname or "").endswith(".sep")
        const = "".join(consts) if consts is not None else NOCONST
        return Value(facts=dedupe(facts), const=const, ends_sep=ends_sep)

    # ---------------------------------------------------------------- calls

    def call(self, e: ir.Call, env: Env) -> Value:
        func = e.func
        receiver = None
        if isinstance(func, ir.Attribute) and key_of(func) not in env:
            # the receiver is evaluated once, for the callee and for the library call: chains such as
            # `s.strip().strip()...` stay linear
            receiver = self.expr(func.value, env)
            fv = self.read_field(receiver, func.attr, func.span)
        else:
            fv = self.expr(func, env)
        args, kwargs = self.arguments(e, env)
        ref = fv.ref
        if isinstance(ref, Alternatives):  # every option is called; each under its own dispatch conditions
            out = None
            for i, option in enumerate(ref.options):
                conds = ref.conds_for(i, self.fn)
                self.conds.extend(conds)
                try:
                    out = join(out, self.call_ref(option, replace(fv, ref=option), args, kwargs, e, env, receiver))
                finally:
                    del self.conds[len(self.conds) - len(conds):]
            return out if out is not None else EMPTY
        return self.call_ref(ref, fv, args, kwargs, e, env, receiver)

    def arguments(self, e: ir.Call, env: Env) -> tuple[list[Value], dict[str, Value]]:
        """Positional and keyword argument values; ``*items`` with known items and ``**fields`` with known
        keys are spread (``save(key, **changes)``); a ``**mapping`` of unknown keys is kept under ``**``."""
        args: list[Value] = []
        kwargs: dict[str, Value] = {}
        for a in e.args:
            if isinstance(a, ir.Starred) and getattr(a, "double", False):
                v = self.expr(a.value, env)
                if v.fields:
                    kwargs.update(v.fields)
                if v.facts or not v.fields:
                    kwargs["**"] = join(kwargs.get("**"), only_facts(all_facts(v)) if v.fields else v)
                continue
            v = self.expr(a, env)
            if isinstance(a, ir.Starred) and v.items is not None:
                args.extend(v.items)
            else:
                args.append(v)
        for k in e.keywords:
            kwargs[k.name] = self.expr(k.value, env)
        return args, kwargs

    def call_ref(self, ref, fv: Value, args, kwargs, e: ir.Call, env: Env, receiver: Value | None = None) -> Value:
        if isinstance(ref, ir.Function):
            result = self.apply(ref, None, args, kwargs, e, None)
            self.apply_validation(ref, e, env, False)
            return result
        if isinstance(ref, BoundMethod):
            result = self.apply(ref.function, ref.receiver, args, kwargs, e, None)
            self.apply_validation(ref.function, e, env, True)
            return result
        if isinstance(ref, Closure):
            return self.apply(ref.function, None, args, kwargs, e, ref.env)
        if isinstance(ref, ir.Class):
            init = self.engine.project.method(ref, "__init__") or self.engine.project.method(ref, "constructor")
            # a data object (pydantic model, dataclass) holds what it was built from: Fetch(**arguments).url
            facts = dedupe([f for a in args + ([kwargs["**"]] if "**" in kwargs else []) for f in all_facts(a)])
            fields = tuple((k, v) for k, v in kwargs.items() if k != "**")
            inst = Value(ref=Instance(ref), facts=facts, fields=fields or None)
            if init is not None:
                self.apply(init, inst, args, kwargs, e, None)
            return inst
        return self.library_call(e, fv, args, kwargs, env, receiver)

    @staticmethod
    def callee_name(e: ir.Call, fv: Value) -> tuple[str, str | None]:
        """(qualified or dotted name, method name)."""
        func = e.func
        method = func.attr if isinstance(func, ir.Attribute) else None
        name = fv.qualname or dotted_name(func) or (f"<expr>.{method}" if method else "<call>")
        return name, method

    def library_call(self, e: ir.Call, fv: Value, args: list[Value], kwargs: dict[str, Value], env: Env,
                     receiver: Value | None = None) -> Value:
        models = self.models
        name, method = self.callee_name(e, fv)
        qual = fv.qualname
        if receiver is None and isinstance(e.func, ir.Attribute):
            receiver = self.expr(e.func.value, env)
        recv_qual = receiver.qualname if receiver is not None else None
        # callbacks handed to a library (asyncio.to_thread(fn, x), arr.map(x => ...)) run with its data
        for i, a in enumerate(args):
            if isinstance(a.ref, (ir.Function, Closure, BoundMethod)):
                rest = args[i + 1:] or ([receiver] if receiver is not None and receiver.facts else [])
                target = a.ref
                fn = target.function if isinstance(target, (Closure, BoundMethod)) else target
                recv = target.receiver if isinstance(target, BoundMethod) else None
                cl = target.env if isinstance(target, Closure) else None
                self.apply(fn, recv, [self.element(r) if r is receiver else r for r in rest], kwargs, e, cl)
        if not self.static_mode:
            for row in models.sinks.match(qual, method, recv_qual):
                self.check_sink(row, e, name, args, kwargs, receiver)
        for row in models.sanitizers.match(qual, method, recv_qual):
            if "when" in row and not all(self._condition(c, e, args, kwargs) for c in row["when"]):
                continue
            # what is sanitised: the arguments (shlex.quote(x)), or the receiver of a method (p.resolve())
            facts = dedupe([f for a in args for f in all_facts(a)]) or (
                all_facts(receiver) if receiver is not None else ())
            sanitizes = row.get("sanitizes")
            if sanitizes == "all":
                return Value(qualname=name)
            marks = frozenset(row.get("marks", ()))
            kinds = frozenset(sanitizes or ())
            step = self.step(f"`{name}()`", e.span)
            facts = tuple(replace(f, safe=f.safe | kinds, props=f.props | marks).then(step) for f in facts)
            derived = None
            if "derives" in row and row["derives"] < len(e.args):
                derived = key_of(e.args[row["derives"]])
            if not kinds and receiver is not None and receiver.qualname and method:
                name = receiver.qualname  # p.resolve() is still a path of the same type
            return Value(facts=facts, qualname=name, derived=derived)
        for row in models.propagators.match(qual, method, recv_qual):
            returns = row.get("returns")
            if returns == "alias-of-arg0":
                return args[0] if args else EMPTY
            if "wraps_as" in row and args:
                return Value(fields=((row["wraps_as"], args[0]),), qualname=name)
            if returns == "nothing":
                return EMPTY
            if returns == "instance":  # sqlite3.connect(path): a connection, not the path's text
                return Value(qualname=name)
            if returns == "receiver" and receiver is not None:
                key = key_of(e.func.value)
                added = tuple(f for a in args for f in all_facts(a))
                stored = args[row["stores"]] if "stores" in row and row["stores"] < len(args) else None
                if key is not None and stored is not None and stored.ref is not None:
                    # registry.set(name, tool), tools.append(tool): the container holds the object itself
                    kv = args[row["key"]].const if "key" in row and row["key"] < len(args) else NOCONST
                    current = env.get(key, receiver)
                    named = self._keyed_options(e, row, stored) if not isinstance(kv, str) else None
                    if isinstance(kv, str):
                        fields = tuple((k, v) for k, v in current.fields or () if k != kv) + ((kv, stored),)
                        current = replace(current, fields=fields)
                    elif named:  # for (const t of tools) map.set(t.name, t): each tool under its own name
                        fields = tuple((k, v) for k, v in current.fields or () if k not in named)
                        current = replace(current, fields=fields + tuple(named.items()))
                    elif len(current.items or ()) < MAX_ALTERNATIVES:
                        current = replace(current, items=(current.items or ()) + (replace(stored, facts=()),))
                    env[key] = current
                if key is not None and added:
                    current = env.get(key, receiver)
                    env[key] = replace(current, facts=dedupe(current.facts + added))
                return env.get(key, receiver) if key else receiver
            if returns == "field" and receiver is not None and args and (
                    receiver.facts or receiver.fields or receiver.items or not receiver.qualname):  # data, not a library object
                if isinstance(args[0].const, str):
                    v = self.read_field(receiver, args[0].const, e.span)
                    return join(v, args[1]) if len(args) > 1 else v
                picked = self.pick(receiver, args[0])
                if picked is not None:
                    return picked
            if row.get("keeps_props"):
                facts = dedupe([f for a in ([receiver] if receiver is not None else []) + args + list(kwargs.values())
                                for f in all_facts(a)])
                return Value(facts=facts, qualname=name, ends_sep=bool(args) and args[0].ends_sep)
        facts: list[Fact] = []
        if receiver is not None:
            facts.extend(all_facts(receiver))
        for a in args:
            facts.extend(all_facts(a))
        for a in kwargs.values():
            facts.extend(all_facts(a))
        source_rows = models.sources.match(qual, method, recv_qual) if not self.static_mode else ()
        if facts:
            # what a remote source returns (a response) is no longer the argument that went into the request
            step = self.step(f"response of `{name}()`" if source_rows else f"`{name}()`", e.span)
            facts = [replace(f, props=frozenset()).then(step) for f in facts]
        if source_rows:
            for row in source_rows:
                origin = Origin(None, -1, (), row["kind"], row["label"].format(callee=name), self.file, e.span)
                facts.append(Fact(origin))
        return Value(facts=dedupe(facts), qualname=name)

    # ---------------------------------------------------------------- sinks

    def _arg(self, row_arg: int, args, kwargs, name: str | None = None) -> Value | None:
        if row_arg < len(args):
            return args[row_arg]
        return kwargs.get(name) if name else None

    def _condition(self, cond: dict, e: ir.Call, args, kwargs) -> bool:
        if "any_arg" in cond:  # min(x, 20): a number whatever x is (or an error)
            return any(isinstance(a.const, (int, float)) and not isinstance(a.const, bool) for a in args)
        if "literal_in" in cond:  # name.replace(/]/g, "]]"): the written literal (or regex literal's pattern)
            i = cond.get("arg", 0)
            return i < len(e.args) and _literal_text(e.args[i]) in cond["literal_in"]
        v = None
        if "kwarg" in cond:
            v = kwargs.get(cond["kwarg"])
        elif "arg" in cond:
            v = args[cond["arg"]] if cond["arg"] < len(args) else None
        if v is not None and "property" in cond:
            v = v.field(cond["property"])
        if "present" in cond:
            return (v is not None) == cond["present"]
        if v is None:
            return False
        if "truthy" in cond:
            if v.const is NOCONST:
                return cond["truthy"] and bool(v.facts or v.qualname)  # unknown: truthy only if dynamic
            return bool(v.const) == cond["truthy"]
        if "equals" in cond:
            return v.const == cond["equals"]
        if "in" in cond:
            return v.const in cond["in"]
        if "contains" in cond:
            return any(item.const == cond["contains"] for item in (v.items or ()))
        if "qualname_in" in cond:
            return bool(v.qualname) and any(fnmatch.fnmatchcase(v.qualname, q) for q in cond["qualname_in"])
        return True

    def check_sink(self, row: dict, e: ir.Call, name: str, args, kwargs, receiver) -> None:
        if any(not self._condition(c, e, args, kwargs) for c in row.get("when", ())):
            return
        if any(self._condition(c, e, args, kwargs) for c in row.get("unless", ())):
            return
        kind = row["kind"]
        if (row.get("writes") or kind in ("shell-command", "program", "url", "code")) and len(self.summary.effects) < 64:
            destructive = bool(row.get("destructive")) or kind == "shell-command"
            self.summary.effects.append(Effect(kind, name, self.file, e.span, destructive, bool(row.get("writes"))))
        values: list[Value] = []
        kwnames = row.get("kwargs", ())
        positions = row.get("args", ())
        for i in positions:
            if i < len(args):
                if kind == "argument" and len(positions) > 1 and args[i].const == "--":
                    break  # os.execl(prog, prog, "--", x), repo.git.diff("--", x): the rest are operands
                values.append(args[i])
        for k in kwnames:
            if k in kwargs:
                values.append(kwargs[k])
        if row.get("receiver_is_sink") and receiver is not None:
            values.append(receiver)
        prop = row.get("property")
        if prop:
            values = [v.field(prop) for v in values if v.field(prop) is not None]
        ignore = frozenset(row.get("ignore_props", ()))
        program = args[0].const if kind == "argument" and args and isinstance(args[0].const, str) else None
        for v in values:
            if kind == "argv" or kind == "argument":
                self.check_argv(v, kind, name, e, ignore, program)
            else:
                self.hit(all_facts(v), kind, name, e, ignore)

    def check_argv(self, v: Value, kind: str, name: str, e: ir.Call, ignore, program=None) -> None:
        if v.items is None and kind == "argument":
            # a list handed in by the caller (`run(cmd, args)` wrapping execFile): its positions are known
            # only at the call site, so flows from an untouched parameter are checked there (see apply)
            deferred = tuple(f for f in all_facts(v) if f.origin.owner is self.fn and not f.steps)
            for f in deferred:
                if "argument" not in f.safe:
                    self.add_flow(SinkFlow(f, "argument", name, self.file, e.span, tuple(self.conds), ignore,
                                           argv=True, program=program))
            rest = tuple(f for f in all_facts(v) if f not in deferred)
            self.hit(_not_absolute(rest), "argument", name, e, ignore)
            return
        for facts, which in self.argv_hits(v, kind, program):
            self.hit(facts, which, name, e, ignore)

    def argv_hits(self, v: Value, kind: str, program=None) -> list[tuple[tuple, str]]:
        """The facts of an argv list that reach the program or can act as an option: not after ``--``, not
        the value of an option that takes one (``--path <v>``, ``-C <v>``; see ``rules/models/programs.yml``),
        not an absolute path (it starts with ``/``), not a string that starts with a literal."""
        if v.items is None:
            return [(all_facts(v), "program")] if kind == "argv" else [(_not_absolute(all_facts(v)), "argument")]
        out: list[tuple[tuple, str]] = []
        items = v.items
        if kind == "argv" and items:
            out.append((all_facts(items[0]), "program"))
            program = items[0].const if isinstance(items[0].const, str) else None
            items = items[1:]
        base = program.replace("\\", "/").rsplit("/", 1)[-1] if isinstance(program, str) else None
        takes_value, flags = self.models.options.get(base, (frozenset(), frozenset())) if base else ((), ())
        after_dashdash = expects_value = False
        for item in items:
            c = item.const
            if expects_value:
                expects_value = False
                continue
            if c == "--":
                after_dashdash = True
                continue
            if after_dashdash:
                continue
            if isinstance(c, str) and c.startswith("-") and len(c) > 1:
                expects_value = "=" not in c and (c in takes_value or c.startswith("--") and c not in flags)
                continue
            out.append((_not_absolute(all_facts(item)), "argument"))
        if v.facts and not after_dashdash:  # elements appended later (cmd.extend(args), cmd.push(x))
            out.append((_not_absolute(v.facts), "argument"))
        return out

    def hit(self, facts, kind: str, name: str, e: ir.Call, ignore) -> None:
        for f in facts:
            if kind in f.safe or (ignore and ignore & f.props):
                continue
            self.add_flow(SinkFlow(f, kind, name, self.file, e.span, tuple(self.conds), ignore))

    def add_flow(self, flow: SinkFlow) -> None:
        key = (flow.fact.origin, flow.kind, flow.file, flow.span, flow.conds, flow.fact.notes)
        if key in self._flow_keys or len(self.summary.flows) >= MAX_FLOWS:
            return
        self._flow_keys.add(key)
        self.summary.flows.append(flow)

    # ---------------------------------------------------------------- project calls

    def apply(self, fn: ir.Function, receiver: Value | None, args, kwargs, e: ir.Call, closure: Env | None) -> Value:
        if self.static_mode:
            return Value()
        nested_closure = closure if closure is not None and self.engine.parent_of(fn) is not None else None
        bound = self.bind(fn, receiver, args, kwargs)
        # a function handed to a project function (`with_retry(lambda: ...)`, `tryCatch(async () => ...)`):
        # the callee is analysed with it, so what the callee does with the callback is seen
        callbacks = {i: v.ref for i, v in bound.items() if isinstance(v.ref, _CALLABLE)}
        summary = self.engine.summary(fn, nested_closure, callbacks)
        call_step = self.step(f"passed to `{fn.name}()`", e.span)
        for flow in summary.flows:
            if flow.argv and self._argv_at_call(flow, fn, bound, call_step):
                continue
            for fact in self.instantiate(flow.fact, fn, bound, call_step):
                if flow.kind in fact.safe or (flow.ignore_props & fact.props):
                    continue
                conds = self.map_conds(flow.conds, fn, bound) + tuple(self.conds)
                self.add_flow(SinkFlow(fact, flow.kind, flow.sink, flow.file, flow.span, conds, flow.ignore_props))
        self.summary.effects.extend(ef for ef in summary.effects if len(self.summary.effects) < 64)
        ret = summary.returns
        if not ret.facts and not ret.fields and not ret.items:
            return ret
        ret_step = self.step(f"returned from `{fn.name}()`", e.span)

        def inst(v: Value, depth: int = 0) -> Value:
            facts: list[Fact] = []
            for f in (v.facts if depth < 2 and (v.items or v.fields) else all_facts(v)):
                facts.extend(x.then(ret_step) for x in self.instantiate(f, fn, bound, call_step))
            items = tuple(inst(i, depth + 1) for i in v.items) if v.items and depth < 2 else None
            fields = tuple((k, inst(x, depth + 1)) for k, x in v.fields) if v.fields and depth < 2 else None
            return Value(facts=dedupe(facts), qualname=v.qualname, ref=v.ref, const=v.const, items=items,
                         fields=fields)

        result = inst(ret)  # `return path, content.strip()` keeps each element's own taint
        derived = self._derived_argument(fn, ret, e)
        return replace(result, derived=derived) if derived is not None else result

    def _derived_argument(self, fn: ir.Function, ret: Value, e: ir.Call) -> str | None:
        """``tidy = squash(real)``: a project function whose result comes from one parameter only returns a
        value derived from that argument (a check on ``tidy`` may speak of ``real``, see :meth:`apply_effect`)."""
        facts = all_facts(ret)
        if not facts or any(f.origin.owner is not fn for f in facts) or len({f.origin.param for f in facts}) != 1:
            return None
        index = facts[0].origin.param
        params = [i for i, p in enumerate(fn.params) if p.kind != "self"]
        if index in params and params.index(index) < len(e.args):
            return key_of(e.args[params.index(index)])
        return None

    def _argv_at_call(self, flow: SinkFlow, fn: ir.Function, bound: dict, call_step: Step) -> bool:
        """A callee's argv parameter reached its sink: check the list the caller built, element by element."""
        origin = flow.fact.origin
        value = bound.get(origin.param) if origin.owner is fn else None
        for key in origin.path if value is not None else ():
            value = value.field(key)
            if value is None:
                return False
        if value is None or value.items is None:
            return False
        conds = self.map_conds(flow.conds, fn, bound) + tuple(self.conds)
        for facts, kind in self.argv_hits(value, "argument", flow.program):
            for f in facts:
                if kind not in f.safe and not (flow.ignore_props & f.props):
                    self.add_flow(SinkFlow(f.then(call_step), kind, flow.sink, flow.file, flow.span, conds,
                                           flow.ignore_props))
        return True

    def bind(self, fn: ir.Function, receiver: Value | None, args, kwargs) -> dict[int, Value]:
        bound: dict[int, Value] = {}
        positional = list(args)
        pi = 0
        for i, p in enumerate(fn.params):
            if p.kind == "self":
                bound[i] = receiver if receiver is not None else (positional.pop(0) if positional and receiver is None
                                                                  and fn.cls is None else EMPTY)
                continue
            if p.kind == "vararg":
                rest = positional[pi:]
                pi = len(positional)
                facts = tuple(f for v in rest for f in all_facts(v))
                bound[i] = Value(facts=dedupe(facts), items=tuple(rest))
                continue
            if p.kind == "kwarg":
                used = {q.name for q in fn.params}
                extra = {k: v for k, v in kwargs.items() if k not in used and k != "**"}
                spread = kwargs.get("**")
                bound[i] = Value(fields=tuple(extra.items()), facts=spread.facts if spread is not None else ())
                continue
            if p.name in kwargs:
                bound[i] = kwargs[p.name]
            elif p.kind != "kwonly" and pi < len(positional):
                bound[i] = positional[pi]
                pi += 1
            elif "**" in kwargs:  # f(**options): any parameter may come from the mapping
                bound[i] = kwargs["**"]
        return bound

    def instantiate(self, fact: Fact, fn: ir.Function, bound: dict[int, Value], call_step: Step):
        origin = fact.origin
        if origin.owner is not fn:
            return (fact,)
        value = bound.get(origin.param)
        if value is None:
            return ()
        consumed = 0  # path keys answered by known fields of the argument ({"command": command})
        for key in origin.path:
            sub = value.field(key)
            if sub is None:
                break
            value = sub
            consumed += 1
        rest = origin.path[consumed:]
        out = []
        for af in all_facts(value):
            path = af.origin.path
            if af.origin.owner is not None and not af.steps and rest:
                path = (path + rest)[:MAX_PATH]
            new_origin = replace(af.origin, path=path) if path != af.origin.path else af.origin
            steps = af.steps + (call_step,) + fact.steps
            if len(steps) > 14:
                steps = steps[:7] + steps[-7:]
            out.append(Fact(new_origin, steps, af.safe | fact.safe, fact.props | (af.props if not fact.steps else frozenset()),
                            af.notes + fact.notes))
        return out

    def map_conds(self, conds, fn: ir.Function, bound: dict[int, Value]):
        out = []
        for param, path, lit in conds:
            value = bound.get(param)
            if value is None:
                continue
            for f in value.facts:
                if f.origin.owner is not None and not f.steps:
                    out.append((f.origin.param, (f.origin.path + path)[:MAX_PATH], lit))
                    break
        return tuple(out)

    # ---------------------------------------------------------------- guards and dispatch

    def _conds_for(self, subject: Value, literal) -> list:
        for f in subject.facts:
            if f.origin.owner is self.fn and not f.steps:
                return [(f.origin.param, f.origin.path, literal)]
        for origin in subject.validated:
            if origin.owner is self.fn:
                return [(origin.param, origin.path, literal)]
        return []

    def dispatch_conds(self, test, env: Env) -> list:
        if isinstance(test, ir.Compare) and len(test.ops) == 1 and test.ops[0] == "==":
            left, right = test.left, test.comparators[0]
            lv, rv = self.expr(left, env), self.expr(right, env)
            if rv.const is not NOCONST and lv.facts:
                return self._conds_for(lv, rv.const)
            if lv.const is not NOCONST and rv.facts:
                return self._conds_for(rv, lv.const)
        if isinstance(test, ir.BoolOp) and test.op == "and":
            out = []
            for v in test.values:
                out.extend(self.dispatch_conds(v, env))
            return out
        return []

    def refine(self, env: Env, test, truth: bool, depth: int = 0) -> Env:
        t = type(test)
        if t is ir.Name and depth < 4:  # `if (!isAllowed)` where isAllowed holds a test
            v = env.get(test.id)
            if v is not None and v.cond is not None:
                return self.refine(env, v.cond, truth, depth + 1)
            return env
        if t is ir.UnaryOp and test.op == "not":
            return self.refine(env, test.operand, not truth)
        if t is ir.BoolOp:
            if (test.op == "and" and truth) or (test.op == "or" and not truth):
                for v in test.values:
                    env = self.refine(env, v, truth)
                return env
            if test.op in ("and", "or") and depth < 4:  # one of the branches held: what all of them establish
                before = dict(env)
                branches = [self.refine(dict(env), v, truth, depth + 1) for v in test.values]
                out = None
                for b in branches:
                    out = _join_env(out, b)
                env.update(out or {})
                self._related_membership(env, before, branches)
            return env
        if t is ir.Compare and len(test.ops) == 1:
            op = test.ops[0]
            left, right = test.left, test.comparators[0]
            if op in ("in", "not in"):
                holds = (op == "in") == truth
                for g in self.models.compare_guards:
                    if g.get("compare") == "in" and holds == g.get("branch", True):
                        self.apply_effect(g["effect"], left, env, test, g)
                return env
            if op in ("==", "!=", "is", "is not"):
                eq = op in ("==", "is")
                for side in (left, right):  # common = os.path.commonpath([...]); if common != base: raise
                    held = env.get(side.id) if isinstance(side, ir.Name) else None
                    if held is not None and isinstance(held.cond, ir.Call) and self._is_guard_call(held.cond, env):
                        return self.refine(env, held.cond, truth if eq else not truth, depth + 1)
                if isinstance(left, ir.Call) or isinstance(right, ir.Call):
                    call = left if isinstance(left, ir.Call) else right
                    return self.refine(env, call, truth if eq else not truth)
                if eq == truth:
                    for a, b in ((left, right), (right, left)):
                        bv = self.expr(b, env)
                        key = key_of(a)
                        if key is None or key not in env:
                            continue
                        if bv.const is not NOCONST and bv.const is not None:
                            env[key] = Value(const=bv.const)
                        elif not all_facts(bv) and isinstance(b, (ir.Name, ir.Attribute, ir.Subscript)):
                            env[key] = bv  # equal to an untainted value: it is that value (p == root)
            return env
        if t is ir.Call:
            fv = self.expr(test.func, env)
            self.call_guard(test, fv, env, truth)
            self.predicate_guard(test, fv, env, truth)
        return env

    def _related_membership(self, env: Env, before: Env, branches: list[Env]) -> None:
        """``if (!known.includes(ctx) && !known.includes(name)) throw``: whichever branch held, a value taken
        from the same source was validated. When every branch validated values of common origins, each value
        validated in some branch whose taint is all of those origins is validated after the test."""
        removed = [[k for k, v in b.items() if not v.facts and before.get(k) is not None and before[k].facts]
                   for b in branches]
        if not all(removed):
            return
        common = set.intersection(*({f.origin for k in keys for f in before[k].facts} for keys in removed))
        if not common:
            return
        for keys in removed:
            for k in keys:
                v = env.get(k)
                if v is not None and v.facts and all(f.origin in common for f in v.facts):
                    env[k] = replace(v, facts=())

    def _is_guard_call(self, call: ir.Call, env: Env) -> bool:
        method = call.func.attr if isinstance(call.func, ir.Attribute) else None
        return bool(self.models.guards.match(self.expr(call.func, env).qualname, method))

    def call_guard(self, call: ir.Call, fv: Value, env: Env, truth: bool) -> None:
        method = call.func.attr if isinstance(call.func, ir.Attribute) else None
        for g in self.models.guards.match(fv.qualname, method):
            if g.get("branch", True) != truth:
                continue
            lits = g.get("args_literal")
            if lits is not None:
                if not call.args or self.expr(call.args[0], env).const not in lits:
                    continue
            elif "prefix" in g and call.args:
                first = self.expr(call.args[0], env)
                if first.const in ("-", ".."):
                    continue
            if "host_pattern" in g:
                idx = g["host_pattern"]
                pat = self.expr(call.args[idx], env).const if idx < len(call.args) else None
                starts = method in ("match", "fullmatch") or (fv.qualname or "").endswith(("match", "fullmatch"))
                if not isinstance(pat, str) or not fixes_host(pat, starts):
                    continue
            if "anchored_pattern" in g:
                idx = g["anchored_pattern"]
                pat = self.expr(call.args[idx], env).const if idx < len(call.args) else None
                if not isinstance(pat, str) or not (pat.endswith("$") or pat.endswith("\\Z")):
                    continue
                if method != "match" and not (fv.qualname or "").endswith("match") and not pat.startswith("^"):
                    continue
            subj = g.get("subject", "receiver")
            subjects: list = []
            if subj == "receiver":
                if isinstance(call.func, ir.Attribute):
                    subjects.append(call.func.value)
            else:
                idx = subj.get("arg", 0)
                if idx < len(call.args):
                    arg = call.args[idx]
                    if subj.get("elements") and isinstance(arg, ir.Container):
                        subjects.extend(arg.items)
                    else:
                        subjects.append(arg)
            if g["effect"] == "callback":
                for s in subjects:
                    if self._guard_per_item(s, call, env, truth):
                        continue
                    body = _returned_test(s)
                    if body is not None:
                        self.refine(env, body, truth)
                continue
            for s in subjects:
                self.apply_effect(g["effect"], s, env, call, g)

    def _guard_per_item(self, subject, call: ir.Call, env: Env, truth: bool) -> bool:
        """``any(re.match(p, url) for p in PATTERNS)``, ``PATTERNS.some(p => p.test(url))`` over constants:
        the test with each constant in turn; what every one of them establishes holds."""
        if isinstance(subject, ir.Comprehension) and len(subject.generators) == 1:
            target, iterable = subject.generators[0]
            body = subject.element
        elif isinstance(subject, ir.FunctionRef) and isinstance(call.func, ir.Attribute) and subject.function.params:
            target = ir.Name(subject.function.params[0].name, subject.span)
            iterable, body = call.func.value, _returned_test(subject)
        else:
            return False
        if not isinstance(target, ir.Name) or body is None:
            return False
        items = self.expr(iterable, env).items
        if not items or len(items) > 32 or any(i.const is NOCONST for i in items):
            return False
        out = None
        for item in items:
            out = _join_env(out, self.refine({**env, target.id: item}, body, truth))
        for k, v in (out or {}).items():
            if k != target.id:
                env[k] = v
        return True

    def predicate_guard(self, call: ir.Call, fv: Value, env: Env, truth: bool) -> None:
        """A project function used as a test guards its arguments by what holds of its parameters on every
        return that answers ``truth``, whatever its body: early returns, loops, try/except, callbacks
        (:meth:`_predicate_outcome`). A body that returns one expression of parameters that are not plain
        variables at the call (``is_within(path.resolve(p))``) is also put inline with the arguments."""
        if self.static_mode or self._predicate_depth > 3:  # predicates calling predicates, or themselves
            return
        ref = fv.ref
        fn = ref if isinstance(ref, ir.Function) else getattr(ref, "function", None)
        if fn is None:
            return
        if self._predicate_outcome(call, fn, ref, env, truth):
            return
        self._inline_predicate(call, fn, env, truth)

    def _predicate_outcome(self, call: ir.Call, fn: ir.Function, ref, env: Env, truth: bool) -> bool:
        """Run the predicate on the caller's values; apply to each argument variable what its parameter
        is on the returns that answer ``truth``. False when nothing could be mapped back."""
        params = [(i, p) for i, p in enumerate(fn.params) if p.kind not in ("self", "vararg", "kwarg")]
        targets: dict[int, tuple[str, Value]] = {}
        values: dict[int, Value] = {}
        for (i, p), arg in zip(params, call.args):
            if isinstance(arg, ir.Starred):
                break
            value = self.expr(arg, env)
            values[i] = value
            key = self._unwrap(arg, env)[0]
            if key is not None and key in env and env[key].facts:
                targets[i] = (key, value)
        if not targets:
            return False
        closure = ref.env if isinstance(ref, Closure) else None
        runner = _FunctionAnalysis(self.engine, fn, closure, param_values=values)
        runner._predicate_depth = self._predicate_depth + 1
        exits = runner.answers(truth)
        if exits is None:
            return False
        for i, (key, checked) in targets.items():
            outs = [x.get(fn.params[i].name) for x in exits]
            if any(o is None for o in outs) or not outs:
                continue
            facts = [f for o in outs for f in o.facts]
            current = env[key]
            if not facts:  # validated on every answering return (membership, equality)
                env[key] = replace(current, facts=(), validated=tuple(
                    f.origin for f in current.facts if not f.steps and f.origin.owner is not None)[:2])
                continue
            safe = frozenset.intersection(*(f.safe for f in facts)) - frozenset.intersection(
                *(f.safe for f in checked.facts)) if checked.facts else frozenset()
            notes = tuple(dict.fromkeys(n for f in facts for n in f.notes if n not in current.facts[0].notes))
            if safe or notes:
                env[key] = replace(current, facts=tuple(
                    replace(f, safe=f.safe | safe, notes=f.notes + tuple(n for n in notes if n not in f.notes))
                    for f in current.facts))
                if safe:
                    for kind in safe:
                        self._note_validated(key, current, kind)
        return True

    def answers(self, truth: bool) -> list[Env] | None:
        """Environments at the returns that can answer ``truth``, refined by the returned test."""
        self.answer_exits = []
        try:
            self.block(self.fn.body, self._entry_env())
        except RecursionError:
            return None
        out = []
        for env, expr in self.answer_exits:
            if isinstance(expr, ir.Literal) and bool(expr.value) != truth:
                continue
            out.append(self.refine(dict(env), expr, truth) if expr is not None else env)
        return out

    def _inline_predicate(self, call: ir.Call, fn: ir.Function, env: Env, truth: bool) -> None:
        *lets, last = fn.body if fn.body else (None,)
        if not isinstance(last, ir.Return) or last.value is None or len(lets) > 4:
            return
        params = [p for p in fn.params if p.kind != "self"]
        mapping = {p.name: a for p, a in zip(params, call.args) if not isinstance(a, ir.Starred)}
        if not mapping:
            return
        for s in lets:  # `const rel = path.relative(root, p); return !rel.startsWith("..")`
            if not (isinstance(s, ir.Assign) and s.op is None and s.value is not None and len(s.targets) == 1
                    and isinstance(s.targets[0], ir.Name)):
                return
            mapping[s.targets[0].id] = _substitute(s.value, mapping)
        self._predicate_depth += 1
        try:
            self.refine(env, _substitute(last.value, mapping), truth)
        finally:
            self._predicate_depth -= 1

    def _unwrap(self, expr, env: Env) -> tuple[str | None, bool, bool]:
        """The variable a guard is about, whether the checked expression resolved it first, and whether
        it was reached through a derived value (``path.relative(root, p)``)."""
        resolved = False
        derived = False
        for _ in range(6):
            if isinstance(expr, ir.Await):
                expr = expr.value
                continue
            if isinstance(expr, ir.Call):
                fv = self.expr(expr.func, env)
                method = expr.func.attr if isinstance(expr.func, ir.Attribute) else None
                rows = self.models.sanitizers.match(fv.qualname, method)
                marks = {m for r in rows for m in r.get("marks", ())}
                derives = next((r["derives"] for r in rows if "derives" in r), None)
                if "resolved" in marks:
                    resolved = True
                if derives is not None and derives < len(expr.args):
                    derived = True  # path.relative(root, p).startsWith("..") is about p
                    expr = expr.args[derives]
                elif method and isinstance(expr.func, ir.Attribute) and not expr.args:
                    expr = expr.func.value  # p.resolve()
                elif expr.args:
                    expr = expr.args[-1] if len(expr.args) > 1 and not marks else expr.args[0]
                else:
                    break
                continue
            break
        return key_of(expr), resolved, derived

    def _note_validated(self, key: str, value: Value, what: str) -> None:
        if self.fn is not None and "." not in key and any(
                f.origin.owner is self.fn and not f.steps for f in value.facts):
            self.validated[key] = what

    def apply_validation(self, fn: ir.Function, e: ir.Call, env: Env, has_receiver: bool) -> None:
        """After ``validate(p)`` returns, ``p`` is what the helper checked it to be."""
        summary = self.engine.summaries.get(fn)
        if summary is None or not summary.validates:
            return
        offset = 1 if fn.params and fn.params[0].kind == "self" and has_receiver else 0
        for index, what in summary.validates.items():
            pos = index - offset
            expr = e.args[pos] if 0 <= pos < len(e.args) else e.kwarg(fn.params[index].name)
            key = key_of(expr) if expr is not None else None
            if key is None or key not in env:
                continue
            value = env[key]
            if what == "all":
                env[key] = replace(value, facts=())
            else:
                env[key] = replace(value, facts=tuple(replace(f, safe=f.safe | {what}) for f in value.facts))

    def apply_effect(self, effect: str, subject, env: Env, call, row) -> None:
        key, resolved_inline, through_derive = self._unwrap(subject, env)
        if key is None:
            return
        value = env.get(key)
        if value is None:
            value = self.expr(subject, env) if isinstance(subject, (ir.Name, ir.Attribute)) else None
            if value is None or not value.facts:
                return
        if row is not None and row.get("via_derived") and not through_derive:
            if value.derived is None:
                return
            key = value.derived
            value = env.get(key)
            if value is None:
                return
        if effect == "validates":
            self._note_validated(key, value, "all")
            kept = tuple(f.origin for f in value.facts if not f.steps and f.origin.owner is not None)[:2]
            env[key] = replace(value, facts=(), validated=kept)
            return
        if effect == "host-fixed":  # re.match(r"^https://docs\.example\.com/", url)
            env[key] = replace(value, facts=tuple(replace(f, props=f.props | {"host-fixed"}) for f in value.facts))
            return
        if effect == "no-dash":
            self._note_validated(key, value, "argument")
            env[key] = replace(value, facts=tuple(replace(f, safe=f.safe | {"argument"}) for f in value.facts))
            return
        if effect == "contains":
            resolved = resolved_inline or (value.facts and all("resolved" in f.props for f in value.facts))
            source = env.get(value.derived) if value.derived and value.derived != key else None
            source_resolved = bool(source is not None and source.facts and all(
                "resolved" in f.props for f in source.facts))
            resolved = resolved or source_resolved  # `squash(real)` of a resolved `real` is resolved too
            note = None
            if row is not None and "prefix" in row and isinstance(call, ir.Call) and row["prefix"] < len(call.args):
                pv = self.expr(call.args[row["prefix"]], env)
                if not pv.ends_sep:
                    method = call.func.attr if isinstance(call.func, ir.Attribute) else "startswith"
                    note = (f"the containment check `{method}(root)` has no trailing separator, so a sibling "
                            "such as `/data-evil` passes as inside `/data`")
            if note is None and not resolved:
                note = ("the containment check runs before the path is resolved, so `..` segments and symlinks "
                        "can still leave the root")
            if note is None:
                self._note_validated(key, value, "path")
                env[key] = replace(value, facts=tuple(replace(f, safe=f.safe | {"path"}) for f in value.facts))
                if source_resolved:
                    # the check ran on a copy of a resolved path (`squash(real)`): it holds of `real` too
                    self._note_validated(value.derived, source, "path")
                    env[value.derived] = replace(source, facts=tuple(
                        replace(f, safe=f.safe | {"path"}) for f in source.facts))
            else:
                env[key] = replace(value, facts=tuple(
                    replace(f, notes=f.notes + (note,)) if note not in f.notes else f for f in value.facts))


_HOST_REGEX = re.compile(
    r"(?:\^|\\A)?"                                # anchored at the start (or matched from it)
    r"(?:\(\?:)?[a-z][a-z0-9+.-]*s?\??(?:\|[a-z]+s?\??)*\)?"  # scheme: https, https?, (?:http|https)
    r"(?::\\?/\\?/)"                             # :// (slashes may be escaped)
    r"(?:[a-z0-9-]|\\\.)+"                        # host: letters, digits, dashes, escaped dots only
    r"(?::\d+)?"                                    # a port
    r"(?:\\?/|\$|\\Z|\((?:\?:)?\\?/\|\$\))",  # then a slash or the end
    re.IGNORECASE)


def fixes_host(pattern: str, matched_from_start: bool) -> bool:
    """A regex that only matches URLs on one fixed host: anchored at the start, a literal scheme and host
    (no wildcard, class or alternation in the host), then a path separator or the end."""
    if not (pattern.startswith(("^", "\\A")) or matched_from_start):
        return False
    return bool(_HOST_REGEX.match(pattern))


def _literal_text(expr) -> str | None:
    """A string literal's text, or the pattern of a regex literal (``/]/g`` is lowered to ``RegExp("]")``)."""
    if isinstance(expr, ir.Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ir.Call) and expr.new and isinstance(expr.func, ir.Name) and expr.func.id == "RegExp" \
            and expr.args and isinstance(expr.args[0], ir.Literal):
        return expr.args[0].value
    return None


def _not_absolute(facts) -> tuple:
    """Facts of values that may start with ``-``: an absolute path (``path.resolve(p)``) cannot."""
    return tuple(f for f in facts if "absolute" not in f.props)


def _is_stub(fn: ir.Function) -> bool:
    """A declaration without a body: ``...``, ``pass``, a docstring, ``raise NotImplementedError``."""
    for s in fn.body:
        if isinstance(s, ir.ExprStmt) and (isinstance(s.value, ir.Literal) or isinstance(s.value, ir.Unknown)
                                           and not s.value.children):
            continue
        if isinstance(s, ir.Raise):
            continue
        return False
    return True


_TEST_FORMS = (ir.Compare, ir.BoolOp, ir.UnaryOp, ir.Call)
_CALLABLE = (ir.Function, Closure, BoundMethod)


def _returned_test(expr):
    """The test a callback returns (``d => p.startsWith(d)``) or a generator yields (``p.startswith(d) for d in ds``)."""
    if isinstance(expr, ir.FunctionRef):
        body = expr.function.body
        if len(body) == 1 and isinstance(body[0], ir.Return):
            return body[0].value
        return None
    if isinstance(expr, ir.Comprehension):
        return expr.element
    return None


def _substitute(expr, mapping: dict):
    """``expr`` with parameter names replaced by the caller's argument expressions (for predicate guards)."""
    t = type(expr)
    if t is ir.Name:
        return mapping.get(expr.id, expr)
    if t is ir.Attribute:
        return ir.Attribute(_substitute(expr.value, mapping), expr.attr, expr.span, expr.optional)
    if t is ir.Call:
        return ir.Call(_substitute(expr.func, mapping), tuple(_substitute(a, mapping) for a in expr.args),
                       tuple(ir.Keyword(k.name, _substitute(k.value, mapping), k.span) for k in expr.keywords),
                       expr.span, expr.new)
    if t is ir.UnaryOp:
        return ir.UnaryOp(expr.op, _substitute(expr.operand, mapping), expr.span)
    if t is ir.BoolOp:
        return ir.BoolOp(expr.op, tuple(_substitute(v, mapping) for v in expr.values), expr.span)
    if t is ir.Compare:
        return ir.Compare(_substitute(expr.left, mapping), expr.ops,
                          tuple(_substitute(c, mapping) for c in expr.comparators), expr.span)
    if t is ir.BinOp:
        return ir.BinOp(expr.op, _substitute(expr.left, mapping), _substitute(expr.right, mapping), expr.span)
    if t is ir.StrBuild:
        return ir.StrBuild(tuple(_substitute(p, mapping) for p in expr.parts), expr.how, expr.span)
    if t is ir.Await:
        return ir.Await(_substitute(expr.value, mapping), expr.span)
    if t is ir.Container:
        return ir.Container(expr.kind, tuple(_substitute(i, mapping) for i in expr.items),
                            tuple((k, _substitute(v, mapping)) for k, v in expr.entries), expr.span)
    if t is ir.Comprehension:
        bound = {tgt.id for tgt, _ in expr.generators if isinstance(tgt, ir.Name)}
        inner = {k: v for k, v in mapping.items() if k not in bound}
        return ir.Comprehension(tuple((tgt, _substitute(it, mapping)) for tgt, it in expr.generators),
                                _substitute(expr.element, inner),
                                tuple(_substitute(c, inner) for c in expr.conditions), expr.span)
    if t is ir.FunctionRef:
        return expr  # a callback's body is checked through the callback guard, with the caller's names
    return expr


def _join_env(a: Env | None, b: Env | None) -> Env | None:
    if a is None:
        return b
    if b is None or a is b:
        return a
    out = dict(a)
    for k, v in b.items():
        prev = out.get(k)
        out[k] = v if prev is None else join(prev, v)
    return out
