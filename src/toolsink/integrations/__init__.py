"""Where developers meet toolsink: the flake8 plugin, the language server and the pre-commit hooks.

This package owns what those integrations share:

- :func:`project_root`: the directory a tool should index when it is handed one file (the nearest
  directory above it holding ``pyproject.toml``, ``setup.cfg``, ``toolsink.toml``, ``package.json`` or
  ``.git``), so flows through the file's imports are still found;
- :func:`display_path`: a path as the scan reports it (relative to the root, forward slashes);
- :func:`restrict`: keep only what concerns some files of a whole-project scan. The pre-commit hook uses
  it through ``toolsink scan --project-root``: the repository is indexed, the committed files reported.

The integrations themselves live in :mod:`.flake8` and :mod:`.lsp`; ``.pre-commit-hooks.yaml`` sits at the
repository root.
"""

from __future__ import annotations

import os
from typing import Iterable

from ..result import ScanResult

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "toolsink.toml", "package.json", ".git")


def project_root(path: str) -> str:
    """The nearest directory at or above ``path`` that holds a project marker; ``path``'s own directory
    when there is none (a loose file is its own project)."""
    start = os.path.abspath(path)
    current = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in ROOT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return start if os.path.isdir(start) else os.path.dirname(start)
        current = parent


def display_path(path: str, root: str) -> str:
    """``path`` relative to ``root`` with forward slashes: the form findings and ``overrides`` use."""
    return os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/")


def _covers(shown: str, path: str) -> bool:
    return shown == "." or path == shown or path.startswith(shown.rstrip("/") + "/")


def restrict(result: ScanResult, paths: Iterable[str], root: str) -> None:
    """Keep, in place, the findings, diagnostics and registrations that concern ``paths`` (files or
    directories, as given on the command line).

    A finding concerns a file when its sink *or any step of its trace* is there: a commit that routes a
    tool argument into an existing helper's ``subprocess.run`` is reported although the sink did not move.
    """
    shown = [display_path(p, root) for p in paths]

    def wanted(path: str) -> bool:
        return any(_covers(s, path) for s in shown)

    result.findings = [f for f in result.findings
                       if wanted(f.location.path) or any(wanted(s.location.path) for s in f.trace)]
    result.diagnostics = [d for d in result.diagnostics if not d.path or wanted(d.path)]
    result.registrations = [r for r in result.registrations if wanted(r.path)]
