"""GitHub Actions workflow-command reporter: one ``::error``/``::warning``/``::notice`` line per finding.

This module owns the annotation format and GitHub's escaping rules. The runner turns each line into an
annotation on the pull request's diff, so this output carries nothing else: no header, no summary.

Escaping (as the runner unescapes it): in the message, ``%`` -> ``%25``, CR -> ``%0D``, LF -> ``%0A``;
in property values additionally ``:`` -> ``%3A`` and ``,`` -> ``%2C``.

Annotation paths must be relative to the repository checkout, not to the scan root, so a scan of a
subdirectory still lands on the right file: paths are re-based onto ``base`` (default ``$GITHUB_WORKSPACE``,
else the current directory).
"""

from __future__ import annotations

import os
from typing import Any

from ..findings import Finding
from ..ir import Diagnostic
from ..result import ScanResult
from ..rules import Rule

_COMMANDS = {"error": "error", "warning": "warning", "note": "notice", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: ScanResult, rules: dict[str, Rule], base: str | None = None, **_options: Any) -> str:
    """Workflow commands for every finding, then every diagnostic (as ``::warning``)."""
    if base is None:
        base = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
    lines = [_finding_line(f, result.root, base) for f in sorted(result.findings, key=_order)]
    diagnostics = sorted(result.diagnostics, key=lambda d: (d.path, d.line, d.col, d.code, d.message))
    lines += [_diagnostic_line(d, result.root, base) for d in diagnostics]
    return "".join(line + "\n" for line in lines)


def _order(finding: Finding) -> tuple:
    return (*finding.sort_key(), finding.sink, finding.entry, finding.message)


def _finding_line(finding: Finding, root: str, base: str) -> str:
    loc = finding.location
    props = [("file", annotation_path(loc.path, root, base))]
    if loc.line > 0:
        props.append(("line", str(loc.line)))
        if loc.col > 0:
            props.append(("col", str(loc.col)))
        if loc.end_line >= loc.line:
            props.append(("endLine", str(loc.end_line)))
            if loc.end_col > 0:
                props.append(("endColumn", str(loc.end_col)))
    props.append(("title", f"{finding.rule} {finding.name}".strip()))
    command = _COMMANDS.get(finding.severity.lower(), "warning")
    return _command(command, props, finding.message + _trace_suffix(finding))


def _trace_suffix(finding: Finding) -> str:
    text = ""
    if finding.trace:
        hops = []
        for step in finding.trace:
            where = (f"line {step.location.line}" if step.location.path == finding.location.path
                     else f"{step.location.path}:{step.location.line}")
            hops.append(f"{step.message or step.kind} ({where})")
        text += " (trace: " + " -> ".join(hops) + ")"
    notes = " ".join(note.strip() for note in finding.notes if note.strip())
    if notes:
        text += " " + notes
    return text


def _diagnostic_line(diag: Diagnostic, root: str, base: str) -> str:
    props = []
    if diag.path:
        props.append(("file", annotation_path(diag.path, root, base)))
        if diag.line > 0:
            props.append(("line", str(diag.line)))
            if diag.col > 0:
                props.append(("col", str(diag.col)))
    props.append(("title", f"toolsink {diag.code}"))
    return _command("notice" if diag.level == "note" else "warning", props, diag.message)


def _command(name: str, props: list[tuple[str, str]], message: str) -> str:
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{name} {joined}::{escape_data(message)}"


def annotation_path(path: str, root: str, base: str) -> str:
    """``path`` (relative to the scan root) re-based onto ``base``, with forward slashes.

    Falls back to the path as given when it cannot be expressed below ``base`` (another drive, or outside).
    """
    full = path if os.path.isabs(path) else os.path.join(root or ".", path)
    try:
        rel = os.path.relpath(os.path.abspath(full), os.path.abspath(base))
    except ValueError:  # different drives on Windows
        return path.replace("\\", "/")
    if rel == ".." or rel.startswith(".." + os.sep):
        return path.replace("\\", "/")
    return rel.replace(os.sep, "/")


__all__ = ["annotation_path", "escape_data", "escape_property", "render"]
