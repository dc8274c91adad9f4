"""MCP307 (the client's token forwarded) and MCP302 beyond tool bodies: file, line, rule, trace, message."""

from __future__ import annotations

import textwrap


def findings(result, rule):
    return [f for f in result.findings if f.rule == rule]


def steps(finding):
    return [(s.kind, s.location.line) for s in finding.trace]


def test_header_read_from_context_reaches_outbound_headers(scan_source):
    result = scan_source({"proxy.py": textwrap.dedent("""\
        import httpx
        from mcp.server.fastmcp import Context, FastMCP
        mcp = FastMCP("p")

        @mcp.tool()
        def repos(ctx: Context) -> str:
            auth = ctx.request_context.request.headers.get("Authorization")
            hdrs = {"Authorization": auth, "Accept": "application/json"}
            return httpx.get("https://api.example.com/repos", headers=hdrs).text
    """)})
    [f] = findings(result, "MCP307")
    assert (f.location.path, f.location.line, f.entry, f.sink) == ("proxy.py", 9, "tool repos", "httpx.get")
    assert f.argument == "the client's credential `ctx.request_context.request.headers.Authorization`"
    assert steps(f) == [("source", 7), ("sink", 9)]
    assert f.severity == "error"


def test_exchanged_token_and_tool_argument_headers_are_not_passthrough(scan_source):
    result = scan_source({"proxy.ts": textwrap.dedent("""\
        import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
        import { z } from "zod";
        const server = new McpServer({ name: "p", version: "1" });
        server.tool("call", { headers: z.record(z.string()) }, async ({ headers }, extra) => {
          const r = await fetch("https://auth.example.com/token", { method: "POST", body: extra.authInfo!.token });
          const fresh = (await r.json()).access_token;
          await fetch("https://api.example.com/a", { headers: { authorization: headers.authorization } });
          await fetch("https://api.example.com/b", { headers: { Authorization: `Bearer ${fresh}` } });
          await fetch("https://api.example.com/c", { headers: { Authorization: extra.authInfo!.token } });
          return { content: [] };
        });
    """)})
    assert [(f.location.line, f.sink) for f in findings(result, "MCP307")] == [(9, "fetch")]


def test_literal_used_by_two_tools_and_setup_code_is_reported_once_naming_all(scan_source):
    result = scan_source({"srv.py": textwrap.dedent("""\
        import os
        from mcp.server.fastmcp import FastMCP
        mcp = FastMCP("s")
        DROP = "/tmp/drop"
        os.makedirs(DROP, exist_ok=True)

        @mcp.tool()
        def listing() -> list:
            return os.listdir(DROP)

        @mcp.tool()
        def wipe(name: str) -> None:
            os.remove(os.path.join(DROP, os.path.basename(name)))
    """)})
    [f] = findings(result, "MCP302")
    assert (f.location.path, f.location.line, f.entry) == ("srv.py", 4, "tool listing")
    assert f.message.endswith("; also used by Tool `wipe`, Set-up code of `srv.py`")
    assert steps(f) == [("source", 4), ("sink", 9)]


def test_setup_code_of_an_imported_module_and_an_overridable_default(scan_source):
    result = scan_source({
        "app/server.py": textwrap.dedent("""\
            from mcp.server.fastmcp import FastMCP
            from app import storage
            mcp = FastMCP("s")

            @mcp.tool()
            def ping() -> str:
                return "pong"
        """),
        "app/__init__.py": "",
        "app/storage.py": textwrap.dedent("""\
            import os
            CACHE = os.environ.get("CACHE_DIR", "/var/cache/app")
            os.makedirs(CACHE, exist_ok=True)
            LOGS = "/var/log/app"
            os.makedirs(LOGS, exist_ok=True)
        """),
        "scripts/seed.py": 'import os\nos.makedirs("/home/dev/seed")\n',  # not part of the server
    })
    [f] = findings(result, "MCP302")
    assert (f.location.path, f.location.line) == ("app/storage.py", 4)
    assert f.entry == "module app.storage" and f.sink == "os.makedirs"
    assert steps(f) == [("source", 4), ("sink", 5)]


def test_route_hands_the_request_token_to_the_server_factory(scan_source):
    result = scan_source({"http.ts": textwrap.dedent("""\
        import express from "express";
        import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
        function build(token: string) {
          const s = new McpServer({ name: "f", version: "1" });
          s.tool("items", {}, async () => {
            const r = await fetch("https://api.example.com/items", { headers: { Authorization: token } });
            return { content: [] };
          });
          return s;
        }
        const app = express();
        app.post("/mcp", async (req, res) => {
          const server = build(req.headers.authorization);
        });
    """)})
    [f] = findings(result, "MCP307")
    assert (f.location.path, f.location.line, f.entry, f.sink) == ("http.ts", 6, "tool items", "fetch")
    assert f.argument == "the client's credential `req.headers.authorization`"
    assert steps(f) == [("source", 13), ("step", 13), ("sink", 6)]
