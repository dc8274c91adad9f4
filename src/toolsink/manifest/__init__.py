"""``toolsink manifest``: the static ``tools/list``-style inventory of a server, and ``--check``.

The manifest lists every tool, resource and prompt with what the model reads (name, title, description,
the ``inputSchema`` the SDK publishes, annotations) and where it is registered. Committing it and running
``toolsink manifest --check manifest.json`` in CI makes any change to model-visible text or to a parameter's
schema show up in review, the way a lock file shows a dependency change. The schemas are built by
:mod:`.python_schema` (Python signatures) and :mod:`.declared` (zod and JSON Schema written in the
registration); docs/manifest.md lists the forms and the deliberate differences from the SDKs' output.
"""

from __future__ import annotations

import difflib
import json
import sys

from .. import ir
from ..result import Registration
from ..sources import registration_record
from ..walk import sub_bodies
from .declared import DeclaredSchemas
from .python_schema import OPTIONAL, PythonSchemas

MANIFEST_VERSION = 2  # 2: inputSchema is the JSON Schema the SDK publishes (1 wrote annotation text)


def _value(v):
    return v if isinstance(v, (str, int, float, bool)) or v is None else repr(v)


class SchemaBuilder:
    """The ``inputSchema`` of each registration: from the schema written in the registration when its model
    says where one is (zod, JSON Schema), else from a Python handler's signature as FastMCP reads it."""

    def __init__(self, engine) -> None:
        from ..schemas import SourceChecker

        self.checker = SourceChecker(engine)
        project = engine.project
        self.python = PythonSchemas(self.checker._static, project.base_qualnames)
        self.declared = DeclaredSchemas(self.checker._static, project.definition)
        self.problems: list[str] = []

    def safe_input_schema(self, entry) -> dict:
        """:meth:`input_schema`, and ``{}`` with a note when building it fails: one odd registration never
        costs the others' entries."""
        try:
            return self.input_schema(entry)
        except (RecursionError, ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            self.problems.append(f"{entry.module.path}:{entry.span.line}: the input schema of `{entry.name}` could "
                                 f"not be built ({type(exc).__name__}: {exc}); it is written as {{}}")
            return {}

    def input_schema(self, entry) -> dict:
        if entry.schema is not None:
            module, expr = _local_definition(entry, entry.schema)
            found = self.declared.input_schema(module, expr)
            if found is None:
                found = self._model_json_schema(module, expr)
            return found if found is not None else {}  # a schema toolsink cannot read: any arguments
        fn = entry.handler
        if fn is not None and entry.row.get("sources") == "params" and entry.module.language == "python":
            params = [p for p in fn.params if p.kind in ("positional", "kwonly") and not p.name.startswith("$")
                      and not self._is_context(entry.module, p)]
            return self.python.parameters(entry.module, params)
        return {"type": "object", "properties": {}}

    def _is_context(self, module, param) -> bool:
        """The SDK's request context, also written ``Context | None`` or ``Optional[Context]``."""
        models = self.checker.engine.models_for(module)
        if self.checker.is_context(module, models, param):
            return True
        members = self._optional_members(module, param.annotation)
        return bool(members) and all(
            self.checker.is_context(module, models, ir.Param(param.name, param.span, m)) for m in members)

    def _model_json_schema(self, module, expr) -> dict | None:
        """``inputSchema=SomeModel.model_json_schema()``: the pydantic model's fields."""
        if isinstance(expr, ir.Call) and isinstance(expr.func, ir.Attribute) and expr.func.attr == "model_json_schema":
            cls = self.checker._static(module, expr.func.value).ref
            if isinstance(cls, ir.Class):
                return self.python.class_schema(cls, 0) or None
        return None

    def _optional_members(self, module, annotation) -> list:
        """The members other than None of ``X | None`` / ``Optional[X]`` (empty for anything else)."""
        if isinstance(annotation, ir.BinOp) and annotation.op == "|":
            sides = [annotation.left, annotation.right]
        elif isinstance(annotation, ir.Subscript) and (
                self.checker._static(module, annotation.value).qualname in OPTIONAL):
            sides = [annotation.index]
        else:
            return []
        return [s for s in sides if not (isinstance(s, ir.Literal) and s.value is None)]


def _local_definition(entry, expr):
    """A schema held in a name assigned inside the function that registers the tool (``const args = {...};
    server.registerPrompt("p", {argsSchema: args}, ...)``), where module-level look-ups do not reach."""
    if not isinstance(expr, ir.Name):
        return entry.module, expr
    line = entry.span.line
    around = [f for f in entry.module.functions if f.span.line <= line <= f.span.end_line]
    for fn in sorted(around, key=lambda f: f.span.line, reverse=True):  # innermost first
        values = [s.value for s in _statements(fn.body) if isinstance(s, ir.Assign) and s.value is not None
                  and any(isinstance(t, ir.Name) and t.id == expr.id for t in s.targets)]
        if values:
            return (entry.module, values[0]) if len(values) == 1 else (entry.module, expr)
    return entry.module, expr


def _statements(body):
    for s in body:
        yield s
        if not isinstance(s, (ir.FunctionDef, ir.ClassDef)):
            for sub in sub_bodies(s):
                yield from _statements(sub)


def registration_entry(reg: Registration, input_schema: dict) -> dict:
    entry = {"name": reg.name, "kind": reg.kind}
    if reg.title:
        entry["title"] = reg.title
    entry["description"] = reg.description
    if reg.kind == "resource":
        entry["uri"] = reg.name
    entry["inputSchema"] = input_schema
    if reg.annotations:
        entry["annotations"] = {k: _value(v) for k, v in reg.annotations}
    entry["source"] = {"path": reg.path, "line": reg.line, "handler": reg.handler, "form": reg.form}
    return entry


def manifest_data(analysis, problems: list[str] | None = None) -> dict:
    """The manifest of a scan (:class:`toolsink.scan.Analysis`); schemas that could not be built are
    described in ``problems``."""
    builder = SchemaBuilder(analysis.engine)
    entries = [registration_entry(registration_record(e, builder.checker), builder.safe_input_schema(e))
               for e in analysis.entries]
    entries.sort(key=lambda e: (e["kind"], e["name"], e["source"]["path"], e["source"]["line"]))
    if problems is not None:
        problems.extend(builder.problems)
    return {"version": MANIFEST_VERSION, "tool": "toolsink", "entries": entries}


def render_manifest(analysis, problems: list[str] | None = None) -> str:
    return json.dumps(manifest_data(analysis, problems), indent=2, ensure_ascii=False) + "\n"


def _comparable(data: dict) -> list:
    """What a review cares about: everything but line numbers, which move with unrelated edits."""
    out = []
    for e in data.get("entries", []):
        e = dict(e)
        src = dict(e.get("source", {}))
        src.pop("line", None)
        e["source"] = src
        out.append(e)
    return out


def run_manifest(args) -> int:
    from ..config import load_config
    from ..discover import default_root
    from ..scan import scan

    root = default_root(args.paths)
    config = load_config(root, explicit=args.config)
    analysis = scan(args.paths, config, root=root)
    result = analysis.result
    problems: list[str] = []
    text = render_manifest(analysis, problems)
    for problem in problems:
        print(f"toolsink: warning: {problem}", file=sys.stderr)
    if args.check:
        try:
            with open(args.check, encoding="utf-8") as fh:
                committed_text = fh.read()
            committed = json.loads(committed_text)
        except (OSError, ValueError) as exc:
            print(f"toolsink: error: cannot read manifest {args.check}: {exc}", file=sys.stderr)
            return 2
        if _comparable(committed) == _comparable(json.loads(text)):
            print(f"toolsink: {args.check} is up to date ({len(result.registrations)} registrations)", file=sys.stderr)
            return 0
        diff = difflib.unified_diff(committed_text.splitlines(), text.splitlines(), args.check, "current", lineterm="")
        print("\n".join(diff))
        print(f"toolsink: model-visible metadata changed; review it and rewrite {args.check} with "
              f"`toolsink manifest -o {args.check}`", file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0
