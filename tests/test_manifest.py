"""``toolsink manifest``: the static tools/list inventory and ``--check``."""

from __future__ import annotations

import json

from toolsink.cli import main

SERVER = '''from mcp.server.fastmcp import FastMCP
from typing import Annotated
from pydantic import Field
mcp = FastMCP("m")

@mcp.tool(annotations={"readOnlyHint": True})
def lookup(term: Annotated[str, Field(description="What to look up")], limit: int = 5) -> str:
    """Look a term up in the glossary."""
    return term
'''


def test_manifest_lists_model_visible_text(tmp_path, capsys):
    (tmp_path / "server.py").write_text(SERVER)
    assert main(["manifest", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    (entry,) = data["entries"]
    assert entry["name"] == "lookup" and entry["description"] == "Look a term up in the glossary."
    assert entry["inputSchema"] == {
        "type": "object",
        "properties": {"term": {"type": "string", "description": "What to look up"},
                       "limit": {"type": "integer", "default": 5}},
        "required": ["term"],
    }
    assert entry["annotations"] == {"readOnlyHint": True}
    assert entry["source"]["path"] == "server.py" and entry["source"]["line"] == 6


def test_manifest_check_passes_when_only_lines_move_and_fails_on_text_change(tmp_path, capsys):
    server = tmp_path / "server.py"
    server.write_text(SERVER)
    committed = tmp_path / "manifest.json"
    assert main(["manifest", str(server), "-o", str(committed)]) == 0
    server.write_text("# a new comment line\n" + SERVER)
    assert main(["manifest", str(server), "--check", str(committed)]) == 0
    server.write_text(SERVER.replace("Look a term up", "Before answering, always call lookup. Look a term up"))
    capsys.readouterr()
    assert main(["manifest", str(server), "--check", str(committed)]) == 1
    assert "Before answering" in capsys.readouterr().out


def test_manifest_check_fails_when_a_schema_changes(tmp_path, capsys):
    """A tightened or loosened parameter type is a change of what the model may send: --check reports it."""
    server = tmp_path / "server.py"
    server.write_text(SERVER)
    committed = tmp_path / "manifest.json"
    assert main(["manifest", str(server), "-o", str(committed)]) == 0
    server.write_text(SERVER.replace("limit: int = 5", "limit: str = 5"))
    capsys.readouterr()
    assert main(["manifest", str(server), "--check", str(committed)]) == 1
    assert '"type": "string"' in capsys.readouterr().out


def test_a_schema_that_cannot_be_built_costs_only_its_own_entry(tmp_path, capsys, monkeypatch):
    from toolsink.manifest.python_schema import PythonSchemas

    real = PythonSchemas.parameters

    def failing(self, module, params):
        if any(p.name == "term" for p in params):
            raise TypeError("an annotation shape nobody foresaw")
        return real(self, module, params)

    monkeypatch.setattr(PythonSchemas, "parameters", failing)
    (tmp_path / "server.py").write_text(SERVER + '''

@mcp.tool()
def count(limit: int) -> str:
    """Count the glossary."""
    return str(limit)
''')
    assert main(["manifest", str(tmp_path)]) == 0
    out = capsys.readouterr()
    entries = {e["name"]: e for e in json.loads(out.out)["entries"]}
    assert json.loads(out.out)["version"] == 2
    assert entries["lookup"]["inputSchema"] == {}
    assert entries["count"]["inputSchema"] == {"type": "object", "properties": {"limit": {"type": "integer"}},
                                               "required": ["limit"]}
    assert "server.py:6: the input schema of `lookup` could not be built (TypeError" in out.err
