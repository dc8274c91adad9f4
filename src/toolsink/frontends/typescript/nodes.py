"""Node types and small helpers over tree-sitter nodes shared by every part of the TypeScript lowering."""

from __future__ import annotations

from ... import ir
from ..common import Positions


# node classification

COMPARE_OPS = {
    "===": "==", "==": "==", "!==": "!=", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=",
    "in": "in", "instanceof": "is",
}
BOOL_OPS = {"&&": "and", "||": "or", "??": "??"}
UNARY_OPS = {"!": "not", "typeof": "typeof", "-": "-", "+": "+", "~": "~", "void": "void", "delete": "delete"}
AUG_OPS = {"&&=": "and", "||=": "or", "??=": "??"}

# Wrappers that only change the static type: lowered to the inner expression.
TYPE_WRAPPERS = frozenset({
    "as_expression", "satisfies_expression", "non_null_expression", "type_assertion", "instantiation_expression",
})
# Declarations with no run-time effect (or none the engine models).
TYPE_ONLY_STMTS = frozenset({
    "interface_declaration", "type_alias_declaration", "ambient_declaration", "function_signature",
    "abstract_class_declaration_signature", "empty_statement", "debugger_statement", "comment",
    "hash_bang_line", "import_alias", "html_comment",
})
FUNCTION_EXPRS = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
FUNCTION_DECLS = frozenset({"function_declaration", "generator_function_declaration"})
CLASS_DECLS = frozenset({"class_declaration", "abstract_class_declaration"})
DECLARATIONS = frozenset({"lexical_declaration", "variable_declaration", "using_declaration"})
JSX = ("jsx_element", "jsx_self_closing_element", "jsx_fragment", "jsx_expression", "jsx_text", "jsx_opening_element")
CLASS_SKIP = frozenset({
    "method_signature", "abstract_method_signature", "index_signature", "property_signature", "comment", ";",
})


def text_of(node) -> str:
    return node.text.decode("utf-8", "replace")


def named_kids(node) -> list:
    """Named children without comments (comments may sit between any two tokens)."""
    return [c for c in node.named_children if c.type != "comment"]


def has_token(node, token: str) -> bool:
    for child in node.children:
        if child.type == token and not child.is_named:
            return True
    return False


def in_error(node) -> bool:
    """Inside or next to a syntax error, where the parser may leave fragments of any kind."""
    if node.has_error:
        return True
    parent = node.parent
    return parent is not None and parent.has_error


def strip_node_prefix(spec: str) -> str:
    return spec[5:] if spec.startswith("node:") else spec


def is_stringy(expr) -> bool:
    return (isinstance(expr, ir.Literal) and isinstance(expr.value, str)) or isinstance(expr, ir.StrBuild)


class RowPositions(Positions):
    """Byte columns -> code-point columns, per row: ASCII rows of a non-ASCII file take the fast path too."""

    __slots__ = ("row_ascii",)

    def __init__(self, source: bytes) -> None:
        super().__init__(source)
        self.row_ascii = [True] if self.ascii else [line.isascii() for line in self.raw_lines]

    def col(self, row: int, byte_col: int) -> int:
        if self.ascii or row >= len(self.raw_lines) or self.row_ascii[row]:
            return byte_col + 1
        return len(self.raw_lines[row][:byte_col].decode("utf-8", "replace")) + 1
