"""SARIF 2.1.0 reporter, shaped for GitHub code scanning.

This module owns the mapping from a :class:`~toolsink.result.ScanResult` to one SARIF log with one run:
the rule catalogue (every rule declared, with help, tags, ``security-severity`` and ``precision``), one
result per finding (relative URI, 1-based region, the source as a related location, the trace as a code
flow, a line-independent partial fingerprint, the ``--fix`` edits as ``fixes``), diagnostics as tool execution notifications, and the
truncation that keeps a log within GitHub's upload limits. ``docs/sarif.md`` describes the mapping.

The document is built from the ``sarif-om`` object model and serialized through each attrs field's
``schema_property_name``. sarif-om gives optional fields sentinel defaults (``-1``, ``"en-US"``, ...), so
the serializer drops every value equal to its field's default; ``level`` is the exception, because an
absent result level means "the rule's default level", which is not the same as ``"warning"``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import metadata
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Iterable
from urllib.parse import quote

import attr
import sarif_om as om

from ..findings import Finding, Fix, Location, TraceStep
from ..ir import Diagnostic
from ..result import ScanResult
from ..rules import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "toolsink"
INFORMATION_URI = "https://github.com/toolsink/toolsink"
FINGERPRINT_KEY = "toolsink/v1"
SRCROOT = "%SRCROOT%"
# Our columns count Unicode code points (see toolsink.findings.Location); SARIF's default is UTF-16 units.
COLUMN_KIND = "unicodeCodePoints"

# GitHub code scanning rejects an upload above these ("SARIF results exceed limit" in GitHub's docs).
# Read at call time, so tests can lower them.
MAX_RESULTS = 25_000  # results per run (GitHub shows the 5,000 most severe)
MAX_RULES = 25_000  # rules per run
MAX_THREAD_FLOW_LOCATIONS = 10_000  # per result (GitHub shows 1,000)
MAX_TAGS = 20  # per rule (GitHub shows 10)
# Locations per result are limited to 1,000 too; a result here has exactly one location and at most one
# related location, so that limit cannot be reached.

_LEVELS = {"error": "error", "warning": "warning", "note": "note", "info": "note", "none": "none"}
_LEVEL_RANK = {"error": 0, "warning": 1, "note": 2, "none": 3}
_TRUNCATED = "sarif-truncated"  # notification code for limit truncation


# --------------------------------------------------------------------------- property bags
# sarif-om's PropertyBag only knows ``tags``; these add the named properties we write, so the serializer
# handles them like every other field.


@attr.s
class RuleProperties(om.PropertyBag):
    precision = attr.ib(default=None, metadata={"schema_property_name": "precision"})
    security_severity = attr.ib(default=None, metadata={"schema_property_name": "security-severity"})


@attr.s
class ResultProperties(om.PropertyBag):
    entry = attr.ib(default=None, metadata={"schema_property_name": "entry"})
    argument = attr.ib(default=None, metadata={"schema_property_name": "argument"})
    sink = attr.ib(default=None, metadata={"schema_property_name": "sink"})
    notes = attr.ib(default=None, metadata={"schema_property_name": "notes"})


@attr.s
class InvocationProperties(om.PropertyBag):
    files_scanned = attr.ib(default=None, metadata={"schema_property_name": "filesScanned"})
    lines_scanned = attr.ib(default=None, metadata={"schema_property_name": "linesScanned"})
    suppressed_results = attr.ib(default=None, metadata={"schema_property_name": "suppressedResults"})
    registrations = attr.ib(default=None, metadata={"schema_property_name": "registrations"})


# --------------------------------------------------------------------------- serializer

_ALWAYS_WRITTEN = frozenset({"level"})  # written even when equal to sarif-om's default
_KEEP_EMPTY = frozenset({"results"})  # `results: []` means "analysed, found nothing"; absent means "did not run"


def to_json_data(obj: Any) -> Any:
    """Plain JSON data for a sarif-om object tree, keyed by SARIF property names."""
    if attr.has(type(obj)):
        out: dict[str, Any] = {}
        for field in attr.fields(type(obj)):
            value = getattr(obj, field.name)
            if value is None:
                continue
            if isinstance(value, (list, tuple, dict)) and not value and field.name not in _KEEP_EMPTY:
                continue
            if field.name not in _ALWAYS_WRITTEN and _is_default(field, value):
                continue
            data = to_json_data(value)
            if data == {} and attr.has(type(value)):  # e.g. a property bag with nothing in it
                continue
            out[field.metadata.get("schema_property_name", field.name)] = data
        return out
    if isinstance(obj, (list, tuple)):
        return [to_json_data(item) for item in obj]
    if isinstance(obj, dict):
        return {str(key): to_json_data(value) for key, value in obj.items()}
    return obj


def _is_default(field: attr.Attribute, value: Any) -> bool:
    default = field.default
    if default is attr.NOTHING:
        return False
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]
        default = default.factory()
    return type(value) is type(default) and value == default


# --------------------------------------------------------------------------- public entry point


def render(
    result: ScanResult,
    rules: dict[str, Rule],
    category: str | None = None,
    version: str | None = None,
    *,
    execution_successful: bool = True,
    help_uri: str | None = None,
    **_options: Any,
) -> str:
    """The SARIF log for ``result`` as JSON text (indent 2, trailing newline).

    ``category`` becomes ``run.automationDetails.id`` (``--sarif-category``); ``version`` is the tool version
    (default: the installed toolsink's); ``execution_successful=False`` marks a scan that failed internally;
    ``help_uri`` is a template such as ``"https://example.org/rules/{id}.html"`` for each rule's ``helpUri``.
    """
    data = to_json_data(build_log(result, rules, category=category, version=version,
                                  execution_successful=execution_successful, help_uri=help_uri))
    # Readers look for these three first; sarif-om declares `runs` before them.
    ordered = {"$schema": data.pop("$schema"), "version": data.pop("version"), **data}
    return json.dumps(ordered, indent=2) + "\n"


def build_log(
    result: ScanResult,
    rules: dict[str, Rule],
    category: str | None = None,
    version: str | None = None,
    execution_successful: bool = True,
    help_uri: str | None = None,
) -> om.SarifLog:
    """The SARIF log as sarif-om objects (see :func:`render`)."""
    truncations: list[str] = []

    findings = sorted(result.findings, key=_finding_order)
    fingerprints = _unique_fingerprints(findings)
    findings = _limit_results(findings, rules, truncations)

    descriptors = _declared_rules(rules, findings, truncations, help_uri)
    rule_index = {descriptor.id: i for i, descriptor in enumerate(descriptors)}
    results = [
        _result(finding, fingerprints[id(finding)], rule_index.get(finding.rule), truncations)
        for finding in findings
        if finding.rule in rule_index
    ]

    notifications, notification_codes = _notifications(result.diagnostics, _summarize(truncations))
    driver = om.ToolComponent(
        name=TOOL_NAME,
        version=version or _installed_version(),
        information_uri=INFORMATION_URI,
        rules=descriptors,
        notifications=[_notification_descriptor(code) for code in notification_codes] or None,
    )
    invocation = om.Invocation(
        execution_successful=bool(execution_successful),
        tool_execution_notifications=notifications or None,
        properties=InvocationProperties(
            files_scanned=result.files_scanned,
            lines_scanned=result.lines_scanned,
            suppressed_results=result.suppressed,
            registrations=result.counts(),
        ),
    )
    run = om.Run(
        tool=om.Tool(driver=driver),
        automation_details=om.RunAutomationDetails(id=category) if category else None,
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=root_uri(result.root))},
        column_kind=COLUMN_KIND,
        invocations=[invocation],
        results=results,
    )
    return om.SarifLog(runs=[run], version=SARIF_VERSION, schema_uri=SCHEMA_URI)


# --------------------------------------------------------------------------- rules


def _declared_rules(rules: dict[str, Rule], findings: list[Finding], truncations: list[str],
                    help_uri: str | None) -> list[om.ReportingDescriptor]:
    """Every known rule, plus a bare descriptor for any rule a finding names that is not loaded."""
    descriptors = {rule_id: _descriptor(rule, help_uri, truncations) for rule_id, rule in rules.items()}
    for finding in findings:
        if finding.rule not in descriptors:
            descriptors[finding.rule] = om.ReportingDescriptor(
                id=finding.rule,
                name=finding.name or None,
                default_configuration=om.ReportingConfiguration(level=sarif_level(finding.severity)),
                properties=RuleProperties(tags=["security"]),
            )
    if len(descriptors) > MAX_RULES:
        used = sorted({f.rule for f in findings})[:MAX_RULES]
        rest = sorted(set(descriptors) - set(used))[: MAX_RULES - len(used)]
        truncations.append(f"{len(descriptors)} rules exceed the limit of {MAX_RULES} per run; "
                           f"declared the {MAX_RULES} that have results first")
        descriptors = {rule_id: descriptors[rule_id] for rule_id in used + rest}
    return [descriptors[rule_id] for rule_id in sorted(descriptors)]


def _descriptor(rule: Rule, help_uri: str | None, truncations: list[str]) -> om.ReportingDescriptor:
    tags = rule_tags(rule)
    if len(tags) > MAX_TAGS:
        truncations.append(f"rule {rule.id} has {len(tags)} tags; kept the first {MAX_TAGS}")
        tags = tags[:MAX_TAGS]
    return om.ReportingDescriptor(
        id=rule.id,
        name=rule.name,
        short_description=om.MultiformatMessageString(text=rule.title),
        full_description=om.MultiformatMessageString(text=" ".join(rule.docs.what.split())),
        help=om.MultiformatMessageString(text=help_text(rule), markdown=rule.markdown()),
        help_uri=help_uri.format(id=rule.id, name=rule.name) if help_uri else None,
        default_configuration=om.ReportingConfiguration(level=sarif_level(rule.severity)),
        properties=RuleProperties(
            tags=tags,
            precision=rule.precision,
            security_severity=security_severity(rule.security_severity),
        ),
    )


def rule_tags(rule: Rule) -> list[str]:
    """``security`` and one ``external/cwe/cwe-N`` per CWE (before truncation to GitHub's limit)."""
    tags = ["security"] + [f"external/cwe/cwe-{cwe}" for cwe in rule.cwe]
    return list(dict.fromkeys(tags))


def security_severity(score: float) -> str:
    """GitHub wants a string holding a number in 0.0-10.0 (>= 9.0 critical, >= 7.0 high, >= 4.0 medium)."""
    return f"{min(max(float(score), 0.0), 10.0):.1f}"


def help_text(rule: Rule) -> str:
    docs = rule.docs
    parts = [docs.what.strip(), "Why is this bad?\n" + docs.why.strip(), "Example:\n" + docs.example.rstrip(),
             "Use instead:\n" + docs.use_instead.rstrip()]
    if docs.fix:
        parts.append("Fix: " + " ".join(docs.fix.split()))
    if docs.references:
        parts.append("References:\n" + "\n".join(f"- {ref}" for ref in docs.references))
    return "\n\n".join(parts) + "\n"


def sarif_level(severity: str) -> str:
    return _LEVELS.get(severity.lower(), "warning")


# --------------------------------------------------------------------------- results


def _finding_order(finding: Finding) -> tuple:
    return (*finding.sort_key(), finding.sink, finding.entry, finding.message, finding.fingerprint)


def _unique_fingerprints(findings: list[Finding]) -> dict[int, str]:
    """Fingerprint per finding (by identity); repeats get ``:2``, ``:3`` ... in sorted order.

    Two findings share a fingerprint when the same sink line, reached from the same argument, appears
    twice in one file; GitHub would merge them into one alert, so they are told apart by occurrence.
    """
    seen: Counter[str] = Counter()
    out: dict[int, str] = {}
    for finding in findings:
        base = finding.fingerprint
        seen[base] += 1
        out[id(finding)] = base if seen[base] == 1 else f"{base}:{seen[base]}"
    return out


def _limit_results(findings: list[Finding], rules: dict[str, Rule], truncations: list[str]) -> list[Finding]:
    if len(findings) <= MAX_RESULTS:
        return findings

    def priority(finding: Finding) -> tuple:
        rule = rules.get(finding.rule)
        score = rule.security_severity if rule is not None else 0.0
        return (_LEVEL_RANK[sarif_level(finding.severity)], -score, _finding_order(finding))

    kept = sorted(findings, key=priority)[:MAX_RESULTS]
    truncations.append(f"{len(findings)} results exceed the limit of {MAX_RESULTS} per run; "
                       f"kept the {MAX_RESULTS} most severe")
    return sorted(kept, key=_finding_order)


def _result(finding: Finding, fingerprint: str, rule_index: int | None, truncations: list[str]) -> om.Result:
    source = next((step for step in finding.trace if step.kind == "source"), None)
    related = [_location(source.location, message=source.message, id=1)] if source is not None else None
    return om.Result(
        rule_id=finding.rule,
        rule_index=rule_index,
        level=sarif_level(finding.severity),
        message=om.Message(text=finding.message),
        locations=[_location(finding.location)],
        related_locations=related,
        code_flows=[_code_flow(finding, truncations)] if finding.trace else None,
        partial_fingerprints={FINGERPRINT_KEY: fingerprint},
        fixes=[_fix(finding.fix)] if finding.fix is not None else None,
        properties=ResultProperties(
            entry=finding.entry or None,
            argument=finding.argument or None,
            sink=finding.sink or None,
            notes=list(finding.notes) or None,
        ),
    )


def _fix(fix: Fix) -> om.Fix:
    """A SARIF ``fix``: the edits of ``toolsink scan --fix`` as replacements (all in the finding's file)."""
    changes: dict[str, list[om.Replacement]] = {}
    for edit in fix.edits:
        changes.setdefault(edit.location.path, []).append(om.Replacement(
            deleted_region=_region(edit.location),
            inserted_content=om.ArtifactContent(text=edit.text) if edit.text else None,
        ))
    return om.Fix(
        description=om.Message(text=fix.message),
        artifact_changes=[om.ArtifactChange(artifact_location=artifact(path), replacements=replacements)
                          for path, replacements in changes.items()],
    )


def _code_flow(finding: Finding, truncations: list[str]) -> om.CodeFlow:
    steps: list[TraceStep] = list(finding.trace)
    if len(steps) > MAX_THREAD_FLOW_LOCATIONS:
        # Keep the source end and the sink: the two ends are what a reader needs to act on.
        truncations.append(f"trace of {len(steps)} steps shortened to the limit of {MAX_THREAD_FLOW_LOCATIONS} "
                           f"thread flow locations ({finding.rule} at {finding.location.path}:{finding.location.line})")
        steps = steps[: MAX_THREAD_FLOW_LOCATIONS - 1] + steps[-1:]
    notes = " ".join(note.strip() for note in finding.notes if note.strip())
    locations = []
    for i, step in enumerate(steps):
        text = step.message
        if notes and i == len(steps) - 1:
            text = f"{text} ({notes})" if text else notes
        locations.append(om.ThreadFlowLocation(location=_location(step.location, message=text or step.kind)))
    summary = f"{finding.message} ({notes})" if notes else finding.message
    return om.CodeFlow(message=om.Message(text=summary), thread_flows=[om.ThreadFlow(locations=locations)])


def _location(loc: Location, message: str | None = None, id: int | None = None) -> om.Location:
    return om.Location(
        id=id,
        physical_location=om.PhysicalLocation(artifact_location=artifact(loc.path), region=_region(loc)),
        message=om.Message(text=message) if message else None,
    )


def _region(loc: Location) -> om.Region | None:
    if loc.line < 1:
        return None
    region = om.Region(start_line=loc.line)
    if loc.col >= 1:
        region.start_column = loc.col
    if loc.end_line >= loc.line:
        region.end_line = loc.end_line
        # Columns are exclusive at the end, as in SARIF: end_col is the column after the last character.
        if loc.end_col >= 1 and (loc.end_line > loc.line or loc.col < 1 or loc.end_col >= loc.col):
            region.end_column = loc.end_col
    return region


# --------------------------------------------------------------------------- URIs


_WINDOWS_ABS = re.compile(r"^[A-Za-z]:[\\/]")


def artifact(path: str) -> om.ArtifactLocation:
    """A relative path becomes a ``%SRCROOT%``-relative URI; an absolute one a ``file:`` URI."""
    if _WINDOWS_ABS.match(path):
        return om.ArtifactLocation(uri=PureWindowsPath(path).as_uri())
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return om.ArtifactLocation(uri=PurePosixPath(posix).as_uri())
    while posix.startswith("./"):
        posix = posix[2:]
    return om.ArtifactLocation(uri=relative_uri(posix), uri_base_id=SRCROOT)


def relative_uri(path: str) -> str:
    """Percent-encode a relative forward-slash path (spaces, ``%``, ``#``, ``:``, non-ASCII ...); a file name
    that is not UTF-8 is percent-encoded as the bytes it has on disk."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def root_uri(root: str) -> str:
    """``file:`` URI of the scan root, with the trailing slash SARIF requires of a base URI."""
    uri = Path(root or ".").resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


# --------------------------------------------------------------------------- notifications

# What each diagnostic code means, for the notification descriptors (GitHub's SARIF checks, GH2012, want a
# description on every descriptor); a code not listed gets a generic one.
NOTIFICATION_TEXT = {
    "syntax-error": "A file has syntax errors; what could be parsed was analysed.",
    "decode-error": "A file could not be decoded as text in its encoding; it was skipped.",
    "too-large": "A file is over the size limit (max-file-size); it was skipped.",
    "binary": "A binary file was skipped.",
    "unreadable": "A file or folder could not be read.",
    "unsupported-file": "A file named on the command line is not Python, TypeScript or JavaScript.",
    "path-not-found": "A path given to the scan does not exist.",
    "broken-symlink": "A symlink points to nothing.",
    "symlink-loop": "A symlink points back to a folder that contains it; not followed.",
    "symlink-outside": "A symlink points outside the scanned folders; not followed without --follow-links.",
    "bad-ignore-file": "An ignore file has a pattern that does not compile; the line was skipped.",
    "all-excluded": "Every source file under a scanned path was excluded by an ignore file or exclude pattern.",
    "no-mcp-server": "Source files were scanned but none registers an MCP tool, resource or prompt.",
    "internal-error": "toolsink failed on one file; the other files were analysed.",
    "analysis-limit": "The analysis stopped at a bound (call depth or nesting); deeper flows are not reported.",
    "unresolved-registration": "A registration's handler could not be resolved; its arguments are not traced.",
    "unresolved-receiver": "A registration's receiver was taken as an MCP server because the module imports an SDK.",
    "no-registration": "No MCP registration was recognised in a module that looks like a server.",
    "unused-suppression": "An inline suppression matches no finding.",
    "bare-suppression": "An inline suppression names no rule code.",
    "suppression-without-reason": "An inline suppression has no reason although reasons are required.",
    _TRUNCATED: "The SARIF output was shortened to stay within GitHub's limits.",
}


def _notification_descriptor(code: str) -> om.ReportingDescriptor:
    text = NOTIFICATION_TEXT.get(code, f"toolsink diagnostic `{code}` about the scanned input.")
    return om.ReportingDescriptor(id=code, short_description=om.MultiformatMessageString(text=text))


def _summarize(truncations: list[str]) -> list[str]:
    """One notification per kind of truncation; many shortened traces are counted, not listed."""
    traces = [t for t in truncations if t.startswith("trace of ")]
    out = [t for t in truncations if not t.startswith("trace of ")]
    if len(traces) == 1:
        out.append(traces[0])
    elif traces:
        out.append(f"{len(traces)} traces shortened to the limit of {MAX_THREAD_FLOW_LOCATIONS} thread flow "
                   f"locations; first: {traces[0]}")
    return out


def _notifications(diagnostics: Iterable[Diagnostic],
                   truncations: list[str]) -> tuple[list[om.Notification], list[str]]:
    ordered = sorted(diagnostics, key=lambda d: (d.path, d.line, d.col, d.code, d.message))
    codes = sorted({d.code for d in ordered} | ({_TRUNCATED} if truncations else set()))
    index = {code: i for i, code in enumerate(codes)}
    out = []
    for diag in ordered:
        locations = None
        if diag.path:
            region = None
            if diag.line > 0:
                region = om.Region(start_line=diag.line, start_column=diag.col if diag.col > 0 else None)
            locations = [om.Location(physical_location=om.PhysicalLocation(
                artifact_location=artifact(diag.path), region=region))]
        out.append(om.Notification(
            message=om.Message(text=diag.message),
            level=sarif_level(diag.level),
            locations=locations,
            descriptor=om.ReportingDescriptorReference(id=diag.code, index=index[diag.code]),
        ))
    for text in truncations:
        out.append(om.Notification(
            message=om.Message(text=f"Output truncated for GitHub code scanning: {text}."),
            level="warning",
            descriptor=om.ReportingDescriptorReference(id=_TRUNCATED, index=index[_TRUNCATED]),
        ))
    return out, codes


def _installed_version() -> str:
    try:
        return metadata.version("toolsink")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0.1.0"


__all__ = [
    "COLUMN_KIND", "FINGERPRINT_KEY", "MAX_RESULTS", "MAX_RULES", "MAX_TAGS", "MAX_THREAD_FLOW_LOCATIONS",
    "SCHEMA_URI", "SRCROOT", "artifact", "build_log", "render", "root_uri", "rule_tags", "sarif_level",
    "security_severity", "to_json_data",
]
