"""MCP205: content that is encoded or hidden from rendered views: base64 and hex blobs, ``data:`` URIs,
HTML comments, markdown comments and HTML elements styled to be invisible."""

from __future__ import annotations

import base64
import binascii
import math
import re
from urllib.parse import unquote

from .text import TextIssue, mostly_text, quote
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
        if mostly_text(decoded):
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
        if mostly_text(decoded):
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
