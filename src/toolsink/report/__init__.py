"""The table of output formats: format name -> ``render(result, rules, **options) -> str``.

Every reporter only formats a :class:`~toolsink.result.ScanResult`; it never scans, filters or decides the
exit code (the CLI does). A reporter ignores options it does not know, so the CLI can pass the same
options to every format.

Reporter modules are imported on first use: a plain-text pre-commit run should not pay for loading the
SARIF object model.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable

from ..result import ScanResult
from ..rules import Rule

Render = Callable[..., str]


def _lazy(module: str) -> Render:
    """A ``render`` that imports ``toolsink.report.<module>`` when first called."""

    def render(result: ScanResult, rules: dict[str, Rule], **options: Any) -> str:
        return import_module(f"{__name__}.{module}").render(result, rules, **options)

    render.__name__ = f"render_{module}"
    render.__doc__ = f"Render with :func:`toolsink.report.{module}.render`."
    return render


FORMATS: dict[str, Render] = {
    "text": _lazy("text"),  # options: quiet=False, color=False
    "concise": _lazy("concise"),
    "json": _lazy("json"),  # options: version=""
    # --- code scanning reporters ---
    "sarif": _lazy("sarif"),  # options: category=None, version=None, execution_successful=True, help_uri=None
    "github": _lazy("github"),  # options: base=None (directory that annotation paths are relative to)
}


def render(fmt: str, result: ScanResult, rules: dict[str, Rule], **options: Any) -> str:
    """Format ``result`` as ``fmt``; ``KeyError`` names the known formats when ``fmt`` is not one."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise KeyError(f"unknown format {fmt!r}; known formats: {', '.join(sorted(FORMATS))}") from None
    return renderer(result, rules, **options)


__all__ = ["FORMATS", "Render", "render"]
