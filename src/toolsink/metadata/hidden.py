"""MCP201: characters a person reviewing the tool does not see but the model reads: zero-width and bidi
controls, Unicode tag characters (decoded: they spell ASCII), variation-selector runs (decoded: they can
carry bytes), other format characters, invisible fillers and private-use characters."""

from __future__ import annotations

import unicodedata

from .text import FILLERS, TextIssue, char_label, context_of, mostly_text, quote

_ZERO_WIDTH = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E}
_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C}
_BIDI_MARKS = {0x200E, 0x200F, 0x061C}  # fine inside right-to-left text
# Format characters that render visibly (number signs, prepended concatenation marks).
_VISIBLE_FORMAT = {0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2,
                   0x110BD, 0x110CD}

_KIND_TEXT = {
    "zero-width": "zero-width character",
    "bidi": "bidirectional control",
    "format": "invisible format character",
    "filler": "invisible filler character",
    "private-use": "private-use character",
    "variation": "variation selector",
}


def _is_emojiish(ch: str) -> bool:
    if not ch:
        return False
    cp = ord(ch)
    return (
        unicodedata.category(ch) in ("So", "Sk")
        or 0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or cp == 0xFE0F
        or cp == 0x20E3
    )


def _is_script_letter(ch: str) -> bool:
    """A letter or mark of a script that uses joiners (anything past Latin)."""
    return bool(ch) and ord(ch) > 0x36F and unicodedata.category(ch)[0] in "LM"


def _is_cjk(ch: str) -> bool:
    cp = ord(ch) if ch else 0
    return 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF


def _has_rtl(text: str) -> bool:
    return any(ch.isalpha() and unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def hidden_kind(text: str, i: int, rtl: bool) -> str | None:
    """Why ``text[i]`` is hidden content, or None when it is visible or legitimately invisible."""
    ch = text[i]
    cp = ord(ch)
    prev = text[i - 1] if i else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if 0xE0000 <= cp <= 0xE007F:
        return "tag"
    if cp in _ZERO_WIDTH:
        if cp == 0xFEFF and i == 0:
            return None  # byte order mark
        if cp == 0x200D and _is_emojiish(prev) and _is_emojiish(nxt):
            return None  # emoji ZWJ sequence
        if cp in (0x200C, 0x200D) and _is_script_letter(prev) and _is_script_letter(nxt):
            return None  # Persian, Indic ... joiners
        return "zero-width"
    if cp in _BIDI:
        if cp in _BIDI_MARKS and rtl and not (ord(prev or " ") in _BIDI_MARKS or ord(nxt or " ") in _BIDI_MARKS):
            return None  # a lone direction mark inside right-to-left text
        return "bidi"
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        prev_vs = bool(prev) and (0xFE00 <= ord(prev) <= 0xFE0F or 0xE0100 <= ord(prev) <= 0xE01EF)
        next_vs = bool(nxt) and (0xFE00 <= ord(nxt) <= 0xFE0F or 0xE0100 <= ord(nxt) <= 0xE01EF)
        if not prev_vs and not next_vs and prev:
            if cp <= 0xFE0F and not prev.isascii() or cp in (0xFE0E, 0xFE0F):
                return None  # one emoji / text presentation selector
            if cp >= 0xE0100 and _is_cjk(prev):
                return None  # ideographic variation sequence
        return "variation"
    if cp in FILLERS:
        return "filler"
    cat = unicodedata.category(ch)
    if cat == "Co":
        return "private-use"
    if cat == "Cf" and cp not in _VISIBLE_FORMAT:
        if cp == 0x00AD and prev.isalpha() and nxt.isalpha():
            return None  # soft hyphen inside a word: a hyphenation hint
        return "format"
    return None


def _decode_tags(chars: str) -> str:
    out = []
    for ch in chars:
        cp = ord(ch) - 0xE0000
        if 0x20 <= cp <= 0x7E:
            out.append(chr(cp))
        elif cp in (0x0A, 0x0D, 0x09):
            out.append(" ")
    return "".join(out)


def _decode_variation_bytes(chars: str) -> str | None:
    """Variation selectors used as a byte encoding (VS1-16 = 0-15, VS17-256 = 16-255)."""
    data = bytearray()
    for ch in chars:
        cp = ord(ch)
        data.append(cp - 0xFE00 if cp <= 0xFE0F else cp - 0xE0100 + 16)
    text = data.decode("utf-8", errors="replace")
    return text if mostly_text(text) else None


def _hidden_by_kind(text: str) -> dict[str, list[int]]:
    rtl = _has_rtl(text)
    found: dict[str, list[int]] = {}
    for i in range(len(text)):
        if ord(text[i]) < 0x80:
            continue
        kind = hidden_kind(text, i, rtl)
        if kind:
            found.setdefault(kind, []).append(i)
    return found


def hidden_unicode(text: str) -> list[TextIssue]:
    """MCP201 issues for ``text``: one per kind of hidden character, each counting and locating them."""
    issues = []
    for kind, positions in _hidden_by_kind(text).items():
        if kind == "tag":
            issues.extend(_tag_issues(text, positions))
        elif kind == "variation":
            issues.append(_variation_issue(text, positions))
        else:
            issues.append(_hidden_issue(text, kind, positions))
    return issues


def hidden_positions(text: str) -> list[int]:
    """The offsets of every character that :func:`hidden_unicode` reports (what ``--fix`` removes)."""
    out: list[int] = []
    for kind, positions in _hidden_by_kind(text).items():
        if kind == "tag":
            out.extend(p for start, end in _runs(positions) if not _is_flag(text, start, end)
                       for p in range(start, end))
        else:
            out.extend(positions)
    return sorted(out)


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p:
            runs[-1] = (runs[-1][0], p + 1)
        else:
            runs.append((p, p + 1))
    return runs


def _is_flag(text: str, start: int, end: int) -> bool:
    """A subdivision flag: black flag U+1F3F4 + lowercase tag letters/digits + cancel tag U+E007F."""
    run = text[start:end]
    return bool(start) and ord(text[start - 1]) == 0x1F3F4 and ord(run[-1]) == 0xE007F and all(
        0xE0030 <= ord(c) <= 0xE0039 or 0xE0061 <= ord(c) <= 0xE007A for c in run[:-1]
    )


def _tag_issues(text: str, positions: list[int]) -> list[TextIssue]:
    issues = []
    for start, end in _runs(positions):
        run = text[start:end]
        if _is_flag(text, start, end):
            continue
        message = _decode_tags(run).strip()
        detail = f"{end - start} Unicode tag character(s) U+E0000..U+E007F at offset {start}"
        if message:
            detail += f"; hidden tag-character message: {quote(message)}"
        issues.append(TextIssue("MCP201", detail, start))
    return issues


def _variation_issue(text: str, positions: list[int]) -> TextIssue:
    runs = _runs(positions)
    start = runs[0][0]
    detail = f"{len(positions)} variation selector(s) out of place, first at offset {start}"
    longest = max(runs, key=lambda r: r[1] - r[0])
    if longest[1] - longest[0] >= 4:
        decoded = _decode_variation_bytes(text[longest[0]:longest[1]])
        if decoded:
            detail += f"; they encode bytes spelling {quote(decoded)}"
    return TextIssue("MCP201", detail, start)


def _hidden_issue(text: str, kind: str, positions: list[int]) -> TextIssue:
    first = positions[0]
    counts: dict[str, int] = {}
    for p in positions:
        counts[text[p]] = counts.get(text[p], 0) + 1
    names = ", ".join(
        char_label(ch) + (f" ×{n}" if n > 1 else "") for ch, n in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    detail = f"{names} at offset {first} in {context_of(text, first, first + 1)}"
    if len(counts) > 1 or len(positions) > 1:
        detail = f"{len(positions)} {_KIND_TEXT[kind]}s ({names}), first at offset {first} in " + context_of(
            text, first, first + 1
        )
    if kind == "bidi":
        detail += "; bidi controls reorder how the text is displayed"
    message = _decode_binary_runs(text, positions)
    if message:
        detail += f"; a run of them encodes bits spelling {quote(message)}"
    return TextIssue("MCP201", detail, first)


def _decode_binary_runs(text: str, positions: list[int]) -> str | None:
    """Invisible characters used as bits: the longest run made of two kinds (plus framing), decoded."""
    for start, end in sorted(_runs(positions), key=lambda r: r[0] - r[1]):
        run = text[start:end]
        kinds = sorted(set(run), key=run.count, reverse=True)
        if end - start < 16 or len(kinds) < 2:
            return None
        zero_one = kinds[:2]
        bits = [c for c in run if c in zero_one]
        for zero, one in (zero_one, zero_one[::-1]):
            for skip in range(len(bits) % 8 + 1):
                chunk = bits[skip:]
                data = bytes(
                    int("".join("1" if c == one else "0" for c in chunk[k:k + 8]), 2)
                    for k in range(0, len(chunk) - 7, 8)
                )
                decoded = data.decode("utf-8", errors="replace")
                if mostly_text(decoded):
                    return decoded
    return None


# --------------------------------------------------------------------------------------------------
# MCP202: ANSI escapes and control characters
# --------------------------------------------------------------------------------------------------
