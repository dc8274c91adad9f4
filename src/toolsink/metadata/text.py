"""Text the metadata checks share: :class:`TextIssue`, what every check returns; how offending text is
quoted; and :func:`fold`, the normalisation phrase matching and name comparison run on (NFKC, look-alike
folding, casefold, invisible characters dropped, whitespace collapsed), keeping a map back to the original
offsets so findings quote what the author actually wrote.

The checks themselves live beside it, one concern each: :mod:`.hidden` (MCP201, characters the reviewer
does not see), :mod:`.controls` (MCP202, ANSI escapes and control characters), :mod:`.blobs` (MCP205,
encoded or hidden content). Everything here is pure: a string in, issues out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

QUOTE_MAX = 80  # longest quote of offending text in a detail


@dataclass(frozen=True, slots=True)
class TextIssue:
    """One problem in one model-visible string.

    ``offset`` counts code points in the string as the model receives it (escapes already decoded).
    ``score`` is the confidence: for the phrase scorer (MCP203/MCP204) the summed pattern weight, which
    is at least the rule's threshold (1.0 and 1.2 as shipped); 0.8 for a typo-style tool-name near miss;
    1.0 for everything else.
    """

    rule: str
    detail: str
    offset: int
    score: float = 1.0


# --------------------------------------------------------------------------------------------------
# Showing text safely
# --------------------------------------------------------------------------------------------------

_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\x1b"}


def visible(text: str) -> str:
    """``text`` with every control, format, private-use or otherwise invisible character spelled out."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif is_invisible(ch):
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    return "".join(out)


def quote(text: str, limit: int = QUOTE_MAX) -> str:
    """A double-quoted, visible, whitespace-folded excerpt of at most ``limit`` characters."""
    shown = visible(" ".join(text.split()))
    if len(shown) > limit:
        shown = shown[: limit - 1].rstrip() + "…"
    return '"' + shown.replace('"', '\\"') + '"'


def char_label(ch: str) -> str:
    """``zero width space U+200B``."""
    name = unicodedata.name(ch, "").lower() or _EXTRA_NAMES.get(ord(ch), "unnamed character")
    return f"{name} U+{ord(ch):04X}"


_EXTRA_NAMES = {0x1B: "escape", 0x7F: "delete", 0x08: "backspace", 0x07: "bell", 0x00: "null"}


FILLERS = {0x3164, 0xFFA0, 0x115F, 0x1160, 0x17B4, 0x17B5}  # render as nothing, not category Cf


def is_invisible(ch: str) -> bool:
    hit = _INVISIBLE.get(ch)  # called for every character of every model-visible string
    if hit is None:
        hit = _is_invisible(ch)
        if len(_INVISIBLE) < 65_536:
            _INVISIBLE[ch] = hit
    return hit


def _is_invisible(ch: str) -> bool:
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Co", "Cs"):
        return True
    cp = ord(ch)
    return cp in FILLERS or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


_INVISIBLE: dict[str, bool] = {}


# --------------------------------------------------------------------------------------------------
# Folding
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Folded:
    """Normalised text plus, for each of its characters, the original span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` a normalised ``[start, end)`` came from."""
        if not self.starts:
            return (0, 0)
        start = min(start, len(self.starts) - 1)
        end = max(min(end, len(self.ends)), start + 1)
        return self.starts[start], self.ends[end - 1]

    def original_text(self, start: int, end: int) -> str:
        s, e = self.span(start, end)
        return self.original[s:e]


_DROP_IN_FOLD = {"*"}  # markdown emphasis: "**do not** tell" still reads "do not tell"


def fold(text: str, confusables: Mapping[str, str] | None = None, *, drop_separators: bool = False) -> Folded:
    """Normalise for matching: NFKC per character, look-alikes to Latin, casefold, invisible characters
    and combining marks dropped, whitespace runs collapsed to one space (none at the ends).

    With ``drop_separators`` (tool names), ``_``, ``-``, ``.`` and spaces are dropped too.
    """
    confusables = confusables or {}
    if text.isascii() and not _ascii_keys(confusables):
        return _fold_ascii(text, drop_separators)
    return _fold_any(text, confusables, drop_separators)


def _fold_any(text: str, confusables: Mapping[str, str], drop_separators: bool) -> Folded:
    """:func:`fold`, one character at a time (any text)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        if is_invisible(ch) and ch not in "\n\t\r":
            continue
        if ch in _DROP_IN_FOLD:
            continue
        for piece in unicodedata.normalize("NFKC", ch):
            piece = confusables.get(piece, piece)
            for c in piece.casefold():
                if not c.isspace() and (unicodedata.category(c) in ("Mn", "Me") or is_invisible(c)):
                    continue
                if drop_separators and (c in "_-. " or c.isspace()):
                    continue
                if c.isspace():
                    if not out or out[-1] == " ":
                        continue
                    c = " "
                out.append(c)
                starts.append(i)
                ends.append(i + 1)
    if out and out[-1] == " ":
        out.pop()
        starts.pop()
        ends.pop()
    return Folded("".join(out), tuple(starts), tuple(ends), text)


# For ASCII, :func:`_fold_any` reduces to: control characters other than tab, newline and carriage return,
# and ``*``, are dropped; NFKC changes nothing; casefold is lower(); the only spaces left are space, tab,
# newline and carriage return (the other ASCII spaces are control characters). So text is kept in runs
# between those characters (a test compares both paths on random text).
_ASCII_RUN = re.compile(r"[^\x00-\x20\x7f*]+")
_ASCII_NAME_RUN = re.compile(r"[^\x00-\x20\x7f*_.\-]+")
_ASCII_SPACE = re.compile(r"[ \t\n\r]")
_ASCII_KEYS: dict[int, tuple[Mapping[str, str], bool]] = {}


def _ascii_keys(confusables: Mapping[str, str]) -> bool:
    """Whether a look-alike table maps any ASCII character (then the ASCII path does not apply)."""
    hit = _ASCII_KEYS.get(id(confusables))
    if hit is None or hit[0] is not confusables:
        hit = _ASCII_KEYS[id(confusables)] = (confusables, any(k.isascii() for k in confusables))
    return hit[1]


def _fold_ascii(text: str, drop_separators: bool) -> Folded:
    parts: list[str] = []
    starts: list[int] = []
    previous = 0
    for m in (_ASCII_NAME_RUN if drop_separators else _ASCII_RUN).finditer(text):
        start, end = m.span()
        if parts and not drop_separators and start > previous:
            space = _ASCII_SPACE.search(text, previous, start)
            if space is not None:
                parts.append(" ")
                starts.append(space.start())
        parts.append(m.group().lower())
        starts.extend(range(start, end))
        previous = end
    return Folded("".join(parts), tuple(starts), tuple(i + 1 for i in starts), text)


# --------------------------------------------------------------------------------------------------
# MCP201: hidden Unicode
# --------------------------------------------------------------------------------------------------


def context_of(text: str, start: int, end: int, width: int = 24) -> str:
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    return quote(("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else ""), 3 * width + 40)



def mostly_text(text: str) -> bool:
    """Decoded bytes that read as text: printable, and mostly letters and spaces."""
    if len(text) < 8:
        return False
    printable = sum(1 for c in text if c.isprintable() or c in "\n\t\r")
    wordy = sum(1 for c in text if c.isalpha() or c == " ")
    return printable >= 0.95 * len(text) and wordy >= 0.6 * len(text) and "\ufffd" not in text



from .blobs import encoded_blobs  # noqa: E402  (the checks import the shared helpers above)
from .controls import control_chars  # noqa: E402
from .hidden import hidden_unicode  # noqa: E402

__all__ = ["QUOTE_MAX", "Folded", "TextIssue", "char_label", "control_chars", "encoded_blobs", "fold",
           "hidden_unicode", "is_invisible", "quote", "visible"]
