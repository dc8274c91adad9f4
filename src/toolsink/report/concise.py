"""Concise output for editors and scripts: ``path:line:col: CODE message``, one line per finding (``[*]`` after
the code marks a finding that ``--fix`` fixes), then one line per error-level diagnostic
(``path:line:col: error: message [code]``), since those decide the exit code too (a reason-less suppression
under ``--require-reason``, a missing path)."""

from __future__ import annotations

from ..result import ScanResult
from ..rules import Rule


def render(result: ScanResult, rules: dict[str, Rule], **_) -> str:
    lines = [f"{f.location.path}:{f.location.line}:{f.location.col}: {f.rule}{' [*]' if f.fix else ''} {f.message}"
             for f in result.findings]
    for d in sorted(result.diagnostics, key=lambda d: (d.path, d.line, d.col, d.code)):
        if d.level == "error":
            where = f"{d.path}:{d.line}:{d.col}:" if d.line else f"{d.path}:"
            lines.append(f"{where} error: {d.message} [{d.code}]")
    return "\n".join(lines) + ("\n" if lines else "")
