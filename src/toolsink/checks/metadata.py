"""Tool-poisoning checks (MCP2xx) on every model-visible string of every registration.

The registrations carry their model-visible texts (name, title, description or docstring, parameter
names, descriptions and defaults, zod ``.describe()`` strings), statically extracted and decoded by the
frontends. :mod:`toolsink.metadata` decides what is wrong with a string; this module only turns its
issues into findings at the right line. Names are checked per module (the tools one server file
registers), for duplicates and imitations of well-known tools.
"""

from __future__ import annotations

from collections import defaultdict

from ..findings import Finding, Location, TraceStep
from ..metadata import check_names, check_text
from ..sources import entry_label


def _finding(rule, reg, where: str, line: int, detail: str) -> Finding:
    label = entry_label(reg.kind, reg.name)
    location = Location(reg.path, max(line, 1), 1, max(line, 1), 1)
    return Finding(
        rule=rule.id, name=rule.name, message=rule.format(entry=label, where=where, detail=detail),
        severity=rule.severity, location=location, entry=f"{reg.kind} {reg.name}", argument=where,
        sink=where, trace=(TraceStep("sink", f"{where}: {detail}", location),), snippet=f"{where}:{detail}",
    )


def metadata_findings(analysis, rules, config, programs) -> list[Finding]:
    out: list[Finding] = []
    by_module: dict[str, list] = defaultdict(list)
    for reg in analysis.result.registrations:
        for where, text, line in reg.texts:
            for issue in check_text(text, where):
                rule = rules.get(issue.rule)
                if rule is None:
                    continue
                at = line + text[: issue.offset].count("\n") if where != "name" else line
                out.append(_finding(rule, reg, where, at, issue.detail))
        if reg.kind == "tool" and reg.name not in ("", "*", "?"):
            by_module[reg.path].append(reg)
    for path, regs in by_module.items():
        def exclusive(i: int, j: int, regs=regs) -> bool:
            arms = dict(regs[j].arms)
            return any(stmt in arms and arms[stmt] != arm for stmt, arm in regs[i].arms)

        for index, issue in check_names([(r.name, r.path, r.line) for r in regs], exclusive=exclusive):
            rule = rules.get(issue.rule)
            if rule is not None:
                reg = regs[index]
                out.append(_finding(rule, reg, "name", reg.line, issue.detail))
    return out
