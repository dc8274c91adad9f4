"""MCP309 (HTTP transport without a rate limiter) and MCP310 (record reached by an identifier without an
owner check, experimental): findings with their file, line and trace, the program a fact must hold in, the
guards, and how an experimental rule is selected."""

from __future__ import annotations

import textwrap

import pytest

from toolsink.config import Config
from toolsink.scan import scan


def run(tmp_path, files: dict[str, str], config: Config | None = None):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return scan([str(tmp_path)], config or Config.default(), root=str(tmp_path)).result


def of(result, rule):
    return [f for f in result.findings if f.rule == rule]


SERVER = """\
    from mcp.server.fastmcp import FastMCP

    mcp = FastMCP("s")


    @mcp.tool()
    def ping(text: str) -> str:
        return text
    """


def test_http_transport_without_limiter_is_reported_at_the_start(tmp_path):
    result = run(tmp_path, {"server.py": SERVER + '\nmcp.run(transport="streamable-http")\n'})
    [f] = of(result, "MCP309")
    assert (f.location.path, f.location.line) == ("server.py", 10)
    assert f.severity == "note"
    assert "each call inside a JSON-RPC batch" in f.message
    assert [s.kind for s in f.trace] == ["sink"] and f.trace[0].location.line == 10


def test_stdio_is_not_a_network_transport(tmp_path):
    assert of(run(tmp_path, {"server.py": SERVER + '\nmcp.run(transport="stdio")\nmcp.run()\n'}), "MCP309") == []


def test_limiter_in_an_imported_module_counts(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/limits.py": "from slowapi import Limiter\nlimiter = Limiter(key_func=lambda r: 'x')\n",
        "app/server.py": SERVER + '\nfrom .limits import limiter\napp = mcp.sse_app()\napp.state.limiter = limiter\n',
    }
    assert of(run(tmp_path, files), "MCP309") == []


def test_limiter_of_another_server_in_the_same_repository_does_not_count(tmp_path):
    files = {
        "one.py": SERVER + '\nmcp.run(transport="sse")\n',
        "two.py": "from slowapi import Limiter\nlimiter = Limiter(key_func=lambda r: 'x')\n",
    }
    [f] = of(run(tmp_path, files), "MCP309")
    assert f.location.path == "one.py"


def test_typescript_transport_and_express_rate_limit(tmp_path):
    open_server = """\
        import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
        export function make() {
          return new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
        }
        """
    [f] = of(run(tmp_path / "a", {"server.ts": open_server}), "MCP309")
    assert (f.location.path, f.location.line) == ("server.ts", 3)
    limited = 'import rateLimit from "express-rate-limit";\nimport { make } from "./server";\n' \
              "export const limiter = rateLimit({ limit: 10 });\nmake();\n"
    assert of(run(tmp_path / "b", {"server.ts": open_server, "main.ts": limited}), "MCP309") == []


NOTES = """\
    import sqlite3

    from mcp.server.auth.middleware.auth_context import get_access_token
    from mcp.server.fastmcp import FastMCP

    mcp = FastMCP("notes", token_verifier=object())
    db = sqlite3.connect("n.db")


    @mcp.tool()
    def read_note(note_id: int) -> str:
        query = "SELECT body FROM notes WHERE id = ?"
        return db.execute(query, (note_id,)).fetchone()[0]


    @mcp.tool()
    def read_mine(note_id: int) -> str:
        token = get_access_token()
        row = db.execute("SELECT body, owner FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row[1] != token.client_id:
            raise PermissionError(note_id)
        return row[0]


    @mcp.tool()
    def find(text: str) -> list:
        return db.execute("SELECT id FROM notes WHERE body = ?", (text,)).fetchall()
    """

WITH_MCP310 = Config(extend_select=["MCP310"])


def test_mcp310_is_experimental_and_off_by_default(tmp_path):
    assert of(run(tmp_path, {"notes.py": NOTES}), "MCP310") == []
    assert of(run(tmp_path, {"notes.py": NOTES}, Config(select=["MCP3"])), "MCP310") == []


def test_mcp310_reports_the_identifier_path_without_owner_check(tmp_path):
    [f] = of(run(tmp_path, {"notes.py": NOTES}, WITH_MCP310), "MCP310")
    assert (f.location.path, f.location.line, f.entry, f.argument) == ("notes.py", 13, "tool read_note", "note_id")
    assert f.trace[0].kind == "source" and f.trace[0].location.line == 11
    assert f.trace[-1].kind == "sink" and f.trace[-1].location.line == 13
    assert "owner" in f.message


def test_mcp310_needs_authentication(tmp_path):
    anonymous = NOTES.replace(', token_verifier=object()', "").replace(
        "from mcp.server.auth.middleware.auth_context import get_access_token\n", "")
    anonymous = anonymous.replace("token = get_access_token()", "token = None")
    assert of(run(tmp_path, {"notes.py": anonymous}, WITH_MCP310), "MCP310") == []


def test_owner_scoped_query_in_a_helper_is_a_guard(tmp_path):
    files = {"notes.py": NOTES.replace("return db.execute(query, (note_id,)).fetchone()[0]",
                                       "return fetch(query, note_id)") + textwrap.dedent("""

        def fetch(query, key):
            return db.execute(query + " AND owner = ?", (key, get_access_token().client_id)).fetchone()[0]
        """)}
    assert of(run(tmp_path, files, WITH_MCP310), "MCP310") == []


@pytest.mark.parametrize("selectors,expected", [
    (["ALL"], False), (["MCP"], False), (["MCP31"], False), (["MCP310"], True), (["ALL", "MCP310"], True)])
def test_experimental_rules_need_their_full_code(selectors, expected):
    config = Config(select=selectors)
    assert config.selects("MCP310", experimental=True) is expected
    assert config.selects("MCP310") is True
    assert Config(select=["MCP310"], ignore=["MCP310"]).selects("MCP310", experimental=True) is False


def test_a_local_variable_named_like_a_limiter_package_is_not_a_limiter(tmp_path):
    helper = "def quota(resources):\n    limits = resources.limits or {}\n    return limits.items()\n"
    result = run(tmp_path, {"server.py": SERVER + '\nfrom helpers import quota\nmcp.run(transport="sse")\n',
                            "helpers.py": helper})
    [f] = of(result, "MCP309")
    assert (f.location.path, f.location.line) == ("server.py", 11)
