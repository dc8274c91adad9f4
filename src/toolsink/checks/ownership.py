"""MCP310 (experimental): a record reached by an identifier the model chose, with no owner check.

The taint engine does the path: the models declare record look-ups, updates and deletions as sinks of kind
``record-access`` (an ORM ``get(pk=...)``/``find_one``/``findUnique({where})``, a bound SQL parameter), and
every handler summary lists the flows from the handler's parameters into them. No rule pairs that kind with
a taint source, so :class:`toolsink.sources.FindingBuilder` reports nothing for it; this check keeps the
flows that matter:

- the argument names a record: its name or declared type is an identifier (``identifiers`` in the models:
  ``id``, ``*_id``, ``*Id``, ``uuid.UUID``), or it is a resource template variable; a declared ``int`` or
  ``UUID`` is kept (it is safe for injection, not for authorization);
- the server authenticates its callers: the program of the registration (see :mod:`.programs`) has the
  ``authenticated`` fact (``FastMCP(auth=...)``, ``requireBearerAuth``, ``authInfo`` read ...): without
  authentication every caller is the same caller and there is no owner to check;
- no owner check on the path: in the functions the flow passes through (the handler, the functions of
  its steps, the function of the sink), no comparison and no ``if`` test involves a value of the caller's
  identity (``caller_identity`` in the models: ``get_access_token()``, ``ctx.client_id``, ``authInfo``,
  and variables assigned from them), and the sink call itself is not handed one (a query scoped by owner:
  ``WHERE id = ? AND owner = ?``).
"""

from __future__ import annotations

import fnmatch

from .. import ir
from ..engine import Analysis
from ..findings import Finding, TraceStep
from ..sources import FindingBuilder, _is_sdk_context, _param_index, entry_label, loc
from ..schemas import SourceChecker
from ..walk import expr_children, sub_bodies
from ..index import dotted_name
from ..models import _names
from .programs import expressions

RULE = "MCP310"
AUTHENTICATED = "authenticated"  # the program fact (models: program_facts) this rule needs


def ownership_findings(analysis, rules, config, programs) -> list[Finding]:
    rule = rules.get(RULE)
    if rule is None or not config.selects(RULE, rule.experimental):
        return []
    out: list[Finding] = []
    seen: set = set()
    identity = _Identity(analysis)
    checker = SourceChecker(analysis.engine)
    for entry in analysis.entries:
        fn = entry.handler
        if fn is None or entry.kind not in ("tool", "resource"):
            continue
        models = analysis.engine.models_for(entry.module)
        if not models.raw.identifiers:
            continue
        flows = [f for f in analysis.engine.entry_summary(fn).flows if f.kind == "record-access"]
        if not flows or not programs.holds(entry.module, AUTHENTICATED):
            continue
        for flow in flows:
            found = _argument(analysis, checker, entry, flow, models)
            if found is None:
                continue
            name, argument = found
            key = (flow.file, flow.span, name, argument)
            if key in seen or identity.checked(entry, flow):
                continue
            seen.add(key)
            out.append(_finding(rule, entry, name, argument, flow, analysis))
    return out


def _argument(analysis, checker, entry, flow, models) -> tuple[str, str] | None:
    """(entry name, argument) when the flow starts at an identifier argument of the entry."""
    fn = entry.handler
    origin = flow.fact.origin
    if origin.owner is not fn or origin.param >= len(fn.params):
        return None
    spec = entry.row.get("sources", "params")
    p = fn.params[origin.param]
    name = entry.name
    if spec == "params":
        if p.kind == "self" or _is_sdk_context(entry, fn, origin.param):
            return None
        static = Analysis(analysis.engine, None, None, module=entry.module)
        if checker.is_context(entry.module, models, p):
            return None
        argument = ".".join(origin.path) if p.name.startswith("$") else ".".join((p.name, *origin.path))
        if not argument:
            return None
        leaf = origin.path[-1] if origin.path else p.name
        typed = _type_name(static, p.annotation) if not origin.path else None
    else:
        if origin.param != _param_index(fn, spec["param"]):
            return None
        prefix = tuple(spec.get("path", ()))
        if len(origin.path) <= len(prefix) or origin.path[: len(prefix)] != prefix:
            return None
        argument = leaf = origin.path[len(prefix)]
        typed = None
        if entry.row.get("dispatch") is not None:
            name = FindingBuilder._dispatch_name(flow, entry.row["dispatch"], fn) or entry.name
    if _names_identity(models, (p.name, *origin.path)):
        return None  # the caller's own identity (`extra.authInfo.extra.userId`) is the owner, not a reference
    template = entry.kind == "resource" and "uri_template" in entry.row  # its sources are template variables
    if template or _identifier(models, leaf, typed):
        return name, argument
    return None


def _names_identity(models, parts) -> bool:
    attributes = {n for r in models.raw.caller_identity for n in _names(r.get("attributes"))}
    return any(part in attributes for part in parts)


def _identifier(models, name: str, typed: str | None) -> bool:
    for row in models.raw.identifiers:
        if any(fnmatch.fnmatchcase(name, n) for n in _names(row.get("names"))):
            return True
        if typed and any(fnmatch.fnmatchcase(typed, t) for t in _names(row.get("types"))):
            return True
    return False


def _type_name(static, annotation) -> str | None:
    """The qualified name of a declared type, through ``Optional[...]``/``Annotated[...]`` and ``X | None``."""
    for _ in range(4):
        if isinstance(annotation, ir.Subscript):
            index = annotation.index
            annotation = index.items[0] if isinstance(index, ir.Container) and index.items else index
        elif isinstance(annotation, ir.BinOp) and annotation.op == "|":
            annotation = annotation.left
        else:
            break
    if annotation is None:
        return None
    return static.static(annotation).qualname


class _Identity:
    """Whether the functions on a flow's path compare something with the caller's identity."""

    def __init__(self, analysis) -> None:
        self.analysis = analysis
        self._checks: dict[int, bool] = {}

    def checked(self, entry, flow) -> bool:
        functions = {id(entry.handler): entry.handler}
        for file, span in [(s.file, s.span) for s in flow.fact.steps] + [(flow.file, flow.span)]:
            fn = _function_at(self.analysis.project.by_path.get(file), span)
            if fn is not None:
                functions[id(fn)] = fn
        if any(self._compares(fn) for fn in functions.values()):
            return True
        module = self.analysis.project.by_path.get(flow.file)
        sink_fn = _function_at(module, flow.span)
        if module is None or sink_fn is None:
            return False
        mentions = _Mentions(self.analysis, sink_fn)
        return any(isinstance(x, ir.Call) and x.span == flow.span and any(
            mentions(a) for a in (*x.args, *(k.value for k in x.keywords))) for x in _own_expressions(sink_fn))

    def _compares(self, fn: ir.Function) -> bool:
        hit = self._checks.get(id(fn))
        if hit is None:
            mentions = _Mentions(self.analysis, fn)
            hit = any(isinstance(x, ir.Compare) and mentions(x) for x in _own_expressions(fn)) or any(
                mentions(t) for t in _if_tests(fn.body))
            self._checks[id(fn)] = hit
        return hit


class _Mentions:
    """Whether an expression involves the caller's identity, in one function: a name or attribute of the
    models' ``caller_identity`` rows, a parameter of such a type, or a variable assigned from one."""

    def __init__(self, analysis, fn: ir.Function) -> None:
        module = fn.module
        self.models = analysis.engine.models_for(module)
        rows = self.models.raw.caller_identity
        self.refers = [n for r in rows for n in _names(r.get("refers"))]
        self.attributes = {n for r in rows for n in _names(r.get("attributes"))}
        types = [n for r in rows for n in _names(r.get("types"))]
        self.static = Analysis(analysis.engine, None, None, module=module) if module is not None else None
        self._quals: dict[str, str | None] = {}
        self.derived: set[str] = set()
        for p in fn.params:
            qual = _type_name(self.static, p.annotation) if self.static and p.annotation is not None else None
            if p.name in self.attributes or qual and any(fnmatch.fnmatchcase(qual, t) for t in types):
                self.derived.add(p.name)
        assigns = [s for s in _statements(fn.body) if isinstance(s, ir.Assign) and s.value is not None]
        for _ in range(3):  # a few rounds: token -> claims -> user_id
            before = len(self.derived)
            for s in assigns:
                if self(s.value):
                    for t in s.targets:
                        self.derived.update(_target_names(t))
            if len(self.derived) == before:
                break

    def __call__(self, expr) -> bool:
        todo = [expr]
        while todo:
            x = todo.pop()
            if x is None:
                continue
            if isinstance(x, ir.Name) and (x.id in self.derived or x.id in self.attributes):
                return True
            if isinstance(x, ir.Attribute) and x.attr in self.attributes:
                return True
            if self.refers and isinstance(x, (ir.Name, ir.Attribute)) and self._refers(x):
                return True
            if isinstance(x, ir.FunctionRef):
                continue
            todo.extend(expr_children(x))
        return False

    def _refers(self, x) -> bool:
        key = dotted_name(x)
        if key is None or self.static is None:
            return False
        if key not in self._quals:
            self._quals[key] = self.static.static(x).qualname
        qual = self._quals[key]
        return bool(qual) and any(fnmatch.fnmatchcase(qual, n) for n in self.refers)


def _statements(body):
    stack = list(body)
    while stack:
        s = stack.pop()
        yield s
        if isinstance(s, (ir.FunctionDef, ir.ClassDef)):
            continue
        for sub in sub_bodies(s):
            stack.extend(sub)


def _if_tests(body):
    for s in _statements(body):
        if isinstance(s, ir.If):
            yield s.test


def _own_expressions(fn: ir.Function):
    """The expressions of a function's own body (lambdas inside it included, nested ``def``s not)."""
    for s in _statements(fn.body):
        if isinstance(s, (ir.FunctionDef, ir.ClassDef)):
            continue
        yield from expressions([s])


def _target_names(target) -> list[str]:
    if isinstance(target, ir.Name):
        return [target.id]
    if isinstance(target, ir.TuplePattern):
        return [n for t in target.elts for n in _target_names(t)]
    if isinstance(target, ir.ObjectPattern):
        return [n for p in target.props for n in _target_names(p.target)]
    return []


def _function_at(module, span) -> ir.Function | None:
    if module is None:
        return None
    best = None
    for fn in module.functions:
        s = fn.span
        if (s.line, s.col) <= (span.line, span.col) and (span.end_line, span.end_col) <= (s.end_line, s.end_col):
            if best is None or (s.line, s.col) >= (best.span.line, best.span.col):
                best = fn
    return best


def _finding(rule, entry, name: str, argument: str, flow, analysis) -> Finding:
    fact = flow.fact
    label = entry_label(entry.kind, name)
    trace = [TraceStep("source", f"{label}, argument `{argument}` names a record", loc(fact.origin.file,
                                                                                       fact.origin.span))]
    trace += [TraceStep("step", st.message, loc(st.file, st.span)) for st in fact.steps]
    trace.append(TraceStep("sink", f"`{flow.sink}` looks the record up by it; nothing on the way compares its "
                           "owner with the caller", loc(flow.file, flow.span)))
    module = analysis.project.by_path.get(flow.file)
    snippet = module.lines[flow.span.line - 1].strip() if module and 0 < flow.span.line <= len(module.lines) else ""
    return Finding(
        rule=rule.id, name=rule.name, message=rule.format(entry=label, argument=argument, sink=flow.sink),
        severity=rule.severity, location=loc(flow.file, flow.span), entry=f"{entry.kind} {name}",
        argument=argument, sink=flow.sink, trace=tuple(trace), snippet=snippet,
    )
