"""The :class:`Diagnostic` record: a problem with an input, not a finding.

It lives apart from :mod:`toolsink.ir` (which re-exports it) so that file discovery, and with it the
result cache's check of an unchanged project, does not import the whole IR."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem with an input (not a finding): unparseable code, an unresolved registration, ..."""

    path: str
    message: str
    code: str  # "syntax-error", "unresolved-registration", "decode-error", ...
    line: int = 0
    col: int = 0
    level: str = "warning"  # "warning" | "error" | "note"
