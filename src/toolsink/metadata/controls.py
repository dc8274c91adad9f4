"""MCP202: ANSI escape sequences and other control characters in model-visible text (they rewrite what a
terminal shows), with what each sequence does."""

from __future__ import annotations

import re
import unicodedata

from .text import TextIssue, char_label, context_of, quote

_ANSI = re.compile(
    r"""
      \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?        # OSC ... BEL or ST
    | (?:\x1b\[|\x9b)[0-?]*[\ -/]*[@-~]?         # CSI
    | \x1b[P^_X][^\x1b]*(?:\x1b\\)?             # DCS, PM, APC, SOS strings
    | \x1b[\ -/]*[0-~]?                          # other escape sequences, or a lone ESC
    """,
    re.VERBOSE,
)

_CSI_MEANING = {
    "A": "cursor up", "B": "cursor down", "C": "cursor forward", "D": "cursor back", "E": "cursor next line",
    "F": "cursor previous line", "G": "cursor column", "H": "cursor position", "f": "cursor position",
    "J": "erase display", "K": "erase line", "S": "scroll up", "T": "scroll down", "s": "save cursor",
    "u": "restore cursor", "l": "mode reset", "h": "mode set", "P": "delete characters",
    "X": "erase characters", "M": "delete lines",
}
_SGR_MEANING = {
    "8": "conceal text", "2": "faint text", "30": "black text", "40": "black background",
    "37": "white text", "47": "white background", "97": "bright white text", "107": "bright white background",
}


def _ansi_meaning(seq: str) -> str:
    if seq.startswith("\x1b]"):
        body = seq[2:].rstrip("\x07").removesuffix("\x1b\\")
        code, _, rest = body.partition(";")
        if code == "8":
            return f"hyperlink to {rest.partition(';')[2] or '?'}"
        if code in ("0", "1", "2"):
            return "window title"
        return "operating system command"
    if seq.startswith(("\x1b[", "\x9b")):
        final = seq[-1]
        if final == "m":
            params = seq[2 if seq[0] == "\x1b" else 1:-1].split(";")
            meanings = [_SGR_MEANING[p] for p in params if p in _SGR_MEANING]
            return "graphics: " + (", ".join(meanings) if meanings else "colour/style")
        return _CSI_MEANING.get(final, "control sequence")
    return "escape sequence"


def control_chars(text: str) -> list[TextIssue]:
    """MCP202 issues: one for ANSI escape sequences, one for other control characters."""
    issues = []
    covered: set[int] = set()
    sequences = [m for m in _ANSI.finditer(text)]
    if sequences:
        for m in sequences:
            covered.update(range(m.start(), m.end()))
        shown = "; ".join(f"{quote(m.group(), 40)} ({_ansi_meaning(m.group())})" for m in sequences[:3])
        more = f" and {len(sequences) - 3} more" if len(sequences) > 3 else ""
        first = sequences[0].start()
        issues.append(TextIssue(
            "MCP202",
            f"{len(sequences)} ANSI escape sequence(s), first at offset {first}: {shown}{more}; "
            f"a terminal renders them as formatting or cursor moves, hiding or rewriting text",
            first,
        ))
    others = [
        i for i, ch in enumerate(text)
        if i not in covered and ch not in "\n\t\r" and unicodedata.category(ch) == "Cc"
    ]
    if others:
        counts: dict[str, int] = {}
        for i in others:
            counts[text[i]] = counts.get(text[i], 0) + 1
        names = ", ".join(char_label(ch) + (f" ×{n}" if n > 1 else "") for ch, n in counts.items())
        first = others[0]
        issues.append(TextIssue(
            "MCP202", f"control character(s) {names}, first at offset {first} in {context_of(text, first, first + 1)}",
            first,
        ))
    return issues


# --------------------------------------------------------------------------------------------------
# MCP205: encoded blobs and content hidden from rendered views
# --------------------------------------------------------------------------------------------------

