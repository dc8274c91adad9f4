"""Sources and findings: which handler parameters the model writes, and the findings their flows give.

For each registration the handler's summary (:mod:`toolsink.engine`) lists the flows from its parameters
to sinks. Here the registration model decides which parameters are sources (all of them for FastMCP-style
tools, ``arguments`` for a low-level ``call_tool`` dispatcher; parameters after the arguments that the SDK
fills with its request context are not), parameters and fields that :mod:`toolsink.schemas` finds safe are
dropped, dispatch conditions name the tool of each branch (and pick the ``Tool(...)`` declaration whose
schema constrains it), and every remaining flow becomes a :class:`Finding`. Sources that are not
parameters (responses, hardcoded literals, the client's credential read from the request) are reported as
they are, unless read from a tool argument. Rules reported at their source report each source once and
name every tool (and the set-up code of :mod:`toolsink.startup`) that uses it.
"""

from __future__ import annotations

from dataclasses import replace

from . import ir
from .entrypoints import Entry
from .findings import Finding, Location, TraceStep
from .index import Project
from .result import Parameter, Registration
from .rules import Rule
from .engine import Engine, SinkFlow
from .schemas import SourceChecker, _entry
from .values import NOCONST

KIND_WORDS = {
    "shell-command": "shell command", "program": "program to run", "argument": "command-line argument",
    "sql": "SQL statement", "path": "file path", "url": "request URL", "code": "code to evaluate",
    "deserialize": "data to deserialize", "outbound-header": "header of an outbound request",
}
SOURCE_KINDS = {"param": "mcp-argument"}
# step messages of string building (frontends' ``StrBuild.how``, augmented assignment): an argument that went
# through none of them reaches its sink whole, which is the tool's capability rather than an injection
BUILDING_STEPS = frozenset({"f-string", ".format()", ".join()", "%-format", "concatenation", "template literal",
                            "appended to"})


def is_whole(fact) -> bool:
    return not any(step.message in BUILDING_STEPS or step.message.startswith("response of ") for step in fact.steps)


def loc(path: str, span: ir.Span) -> Location:
    return Location(path, max(span.line, 1), max(span.col, 1), max(span.end_line, span.line, 1),
                    max(span.end_col, 1))


def entry_label(kind: str, name: str) -> str:
    if name == "*":
        return f"{kind.capitalize()} dispatcher"
    return f"{kind.capitalize()} `{name}`"


def _replaced(rule: Rule, flow: SinkFlow) -> bool:
    """Sent out and replaced by what came back (a token exchanged for a new one), for rules about the
    source's own value."""
    return rule.stops_at_responses and any(st.message.startswith("response of ") for st in flow.fact.steps)


def _inside(inner: ir.Span, outer: ir.Span) -> bool:
    return (outer.line, outer.col) <= (inner.line, inner.col) and (inner.end_line, inner.end_col) <= (
        outer.end_line, outer.end_col)


def _matches_any(patterns, *paths: str) -> bool:
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    return any(spec.match_file(p) for p in paths)


def _is_sdk_context(entry: Entry, fn: ir.Function, index: int) -> bool:
    """A handler parameter the SDK fills with its request context (``(args, extra) => ...``): from the row's
    ``context_from`` on, or from ``context_without_schema`` on when the registration declares no schema."""
    start = entry.row.get("context_from")
    if entry.schema_absent and "context_without_schema" in entry.row:
        start = entry.row["context_without_schema"]  # server.tool(name, handler): the handler gets only `extra`
    return start is not None and index >= _param_index(fn, start)


def _param_index(fn: ir.Function, index: int) -> int:
    """Model parameter indices count the handler's declared parameters, not a method's self/this."""
    return index + 1 if fn.params and fn.params[0].kind == "self" else index


def registration_record(entry: Entry, checker: SourceChecker) -> Registration:
    module = entry.module
    models = checker.engine.models_for(module)
    params: list[Parameter] = []
    texts: list[tuple[str, str, int]] = []
    if entry.name and entry.name != "*":
        texts.append(("name", entry.name, entry.span.line))
    if entry.title:
        texts.append(("title", entry.title, entry.span.line))
    if entry.description:
        texts.append(("description", entry.description, entry.description_line or entry.span.line))
    fn = entry.handler
    if fn is not None and entry.row.get("sources") == "params":
        for p in fn.params:
            if p.kind == "self" or p.name.startswith("$") or checker.is_context(module, models, p):
                continue
            desc = _param_description(p, checker, module)
            default = checker._static(module, p.default).const if p.default is not None else NOCONST
            safe = checker.safe_param(module, models, p)
            params.append(Parameter(p.name, _text(p.annotation), desc or "",
                                    None if default is NOCONST else repr(default), (), not safe))
            texts.append((f"parameter `{p.name}` name", p.name, p.span.line))
            if desc:
                texts.append((f"parameter `{p.name}` description", desc, p.span.line))
            if isinstance(default, str) and default:
                texts.append((f"parameter `{p.name}` default", default, p.span.line))
    smodule, schema = checker.engine.project.definition(module, entry.schema)  # also a schema imported
    if isinstance(schema, ir.Call):
        schema = next((a for a in schema.args if isinstance(a, ir.Container)), None)
    json_props = _json_schema_properties(schema)
    if json_props is not None:  # a JSON schema written by hand: {"type": "object", "properties": {...}}
        for name, prop, line in json_props:
            desc = _dict_str(prop, "description", checker, smodule)
            enum = _dict_strs(prop, "enum", checker, smodule)
            params.append(Parameter(name, _dict_str(prop, "type", checker, smodule) or "", desc or "", None,
                                    tuple(enum), True))
            texts.append((f"parameter `{name}` name", name, line))
            if desc:
                texts.append((f"parameter `{name}` description", desc, line))
            for value in enum:
                texts.append((f"parameter `{name}` enum value", value, line))
        schema = None
    if isinstance(schema, ir.Container):
        for k, v in schema.entries:
            if not isinstance(k, ir.Literal):
                continue
            name = str(k.value)
            desc = _describe_chain(v, checker, smodule)
            safe = checker.safe_type(smodule, checker.engine.models_for(smodule), v)
            params.append(Parameter(name, "", desc or "", None, (), not safe))
            texts.append((f"parameter `{name}` name", name, k.span.line))
            if desc:
                texts.append((f"parameter `{name}` description", desc, v.span.line if hasattr(v, "span") else 0))
    return Registration(
        entry.kind, entry.name, module.path, entry.span.line, entry.span.col,
        fn.qualname if fn is not None else "", entry.form, entry.description, entry.title, tuple(params),
        tuple(entry.annotations), tuple(texts), entry.arms,
    )


def _json_schema_properties(schema):
    props = _entry(schema, "properties")
    if not isinstance(props, ir.Container) or props.kind != "dict":
        return None
    return [(str(k.value), v, k.span.line) for k, v in props.entries if isinstance(k, ir.Literal)]


def _dict_str(container, key: str, checker, module) -> str | None:
    v = _entry(container, key)
    if v is None:
        return None
    const = checker._static(module, v).const
    return const if isinstance(const, str) else None


def _dict_strs(container, key: str, checker, module) -> list[str]:
    v = _entry(container, key)
    if not isinstance(v, ir.Container):
        return []
    out = []
    for item in v.items:
        const = checker._static(module, item).const
        if isinstance(const, str):
            out.append(const)
    return out


def _text(expr) -> str:
    from .index import dotted_name

    if expr is None:
        return ""
    if isinstance(expr, ir.Subscript):
        return f"{_text(expr.value)}[...]"
    return dotted_name(expr) or type(expr).__name__


def _param_description(p: ir.Param, checker: SourceChecker, module: ir.Module) -> str | None:
    """``Annotated[str, Field(description=...)]``, ``Annotated[str, "text"]``, ``x: str = Field(description=...)``."""
    cands = []
    if isinstance(p.annotation, ir.Subscript) and isinstance(p.annotation.index, ir.Container):
        cands.extend(p.annotation.index.items[1:])
    if p.default is not None:
        cands.append(p.default)
    for c in cands:
        if isinstance(c, ir.Literal) and isinstance(c.value, str):
            return c.value
        if isinstance(c, ir.Call):
            d = c.kwarg("description")
            if d is not None:
                v = checker._static(module, d).const
                if isinstance(v, str):
                    return v
    return None


def _describe_chain(expr, checker: SourceChecker, module: ir.Module) -> str | None:
    cur = expr
    for _ in range(12):
        if not isinstance(cur, ir.Call) or not isinstance(cur.func, ir.Attribute):
            return None
        if cur.func.attr == "describe" and cur.args:
            v = checker._static(module, cur.args[0]).const
            return v if isinstance(v, str) else None
        cur = cur.func.value
    return None


class FindingBuilder:
    def __init__(self, engine: Engine, project: Project, rules: dict[str, Rule]) -> None:
        self.engine = engine
        self.project = project
        self.checker = SourceChecker(engine)
        self.rules_for_kind: dict[str, list[Rule]] = {}
        for rule in rules.values():
            for kind in rule.sinks:
                self.rules_for_kind.setdefault(kind, []).append(rule)
        # rules reported at their source report each source once: (rule, file, span) -> the entries using it
        self.source_users: dict[tuple, list[str]] = {}
        self.reported: set = set()  # (rule, sink file, sink span, origin) of every finding made
        self.declared: dict[tuple[str, str], list[Entry]] = {}  # (kind, name) -> low-level Tool(...) declarations

    def declare(self, entries) -> None:
        """Remember the schemas of low-level declarations (``types.Tool(name=..., inputSchema=...)``): a
        dispatcher's branch for that name takes its arguments' constraints from there."""
        for e in entries:
            if e.row.get("declares") and e.schema is not None and e.name:
                self.declared.setdefault((e.kind, e.name), []).append(e)

    def declaration(self, dispatcher: Entry, name: str) -> Entry:
        """The declaration of ``name`` that goes with this dispatcher: the one in its own module, else the
        only one in the project; otherwise the dispatcher itself (no schema is trusted for it)."""
        found = self.declared.get((dispatcher.kind, name), [])
        same = [e for e in found if e.module is dispatcher.module]
        if len(same) == 1:
            return same[0]
        return found[0] if len(found) == 1 and not same else dispatcher

    def _rule(self, sink_kind: str, source_kind: str, whole: bool = False) -> Rule | None:
        """The rule of a flow: a capability rule (``whole``) when the argument reaches the sink as it is,
        otherwise the injection rule of the sink kind."""
        fallback = None
        for rule in self.rules_for_kind.get(sink_kind, ()):
            if rule.sources and source_kind not in rule.sources:
                continue
            if rule.whole:
                if whole:
                    return rule
            elif fallback is None:
                fallback = rule
        return fallback

    def findings(self, entry: Entry) -> list[Finding]:
        fn = entry.handler
        if fn is None:
            return []
        module = entry.module
        models = self.engine.models_for(module)
        summary = self.engine.entry_summary(fn)
        spec = entry.row.get("sources", "params")
        dispatch = entry.row.get("dispatch")
        allowed: dict[int, bool] = {}
        out: list[Finding] = []
        seen = set()
        for flow in summary.flows:
            origin = flow.fact.origin
            name = entry.name
            if dispatch is not None:
                name = self._dispatch_name(flow, dispatch, fn) or entry.name
            if origin.owner is fn:
                schema_entry = self.declaration(entry, name) if dispatch is not None else entry
                argument = self._argument(entry, origin, spec, allowed, models, schema_entry)
                if argument is None:
                    continue
                source_kind = "mcp-argument"
            elif origin.owner is None:
                if self._from_argument(entry, origin, allowed):
                    continue
                argument = origin.label
                source_kind = origin.kind
            else:
                continue
            rule = self._rule(flow.kind, source_kind, is_whole(flow.fact))
            if rule is None:
                continue
            if _replaced(rule, flow):
                continue
            if rule.skip_paths and _matches_any(rule.skip_paths, flow.file, origin.file):
                continue
            if rule.report_at == "source" and self._seen_source(rule, origin, entry_label(entry.kind, name)):
                continue
            key = (rule.id, flow.file, flow.span, name, argument)
            if key in seen:
                continue
            seen.add(key)
            self.reported.add((rule.id, flow.file, flow.span, origin))
            out.append(self._finding(rule, entry_label(entry.kind, name), f"{entry.kind} {name}", argument, flow))
        return out

    def _from_argument(self, entry: Entry, origin, allowed: dict) -> bool:
        """A source read from a tool argument of this handler (``args.headers.authorization``): not one."""
        fn = entry.handler
        if origin.param < 0 or origin.file != entry.module.path or not _inside(origin.span, fn.span):
            return False
        spec = entry.row.get("sources", "params")
        models = self.engine.models_for(entry.module)
        return self._argument(entry, replace(origin, owner=fn), spec, allowed, models) is not None

    def _seen_source(self, rule: Rule, origin, label: str) -> bool:
        """Rules reported at their source report each source once; later users are named in its message."""
        skey = (rule.id, origin.file, origin.span)
        users = self.source_users.get(skey)
        if users is None:
            self.source_users[skey] = [label]
            return False
        if label not in users:
            users.append(label)
        return True

    def setup_findings(self, entries) -> list[Finding]:
        """Findings of the servers' set-up code (:mod:`toolsink.startup`) for the rules whose sources are
        not tool arguments (hardcoded roots, the client's credential): flows its top-level statements reach.
        A flow inside a registered handler is named after that tool (an HTTP route that hands the request's
        token to the factory building the server); one the tool reported itself is not repeated."""
        from .startup import server_modules, setup_flows

        kinds = frozenset(k for rules in self.rules_for_kind.values() for r in rules
                          if r.sources and "mcp-argument" not in r.sources for k in r.sources)
        out: list[Finding] = []
        if not kinds:
            return out
        by_file: dict[str, list[Entry]] = {}  # handlers by the file they are in (a flow only concerns its own)
        for e in entries:
            if e.handler is not None:
                by_file.setdefault(e.module.path, []).append(e)
        for module in server_modules(self.project, entries):
            label = f"Set-up code of `{module.path.rsplit('/', 1)[-1]}`"
            for flow in setup_flows(self.engine, module, kinds):
                origin = flow.fact.origin
                rule = self._rule(flow.kind, origin.kind, is_whole(flow.fact))
                if rule is None or "mcp-argument" in rule.sources:
                    continue
                if _replaced(rule, flow) or rule.skip_paths and _matches_any(rule.skip_paths, flow.file, origin.file):
                    continue
                if any(self._from_argument(e, origin, {}) for e in by_file.get(origin.file, ())):
                    continue
                tool = next((e for e in by_file.get(flow.file, ()) if _inside(flow.span, e.handler.span)), None)
                if tool is not None and rule.report_at == "source":
                    continue  # a literal in a handler: the tool reports it
                who, entry = (entry_label(tool.kind, tool.name), f"{tool.kind} {tool.name}") if tool is not None \
                    else (label, f"module {module.name or module.path}")
                if rule.report_at == "source" and self._seen_source(rule, origin, who):
                    continue
                key = (rule.id, flow.file, flow.span, origin)
                if key in self.reported:
                    continue
                self.reported.add(key)
                out.append(self._finding(rule, who, entry, origin.label, flow))
        return out

    def name_users(self, findings: list[Finding]) -> list[Finding]:
        """A source reported once names every entry point (and set-up code) that uses it."""
        more = {(rid, loc(file, span)): users[1:] for (rid, file, span), users in self.source_users.items()
                if len(users) > 1}
        if not more:
            return findings
        out = []
        for f in findings:
            users = more.get((f.rule, f.location))
            if users:
                f = replace(f, message=f"{f.message}; also used by " + ", ".join(users))
            out.append(f)
        return out

    def _argument(self, entry: Entry, origin, spec, allowed, models, schema_entry: Entry | None = None) -> str | None:
        fn = entry.handler
        if spec == "params":
            if origin.param >= len(fn.params):
                return None
            p = fn.params[origin.param]
            if _is_sdk_context(entry, fn, origin.param):
                return None
            if origin.param not in allowed:
                ok = not self.checker.is_context(entry.module, models, p) and not self.checker.safe_param(
                    entry.module, models, p)
                allowed[origin.param] = ok
            if not allowed[origin.param]:
                return None
            if p.name.startswith("$"):  # a destructured parameter: the field is the argument
                if not origin.path:
                    return "arguments"
                if self.checker.field_safe(entry, models, origin.path):
                    return None
                return ".".join(origin.path)
            if entry.schema is not None and not origin.path:
                if self.checker.field_safe(entry, models, (p.name,)):
                    return None
            if origin.path:
                if entry.schema is not None and origin.param == 0:
                    if self.checker.field_safe(entry, models, origin.path):
                        return None
                    return ".".join(origin.path)
                return p.name + "." + ".".join(origin.path)
            return p.name
        if origin.param != _param_index(fn, spec["param"]):
            return None
        prefix = tuple(spec.get("path", ()))
        path = origin.path
        if path[: len(prefix)] != prefix[: len(path)] or len(path) < len(prefix):
            return None
        if len(path) == len(prefix):
            return "arguments"
        if self.checker.field_safe(schema_entry or entry, models, path[len(prefix):]):
            return None
        return path[len(prefix)]

    @staticmethod
    def _dispatch_name(flow: SinkFlow, dispatch: dict, fn: ir.Function) -> str | None:
        want = (_param_index(fn, dispatch["param"]), tuple(dispatch.get("path", ())))
        for param, path, lit in flow.conds:
            if (param, path) == want and isinstance(lit, str):
                return lit
        return None

    def _finding(self, rule: Rule, label: str, entry: str, argument: str, flow: SinkFlow) -> Finding:
        fact = flow.fact
        origin = fact.origin
        trace = [TraceStep(
            "source",
            f"{label}, argument `{argument}`" if origin.owner is not None else f"{label}: {argument}",
            loc(origin.file, origin.span))]
        for st in fact.steps:
            trace.append(TraceStep("step", st.message, loc(st.file, st.span)))
        what = KIND_WORDS.get(flow.kind, flow.kind)
        trace.append(TraceStep("sink", f"`{flow.sink}` receives it as the {what}", loc(flow.file, flow.span)))
        message = rule.format(entry=label, argument=argument, sink=flow.sink, kind=what)
        notes = tuple(dict.fromkeys(fact.notes))
        if notes:
            message += "; the guard does not count: " + "; ".join(notes)
        module = self.project.by_path.get(flow.file)
        snippet = ""
        if module is not None and 0 < flow.span.line <= len(module.lines):
            snippet = module.lines[flow.span.line - 1].strip()
        where = loc(origin.file, origin.span) if rule.report_at == "source" else loc(flow.file, flow.span)
        if rule.report_at == "source":
            module = self.project.by_path.get(origin.file)
            snippet = module.lines[origin.span.line - 1].strip() if module and 0 < origin.span.line <= len(module.lines) else ""
        return Finding(
            rule=rule.id, name=rule.name, message=message, severity=rule.severity, location=where,
            entry=entry, argument=argument, sink=flow.sink, trace=tuple(trace), notes=notes,
            snippet=snippet,
        )
