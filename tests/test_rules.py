"""Rules and models: every rule is complete and has fixtures; broken files fail loudly with file and field."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from toolsink import rules as rules_mod
from toolsink.rules import RuleError, load_models, load_rules

ANNOTATION = re.compile(r"(?:#|//)\s*(error|ok):\s*(MCP\d{3}(?:\s*,\s*MCP\d{3})*)")


def fixture_annotations() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"error": set(), "ok": set()}
    for path in FIXTURES.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".ts", ".tsx", ".js", ".mjs", ".cjs", ".mts", ".cts"}:
            for kind, codes in ANNOTATION.findall(path.read_text(encoding="utf-8", errors="replace")):
                out[kind].update(re.split(r"\s*,\s*", codes))
    return out


def test_every_rule_is_documented_and_unique():
    rules = load_rules()
    assert {f"MCP10{i}" for i in range(1, 8)} <= set(rules)
    names = [r.name for r in rules.values()]
    assert len(names) == len(set(names)), "rule names must be unique"
    for rule in rules.values():
        assert Path(rule.path).name.startswith(rule.id + "-")
        for part in (rule.docs.what, rule.docs.why, rule.docs.example, rule.docs.use_instead):
            assert len(part.strip()) >= 10, (rule.id, part)
        assert "Why is this bad?" in rule.markdown() and "Use instead" in rule.markdown()


def test_every_rule_has_positive_and_negative_fixtures():
    seen = fixture_annotations()
    for code in load_rules():
        assert code in seen["error"], f"{code} has no `error:` fixture line"
        assert code in seen["ok"], f"{code} has no `ok:` fixture line"


def test_taint_rules_name_known_sink_kinds():
    models = load_models()
    kinds = {row["kind"] for m in models.values() for row in m.sinks} | {"program", "argument"}
    for rule in load_rules().values():
        for kind in rule.sinks:
            assert kind in kinds, f"{rule.id} pairs sink kind {kind!r} that no model produces"


@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy)
    monkeypatch.setattr(rules_mod, "RULES_DIR", copy)
    rules_mod._load_rules.cache_clear()
    rules_mod._load_models.cache_clear()
    yield copy
    rules_mod._load_rules.cache_clear()
    rules_mod._load_models.cache_clear()


def test_broken_rule_names_file_and_field(rules_copy):
    path = rules_copy / "MCP101-command-injection.yml"
    path.write_text(path.read_text().replace("severity: error", "severity: fatal"))
    with pytest.raises(RuleError) as err:
        load_rules()
    assert "MCP101-command-injection.yml" in str(err.value) and "`severity`" in str(err.value)


def test_invalid_yaml_is_reported(rules_copy):
    (rules_copy / "MCP101-command-injection.yml").write_text("id: [unclosed\n")
    with pytest.raises(RuleError, match="invalid YAML"):
        load_rules()


def test_broken_model_row_names_file_and_field(rules_copy):
    path = rules_copy / "models" / "python.yml"
    path.write_text(path.read_text().replace("    kind: shell-command\n", "    kind: shell-command\n    sink_arg: 0\n", 1))
    with pytest.raises(RuleError) as err:
        load_models()
    assert "python.yml" in str(err.value) and "sinks/" in str(err.value)


def test_cli_reports_broken_rules_with_exit_2(rules_copy, tmp_path, capsys):
    from toolsink.cli import main

    (rules_copy / "MCP103-sql-injection.yml").write_text("id: MCP103\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    code = main(["scan", str(tmp_path / "a.py")])
    assert code == 2
    assert "MCP103-sql-injection.yml" in capsys.readouterr().err


def test_rule_docs_are_generated_and_current():
    from toolsink.docgen import pages

    docs = ROOT / "docs" / "rules"
    for name, text in pages().items():
        path = docs / name
        assert path.is_file() and path.read_text(encoding="utf-8") == text, (
            f"docs/rules/{name} is stale: run `python -m toolsink.docgen`")
