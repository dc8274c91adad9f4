"""Checks beyond taint: what the model reads (MCP2xx) and what the server exposes (MCP3xx).

Each check is a function ``(analysis, rules, config) -> list[Finding]`` registered in ``CHECKS``; the scan
runs them all after the taint analysis, on the same registrations and call graph.
"""

from __future__ import annotations

from typing import Callable

from .exposure import annotation_findings, call_check_findings
from .metadata import metadata_findings
from .ownership import ownership_findings
from .programs import release_programs

CHECKS: list[Callable] = [annotation_findings, call_check_findings, metadata_findings, ownership_findings]


def run_checks(analysis, rules, config) -> list:
    out = []
    try:
        for check in CHECKS:
            out.extend(check(analysis, rules, config))
    finally:
        release_programs()  # the import graph of this scan is not kept past it
    return out
