"""Baselines: record today's findings by fingerprint, then report only new ones.

A baseline file is JSON: ``{"version": 1, "findings": [{"fingerprint", "rule", "path", "entry", "argument"}]}``.
Fingerprints do not depend on line numbers, so code moving around does not resurrect old findings;
a finding that is recorded N times suppresses at most N current findings with that fingerprint.
"""

from __future__ import annotations

import json
from collections import Counter

from .findings import Finding


def write_baseline(path: str, findings: list[Finding]) -> int:
    rows = [{"fingerprint": f.fingerprint, "rule": f.rule, "path": f.location.path, "entry": f.entry,
             "argument": f.argument} for f in sorted(findings, key=lambda f: f.sort_key())]
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"version": 1, "tool": "toolsink", "findings": rows}, fh, indent=2)
            fh.write("\n")
    except OSError as exc:
        from .config import ConfigError

        raise ConfigError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    return len(rows)


def filter_baseline(path: str, findings: list[Finding]) -> list[Finding]:
    from .config import ConfigError

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        known = Counter(row["fingerprint"] for row in data["findings"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a toolsink baseline file ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not a toolsink baseline file (JSON nested too deeply)") from None
    out = []
    for f in findings:
        if known[f.fingerprint] > 0:
            known[f.fingerprint] -= 1
            continue
        out.append(f)
    return out
