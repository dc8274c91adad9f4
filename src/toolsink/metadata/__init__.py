"""Model-visible text checks (MCP201-MCP207): the public entry points of ``toolsink.metadata``.

The scan extracts every string a model reads about a tool (name, title, description, docstring,
parameter descriptions, defaults, enum values, zod ``.describe()`` ...) and hands each one to
:func:`check_text`, and the tool names of one server to :func:`check_names`. Both are pure functions of
their input and of the data under ``rules/metadata/``; they know nothing about files or findings.

- :mod:`.text`: hidden content (MCP201 hidden Unicode, MCP202 ANSI/control, MCP205 encoded or hidden blobs)
- :mod:`.phrases`: weighted phrases (MCP203 instructions to the model, MCP204 references to secrets)
- :mod:`.names`: tool names (MCP206 shadowing, MCP207 duplicates)
"""

from __future__ import annotations

from .names import check_names
from .phrases import KnownTools, PhraseSet, load_known_tools, load_phrases, score_text
from .text import TextIssue, control_chars, encoded_blobs, fold, hidden_unicode

__all__ = [
    "KnownTools", "PhraseSet", "TextIssue", "check_names", "check_text", "fold", "load_known_tools",
    "load_phrases",
]


def check_text(text: str, where: str, *, phrases: PhraseSet | None = None) -> list[TextIssue]:
    """Every text issue of one model-visible string, ordered by offset.

    ``where`` says which string this is ("description", "parameter `path` description", "name" ...).
    For ``where == "name"`` hidden Unicode is left to :func:`check_names`, which reports it as MCP206
    together with what the name imitates; everything else is checked the same way for every string.
    """
    if not text:
        return []
    issues: list[TextIssue] = []
    if where != "name":
        issues += hidden_unicode(text)
    issues += control_chars(text)
    issues += encoded_blobs(text)
    issues += score_text(text, phrases)
    issues.sort(key=lambda i: (i.offset, i.rule))
    return issues
