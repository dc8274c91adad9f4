"""Parsing a Python file with tree-sitter-python and lowering it into an ``ir.Module``."""

from __future__ import annotations

from functools import lru_cache

import tree_sitter_python
from tree_sitter import Language, Parser

from ... import ir
from ..common import collect_comments, source_lines, syntax_diagnostics
from .lowering import Lowering


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(Language(tree_sitter_python.language()))


def parse(path: str, source: bytes, language: str = "python") -> ir.Module:
    tree = _parser().parse(source)
    lowering = Lowering(path, source)
    module = ir.Module(path=path, language="python", body=(), lines=source_lines(source))
    lowering.module = module
    module.body = lowering.block(tree.root_node)
    module.comments = collect_comments(tree.root_node, _parser().language)
    module.diagnostics.extend(syntax_diagnostics(path, tree.root_node, lowering.pos))
    return module
