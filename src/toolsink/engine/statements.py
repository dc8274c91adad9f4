"""Statements: assignments (with destructuring), branches and their refinements, switch/match, loops run to
a fixed point of two passes, try/except, nested definitions that capture their environment."""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..index import Project
from ..values import EMPTY, NOCONST, Closure, Value, all_facts, dedupe, join, only_facts
from .records import TEST_FORMS, Env, join_env, key_of
from . import expressions, guards


def block(ctx, stmts, env: Env) -> Env | None:
    """Run statements; returns the environment at the end, or None when every path left the block."""
    for s in stmts:
        env = stmt(ctx, s, env)
        if env is None:
            return None
    return env


def stmt(ctx, s, env: Env) -> Env | None:
    t = type(s)
    if t is ir.Assign:
        value = expressions.expr(ctx, s.value, env) if s.value is not None else EMPTY
        if isinstance(s.value, TEST_FORMS) and s.op is None:
            value = replace(value, cond=s.value)
        if s.op is not None and len(s.targets) == 1:
            old = expressions.expr(ctx, s.targets[0], env) if not isinstance(s.targets[0], (ir.TuplePattern, ir.ObjectPattern)) else EMPTY
            value = join(old, value)
            if s.op == "+" and value.facts:
                value = replace(value, facts=tuple(f.then(ctx.step("appended to", s.span)) for f in value.facts))
        for target in s.targets:
            assign(ctx, target, value, env)
        return env
    if t is ir.ExprStmt:
        expressions.expr(ctx, s.value, env)
        return env
    if t is ir.Return:
        value = expressions.expr(ctx, s.value, env) if s.value is not None else EMPTY
        if ctx.validated:
            ctx.exit_envs.append(env)
        if ctx.answer_exits is not None:
            ctx.answer_exits.append((dict(env), s.value))
        ctx.returns = join(ctx.returns, value) if ctx.returns is not None else value
        return None
    if t is ir.Raise:
        if s.value is not None:
            expressions.expr(ctx, s.value, env)
        return None
    if t is ir.Jump:
        return None
    if t is ir.If:
        return if_stmt(ctx, s, env)
    if t is ir.Switch:
        return switch(ctx, s, env)
    if t is ir.Loop:
        return loop(ctx, s, env)
    if t is ir.With:
        for item in s.items:
            value = expressions.expr(ctx, item.context, env)
            if item.target is not None:
                assign(ctx, item.target, value, env)
        return block(ctx, s.body, env)
    if t is ir.Try:
        return try_stmt(ctx, s, env)
    if t is ir.FunctionDef:
        env[s.function.name] = Value(ref=Closure(s.function, env))
        if not ctx.static_mode:
            ctx.engine.closure_envs[s.function] = env
        return env
    if t is ir.ClassDef:
        env[s.cls.name] = Value(ref=s.cls)
        return env
    if t is ir.Import:
        for name in s.names:
            if not s.reexport and ctx.module is not None:
                sym = ctx.engine.project.follow_import(ctx.module, Project._import_key(s, name))
                env[name.alias] = expressions.symbol_value(ctx, sym)
        return env
    if t is ir.Export:
        if s.value is not None:
            expressions.expr(ctx, s.value, env)
        return env
    return env


def if_stmt(ctx, s: ir.If, env: Env) -> Env | None:
    expressions.expr(ctx, s.test, env)
    env_t = guards.refine(ctx, dict(env), s.test, True)
    env_f = guards.refine(ctx, dict(env), s.test, False)
    conds = guards.dispatch_conds(ctx, s.test, env)
    ctx.conds.extend(conds)
    out_t = block(ctx, s.body, env_t)
    del ctx.conds[len(ctx.conds) - len(conds):]
    out_f = block(ctx, s.orelse, env_f) if s.orelse else env_f
    return join_env(out_t, out_f)


def switch(ctx, s: ir.Switch, env: Env) -> Env | None:
    subject = expressions.expr(ctx, s.subject, env)
    outs = []
    has_default = False
    for case in s.cases:
        case_env = dict(env)
        conds = []
        if case.tests:
            lits = [expressions.expr(ctx, t, env) for t in case.tests]
            key = key_of(s.subject)
            if key is not None and all(lit.const is not NOCONST for lit in lits):
                case_env[key] = Value(const=lits[0].const)  # a value equal to a literal is that literal
            conds = guards.conds_for(ctx, subject, lits[0].const) if lits and lits[0].const is not NOCONST else []
        else:
            has_default = True
        ctx.conds.extend(conds)
        outs.append(block(ctx, case.body, case_env))
        del ctx.conds[len(ctx.conds) - len(conds):]
    if not has_default:
        outs.append(env)
    result = None
    for o in outs:
        result = join_env(result, o)
    return result


def loop(ctx, s: ir.Loop, env: Env) -> Env | None:
    body_env = dict(env)
    if s.iter is not None:
        it = expressions.expr(ctx, s.iter, env)
        if s.target is not None:
            assign(ctx, s.target, element(ctx, it), body_env)
    if s.test is not None:
        expressions.expr(ctx, s.test, env)
        body_env = guards.refine(ctx, body_env, s.test, True)
    out = block(ctx, s.body, body_env)
    if out is not None:  # a second pass lets values assigned late in the body reach uses early in it
        again = join_env(dict(body_env), out)
        out2 = block(ctx, s.body, again)
        out = join_env(out, out2)
    result = join_env(env, out)
    if s.orelse:
        result = block(ctx, s.orelse, result) if result is not None else None
    return result


def try_stmt(ctx, s: ir.Try, env: Env) -> Env | None:
    out = block(ctx, s.body, dict(env))
    if out is not None and s.orelse:
        out = block(ctx, s.orelse, out)
    results = [out]
    handler_env = join_env(env, out) or env
    for h in s.handlers:
        henv = dict(handler_env)
        if h.name:
            henv[h.name] = EMPTY
        results.append(block(ctx, h.body, henv))
    result = None
    for r in results:
        result = join_env(result, r)
    if s.finalbody:
        fin = block(ctx, s.finalbody, dict(result if result is not None else env))
        if result is not None:
            result = fin
    return result


def assign(ctx, target, value: Value, env: Env) -> None:
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
                assign(ctx, elt.value, Value(facts=all_facts(value)), env)
            elif items is not None and not star_seen and i < len(items):
                assign(ctx, elt, items[i], env)
            else:
                assign(ctx, elt, element(ctx, value), env)
        return
    if t is ir.ObjectPattern:
        for prop in target.props:
            if prop.key is None:
                assign(ctx, prop.target, value, env)
                continue
            v = expressions.read_field(ctx, value, prop.key, target.span)
            if prop.default is not None:
                v = join(v, expressions.expr(ctx, prop.default, env))
            assign(ctx, prop.target, v, env)
        return
    if t is ir.Starred:
        assign(ctx, target.value, value, env)


def element(ctx, value: Value) -> Value:
    if value.items:
        out = None
        for it in value.items:
            out = join(out, it)
        return join(out, only_facts(value.facts))
    facts = all_facts(value)
    return Value(facts=facts, qualname=value.qualname and value.qualname + "[]") if facts or value.qualname else EMPTY
