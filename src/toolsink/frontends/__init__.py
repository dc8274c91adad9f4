"""Frontends: one per language family, each turning source bytes into an :class:`toolsink.ir.Module`.

``parse(path, source, language)`` is the whole interface. The table maps the language names that
``toolsink.discover`` assigns to file extensions onto frontends, imported lazily so a Python-only scan
never loads the TypeScript grammars.
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable

from .. import ir

_FRONTENDS = {
    "python": "toolsink.frontends.python",
    "typescript": "toolsink.frontends.typescript",
    "tsx": "toolsink.frontends.typescript",
    "javascript": "toolsink.frontends.typescript",
}

# Model family per IR language: TypeScript and JavaScript share one set of library models.
MODEL_FAMILY = {"python": "python", "typescript": "javascript", "javascript": "javascript"}


def parser_for(language: str) -> Callable[[str, bytes, str], ir.Module]:
    return import_module(_FRONTENDS[language]).parse
