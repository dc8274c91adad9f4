"""The TypeScript and JavaScript frontend: a tree-sitter tree of a .ts/.tsx/.js file becomes an ``ir.Module``.

This module owns how TypeScript, TSX and JavaScript (ESM and CommonJS) are lowered into the IR, so the
one taint engine can read Node MCP servers exactly the way it reads Python ones:

- ES imports, ``require``, ``import x = require()`` and ``await import()`` bound to a name become
  :class:`ir.Import` (a ``node:`` prefix is dropped, so ``node:child_process`` and ``child_process`` are one
  module); ``export``/``module.exports`` become :class:`ir.Export`.
- Methods get a synthetic first parameter ``this`` of kind ``"self"``, which the engine treats like
  Python's ``self``; class fields and constructor parameter properties become ``this.x = ...``.
- Destructured parameters become a synthetic parameter ``$arg{i}`` and a destructuring assignment at the
  top of the body; template literals and string ``+`` become :class:`ir.StrBuild`; ``switch`` becomes
  :class:`ir.Switch` with empty cases merged into the case they fall into.
- Type-only syntax (interfaces, type aliases, ``as``/``!``/``satisfies``) disappears; annotations are kept as
  plain expressions for ``Param.annotation``.

It never raises on bad input: ERROR nodes are mined for the statements and expressions they still hold,
syntax errors become diagnostics, and syntax it does not model becomes :class:`ir.Unknown` with its child
expressions (``TOOLSINK_STRICT=1`` makes that raise, for tests).
"""

from .parser import parse

__all__ = ["parse"]
