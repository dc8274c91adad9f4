"""A file whose name is not valid UTF-8 (possible on Linux file systems) is scanned and reported in every
format, cold and from the caches, without an internal error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TOOLSINK_KEY_DIR=str(cwd.parent / "key"))
    return subprocess.run([sys.executable, "-m", "toolsink", "scan", ".", "--exit-zero", *args], cwd=cwd,
                          capture_output=True, env=env, timeout=300)


@pytest.mark.uses_cache
def test_a_file_name_that_is_not_utf8(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    name = os.fsencode(root) + b"/srv\xff.py"
    try:
        shutil.copyfile(FIXTURES / "python" / "code_files.py", name)
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    for fmt in ("concise", "text", "github", "json", "sarif"):
        for attempt in ("cold", "cached"):
            out = tmp_path / f"report-{attempt}.{fmt}"
            done = _run(root, "-f", fmt, "-o", str(out))
            assert done.returncode == 0, (fmt, attempt, done.stderr.decode(errors="replace"))
            assert b"internal error" not in done.stderr
        assert (tmp_path / f"report-cold.{fmt}").read_bytes() == (tmp_path / f"report-cached.{fmt}").read_bytes()
    report = json.loads((tmp_path / "report-cold.json").read_text(encoding="utf-8"))
    assert {f["location"]["path"] for f in report["findings"]} == {"srv\udcff.py"}  # escaped: the report stays UTF-8
    sarif = json.loads((tmp_path / "report-cold.sarif").read_text(encoding="utf-8"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"srv%FF.py"}
    with open(name, "ab") as fh:  # an edit: the per-component cache reuses what it can, the report follows
        fh.write(b"\n@mcp.tool()\ndef more(cmd: str):\n    os.system(cmd)\n")
    done = _run(root, "-f", "concise")
    assert done.returncode == 0 and b"more" in done.stdout, done.stderr.decode(errors="replace")
