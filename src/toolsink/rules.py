"""Rules and models: load the YAML under ``rules/`` and validate it against JSON schemas on load.

A *rule* (``rules/MCPnnn-*.yml``) says what a finding means: code, name, severity, CWE, message template,
which taint kinds it pairs, and its documentation. A *model* file (``rules/models/*.yml``) says facts about
libraries: registrations, sources, sinks, sanitizers, guards, propagators and safe parameter types. The
engine knows no library by name; everything it knows about one comes from here.

The ``rules`` directory is shipped inside the package (``toolsink/rules``); a source checkout falls back
to the top-level ``rules/`` so edits are seen without reinstalling.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jsonschema
import yaml


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: 10x faster


class RuleError(Exception):
    """A rule or model file is broken; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class RuleDocs:
    what: str
    why: str
    example: str
    use_instead: str
    references: tuple[str, ...] = ()
    fix: str = ""  # what `toolsink scan --fix` does for this rule (docs/fixes.md)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    title: str
    severity: str  # "error" | "warning" | "note"
    precision: str  # "very-high" | "high" | "medium" | "low"
    security_severity: float
    cwe: tuple[int, ...]
    languages: tuple[str, ...]
    message: str
    docs: RuleDocs
    sources: tuple[str, ...] = ()
    sinks: tuple[str, ...] = ()
    path: str = ""
    report_at: str = "sink"
    skip_paths: tuple[str, ...] = ()
    whole: bool = False  # only for arguments that reach the sink whole: a capability, not an injection
    experimental: bool = False  # enabled only when its full code is selected (config.selects)
    stops_at_responses: bool = False  # a source's value sent out and a response used instead no longer counts

    def format(self, **values: str) -> str:
        class _Missing(dict):
            def __missing__(self, key: str) -> str:
                return "{" + key + "}"

        return self.message.format_map(_Missing(values))

    def markdown(self) -> str:
        d = self.docs
        parts = [f"## {self.id} {self.name}", ""]
        if self.experimental:
            parts += [f"*Experimental: not enabled by default or by a prefix; enable it with `--extend-select "
                      f"{self.id}` or `extend-select = [\"{self.id}\"]`.*", ""]
        parts += [d.what.strip(), "", "### Why is this bad?", "", d.why.strip()]
        parts += ["", "### Example", "", "```", d.example.rstrip(), "```"]
        parts += ["", "### Use instead", "", "```", d.use_instead.rstrip(), "```"]
        if d.fix:
            parts += ["", f"**Fix:** {' '.join(d.fix.split())}"]
        if d.references:
            parts += ["", "### References", ""] + [f"- <{r}>" for r in d.references]
        if self.cwe:
            parts += ["", "CWE: " + ", ".join(f"CWE-{c}" for c in self.cwe)]
        return "\n".join(parts) + "\n"


def _packaged_dir() -> Path:
    packaged = Path(str(resources.files("toolsink"))) / "rules"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "rules"
    return checkout


RULES_DIR = _packaged_dir()
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"


@lru_cache(maxsize=None)
def _schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


MAX_YAML_NODES = 200_000  # our own model files expand to a few thousand nodes


def _check_expansion(path: Path, text: str) -> None:
    """Refuse a YAML file whose aliases would expand past :data:`MAX_YAML_NODES` nodes, before anything is
    built: a few hundred bytes of nested anchors ("billion laughs") otherwise take gigabytes, and rule
    directories may be named by a scanned repository's own configuration."""
    sizes: dict[str, int] = {}
    open_anchors: list[tuple[str | None, int]] = []
    count = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, yaml.AliasEvent):
            count += sizes.get(event.anchor, 1)
        elif isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            count += 1
            if isinstance(event, yaml.ScalarEvent) and event.anchor:
                sizes[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                open_anchors.append((event.anchor, count))
        elif isinstance(event, yaml.CollectionEndEvent) and open_anchors:
            anchor, start = open_anchors.pop()
            if anchor:
                sizes[anchor] = count - start + 1
        if count > MAX_YAML_NODES:
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            raise RuleError(f"{path}: line {line}: YAML aliases expand to more than {MAX_YAML_NODES:,} nodes; "
                            "refused (write the values out)")


def _load_yaml(path: Path, schema_name: str) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
        _check_expansion(path, text)
        data = yaml.load(text, Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: invalid YAML: {exc}") from None
    except RecursionError:
        raise RuleError(f"{path}: invalid YAML: nested too deeply") from None
    validator = jsonschema.Draft202012Validator(_schema(schema_name))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise RuleError(f"{path}: field `{where}`: {err.message}")
    return data


def _rule_from(data: dict, path: Path) -> Rule:
    docs = data["docs"]
    taint = data.get("taint", {})
    return Rule(
        id=data["id"],
        name=data["name"],
        title=data.get("title", data["name"]),
        severity=data["severity"],
        precision=data.get("precision", "medium"),
        security_severity=float(data.get("security_severity", 5.0)),
        cwe=tuple(data.get("cwe", ())),
        languages=tuple(data.get("languages", ())),
        message=data["message"],
        docs=RuleDocs(
            what=docs["what"], why=docs["why"], example=docs["example"], use_instead=docs["use_instead"],
            references=tuple(docs.get("references", ())), fix=docs.get("fix", ""),
        ),
        sources=tuple(taint.get("sources", ())),
        sinks=tuple(taint.get("sinks", ())),
        path=str(path),
        report_at=data.get("report_at", "sink"),
        skip_paths=tuple(data.get("skip_paths", ())),
        whole=bool(taint.get("whole", False)),
        experimental=bool(data.get("experimental", False)),
        stops_at_responses=bool(taint.get("stops_at_responses", False)),
    )


def load_rules(extra_dirs: tuple[str, ...] = ()) -> dict[str, Rule]:
    """All rules by code, sorted; extra directories (from config) may add rules, never redefine one."""
    return dict(_load_rules(tuple(extra_dirs)))


@lru_cache(maxsize=8)
def _load_rules(extra_dirs: tuple[str, ...]) -> tuple[tuple[str, Rule], ...]:
    rules: dict[str, Rule] = {}
    for directory in (RULES_DIR, *map(Path, extra_dirs)):
        for path in sorted(directory.glob("MCP*.yml")):
            rule = _rule_from(_load_yaml(path, "rule.schema.json"), path)
            if rule.id in rules:
                raise RuleError(f"{path}: field `id`: {rule.id} is already defined in {rules[rule.id].path}")
            if not path.name.startswith(rule.id + "-"):
                raise RuleError(f"{path}: field `id`: file name must start with `{rule.id}-`")
            rules[rule.id] = rule
    return tuple(sorted(rules.items()))


@dataclass(frozen=True, slots=True)
class Models:
    """Every model row of every model file, grouped by section. Rows stay plain dicts (validated)."""

    registrations: tuple[dict, ...] = ()
    sources: tuple[dict, ...] = ()
    sinks: tuple[dict, ...] = ()
    sanitizers: tuple[dict, ...] = ()
    guards: tuple[dict, ...] = ()
    propagators: tuple[dict, ...] = ()
    safe_types: tuple[dict, ...] = ()
    literal_sources: tuple[dict, ...] = ()
    attribute_sources: tuple[dict, ...] = ()
    configuration_reads: tuple[dict, ...] = ()
    call_checks: tuple[dict, ...] = ()
    program_facts: tuple[dict, ...] = ()
    identifiers: tuple[dict, ...] = ()
    caller_identity: tuple[dict, ...] = ()
    options: tuple[dict, ...] = ()
    context_types: tuple[str, ...] = ()
    files: tuple[str, ...] = field(default=())


SECTIONS = ("registrations", "sources", "sinks", "sanitizers", "guards", "propagators", "safe_types",
            "literal_sources", "attribute_sources", "configuration_reads", "call_checks", "program_facts",
            "identifiers", "caller_identity", "options")


def load_models(extra_dirs: tuple[str, ...] = ()) -> dict[str, Models]:
    """Models per language family ("python", "javascript")."""
    return dict(_load_models(tuple(extra_dirs)))


@lru_cache(maxsize=8)
def _load_models(extra_dirs: tuple[str, ...]) -> tuple[tuple[str, Models], ...]:
    grouped: dict[str, dict[str, list]] = {}
    for directory in (RULES_DIR / "models", *(Path(d) / "models" for d in extra_dirs)):
        for path in sorted(directory.glob("*.yml")):
            data = _load_yaml(path, "models.schema.json")
            for i, row in enumerate(data.get("literal_sources", ())):
                try:
                    re.compile(row["pattern"])
                except re.error as exc:
                    raise RuleError(f"{path}: field `literal_sources/{i}/pattern`: not a valid regular expression: "
                                    f"{exc}") from None
            languages = data["language"] if isinstance(data["language"], list) else [data["language"]]
            for language in languages:
                group = grouped.setdefault(language, {s: [] for s in (*SECTIONS, "context_types", "files")})
                for section in SECTIONS:
                    for row in data.get(section, ()):
                        group[section].append({**row, "_file": path.name})
                group["context_types"].extend(data.get("context_types", ()))
                group["files"].append(str(path))
    return tuple(
        (lang, Models(**{k: tuple(v) for k, v in group.items()})) for lang, group in sorted(grouped.items())
    )
