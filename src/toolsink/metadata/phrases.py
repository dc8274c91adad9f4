"""Instruction and secret-reference scoring of model-visible text (MCP203, MCP204), driven by YAML.

This module owns the two data files under ``rules/metadata/`` and their loading:

- ``phrases.yml``: weighted patterns (literal phrases or regular expressions) matched against the
  *normalised* text (:func:`toolsink.metadata.text.fold`: NFKC, look-alikes folded to Latin, casefolded,
  invisible characters dropped, whitespace collapsed), the per-rule thresholds, and the look-alike table;
- ``known-tools.yml``: tool names of popular servers, for :mod:`toolsink.metadata.names`.

Both are validated against ``schema/phrases.schema.json`` on load; a broken file raises
:class:`toolsink.rules.RuleError` naming the file and the field.

Scoring: every pattern that matches adds its weight to its rule (and to the rules in its ``also``);
patterns sharing a ``group`` add only the largest weight among them; a pattern with ``near`` only counts
when it lies within ``within`` characters of a match of one of the listed groups or pattern ids. A rule is
reported when its sum reaches the rule's threshold and one of its ``requires`` groups matched. The detail
quotes the matched text from the original string.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..rules import RULES_DIR, RuleError
from .text import QUOTE_MAX, Folded, TextIssue, fold, is_invisible, quote

DATA_DIR = RULES_DIR / "metadata"
PHRASES_FILE = DATA_DIR / "phrases.yml"
KNOWN_TOOLS_FILE = DATA_DIR / "known-tools.yml"
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema" / "phrases.schema.json"
DEFAULT_WITHIN = 80


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    weights: tuple[tuple[str, float], ...]  # (rule, weight), the first is the pattern's own rule
    regex: re.Pattern[str]
    group: str  # "" when ungrouped: then the pattern id is its own group
    near: tuple[str, ...] = ()
    within: int = DEFAULT_WITHIN
    examples: tuple[str, ...] = ()
    counterexamples: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.group or self.id


@dataclass(frozen=True, slots=True)
class RuleConfig:
    threshold: float
    requires: tuple[str, ...] = ()
    label: str = ""


@dataclass(frozen=True, slots=True)
class PhraseSet:
    patterns: tuple[Pattern, ...]
    rules: tuple[tuple[str, RuleConfig], ...]
    confusables: dict[str, str]
    path: str


@dataclass(frozen=True, slots=True)
class KnownTools:
    servers: tuple[tuple[str, tuple[str, ...]], ...]  # server -> tool names
    min_length: int
    look_alike: frozenset[tuple[str, str]]  # both orders of every pair
    path: str

    def owners(self) -> dict[str, str]:
        """Tool name -> the first server listing it."""
        out: dict[str, str] = {}
        for server, names in self.servers:
            for name in names:
                out.setdefault(name, server)
        return out


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _load(path: Path, definition: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: invalid YAML: {exc}") from None
    schema = {**_schema(), "$ref": f"#/$defs/{definition}"}
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        err = max(errors, key=lambda e: len(e.absolute_path))  # the most specific field
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise RuleError(f"{path}: field `{where}`: {err.message}")
    return data


def _phrase_regex(phrase: str) -> str:
    """A literal phrase as a regex over normalised text: word boundaries at word ends, any spacing."""
    words = fold(phrase).text.split(" ")
    body = r"\s*".join(re.escape(w) for w in words) if len(words) == 1 else r"\s+".join(map(re.escape, words))
    head = r"\b" if re.match(r"\w", body) else ""
    tail = r"\b" if re.search(r"\w$", phrase.strip()) else ""
    return head + body + tail


def load_phrases(path: str | Path | None = None) -> PhraseSet:
    """The phrase set from ``path`` (default: the shipped ``rules/metadata/phrases.yml``), cached."""
    return _load_phrases(str(path or PHRASES_FILE))


@lru_cache(maxsize=8)
def _load_phrases(path_text: str) -> PhraseSet:
    path = Path(path_text)
    data = _load(path, "phrasesFile")
    rules = {code: RuleConfig(float(cfg["threshold"]), tuple(cfg.get("requires", ())), cfg.get("label", ""))
             for code, cfg in data["rules"].items()}
    patterns: list[Pattern] = []
    seen: set[str] = set()
    for i, row in enumerate(data["patterns"]):
        field = f"patterns/{i}"
        if row["id"] in seen:
            raise RuleError(f"{path}: field `{field}/id`: duplicate pattern id {row['id']!r}")
        seen.add(row["id"])
        weights = [(row["rule"], float(row["weight"]))] + [(r, float(w)) for r, w in row.get("also", {}).items()]
        for rule, _ in weights:
            if rule not in rules:
                raise RuleError(f"{path}: field `{field}/rule`: {rule} has no entry under `rules`")
        source = row["regex"] if "regex" in row else _phrase_regex(row["phrase"])
        try:
            regex = re.compile(source)
        except re.error as exc:
            key = "regex" if "regex" in row else "phrase"
            raise RuleError(f"{path}: field `{field}/{key}`: invalid regular expression: {exc}") from None
        patterns.append(Pattern(
            id=row["id"], weights=tuple(weights), regex=regex, group=row.get("group", ""),
            near=tuple(row.get("near", ())), within=int(row.get("within", DEFAULT_WITHIN)),
            examples=tuple(row.get("examples", ())), counterexamples=tuple(row.get("counterexamples", ())),
        ))
    keys = {p.key for p in patterns} | {p.id for p in patterns}
    for i, p in enumerate(patterns):
        for ref in p.near:
            if ref not in keys:
                raise RuleError(f"{path}: field `patterns/{i}/near`: no group or pattern id {ref!r}")
    for code, cfg in rules.items():
        for ref in cfg.requires:
            if ref not in keys:
                raise RuleError(f"{path}: field `rules/{code}/requires`: no group or pattern id {ref!r}")
    return PhraseSet(tuple(patterns), tuple(sorted(rules.items())), dict(data.get("confusables", {})), str(path))


def load_known_tools(path: str | Path | None = None) -> KnownTools:
    """Known tool names from ``path`` (default: the shipped ``rules/metadata/known-tools.yml``), cached."""
    return _load_known_tools(str(path or KNOWN_TOOLS_FILE))


@lru_cache(maxsize=8)
def _load_known_tools(path_text: str) -> KnownTools:
    path = Path(path_text)
    data = _load(path, "knownToolsFile")
    near = data.get("near_miss", {})
    pairs: set[tuple[str, str]] = set()
    for a, b in near.get("look_alike_substitutions", ()):
        pairs.add((a, b))
        pairs.add((b, a))
    return KnownTools(
        servers=tuple((server, tuple(names)) for server, names in data["servers"].items()),
        min_length=int(near.get("min_length", 6)),
        look_alike=frozenset(pairs),
        path=str(path),
    )


# --------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Match:
    pattern: Pattern
    start: int  # in the normalised text
    end: int


def find_matches(folded: Folded, phrases: PhraseSet) -> list[Match]:
    """Every pattern match in normalised text, after the ``near`` conditions are applied."""
    screen, unscreened = _screen(phrases)
    patterns = phrases.patterns if screen is not None and screen.search(folded.text) else unscreened
    raw = [Match(p, m.start(), m.end()) for p in patterns for m in p.regex.finditer(folded.text)
           if m.end() > m.start()]
    anchors: dict[str, list[Match]] = {}
    for m in raw:
        if not m.pattern.near:
            anchors.setdefault(m.pattern.key, []).append(m)
            anchors.setdefault(m.pattern.id, []).append(m)

    def close(m: Match) -> bool:
        for ref in m.pattern.near:
            for a in anchors.get(ref, ()):
                if a.start < m.end and m.start < a.end:
                    continue  # "access" inside "access token" is not an action on it
                gap = max(a.start - m.end, m.start - a.end, 0)
                if gap <= m.pattern.within:
                    return True
        return False

    return sorted((m for m in raw if not m.pattern.near or close(m)), key=lambda m: (m.start, m.end))


_SCREENS: dict[int, tuple[PhraseSet, re.Pattern | None, tuple[Pattern, ...]]] = {}


def _screen(phrases: PhraseSet) -> tuple[re.Pattern | None, tuple[Pattern, ...]]:
    """One alternation of the patterns it can stand for, and the patterns it cannot.

    Most strings match no pattern; one search of the alternation says so instead of a search per pattern
    (measured: the per-pattern searches were the phrase scorer's largest cost). An alternation matches
    somewhere exactly when one of its alternatives does, provided each alternative means the same inside
    it: patterns with inline flags or back-references (whose group numbers would shift) stay outside, as
    do all patterns if the alternation does not compile (duplicate group names)."""
    hit = _SCREENS.get(id(phrases))
    if hit is None or hit[0] is not phrases:
        inside = [p for p in phrases.patterns if p.regex.flags == re.UNICODE and not _refers_back(p.regex.pattern)]
        outside = tuple(p for p in phrases.patterns if p not in inside)
        try:
            screen = re.compile("|".join(f"(?:{p.regex.pattern})" for p in inside)) if inside else None
        except (re.error, RecursionError, OverflowError):
            screen, outside = None, phrases.patterns
        hit = _SCREENS[id(phrases)] = (phrases, screen, outside)
    return hit[1], hit[2]


def _refers_back(pattern: str) -> bool:
    """Whether a regex has a back-reference or a conditional group (both use group numbers or names)."""
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse  # type: ignore[no-redef]
    try:
        parsed = sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - anything unusual stays outside the alternation
        return True
    refs = {sre_parse.GROUPREF, sre_parse.GROUPREF_EXISTS}
    if hasattr(sre_parse, "GROUPREF_IGNORE"):
        refs.add(sre_parse.GROUPREF_IGNORE)

    def walk(items) -> bool:
        for op, av in items:
            if op in refs:
                return True
            for arg in av if isinstance(av, (tuple, list)) else (av,):
                if isinstance(arg, sre_parse.SubPattern) and walk(arg):
                    return True
                if isinstance(arg, (tuple, list)) and any(
                        isinstance(x, sre_parse.SubPattern) and walk(x) for x in arg):
                    return True
        return False

    return walk(parsed)


def score_text(text: str, phrases: PhraseSet | None = None) -> list[TextIssue]:
    """MCP203/MCP204 issues for one string: at most one per rule, quoting what matched."""
    phrases = phrases or load_phrases()
    folded = fold(text, phrases.confusables)
    if not folded.text:
        return []
    matches = find_matches(folded, phrases)
    issues = []
    for code, cfg in phrases.rules:
        best: dict[str, tuple[float, Match]] = {}  # group -> (weight, first match of the heaviest pattern)
        for m in matches:
            for rule, weight in m.pattern.weights:
                if rule != code:
                    continue
                held = best.get(m.pattern.key)
                if held is None or weight > held[0]:
                    best[m.pattern.key] = (weight, m)
        if not best:
            continue
        matched_keys = set(best) | {w[1].pattern.id for w in best.values()}
        if cfg.requires and not matched_keys & set(cfg.requires):
            continue
        score = round(sum(w for w, _ in best.values()), 3)
        if score < cfg.threshold:
            continue
        used = [m for m in matches if any(rule == code for rule, _ in m.pattern.weights)]
        issues.append(_issue(code, cfg, score, used, folded, phrases.confusables))
    return issues


_CLAUSE_END = re.compile(r"[.!?;:\n](\s|$)|\n")


def _excerpt(original: str, start: int, end: int, pad: int = 30) -> tuple[int, int]:
    """Widen a short match to the words around it, staying inside its clause."""
    if end - start >= 40:
        return start, end
    lo = max(0, start - pad)
    hi = min(len(original), end + pad)
    before = list(_CLAUSE_END.finditer(original, lo, start))
    if before:
        lo = before[-1].end()
    after = _CLAUSE_END.search(original, end, hi)
    if after:
        hi = after.start() + (1 if original[after.start()] in ".!?" else 0)
    if lo > 0 and not original[lo - 1].isspace():
        gap = re.search(r"\s", original[lo:start])
        lo = lo + gap.end() if gap else start  # do not start mid-word
    if hi < len(original) and not original[hi].isspace():
        cut = original.rfind(" ", end, hi)
        hi = cut if cut >= 0 else end  # nor end mid-word
    return lo, hi


def _issue(
    code: str, cfg: RuleConfig, score: float, used: list[Match], folded: Folded, confusables: dict[str, str]
) -> TextIssue:
    own = [m for m in used if m.pattern.weights[0][0] == code]
    ordered = sorted(own, key=lambda m: (-m.pattern.weights[0][1], m.start))  # strongest evidence first
    ordered += [m for m in used if m not in own]
    quotes: list[str] = []
    spans: list[tuple[int, int]] = []
    disguised = False
    quoted_ids: set[str] = set()
    for m in ordered:
        if m.pattern.id in quoted_ids:
            continue  # one quote per pattern: "<IMPORTANT>" once, not again for "</IMPORTANT>"
        s, e = folded.span(m.start, m.end)
        disguised = disguised or _disguised(folded.original[s:e], confusables)
        s, e = _excerpt(folded.original, s, e)
        if any(s < b and e > a for a, b in spans):
            continue  # one quote per stretch of text
        spans.append((s, e))
        quoted_ids.add(m.pattern.id)
        quotes.append(quote(folded.original[s:e], QUOTE_MAX))
    shown = ", ".join(quotes[:4]) + (f" and {len(quotes) - 4} more" if len(quotes) > 4 else "")
    label = cfg.label or "suspicious text"
    detail = f"{label} (score {score:g}, threshold {cfg.threshold:g}): {shown}"
    if disguised:
        detail += "; written with look-alike or invisible characters"
    detail += " [" + ", ".join(dict.fromkeys(m.pattern.id for m in ordered)) + "]"
    first = folded.span(min(m.start for m in own), 0)[0] if own else min(s for s, _ in spans)
    return TextIssue(code, detail, first, score)


def _disguised(original: str, confusables: dict[str, str]) -> bool:
    """True when the matched text hides letters behind look-alikes or invisible characters."""
    for ch in original:
        if ch.isascii():
            continue
        if is_invisible(ch):
            return True
        if ch.isalpha():
            folded = confusables.get(ch) or unicodedata.normalize("NFKC", ch)
            if folded != ch and folded.isascii():
                return True
    return False
