"""``toolsink manifest``: the static ``tools/list``-style inventory of a server, and ``--check``.

The manifest lists every tool, resource and prompt with the text the model reads (name, title,
description, parameters with their descriptions and defaults, annotations) and where it is registered.
Committing it and running ``toolsink manifest --check manifest.json`` in CI makes any change to
model-visible text show up in review, the way a lock file shows a dependency change.
"""

from __future__ import annotations

import difflib
import json
import sys

from ..result import Registration
from ..sources import registration_record
from .declared import DeclaredSchemas
from .python_schema import PythonSchemas

MANIFEST_VERSION = 1


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

    def input_schema(self, entry) -> dict:
        if entry.schema is not None:
            found = self.declared.input_schema(entry.module, entry.schema)
            if found is not None:
                return found
            return {}  # a schema is written but toolsink cannot read it: any arguments, as far as it knows
        fn = entry.handler
        if fn is not None and entry.row.get("sources") == "params" and entry.module.language == "python":
            models = self.checker.engine.models_for(entry.module)
            params = [p for p in fn.params if p.kind in ("positional", "kwonly") and not p.name.startswith("$")
                      and not self.checker.is_context(entry.module, models, p)]
            return self.python.parameters(entry.module, params)
        return {"type": "object", "properties": {}}


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


def manifest_data(analysis) -> dict:
    """The manifest of a scan (:class:`toolsink.scan.Analysis`)."""
    builder = SchemaBuilder(analysis.engine)
    entries = [registration_entry(registration_record(e, builder.checker), builder.input_schema(e))
               for e in analysis.entries]
    entries.sort(key=lambda e: (e["kind"], e["name"], e["source"]["path"], e["source"]["line"]))
    return {"version": MANIFEST_VERSION, "tool": "toolsink", "entries": entries}


def render_manifest(analysis) -> str:
    return json.dumps(manifest_data(analysis), indent=2, ensure_ascii=False) + "\n"


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
    text = render_manifest(analysis)
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
