"""Forms real servers use (the reach and precision issues): each test asserts file, line, rule, the tool
the finding names and its trace, on a small project written for the test."""

from __future__ import annotations

import textwrap


def findings(result, rule=None):
    return sorted((f.location.path, f.location.line, f.rule, f.entry, f.argument) for f in result.findings
                  if rule is None or f.rule == rule)


def trace(finding):
    return [(s.kind, s.location.line, s.message) for s in finding.trace]


def test_handler_nested_in_main_sees_its_locals(scan_source):
    result = scan_source({"srv.py": textwrap.dedent("""\
        import sqlite3
        from mcp.server.lowlevel import Server

        class Store:
            def run(self, q):
                return sqlite3.connect("x.db").execute(q)

        def main():
            store = Store()
            server = Server("s")

            @server.call_tool()
            async def call(name, arguments):
                if name == "count":
                    return store.run("SELECT count(*) FROM " + arguments["table"])
        """)})
    assert findings(result) == [("srv.py", 6, "MCP103", "tool count", "table")]
    (f,) = result.findings
    assert trace(f)[0][:2] == ("source", 13)
    assert ("step", 15, "passed to `run()`") in trace(f)
    assert trace(f)[-1][:2] == ("sink", 6)


def test_registration_inside_a_callback_uses_the_outer_parameter(scan_source):
    result = scan_source({"reg.ts": textwrap.dedent("""\
        import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
        import { exec } from "child_process";
        import { z } from "zod";
        async function guarded(fn: () => Promise<void>) { await fn(); }
        export async function register(server: McpServer) {
          await guarded(async () => {
            server.tool("add", { files: z.string() }, async ({ files }) => {
              exec(`git add ${files}`);
              return { content: [] };
            });
          });
        }
        """)})
    assert findings(result) == [("reg.ts", 8, "MCP101", "tool add", "files")]
    assert len(result.registrations) == 1


def test_callback_given_to_a_project_helper_runs_with_its_data(scan_source):
    result = scan_source({"cb.py": textwrap.dedent("""\
        import subprocess
        from fastmcp import FastMCP
        mcp = FastMCP("x")

        def retrying(action):
            return action()

        @mcp.tool()
        def status(service: str) -> str:
            return retrying(lambda: subprocess.getoutput("systemctl status " + service))
        """)})
    assert findings(result) == [("cb.py", 10, "MCP101", "tool status", "service")]


def test_registry_dispatch_names_each_tool(scan_source):
    result = scan_source({"reg.py": textwrap.dedent("""\
        import os
        from mcp.server.lowlevel import Server
        server = Server("r")

        class Wipe:
            def run(self, args):
                os.system("rm -rf " + args["dir"])

        class Peek:
            def run(self, args):
                return open(args["file"]).read()

        TOOLS = {"wipe": Wipe(), "peek": Peek()}

        @server.call_tool()
        async def call(name, arguments):
            if name in TOOLS:
                return TOOLS[name].run(arguments)
        """)})
    assert findings(result) == [("reg.py", 7, "MCP101", "tool wipe", "dir"),
                                ("reg.py", 11, "MCP104", "tool peek", "file")]


def test_map_of_tool_objects_names_each_tool(scan_source):
    result = scan_source({"map.ts": textwrap.dedent("""\
        import { Server } from "@modelcontextprotocol/sdk/server/index.js";
        import { CallToolRequestSchema } from "@modelcontextprotocol/sdk/types.js";
        import { execSync } from "child_process";
        class Purge { name = "purge"; run(p: any) { return execSync(`rm -rf ${p.dir}`); } }
        class Echo { name = "echo"; run(p: any) { return String(p.text); } }
        const registry = new Map<string, any>();
        for (const t of [new Purge(), new Echo()]) registry.set(t.name, t);
        const server = new Server({ name: "m", version: "1" }, { capabilities: { tools: {} } });
        server.setRequestHandler(CallToolRequestSchema, async (request) => {
          return registry.get(request.params.name).run(request.params.arguments);
        });
        """)})
    assert findings(result) == [("map.ts", 4, "MCP101", "tool purge", "dir")]


def test_constructor_parameter_property_resolves_the_field(scan_source):
    result = scan_source({"db.ts": textwrap.dedent("""\
        import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
        import sql from "mssql";
        import { z } from "zod";
        class Db { run(q: string) { return new sql.Request().query(q); } }
        class Tools {
          constructor(private db: Db) {}
          describe(table: string) { return this.db.run(`SELECT * FROM ${table}`); }
        }
        const tools = new Tools(new Db());
        const server = new McpServer({ name: "d", version: "1" });
        server.tool("describe", { table: z.string() }, async ({ table }) => tools.describe(table));
        """)})
    assert findings(result) == [("db.ts", 4, "MCP103", "tool describe", "table")]


def test_multi_statement_containment_predicate_is_a_guard_and_its_weak_twin_is_not(scan_source):
    result = scan_source({"fs.ts": textwrap.dedent("""\
        import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
        import fs from "fs";
        import path from "path";
        import { z } from "zod";
        const ROOTS = [process.cwd()];
        function allowed(p: string, dirs: string[]): boolean {
          if (!p) return false;
          try {
            return dirs.some((d) => p === d || p.startsWith(d + path.sep));
          } catch { return false; }
        }
        function loosely(p: string, dirs: string[]): boolean {
          if (!p) return false;
          return dirs.some((d) => p.startsWith(d));
        }
        const server = new McpServer({ name: "f", version: "1" });
        server.tool("read", { file: z.string() }, async ({ file }) => {
          const abs = path.resolve(file);
          if (!allowed(abs, ROOTS)) throw new Error("denied");
          return { content: [{ type: "text", text: fs.readFileSync(abs, "utf8") }] };
        });
        server.tool("read_loose", { file: z.string() }, async ({ file }) => {
          const abs = path.resolve(file);
          if (!loosely(abs, ROOTS)) throw new Error("denied");
          return { content: [{ type: "text", text: fs.readFileSync(abs, "utf8") }] };
        });
        """)})
    assert findings(result) == [("fs.ts", 25, "MCP104", "tool read_loose", "file")]
    (f,) = result.findings
    assert "no trailing separator" in f.message


def test_argv_list_given_to_a_wrapper_is_checked_where_it_is_built(scan_source):
    result = scan_source({"w.ts": textwrap.dedent("""\
        import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
        import { execFile } from "child_process";
        import { z } from "zod";
        function run(cmd: string, args: string[]) { return execFile(cmd, args); }
        const server = new McpServer({ name: "w", version: "1" });
        server.tool("shot", { out: z.string() }, async ({ out }) => {
          run("xcrun", ["simctl", "screenshot", "--", out]);
          run("xcrun", ["simctl", "screenshot", "--output", out]);
          run("xcrun", ["simctl", "screenshot", out]);
          return { content: [] };
        });
        """)})
    assert findings(result) == [("w.ts", 4, "MCP102", "tool shot", "out")]
    (f,) = result.findings
    assert ("step", 9, "passed to `run()`") in trace(f)


def test_whole_argument_is_a_capability_and_a_built_one_an_injection(scan_source):
    result = scan_source({"cap.py": textwrap.dedent("""\
        import subprocess
        from fastmcp import FastMCP
        mcp = FastMCP("x")

        @mcp.tool()
        def run_command(command: str) -> str:
            return subprocess.getoutput(command)

        @mcp.tool()
        def ping(host: str) -> str:
            return subprocess.getoutput("ping -c 1 " + host)
        """)})
    assert findings(result) == [("cap.py", 7, "MCP108", "tool run_command", "command"),
                                ("cap.py", 11, "MCP101", "tool ping", "host")]
    cap = next(f for f in result.findings if f.rule == "MCP108")
    assert cap.severity == "warning" and "shell command" in cap.message


def test_deep_helper_chain_is_followed_and_a_deeper_one_is_said(scan_source):
    def chain(n: int) -> str:
        lines = ["import os", "from fastmcp import FastMCP", "mcp = FastMCP('x')", "def h0(x):",
                 "    os.system('echo ' + x)"]
        for i in range(1, n):
            lines += [f"def h{i}(x):", f"    return h{i - 1}(x)"]
        lines += ["@mcp.tool()", "def t(s: str) -> None:", f"    h{n - 1}(s)"]
        return "\n".join(lines) + "\n"

    result = scan_source({"deep.py": chain(150)})
    assert findings(result) == [("deep.py", 5, "MCP101", "tool t", "s")]
    result = scan_source({"deep.py": chain(400)})
    assert findings(result) == []
    assert any(d.code == "analysis-limit" and "calls deep" in d.message for d in result.diagnostics)


def test_tsconfig_path_alias_resolves_to_the_project_module(scan_source):
    result = scan_source({
        "tsconfig.json": '{\n  // paths with a comment and a trailing comma\n  "compilerOptions": {"baseUrl": "src",'
                         ' "paths": {"~/*": ["./*"],},},\n}\n',
        "src/util/sh.ts": 'import { exec } from "child_process";\nexport function sh(c: string) { exec("ls " + c); }\n',
        "src/server.ts": textwrap.dedent("""\
            import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
            import { z } from "zod";
            import { sh } from "~/util/sh.js";
            const server = new McpServer({ name: "a", version: "1" });
            server.tool("ls", { dir: z.string() }, async ({ dir }) => { sh(dir); return { content: [] }; });
            """),
    })
    assert findings(result) == [("src/util/sh.ts", 2, "MCP101", "tool ls", "dir")]


def test_jsonc_comments_and_trailing_commas_keep_strings():
    from toolsink.tsconfig import strip_jsonc

    text = '{"a": "http://x/*y*/", // c\n "b": [1, 2,], /* d */ "c": "e,]"}'
    import json

    assert json.loads(strip_jsonc(text)) == {"a": "http://x/*y*/", "b": [1, 2], "c": "e,]"}
