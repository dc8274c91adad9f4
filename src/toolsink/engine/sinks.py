"""Sinks: model rows with their conditions, argv lists split into the program and its arguments (options,
their values, ``--``), and the flows recorded in the function's summary."""

from __future__ import annotations

import fnmatch

from .. import ir
from ..values import NOCONST, Value, all_facts, is_option
from .records import MAX_FLOWS, Effect, SinkFlow


def _arg(ctx, row_arg: int, args, kwargs, name: str | None = None) -> Value | None:
    if row_arg < len(args):
        return args[row_arg]
    return kwargs.get(name) if name else None


def condition(cond: dict, e: ir.Call, args, kwargs) -> bool:
    if "any_arg" in cond:  # min(x, 20): a number whatever x is (or an error)
        return any(isinstance(a.const, (int, float)) and not isinstance(a.const, bool) for a in args)
    if "literal_in" in cond:  # name.replace(/]/g, "]]"): the written literal (or regex literal's pattern)
        i = cond.get("arg", 0)
        return i < len(e.args) and literal_text(e.args[i]) in cond["literal_in"]
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


_SAFE_HTTP_METHODS = frozenset({"get", "head", "options"})
_STATE_HTTP_METHODS = frozenset({"post", "put", "patch", "delete"})


def _changes_state(name: str, args, kwargs) -> bool:
    """Whether an outbound request can change state elsewhere: HTTP semantics, not a library's name. A verb
    in the callee (`requests.post`, `axios.delete`) or a `method` option (`fetch(url, {method: "POST"})`,
    `request("PUT", url)`) decides; a request whose method is not known counts as one that may."""
    verb = name.rsplit(".", 1)[-1].lower()
    if verb in _STATE_HTTP_METHODS:
        return True
    if verb in _SAFE_HTTP_METHODS:
        return False
    method = kwargs.get("method")
    for a in args[1:3]:
        if method is None and a.field("method") is not None:
            method = a.field("method")
    if method is None and args and isinstance(args[0].const, str) and args[0].const.lower() in (
            _SAFE_HTTP_METHODS | _STATE_HTTP_METHODS):
        method = args[0]
    if method is None:  # clients default to GET; a generic `request` without a known method may do anything
        return verb == "request"
    const = method.const
    return not (isinstance(const, str) and const.lower() in _SAFE_HTTP_METHODS)


def check_sink(ctx, row: dict, e: ir.Call, name: str, args, kwargs, receiver) -> None:
    if any(not condition(c, e, args, kwargs) for c in row.get("when", ())):
        return
    if any(condition(c, e, args, kwargs) for c in row.get("unless", ())):
        return
    kind = row["kind"]
    positions = row.get("args", ())
    positional = [args[i] for i in positions if i < len(args)]
    keywords = [kwargs[k] for k in row.get("kwargs", ()) if k in kwargs]
    if (row.get("writes") or kind in ("shell-command", "program", "url", "code")) and len(ctx.summary.effects) < 64:
        destructive = bool(row.get("destructive")) or kind == "shell-command"
        writes = bool(row.get("writes")) or kind == "url" and _changes_state(name, args, kwargs)
        if kind == "path" and _scratch_only(positional + keywords):
            destructive = writes = False  # the handler's own file in a temporary directory it made
        ctx.summary.effects.append(Effect(kind, name, ctx.file, e.span, destructive, writes))
    if kind == "argument" and len(positions) > 1:
        # os.execl(prog, prog, "-n", x), repo.git.branch("--contains", *extra): the positional arguments are
        # one argv, read in order (options and their values, `--`); a list argument (sg.diff(["--stat", rev]))
        # is spliced in its place
        argv: list[Value] = []
        for a in positional:
            argv.extend(a.items + ((Value(facts=a.facts),) if a.facts else ()) if a.items is not None else (a,))
        values: list[Value] = [Value(items=tuple(argv))] + keywords
    else:
        values = positional + keywords
    if row.get("receiver_is_sink") and receiver is not None:
        values.append(receiver)
    prop = row.get("property")
    if prop:
        values = [v.field(prop) for v in values if v.field(prop) is not None]
    ignore = frozenset(row.get("ignore_props", ()))
    program = row.get("program") or (program_name(ctx, args[0]) if kind == "argument" and args else None)
    for v in values:
        if kind == "argv" or kind == "argument":
            check_argv(ctx, v, kind, name, e, ignore, program)
        else:
            hit(ctx, all_facts(v), kind, name, e, ignore)


def _scratch_only(values) -> bool:
    """Every path the sink acts on lies below a temporary directory the server made (a ``scratch`` source,
    see the models) and holds nothing else that is data."""
    facts = [f for v in values for f in all_facts(v)]
    return bool(values) and bool(facts) and all(f.origin.kind == "scratch" for f in facts)


def check_argv(ctx, v: Value, kind: str, name: str, e: ir.Call, ignore, program=None) -> None:
    if v.items is None and kind == "argument":
        # a list handed in by the caller (`run(cmd, args)` wrapping execFile): its positions are known
        # only at the call site, so flows from an untouched parameter are checked there (see apply)
        deferred = tuple(f for f in all_facts(v) if f.origin.owner is ctx.fn and not f.steps)
        for f in deferred:
            if "argument" not in f.safe:
                add_flow(ctx, SinkFlow(f, "argument", name, ctx.file, e.span, tuple(ctx.conds), ignore,
                                       argv=True, program=program))
        rest = tuple(f for f in all_facts(v) if f not in deferred)
        hit(ctx, not_absolute(rest), "argument", name, e, ignore)
        return
    for facts, which in argv_hits(ctx, v, kind, program):
        hit(ctx, facts, which, name, e, ignore)


def argv_hits(ctx, v: Value, kind: str, program=None) -> list[tuple[tuple, str]]:
    """The facts of an argv list that reach the program or can act as an option: not after ``--``, not
    the value of an option that takes one (``--path <v>``, ``-C <v>``; see ``rules/models/programs.yml``),
    not an absolute path (it starts with ``/``), not a string that starts with a literal."""
    if v.items is None:
        if kind == "argv":
            return [(all_facts(v), "program")]
        takes_value, flags, _ = _options(ctx, program)
        return [(_positional(all_facts(v), takes_value, flags), "argument")]
    out: list[tuple[tuple, str]] = []
    items = v.items
    if kind == "argv" and items:
        out.append((all_facts(items[0]), "program"))
        program = program_name(ctx, items[0])
        items = items[1:]
    takes_value, flags, runs = _options(ctx, program)
    after_dashdash = expects_value = False
    runs_as = None
    script = _base(program) in ctx.models.script_runners  # python FILE: the first operand is run
    for item in items:
        c = item.const
        if script and not (isinstance(c, str) and c.startswith("-")) and not expects_value and runs_as is None:
            script = False  # the script file: what was written into it runs as code
            content = tuple(f for f in all_facts(item) if "content" in f.props)
            if content:
                out.append((content, "code"))
        if runs_as is not None:  # python -c CODE, sh -c CMD: the value is run
            out.append((all_facts(item), runs_as))
            runs_as = None
            continue
        if c == "--":  # never an option's value: git and getopt end options there
            after_dashdash = True
            continue
        if expects_value:
            expects_value = False
            continue
        if isinstance(c, str) and c in runs and not after_dashdash:
            runs_as = runs[c]
            continue
        if after_dashdash:
            continue
        if isinstance(c, str) and c.startswith("-") and len(c) > 1:
            expects_value = is_option(c) and _takes_value(c, takes_value, flags)
            continue
        # an element that is itself a list of several shapes (`*("--contains", x)` or `(None,)`) keeps marks
        out.append((_positional(all_facts(item), takes_value, flags), "argument"))
    if v.facts and not after_dashdash:  # elements appended later (cmd.extend(args), cmd.push(x))
        out.append((_positional(v.facts, takes_value, flags), "argument"))
    return out


def _options(ctx, program) -> tuple:
    """What programs.yml says of ``program`` (matched by base name): its options that take a value, its long
    options that are flags, and the options whose value it runs (``{"-c": "code"}``)."""
    base = _base(program)
    if not base:
        return (), (), {}
    takes_value, flags = ctx.models.options.get(base, (frozenset(), frozenset()))
    return takes_value, flags, ctx.models.option_kinds.get(base, {})


def program_name(ctx, v: Value) -> str | None:
    """The program a value names: a string, or a name the models give a program (``sys.executable``)."""
    if isinstance(v.const, str):
        return v.const
    return ctx.models.program_aliases.get(v.qualname or "")


def _base(program) -> str | None:
    return program.replace("\\", "/").rsplit("/", 1)[-1] if isinstance(program, str) else None


def _takes_value(option: str, takes_value, flags) -> bool:
    """Whether the next argv element is this option's value: listed as taking one, or a long option that is
    not a known flag."""
    return option in takes_value or option.startswith("--") and option not in flags


def _positional(facts, takes_value, flags) -> tuple:
    """Facts of an argv element that can act as an option: not an absolute path, and not placed (by a
    :func:`placed_facts` mark) after ``--`` or right after an option that takes a value."""
    return tuple(f for f in not_absolute(facts) if not _placed(f, takes_value, flags))


def _placed(f, takes_value, flags) -> bool:
    for p in f.props:
        if p == "after:--":
            return True
        if p.startswith("option:"):
            return _takes_value(p[len("option:"):], takes_value, flags)
    return False


def hit(ctx, facts, kind: str, name: str, e: ir.Call, ignore) -> None:
    for f in facts:
        if kind in f.safe or (ignore and ignore & f.props):
            continue
        if "content" in f.props and kind != "code":  # what a file holds matters only where it is run
            continue
        add_flow(ctx, SinkFlow(f, kind, name, ctx.file, e.span, tuple(ctx.conds), ignore))


def add_flow(ctx, flow: SinkFlow) -> None:
    key = (flow.fact.origin, flow.kind, flow.file, flow.span, flow.conds, flow.fact.notes)
    if key in ctx._flow_keys or len(ctx.summary.flows) >= MAX_FLOWS:
        return
    ctx._flow_keys.add(key)
    ctx.summary.flows.append(flow)


def literal_text(expr) -> str | None:
    """A string literal's text, or the pattern of a regex literal (``/]/g`` is lowered to ``RegExp("]")``)."""
    if isinstance(expr, ir.Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ir.Call) and expr.new and isinstance(expr.func, ir.Name) and expr.func.id == "RegExp" \
            and expr.args and isinstance(expr.args[0], ir.Literal):
        return expr.args[0].value
    return None


def not_absolute(facts) -> tuple:
    """Facts of values that may start with ``-``: an absolute path (``path.resolve(p)``) cannot."""
    return tuple(f for f in facts if "absolute" not in f.props)
