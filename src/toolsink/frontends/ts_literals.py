"""JavaScript literal decoding for the TypeScript/JavaScript frontend: string escapes and numbers.

tree-sitter hands us the raw text of string fragments and escape sequences; the IR wants decoded values
(``"a\\x41"`` is ``"aA"``) so that models and metadata checks see what the program sees at run time.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")

_SIMPLE_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0",
    "'": "'", '"': '"', "\\": "\\", "`": "`", "$": "$",
}


def decode_escape(text: str) -> str:
    """The value of one JS escape sequence as written (``\\n``, ``\\x41``, ``\\u00e9``, ``\\u{1F600}``)."""
    if len(text) < 2 or text[0] != "\\":
        return text
    body = text[1:]
    head = body[0]
    if head in "\r\n\u2028\u2029":  # line continuation
        return ""
    if head == "x" and len(body) == 3:
        try:
            return chr(int(body[1:], 16))
        except ValueError:
            return body
    if head == "u":
        hexdigits = body[2:-1] if body.startswith("u{") else body[1:]
        try:
            return chr(int(hexdigits, 16))
        except (ValueError, OverflowError):
            return body
    if head in "01234567" and len(body) > 1:  # legacy octal escape
        try:
            return chr(int(body, 8))
        except ValueError:
            return body
    return _SIMPLE_ESCAPES.get(head, body)


def join_surrogates(text: str) -> str:
    """``"\\uD83D\\uDE00"`` decodes to two lone surrogates; fold pairs into one code point."""
    if not _SURROGATE.search(text):
        return text
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        return text


def number_value(text: str) -> object:
    """The value of a JS numeric literal: int where exact, else float; the text when unparseable."""
    raw = text.replace("_", "")
    if raw.endswith("n"):  # BigInt
        raw = raw[:-1]
    lowered = raw.lower()
    try:
        if lowered.startswith(("0x", "0o", "0b")):
            return int(lowered, 0)
        if len(lowered) > 1 and lowered[0] == "0" and lowered.isdigit():  # legacy octal 010
            return int(lowered, 8) if all(c in "01234567" for c in lowered) else int(lowered, 10)
        if lowered.isdigit():
            return int(lowered)
        return float(lowered)
    except ValueError:
        return text
