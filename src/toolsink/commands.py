"""The ``rules`` and ``manifest`` subcommands."""

from __future__ import annotations

import json
import sys

from .rules import load_rules


def rules_command(args) -> int:
    rules = load_rules()
    if args.code:
        rule = rules.get(args.code.upper())
        if rule is None:
            print(f"toolsink: error: no rule {args.code!r}; `toolsink rules` lists them", file=sys.stderr)
            return 2
        if args.format == "json":
            print(json.dumps(_rule_data(rule), indent=2))
        else:
            print(rule.markdown(), end="")
        return 0
    if args.format == "json":
        print(json.dumps([_rule_data(r) for r in rules.values()], indent=2))
        return 0
    if args.format == "markdown":
        for rule in rules.values():
            print(rule.markdown())
        return 0
    width = max(len(r.name) for r in rules.values())
    for rule in rules.values():
        cwe = ",".join(f"CWE-{c}" for c in rule.cwe)
        title = rule.title + ("  [experimental: --extend-select " + rule.id + "]" if rule.experimental else "")
        print(f"{rule.id}  {rule.name:<{width}}  {rule.severity:<7}  {title}{'  (' + cwe + ')' if cwe else ''}")
    return 0


def _rule_data(rule) -> dict:
    return {"id": rule.id, "name": rule.name, "title": rule.title, "severity": rule.severity,
            "precision": rule.precision, "security_severity": rule.security_severity, "cwe": list(rule.cwe),
            "languages": list(rule.languages), "message": rule.message, "experimental": rule.experimental,
            "docs": {"what": rule.docs.what, "why": rule.docs.why, "example": rule.docs.example,
                     "use_instead": rule.docs.use_instead, "references": list(rule.docs.references)}}


def manifest_command(args) -> int:
    from .manifest import run_manifest

    return run_manifest(args)
