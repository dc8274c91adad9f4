"""Guards: how a test refines the environment on each branch: membership, equality, regex and containment
checks from the guard models, dispatch conditions (``if name == 'x'``), validators, and what a guard
establishes (validated, contained, host-fixed, no leading dash)."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import replace

from .. import ir
from ..values import NOCONST, Value, all_facts, validated_value
from .records import SEPARATORS, Env, join_env, key_of
from . import expressions, predicates


def conds_for(ctx, subject: Value, literal) -> list:
    for f in subject.facts:
        if f.origin.owner is ctx.fn and not f.steps:
            return [(f.origin.param, f.origin.path, literal)]
    for origin in subject.validated:
        if origin.owner is ctx.fn:
            return [(origin.param, origin.path, literal)]
    return []


def dispatch_conds(ctx, test, env: Env) -> list:
    if isinstance(test, ir.Compare) and len(test.ops) == 1 and test.ops[0] == "==":
        left, right = test.left, test.comparators[0]
        lv, rv = expressions.expr(ctx, left, env), expressions.expr(ctx, right, env)
        if rv.const is not NOCONST and lv.facts:
            return conds_for(ctx, lv, rv.const)
        if lv.const is not NOCONST and rv.facts:
            return conds_for(ctx, rv, lv.const)
    if isinstance(test, ir.BoolOp) and test.op == "and":
        out = []
        for v in test.values:
            out.extend(dispatch_conds(ctx, v, env))
        return out
    return []


def refine(ctx, env: Env, test, truth: bool, depth: int = 0) -> Env:
    t = type(test)
    if t is ir.Name and depth < 4:  # `if (!isAllowed)` where isAllowed holds a test
        v = env.get(test.id)
        if v is not None and v.cond is not None:
            return refine(ctx, env, v.cond, truth, depth + 1)
        return env
    if t is ir.UnaryOp and test.op == "not":
        return refine(ctx, env, test.operand, not truth)
    if t is ir.BoolOp:
        if (test.op == "and" and truth) or (test.op == "or" and not truth):
            for v in test.values:
                env = refine(ctx, env, v, truth)
            return env
        if test.op in ("and", "or") and depth < 4:  # one of the branches held: what all of them establish
            before = dict(env)
            branches = [refine(ctx, dict(env), v, truth, depth + 1) for v in test.values]
            out = None
            for b in branches:
                out = join_env(out, b)
            env.update(out or {})
            _related_membership(ctx, env, before, branches)
        return env
    if t is ir.Compare and len(test.ops) == 1:
        op = test.ops[0]
        left, right = test.left, test.comparators[0]
        if op in ("in", "not in"):
            holds = (op == "in") == truth
            for g in ctx.models.compare_guards:
                if g.get("compare") == "in" and holds == g.get("branch", True):
                    apply_effect(ctx, g["effect"], left, env, test, g)
            return env
        if op in ("==", "!=", "is", "is not"):
            eq = op in ("==", "is")
            for side in (left, right):  # common = os.path.commonpath([...]); if common != base: raise
                held = env.get(side.id) if isinstance(side, ir.Name) else None
                if held is not None and isinstance(held.cond, ir.Call) and _is_guard_call(ctx, held.cond, env):
                    return refine(ctx, env, held.cond, truth if eq else not truth, depth + 1)
            if isinstance(left, ir.Call) or isinstance(right, ir.Call):
                call = left if isinstance(left, ir.Call) else right
                return refine(ctx, env, call, truth if eq else not truth)
            if eq == truth:
                for a, b in ((left, right), (right, left)):
                    bv = expressions.expr(ctx, b, env)
                    key = key_of(a)
                    if key is None or key not in env:
                        continue
                    held = env[key]
                    if is_bare_separator(bv) and not all_facts(held):
                        env[SEPARATOR_ROOT] = held  # `dir === path.sep`: this allowed root is the filesystem root
                    if bv.const is not NOCONST and bv.const is not None:
                        env[key] = Value(const=bv.const)
                    elif not all_facts(bv) and isinstance(b, (ir.Name, ir.Attribute, ir.Subscript)):
                        env[key] = bv  # equal to an untainted value: it is that value (p == root)
                    else:
                        continue
                    source = derived_source(env, key, held)
                    if source is not None:  # resolve(p) === root: `p` names that file
                        confine(ctx, env, held.derived, source)
        return env
    if t is ir.Call:
        fv = expressions.expr(ctx, test.func, env)
        call_guard(ctx, test, fv, env, truth)
        predicates.predicate_guard(ctx, test, fv, env, truth)
    return env


def _related_membership(ctx, env: Env, before: Env, branches: list[Env]) -> None:
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


def _is_guard_call(ctx, call: ir.Call, env: Env) -> bool:
    method = call.func.attr if isinstance(call.func, ir.Attribute) else None
    return bool(ctx.models.guards.match(expressions.expr(ctx, call.func, env).qualname, method))


def call_guard(ctx, call: ir.Call, fv: Value, env: Env, truth: bool) -> None:
    method = call.func.attr if isinstance(call.func, ir.Attribute) else None
    for g in ctx.models.guards.match(fv.qualname, method):
        if g.get("branch", True) != truth:
            continue
        lits = g.get("args_literal")
        if lits is not None:
            if not call.args or expressions.expr(ctx, call.args[0], env).const not in lits:
                continue
        elif "prefix" in g and call.args:
            first = expressions.expr(ctx, call.args[0], env)
            if first.const in ("-", ".."):
                continue
        if "class_in" in g:
            spec = g["class_in"]
            cls = expressions.expr(ctx, call.args[spec["arg"]], env).qualname if spec["arg"] < len(call.args) else None
            names = [spec["classes"]] if isinstance(spec["classes"], str) else spec["classes"]
            if not cls or not any(fnmatch.fnmatchcase(cls, n) for n in names):
                continue
        if "host_pattern" in g:
            idx = g["host_pattern"]
            pat = expressions.expr(ctx, call.args[idx], env).const if idx < len(call.args) else None
            starts = method in ("match", "fullmatch") or (fv.qualname or "").endswith(("match", "fullmatch"))
            if not isinstance(pat, str) or not fixes_host(pat, starts):
                continue
        if "anchored_pattern" in g:
            idx = g["anchored_pattern"]
            pat = expressions.expr(ctx, call.args[idx], env).const if idx < len(call.args) else None
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
                if _guard_per_item(ctx, s, call, env, truth):
                    continue
                body = predicates.returned_test(s)
                if body is not None:
                    refine(ctx, env, body, truth)
                elif isinstance(s, ir.FunctionRef):
                    predicates.callback_outcome(ctx, s, env, truth)
            continue
        for s in subjects:
            apply_effect(ctx, g["effect"], s, env, call, g)


def _guard_per_item(ctx, subject, call: ir.Call, env: Env, truth: bool) -> bool:
    """``any(re.match(p, url) for p in PATTERNS)``, ``PATTERNS.some(p => p.test(url))`` over constants:
    the test with each constant in turn; what every one of them establishes holds."""
    if isinstance(subject, ir.Comprehension) and len(subject.generators) == 1:
        target, iterable = subject.generators[0]
        body = subject.element
    elif isinstance(subject, ir.FunctionRef) and isinstance(call.func, ir.Attribute) and subject.function.params:
        target = ir.Name(subject.function.params[0].name, subject.span)
        iterable, body = call.func.value, predicates.returned_test(subject)
    else:
        return False
    if not isinstance(target, ir.Name) or body is None:
        return False
    items = expressions.expr(ctx, iterable, env).items
    if not items or len(items) > 32 or any(i.const is NOCONST for i in items):
        return False
    out = None
    for item in items:
        out = join_env(out, refine(ctx, {**env, target.id: item}, body, truth))
    for k, v in (out or {}).items():
        if k != target.id:
            env[k] = v
    return True


def unwrap(ctx, expr, env: Env) -> tuple[str | None, bool, bool]:
    """The variable a guard is about, whether the checked expression resolved it first, and whether
    it was reached through a derived value (``path.relative(root, p)``)."""
    resolved = False
    derived = False
    for _ in range(6):
        if isinstance(expr, ir.Await):
            expr = expr.value
            continue
        if isinstance(expr, ir.Call):
            fv = expressions.expr(ctx, expr.func, env)
            method = expr.func.attr if isinstance(expr.func, ir.Attribute) else None
            rows = ctx.models.sanitizers.match(fv.qualname, method)
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


def derived_source(env: Env, key: str, value: Value) -> Value | None:
    """The tainted variable ``value`` (held in ``key``) is a copy of (``path.resolve(p)``, ``squash(p)``), if any."""
    source = env.get(value.derived) if value.derived and value.derived != key else None
    return source if source is not None and source.facts else None


def confine(ctx, env: Env, key: str, value: Value) -> None:
    """``key`` is confined to an allowed root from here on: safe for file sinks."""
    note_validated(ctx, key, value, "path")
    env[key] = replace(value, facts=tuple(replace(f, safe=f.safe | {"path"}) for f in value.facts))


# a key no variable can have: set where an allowed root was found equal to the bare separator, so that
# `p.startsWith(path.sep)` on that branch tests containment in that root (the filesystem root itself)
SEPARATOR_ROOT = "\0separator-root"


def is_bare_separator(v: Value) -> bool:
    """``"/"``, ``"\\"`` or ``path.sep``/``os.sep`` alone: a prefix that every absolute path has."""
    if v.facts:
        return False
    if v.const is not NOCONST:
        return v.const in SEPARATORS
    return (v.qualname or "").endswith((".sep", ".os.sep")) and v.qualname not in ("os.pathsep",)


def note_validated(ctx, key: str, value: Value, what: str) -> None:
    if ctx.fn is not None and "." not in key and any(
            f.origin.owner is ctx.fn and not f.steps for f in value.facts):
        ctx.validated[key] = what


def apply_effect(ctx, effect: str, subject, env: Env, call, row) -> None:
    key, resolved_inline, through_derive = unwrap(ctx, subject, env)
    if key is None:
        return
    value = env.get(key)
    if value is None:
        value = expressions.expr(ctx, subject, env) if isinstance(subject, (ir.Name, ir.Attribute)) else None
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
        note_validated(ctx, key, value, "all")
        env[key] = validated_value(value)
        source = derived_source(env, key, value)
        if source is not None:
            # `normalize(p) === root`: the copy is one allowed path, so `p` names that file (for file sinks)
            confine(ctx, env, value.derived, source)
        return
    if effect == "host-fixed":  # re.match(r"^https://docs\.example\.com/", url)
        env[key] = replace(value, facts=tuple(replace(f, props=f.props | {"host-fixed"}) for f in value.facts))
        return
    if effect == "no-dash":
        note_validated(ctx, key, value, "argument")
        env[key] = replace(value, facts=tuple(replace(f, safe=f.safe | {"argument"}) for f in value.facts))
        return
    if effect == "contains":
        resolved = resolved_inline or (value.facts and all("resolved" in f.props for f in value.facts))
        source = derived_source(env, key, value)
        source_resolved = bool(source is not None and all("resolved" in f.props for f in source.facts))
        resolved = resolved or source_resolved  # `squash(real)` of a resolved `real` is resolved too
        note = None
        if row is not None and "prefix" in row and isinstance(call, ir.Call) and row["prefix"] < len(call.args):
            pv = expressions.expr(ctx, call.args[row["prefix"]], env)
            method = call.func.attr if isinstance(call.func, ir.Attribute) else "startswith"
            if is_bare_separator(pv):
                if SEPARATOR_ROOT not in env:
                    note = (f"the check `{method}(\"/\")` only says the path is absolute; the filesystem root "
                            "confines nothing")
            elif not pv.ends_sep:
                note = (f"the containment check `{method}(root)` has no trailing separator, so a sibling "
                        "such as `/data-evil` passes as inside `/data`")
        if note is None and not resolved:
            note = ("the containment check runs before the path is resolved, so `..` segments and symlinks "
                    "can still leave the root")
        if note is None:
            confine(ctx, env, key, value)
            if source_resolved or (source is not None and value.same_file and resolved):
                # the check ran on a copy of a resolved path (`squash(real)`), or on path.resolve(p) itself,
                # which names the same file as `p`: it holds of the source too
                confine(ctx, env, value.derived, source)
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
