"""``toolsink.scan.scan`` keeps no state between scans that changes a result: two different projects
scanned one after the other in one process report exactly what each reports in a fresh process (the
recipe in docs/scaling.md maps ``scan`` over many repositories in long-lived workers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import FIXTURES, ROOT

_REPORT = """
import json, sys
from toolsink.config import Config
from toolsink.report import FORMATS
from toolsink.rules import load_rules
from toolsink.scan import scan

out = []
for tree in sys.argv[1:]:
    result = scan([tree], Config.default(), root=tree).result
    report = json.loads(FORMATS["json"](result, load_rules(())))
    report.pop("seconds", None)
    if isinstance(report.get("summary"), dict):
        report["summary"].pop("seconds", None)
    out.append(report)
print(json.dumps(out, sort_keys=True))
"""


def _reports(*trees) -> list:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run([sys.executable, "-c", _REPORT, *map(str, trees)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_consecutive_scans_in_one_process_equal_fresh_processes():
    python, typescript = FIXTURES / "python", FIXTURES / "typescript"
    together = _reports(python, typescript, python)
    [alone_python] = _reports(python)
    [alone_typescript] = _reports(typescript)
    assert together[0]["findings"], "the fixtures have findings: the comparison is not vacuous"
    assert together[0] == alone_python
    assert together[1] == alone_typescript
    assert together[2] == alone_python
