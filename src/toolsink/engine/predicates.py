"""Predicate helpers: a project function used as a test guards its arguments by what holds of its parameters
on every return that answers the test (run on the caller's values), or by its returned expression put inline."""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..values import Closure, Value, validated_value
from .records import Env
from . import context, expressions, guards, statements


def predicate_guard(ctx, call: ir.Call, fv: Value, env: Env, truth: bool) -> None:
    """A project function used as a test guards its arguments by what holds of its parameters on every
    return that answers ``truth``, whatever its body: early returns, loops, try/except, callbacks
    (:meth:`_predicate_outcome`). A body that returns one expression of parameters that are not plain
    variables at the call (``is_within(path.resolve(p))``) is also put inline with the arguments."""
    if ctx.static_mode or ctx._predicate_depth > 3:  # predicates calling predicates, or themselves
        return
    ref = fv.ref
    fn = ref if isinstance(ref, ir.Function) else getattr(ref, "function", None)
    if fn is None:
        return
    if _predicate_outcome(ctx, call, fn, ref, env, truth):
        return
    _inline_predicate(ctx, call, fn, env, truth)


def _predicate_outcome(ctx, call: ir.Call, fn: ir.Function, ref, env: Env, truth: bool) -> bool:
    """Run the predicate on the caller's values; apply to each argument variable what its parameter
    is on the returns that answer ``truth``. False when nothing could be mapped back."""
    params = [(i, p) for i, p in enumerate(fn.params) if p.kind not in ("self", "vararg", "kwarg")]
    targets: dict[int, tuple[str, Value]] = {}
    values: dict[int, Value] = {}
    for (i, p), arg in zip(params, call.args):
        if isinstance(arg, ir.Starred):
            break
        value = expressions.expr(ctx, arg, env)
        values[i] = value
        key = guards.unwrap(ctx, arg, env)[0]
        if key is not None and key in env and env[key].facts:
            targets[i] = (key, value)
    if not targets:
        return False
    closure = ref.env if isinstance(ref, Closure) else None
    runner = context.Analysis(ctx.engine, fn, closure, param_values=values)
    runner._predicate_depth = ctx._predicate_depth + 1
    exits = answers(runner, truth)
    if exits is None:
        return False
    _apply_outcome(ctx, env, exits, {fn.params[i].name: t for i, t in targets.items()})
    return True


def callback_outcome(ctx, ref: ir.FunctionRef, env: Env, truth: bool) -> bool:
    """``dirs.some(dir => { ...several statements... })``: the callback run with the caller's variables as its
    closure; what holds of a caller variable on every return of the callback that answers ``truth`` holds
    after the call (for some element, which is what a containment test needs). False when it cannot run."""
    if ctx.static_mode or ctx._predicate_depth > 3:
        return False
    fn = ref.function
    local = {p.name for p in fn.params} | _assigned_names(fn.body)
    targets = {k: (k, v) for k, v in env.items() if v.facts and k not in local}
    if not targets:
        return False
    runner = context.Analysis(ctx.engine, fn, env, param_values={})
    runner.seed_env = {k: v for k, (_, v) in targets.items()}
    runner._predicate_depth = ctx._predicate_depth + 1
    exits = answers(runner, truth)
    if exits is None:
        return False
    _apply_outcome(ctx, env, exits, targets)
    return True


def _assigned_names(body) -> set[str]:
    """Names a function body binds itself (so a caller variable of the same name is shadowed there)."""
    from ..walk import sub_bodies

    out: set[str] = set()
    stack = list(body)
    while stack:
        s = stack.pop()
        if isinstance(s, ir.Assign):
            out.update(t.id for t in s.targets if isinstance(t, ir.Name))
        elif isinstance(s, ir.FunctionDef):
            out.add(s.function.name)
            continue
        stack.extend(x for sub in sub_bodies(s) for x in sub)
    return out


def _apply_outcome(ctx, env: Env, exits: list[Env], targets: dict) -> None:
    """Apply to each caller variable what its name (a parameter, or a captured variable) is on every
    answering return: validated, or made safe for more kinds, with the notes the checks left."""
    for name, (key, checked) in targets.items():
        outs = [x.get(name) for x in exits]
        if any(o is None for o in outs) or not outs:
            continue
        facts = [f for o in outs for f in o.facts]
        current = env[key]
        if not facts:  # validated on every answering return (membership, equality)
            env[key] = validated_value(current)
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
                    guards.note_validated(ctx, key, current, kind)
            source = guards.derived_source(env, key, current) if "path" in safe else None
            if source is not None and all("resolved" in f.props for f in source.facts):
                # is_within(squash(real)): the check on a copy of a resolved path holds of the path itself
                guards.confine(ctx, env, current.derived, source)


def answers(ctx, truth: bool) -> list[Env] | None:
    """Environments at the returns that can answer ``truth``, refined by the returned test."""
    ctx.answer_exits = []
    try:
        statements.block(ctx, ctx.fn.body, ctx.entry_env())
    except RecursionError:
        return None
    out = []
    for env, expr in ctx.answer_exits:
        if isinstance(expr, ir.Literal) and bool(expr.value) != truth:
            continue
        out.append(guards.refine(ctx, dict(env), expr, truth) if expr is not None else env)
    return out


def _inline_predicate(ctx, call: ir.Call, fn: ir.Function, env: Env, truth: bool) -> None:
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
        mapping[s.targets[0].id] = substitute(s.value, mapping)
    ctx._predicate_depth += 1
    try:
        guards.refine(ctx, env, substitute(last.value, mapping), truth)
    finally:
        ctx._predicate_depth -= 1


def returned_test(expr):
    """The test a callback returns (``d => p.startsWith(d)``) or a generator yields (``p.startswith(d) for d in ds``)."""
    if isinstance(expr, ir.FunctionRef):
        body = expr.function.body
        if len(body) == 1 and isinstance(body[0], ir.Return):
            return body[0].value
        return None
    if isinstance(expr, ir.Comprehension):
        return expr.element
    return None


def substitute(expr, mapping: dict):
    """``expr`` with parameter names replaced by the caller's argument expressions (for predicate guards)."""
    t = type(expr)
    if t is ir.Name:
        return mapping.get(expr.id, expr)
    if t is ir.Attribute:
        return ir.Attribute(substitute(expr.value, mapping), expr.attr, expr.span, expr.optional)
    if t is ir.Call:
        return ir.Call(substitute(expr.func, mapping), tuple(substitute(a, mapping) for a in expr.args),
                       tuple(ir.Keyword(k.name, substitute(k.value, mapping), k.span) for k in expr.keywords),
                       expr.span, expr.new)
    if t is ir.UnaryOp:
        return ir.UnaryOp(expr.op, substitute(expr.operand, mapping), expr.span)
    if t is ir.BoolOp:
        return ir.BoolOp(expr.op, tuple(substitute(v, mapping) for v in expr.values), expr.span)
    if t is ir.Compare:
        return ir.Compare(substitute(expr.left, mapping), expr.ops,
                          tuple(substitute(c, mapping) for c in expr.comparators), expr.span)
    if t is ir.BinOp:
        return ir.BinOp(expr.op, substitute(expr.left, mapping), substitute(expr.right, mapping), expr.span)
    if t is ir.StrBuild:
        return ir.StrBuild(tuple(substitute(p, mapping) for p in expr.parts), expr.how, expr.span)
    if t is ir.Await:
        return ir.Await(substitute(expr.value, mapping), expr.span)
    if t is ir.Container:
        return ir.Container(expr.kind, tuple(substitute(i, mapping) for i in expr.items),
                            tuple((k, substitute(v, mapping)) for k, v in expr.entries), expr.span)
    if t is ir.Comprehension:
        bound = {tgt.id for tgt, _ in expr.generators if isinstance(tgt, ir.Name)}
        inner = {k: v for k, v in mapping.items() if k not in bound}
        return ir.Comprehension(tuple((tgt, substitute(it, mapping)) for tgt, it in expr.generators),
                                substitute(expr.element, inner),
                                tuple(substitute(c, inner) for c in expr.conditions), expr.span)
    if t is ir.FunctionRef:
        return expr  # a callback's body is checked through the callback guard, with the caller's names
    return expr
