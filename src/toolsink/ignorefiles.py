"""Ignore rules: ``.gitignore`` files, ``.git/info/exclude`` and the user's ``exclude`` patterns, and which
of them excluded a path.

Gitignore matching is done by ``pathspec.GitIgnoreSpec``. Each ``.gitignore`` applies to paths relative to
its own directory, and the deepest file that has an opinion about a path wins, as in git. ``.gitignore``
files above a named directory count too, up to the repository top (the nearest directory holding ``.git``).
Every :class:`_Ignore` remembers where its patterns came from (``origin``), so a scan that excluded every
file can say which ignore file did it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

import pathspec

from toolsink.ir import Diagnostic

@dataclass(frozen=True)
class _Ignore:
    """One ignore file (or the user's excludes): patterns relative to ``base`` (a slash path)."""

    base: str
    spec: pathspec.GitIgnoreSpec
    origin: str = ""  # the ignore file's path, or "" for the user's exclude patterns

    def check(self, slash_path: str) -> bool | None:
        if not slash_path.startswith(self.base + "/"):
            return None
        return self.spec.check_file(slash_path[len(self.base) + 1:]).include


def _slash(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _ignored(ignores: Sequence[_Ignore], slash_path: str) -> bool:
    return _excluder(ignores, slash_path) is not None


def _excluder(ignores: Sequence[_Ignore], slash_path: str) -> _Ignore | None:
    """The ignore file that excludes ``slash_path``, or None when it is not excluded."""
    # The deepest ignore file with an opinion decides (git's precedence); user excludes come first.
    for ignore in reversed(ignores):
        decision = ignore.check(slash_path)
        if decision is not None:
            return ignore if decision else None
    return None


def _load_ignore_file(path: str, base: str, diagnostics: list[Diagnostic], root: str) -> _Ignore | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        message = f"cannot read ignore file: {_reason(exc)}"
        diagnostics.append(Diagnostic(_display(path, root), message, "unreadable"))
        return None
    def bad(lineno: int, line: str, exc: Exception) -> None:
        diagnostics.append(Diagnostic(_display(path, root), f"pattern `{line}` is invalid ({exc}); "
                                      "skipped, as git does", "bad-ignore-file", line=lineno))

    return _Ignore(_slash(base).rstrip("/"), compile_patterns(lines, bad), path)


def compile_patterns(lines: Sequence[str], on_bad=None) -> pathspec.GitIgnoreSpec:
    """Gitignore-style patterns; a line that does not compile (``[z-a].py``) is skipped and reported through
    ``on_bad(lineno, line, error)``, the way git ignores a pattern it cannot use."""
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # pathspec raises re.error, ValueError or TypeError on malformed patterns
        pass
    good = []
    for lineno, line in enumerate(lines, 1):
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except Exception as exc:
            if on_bad is not None:
                on_bad(lineno, line, exc)
            continue
        good.append(line)
    return pathspec.GitIgnoreSpec.from_lines(good)


def _git_top(directory: str) -> str | None:
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _ancestor_ignores(directory: str, root: str, diagnostics: list[Diagnostic]) -> list[_Ignore]:
    """Ignore files that sit above ``directory`` and still apply to it (up to the repository top)."""
    top = _git_top(directory)
    if top is None:
        top = root if _within(directory, root) else directory
    chain: list[str] = []
    current = os.path.dirname(directory)
    while _within(current, top):
        chain.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    ignores: list[_Ignore] = []
    exclude_file = os.path.join(top, ".git", "info", "exclude")
    if os.path.isfile(exclude_file):
        loaded = _load_ignore_file(exclude_file, top, diagnostics, root)
        if loaded:
            ignores.append(loaded)
    for ancestor in reversed(chain):
        candidate = os.path.join(ancestor, ".gitignore")
        if os.path.isfile(candidate):
            loaded = _load_ignore_file(candidate, ancestor, diagnostics, root)
            if loaded:
                ignores.append(loaded)
    return ignores


def _within(path: str, ancestor: str) -> bool:
    try:
        return os.path.commonpath([path, ancestor]) == ancestor
    except ValueError:  # different drives on Windows
        return False


def _display(abs_path: str, root: str) -> str:
    prefix = root if root.endswith(os.sep) else root + os.sep
    if abs_path.startswith(prefix):  # both normalised absolute paths: the common case without relpath
        return _slash(abs_path[len(prefix):])
    if _within(abs_path, root):
        return _slash(os.path.relpath(abs_path, root))
    return _slash(abs_path)


def _reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__
