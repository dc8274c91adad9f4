"""The analysis context: the state of one function's abstract interpretation (or of a module-level
expression) that every part of the engine reads and updates, passed explicitly as ``ctx``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ir
from ..models import CompiledModels
from ..values import EMPTY, Fact, Instance, Origin, Step, Value
from .records import Env, Summary
from . import expressions, statements

if TYPE_CHECKING:
    from .summaries import Engine


class Analysis:
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
        self.seed_env: Env = {}  # captured variables a callback run as a predicate may refine (see predicates)

    def run(self) -> Summary:
        fn = self.fn
        env = self.entry_env()
        try:
            end = statements.block(self, fn.body, env)
        except RecursionError:
            end = None
            self.engine._gave_up(fn, f"analysis of `{fn.qualname or fn.name}` stopped: the code nests too deeply; "
                                     "flows inside it may be missed")
        self.summary.returns = self.returns or EMPTY
        if self.validated:
            self.summary.validates = self.validated_on_exit(end)
        return self.summary

    def entry_env(self) -> Env:
        fn = self.fn
        env: Env = dict(self.seed_env)
        for i, p in enumerate(fn.params):
            if self.param_values is not None:
                if p.kind == "self":
                    cls = fn.cls or self.enclosing_class()
                    env[p.name] = Value(ref=Instance(cls)) if cls is not None else EMPTY
                else:
                    env[p.name] = self.param_values.get(i, EMPTY)
                continue
            if p.kind == "self":
                cls = fn.cls or self.enclosing_class()
                env[p.name] = Value(ref=Instance(cls)) if cls is not None else EMPTY
                continue
            origin = Origin(fn, i, (), "param", p.name, self.file, p.span)
            typed = self.engine.typed(self.module, p.annotation) if p.annotation is not None else None
            env[p.name] = Value(facts=(Fact(origin),), ref=self.param_refs.get(i) or (typed.ref if typed else None),
                                qualname=typed.qualname if typed else None)
        return env

    def validated_on_exit(self, end: Env | None) -> dict:
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
            return expressions.expr(self, expr, {})
        except RecursionError:
            return EMPTY

    def enclosing_class(self) -> ir.Class | None:
        fn = self.fn
        for _ in range(8):
            parent = self.engine.parent_of(fn)
            if parent is None:
                return None
            if parent.cls is not None:
                return parent.cls
            fn = parent
        return None

    def step(self, message: str, span: ir.Span) -> Step:
        return Step(message, self.file, span)

    def evaluate(self, expr: ir.Expr, env: Env) -> Value:
        """What ``expr`` is in ``env`` (for the entry-point finder, which resolves receivers statically)."""
        return expressions.expr(self, expr, env)
