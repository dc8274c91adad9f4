"""What the engine computes and hands on: sink flows, effects, summaries, environments, access-path
keys, and the constants that bound the analysis."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import ir
from ..values import EMPTY, BoundMethod, Closure, Fact, Value, join


MAX_FLOWS = 256
MAX_CALL_DEPTH = 300  # nested summaries (helpers calling helpers); beyond it the engine says where it stopped
SEPARATORS = ("/", "\\")
HOST_FIXED = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#{}]+[/?#]|^/(?!/)|^\?")
TEST_FORMS = (ir.Compare, ir.BoolOp, ir.UnaryOp, ir.Call)  # expressions a boolean variable may hold as a test
CALLABLE = (ir.Function, Closure, BoundMethod)


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


def const_str(v: Value) -> str | None:
    return v.const if isinstance(v.const, str) else None


def join_env(a: Env | None, b: Env | None) -> Env | None:
    if a is None:
        return b
    if b is None or a is b:
        return a
    out = dict(a)
    for k, v in b.items():
        prev = out.get(k)
        out[k] = v if prev is None else join(prev, v)
    return out
