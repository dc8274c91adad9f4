"""Colour and progress through the real command: ``--color always|never|auto``, ``FORCE_COLOR`` and
``NO_COLOR``, and a progress line on a terminal (a pseudo-terminal here) for every phase of the scan."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SERVER = '''\
import os

from mcp.server.fastmcp import FastMCP

app = FastMCP("tty")


@app.tool()
def erase(path: str) -> int:
    return os.system("shred " + path)
'''
ESC = "\x1b["


def toolsink(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "CI")}
    environ.update(env)
    return subprocess.run([sys.executable, "-m", "toolsink", "scan", ".", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=environ)


@pytest.mark.parametrize("args,env,coloured", [
    ([], {}, False),  # a pipe
    (["--color", "always"], {}, True),
    (["--color", "always"], {"NO_COLOR": "1"}, True),  # the flag wins over the environment
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"FORCE_COLOR": "0"}, False),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, True),
    (["--color", "auto"], {"NO_COLOR": "1"}, False),
])
def test_color_choice(tmp_path, args, env, coloured):
    (tmp_path / "server.py").write_text(SERVER)
    done = toolsink(tmp_path, *args, **env)
    assert done.returncode == 1
    assert done.stdout.startswith("server.py:10:12: MCP101") or done.stdout.startswith(ESC)
    assert (ESC in done.stdout) == coloured
    assert "MCP101" in done.stdout


def test_color_always_reaches_an_output_file(tmp_path):
    (tmp_path / "server.py").write_text(SERVER)
    toolsink(tmp_path, "--color", "always", "--output", "report.txt")
    assert ESC in (tmp_path / "report.txt").read_text()
    toolsink(tmp_path, "--output", "plain.txt")
    assert ESC not in (tmp_path / "plain.txt").read_text()


def test_bad_color_choice_is_a_usage_error(tmp_path):
    done = toolsink(tmp_path, "--color", "sometimes")
    assert done.returncode == 2 and "--color" in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_on_a_terminal_covers_parsing_and_analysis(tmp_path):
    import pty

    (tmp_path / "server.py").write_text(SERVER)
    for n in range(3):
        (tmp_path / f"util{n}.py").write_text("def f(x):\n    return x\n")
    master, slave = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_COLOR", "NO_COLOR")}
    try:
        done = subprocess.run([sys.executable, "-m", "toolsink", "scan", ".", "--format", "concise"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=slave, timeout=120, env=environ)
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not data:
                break
            chunks.append(data)
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)
    progress = b"".join(chunks).decode()
    assert done.returncode == 1 and done.stdout.startswith(b"server.py:10:12: MCP101")
    assert "toolsink: parsed 4/4 files" in progress
    assert "toolsink: analysed 4/4 files" in progress
    assert progress.endswith("\r\x1b[K")  # the status line is cleared before the report


def test_no_progress_in_ci_or_a_pipe(tmp_path):
    (tmp_path / "server.py").write_text(SERVER)
    done = toolsink(tmp_path)
    assert "toolsink: parsed" not in done.stderr and done.stderr == ""
