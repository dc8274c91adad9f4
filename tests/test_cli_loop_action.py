"""``action.yml``, the composite GitHub Action: it parses, installs toolsink from the action's own checkout,
wires every input into the steps, and its scan command line is one the real CLI accepts."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT

ACTION = ROOT / "action.yml"


def _action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def _step(action: dict, uses: str = "", name: str = "") -> dict:
    found = [s for s in action["runs"]["steps"]
             if (uses and s.get("uses", "").startswith(uses)) or (name and s.get("name") == name)]
    assert len(found) == 1, (uses, name)
    return found[0]


def test_action_is_composite_and_installs_from_its_own_checkout():
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"paths", "format", "sarif-category", "args"}
    assert _step(action, uses="actions/setup-python@")
    install = _step(action, name="Install toolsink")
    assert '"${{ github.action_path }}"' in install["run"] and install["shell"] == "bash"
    upload = _step(action, uses="github/codeql-action/upload-sarif@v3")
    assert upload["with"]["category"] == "${{ inputs.sarif-category }}"
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert "inputs.format == 'sarif'" in upload["if"]


def test_every_input_reaches_the_scan_step():
    action = _action()
    scan = _step(action, name="Scan")
    env = scan["env"]
    for name in ("paths", "format", "sarif-category", "args"):
        variable = next(k for k, v in env.items() if v == f"${{{{ inputs.{name} }}}}")
        assert f"${variable}" in scan["run"] or f'"${variable}"' in scan["run"], name
    for name, spec in action["inputs"].items():
        used = any(f"inputs.{name}" in str(step) for step in action["runs"]["steps"])
        assert used, f"input {name} is declared but not used"
        assert spec.get("description")


def test_scan_step_runs_with_the_real_cli(tmp_path):
    """Run the SARIF branch of the step's script with bash, the inputs' defaults and the real toolsink."""
    action = _action()
    scan = _step(action, name="Scan")
    (tmp_path / "server.py").write_text(
        'import os\n\nfrom mcp.server.fastmcp import FastMCP\n\nmcp = FastMCP("a")\n\n\n'
        '@mcp.tool()\ndef wipe(p: str) -> int:\n    return os.system("rm " + p)\n')
    out = tmp_path / "github_output"
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "toolsink").write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m toolsink \"$@\"\n")
    (bindir / "toolsink").chmod(0o755)
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(out),
           "TOOLSINK_NO_CACHE": "1"}
    for name, variable in (("paths", "TOOLSINK_PATHS"), ("format", "TOOLSINK_FORMAT"),
                           ("sarif-category", "TOOLSINK_CATEGORY"), ("args", "TOOLSINK_ARGS")):
        env[variable] = str(action["inputs"][name]["default"])
    done = subprocess.run(["bash", "-e", "-c", scan["run"]], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # findings (exit 1) do not fail the step; code scanning shows them
    sarif = Path(re.search(r"sarif-file=(.*)", out.read_text()).group(1))
    report = yaml.safe_load(sarif.read_text())  # JSON is YAML
    run = report["runs"][0]
    assert run["automationDetails"]["id"].startswith("toolsink")
    assert [r["ruleId"] for r in run["results"]] == ["MCP101"]
    env["TOOLSINK_ARGS"] = "--select MCP999"  # a usage error still fails the step
    bad = subprocess.run(["bash", "-e", "-c", scan["run"]], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "MCP999" in bad.stderr


def test_readme_documents_the_action():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "uses: toolsink/toolsink@" in readme


def test_sarif_doc_github_example_matches_the_real_output(tmp_path):
    """docs/sarif.md shows a server and what `--format github` prints for it: run it and compare."""
    import os

    doc = (ROOT / "docs" / "sarif.md").read_text(encoding="utf-8")
    section = doc[doc.index("## The `github` format"):]
    server = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"prints \(a test runs.*?```\n(.*?)```", section, re.S).group(1)
    (tmp_path / "server.py").write_text(server, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_WORKSPACE"}
    done = subprocess.run([sys.executable, "-m", "toolsink", "scan", "server.py", "--format", "github"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 1
    assert done.stdout == shown
