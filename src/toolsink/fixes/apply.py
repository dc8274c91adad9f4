"""Applying fixes: merge the edits of one file (a fix whose edits overlap another's waits for the next
run, as in ruff; identical edits from two findings are one edit), refuse a result that no longer parses,
write files atomically, and render ``--diff``.
"""

from __future__ import annotations

from ..atomic import replace_file

import difflib
import os
from dataclasses import dataclass, field

from ..discover import language_of
from ..findings import Edit
from ..result import ScanResult
from . import read_text


@dataclass(slots=True)
class Changes:
    """What the fixes of one result do: new text per file and how many findings they fix."""

    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (old text, new text)
    fixed: int = 0


def _conflict(a: Edit, b: Edit) -> bool:
    if (a.start, a.end, a.text) == (b.start, b.end, b.text):
        return False
    if a.start == b.start and (a.start == a.end or b.start == b.end):
        return True  # two different insertions (or an insertion and a replacement) at one point
    return max(a.start, b.start) < min(a.end, b.end)


def apply_edits(text: str, fixes: list) -> tuple[str, int]:
    """``text`` with every fix applied that does not conflict with an earlier one; the number applied."""
    accepted: list[Edit] = []
    applied = 0
    for fix in sorted(fixes, key=lambda f: min(e.start for e in f.edits)):
        if any(_conflict(e, a) for e in fix.edits for a in accepted):
            continue
        accepted.extend(e for e in fix.edits if e not in accepted)
        applied += 1
    for e in sorted(set(accepted), key=lambda e: (e.start, e.end), reverse=True):
        text = text[:e.start] + e.text + text[e.end:]
    return text, applied


def parses(path: str, text: str) -> bool:
    """The fixed text is still a valid file of its language."""
    language = language_of(path)
    if language == "python":
        import libcst as cst

        try:
            cst.parse_module(text[1:] if text.startswith("\ufeff") else text)
            compile(text, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, cst.ParserSyntaxError, RecursionError):
            return False
        return True
    from ..frontends.typescript.parser import _parser

    grammar = language if language in ("typescript", "tsx", "javascript") else "typescript"
    return not _parser(grammar).parse(text.encode("utf-8")).root_node.has_error


def plan(result: ScanResult) -> Changes:
    """The new text of every file with fixes on its findings (nothing is written)."""
    by_path: dict[str, list] = {}
    for f in result.findings:
        if f.fix is not None:
            by_path.setdefault(f.location.path, []).append(f.fix)
    changes = Changes()
    for path, fixes in sorted(by_path.items()):
        old = read_text(result.root, path)
        if old is None:
            continue
        new, applied = apply_edits(old, fixes)
        if new != old and parses(path, new):
            changes.files[path] = (old, new)
            changes.fixed += applied
    return changes


def write_atomic(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, line endings as in ``text``), keeping its permissions."""
    replace_file(path, text.encode("utf-8"), ".toolsink-fix-", os.stat(path).st_mode)


def write(root: str, changes: Changes) -> list[str]:
    """Write every changed file; an error line per file that could not be written."""
    errors = []
    for path, (_, new) in changes.files.items():
        try:
            write_atomic(os.path.join(root, path), new)
        except OSError as exc:
            errors.append(f"cannot write the fixes to {path}: {exc.strerror or exc}")
    return errors


def unified_diff(changes: Changes) -> str:
    """The fixes as one unified diff (paths as reported)."""
    out: list[str] = []
    for path, (old, new) in changes.files.items():
        out.extend(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=path, tofile=path))
        if out and not out[-1].endswith(("\n", "\r")):
            out[-1] += "\n\\ No newline at end of file\n"
    return "".join(out)
