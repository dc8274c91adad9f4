"""Concise output for editors and scripts: ``path:line:col: CODE message``, one line per finding; ``[*]``
after the code marks a finding that ``--fix`` fixes."""

from __future__ import annotations

from ..result import ScanResult
from ..rules import Rule


def render(result: ScanResult, rules: dict[str, Rule], **_) -> str:
    lines = [f"{f.location.path}:{f.location.line}:{f.location.col}: {f.rule}{' [*]' if f.fix else ''} {f.message}"
             for f in result.findings]
    return "\n".join(lines) + ("\n" if lines else "")
