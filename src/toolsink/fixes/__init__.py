"""Safe automatic fixes (``toolsink scan --fix`` / ``--diff``): which findings get one, and applying them.

A fix is attached to a finding after the scan (:func:`attach_fixes`): a :class:`~toolsink.findings.Fix`
with a kind and text edits in the finding's file. Only mechanical edits that need no judgement exist,
one module per kind:

- :mod:`.yaml_load`: PyYAML ``yaml.load``/``load_all``/``unsafe_load`` with no or an unsafe ``Loader``
  -> ``yaml.safe_load``/``safe_load_all`` (Python, libcst);
- :mod:`.invisible`: the invisible characters MCP201 reports, removed from the string literals of that
  model-visible text (Python with libcst, TypeScript/JavaScript on the tree-sitter tree);
- :mod:`.shell_list`: ``shell=True`` dropped from a ``subprocess`` call whose command is a list literal.

:mod:`.apply` applies the edits (skipping overlaps, refusing results that no longer parse), writes files
atomically and renders ``--diff``. A file with a syntax error never gets a fix. Nothing here executes or
imports the scanned code.
"""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict

from ..discover import language_of
from ..findings import Finding, Fix
from ..result import ScanResult

_TS_RULES = {"MCP201"}
# Python: the rules with a fix kind, and the sinks (as the engine resolved them) it can apply to; the fix
# kind checks the call again on the syntax tree.
_PY_SINKS = {
    "MCP107": {"yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.unsafe_load_all"},
    "MCP101": {f"subprocess.{n}" for n in ("run", "call", "check_call", "check_output", "Popen")},
    "MCP201": None,
}
_PY_SINKS["MCP108"] = _PY_SINKS["MCP101"]


def _is_python(path: str) -> bool:
    return language_of(path) == "python"


def _candidate(f: Finding) -> bool:
    language = language_of(f.location.path)
    if language == "python":
        return f.rule in _PY_SINKS and (_PY_SINKS[f.rule] is None or f.sink in _PY_SINKS[f.rule])
    return language is not None and f.rule in _TS_RULES


def read_text(root: str, path: str) -> str | None:
    """The file's text as the fix sees it (UTF-8, line endings kept), or None when it cannot be."""
    try:
        with open(os.path.join(root, path), "rb") as fh:
            data = fh.read()
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def compute_fixes(result: ScanResult, texts: dict[str, str] | None = None) -> dict[int, Fix]:
    """Fixes by index into ``result.findings``. ``texts`` caches the file texts read (path -> text)."""
    texts = {} if texts is None else texts
    broken = {d.path for d in result.diagnostics if d.code in ("syntax-error", "parse-error")}
    by_path: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(result.findings):
        if _candidate(f) and f.location.path not in broken:
            by_path[f.location.path].append(i)
    fixes: dict[int, Fix] = {}
    for path, indexes in by_path.items():
        text = texts.get(path) if path in texts else read_text(result.root, path)
        texts[path] = text
        if text is None:
            continue
        findings = [result.findings[i] for i in indexes]
        try:
            if _is_python(path):
                from .python import python_fixes

                found = python_fixes(path, text, findings, result.registrations)
            else:
                from .typescript import typescript_fixes

                found = typescript_fixes(path, text, findings, result.registrations)
        except (ImportError, RecursionError):
            raise
        except Exception:  # a fix is an offer: a file the fixers do not understand just gets none
            continue
        for k, fix in found.items():
            fixes[indexes[k]] = fix
    return fixes


def attach_fixes(result: ScanResult, texts: dict[str, str] | None = None) -> int:
    """Put each available fix on its finding; the number of fixable findings."""
    fixes = compute_fixes(result, texts)
    for i, fix in fixes.items():
        result.findings[i] = dataclasses.replace(result.findings[i], fix=fix)
    return len(fixes)


__all__ = ["attach_fixes", "compute_fixes", "read_text"]
