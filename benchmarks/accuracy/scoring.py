"""Scoring: a SARIF log per server against the manifest's ground truth, and the page that reports it.

This module owns the arithmetic of the accuracy benchmark and nothing else: it reads no tree and runs no
tool (that is `evaluate.py`). Everything here is a pure function of the manifest and SARIF logs, so the
test suite can score small hand-written logs and keep `docs/accuracy.md` in step with `render()`.

How a result is matched (the same for every tool, so peers are measured the way toolsink is):

- **Class.** Each result gets the vulnerability classes its rule stands for: from the CWE numbers the rule
  or result declares (SARIF `properties.tags`, `properties.cwe`, a rule's `relationships`), then from a
  small table of rule ids of known tools (bandit's `B602`, toolsink's `MCP101`), then from words in the
  rule id (`sqli`, `command-injection`). A capability result (toolsink MCP108: "this tool runs what the
  model writes") matches any class, as a finding at the sink line names the same defect.
- **Family.** `command` and `argument` form one family (process execution), because most tools do not
  tell a shell string from an option smuggled into an argv; per-class recall still uses the manifest's
  class. Every other class is its own family.
- **Place.** A manifest entry's `line` is where the tool's own code hands the value to the dangerous
  operation, or to the server's helper that wraps it when several tools share that helper (then the
  library call inside the helper is the entry's `sink_file`/`sink_line`). A result is at a place when its
  file ends with the manifest file's path (or the other way round) and its region holds the line, or
  starts at most `LINE_SLACK` lines after it (a multi-line call reported at its argument). A flow is found
  by a result at its `line`, at a step of the result's code flow on that line (a trace through the
  call), or at its `sink_line`. A guarded look-alike is flagged only by a result at its `line` or a trace
  through it: a helper's shared library call also serves the true flows, so a result there says nothing
  about the guarded caller.

Flows found / flows is recall; guarded look-alikes with a matching result are false alarms; every result
on a server judged safe is a false alarm too (results of every level count: a user sees them all). Results elsewhere on vulnerable servers are not scored (the
manifest does not claim to list every flow of a large server), only counted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

CLASSES = ("command", "argument", "sql", "path", "ssrf", "code", "deserialization")
FAMILY = {"command": "process", "argument": "process"}
LINE_SLACK = 2
ANY = frozenset(CLASSES)

CWE_CLASS = {
    77: "command", 78: "command", 88: "argument", 89: "sql", 564: "sql", 943: "sql",
    22: "path", 23: "path", 36: "path", 73: "path", 98: "path",
    918: "ssrf", 94: "code", 95: "code", 1336: "code", 502: "deserialization",
}
RULE_CLASS = {
    # toolsink
    "MCP101": {"command"}, "MCP102": {"argument"}, "MCP103": {"sql"}, "MCP104": {"path"},
    "MCP105": {"ssrf"}, "MCP106": {"code"}, "MCP107": {"deserialization"}, "MCP108": set(ANY),
    # bandit (its SARIF carries no CWE)
    "B102": {"code"}, "B307": {"code"}, "B301": {"deserialization"}, "B302": {"deserialization"},
    "B403": {"deserialization"}, "B506": {"deserialization"}, "B310": {"ssrf"},
    "B601": {"command"}, "B602": {"command"}, "B603": {"argument"}, "B604": {"command"},
    "B605": {"command"}, "B606": {"argument"}, "B607": {"argument"}, "B609": {"command"},
    "B608": {"sql"}, "B610": {"sql"}, "B611": {"sql"}, "B701": {"code"}, "B702": {"code"},
}
WORD_CLASS = (
    (re.compile(r"sql"), "sql"),
    (re.compile(r"command|shell|exec|spawn|subprocess|os-system|child-process"), "command"),
    (re.compile(r"path-traversal|non-literal-fs|open-redirect-file|file-inclusion|tainted-path"), "path"),
    (re.compile(r"ssrf|request-forgery"), "ssrf"),
    (re.compile(r"eval|code-injection|template"), "code"),
    (re.compile(r"pickle|yaml-load|deserial|marshal"), "deserialization"),
)
CWE_RE = re.compile(r"CWE-(\d+)", re.I)
LEVEL_DROPPED = {"none"}


def family(cls: str) -> str:
    return FAMILY.get(cls, cls)


@dataclass(frozen=True)
class Hit:
    """One SARIF result, reduced to what scoring needs."""

    rule: str
    file: str
    start: int
    end: int
    classes: frozenset
    steps: tuple = ()


def _rule_texts(rule: dict) -> list[str]:
    texts = [rule.get("id", ""), rule.get("name", "")]
    props = rule.get("properties", {}) or {}
    texts += [str(t) for t in props.get("tags", []) or []]
    cwe = props.get("cwe")
    texts += [str(c) for c in (cwe if isinstance(cwe, list) else [cwe])] if cwe else []
    for rel in rule.get("relationships", []) or []:
        texts.append(str((rel.get("target") or {}).get("id", "")))
    return texts


def classes_of(rule_id: str, texts: list[str]) -> frozenset:
    """The vulnerability classes a rule stands for (empty when it names none we score)."""
    short = rule_id.rsplit(".", 1)[-1]
    for key in (rule_id, short):
        if key in RULE_CLASS:
            return frozenset(RULE_CLASS[key])
    cwes = {int(m) for t in texts for m in CWE_RE.findall(t)}
    found = {CWE_CLASS[c] for c in cwes if c in CWE_CLASS}
    if found:
        return frozenset(found)
    low = rule_id.lower()
    return frozenset(cls for pattern, cls in WORD_CLASS if pattern.search(low))


def read_sarif(data: dict) -> list[Hit]:
    """Every result of every run (of any level but `none`), with its classes and place."""
    hits: list[Hit] = []
    for run in data.get("runs", []) or []:
        driver = ((run.get("tool") or {}).get("driver") or {})
        rules = driver.get("rules", []) or []
        by_id = {r.get("id"): r for r in rules}
        for res in run.get("results", []) or []:
            rule_id = res.get("ruleId") or ""
            if not rule_id and res.get("ruleIndex") is not None and res["ruleIndex"] < len(rules):
                rule_id = rules[res["ruleIndex"]].get("id", "")
            level = res.get("level") or (by_id.get(rule_id, {}).get("defaultConfiguration") or {}).get(
                "level", "warning")
            if level in LEVEL_DROPPED:
                continue
            texts = _rule_texts(by_id.get(rule_id, {"id": rule_id}))
            texts += [str(t) for t in ((res.get("properties") or {}).get("tags") or [])]
            classes = classes_of(rule_id, texts)
            steps = tuple(_place(step.get("location") or {})
                          for flow in res.get("codeFlows", []) or []
                          for thread in flow.get("threadFlows", []) or []
                          for step in thread.get("locations", []) or [])
            for loc in (res.get("locations", []) or [])[:1]:
                uri, start, end = _place(loc)
                hits.append(Hit(rule_id, uri, start, max(start, end), classes, steps))
    return hits


def _place(loc: dict) -> tuple[str, int, int]:
    phys = loc.get("physicalLocation") or {}
    uri = ((phys.get("artifactLocation") or {}).get("uri") or "")
    region = phys.get("region") or {}
    start = int(region.get("startLine") or 0)
    return _norm(uri), start, int(region.get("endLine") or start)


def _norm(uri: str) -> str:
    uri = re.sub(r"^file://", "", uri)
    return str(PurePosixPath(uri.replace("\\", "/"))).lstrip("./")


def same_file(result_file: str, manifest_file: str) -> bool:
    a, b = result_file.strip("/"), manifest_file.strip("/")
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def _near(file: str, start: int, end: int, want_file: str, line: int) -> bool:
    return same_file(file, want_file) and (start <= line <= end or line <= start <= line + LINE_SLACK)


def at(hit: Hit, file: str, line: int) -> bool:
    return _near(hit.file, hit.start, hit.end, file, line)


def through(hit: Hit, file: str, line: int) -> bool:
    """The result's primary location or one step of its code flow is on that line."""
    return at(hit, file, line) or any(f and same_file(f, file) and s == line for f, s, _ in hit.steps)


def matches(hit: Hit, entry: dict, *, flow: bool) -> bool:
    fam = family(entry["class"])
    if not any(family(c) == fam for c in hit.classes):
        return False
    if through(hit, entry["file"], entry["line"]):
        return True
    return flow and "sink_line" in entry and at(hit, entry.get("sink_file", entry["file"]), entry["sink_line"])


@dataclass
class ServerScore:
    id: str
    language: str
    safe: bool
    scanned: bool = True
    found: list = field(default_factory=list)
    missed: list = field(default_factory=list)
    guarded_flagged: list = field(default_factory=list)
    guarded_quiet: list = field(default_factory=list)
    safe_results: list = field(default_factory=list)
    unscored: int = 0


def score_server(server: dict, hits: list[Hit] | None) -> ServerScore:
    s = ServerScore(server["id"], server["language"], bool(server.get("safe")), scanned=hits is not None)
    hits = hits or []
    used: set[int] = set()
    for entry in server.get("flows", []) or []:
        idx = [i for i, h in enumerate(hits) if matches(h, entry, flow=True)]
        (s.found if idx else s.missed).append(entry)
        used.update(idx)
    for entry in server.get("guarded", []) or []:
        idx = [i for i, h in enumerate(hits) if matches(h, entry, flow=False)]
        if idx:
            s.guarded_flagged.append(dict(entry, rules=sorted({hits[i].rule for i in idx})))
        else:
            s.guarded_quiet.append(entry)
        used.update(idx)
    rest = [h for i, h in enumerate(hits) if i not in used]
    if s.safe:
        s.safe_results = [{"file": h.file, "line": h.start, "rule": h.rule} for h in rest]
    else:
        s.unscored = len(rest)
    return s


def summarise(tool: str, scores: list[ServerScore]) -> dict:
    """The figures one tool gets over every server, as plain data (stored in results.json)."""
    per_class: dict[str, list[int]] = {}
    per_lang: dict[str, list[int]] = {}
    for s in scores:
        for bucket, entries in ((0, s.found), (1, s.missed)):
            for e in entries:
                key = e["class"]
                per_class.setdefault(key, [0, 0])
                per_lang.setdefault(s.language, [0, 0])
                per_class[key][1] += 1
                per_lang[s.language][1] += 1
                if bucket == 0:
                    per_class[key][0] += 1
                    per_lang[s.language][0] += 1
    loc = lambda e: f"{e['file']}:{e['line']}"  # noqa: E731
    return {
        "tool": tool,
        "servers": len(scores),
        "scanned": sum(s.scanned for s in scores),
        "flows": sum(len(s.found) + len(s.missed) for s in scores),
        "found": sum(len(s.found) for s in scores),
        "guarded": sum(len(s.guarded_flagged) + len(s.guarded_quiet) for s in scores),
        "guarded_flagged": sum(len(s.guarded_flagged) for s in scores),
        "safe_servers": sum(s.safe for s in scores),
        "safe_servers_flagged": sum(bool(s.safe_results) for s in scores),
        "safe_results": sum(len(s.safe_results) for s in scores),
        "unscored": sum(s.unscored for s in scores),
        "per_class": {k: per_class[k] for k in CLASSES if k in per_class},
        "per_language": dict(sorted(per_lang.items())),
        "misses": [f"{s.id} {loc(e)} {e['tool']}({e['argument']}) {e['class']}" for s in scores for e in s.missed],
        "false_alarms": [f"{s.id} {loc(e)} {e['tool']} {e['class']} guarded ({', '.join(e['rules'])})"
                         for s in scores for e in s.guarded_flagged]
        + [f"{s.id} {r['file']}:{r['line']} {r['rule']} on a safe server" for s in scores for r in s.safe_results],
        "not_scanned": [s.id for s in scores if not s.scanned],
    }


def load_sarif(path: Path) -> list[Hit] | None:
    if not path.is_file():
        return None
    return read_sarif(json.loads(path.read_text(encoding="utf-8")))
