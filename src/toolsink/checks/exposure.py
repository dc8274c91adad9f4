"""Exposure checks (MCP3xx): annotations that contradict behaviour, and risky server configuration.

- MCP301: a tool declares ``readOnlyHint: true`` (or ``destructiveHint: false``) but its handler reaches
  a write, delete, command or outbound-request sink, through the same call graph the taint engine uses,
  whether or not the data is tainted (the engine records those calls as *effects* in every summary).
- MCP303-MCP306, MCP308, MCP309: calls that are findings by their arguments alone (binding to every
  interface, DNS rebinding protection off, wildcard CORS, JWT decoding without verification or claims), or
  by their arguments and what the rest of the server's program does (an HTTP transport started where no
  rate limiter is applied: ``unless_program``, see :mod:`toolsink.checks.programs`), described as
  ``call_checks`` rows in the models.

Hardcoded absolute paths (MCP302) are found by the taint engine itself: the models declare such string
constants as sources (``literal_sources``) and the rule pairs them with file-path sinks.
"""

from __future__ import annotations

from .. import ir
from ..findings import Finding, TraceStep
from ..sources import _matches_any, entry_label, loc
from ..engine import Analysis
from ..engine.sinks import condition
from ..walk import all_exprs, expr_children, stmt_exprs, sub_bodies
from ..values import NOCONST

# What contradicts readOnlyHint: a shell string (could do anything), an outbound request that can change
# state (POST, PUT, PATCH, DELETE, or a method that is not known), a file write or deletion. A GET of an API,
# or a fixed program run with an argv list (`git log`), is not evidence of a write by itself.


def _truth(annotations, key: str):
    for k, v in annotations:
        if k == key:
            return v
    return None


def annotation_findings(analysis, rules, config, programs) -> list[Finding]:
    rule = rules.get("MCP301")
    if rule is None:
        return []
    out: list[Finding] = []
    for entry in analysis.entries:
        if entry.handler is None or not entry.annotations:
            continue
        read_only = _truth(entry.annotations, "readOnlyHint") is True
        not_destructive = _truth(entry.annotations, "destructiveHint") is False
        if not (read_only or not_destructive):
            continue
        summary = analysis.engine.entry_summary(entry.handler)
        effects = summary.effects
        if read_only:
            effects = [e for e in effects if e.kind == "shell-command" or e.destructive
                       or (e.kind in ("path", "url") and e.writes)]
            claim = "readOnlyHint: true"
        else:
            effects = [e for e in effects if e.destructive]
            claim = "destructiveHint: false"
        if not effects:
            continue
        effect = effects[0]
        label = entry_label(entry.kind, entry.name)
        what = f"`{effect.sink}`"
        message = rule.format(entry=label, claim=claim, sink=what, detail=f"{claim} but reaches {what}")
        trace = (
            TraceStep("source", f"{label} declares {claim}", loc(entry.module.path, entry.span)),
            TraceStep("sink", f"{what} changes state or reaches the network", loc(effect.file, effect.span)),
        )
        out.append(Finding(
            rule=rule.id, name=rule.name, message=message, severity=rule.severity,
            location=loc(entry.module.path, entry.span), entry=f"{entry.kind} {entry.name}", argument=claim,
            sink=effect.sink, trace=trace, snippet=_line(entry.module, entry.span.line),
        ))
    return out


def _line(module: ir.Module, line: int) -> str:
    return module.lines[line - 1].strip() if 0 < line <= len(module.lines) else ""


def _calls(body, scope=None):
    """Every call in a body, in nested functions, lambdas and classes too, with the innermost function
    (or None for module level) it sits in: its own imports are resolved (:func:`_local_imports`)."""
    stack = [(s, scope) for s in body]
    while stack:
        s, scope = stack.pop()
        if isinstance(s, ir.FunctionDef):
            stack.extend((x, s.function) for x in s.function.body)
            exprs = list(s.function.decorators)
        elif isinstance(s, ir.ClassDef):
            stack.extend((x, scope) for x in s.cls.body)
            continue
        else:
            exprs = list(stmt_exprs(s))
            for sub in sub_bodies(s):
                stack.extend((x, scope) for x in sub)
        todo = exprs
        while todo:
            x = todo.pop()
            if isinstance(x, ir.Call):
                yield x, scope
            if isinstance(x, ir.FunctionRef):
                stack.extend((y, x.function) for y in x.function.body)
                continue
            todo.extend(c for c in expr_children(x) if c is not None)


def call_check_findings(analysis, rules, config, programs) -> list[Finding]:
    out: list[Finding] = []
    engine = analysis.engine
    for module in analysis.project.modules:
        models = engine.models_for(module)
        if not models.raw.call_checks:
            continue
        read_headers = None  # request headers the module reads, found once on demand
        static = Analysis(engine, None, None, module=module)
        calls = list(_calls(module.body))
        scope_calls: dict = {}  # function (None: module) -> qualified names it calls, built on demand
        local_envs: dict = {}  # function -> names its own `import` statements bind (`from mcp.server.sse import X`)
        for call, scope in calls:
            method = call.func.attr if isinstance(call.func, ir.Attribute) else None
            last = method or (call.func.id if isinstance(call.func, ir.Name) else None)
            if not models.call_checks.may_match(last):
                continue
            env = _local_imports(static, scope, local_envs)
            fv = _value(static, call.func, env)
            rows = models.call_checks.match(fv.qualname, method)
            if not rows:
                continue
            args = [_value(static, a, env) for a in call.args]
            kwargs = {k.name: _value(static, k.value, env) for k in call.keywords}
            for row in rows:
                if any(not condition(c, call, args, kwargs) for c in row.get("when", ())):
                    continue
                if any(condition(c, call, args, kwargs) for c in row.get("unless", ())):
                    continue
                if "unless_scope_calls" in row and _scope_calls_any(static, calls, scope, scope_calls,
                                                                    row["unless_scope_calls"]):
                    continue
                if "unless_module_reads_header" in row:
                    if read_headers is None:
                        read_headers = _header_names(module.body)
                    if read_headers & {n.lower() for n in row["unless_module_reads_header"]}:
                        continue
                if "unless_program" in row and any(programs.holds(module, f) for f in row["unless_program"]):
                    continue
                rule = rules.get(row["rule"])
                if rule is None or rule.skip_paths and _matches_any(rule.skip_paths, module.path):
                    continue
                consts = {k: v.const for k, v in kwargs.items() if v.const is not NOCONST}
                detail = _format(row["detail"], consts)
                name = fv.qualname or method or "call"
                message = rule.format(detail=detail, sink=name)
                where = loc(module.path, call.span)
                out.append(Finding(
                    rule=rule.id, name=rule.name, message=message, severity=rule.severity, location=where,
                    sink=name, trace=(TraceStep("sink", f"`{name}` {detail}", where),),
                    snippet=_line(module, call.span.line),
                ))
    return out


def _header_names(body) -> set[str]:
    """Request headers a module reads (lower case): ``req.headers.authorization``, ``headers["x-api-key"]``,
    ``request.headers.get("Authorization")``, ``req.header("Authorization")``."""
    out: set[str] = set()
    for x in all_exprs(body):
        if isinstance(x, ir.Attribute) and _is_headers(x.value):
            out.add(x.attr.lower())
        elif isinstance(x, ir.Subscript) and _is_headers(x.value) and isinstance(x.index, ir.Literal):
            out.add(str(x.index.value).lower())
        elif (isinstance(x, ir.Call) and isinstance(x.func, ir.Attribute) and x.args
              and isinstance(x.args[0], ir.Literal) and isinstance(x.args[0].value, str)
              and (x.func.attr == "get" and _is_headers(x.func.value) or x.func.attr == "header")):
            out.add(x.args[0].value.lower())
    return out


def _is_headers(e) -> bool:
    return isinstance(e, ir.Attribute) and e.attr == "headers" or isinstance(e, ir.Name) and e.id == "headers"


def _local_imports(static, scope, cache: dict) -> dict:
    """The names bound by import statements inside the function ``scope`` (servers often import their
    transport only in the function that starts it); module-level names need no environment."""
    if scope is None:
        return {}
    if scope not in cache:
        from ..engine.expressions import symbol_value
        from ..index import Project

        env = {}
        stack = list(scope.body)
        while stack:
            s = stack.pop()
            if isinstance(s, ir.Import) and not s.reexport:
                for name in s.names:
                    sym = static.engine.project.follow_import(static.module, Project._import_key(s, name))
                    env[name.alias] = symbol_value(static, sym)
            elif not isinstance(s, (ir.FunctionDef, ir.ClassDef)):
                for sub in sub_bodies(s):
                    stack.extend(sub)
        cache[scope] = env
    return cache[scope]


def _value(static, expr, env: dict):
    if not env:
        return static.static(expr)
    try:
        return static.evaluate(expr, dict(env))
    except RecursionError:
        return static.static(expr)


def _scope_calls_any(static, calls, scope, cache: dict, names) -> bool:
    import fnmatch

    if scope not in cache:
        cache[scope] = {static.static(c.func).qualname or "" for c, s in calls if s is scope}
    wanted = [names] if isinstance(names, str) else names
    return any(fnmatch.fnmatchcase(q, n) for q in cache[scope] for n in wanted)


def _format(template: str, values: dict) -> str:
    class _Keep(dict):
        def __missing__(self, key):
            return "{" + key + "}"

    return template.format_map(_Keep({k: ("" if v is None else v) for k, v in values.items()}))
