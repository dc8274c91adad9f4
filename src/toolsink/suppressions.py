"""Inline suppressions: ``# noqa: MCP101`` (Python) and ``// toolsink-ignore MCP101: reason`` (TS/JS).

A suppression applies to findings reported on its line; the TS form also applies to the line below it
(written above the sink, as eslint users expect). A suppression without a code does not silence
anything and is reported, since a bare ``noqa`` would hide every future finding on the line.
"""

from __future__ import annotations

import re

from . import ir
from .findings import Finding

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(
    r"toolsink-ignore(?:\s+(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?(?:\s*:\s*(?P<reason>.*))?")


def parse_comment(text: str) -> tuple[set[str] | None, str] | None:
    """The codes a comment suppresses (None: bare) and its reason, or None if it is no suppression."""
    m = _IGNORE.search(text)
    if m:
        codes = m.group("codes")
        reason = (m.group("reason") or "").strip().rstrip("*/").strip()
        return ({c.strip().upper() for c in re.split(r"[\s,]+", codes) if c.strip()} if codes else None), reason
    m = _NOQA.search(text)
    if m:
        codes = m.group("codes")
        rest = text[m.end():].strip()
        reason = rest.lstrip(":#-— ").strip()
        return ({c.upper() for c in re.split(r"[\s,]+", codes) if c} if codes else None), reason
    return None


def _suppressions(module: ir.Module) -> dict[int, tuple[set[str] | None, str, int]]:
    """Line a suppression covers -> (codes, reason, line of the comment)."""
    out: dict[int, tuple[set[str] | None, str, int]] = {}
    for line, text in module.comments.items():
        parsed = parse_comment(text)
        if parsed is None:
            continue
        codes, reason = parsed
        if module.language == "python" and "noqa" not in text.lower() and "toolsink-ignore" not in text:
            continue
        out.setdefault(line, (codes, reason, line))
        if "toolsink-ignore" in text and line < len(module.lines):
            stripped = module.lines[line - 1].strip()
            if stripped.startswith(("//", "/*", "#")):  # a comment alone on its line covers the next line
                out.setdefault(line + 1, (codes, reason, line))
    return out


def apply_suppressions(findings: list[Finding], project, config, result) -> list[Finding]:
    kept: list[Finding] = []
    tables: dict[str, dict] = {}
    used: set[tuple[str, int]] = set()
    for f in findings:
        module = project.by_path.get(f.location.path)
        if module is None:
            kept.append(f)
            continue
        table = tables.get(module.path)
        if table is None:
            table = tables[module.path] = _suppressions(module)
        sup = table.get(f.location.line)
        if sup is not None and sup[0] is not None and (f.rule in sup[0] or any(f.rule.startswith(c) for c in sup[0])):
            used.add((module.path, sup[2]))
            result.suppressed += 1
            continue
        kept.append(f)
    for path, table in tables.items():
        for line, (codes, reason, at) in sorted(table.items()):
            if line != at:
                continue
            if codes is None:
                result.diagnostics.append(ir.Diagnostic(
                    path, "suppression without a rule code silences nothing; name the codes, e.g. `noqa: MCP101`",
                    "bare-suppression", at))
            elif getattr(config, "require_reason", False) and not reason:
                result.diagnostics.append(ir.Diagnostic(
                    path, f"suppression of {', '.join(sorted(codes))} has no reason", "suppression-without-reason",
                    at, level="error"))
            if codes is not None and getattr(config, "report_unused_suppressions", False) and (path, at) not in used:
                result.diagnostics.append(ir.Diagnostic(
                    path, f"unused suppression of {', '.join(sorted(codes))}", "unused-suppression", at))
    return kept
