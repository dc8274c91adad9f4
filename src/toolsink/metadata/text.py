"""Hidden content in one model-visible string, and the text folding the other checks share.

This module owns:

- :class:`TextIssue`, what every metadata check returns;
- MCP201: characters a person reviewing the tool does not see but the model reads: zero-width and bidi
  controls, Unicode tag characters (decoded: they spell ASCII), variation-selector runs (decoded: they
  can carry bytes), other format characters, invisible fillers and private-use characters;
- MCP202: ANSI escape sequences and other control characters (they rewrite what a terminal shows);
- MCP205: content that is encoded or hidden from rendered views: base64 and hex blobs, ``data:`` URIs,
  HTML comments, markdown comments and HTML elements styled to be invisible;
- :func:`fold`, the normalisation phrase matching and name comparison run on (NFKC, look-alike folding,
  casefold, invisible characters dropped, whitespace collapsed), keeping a map back to the original
  offsets so findings quote what the author actually wrote.

Everything here is pure: a string in, issues out. Which phrases count as instructions is data
(``rules/metadata/phrases.yml``, see :mod:`toolsink.metadata.phrases`).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

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
        elif _is_invisible(ch):
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


def _is_invisible(ch: str) -> bool:
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Co", "Cs"):
        return True
    cp = ord(ch)
    return cp in _FILLERS or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


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
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        if _is_invisible(ch) and ch not in "\n\t\r":
            continue
        if ch in _DROP_IN_FOLD:
            continue
        for piece in unicodedata.normalize("NFKC", ch):
            piece = confusables.get(piece, piece)
            for c in piece.casefold():
                if not c.isspace() and (unicodedata.category(c) in ("Mn", "Me") or _is_invisible(c)):
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


# --------------------------------------------------------------------------------------------------
# MCP201: hidden Unicode
# --------------------------------------------------------------------------------------------------

_ZERO_WIDTH = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E}
_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C}
_BIDI_MARKS = {0x200E, 0x200F, 0x061C}  # fine inside right-to-left text
_FILLERS = {0x3164, 0xFFA0, 0x115F, 0x1160, 0x17B4, 0x17B5}  # render as nothing, not category Cf
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


def _hidden_kind(text: str, i: int, rtl: bool) -> str | None:
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
    if cp in _FILLERS:
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
    return text if _mostly_text(text) else None


def hidden_unicode(text: str) -> list[TextIssue]:
    """MCP201 issues for ``text``: one per kind of hidden character, each counting and locating them."""
    rtl = _has_rtl(text)
    found: dict[str, list[int]] = {}
    for i in range(len(text)):
        if ord(text[i]) < 0x80:
            continue
        kind = _hidden_kind(text, i, rtl)
        if kind:
            found.setdefault(kind, []).append(i)
    issues = []
    for kind, positions in found.items():
        if kind == "tag":
            issues.extend(_tag_issues(text, positions))
        elif kind == "variation":
            issues.append(_variation_issue(text, positions))
        else:
            issues.append(_hidden_issue(text, kind, positions))
    return issues


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p:
            runs[-1] = (runs[-1][0], p + 1)
        else:
            runs.append((p, p + 1))
    return runs


def _context(text: str, start: int, end: int, width: int = 24) -> str:
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    return quote(("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else ""), 3 * width + 40)


def _tag_issues(text: str, positions: list[int]) -> list[TextIssue]:
    issues = []
    for start, end in _runs(positions):
        run = text[start:end]
        # A subdivision flag: black flag U+1F3F4 + lowercase tag letters/digits + cancel tag U+E007F.
        if start and ord(text[start - 1]) == 0x1F3F4 and ord(run[-1]) == 0xE007F and all(
            0xE0030 <= ord(c) <= 0xE0039 or 0xE0061 <= ord(c) <= 0xE007A for c in run[:-1]
        ):
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
    detail = f"{names} at offset {first} in {_context(text, first, first + 1)}"
    if len(counts) > 1 or len(positions) > 1:
        detail = f"{len(positions)} {_KIND_TEXT[kind]}s ({names}), first at offset {first} in " + _context(
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
                if _mostly_text(decoded):
                    return decoded
    return None


# --------------------------------------------------------------------------------------------------
# MCP202: ANSI escapes and control characters
# --------------------------------------------------------------------------------------------------

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
            "MCP202", f"control character(s) {names}, first at offset {first} in {_context(text, first, first + 1)}",
            first,
        ))
    return issues


# --------------------------------------------------------------------------------------------------
# MCP205: encoded blobs and content hidden from rendered views
# --------------------------------------------------------------------------------------------------

BASE64_MIN = 40  # characters of base64 alphabet that decode to text
BASE64_OPAQUE_MIN = 100  # characters of high-entropy base64 that do not decode to text
HEX_MIN = 64  # hex digits that decode to text
HEX_OPAQUE_MIN = 129  # longer than a SHA-512 digest: hashes in examples stay silent
MAX_BLOBS = 10  # issues per string; a string full of blobs needs no more to make the point
HIDDEN_MIN = 12  # characters of payload below which a comment or data: URI is an example of the syntax

_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{%d,}={0,2}" % BASE64_MIN)
_HEX = re.compile(r"(?<![0-9A-Za-z])(?:0x)?([0-9A-Fa-f]{%d,})(?![0-9A-Za-z])" % HEX_MIN)
_DATA_URI = re.compile(
    r"\bdata:([a-z0-9.+-]+/[a-z0-9.+-]+)((?:;[a-z0-9.+-]+=[^;,\s]+)*)(;base64)?,([^\s\"'<>)\]]*)", re.I
)
_HTML_COMMENT = re.compile(r"<!--(.*?)(?:-->|\Z)", re.S)
_MD_COMMENT = re.compile(r"^[ \t]*\[[^\]\n]*\]:[ \t]*(?:#|<>)[ \t]+[(\"'](.*?)[)\"']?[ \t]*$", re.M)
_HIDDEN_HTML = re.compile(  # bounded repeats: no quadratic scans on text full of "<"
    r"<(?P<tag>[a-z][a-z0-9]{0,20})\b(?P<attrs>[^<>]{0,300}?(?:"
    r"style\s*=\s*[\"'][^\"'<>]{0,200}?(?:display\s*:\s*none|visibility\s*:\s*hidden"
    r"|font-size\s*:\s*0(?![.\d]*[1-9])|opacity\s*:\s*0(?![.\d]*[1-9]))"
    r"|\shidden(?=[\s>/=])"
    r")[^<>]{0,300})>(?P<body>.{0,2000}?)</(?P=tag)\s*>",
    re.I | re.S,
)


def _mostly_text(text: str) -> bool:
    """Decoded bytes that read as text: printable, and mostly letters and spaces."""
    if len(text) < 8:
        return False
    printable = sum(1 for c in text if c.isprintable() or c in "\n\t\r")
    wordy = sum(1 for c in text if c.isalpha() or c == " ")
    return printable >= 0.95 * len(text) and wordy >= 0.6 * len(text) and "\ufffd" not in text


def _entropy(s: str) -> float:
    counts: dict[str, int] = {}
    for c in s:
        counts[c] = counts.get(c, 0) + 1
    n = len(s)
    return -sum(k / n * math.log2(k / n) for k in counts.values())


def _b64_text(run: str) -> str | None:
    """Text a base64 run decodes to, trying the alphabets and the first few alignments."""
    body = run.rstrip("=")
    urlsafe = ("-" in body or "_" in body) and not ("+" in body or "/" in body)
    for skip in range(4):
        part = body[skip:]
        part = part[: len(part) - len(part) % 4] if len(part) % 4 == 1 else part
        padded = part + "=" * (-len(part) % 4)
        try:
            raw = base64.urlsafe_b64decode(padded) if urlsafe else base64.b64decode(padded, validate=True)
            decoded = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        if _mostly_text(decoded):
            return decoded
    return None


def _opaque_blob(run: str) -> bool:
    body = run.rstrip("=")
    return (
        len(body) >= BASE64_OPAQUE_MIN
        and any(c.isupper() for c in body)
        and any(c.islower() for c in body)
        and any(c.isdigit() for c in body)
        and _entropy(body) >= 4.5
    )


def encoded_blobs(text: str) -> list[TextIssue]:
    """MCP205 issues: one per blob, data URI, comment or hidden element, in text order."""
    issues: list[TextIssue] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _HTML_COMMENT.finditer(text):
        body = m.group(1).strip()
        if len("".join(body.split())) < HIDDEN_MIN:
            continue  # "<!-- ... -->" written as an example of the syntax
        issues.append(TextIssue(
            "MCP205", f"HTML comment at offset {m.start()}, hidden when the description is rendered: "
            + (quote(body) if body else "(empty)"), m.start(),
        ))
        taken.append(m.span())
    for m in _MD_COMMENT.finditer(text):
        if free(*m.span()):
            issues.append(TextIssue(
                "MCP205", f"markdown comment at offset {m.start()}, hidden when rendered: {quote(m.group(1))}",
                m.start(),
            ))
            taken.append(m.span())
    for m in _HIDDEN_HTML.finditer(text):
        if free(*m.span()):
            issues.append(TextIssue(
                "MCP205", f"HTML element <{m.group('tag')}> styled invisible at offset {m.start()}: "
                + quote(m.group("body").strip()), m.start(),
            ))
            taken.append(m.span())
    for m in _DATA_URI.finditer(text):
        if not free(*m.span()):
            continue
        mime, is_b64, payload = m.group(1).lower(), bool(m.group(3)), m.group(4)
        if sum(c.isalnum() for c in payload) < HIDDEN_MIN:
            continue  # "data:image/png;base64,..." written as documentation
        detail = f"data: URI ({mime}{', base64' if is_b64 else ''}, {len(payload)} characters) at offset {m.start()}"
        decoded = _b64_text(payload) if is_b64 else None
        if decoded is None and not is_b64:
            decoded = unquote(payload)
        if decoded:
            detail += f" carrying {quote(decoded)}"
        issues.append(TextIssue("MCP205", detail, m.start()))
        taken.append(m.span())
    for m in _HEX.finditer(text):
        digits = m.group(1)
        if not free(*m.span()):
            continue
        try:
            decoded = bytes.fromhex(digits[: len(digits) // 2 * 2]).decode("utf-8")
        except ValueError:
            decoded = ""
        if _mostly_text(decoded):
            detail = f"hex blob of {len(digits)} digits at offset {m.start()} decoding to {quote(decoded)}"
        elif len(digits) >= HEX_OPAQUE_MIN:
            detail = f"opaque hex blob of {len(digits)} digits at offset {m.start()}: {quote(digits, 40)}"
        else:
            continue
        issues.append(TextIssue("MCP205", detail, m.start()))
        taken.append(m.span())
    for m in _BASE64.finditer(text):
        if not free(*m.span()):
            continue
        run = m.group()
        decoded = _b64_text(run)
        in_url = bool(re.search(r"[a-z][a-z0-9+.-]*://\S*$", text[max(0, m.start() - 200):m.start()], re.I))
        if decoded:
            detail = f"base64 blob of {len(run)} characters at offset {m.start()} decoding to {quote(decoded)}"
        elif not in_url and _opaque_blob(run):
            detail = f"opaque base64 blob of {len(run)} characters at offset {m.start()}: {quote(run, 40)}"
        else:
            continue
        issues.append(TextIssue("MCP205", detail, m.start()))
        taken.append(m.span())
    issues.sort(key=lambda i: i.offset)
    return issues[:MAX_BLOBS]
