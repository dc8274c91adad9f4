"""Inline suppressions: ``# noqa: MCP101`` (Python) and ``// toolsink-ignore MCP101: reason`` (any language).

What a comment covers:

- ``# noqa: MCP101`` silences the listed toolsink codes (or code prefixes) on its own line, as in flake8.
  Codes of other tools in the same comment (``# noqa: E501, MCP101``) are left to those tools, and a
  ``noqa`` naming no toolsink code is not a toolsink suppression at all.
- ``toolsink-ignore MCP101: reason`` (after ``//``, ``/*`` or ``#``) silences its own line and, when the
  comment stands alone on its line, the line below it (written above the sink, as eslint users expect).
- ``# toolsink: noqa`` (``// toolsink: noqa`` in TypeScript/JavaScript), alone on its line anywhere in the
  file, silences every toolsink finding of the file, as ``# flake8: noqa`` and ``# ruff: noqa`` do;
  ``# toolsink: noqa: MCP101,MCP104`` only those codes (or prefixes).

Comments are the ones the frontends collected from the syntax tree (``module.comments``), never text
lines, so a ``noqa`` inside a string is not a suppression.

A line suppression without a code silences nothing, since it would hide every future finding on the line. A
bare ``toolsink-ignore`` is always reported; a bare ``# noqa`` is so common for flake8's own checks that
it is reported only where a toolsink finding sits on its line. With ``require-reason`` a suppression
without a reason is an error; with ``report-unused-suppressions`` every toolsink code that silenced
nothing is reported, in every scanned module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import ir
from .findings import Finding

_CODE = r"[A-Z]+[0-9]+"
_NOQA = re.compile(rf"#\s*noqa(?::\s*(?P<codes>{_CODE}(?:[\s,]+{_CODE})*))?", re.IGNORECASE)
_IGNORE = re.compile(rf"toolsink-ignore(?:\s+(?P<codes>{_CODE}(?:\s*,\s*{_CODE})*))?(?:\s*:\s*(?P<reason>.*))?",
                     re.IGNORECASE)
_PLACEHOLDER = re.compile(r"<[^<>]*>|todo|fixme", re.IGNORECASE)  # what a quick fix leaves to be filled in
_FILE_NOQA = re.compile(rf"^(?:#|//|/\*)\s*toolsink\s*:\s*noqa(?:\s*:\s*(?P<codes>{_CODE}(?:[\s,]+{_CODE})*))?"
                        r"(?P<rest>.*?)(?:\*/)?\s*$", re.IGNORECASE)
OUR_PREFIX = "MCP"
FILE_FORM = "toolsink: noqa"  # the file-level form


@dataclass
class Suppression:
    line: int  # the comment's line
    col: int  # the comment's 1-based column
    codes: frozenset[str] | None  # toolsink codes or prefixes; None: bare
    reason: str
    form: str  # "noqa" | "toolsink-ignore"
    covers: tuple[int, ...]
    used: set[str] = field(default_factory=set)

    def matches(self, rule: str) -> str | None:
        """The code of this suppression that silences ``rule``, if any (``*`` for a bare file-level one)."""
        if self.codes is None and self.form == FILE_FORM:
            return "*"
        for code in sorted(self.codes or ()):
            if rule == code or rule.startswith(code):
                return code
        return None


def _split(codes: str) -> frozenset[str]:
    return frozenset(c.upper() for c in re.split(r"[\s,]+", codes) if c)


def parse_comment(text: str) -> tuple[frozenset[str] | None, str, str] | None:
    """``(codes, reason, form)`` of a toolsink suppression comment (codes None: bare), or None."""
    m = _FILE_NOQA.match(text.strip())
    if m:
        codes = m.group("codes")
        reason = (m.group("rest") or "").strip().lstrip(":#-—– ").strip()
        return (_split(codes) if codes else None), _reason(reason), FILE_FORM
    m = _IGNORE.search(text)
    if m:
        codes = m.group("codes")
        reason = (m.group("reason") or "").strip()
        if reason.endswith("*/"):
            reason = reason[:-2].strip()
        return (_split(codes) if codes else None), _reason(reason), "toolsink-ignore"
    m = _NOQA.search(text)
    if m:
        codes = m.group("codes")
        reason = text[m.end():].strip().lstrip(":#-—– ").strip()
        if not codes:
            return None, _reason(reason), "noqa"
        ours = frozenset(c for c in _split(codes) if c.startswith(OUR_PREFIX))
        return (ours, _reason(reason), "noqa") if ours else None
    return None


def _reason(text: str) -> str:
    return "" if _PLACEHOLDER.fullmatch(text.strip()) else text


def module_suppressions(module: ir.Module) -> list[Suppression]:
    """Every toolsink suppression comment of ``module``, in line order."""
    out: list[Suppression] = []
    for line, text in sorted(module.comments.items()):
        parsed = parse_comment(text)
        if parsed is None:
            continue
        codes, reason, form = parsed
        source = module.lines[line - 1] if 0 < line <= len(module.lines) else ""
        col = source.find(text) + 1 if text in source else 1
        covers: tuple[int, ...] = (line,)
        if form == "toolsink-ignore" and not source[:col - 1].strip():  # alone on its line: the next one too
            covers = (line, line + 1)
        if form == FILE_FORM:
            if source[:col - 1].strip():
                continue  # after code it is not a file-level comment (ruff and flake8 agree)
            covers = ()  # every line: see apply_suppressions
        out.append(Suppression(line, col, codes, reason, form, covers))
    return out


def apply_suppressions(findings: list[Finding], project, config, result,
                       known: dict[str, list[Suppression]] | None = None) -> list[Finding]:
    """The findings no suppression silences; suppression problems go to ``result.diagnostics``. ``known``:
    the suppressions of modules the scan did not lower (their comments came from the per-component cache)."""
    tables: dict[str, dict[int, list[Suppression]]] = {}
    whole: dict[str, list[Suppression]] = {}  # file-level suppressions by path
    found: dict[str, list[Suppression]] = {}
    for path, module in sorted(project.by_path.items()):
        sups = known[path] if known and path in known else module_suppressions(module)
        if not getattr(config, "inline_noqa", True):  # flake8 applies `# noqa` (and --disable-noqa) itself
            sups = [s for s in sups if s.form != "noqa"]
        if sups:
            found[path] = sups
            table = tables[path] = {}
            for sup in sups:
                if sup.form == FILE_FORM:
                    whole.setdefault(path, []).append(sup)
                for line in sup.covers:
                    table.setdefault(line, []).append(sup)
    kept: list[Finding] = []
    finding_lines: set[tuple[str, int]] = set()
    for f in findings:
        finding_lines.add((f.location.path, f.location.line))
        silenced = False
        here = tables.get(f.location.path, {}).get(f.location.line, [])
        for sup in [*here, *whole.get(f.location.path, ())]:
            code = sup.matches(f.rule)
            if code is not None:
                sup.used.add(code)
                silenced = True
        if silenced:
            result.suppressed += 1
        else:
            kept.append(f)
    for path, sups in found.items():
        for sup in sups:
            result.diagnostics.extend(_problems(path, sup, config, finding_lines))
    return kept


def _problems(path: str, sup: Suppression, config, finding_lines: set[tuple[str, int]]) -> list[ir.Diagnostic]:
    def diag(message: str, code: str, level: str = "warning") -> ir.Diagnostic:
        return ir.Diagnostic(path, message, code, sup.line, sup.col, level=level)

    if sup.codes is None and sup.form == FILE_FORM:
        if getattr(config, "require_reason", False) and not sup.reason:
            return [diag("file-level suppression of every rule has no reason; write it as "
                         "`# toolsink: noqa -- why the file is safe`", "suppression-without-reason", "error")]
        return []
    if sup.codes is None:
        if sup.form == "noqa" and not any((path, line) in finding_lines for line in sup.covers):
            return []  # a bare noqa for flake8's own checks
        example = "# noqa: MCP101" if sup.form == "noqa" else "toolsink-ignore MCP101: why it is safe"
        return [diag(f"`{sup.form}` without a rule code silences no toolsink finding; name the codes, "
                     f"e.g. `{example}`", "bare-suppression")]
    out = []
    codes = ", ".join(sorted(sup.codes))
    if getattr(config, "require_reason", False) and not sup.reason:
        hint = {"noqa": "`# noqa: CODE -- why it is safe`", FILE_FORM: "`# toolsink: noqa: CODE -- why it is safe`"}.get(
            sup.form, "`toolsink-ignore CODE: why it is safe`")
        out.append(diag(f"suppression of {codes} has no reason; write it as {hint}",
                        "suppression-without-reason", "error"))
    if getattr(config, "report_unused_suppressions", False):
        unused = sorted(c for c in sup.codes - sup.used if config.selects(c))
        if unused:
            where = {0: "in this file", 1: "this line"}.get(len(sup.covers), "this or the next line")
            out.append(diag(f"unused suppression of {', '.join(unused)}: no such finding "
                            f"{'on ' if sup.covers else ''}{where}",
                            "unused-suppression"))
    return out
