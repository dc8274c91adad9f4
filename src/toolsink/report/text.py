"""Text output in the style of ruff: ``path:line:col: CODE message``, a code frame at the sink, the trace
back to the tool argument, diagnostics, and a summary line. ``[*]`` after the code marks a finding that
``--fix`` fixes, and a line under the summary counts them.
"""

from __future__ import annotations

import os
from collections import Counter

from ..findings import Finding, TraceStep
from ..result import ScanResult
from ..rules import Rule

_COLORS = {"bold": "1", "red": "31", "yellow": "33", "blue": "34", "cyan": "36", "dim": "2"}


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles:
            return text
        codes = ";".join(_COLORS[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def _read_lines(root: str, path: str, cache: dict) -> list[str]:
    if path not in cache:
        try:
            with open(os.path.join(root, path), encoding="utf-8", errors="replace") as fh:
                cache[path] = fh.read().splitlines()
        except OSError:
            cache[path] = []
    return cache[path]


def _where(step: TraceStep, sink_path: str) -> str:
    loc = step.location
    return f"line {loc.line}" if loc.path == sink_path else f"{loc.path}:{loc.line}"


def trace_line(f: Finding) -> str:
    return " -> ".join(f"{s.message} ({_where(s, f.location.path)})" for s in f.trace)


def frame(lines: list[str], f: Finding, style: _Style) -> list[str]:
    loc = f.location
    if not lines or loc.line > len(lines):
        return []
    width = len(str(loc.line))
    pad = " " * width
    out = [style(f"{pad} |", "blue")]
    if loc.line >= 2 and lines[loc.line - 2].strip():
        out.append(style(f"{loc.line - 1:>{width}} |", "blue") + f" {lines[loc.line - 2]}")
    text = lines[loc.line - 1]
    out.append(style(f"{loc.line:>{width}} |", "blue") + f" {text}")
    end = loc.end_col if loc.end_line == loc.line else len(text) + 1
    carets = "^" * max(1, end - loc.col)
    out.append(style(f"{pad} |", "blue") + " " + " " * (loc.col - 1) + style(f"{carets} {f.rule}", "red", "bold"))
    return out


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def render(result: ScanResult, rules: dict[str, Rule], *, quiet: bool = False, color: bool = False, **_) -> str:
    style = _Style(color)
    cache: dict[str, list[str]] = {}
    out: list[str] = []
    for f in result.findings:
        loc = f.location
        mark = " " + style("[*]", "cyan") if f.fix is not None else ""
        head = (style(f"{loc.path}:{loc.line}:{loc.col}:", "bold") + " " + style(f.rule, "red", "bold") + mark + " "
                + f.message)
        out.append(head)
        out.extend(frame(_read_lines(result.root, loc.path, cache), f, style))
        if len(f.trace) > 1:
            out.append(style("  = trace: ", "cyan") + trace_line(f))
        rule = rules.get(f.rule)
        if rule is not None:
            out.append(style("  = help: ", "cyan") + f"`toolsink rules {f.rule}` shows why and what to write instead")
        out.append("")
    for d in result.diagnostics:
        where = f"{d.path}:{d.line}:{d.col}:" if d.line else f"{d.path}:"
        level = style(d.level, "yellow" if d.level != "error" else "red")
        out.append(f"{where} {level}: {d.message} [{d.code}]")
    if result.diagnostics:
        out.append("")
    if not quiet:
        counts = result.counts()
        by_rule = Counter(f.rule for f in result.findings)
        rules_text = ", ".join(f"{code}: {n}" for code, n in sorted(by_rule.items()))
        noun = "finding" if len(result.findings) == 1 else "findings"
        summary = (f"Scanned {_n(result.files_scanned, 'file')} ({_n(result.lines_scanned, 'line')}) in "
                   f"{result.seconds:.2f}s: {_n(counts.get('tool', 0), 'tool')}, "
                   f"{_n(counts.get('resource', 0), 'resource')}, {_n(counts.get('prompt', 0), 'prompt')}; "
                   f"{len(result.findings)} {noun}")
        if rules_text:
            summary += f" ({rules_text})"
        if result.suppressed:
            summary += f", {result.suppressed} suppressed"
        out.append(style(summary, "bold"))
        fixable = sum(1 for f in result.findings if f.fix is not None)
        if fixable:
            out.append(f"[*] {fixable} fixable with `toolsink scan --fix` (`--diff` shows the changes)")
    return "\n".join(out) + ("\n" if out else "")
