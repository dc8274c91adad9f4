"""The taint engine on small projects: each test asserts file, line, rule and the trace."""

from __future__ import annotations

import textwrap


def only(result, rule=None):
    found = [f for f in result.findings if rule is None or f.rule == rule]
    assert len(found) == 1, [(f.location.path, f.location.line, f.rule, f.message) for f in result.findings]
    return found[0]


def steps(finding):
    return [(s.kind, s.location.path, s.location.line) for s in finding.trace]


HEAD = "from mcp.server.fastmcp import FastMCP\nimport subprocess, os\nmcp = FastMCP('t')\n"


def src(body: str) -> str:
    return HEAD + textwrap.dedent(body)


def test_fstring_trace_names_tool_argument_and_sink(scan_source):
    result = scan_source({"s.py": src("""
        @mcp.tool()
        def export_pdf(name: str) -> str:
            cmd = f"pandoc {name}.md -o {name}.pdf"
            return subprocess.run(cmd, shell=True).stdout
    """)})
    f = only(result)
    assert (f.rule, f.location.path, f.location.line) == ("MCP101", "s.py", 8)
    assert f.entry == "tool export_pdf" and f.argument == "name" and f.sink == "subprocess.run"
    assert steps(f) == [("source", "s.py", 6), ("step", "s.py", 7), ("sink", "s.py", 8)]
    assert f.trace[1].message == "f-string"


def test_flow_through_four_calls_across_modules(scan_source):
    result = scan_source({
        "pkg/__init__.py": "",
        "pkg/server.py": src("""
            from .a import one
            @mcp.tool()
            def go(x: str) -> str:
                return one(x)
        """),
        "pkg/a.py": "from pkg.b import two\ndef one(v):\n    return two(v + '!')\n",
        "pkg/b.py": "from . import c\ndef two(v):\n    return c.three(v)\n",
        "pkg/c.py": "import os\ndef three(v):\n    return four(v)\ndef four(v):\n    return os.popen(v).read()\n",
    })
    f = only(result)
    assert (f.rule, f.location.path, f.location.line, f.sink) == ("MCP101", "pkg/c.py", 5, "os.popen")
    paths = [s.location.path for s in f.trace]
    assert paths[0] == "pkg/server.py" and paths[-1] == "pkg/c.py"
    assert {"pkg/a.py", "pkg/b.py", "pkg/c.py"} <= set(paths)
    assert [s.message for s in f.trace if s.message.startswith("passed to")] == [
        "passed to `one()`", "passed to `two()`", "passed to `three()`", "passed to `four()`"]


def test_sanitizer_and_allowlist_guard(scan_source):
    result = scan_source({"s.py": src("""
        import shlex
        OK = {"a", "b"}
        @mcp.tool()
        def t(x: str, y: str) -> None:
            subprocess.run("echo " + shlex.quote(x), shell=True)
            if y not in OK:
                return None
            subprocess.run("echo " + y, shell=True)
            os.system(x)
    """)})
    f = only(result)
    assert (f.location.line, f.argument, f.sink) == (13, "x", "os.system")


def test_weak_prefix_guard_is_reported_with_reason(scan_source):
    result = scan_source({"s.py": src("""
        ROOT = "/srv/data"
        @mcp.tool()
        def read(p: str) -> str:
            full = os.path.realpath(os.path.join(ROOT, p))
            if not full.startswith(ROOT):
                raise ValueError(p)
            return open(full).read()
    """)})
    f = only(result, "MCP104")
    assert (f.rule, f.location.line) == ("MCP104", 11)
    assert only(result, "MCP302").location.line == 5  # and the hardcoded root itself
    assert "no trailing separator" in f.message and f.notes


def test_strong_containment_is_not_reported(scan_source):
    result = scan_source({"s.py": src("""
        from pathlib import Path
        ROOT = Path("/srv/data").resolve()
        @mcp.tool()
        def read(p: str) -> str:
            full = (ROOT / p).resolve()
            if not full.is_relative_to(ROOT):
                raise ValueError(p)
            return full.read_text()
    """)})
    assert result.findings == []


def test_lowlevel_dispatch_names_the_tool_of_each_branch(scan_source):
    result = scan_source({"s.py": textwrap.dedent("""
        import os
        from mcp.server.lowlevel import Server
        srv = Server("x")
        @srv.call_tool()
        async def handle(name, arguments):
            if name == "one":
                os.system("run " + arguments["a"])
            elif name == "two":
                open(arguments.get("b"))
    """)})
    got = sorted((f.rule, f.entry, f.argument, f.location.line) for f in result.findings)
    assert got == [("MCP101", "tool one", "a", 8), ("MCP104", "tool two", "b", 10)]


def test_context_and_typed_parameters_are_not_sources(scan_source):
    result = scan_source({"s.py": src("""
        from mcp.server.fastmcp import Context
        from typing import Literal
        @mcp.tool()
        async def t(n: int, mode: Literal["a", "b"], ctx: Context) -> None:
            os.system(f"run {n} {mode} {ctx.request_id}")
    """)})
    assert result.findings == []


def test_closure_and_method_flows(scan_source):
    result = scan_source({"s.py": src("""
        class Runner:
            def __init__(self, prefix):
                self.prefix = prefix
            def run(self, arg):
                return subprocess.check_output(self.prefix + arg, shell=True)
        @mcp.tool()
        def t(arg: str) -> str:
            r = Runner("ls ")
            def inner():
                return r.run(arg)
            return inner()
    """)})
    f = only(result)
    assert (f.rule, f.location.line, f.argument) == ("MCP101", 9, "arg")


def test_remote_content_is_a_secondary_source(scan_source):
    result = scan_source({"s.py": src("""
        import requests
        @mcp.tool()
        def install(package: str) -> None:
            script = requests.get("https://pkgs.example.com/install.sh").text
            subprocess.run(script, shell=True)
    """)})
    f = only(result)
    assert f.rule == "MCP101" and f.location.line == 9 and "response of `requests.get`" in f.argument


def test_syntax_error_file_does_not_cost_other_files(scan_source):
    result = scan_source({
        "good.py": src("""
            @mcp.tool()
            def t(c: str) -> None:
                os.system(c)
        """),
        "bad.py": "def broken(:\n    pass\n",
    })
    f = only(result)
    assert f.location.path == "good.py"
    assert any(d.path == "bad.py" and d.code == "syntax-error" for d in result.diagnostics)


def test_self_recursive_predicate_does_not_exhaust_the_stack(scan_source):
    result = scan_source({"s.py": src("""
        def ok(p):
            return ok(p)
        @mcp.tool()
        def t(p: str) -> None:
            if not ok(p):
                raise ValueError(p)
            os.system("ls " + p)
    """)})
    f = only(result)
    assert (f.rule, f.location.line) == ("MCP101", 11)
