"""What one scan produces: findings, the registrations found, diagnostics and counts.

Reporters take a :class:`ScanResult` and only format it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .findings import Finding
from .ir import Diagnostic


@dataclass(frozen=True, slots=True)
class Parameter:
    """A model-visible parameter of a registration."""

    name: str
    type: str = ""  # annotation / schema text as written
    description: str = ""
    default: str | None = None
    enum: tuple[str, ...] = ()
    is_source: bool = True  # False when its declared type makes it safe (int, Literal, z.enum ...)


@dataclass(frozen=True, slots=True)
class Registration:
    """One tool, resource or prompt registration found in the source."""

    kind: str  # "tool" | "resource" | "prompt"
    name: str  # tool name, resource URI (template) or prompt name; "*" for a low-level dispatcher
    path: str
    line: int
    col: int
    handler: str  # qualified name of the handler function ("" when unresolved)
    form: str  # id of the registration model that matched
    description: str = ""
    title: str = ""
    parameters: tuple[Parameter, ...] = ()
    annotations: tuple[tuple[str, object], ...] = ()  # readOnlyHint=True, ...
    texts: tuple[tuple[str, str, int], ...] = ()  # every model-visible string: (where, text, line)
    arms: tuple = ()  # ((line, col) of a branch statement, arm): arms of one `if` exclude each other


@dataclass(slots=True)
class ScanResult:
    root: str
    findings: list[Finding] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_scanned: int = 0
    lines_scanned: int = 0
    seconds: float = 0.0
    suppressed: int = 0

    def counts(self) -> dict[str, int]:
        out = {"tool": 0, "resource": 0, "prompt": 0}
        for reg in self.registrations:
            out[reg.kind] = out.get(reg.kind, 0) + 1
        return out
