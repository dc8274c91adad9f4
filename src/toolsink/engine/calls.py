"""Calls: arguments (spreads included), project functions and methods (summary instantiation, callbacks
handed to them, several alternatives), classes, and library calls matched against the model rows
(sanitizers, propagators, secondary sources); registries read with a computed key."""

from __future__ import annotations

import re

from dataclasses import replace

from .. import ir
from ..index import dotted_name
from ..values import (
    EMPTY, MAX_ALTERNATIVES, MAX_PATH, NOCONST, Alternatives, BoundMethod, Closure, Fact, Instance, Origin, Step,
    Value, all_facts, dedupe, join, only_facts, options_of, placed_facts,
)
from .records import CALLABLE, SEPARATORS, Env, SinkFlow, key_of
from . import expressions, guards, sinks, statements


def call(ctx, e: ir.Call, env: Env) -> Value:
    func = e.func
    receiver = None
    if isinstance(func, ir.Attribute) and key_of(func) not in env:
        # the receiver is evaluated once, for the callee and for the library call: chains such as
        # `s.strip().strip()...` stay linear
        receiver = expressions.expr(ctx, func.value, env)
        fv = expressions.read_field(ctx, receiver, func.attr, func.span)
    else:
        fv = expressions.expr(ctx, func, env)
    args, kwargs = arguments(ctx, e, env)
    ref = fv.ref
    if isinstance(ref, Alternatives):  # every option is called; each under its own dispatch conditions
        out = None
        for i, option in enumerate(ref.options):
            conds = ref.conds_for(i, ctx.fn)
            ctx.conds.extend(conds)
            try:
                out = join(out, call_ref(ctx, option, replace(fv, ref=option), args, kwargs, e, env, receiver))
            finally:
                del ctx.conds[len(ctx.conds) - len(conds):]
        return out if out is not None else EMPTY
    return call_ref(ctx, ref, fv, args, kwargs, e, env, receiver)


def arguments(ctx, e: ir.Call, env: Env) -> tuple[list[Value], dict[str, Value]]:
    """Positional and keyword argument values; ``*items`` with known items and ``**fields`` with known
    keys are spread (``save(key, **changes)``); a ``**mapping`` of unknown keys is kept under ``**``."""
    args: list[Value] = []
    kwargs: dict[str, Value] = {}
    for a in e.args:
        if isinstance(a, ir.Starred) and getattr(a, "double", False):
            v = expressions.expr(ctx, a.value, env)
            if v.fields:
                kwargs.update(v.fields)
            if v.facts or not v.fields:
                kwargs["**"] = join(kwargs.get("**"), only_facts(all_facts(v)) if v.fields else v)
            continue
        v = expressions.expr(ctx, a, env)
        if isinstance(a, ir.Starred) and v.items is not None:
            args.extend(v.items)
        else:
            args.append(v)
    for k in e.keywords:
        kwargs[k.name] = expressions.expr(ctx, k.value, env)
    return args, kwargs


def call_ref(ctx, ref, fv: Value, args, kwargs, e: ir.Call, env: Env, receiver: Value | None = None) -> Value:
    if isinstance(ref, ir.Function):
        result = apply(ctx, ref, None, args, kwargs, e, None)
        apply_validation(ctx, ref, e, env, False)
        return result
    if isinstance(ref, BoundMethod):
        result = apply(ctx, ref.function, ref.receiver, args, kwargs, e, None)
        apply_validation(ctx, ref.function, e, env, True)
        return result
    if isinstance(ref, Closure):
        return apply(ctx, ref.function, None, args, kwargs, e, ref.env)
    if isinstance(ref, ir.Class):
        init = ctx.engine.project.method(ref, "__init__") or ctx.engine.project.method(ref, "constructor")
        # a data object (pydantic model, dataclass) holds what it was built from: Fetch(**arguments).url
        facts = dedupe([f for a in args + ([kwargs["**"]] if "**" in kwargs else []) for f in all_facts(a)])
        fields = tuple((k, v) for k, v in kwargs.items() if k != "**")
        inst = Value(ref=Instance(ref), facts=facts, fields=fields or None)
        if init is not None:
            apply(ctx, init, inst, args, kwargs, e, None)
        return inst
    return library_call(ctx, e, fv, args, kwargs, env, receiver)


def callee_name(e: ir.Call, fv: Value) -> tuple[str, str | None]:
    """(qualified or dotted name, method name)."""
    func = e.func
    method = func.attr if isinstance(func, ir.Attribute) else None
    name = fv.qualname or dotted_name(func) or (f"<expr>.{method}" if method else "<call>")
    return name, method


def library_call(ctx, e: ir.Call, fv: Value, args: list[Value], kwargs: dict[str, Value], env: Env,
                 receiver: Value | None = None) -> Value:
    models = ctx.models
    name, method = callee_name(e, fv)
    qual = fv.qualname
    if receiver is None and isinstance(e.func, ir.Attribute):
        receiver = expressions.expr(ctx, e.func.value, env)
    recv_qual = receiver.qualname if receiver is not None else None
    # callbacks handed to a library (asyncio.to_thread(fn, x), arr.map(x => ...)) run with its data
    callback_results: list[Value] = []
    for i, a in enumerate(args):
        if isinstance(a.ref, (ir.Function, Closure, BoundMethod)):
            rest = args[i + 1:] or ([receiver] if receiver is not None and (receiver.facts or receiver.items) else [])
            target = a.ref
            fn = target.function if isinstance(target, (Closure, BoundMethod)) else target
            recv = target.receiver if isinstance(target, BoundMethod) else None
            cl = target.env if isinstance(target, Closure) else None
            callback_results.append(apply(ctx, fn, recv, [statements.element(ctx, r) if r is receiver else r
                                                          for r in rest], kwargs, e, cl))
    if not ctx.static_mode:
        for row in models.sinks.match(qual, method, recv_qual):
            sinks.check_sink(ctx, row, e, name, args, kwargs, receiver)
    for row in models.sanitizers.match(qual, method, recv_qual):
        if "when" in row and not all(sinks.condition(c, e, args, kwargs) for c in row["when"]):
            continue
        # what is sanitised: the arguments (shlex.quote(x)), or the receiver of a method (p.resolve())
        facts = dedupe([f for a in args for f in all_facts(a)]) or (
            all_facts(receiver) if receiver is not None else ())
        sanitizes = row.get("sanitizes")
        if sanitizes == "all":
            return Value(qualname=name)
        marks = frozenset(row.get("marks", ()))
        kinds = frozenset(sanitizes or ())
        step = ctx.step(f"`{name}()`", e.span)
        facts = tuple(replace(f, safe=f.safe | kinds, props=f.props | marks).then(step) for f in facts)
        derived = None
        if "derives" in row and row["derives"] < len(e.args):
            derived = key_of(e.args[row["derives"]])
        elif "resolved" in marks and len(e.args) == 1 and not kwargs:
            derived = key_of(e.args[0]) or args[0].derived  # path.resolve(p), realpath(p): the same file as p
        if not kinds and receiver is not None and receiver.qualname and method:
            name = receiver.qualname  # p.resolve() is still a path of the same type
        # a library path function's result names the same file as the variable it came from
        return Value(facts=facts, qualname=name, derived=derived, same_file=derived is not None)
    ends_sep = False
    for row in models.propagators.match(qual, method, recv_qual):
        if "ends_with" in row:  # dir.replace(/\\?$/, "\\"): the result ends with the replacement
            ends_sep = ends_sep or _ends_with_replacement(ctx, e, row["ends_with"], env)
            continue
        if "content_into" in row:  # fs.writeFileSync(p, code): the file `p` names now holds the code
            spec = row["content_into"]
            if max(spec["file"], spec["data"]) < len(e.args):
                write_content(ctx, env, key_of(e.args[spec["file"]]), [args[spec["data"]]], e.span)
            continue
        returns = row.get("returns")
        if returns == "callback-result" and callback_results:  # items.map(i => i.id): only what it returns
            return Value(facts=dedupe([f for r in callback_results for f in all_facts(r)]), qualname=name)
        if returns == "alias-of-arg0":
            return args[0] if args else EMPTY
        if "wraps_as" in row and args:
            return Value(fields=((row["wraps_as"], args[0]),), qualname=name)
        if returns == "nothing":
            return EMPTY
        if returns == "instance":  # sqlite3.connect(path): a connection, not the path's text
            return Value(qualname=name)
        if returns == "receiver" and receiver is not None and row.get("content"):
            write_content(ctx, env, key_of(e.func.value), args, e.span)  # f.write(code)
            return receiver
        if returns == "receiver" and receiver is not None:
            key = key_of(e.func.value)
            added = appended_facts(args)
            stored = args[row["stores"]] if "stores" in row and row["stores"] < len(args) else None
            if key is not None and stored is not None and stored.ref is not None:
                # registry.set(name, tool), tools.append(tool): the container holds the object itself
                kv = args[row["key"]].const if "key" in row and row["key"] < len(args) else NOCONST
                current = env.get(key, receiver)
                named = _keyed_options(ctx, e, row, stored) if not isinstance(kv, str) else None
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
        if returns == "field" and receiver is not None and args and receiver.qualname and not receiver.facts \
                and isinstance(args[0].const, str):  # get_http_headers().get("authorization")
            found = expressions.attribute_facts(ctx, receiver, args[0].const, e.span)
            if found:
                return Value(facts=found, qualname=name)
        if returns == "field" and receiver is not None and args and (
                receiver.facts or receiver.fields or receiver.items or not receiver.qualname):  # data, not a library object
            if isinstance(args[0].const, str):
                v = expressions.read_field(ctx, receiver, args[0].const, e.span)
                return join(v, args[1]) if len(args) > 1 else v
            picked = pick(ctx, receiver, args[0])
            if picked is not None:
                return picked
        if row.get("keeps_props"):
            facts = dedupe([f for a in ([receiver] if receiver is not None else []) + args + list(kwargs.values())
                            for f in all_facts(a)])
            derived = (key_of(e.args[0]) or args[0].derived) if len(e.args) == 1 and (
                receiver is None or not receiver.facts) else None  # String(p), path.normalize(p)
            same = derived is not None and (key_of(e.args[0]) is not None or args[0].same_file)
            return Value(facts=facts, qualname=name, ends_sep=bool(args) and args[0].ends_sep, derived=derived,
                         same_file=same)
    facts: list[Fact] = []
    if receiver is not None:
        facts.extend(all_facts(receiver))
    for a in args:
        facts.extend(all_facts(a))
    for a in kwargs.values():
        facts.extend(all_facts(a))
    drops = models.configuration_drops(qual)
    if drops:  # os.environ.get("ROOT", "/srv"): the default is overridable, not a hardcoded value
        facts = list(expressions.without_literal_kinds(facts, drops))
    source_rows = models.sources.match(qual, method, recv_qual)
    if ctx.static_mode:  # module set-up code: only sources that describe set-up values (a temporary folder)
        source_rows = tuple(r for r in source_rows if r.get("set_up"))
    if facts:
        # what a remote source returns (a response) is no longer the argument that went into the request
        step = ctx.step(f"response of `{name}()`" if source_rows else f"`{name}()`", e.span)
        # (a file's content stays with the variable that names that file, not with what is computed from it)
        facts = [replace(f, props=frozenset()).then(step) for f in facts if "content" not in f.props]
    if source_rows:
        for row in source_rows:
            origin = Origin(None, -1, (), row["kind"], row["label"].format(callee=name), ctx.file, e.span)
            facts.append(Fact(origin))
    return Value(facts=dedupe(facts), qualname=name, ends_sep=ends_sep)


def _ends_with_replacement(ctx, e: ir.Call, spec: dict, env) -> bool:
    """A replacement at a pattern that always matches at the end (``/\\?$/``, ``r"/*$"``: an optional
    atom, then the end) whose replacement ends with a path separator: the result ends with a separator."""
    i, j = spec["pattern"], spec["replacement"]
    if max(i, j) >= len(e.args):
        return False
    rep = expressions.expr(ctx, e.args[j], env).const
    if not (isinstance(rep, str) and rep.endswith(SEPARATORS)):
        return False
    pat = e.args[i]
    if isinstance(pat, ir.Call) and pat.args:  # a regex literal is `new RegExp("...")`
        pat = pat.args[0]
    text = expressions.expr(ctx, pat, env).const
    return isinstance(text, str) and bool(_OPTIONAL_AT_END.fullmatch(text))


# an optional single atom (a character, an escaped character, or a class) then the end of the string
_OPTIONAL_AT_END = re.compile(r"(?:\\.|\[[^\]]*\]|[^\\\[\]()|^$?*+{}])[?*]\$")


def write_content(ctx, env: Env, key: str | None, data, span) -> None:
    """What is written into a file (``f.write(code)``, ``fs.writeFileSync(p, code)``) becomes the *content* of the
    variable that names it, and of every path read from it before (``path = f.name``): content matters only
    where the file is run as a script (see ``runs_script`` in the programs' models)."""
    if key is None or key not in env:
        return
    step = ctx.step(f"written into the file `{key}`", span)
    added = tuple(replace(f, props=f.props | {"content"}).then(step) for v in data for f in all_facts(v))
    if not added:
        return
    for k, v in list(env.items()):
        if k == key or v.derived == key:
            env[k] = replace(v, facts=dedupe(v.facts + added))


def appended_facts(args) -> tuple:
    """Facts of values appended to a list (``args.push("-n", ns)``, ``cmd.extend(["-n", ns])``), placed by
    the option or ``--`` before them in the same call (:func:`placed_facts`): the list keeps no order of
    appended elements."""
    if len(args) == 1 and args[0].items:  # cmd.extend(["-n", ns]): the list's own order
        args = list(args[0].items)
    return placed_facts(args)


def _keyed_options(ctx, e: ir.Call, row: dict, stored: Value) -> dict | None:
    """``registry.set(t.name, t)`` where ``t`` is one of several objects: the key of each object."""
    if "key" not in row or row["key"] >= len(e.args) or not isinstance(stored.ref, Alternatives):
        return None
    key_expr, obj_expr = e.args[row["key"]], e.args[row["stores"]]
    if not (isinstance(key_expr, ir.Attribute) and key_of(key_expr.value) is not None
            and key_of(key_expr.value) == key_of(obj_expr)):
        return None
    out = {}
    for option in stored.ref.options:
        name = expressions.read_field(ctx, Value(ref=option), key_expr.attr, key_expr.span).const
        if not isinstance(name, str):
            return None
        out[name] = Value(ref=option)
    return out


def pick(ctx, base: Value, index: Value) -> Value | None:
    """A read with a computed key from a registry (``TOOLS[name]``, ``handlers.get(name)``): every entry
    that is a function, class or object is an alternative, chosen when the key equals its name."""
    options, conds = [], []
    for key, v in base.fields or ():
        for option in options_of(v.ref):
            if len(options) < MAX_ALTERNATIVES:
                options.append(option)
                conds.append(tuple(guards.conds_for(ctx, index, key)))
    for v in base.items or ():
        for option in options_of(v.ref):
            if len(options) < MAX_ALTERNATIVES and option not in options:
                options.append(option)
                conds.append(())
    if not options:
        return None
    facts = all_facts(replace(base, fields=tuple((k, replace(v, ref=None)) for k, v in base.fields or ()) or None))
    return Value(facts=facts, ref=Alternatives(tuple(options), tuple(conds) if any(conds) else (), ctx.fn))


def apply(ctx, fn: ir.Function, receiver: Value | None, args, kwargs, e: ir.Call, closure: Env | None) -> Value:
    if ctx.static_mode:
        if isinstance(e.func, ir.FunctionRef) and e.func.function is fn and not args and not kwargs:
            # const ROOT = (() => "/Users/me/data")(): an immediately invoked function is what it returns
            return ctx.engine.summary(fn).returns
        return Value()
    nested_closure = closure if closure is not None and ctx.engine.parent_of(fn) is not None else None
    bound = bind(ctx, fn, receiver, args, kwargs)
    # a function handed to a project function (`with_retry(lambda: ...)`, `tryCatch(async () => ...)`):
    # the callee is analysed with it, so what the callee does with the callback is seen
    callbacks = {i: v.ref for i, v in bound.items() if isinstance(v.ref, CALLABLE)}
    summary = ctx.engine.summary(fn, nested_closure, callbacks)
    call_step = ctx.step(f"passed to `{fn.name}()`", e.span)
    for flow in summary.flows:
        if flow.argv and _argv_at_call(ctx, flow, fn, bound, call_step):
            continue
        for fact in instantiate(ctx, flow.fact, fn, bound, call_step):
            if flow.kind in fact.safe or (flow.ignore_props & fact.props):
                continue
            conds = map_conds(ctx, flow.conds, fn, bound) + tuple(ctx.conds)
            sinks.add_flow(ctx, SinkFlow(fact, flow.kind, flow.sink, flow.file, flow.span, conds, flow.ignore_props))
    ctx.summary.effects.extend(ef for ef in summary.effects if len(ctx.summary.effects) < 64)
    ret = summary.returns
    if not ret.facts and not ret.fields and not ret.items:
        return ret
    ret_step = ctx.step(f"returned from `{fn.name}()`", e.span)

    def inst(v: Value, depth: int = 0) -> Value:
        facts: list[Fact] = []
        for f in (v.facts if depth < 2 and (v.items or v.fields) else all_facts(v)):
            facts.extend(x.then(ret_step) for x in instantiate(ctx, f, fn, bound, call_step))
        items = tuple(inst(i, depth + 1) for i in v.items) if v.items and depth < 2 else None
        fields = tuple((k, inst(x, depth + 1)) for k, x in v.fields) if v.fields and depth < 2 else None
        return Value(facts=dedupe(facts), qualname=v.qualname, ref=v.ref, const=v.const, items=items,
                     fields=fields)

    result = inst(ret)  # `return path, content.strip()` keeps each element's own taint
    derived = _derived_argument(ctx, fn, ret, e)
    return replace(result, derived=derived) if derived is not None else result


def _derived_argument(ctx, fn: ir.Function, ret: Value, e: ir.Call) -> str | None:
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


def _argv_at_call(ctx, flow: SinkFlow, fn: ir.Function, bound: dict, call_step: Step) -> bool:
    """A callee's argv parameter reached its sink: check the list the caller built, element by element."""
    origin = flow.fact.origin
    value = bound.get(origin.param) if origin.owner is fn else None
    for key in origin.path if value is not None else ():
        value = value.field(key)
        if value is None:
            return False
    if value is None or value.items is None:
        return False
    conds = map_conds(ctx, flow.conds, fn, bound) + tuple(ctx.conds)
    for facts, kind in sinks.argv_hits(ctx, value, "argument", flow.program):
        for f in facts:
            if kind not in f.safe and not (flow.ignore_props & f.props):
                sinks.add_flow(ctx, SinkFlow(f.then(call_step), kind, flow.sink, flow.file, flow.span, conds,
                                       flow.ignore_props))
    return True


def bind(ctx, fn: ir.Function, receiver: Value | None, args, kwargs) -> dict[int, Value]:
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


def instantiate(ctx, fact: Fact, fn: ir.Function, bound: dict[int, Value], call_step: Step):
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


def map_conds(ctx, conds, fn: ir.Function, bound: dict[int, Value]):
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


def apply_validation(ctx, fn: ir.Function, e: ir.Call, env: Env, has_receiver: bool) -> None:
    """After ``validate(p)`` returns, ``p`` is what the helper checked it to be."""
    summary = ctx.engine.summaries.get(fn)
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
