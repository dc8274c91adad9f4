"""The flake8 plugin leaves ``# noqa`` to flake8, as other plugins do: real ``flake8 --disable-noqa`` shows the
findings a ``# noqa: MCP...`` comment hides, while toolsink's own comments still apply."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SERVER = '''\
import os

from mcp.server.fastmcp import FastMCP

app = FastMCP("f8")


@app.tool()
def remove(target: str) -> int:
    return os.system("rm -rf " + target)  # noqa: MCP101


@app.tool()
def touch(target: str) -> int:
    # toolsink-ignore MCP101: the test double never runs on a real host
    return os.system("touch " + target)
'''


def flake8(cwd: Path, *args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "flake8", "--select", "MCP", *args, "server.py"], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return [line.split(" ")[0] + " " + line.split(" ")[1] for line in done.stdout.splitlines()]


def test_flake8_honours_noqa_and_disable_noqa_shows_it(tmp_path):
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = f8\n")
    (tmp_path / "server.py").write_text(SERVER)
    assert flake8(tmp_path) == []
    assert flake8(tmp_path, "--disable-noqa") == ["server.py:10:12: MCP101"]


def test_flake8_file_level_noqa_is_flake8s(tmp_path):
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = f8\n")
    (tmp_path / "server.py").write_text("# flake8: noqa\n" + SERVER.replace("  # noqa: MCP101", ""))
    assert flake8(tmp_path) == []
    assert flake8(tmp_path, "--disable-noqa") == ["server.py:11:12: MCP101"]
