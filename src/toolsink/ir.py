"""The small language-neutral intermediate representation (IR).

Frontends (``toolsink.frontends.*``) lower a tree-sitter tree into these records; everything after that
(the index, entry points, the taint engine, metadata checks) works on the IR only and never looks at a
syntax tree or knows which language it came from.

Design notes:
- Every node carries a :class:`Span`: 1-based lines, 1-based columns counted in Unicode code points
  (reporters convert to UTF-16 where a protocol wants it).
- Expressions are reduced to a handful of forms. What the engine does not model is kept as
  :class:`Unknown` with its children, so taint still flows through it.
- String building (f-strings, template literals, ``+`` on strings, ``%``, ``.format``, ``.join``) is its
  own node so traces can say *how* a string was built.
- Nodes are hashable value records (``unsafe_hash=True``) and treated as immutable; they are not
  ``frozen`` because a frozen dataclass sets each field through ``object.__setattr__``, which made
  building a node about three times slower (lowering builds hundreds of thousands of them). Nothing
  assigns to a node after construction; a test checks that no code does.
- Destructuring (tuple unpacking, object patterns) is a target form, so parameters written as patterns
  are lowered to a synthetic parameter plus a destructuring assignment at the top of the body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .diagnostic import Diagnostic  # noqa: F401  (defined apart so discovery need not import the IR)


@dataclass(unsafe_hash=True, slots=True)
class Span:
    line: int
    col: int
    end_line: int
    end_col: int


NO_SPAN = Span(0, 0, 0, 0)


# --------------------------------------------------------------------------- expressions


@dataclass(unsafe_hash=True, slots=True)
class Name:
    id: str
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Attribute:
    value: "Expr"
    attr: str
    span: Span
    optional: bool = False  # a?.b


@dataclass(unsafe_hash=True, slots=True)
class Subscript:
    value: "Expr"
    index: "Expr"
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Literal:
    """A constant. ``value`` is the decoded value (escapes resolved) for strings."""

    value: object
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class StrBuild:
    """A string built from parts; ``how`` names the construct for traces ("f-string", "template literal")."""

    parts: tuple["Expr", ...]
    how: str
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Starred:
    """``*xs`` / ``**kw`` / ``...xs`` inside a call, container or pattern."""

    value: "Expr"
    span: Span
    double: bool = False


@dataclass(unsafe_hash=True, slots=True)
class Keyword:
    name: str
    value: "Expr"
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Call:
    func: "Expr"
    args: tuple["Expr", ...]  # positional, may contain Starred
    keywords: tuple[Keyword, ...]
    span: Span
    new: bool = False  # `new X(...)`

    def kwarg(self, name: str) -> "Expr | None":
        for kw in self.keywords:
            if kw.name == name:
                return kw.value
        return None


@dataclass(unsafe_hash=True, slots=True)
class Container:
    """list / tuple / set (``items``) or dict / object literal (``entries``: key or None for spread)."""

    kind: str  # "list" | "tuple" | "set" | "dict"
    items: tuple["Expr", ...] = ()
    entries: tuple[tuple["Expr | None", "Expr"], ...] = ()
    span: Span = NO_SPAN


@dataclass(unsafe_hash=True, slots=True)
class FunctionRef:
    """A lambda, arrow function or function expression used as a value."""

    function: "Function"
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class BinOp:
    op: str
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Compare:
    """``left op0 c0 op1 c1 ...``; ops use Python spelling ("==", "!=", "in", "not in", "is", "<" ...)."""

    left: "Expr"
    ops: tuple[str, ...]
    comparators: tuple["Expr", ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class BoolOp:
    op: str  # "and" | "or" | "??"
    values: tuple["Expr", ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class UnaryOp:
    op: str  # "not" | "-" | "+" | "~" | "typeof" ...
    operand: "Expr"
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Conditional:
    test: "Expr"
    body: "Expr"
    orelse: "Expr"
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Await:
    value: "Expr"
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Comprehension:
    """``[element for target in iter if cond]``: each generator binds ``target`` to an element of ``iter``."""

    generators: tuple[tuple["Target", "Expr"], ...]
    element: "Expr"
    conditions: tuple["Expr", ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Unknown:
    """Syntax the IR does not model; taint flows from ``children`` to the result."""

    kind: str
    children: tuple["Expr", ...]
    span: Span


Expr = Union[
    Name, Attribute, Subscript, Literal, StrBuild, Starred, Call, Container, FunctionRef, BinOp,
    Compare, BoolOp, UnaryOp, Conditional, Await, Comprehension, Unknown,
]


# --------------------------------------------------------------------------- assignment targets


@dataclass(unsafe_hash=True, slots=True)
class TuplePattern:
    """``a, (b, *c) = ...`` / ``[a, b] = ...``"""

    elts: tuple["Target", ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class PatternProp:
    key: str | None  # None: rest element (``...rest``)
    target: "Target"
    default: "Expr | None" = None


@dataclass(unsafe_hash=True, slots=True)
class ObjectPattern:
    """``const { a, b: c = 1, ...rest } = ...``"""

    props: tuple[PatternProp, ...]
    span: Span


Target = Union[Name, Attribute, Subscript, Starred, TuplePattern, ObjectPattern]


# --------------------------------------------------------------------------- statements


@dataclass(unsafe_hash=True, slots=True)
class Assign:
    targets: tuple[Target, ...]
    value: Expr | None
    span: Span
    op: str | None = None  # augmented assignment operator ("+")
    annotation: Expr | None = None


@dataclass(unsafe_hash=True, slots=True)
class ExprStmt:
    value: Expr
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Return:
    value: Expr | None
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Raise:
    value: Expr | None
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Jump:
    """``break`` / ``continue``: ends the current path like raise does, for the enclosing loop."""

    kind: str
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class If:
    test: Expr
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Case:
    tests: tuple[Expr, ...]  # empty: default / wildcard
    body: tuple["Stmt", ...]
    span: Span
    falls_through: bool = False  # JS case without break


@dataclass(unsafe_hash=True, slots=True)
class Switch:
    subject: Expr
    cases: tuple[Case, ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Loop:
    """``for target in iter`` (``iter`` set) or ``while test`` (``test`` set)."""

    target: Target | None
    iter: Expr | None
    test: Expr | None
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class WithItem:
    context: Expr
    target: Target | None


@dataclass(unsafe_hash=True, slots=True)
class With:
    items: tuple[WithItem, ...]
    body: tuple["Stmt", ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Handler:
    type: Expr | None
    name: str | None
    body: tuple["Stmt", ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Try:
    body: tuple["Stmt", ...]
    handlers: tuple[Handler, ...]
    orelse: tuple["Stmt", ...]
    finalbody: tuple["Stmt", ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class ImportName:
    name: str | None  # None: the module itself (``import a.b as c``, ``import * as ns``, default import)
    alias: str
    default: bool = False  # JS default import


@dataclass(unsafe_hash=True, slots=True)
class Import:
    """``module`` is dotted for Python and the specifier string for JS; ``level`` counts leading dots."""

    module: str
    names: tuple[ImportName, ...]
    span: Span
    level: int = 0
    star: bool = False  # ``from m import *`` / ``export * from``
    reexport: bool = False  # ``export { a } from "m"``


@dataclass(unsafe_hash=True, slots=True)
class FunctionDef:
    function: "Function"
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class ClassDef:
    cls: "Class"
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Export:
    """``export default expr`` / ``module.exports = expr`` / ``export { a as b }`` (value None: names only)."""

    names: tuple[tuple[str, str], ...]  # (local, exported)
    value: Expr | None
    span: Span


Stmt = Union[
    Assign, ExprStmt, Return, Raise, Jump, If, Switch, Loop, With, Try, Import, FunctionDef, ClassDef, Export,
]


# --------------------------------------------------------------------------- definitions


@dataclass(unsafe_hash=True, slots=True)
class Param:
    name: str
    span: Span
    annotation: Expr | None = None
    default: Expr | None = None
    kind: str = "positional"  # "positional" | "vararg" | "kwonly" | "kwarg" | "self"


@dataclass(eq=False, slots=True)
class Function:
    """A function, method, lambda or arrow. Identity-compared; ``qualname`` is unique within a module."""

    name: str
    qualname: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    span: Span
    decorators: tuple[Expr, ...] = ()
    is_async: bool = False
    docstring: str | None = None
    returns: Expr | None = None
    is_method: bool = False
    expression_body: bool = False  # arrow with an expression body: lowered to a Return
    module: "Module | None" = field(default=None, repr=False)
    cls: "Class | None" = field(default=None, repr=False)


@dataclass(eq=False, slots=True)
class Class:
    name: str
    qualname: str
    bases: tuple[Expr, ...]
    body: tuple[Stmt, ...]
    span: Span
    decorators: tuple[Expr, ...] = ()
    docstring: str | None = None
    module: "Module | None" = field(default=None, repr=False)


@dataclass(eq=False, slots=True)
class Module:
    path: str  # as given to the scan (relative to the scan root where possible)
    language: str  # "python" | "typescript" | "javascript"
    body: tuple[Stmt, ...]
    lines: tuple[str, ...]  # source lines, for code frames and suppression comments
    comments: dict[int, str] = field(default_factory=dict)  # line -> comment text
    diagnostics: list[Diagnostic] = field(default_factory=list)
    name: str = ""  # dotted module name (Python) or path without extension (JS); set by the index
    functions: list[Function] = field(default_factory=list)  # every function, nested ones included
    classes: list[Class] = field(default_factory=list)
