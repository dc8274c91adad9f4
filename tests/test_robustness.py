"""Bad input never costs the scan: each reproducer of the robustness issue, driven through the real command
or the scan API, with the untouched file beside it keeping its findings."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import FIXTURES

SERVER = (FIXTURES / "python" / "sdk_v1_shell.py").read_text(encoding="utf-8")


def toolsink(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolsink", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=120)


def server_findings(cwd: Path, *extra: str) -> tuple[int, list[str]]:
    done = toolsink(cwd, "scan", ".", "--format", "concise", *extra)
    return done.returncode, [line for line in done.stdout.decode().splitlines() if line.startswith("server.py:")]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "server.py").write_text(SERVER, encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> list[str]:
    clean = tmp_path_factory.mktemp("clean")
    (clean / "server.py").write_text(SERVER, encoding="utf-8")
    code, lines = server_findings(clean)
    assert code == 1 and len(lines) >= 5
    return lines


@pytest.mark.parametrize("coding", ["base64", "rot13", "hex", "zlib", "bz2", "uu", "quopri", "undefined",
                                    "no-such-codec"])
def test_any_declared_coding_is_a_file_diagnostic(project, expected, coding):
    (project / "bad.py").write_text(f"# coding: {coding}\nimport os\n", encoding="ascii")
    code, lines = server_findings(project)
    assert (code, lines) == (1, expected)
    text = toolsink(project, "scan", ".").stdout.decode()
    if coding != "no-such-codec":  # an unknown codec is read as UTF-8, as before
        assert "bad.py:1:1: warning:" in text and "[decode-error]" in text


def test_raw_unicode_escape_with_a_lone_surrogate(project, expected):
    (project / "bad.py").write_bytes(b"# coding: raw_unicode_escape\nx = '\\ud800'\n")
    assert server_findings(project) == (1, expected)


def test_pipe_in_an_import_specifier(project, expected):
    (project / "a.ts").write_text(textwrap.dedent("""\
        import x from "a|b";
        import y from "./e|f|g|h";
        import { z } from "k|l|m";
        import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
        export * from "./c|d";
        const server = new McpServer({ name: "p", version: "1" });
        server.tool("t", {}, async (args) => z(x, y(args)));
        """))
    assert server_findings(project) == (1, expected)


def test_invalid_gitignore_line_is_skipped_and_named(project, expected):
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / ".gitignore").write_text("[z-a].py\nignored.py\n")
    (project / "ignored.py").write_text(SERVER)
    assert server_findings(project) == (1, expected)
    text = toolsink(project, "scan", ".").stdout.decode()
    assert "pattern `[z-a].py` is invalid" in text and "ignored.py:" not in text


@pytest.mark.parametrize("config,message", [
    ('exclude = ["[z-a].py"]', 'pattern "[z-a].py" is invalid'),
    ("max-file-size = 1e300", "is too large"),
    ("max-file-size = 100000000000000000000000000", "is too large"),
    ("exclude = " + "[" * 5000 + "]" * 5000, "nest too deeply"),
])
def test_bad_configuration_is_one_clear_line(project, config, message):
    (project / "pyproject.toml").write_text(f"[tool.toolsink]\n{config}\n")
    done = toolsink(project, "scan", ".")
    assert done.returncode == 2
    err = done.stderr.decode().strip().splitlines()
    assert len(err) == 1 and message in err[0] and "internal error" not in err[0]


def test_literal_source_regex_that_does_not_compile(project):
    models = project / "extra" / "models"
    models.mkdir(parents=True)
    (models / "bad.yml").write_text('language: python\nliteral_sources:\n  - {pattern: "(", kind: x, label: y}\n')
    (project / "pyproject.toml").write_text('[tool.toolsink]\nrules-dirs = ["extra"]\n')
    done = toolsink(project, "scan", ".")
    assert done.returncode == 2
    assert "literal_sources/0/pattern" in done.stderr.decode() and "bad.yml" in done.stderr.decode()


def test_yaml_alias_bomb_is_refused_quickly(project):
    models = project / "extra" / "models"
    models.mkdir(parents=True)
    lines = ["language: python", 'a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    (models / "bomb.yml").write_text("\n".join(lines) + "\n")
    (project / "pyproject.toml").write_text('[tool.toolsink]\nrules-dirs = ["extra"]\n')
    start = time.monotonic()
    done = toolsink(project, "scan", ".")
    assert done.returncode == 2 and "aliases expand" in done.stderr.decode()
    assert time.monotonic() - start < 30


def test_deeply_nested_baseline(project):
    (project / "base.json").write_text("[" * 100_000 + "]" * 100_000)
    done = toolsink(project, "scan", ".", "--baseline", "base.json")
    assert done.returncode == 2 and "not a toolsink baseline" in done.stderr.decode()


@pytest.mark.parametrize("target", ["missing/dir/out.json", ".", "/dev/full"])
def test_output_that_cannot_be_written(project, target):
    if target == "/dev/full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    done = toolsink(project, "scan", ".", "--format", "json", "--output", target)
    assert done.returncode == 2 and "cannot write the report" in done.stderr.decode()


def test_closed_stdout_ends_quietly(project):
    for args in (["scan", ".", "--format", "json"], ["rules"]):
        proc = subprocess.Popen([sys.executable, "-m", "toolsink", *args], cwd=project, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        proc.stdout.close()  # the reader is gone before anything is written
        _, err = proc.communicate(timeout=120)
        assert b"internal error" not in err and b"Traceback" not in err


def test_project_file_named_like_a_library_does_not_hide_it(project, expected):
    for pkg in ("app", "app/utils"):
        (project / pkg).mkdir()
        (project / pkg / "__init__.py").write_text("")
    (project / "app/utils/subprocess.py").write_text("def run(*a, **k):\n    return None\n")
    (project / "vendor/x").mkdir(parents=True)
    (project / "vendor/x/os.py").write_text("")
    assert server_findings(project) == (1, expected)


def test_symlink_out_of_the_root_is_not_followed(project, expected, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "other.py").write_text(SERVER)
    os.symlink(outside, project / "linked")
    assert server_findings(project) == (1, expected)
    text = toolsink(project, "scan", ".").stdout.decode()
    assert "[symlink-outside]" in text and "linked/other.py" not in text
    followed = toolsink(project, "scan", ".", "--follow-links", "--format", "concise").stdout.decode()
    assert "linked/other.py:" in followed


def test_python_dash_m_never_imports_the_scanned_project(project, expected):
    for name in ("yaml.py", "tree_sitter.py", "jsonschema.py", "pathspec.py"):
        (project / name).write_text('raise SystemExit("imported the scanned project")\n')
    code, lines = server_findings(project)
    assert (code, lines) == (1, expected)


def test_deep_nesting_through_standard_input(project, expected):
    deep = ("x = " + "(" * 1000 + "1" + ")" * 1000 + "\n").encode()
    done = toolsink(project, "scan", ".", "--stdin-filename", "deep.py", "--format", "concise", stdin=deep)
    assert done.returncode == 1 and b"internal error" not in done.stdout + done.stderr


@pytest.mark.parametrize("language,source", [
    ("python", "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n"),
    ("python", "def f():\n" + "".join("    " * (i + 1) + "if x:\n" for i in range(400)) + "    " * 401 + "pass\n"),
    ("typescript", "const x = " + "[" * 3000 + "1" + "]" * 3000 + ";\n"),
])
def test_deep_nesting_on_disk(project, expected, language, source):
    (project / ("deep.py" if language == "python" else "deep.ts")).write_text(source)
    assert server_findings(project) == (1, expected)


def test_long_method_chain_is_linear(project):
    chain = "".join(".strip()" for _ in range(40))
    (project / "chain.py").write_text(textwrap.dedent(f"""\
        import os
        from fastmcp import FastMCP
        mcp = FastMCP("x")
        @mcp.tool()
        def t(s: str) -> None:
            os.system("echo " + s{chain})
        """))
    start = time.monotonic()
    done = toolsink(project, "scan", "chain.py", "--format", "concise")
    assert done.returncode == 1 and b"chain.py:6:5: MCP101" in done.stdout
    assert time.monotonic() - start < 60  # generous: exponential growth took minutes at 22 calls


def test_many_arrows_on_one_line(project):
    (project / "bundle.js").write_text("const f = [" + ",".join(f"(x) => x + {i}" for i in range(20000)) + "];\n")
    start = time.monotonic()
    done = toolsink(project, "scan", "bundle.js")
    assert done.returncode == 0
    assert time.monotonic() - start < 60  # generous: quadratic naming took 107 s


def test_two_megabytes_of_python_with_the_limit_raised(project):
    body = "\n".join(line for line in SERVER.splitlines() if not line.startswith(("import", "from")))
    head = "\n".join(line for line in SERVER.splitlines() if line.startswith(("import", "from")))
    parts, i = [head], 0
    while sum(map(len, parts)) < 2_000_000:
        parts.append(body.replace("def ", f"def v{i}_").replace("server = ", f"server{i} = ")
                     .replace("@server.", f"@server{i}."))
        i += 1
    (project / "big.py").write_text("\n".join(parts) + "\n")
    (project / "pyproject.toml").write_text("[tool.toolsink]\nmax-file-size = 5000000\n")
    start = time.monotonic()
    done = toolsink(project, "scan", "big.py", "--format", "concise")
    assert done.returncode == 1 and done.stdout.count(b"big.py:") > 1000
    assert time.monotonic() - start < 120  # generous: it took 31 s before, about 6 s now


def test_package_marker_at_the_top_of_the_scan(project, expected):
    """An `__init__.py` in the scanned folder itself (a repository laid out as one package) once made the
    module index climb parent folders forever; found on a real training server."""
    (project / "__init__.py").write_text("", encoding="utf-8")
    (project / "sub").mkdir()
    (project / "sub" / "__init__.py").write_text("", encoding="utf-8")
    (project / "sub" / "server.py").write_text(SERVER, encoding="utf-8")
    done = toolsink(project, "scan", ".", "--format", "concise", "--no-cache")
    lines = done.stdout.decode().splitlines()
    assert [line for line in lines if line.startswith("server.py:")] == expected
    assert [line[len("sub/"):] for line in lines if line.startswith("sub/server.py:")] == expected


def test_an_output_encoding_that_cannot_show_every_character_is_not_an_error(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import FIXTURES

    env = dict(os.environ, PYTHONIOENCODING="latin-1")
    run = subprocess.run([sys.executable, "-m", "toolsink", "scan", str(FIXTURES), "--no-cache", "-f", "text"],
                         capture_output=True, env=env, cwd=tmp_path)
    assert run.returncode == 1, run.stderr.decode("latin-1")
    assert b"internal error" not in run.stderr
    assert b"MCP101" in run.stdout and b"\\u2026" in run.stdout  # the ellipsis, escaped
