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

from .result import Registration

MANIFEST_VERSION = 1


def _value(v):
    return v if isinstance(v, (str, int, float, bool)) or v is None else repr(v)


def registration_entry(reg: Registration) -> dict:
    properties = {}
    for p in reg.parameters:
        prop: dict = {}
        if p.type:
            prop["type"] = p.type
        if p.description:
            prop["description"] = p.description
        if p.default is not None:
            prop["default"] = p.default
        if p.enum:
            prop["enum"] = list(p.enum)
        properties[p.name] = prop
    entry = {"name": reg.name, "kind": reg.kind}
    if reg.title:
        entry["title"] = reg.title
    entry["description"] = reg.description
    if reg.kind == "resource":
        entry["uri"] = reg.name
    entry["inputSchema"] = {"type": "object", "properties": properties}
    if reg.annotations:
        entry["annotations"] = {k: _value(v) for k, v in reg.annotations}
    entry["source"] = {"path": reg.path, "line": reg.line, "handler": reg.handler, "form": reg.form}
    return entry


def manifest_data(registrations: list[Registration]) -> dict:
    entries = [registration_entry(r) for r in registrations]
    entries.sort(key=lambda e: (e["kind"], e["name"], e["source"]["path"], e["source"]["line"]))
    return {"version": MANIFEST_VERSION, "tool": "toolsink", "entries": entries}


def render_manifest(registrations: list[Registration]) -> str:
    return json.dumps(manifest_data(registrations), indent=2, ensure_ascii=False) + "\n"


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
    from .config import load_config
    from .discover import default_root
    from .scan import scan

    root = default_root(args.paths)
    config = load_config(root, explicit=args.config)
    result = scan(args.paths, config, root=root).result
    text = render_manifest(result.registrations)
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
