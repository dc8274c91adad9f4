"""The JSON Schemas ``toolsink manifest`` writes: the ``inputSchema`` an SDK would publish in ``tools/list``.

Every schema written for the fixtures must be a valid Draft 2020-12 schema; the dedicated manifest fixtures
(``fixtures/python/manifest_forms.py``, ``fixtures/typescript/manifest_forms.ts``) pin the exact schema of
each parameter form. The expected values were compared with what the Python SDK (FastMCP on pydantic) and the
TypeScript SDK (zod 4) publish for the same signatures, less the differences docs/manifest.md lists.
"""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
from jsonschema.validators import Draft202012Validator

from conftest import FIXTURES
from toolsink.cli import main

SAFE = 9007199254740991


def manifest(capsys, *paths) -> dict:
    """The entries of ``toolsink manifest PATH...``, by (name, path)."""
    capsys.readouterr()
    assert main(["manifest", *map(str, paths)]) == 0
    return {(e["name"], e["source"]["path"]): e for e in json.loads(capsys.readouterr().out)["entries"]}


@lru_cache(maxsize=None)
def _entries(path: str) -> dict:
    """The entries of one fixture file by tool name, computed once for the many parametrized cases below."""
    from toolsink.manifest import manifest_data
    from toolsink.scan import scan

    data = manifest_data(scan([path]))
    assert json.loads(json.dumps(data)) == data  # what the CLI writes is exactly this
    assert {e["source"]["path"].rsplit("/", 1)[-1] for e in data["entries"]} == {path.rsplit("/", 1)[-1]}
    return {e["name"]: e for e in data["entries"]}


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_every_fixture_schema_is_valid_json_schema(language, capsys):
    entries = manifest(capsys, FIXTURES / language)
    assert len(entries) > 40
    typed = 0
    for (name, path), entry in entries.items():
        schema = entry["inputSchema"]
        Draft202012Validator.check_schema(schema)  # raises SchemaError naming the bad keyword
        for prop in schema.get("properties", {}).values():
            Draft202012Validator.check_schema(prop)
            typed += "type" in prop
    assert typed > 30  # most fixture parameters have a known type


def _python() -> dict:
    return _entries(str(FIXTURES / "python" / "manifest_forms.py"))


BOOK = {
    "type": "object",
    "description": "One volume on the shelf.",
    "properties": {
        "title": {"type": "string", "description": "the title as printed", "maxLength": 200},
        "author": {
            "type": "object",
            "properties": {"familyName": {"type": "string"},
                           "born": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}},
            "required": ["familyName"],
        },
        "keywords": {"type": "array", "items": {"type": "string"}, "default": []},
    },
    "required": ["title", "author"],
}

PYTHON_EXPECTED = {
    "title": {"type": "string"},
    "copies": {"type": "integer"},
    "price": {"type": "number"},
    "signed": {"type": "boolean"},
    "tags": {"type": "array", "items": {"type": "string"}},
    "pages": {"type": "array", "items": {"type": "integer"}},
    "extra": {"type": "object", "additionalProperties": True},
    "subtitle": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    "note": {"type": "string", "description": "why it goes on the shelf"},
    "series": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
    "language": {"type": "string", "enum": ["en", "de"], "default": "en"},
    "edition": {"type": "string", "const": "first", "default": "first"},
    "binding": {"type": "string", "enum": ["hardcover", "paperback"], "default": "paperback",
                "description": "How the pages are held together."},
    "rating": {"type": "integer", "enum": [1, 5], "default": 5},
    "row": {"type": "integer", "default": 3},
    "isbn": {"type": "string", "description": "thirteen digits", "minLength": 13, "maxLength": 13,
             "pattern": "^[0-9]+$", "default": "9780000000000"},
    "weight": {"type": "number", "minimum": 0, "maximum": 20, "description": "in kilograms", "default": 0.5},
    "spine": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 100, "multipleOf": 5, "default": 10},
    "volume": {"anyOf": [{"type": "integer"}, {"type": "string"}], "default": 1},
    "book": {"anyOf": [BOOK, {"type": "null"}], "default": None},
    "counts": {"type": "object", "additionalProperties": {"type": "integer"}, "default": {}},
    "genres": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},  # set() is not a constant
    "position": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "integer"}], "minItems": 2,
                 "maxItems": 2, "default": [0, 0]},
    "cover": {"default": None},  # a type toolsink cannot see into: any value, never a guess
    "shelf_label": {"type": "string", "default": None},  # FastMCP publishes an unannotated parameter as a string
    "shelved_by": {"type": "string", "title": "Shelved by", "default": "librarian"},
}


@pytest.mark.parametrize("param", sorted(PYTHON_EXPECTED))
def test_python_parameter_schema(param):
    schema = _python()["shelve"]["inputSchema"]
    assert schema["properties"][param] == PYTHON_EXPECTED[param]


def test_python_required_order_and_injected_context():
    schema = _python()["shelve"]["inputSchema"]
    assert list(schema["properties"]) == list(PYTHON_EXPECTED)  # `ctx: Context` is the SDK's, not the model's
    assert schema["type"] == "object"
    assert schema["required"] == ["title", "copies", "price", "signed", "tags", "pages", "extra", "subtitle", "note"]


def test_python_optional_context_is_the_sdks_and_aliases_name_the_properties():
    assert _python()["lend"]["inputSchema"] == {
        "type": "object",
        "properties": {"book_id": {"type": "integer"}, "borrowerName": {"type": "string"},
                       "loanDays": {"type": "integer", "default": 14}},
        "required": ["book_id", "borrowerName"],
    }
    assert _python()["renew"]["inputSchema"] == {
        "type": "object",
        "properties": {
            "loan_id": {"type": "integer"},
            "reminder_to": {"type": "string", "format": "email"},
            "catalogue": {"type": "string", "format": "uri", "minLength": 1},
            "extra_days": {"type": "integer", "minimum": 1, "default": 7},  # a default inside Annotated
            "notes": {"type": "array", "items": {"type": "string"}},  # default_factory: not required, no default
        },
        "required": ["loan_id", "reminder_to", "catalogue"]}


def test_python_low_level_model_json_schema_is_the_models_fields():
    assert _python()["restore_book"]["inputSchema"] == {
        "type": "object",
        "properties": {"familyName": {"type": "string"},
                       "born": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}},
        "required": ["familyName"],
    }


def test_python_low_level_json_schema_is_passed_through_with_names_followed():
    schema = _python()["count_books"]["inputSchema"]
    assert schema == {
        "type": "object",
        "properties": {
            "decade": {"type": "string", "pattern": "^[0-9]{3}0s$", "description": "such as 1990s"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            "filters": {"type": "array", "items": {"type": "string", "enum": ["lost", "lent"]}},
        },
        "required": ["decade"],
        "additionalProperties": False,
    }


PLOT = {"type": "object", "properties": {"row": {"type": "integer", "minimum": 1, "maximum": SAFE},
                                         "label": {"type": "string"}}, "required": ["row"]}

ZOD_EXPECTED = {
    "species": {"type": "string"},
    "photo": {"type": "string", "format": "uri"},
    "owner": {"type": "string", "format": "email"},
    "seedId": {"type": "string", "format": "uuid"},
    "nickname": {"type": "string", "minLength": 2, "maxLength": 20},
    "depth": {"type": "number", "minimum": 0, "maximum": 30},
    "count": {"type": "integer", "minimum": -SAFE, "maximum": SAFE},
    "watered": {"type": "boolean"},
    "season": {"type": "string", "enum": ["spring", "autumn"]},
    "kind": {"type": "string", "const": "seed"},
    "companions": {"type": "array", "items": {"type": "string"}},
    "bed": {"type": "object", "properties": {
        "name": {"type": "string"},
        "corner": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                   "required": ["x"]}}, "required": ["name", "corner"]},
    "comment": {"type": "string"},
    "spacing": {"type": "number", "default": 15},
    "previous": {"type": ["string", "null"]},
    "soil": {"type": "string", "description": "soil type, such as loam"},
    "where": PLOT,
    "code": {"type": "string", "pattern": "^[A-Z]{2}$"},
    "rows": {"type": "array", "items": PLOT, "maxItems": 4},
    "mood": {"type": ["string", "number"]},
    "shade": {"type": "string"},  # transforms and pipes: the SDK describes the input
    "light": {},  # built by a project function from its argument: unknown, never a guess
    "labels": {"type": "object", "propertyNames": {"type": "string"}, "additionalProperties": {"type": "number"}},
    "gardener": {"type": "string", "minLength": 1, "description": "who plants it"},  # a helper without parameters
    "tool": {"type": "string", "enum": ["spade", "fork"]},
    "water": {"type": "number", "default": 1},  # .catch(v): the fallback is the default, still required
}


def _typescript() -> dict:
    return _entries(str(FIXTURES / "typescript" / "manifest_forms.ts"))


@pytest.mark.parametrize("param", sorted(ZOD_EXPECTED))
def test_zod_parameter_schema(param):
    schema = _typescript()["plant"]["inputSchema"]
    assert schema["properties"][param] == ZOD_EXPECTED[param]


def test_zod_required_leaves_out_optional_and_defaulted():
    schema = _typescript()["plant"]["inputSchema"]
    assert list(schema["properties"]) == list(ZOD_EXPECTED)
    assert schema["required"] == [p for p in ZOD_EXPECTED if p not in ("comment", "spacing")]


def test_zod_register_tool_shape_and_schema_shape():
    entries = _typescript()
    assert entries["harvest"]["inputSchema"] == {
        "type": "object",
        "properties": {
            "plotRow": {"type": "integer", "exclusiveMinimum": 0, "maximum": SAFE},
            "weights": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3,
                        "description": "grams"},
        },
        "required": ["plotRow", "weights"],
    }
    assert entries["survey"]["inputSchema"] == PLOT
    assert entries["rest"]["inputSchema"] == {"type": "object", "properties": {}}


def test_zod_shape_in_a_local_constant_of_the_registering_function():
    assert _typescript()["weekly_plan"]["inputSchema"] == {
        "type": "object",
        "properties": {"week": {"type": "string", "description": "ISO week, such as 2026-W10"},
                       "crop": {"type": "string"}},
        "required": ["week"],
    }


RECURSIVE = '''import enum
from mcp.server.fastmcp import FastMCP
from pydantic import BaseModel
app = FastMCP("tree")

class Shade(enum.Enum):
    LIGHT = enum.auto()

class Branch(BaseModel):
    label: "str"
    twigs: list[Branch] = []

@app.tool()
def grow(root: Branch, shade: Shade, note: "int" = 0) -> str:
    return root.label
'''


def test_recursive_models_and_unknown_enum_values_stay_bounded_and_valid(tmp_path):
    from toolsink.manifest import manifest_data
    from toolsink.scan import scan

    (tmp_path / "tree.py").write_text(RECURSIVE, encoding="utf-8")
    (entry,) = manifest_data(scan([str(tmp_path)], root=str(tmp_path)))["entries"]
    schema = entry["inputSchema"]
    Draft202012Validator.check_schema(schema)
    props = schema["properties"]
    assert props["shade"] == {}  # enum.auto(): the values are not written in the source
    assert props["note"] == {"type": "integer", "default": 0}  # a string annotation of a builtin
    depth, node = 0, props["root"]
    while node:  # each level is the Branch object; the expansion stops at a fixed depth with {}
        assert node["properties"]["label"] == {"type": "string"}
        node = node["properties"]["twigs"]["items"]
        depth += 1
    assert 2 <= depth <= 6
    assert schema["required"] == ["root", "shade"]
