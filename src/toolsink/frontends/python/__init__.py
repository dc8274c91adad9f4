"""Python frontend: a tree-sitter-python tree lowered to the toolsink IR.

tree-sitter parses every Python version's syntax whatever interpreter runs toolsink and keeps going past
errors, so half-typed editor buffers still lower. Python-specific knowledge lives here and only here:
``self`` parameters, docstrings, f-strings, ``%``/``.format``/``.join`` string building, ``match``.
"""

from .parser import parse

__all__ = ["parse"]
