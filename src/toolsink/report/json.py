"""JSON output: a documented, stable schema (``docs/json-format.md``, ``src/toolsink/schema/report.schema.json``).

Top level: ``version`` (of this format), ``tool``, ``root``, ``summary``, ``findings`` (each with its
``--fix`` edits in ``fix``, or null), ``registrations`` and ``diagnostics``. Lines and columns are 1-based; columns count Unicode code points.
"""

from __future__ import annotations

import json
from collections import Counter

from ..findings import Location
from ..result import ScanResult
from ..rules import Rule

FORMAT_VERSION = 1


def _loc(loc: Location) -> dict:
    return {"path": loc.path, "line": loc.line, "column": loc.col, "end_line": loc.end_line,
            "end_column": loc.end_col}


def _fix(fix) -> dict:
    return {"kind": fix.kind, "message": fix.message,
            "edits": [{"location": _loc(e.location), "content": e.text} for e in fix.edits]}


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def data(result: ScanResult, rules: dict[str, Rule], version: str = "") -> dict:
    counts = result.counts()
    return {
        "version": FORMAT_VERSION,
        "tool": {"name": "toolsink", "version": version},
        "root": result.root,
        "summary": {
            "files": result.files_scanned, "lines": result.lines_scanned, "seconds": round(result.seconds, 3),
            "tools": counts.get("tool", 0), "resources": counts.get("resource", 0),
            "prompts": counts.get("prompt", 0), "findings": len(result.findings),
            "by_rule": dict(sorted(Counter(f.rule for f in result.findings).items())),
            "suppressed": result.suppressed,
        },
        "findings": [
            {
                "rule": f.rule, "name": f.name, "severity": f.severity, "message": f.message,
                "location": _loc(f.location), "entry": f.entry, "argument": f.argument, "sink": f.sink,
                "cwe": list(rules[f.rule].cwe) if f.rule in rules else [],
                "trace": [{"kind": s.kind, "message": s.message, "location": _loc(s.location)} for s in f.trace],
                "notes": list(f.notes), "fingerprint": f.fingerprint,
                "fix": _fix(f.fix) if f.fix is not None else None,
            }
            for f in result.findings
        ],
        "registrations": [
            {
                "kind": r.kind, "name": r.name, "path": r.path, "line": r.line, "column": r.col,
                "handler": r.handler, "form": r.form, "description": r.description, "title": r.title,
                "parameters": [{"name": p.name, "type": p.type, "description": p.description,
                                "default": p.default, "source": p.is_source} for p in r.parameters],
                "annotations": {k: _jsonable(v) for k, v in r.annotations},
            }
            for r in result.registrations
        ],
        "diagnostics": [
            {"path": d.path, "line": d.line, "column": d.col, "level": d.level, "code": d.code, "message": d.message}
            for d in result.diagnostics
        ],
    }


def render(result: ScanResult, rules: dict[str, Rule], *, version: str = "", **_) -> str:
    return dumps_indented(data(result, rules, version)) + "\n"


def dumps_indented(value) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, written by orjson (six times faster on a large
    report, the same text); the standard encoder for what orjson refuses: a file name that is not UTF-8
    holds a lone surrogate, written as a ``\\udcff`` escape so that the report stays valid UTF-8."""
    import orjson

    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    except (TypeError, ValueError):
        return json.dumps(value, indent=2)
