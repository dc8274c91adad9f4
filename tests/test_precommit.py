"""The pre-commit hooks, end to end: real ``pre-commit`` installs this repository as a hook source into a
temporary git repository, then blocks the commit of a vulnerable server and lets a clean one through.

The hook source is a snapshot of this checkout's working tree (tracked and untracked, not ignored files)
committed in a temporary repository, so the test exercises the code under test, committed or not; in CI,
where the tree is the commit, that snapshot is HEAD. pre-commit builds the hook's environment from it
with pip, which needs the package index (PyPI) the first time; ``PRE_COMMIT_HOME`` is a temporary
directory. The ``.pre-commit-hooks.yaml`` selection regex is also checked on its own, without git.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

INSTALL_TIMEOUT = 900
HOOKS = ROOT / ".pre-commit-hooks.yaml"

HELPERS = '''\
import subprocess


def shell(command):
    return subprocess.run('ls ' + command, shell=True, capture_output=True, text=True).stdout
'''
SERVER = '''\
from mcp.server.fastmcp import FastMCP

from helpers import shell

mcp = FastMCP("demo")


@mcp.tool()
def grep(pattern: str) -> str:
    return shell(f"grep -rn {pattern} .")
'''
STANDALONE = '''\
import os

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("vendored")


@mcp.tool()
def listing(folder: str) -> int:
    return os.system("ls " + folder)
'''
SAFE_SERVER = SERVER.replace('{pattern}', '{shlex.quote(pattern)}').replace(
    "from mcp.server", "import shlex\n\nfrom mcp.server")


def commit(repo: Path, env: dict, message: str) -> tuple[int, str]:
    """``git commit`` in ``repo`` with the hooks installed: its exit code and everything it printed."""
    done = subprocess.run(["git", "commit", "-m", message], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=INSTALL_TIMEOUT)
    return done.returncode, done.stdout + done.stderr


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check,
                          env=_env(), timeout=120)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
               GIT_TERMINAL_PROMPT="0", NO_COLOR="1")
    env.update(extra)
    return env


def _snapshot(dest: Path) -> str:
    """Commit this checkout's working tree into a new repository at ``dest``; its commit id."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True, env=_env()).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if "__pycache__" in source.parts or not source.is_file():
            continue  # deleted in the working tree, or a cache
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot")
    return git(dest, "rev-parse", "HEAD").stdout.strip()


def _usable_checkout() -> str | None:
    if shutil.which("git") is None:
        return "git is not installed"
    if subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True,
                      env=_env()).returncode != 0:
        return f"{ROOT} is not a git checkout"
    return None


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory) -> tuple[Path, str]:
    reason = _usable_checkout()
    if reason:
        pytest.skip(reason)
    dest = tmp_path_factory.mktemp("hook-source")
    return dest, _snapshot(dest)


def test_commit_is_blocked_by_a_vulnerable_server_and_passes_when_fixed(hook_source, tmp_path: Path) -> None:
    source, rev = hook_source
    repo = tmp_path / "server-repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{
        "repo": str(source), "rev": rev, "hooks": [{"id": "toolsink"}, {"id": "toolsink-project"}],
    }]}), encoding="utf-8")
    (repo / "helpers.py").write_text(HELPERS, encoding="utf-8")  # no tools: clean on its own
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "helpers")  # no hook installed yet
    env = _env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env,
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # the tool's argument reaches subprocess.run in helpers.py, which this commit does not touch
    (repo / "server.py").write_text(SERVER, encoding="utf-8")
    git(repo, "add", "server.py")
    blocked, output = commit(repo, env, "add server")
    assert blocked == 1, output
    assert re.search(r"helpers\.py:5:\d+: MCP101 Tool `grep` passes argument `pattern`", output), output
    assert "toolsink" in output and "Failed" in output
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "1"  # nothing was committed

    (repo / "server.py").write_text(SAFE_SERVER, encoding="utf-8")
    git(repo, "add", "server.py")
    passed, output = commit(repo, env, "add server")
    assert passed == 0, output
    assert "MCP101" not in output and output.count("Passed") == 2
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "2"

    # a committed file under a configured extend-exclude is skipped, as `toolsink scan .` skips it
    # (the hooks pass --force-exclude); the same file outside the excluded folder is reported
    (repo / "pyproject.toml").write_text('[tool.toolsink]\nextend-exclude = ["vendored/"]\n', encoding="utf-8")
    (repo / "vendored").mkdir()
    (repo / "vendored" / "mirror.py").write_text(STANDALONE, encoding="utf-8")
    git(repo, "add", "-A")
    excluded, output = commit(repo, env, "vendor a copy")
    assert excluded == 0, output
    assert "MCP101" not in output and output.count("Passed") == 2
    (repo / "mirror.py").write_text(STANDALONE, encoding="utf-8")
    git(repo, "add", "mirror.py")
    reported, output = commit(repo, env, "copy outside")
    assert reported == 1 and re.search(r"mirror\.py:10:\d+: MCP101", output), output
    assert "vendored/mirror.py" not in output


def test_hook_manifest_selects_what_toolsink_reads() -> None:
    from pre_commit.clientlib import load_manifest

    from toolsink.discover import LANGUAGES

    hooks = {hook["id"]: hook for hook in load_manifest(str(HOOKS))}
    assert set(hooks) == {"toolsink", "toolsink-project"}
    assert hooks["toolsink"]["entry"] == "toolsink scan --force-exclude --project-root ."
    assert hooks["toolsink"]["pass_filenames"] and not hooks["toolsink-project"]["pass_filenames"]
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["require_serial"]
        files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])

        def selected(name: str) -> bool:
            return bool(files.search(name)) and not exclude.search(name)

        for extension in LANGUAGES:  # .py .pyi .ts .mts .cts .tsx .js .mjs .cjs .jsx
            assert selected(f"src/server{extension}"), extension
        for name in ("README.md", "types.d.ts", "lib/index.d.mts", "pyproject.toml", "server.pyc", "a.json"):
            assert not selected(name), name
