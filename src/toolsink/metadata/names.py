"""Checks on the tool names of one server: duplicates (MCP207) and shadowing of well-known tools (MCP206).

A model picks a tool by its name, across every server the client has connected. A server that registers
``reаd_file`` (Cyrillic ``а``) or ``read_flie`` next to the real filesystem server's ``read_file`` gets
the calls, and the arguments, meant for the other one; a name carrying zero-width or bidi characters
reads as one thing to a reviewer and is another to the client. Two tools of one server whose names fold
to the same text make the choice ambiguous.

Which names are "well known", and which spellings count as look-alikes, is data:
``rules/metadata/known-tools.yml`` (:func:`toolsink.metadata.phrases.load_known_tools`); the look-alike
character table is the one in ``rules/metadata/phrases.yml``.
"""

from __future__ import annotations

import re
import unicodedata

from .phrases import KnownTools, PhraseSet, load_known_tools, load_phrases
from .hidden import hidden_kind
from .text import TextIssue, char_label, fold, is_invisible, quote

_SEPARATORS = re.compile(r"[_\-. ]")


_KEYS: dict[tuple[str, int], str] = {}


def _key(name: str, confusables: dict[str, str]) -> str:
    """What a name reads as: NFKC, look-alikes folded, casefolded, invisible characters and separators gone."""
    cache_key = (name, id(confusables))
    hit = _KEYS.get(cache_key)
    if hit is None:
        if len(_KEYS) > 50_000:
            _KEYS.clear()
        hit = _KEYS[cache_key] = fold(name, confusables, drop_separators=True).text
    return hit


_KNOWN_KEYS: dict[tuple[int, int], tuple[object, object, dict[str, str]]] = {}


def _known_keys(known: KnownTools, confusables: dict[str, str], owners) -> dict[str, str]:
    """Folded key -> well-known tool name, computed once per loaded data set."""
    hit = _KNOWN_KEYS.get((id(known), id(confusables)))
    if hit is None or hit[0] is not known or hit[1] is not confusables:
        keys: dict[str, str] = {}
        for tool in owners:
            keys.setdefault(_key(tool, confusables), tool)
        hit = _KNOWN_KEYS[(id(known), id(confusables))] = (known, confusables, keys)
    return hit[2]


_MULTI: dict[int, tuple[object, tuple[tuple[str, str], ...]]] = {}


def _multi_char_look_alikes(known: KnownTools) -> tuple[tuple[str, str], ...]:
    hit = _MULTI.get(id(known))
    if hit is None or hit[0] is not known:
        hit = _MULTI[id(known)] = (known, tuple((x, y) for x, y in known.look_alike if len(x) != len(y)))
    return hit[1]


def _plain_key(name: str) -> str:
    """The name as written, ignoring only case and separators (``readFile`` == ``read_file``)."""
    return _SEPARATORS.sub("", name).casefold()


def _dup_key(name: str, confusables: dict[str, str]) -> str:
    return fold(name, confusables).text


def _hidden_chars(name: str) -> list[int]:
    return [
        i for i, ch in enumerate(name)
        if not ch.isascii() and (is_invisible(ch) or unicodedata.category(ch) in ("Mn", "Me")
                                 or hidden_kind(name, i, False))
    ]


def _look_alikes(name: str, confusables: dict[str, str]) -> list[int]:
    """Positions of visible non-ASCII characters that fold to something else (Cyrillic а, fullwidth ａ)."""
    out = []
    for i, ch in enumerate(name):
        if ch.isascii() or is_invisible(ch) or unicodedata.category(ch) in ("Mn", "Me"):
            continue
        folded = confusables.get(ch) or unicodedata.normalize("NFKC", ch)
        if folded != ch and folded.isascii():
            out.append(i)
    return out


def _describe(name: str, positions: list[int], confusables: dict[str, str]) -> str:
    parts = []
    for i in positions[:3]:
        ch = name[i]
        target = confusables.get(ch) or unicodedata.normalize("NFKC", ch)
        looks = f' looks like "{target}"' if target != ch and target.isascii() and target.strip() else ""
        parts.append(f"{char_label(ch)} at offset {i}{looks}")
    more = f" and {len(positions) - 3} more" if len(positions) > 3 else ""
    return ", ".join(parts) + more


def _typo(a: str, b: str, known: KnownTools) -> str | None:
    """How ``a`` is one typo-style edit away from ``b`` (both keys), or None.

    Counts: swapping two neighbours, inserting or deleting one character (not a final ``s`` or digit:
    plurals and versions are ordinary names), and substituting a look-alike spelling from the data.
    """
    if a == b or abs(len(a) - len(b)) > 2:
        return None
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
            return f'"{b[diff[0]:diff[1] + 1]}" transposed'
        if len(diff) == 1 and (b[diff[0]], a[diff[0]]) in known.look_alike:
            return f'"{b[diff[0]]}" written as look-alike "{a[diff[0]]}"'
    elif abs(len(a) - len(b)) == 1:
        longer, shorter = (a, b) if len(a) > len(b) else (b, a)
        i = next((k for k in range(len(shorter)) if longer[k] != shorter[k]), len(shorter))
        if longer[:i] + longer[i + 1:] == shorter:
            extra = longer[i]
            if i == len(shorter) and (extra == "s" or extra.isdigit()):
                return None
            return f'"{extra}" {"inserted" if longer is a else "left out"}'
    for x, y in _multi_char_look_alikes(known):
        if x in b:
            start = 0
            while (pos := b.find(x, start)) >= 0:
                if b[:pos] + y + b[pos + len(x):] == a:
                    return f'"{x}" written as look-alike "{y}"'
                start = pos + 1
    return None


_NEAR: dict[tuple[str, int], tuple[dict, tuple[str, str] | None]] = {}


def _near_miss(key: str, known_keys: dict[str, str], known: KnownTools) -> tuple[str, str] | None:
    """The first well-known tool (in data order) whose key ``key`` is one typo away from, and how.

    Remembered per key: the same names recur in every server of a project, and each comparison with
    every well-known name was the largest cost of the metadata checks. Keys more than two characters
    longer or shorter are skipped before the call (:func:`_typo` rejects them)."""
    cache_key = (key, id(known_keys))
    hit = _NEAR.get(cache_key)
    if hit is not None and hit[0] is known_keys:
        return hit[1]
    found = None
    size = len(key)
    for kkey, tool in known_keys.items():
        if len(kkey) < known.min_length or abs(len(kkey) - size) > 2:
            continue
        how = _typo(key, kkey, known)
        if how:
            found = (tool, how)
            break
    if len(_NEAR) > 100_000:
        _NEAR.clear()
    _NEAR[cache_key] = (known_keys, found)
    return found


def check_names(
    names: list[tuple[str, str, int]],
    *,
    known: KnownTools | None = None,
    phrases: PhraseSet | None = None,
    exclusive=None,
) -> list[tuple[int, TextIssue]]:
    """Issues for the tool names of one server: ``(name, path, line)`` in, ``(index, issue)`` out.

    MCP207 marks every later registration of a name that folds (NFKC, look-alikes, case, invisible
    characters) to an earlier one. MCP206 marks a name with hidden characters, a name mixing Latin with
    look-alike letters, a name that reads as a well-known tool only after folding, and a near miss of a
    well-known name. An exact well-known name is not an issue. ``exclusive(i, j)`` says that two
    registrations can never both run (the two arms of an ``if``): they are not duplicates.
    """
    known = known or load_known_tools()
    confusables = (phrases or load_phrases()).confusables
    owners = known.owners()
    known_keys = _known_keys(known, confusables, owners)
    out: list[tuple[int, TextIssue]] = []

    first_seen: dict[str, int] = {}
    for index, (name, path, line) in enumerate(names):
        dkey = _dup_key(name, confusables)
        if not dkey:
            continue
        if dkey in first_seen and not (exclusive is not None and exclusive(index, first_seen[dkey])):
            other, opath, oline = names[first_seen[dkey]]
            how = "the same name" if other == name else (
                f'"{visible_name(other)}" (differs only in case, look-alike or invisible characters)'
            )
            out.append((index, TextIssue(
                "MCP207", f'tool name "{visible_name(name)}" repeats {how} registered at {opath}:{oline}', 0,
            )))
        elif dkey not in first_seen:
            first_seen[dkey] = index

    for index, (name, _path, _line) in enumerate(names):
        key = _key(name, confusables)
        plain = _plain_key(name)
        imitated = known_keys.get(key) if key != plain else None
        hidden = _hidden_chars(name)
        alike = _look_alikes(name, confusables)
        shown = visible_name(name)
        if hidden:
            detail = f'tool name "{shown}" contains hidden characters: {_describe(name, hidden, confusables)}'
            if imitated:
                detail += f'; it reads as "{imitated}" of the {owners[imitated]} server'
            out.append((index, TextIssue("MCP206", detail, hidden[0])))
            continue
        if alike and (imitated or any(c.isascii() and c.isalpha() for c in name)):
            if imitated:
                detail = f'tool name "{shown}" imitates "{imitated}" of the {owners[imitated]} server: '
            else:
                detail = f'tool name "{shown}" mixes Latin with look-alike characters: '
            out.append((index, TextIssue("MCP206", detail + _describe(name, alike, confusables), alike[0])))
            continue
        if plain in known_keys or key in known_keys:
            continue  # a well-known name as such (or in another case/separator style): fine
        near = _near_miss(key, known_keys, known)
        if near:
            tool, how = near
            out.append((index, TextIssue(
                "MCP206",
                f'tool name "{shown}" is one typo away from "{tool}" of the {owners[tool]} server: {how}',
                0, 0.8,
            )))
    out.sort(key=lambda item: (item[0], item[1].rule))
    return out


def visible_name(name: str) -> str:
    return quote(name, 200)[1:-1]
