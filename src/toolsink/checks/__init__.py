"""Checks beyond taint: what the model reads (MCP2xx) and what the server exposes (MCP3xx).

Each check is a function ``(analysis, rules, config, programs) -> list[Finding]`` registered in ``CHECKS``;
the scan runs them all after the taint analysis, on the same registrations and call graph. ``programs``
(:class:`~toolsink.checks.programs.Programs`) is the import graph and program facts of this call only,
built on first use and shared by the checks of the call: nothing is kept between calls or shared between
threads.
"""

from __future__ import annotations

from typing import Callable

from .exposure import annotation_findings, call_check_findings
from .metadata import metadata_findings
from .ownership import ownership_findings
from .programs import Programs

CHECKS: list[Callable] = [annotation_findings, call_check_findings, metadata_findings, ownership_findings]


def run_checks(analysis, rules, config) -> list:
    programs = Programs(analysis)
    out = []
    for check in CHECKS:
        out.extend(check(analysis, rules, config, programs))
    return out
