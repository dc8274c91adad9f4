"""Expressions: names (locals, closures, module values, builtins), attribute and subscript reads, literals
(with the literal sources of MCP302), containers, string building, and what they denote statically."""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..values import (
    EMPTY, MAX_PATH, NOCONST, Alternatives, BoundMethod, Closure, Fact, Instance, Origin, Value, all_facts, dedupe,
    join, only_facts,
)
from .records import HOST_FIXED, SEPARATORS, Env, const_str, key_of
from . import calls, context, guards, statements, summaries


def expr(ctx, e, env: Env) -> Value:
    t = type(e)
    if t is ir.Name:
        return name(ctx, e, env)
    if t is ir.Literal:
        v = e.value
        if isinstance(v, str):
            lit = ctx.models.literal_re
            if lit is not None and lit.search(v):
                return Value(const=v, ends_sep=v.endswith(SEPARATORS), facts=literal_facts(ctx, v, e.span))
            return Value(const=v, ends_sep=v.endswith(SEPARATORS))
        return Value(const=v)
    if t is ir.Attribute:
        key = key_of(e)
        if key is not None and key in env:
            return env[key]
        base = expr(ctx, e.value, env)
        owner = key_of(e.value)
        if owner is not None and e.attr in ctx.models.file_name_attrs.get(base.qualname or "", ()):
            # f.name: the path of the file object `f`; what is written into `f` later is in that file too
            return Value(facts=base.facts, qualname=f"{base.qualname}.{e.attr}", derived=owner)
        return read_field(ctx, base, e.attr, e.span)
    if t is ir.Call:
        if ctx.engine.root_env_vars and reads_root_var(ctx, e):
            return without_fallback_roots(ctx, calls.call(ctx, e, env))  # os.environ.get("MCP_ROOT", "/srv/x")
        return calls.call(ctx, e, env)
    if t is ir.StrBuild:
        return strbuild(ctx, e, env)
    if t is ir.Subscript:
        key = key_of(e)
        if key is not None and key in env:
            return env[key]
        base = expr(ctx, e.value, env)
        index = expr(ctx, e.index, env)
        if index.const is not NOCONST and isinstance(index.const, (str, int)) and not isinstance(index.const, bool):
            if isinstance(index.const, int) and base.items is not None:
                return base.items[index.const] if -len(base.items) <= index.const < len(base.items) else EMPTY
            return read_field(ctx, base, str(index.const), e.span)
        picked = calls.pick(ctx, base, index) if base.fields or base.items else None
        if picked is not None:
            return picked
        return statements.element(ctx, base) if base.facts or base.items or base.fields else Value(
            qualname=base.qualname and base.qualname + "[]")
    if t is ir.Await:
        return expr(ctx, e.value, env)
    if t is ir.Container:
        return container(ctx, e, env)
    if t is ir.BinOp:
        left = expr(ctx, e.left, env)
        right = expr(ctx, e.right, env)
        facts = dedupe(all_facts(left) + all_facts(right))
        if e.op == "/" and left.qualname:  # pathlib joins keep the path type
            facts = tuple(replace(f, props=frozenset()) for f in facts if "content" not in f.props)
            return Value(facts=facts, qualname=left.qualname)
        if e.op == "+" and left.items is not None:  # ["kubectl", "get"] + shlex.split(args)
            extra = right.items if right.items is not None else (Value(facts=all_facts(right)),)
            return Value(items=left.items + tuple(extra))
        if e.op == "+":
            ls, rs = const_str(left), const_str(right)
            if facts:
                step = ctx.step("concatenation", e.span)  # a value built from the argument, not the argument
                facts = tuple(f.then(step) for f in facts)
            return Value(facts=facts, const=ls + rs if ls is not None and rs is not None else NOCONST,
                         ends_sep=right.ends_sep or (right.qualname or "").endswith(".sep"))
        return only_facts(facts)
    if t is ir.BoolOp:
        out = None
        for v in configured(ctx, [expr(ctx, v, env) for v in e.values]):
            out = join(out, v)
        if out is not None and ctx.engine.root_env_vars and any(reads_root_var(ctx, v) for v in e.values):
            out = without_fallback_roots(ctx, out)  # setting("MCP_ROOT") or "/home/me/notes"
        return out if e.op != "and" else only_facts(out.facts) if out else EMPTY
    if t is ir.Conditional:
        expr(ctx, e.test, env)
        return join(expr(ctx, e.body, guards.refine(ctx, dict(env), e.test, True)),
                    expr(ctx, e.orelse, guards.refine(ctx, dict(env), e.test, False)))
    if t is ir.Compare:
        expr(ctx, e.left, env)
        for c in e.comparators:
            expr(ctx, c, env)
        return EMPTY
    if t is ir.UnaryOp:
        v = expr(ctx, e.operand, env)
        return EMPTY if e.op in ("not", "typeof", "-", "+", "~", "void", "delete") else v
    if t is ir.FunctionRef:
        if not ctx.static_mode:
            ctx.engine.closure_envs[e.function] = env
        return Value(ref=Closure(e.function, env))
    if t is ir.Starred:
        return expr(ctx, e.value, env)
    if t is ir.Comprehension:
        inner = dict(env)
        for target, it in e.generators:
            statements.assign(ctx, target, statements.element(ctx, expr(ctx, it, inner)), inner)
        for c in e.conditions:
            inner = guards.refine(ctx, inner, c, True)
        el = expr(ctx, e.element, inner)
        return only_facts(all_facts(el))
    if t is ir.Unknown:
        facts: tuple = ()
        for c in e.children:
            facts += all_facts(expr(ctx, c, env))
        return only_facts(dedupe(facts))
    return EMPTY


def reads_root_var(ctx, e) -> bool:
    """Whether an expression reads one of the environment variables the configuration names as holding the
    server's roots (``root-env-vars``): ``os.environ["MCP_ROOT"]``, ``os.getenv("MCP_ROOT", ...)``,
    ``process.env.MCP_ROOT``."""
    names = ctx.engine.root_env_vars
    if isinstance(e, ir.Call):
        return any(isinstance(a, ir.Literal) and a.value in names for a in e.args)
    if isinstance(e, ir.Subscript):
        return isinstance(e.index, ir.Literal) and e.index.value in names
    if isinstance(e, ir.Attribute):
        return e.attr in names
    return False


def without_fallback_roots(ctx, value: Value) -> Value:
    """A value read from a configured root variable, with the hardcoded paths that are only its fallback
    dropped: the deployment sets the root, the literal is a default."""
    kinds = {row["kind"] for _, row in ctx.models.literal_sources}
    return replace(value, facts=without_literal_kinds(value.facts, kinds))


def without_literal_kinds(facts, kinds) -> tuple:
    """The facts that are not literal sources (no owning function) of these kinds."""
    return tuple(f for f in facts if f.origin.owner is not None or f.origin.kind not in kinds)


def literal_facts(ctx, text: str, span: ir.Span) -> tuple[Fact, ...]:
    """A constant that is a source by its text (a hardcoded absolute path), unless it is one of the roots the
    configuration says the server serves (``allowed-roots``) or lies below one."""
    if any(text == r or text.startswith((r + "/", r + "\\")) for r in ctx.engine.allowed_roots):
        return ()
    for pattern, row in ctx.models.literal_sources:
        if pattern.search(text):
            shown = text if len(text) <= 60 else text[:57] + "..."
            origin = Origin(None, -1, (), row["kind"], row["label"].format(value=shown), ctx.file, span)
            return (Fact(origin),)
    return ()


def name(ctx, e: ir.Name, env: Env) -> Value:
    v = env.get(e.id)
    if v is not None:
        return v
    if ctx.closure is not None and e.id in ctx.closure:
        return ctx.closure[e.id]
    if ctx.module is not None:
        mv = ctx.engine.module_value(ctx.module, e.id)
        if mv is not None:
            return mv
    if e.id in ("self", "this") and ctx.fn is not None:
        fn = ctx.fn
        if fn.cls is not None and fn.is_method and not any(p.kind == "self" for p in fn.params):
            return Value(ref=fn.cls)  # `this` in a static method is the class
        cls = ctx.enclosing_class()
        if cls is not None:
            return Value(ref=Instance(cls))
    return Value(qualname=e.id)  # a builtin or global: `open`, `eval`, `fetch`


def symbol_value(ctx, sym) -> Value:
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
    return context.Analysis(ctx.engine, None, None, module=sym.module).static(sym.expr)


def read_field(ctx, base: Value, attr: str, span: ir.Span) -> Value:
    known = base.field(attr)
    if known is not None:
        return known
    ref = base.ref
    if isinstance(ref, Alternatives):
        return _read_alternatives(ctx, base, ref, attr, span)
    if isinstance(ref, ir.Module):
        mv = ctx.engine.module_value(ref, attr)
        if mv is not None:
            return mv
    elif isinstance(ref, Instance):
        method = ctx.engine.project.method(ref.cls, attr)
        if method is None or summaries.is_stub(method):
            # a mixin calls a method its sibling defines (`self.upload` declared by a Protocol stub):
            # the concrete methods of the classes built on this one
            impls = [m for m in ctx.engine.implementations(ref.cls, attr) if m is not method]
            if impls:
                options = tuple(BoundMethod(m, base) for m in impls)
                return Value(ref=options[0] if len(options) == 1 else Alternatives(options))
        if method is not None and is_property(method) and not ctx.static_mode:
            # `args.commandLine` with `get commandLine()`, `self.path` with `@property`: reading runs the getter
            call = ir.Call(ir.Attribute(ir.Name("this", span), attr, span), (), (), span, False)
            got = calls.apply(ctx, method, base, [], {}, call, None)
            # a getter that reads the object's own fields: an object built from data holds that data in its
            # fields, as a plain field read assumes below (a getter that returns a constant does not)
            return join(got, Value(facts=base.facts)) if base.facts and got.const is NOCONST else got
        if method is not None:
            return Value(ref=BoundMethod(method, base))
        expr = ctx.engine.class_attrs(ref.cls).get(attr)
        declared = ctx.engine.attr_type(ref.cls, attr)
        if declared is not None and (expr is None or isinstance(expr, ir.Name)) and not base.facts:
            typed = ctx.engine.typed(ref.cls.module, declared)  # constructor(private db: Db)
            if typed is not None:
                return typed
        if expr is not None and ref.cls.module is not None and not base.facts:
            return context.Analysis(ctx.engine, None, None, module=ref.cls.module).static(expr)
    elif isinstance(ref, ir.Class):
        method = ctx.engine.project.method(ref, attr)
        if method is not None:
            return Value(ref=method)
        expr = ctx.engine.class_attrs(ref).get(attr)  # Kind.LOG, a class constant
        if expr is not None and ref.module is not None:
            return context.Analysis(ctx.engine, None, None, module=ref.module).static(expr)
    if attr in ctx.models.same_type_attrs.get(base.qualname or "", ()):
        return Value(facts=base.facts, qualname=base.qualname, derived=base.derived)  # Path(p).parent is a Path
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
    facts += attribute_facts(ctx, base, attr, span)
    return Value(facts=facts, qualname=qual, derived=base.derived)  # urlsplit(u).hostname still speaks of u


def attribute_facts(ctx, base: Value, attr: str, span: ir.Span) -> tuple[Fact, ...]:
    """A value that is a source by what it is read from (the models' ``attribute_sources``): ``attr`` of a
    library object, named by its qualified name (``...get_access_token.token``), or of a handler parameter,
    named by the parameter and the fields read from it (``extra.authInfo.token``, ``request.headers.authorization``)."""
    models = ctx.models
    if ctx.static_mode or not models.attribute_sources:
        return ()
    tails = models.attribute_tails
    if attr.lower() not in tails and "*" not in tails:
        return ()
    # (dotted name, the parameter it was read from and the path below it; -1 for a library object)
    names = [(f"{base.qualname}.{attr}", -1, ())] if base.qualname else []
    names += [(".".join((f.origin.label, *f.origin.path, attr)), f.origin.param if f.origin.owner is ctx.fn else -1,
               f.origin.path + (attr,)) for f in base.facts if f.origin.owner is not None and not f.steps]
    for dotted, param, path in names:
        row = models.attribute_source(dotted)
        if row is not None:  # the parameter is kept: a tool argument that happens to be so named is not a source
            return (Fact(Origin(None, param, path, row["kind"], row["label"].format(name=dotted), ctx.file, span)),)
    return ()


def configured(ctx, values) -> tuple[Value, ...]:
    """``process.env.ROOT ?? "/srv"``, ``os.environ.get("ROOT") or "/srv"``: next to a configuration read
    (the models' ``configuration_reads``) a literal source is an overridable default; its facts are dropped."""
    drops = frozenset()
    for v in values:
        drops |= ctx.models.configuration_drops(v.qualname)
    if not drops:
        return tuple(values)
    return tuple(replace(v, facts=without_literal_kinds(v.facts, drops)) for v in values)


def is_property(fn: ir.Function) -> bool:
    """A getter: Python ``@property``/``@cached_property``/``@functools.cached_property``, a TS ``get`` accessor."""
    for d in fn.decorators:
        name = d.id if isinstance(d, ir.Name) else d.attr if isinstance(d, ir.Attribute) else None
        if name in ("property", "cached_property"):
            return True
    return False


def _read_alternatives(ctx, base: Value, alts: Alternatives, attr: str, span: ir.Span) -> Value:
    """``tool.execute`` where ``tool`` is one of several objects: the attribute of each."""
    refs, conds, facts = [], [], []
    for i, option in enumerate(alts.options):
        v = read_field(ctx, replace(base, ref=option), attr, span)
        facts.extend(v.facts)
        if v.ref is not None:
            refs.append(v.ref)
            conds.append(alts.conds[i] if alts.conds else ())
    if not refs:
        return only_facts(dedupe(facts))
    if len(refs) == 1 and not any(conds):
        return Value(facts=dedupe(facts), ref=refs[0])
    return Value(facts=dedupe(facts), ref=Alternatives(tuple(refs), tuple(conds) if any(conds) else (), alts.owner))


def container(ctx, e: ir.Container, env: Env) -> Value:
    if e.kind == "dict":
        fields, facts = [], []
        for k, v in e.entries:
            val = expr(ctx, v, env)
            if k is None:
                fields.extend(val.fields or ())
                facts.extend(all_facts(val) if not val.fields else val.facts)
                continue
            key = expr(ctx, k, env)
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
            v = expr(ctx, it.value, env)
            if v.items is not None:
                items.extend(v.items)
            else:
                items.append(Value(facts=all_facts(v)))
                extra.extend(all_facts(v))
        else:
            items.append(expr(ctx, it, env))
    return Value(items=tuple(items))


def strbuild(ctx, e: ir.StrBuild, env: Env) -> Value:
    prefix = ""
    prefix_known = True
    facts: list[Fact] = []
    consts: list[str] | None = []
    last = EMPTY
    step = ctx.step(e.how, e.span)
    for part in e.parts:
        v = expr(ctx, part, env)
        last = v
        pf = all_facts(v)
        if pf:
            host_fixed = prefix_known and bool(HOST_FIXED.match(prefix)) if prefix else False
            # `--name=${x}`, `-n${x}`: the element starts with a literal, so it is never an option of its own
            no_dash = frozenset({"argument"}) if prefix_known and prefix else frozenset()
            for f in pf:
                if "content" in f.props:  # `${file}.tmp` names another file: not the one the data was written to
                    continue
                props = frozenset({"host-fixed"}) if host_fixed or "host-fixed" in f.props else frozenset()
                facts.append(replace(f, props=props, safe=f.safe | no_dash).then(step))
        s = const_str(v)
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
