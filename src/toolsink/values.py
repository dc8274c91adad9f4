"""The abstract values the taint engine computes: facts (where taint came from and how it travelled) and
values (facts plus what the engine knows statically: a library qualified name, a project function or
class, a constant, known fields and items).

Values are immutable; joins make new ones. A fact's ``origin`` is either a parameter of the function
being summarised (``owner`` set) or a real source (``owner`` None: remote content, model output).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import ir

MAX_FACTS = 6
MAX_STEPS = 14
MAX_PATH = 3  # request.params.arguments.cmd: deep enough to name the argument of a low-level handler


class _NoConst:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOCONST"


NOCONST = _NoConst()


@dataclass(frozen=True, slots=True)
class Origin:
    owner: object  # ir.Function whose parameter this is, or None for a real source
    param: int
    path: tuple[str, ...]
    kind: str  # "param" | "remote-content" | "model-output" ...
    label: str  # parameter name, or "response of `requests.get`"
    file: str
    span: ir.Span


@dataclass(frozen=True, slots=True)
class Step:
    message: str
    file: str
    span: ir.Span


@dataclass(frozen=True, slots=True)
class Fact:
    origin: Origin
    steps: tuple[Step, ...] = ()
    safe: frozenset = frozenset()  # sink kinds this value can no longer harm
    props: frozenset = frozenset()  # "resolved", "host-fixed" ...
    notes: tuple[str, ...] = ()  # guards that did not count, and why

    def then(self, step: Step) -> "Fact":
        steps = self.steps
        if steps and steps[-1] == step:
            return self
        if len(steps) >= MAX_STEPS:
            steps = steps[: MAX_STEPS // 2] + steps[-(MAX_STEPS // 2 - 1):]
        return Fact(self.origin, steps + (step,), self.safe, self.props, self.notes)


@dataclass(frozen=True, slots=True)
class BoundMethod:
    function: ir.Function
    receiver: "Value"


@dataclass(frozen=True, slots=True)
class Instance:
    cls: ir.Class


@dataclass(frozen=True, slots=True)
class Closure:
    function: ir.Function
    env: object  # the defining environment (dict), read-only by convention


MAX_ALTERNATIVES = 8


@dataclass(frozen=True, slots=True)
class Alternatives:
    """Several things a value may denote: a registry entry (``TOOLS[name]``), a factory that returns one of
    several classes, a variable assigned in two branches. Calls and attribute reads try each option.
    ``conds`` holds, per option, the dispatch conditions under which it is the one chosen (the registry key
    compared with a tool-name parameter of ``owner``), so findings through it name that tool."""

    options: tuple
    conds: tuple = ()
    owner: object = None

    def conds_for(self, index: int, fn) -> tuple:
        return self.conds[index] if self.conds and self.owner is fn and index < len(self.conds) else ()


def _same_ref(a, b) -> bool:
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, Instance):
        return a.cls is b.cls
    if isinstance(a, (BoundMethod, Closure)):
        return a.function is b.function
    return False


def options_of(ref) -> tuple:
    return ref.options if isinstance(ref, Alternatives) else (ref,) if ref is not None else ()


def join_refs(a, b):
    """Both of two references, bounded; the same reference once."""
    if a is None:
        return b
    if b is None or _same_ref(a, b):
        return a
    out = list(options_of(a))
    for o in options_of(b):
        if len(out) < MAX_ALTERNATIVES and not any(_same_ref(o, x) for x in out):
            out.append(o)
    return out[0] if len(out) == 1 else Alternatives(tuple(out))


@dataclass(frozen=True, slots=True)
class Value:
    facts: tuple[Fact, ...] = ()
    qualname: str | None = None  # the library object or function this denotes
    ref: object = None  # ir.Function | ir.Class | ir.Module | BoundMethod | Instance | Closure
    const: object = NOCONST
    fields: tuple[tuple[str, "Value"], ...] | None = None
    items: tuple["Value", ...] | None = None
    ends_sep: bool = False  # a string known to end with a path separator
    derived: str | None = None  # variable this was derived from (``path.relative(root, p)`` -> "p")
    same_file: bool = False  # ``derived`` names the same file (path.resolve(p), path.relative(root, p))
    cond: object = None  # the test a boolean variable holds (``ok = p.startswith(root)``), for later guards
    validated: tuple = ()  # origins of the facts a guard removed (``if name in TOOLS``): still the tool name

    def field(self, key: str) -> "Value | None":
        if self.fields:
            for k, v in self.fields:
                if k == key:
                    return v
        return None


EMPTY = Value()


def all_facts(value: Value, _depth: int = 0) -> tuple[Fact, ...]:
    """Facts of a value and of everything it contains (fields of dicts, items of lists)."""
    if not value.fields and not value.items:
        return value.facts
    out = list(value.facts)
    if _depth < 4:
        for _, v in value.fields or ():
            out.extend(all_facts(v, _depth + 1))
        for v in value.items or ():
            out.extend(all_facts(v, _depth + 1))
    return dedupe(out)


def dedupe(facts) -> tuple[Fact, ...]:
    seen: dict[tuple, Fact] = {}
    for f in facts:
        key = (f.origin, f.safe, f.props, f.notes)
        prev = seen.get(key)
        if prev is None:
            if len(seen) >= MAX_FACTS:
                continue
            seen[key] = f
        elif len(f.steps) < len(prev.steps):
            seen[key] = f
    return tuple(seen.values())


def join(a: Value | None, b: Value | None) -> Value:
    if a is None:
        return b if b is not None else EMPTY
    if b is None or a is b:
        return a
    facts = dedupe(a.facts + b.facts) if a.facts and b.facts else a.facts or b.facts
    fields = None
    if a.fields is not None or b.fields is not None:
        merged: dict[str, Value] = {}
        for k, v in (a.fields or ()):
            merged[k] = v
        for k, v in (b.fields or ()):
            merged[k] = join(merged.get(k), v)
        fields = tuple(merged.items())
    items = a.items if a.items == b.items else _join_registry(a.items, b.items)
    if items is None and (a.items or b.items):  # two argv lists of different shapes: keep each one's order as marks
        extra = dedupe(placed_facts(a.items or ()) + placed_facts(b.items or ()))
        facts = dedupe(facts + extra)
    return Value(
        facts=facts,
        qualname=a.qualname or b.qualname,
        ref=join_refs(a.ref, b.ref),
        const=a.const if a.const == b.const else NOCONST,
        fields=fields,
        items=items,
        ends_sep=a.ends_sep and b.ends_sep,
        derived=a.derived if a.derived == b.derived else None,
        same_file=a.same_file and b.same_file and a.derived == b.derived,
        validated=a.validated if a.validated == b.validated else (),
    )


def is_option(c) -> bool:
    """A literal argv element that names an option (``-n``, ``--path``), not one that also holds its value
    (``--path=x``)."""
    return isinstance(c, str) and c.startswith("-") and len(c) > 1 and "=" not in c


def placed_facts(items) -> tuple[Fact, ...]:
    """Facts of list elements, each remembering the literal option right before it (``option:-n``) or a
    ``--`` before it (``after:--``): for argv lists whose positions are lost (elements appended later, two
    lists joined), an argv sink reads each value's place from the mark."""
    out: list[Fact] = []
    prev = None
    dashdash = False
    for item in items:
        c = prev.const if prev is not None else None
        dashdash = dashdash or c == "--"
        mark = "after:--" if dashdash else (f"option:{c}" if is_option(c) else None)
        out.extend(replace(f, props=f.props | {mark}) if mark else f for f in all_facts(item))
        prev = item
    return tuple(out)


def _join_registry(a, b):
    """Two lists of objects (``tools.append(Tool())`` in a branch or a loop): every object, once. Lists of
    data keep their positions (argv), so they are joined only when every entry is an object."""
    entries = (a or ()) + (b or ())
    if not entries or any(v.ref is None for v in entries):
        return None
    out: list[Value] = []
    for v in entries:
        if len(out) < MAX_ALTERNATIVES and not any(_same_ref(v.ref, o.ref) for o in out):
            out.append(v)
    return tuple(out)


def validated_value(value: Value) -> Value:
    """``value`` after a guard validated it: no taint left, but still known to be the parameter it came
    from (``if name in TOOLS``: ``name`` is still the tool name, for dispatch attribution)."""
    kept = tuple(f.origin for f in value.facts if not f.steps and f.origin.owner is not None)[:2]
    return replace(value, facts=(), validated=kept)


def with_facts(value: Value, facts: tuple[Fact, ...]) -> Value:
    return replace(value, facts=facts)


def only_facts(facts: tuple[Fact, ...]) -> Value:
    return Value(facts=facts) if facts else EMPTY
