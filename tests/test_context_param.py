"""The SDK's request context is injected, not written by the model, also when it is optional
(``ctx: Context | None = None``, ``Optional[Context]``): it is neither a source nor a listed parameter."""

SERVER = '''\
from typing import Optional

from mcp.server.fastmcp import Context, FastMCP

mcp = FastMCP("x")


@mcp.tool()
def read_a(name: str, ctx: Context | None = None) -> str:
    return open(ctx.request_id).read()


@mcp.tool()
def read_b(name: str, ctx: Optional[Context] = None) -> str:
    return open(name).read()
'''


def test_optional_context_is_not_a_source(scan_source):
    result = scan_source({"server.py": SERVER})
    params = {r.name: [p.name for p in r.parameters] for r in result.registrations} if hasattr(
        result.registrations[0], "name") else {r["name"]: [p["name"] for p in r["parameters"]] for r in result.registrations}
    assert params == {"read_a": ["name"], "read_b": ["name"]}
    found = sorted((f.location.line, f.rule, f.argument) for f in result.findings)
    assert found == [(15, "MCP104", "name")]
