"""Tests for toolsink.config: finding, validating and applying the configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolsink.config import Config, ConfigError, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository top (holds .git) that is also the working directory, so messages show short paths."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_without_a_config_file(repo):
    config = load_config(repo)
    assert config == Config.default()
    assert config.config_path is None
    assert config.select == ["ALL"] and config.fail_on == "note" and config.respect_gitignore
    assert config.max_file_size == 2_000_000


def test_pyproject_table_found_from_a_subdirectory(repo):
    write(repo / "pyproject.toml", """
[project]
name = "server"

[tool.toolsink]
select = ["MCP1"]
ignore = ["MCP105"]
extend-exclude = ["tests/fixtures/"]
max-file-size = 500000
allowed-roots = ["/srv/data"]
root-env-vars = ["MCP_ROOT"]
fail-on = "warning"
respect-gitignore = false
require-reason = true
report-unused-suppressions = true
""")
    (repo / "src" / "pkg").mkdir(parents=True)
    config = load_config(repo / "src" / "pkg")
    assert config.config_path == repo / "pyproject.toml"
    assert config.select == ["MCP1"] and config.ignore == ["MCP105"]
    assert config.all_excludes == ["tests/fixtures/"]
    assert config.max_file_size == 500000
    assert config.allowed_roots == ["/srv/data"] and config.root_env_vars == ["MCP_ROOT"]
    assert config.fail_on == "warning"
    assert not config.respect_gitignore
    assert config.require_reason and config.report_unused_suppressions


def test_start_may_be_a_file(repo):
    write(repo / "toolsink.toml", 'fail-on = "error"\n')
    server = write(repo / "server.py", "")
    assert load_config(server).fail_on == "error"


def test_toolsink_toml_has_top_level_keys_and_wins_over_pyproject(repo):
    write(repo / "pyproject.toml", '[tool.toolsink]\nselect = ["MCP2"]\n')
    write(repo / "toolsink.toml", 'select = ["MCP101"]\nextend-select = ["MCP3"]\n')
    config = load_config(repo)
    assert config.config_path == repo / "toolsink.toml"
    assert config.select == ["MCP101"] and config.extend_select == ["MCP3"]


def test_pyproject_without_the_table_is_passed_over(repo):
    write(repo / "toolsink.toml", 'ignore = ["MCP3"]\n')
    write(repo / "web" / "pyproject.toml", '[project]\nname = "x"\n')
    config = load_config(repo / "web")
    assert config.config_path == repo / "toolsink.toml"


def test_search_stops_at_the_repository_top(tmp_path):
    write(tmp_path / "toolsink.toml", 'fail-on = "error"\n')  # outside the repository: not used
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert load_config(tmp_path / "repo").config_path is None


def test_explicit_config_file(repo):
    write(repo / "pyproject.toml", '[tool.toolsink]\nfail-on = "error"\n')
    custom = write(repo / "ci" / "strict.toml", 'fail-on = "note"\nrules-dirs = ["../extra-rules"]\n')
    (repo / "extra-rules").mkdir()
    config = load_config(repo, explicit=str(custom))
    assert config.config_path == custom and config.fail_on == "note"
    assert config.rules_dirs == [str((repo / "extra-rules").resolve())]  # relative to the config file
    with pytest.raises(ConfigError, match="ci/missing.toml: configuration file not found"):
        load_config(repo, explicit="ci/missing.toml")
    write(repo / "other" / "pyproject.toml", "[project]\n")
    with pytest.raises(ConfigError, match=r"has no \[tool.toolsink\] table"):
        load_config(repo, explicit="other/pyproject.toml")


def test_unknown_key_with_suggestion(repo):
    write(repo / "pyproject.toml", '[tool.toolsink]\nselct = ["MCP1"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(repo)
    assert str(info.value) == 'pyproject.toml: [tool.toolsink] unknown key "selct" (did you mean "select"?)'


def test_snake_case_key_suggests_kebab_case(repo):
    write(repo / "toolsink.toml", "max_file_size = 10\n")
    with pytest.raises(ConfigError) as info:
        load_config(repo)
    assert str(info.value) == 'toolsink.toml: unknown key "max_file_size" (did you mean "max-file-size"?)'


def test_unknown_key_without_a_close_match_lists_the_keys(repo):
    write(repo / "toolsink.toml", "colour = true\n")
    with pytest.raises(ConfigError, match=r'unknown key "colour"; known keys: select, ignore, '):
        load_config(repo)


def test_table_header_in_toolsink_toml_is_explained(repo):
    write(repo / "toolsink.toml", '[tool.toolsink]\nselect = ["MCP1"]\n')
    with pytest.raises(ConfigError, match="takes the keys at the top level"):
        load_config(repo)


@pytest.mark.parametrize(("line", "expected"), [
    ('max-file-size = "big"', '"max-file-size": expected a whole number of bytes greater than 0'),
    ("max-file-size = 0", '"max-file-size": expected a whole number of bytes greater than 0'),
    ("max-file-size = 1.5", '"max-file-size": expected a whole number of bytes greater than 0'),
    ('select = "MCP1"', '"select": expected a list of rule codes or code prefixes'),
    ('select = ["MCP1", "mcp101"]', '"select"[1]: expected a rule code or code prefix in capitals'),
    ('fail-on = "fatal"', '"fail-on": expected one of "error", "warning" or "note", got "fatal"'),
    ('respect-gitignore = "yes"', '"respect-gitignore": expected true or false, got "yes"'),
    ('root-env-vars = ["MCP-ROOT"]', '"root-env-vars"[0]: expected an environment variable name'),
])
def test_bad_values_name_file_key_and_expectation(repo, line, expected):
    write(repo / "pyproject.toml", f"[tool.toolsink]\n{line}\n")
    with pytest.raises(ConfigError) as info:
        load_config(repo)
    assert str(info.value).startswith(f"pyproject.toml: [tool.toolsink] {expected}")


def test_every_bad_value_is_reported(repo):
    write(repo / "toolsink.toml", 'fail-on = 3\nrequire-reason = 1\n')
    with pytest.raises(ConfigError) as info:
        load_config(repo)
    assert str(info.value).splitlines() == [
        'toolsink.toml: "fail-on": expected one of "error", "warning" or "note", got 3',
        'toolsink.toml: "require-reason": expected true or false, got 1',
    ]


def test_missing_rules_dir(repo):
    write(repo / "toolsink.toml", 'rules-dirs = ["my-rules"]\n')
    expected = r'toolsink.toml: "rules-dirs": directory "my-rules" .* does not exist'
    with pytest.raises(ConfigError, match=expected):
        load_config(repo)


def test_broken_toml_names_file_and_position(repo):
    write(repo / "pyproject.toml", '[tool.toolsink]\nselect = ["MCP1"\nignore = []\n')
    with pytest.raises(ConfigError) as info:
        load_config(repo / "sub")
    message = str(info.value)
    assert message.startswith("pyproject.toml: invalid TOML: ")
    assert "line 3" in message


def test_tool_toolsink_must_be_a_table(repo):
    write(repo / "pyproject.toml", '[tool]\ntoolsink = "on"\n')
    with pytest.raises(ConfigError, match=r'\[tool.toolsink\] must be a table, got "on"'):
        load_config(repo)


# --------------------------------------------------------------------------------------------------
# rule selection


def test_default_selects_everything():
    config = Config.default()
    assert config.selects("MCP101") and config.selects("MCP301")


@pytest.mark.parametrize(("select", "ignore", "extend", "enabled", "disabled"), [
    (["MCP1"], [], [], ["MCP101", "MCP107"], ["MCP201", "MCP301"]),
    (["ALL"], ["MCP2"], [], ["MCP101", "MCP301"], ["MCP201", "MCP210"]),
    (["MCP1"], ["MCP10"], ["MCP105"], ["MCP105", "MCP110"], ["MCP101", "MCP201"]),  # more specific wins
    (["MCP101"], ["MCP1"], [], ["MCP101"], ["MCP102"]),  # a specific select beats a broad ignore
    (["MCP101"], ["MCP101"], [], [], ["MCP101"]),  # equal specificity: ignore wins
    ([], [], ["MCP3"], ["MCP301"], ["MCP101"]),
])
def test_select_ignore_prefix_semantics(select, ignore, extend, enabled, disabled):
    config = Config(select=select, ignore=ignore, extend_select=extend)
    assert [c for c in enabled if config.selects(c)] == enabled
    assert [c for c in disabled if config.selects(c)] == []


def test_command_line_overrides():
    config = Config(select=["MCP1"], ignore=["MCP101"], extend_select=["MCP2"])
    cli = config.with_overrides(select=["MCP101"])
    assert cli.selects("MCP101") and not cli.selects("MCP201")  # --select replaces the file's selection
    more = config.with_overrides(ignore=["MCP102"], extend_select=["MCP3"])
    assert not more.selects("MCP102") and not more.selects("MCP101") and more.selects("MCP301")


def test_fail_on_threshold():
    assert Config(fail_on="note").fails_on("note")
    assert not Config(fail_on="warning").fails_on("note")
    assert Config(fail_on="warning").fails_on("error")
    assert not Config(fail_on="error").fails_on("warning")


def test_unmatched_selectors_catch_typos():
    config = Config(select=["ALL", "MPC1"], ignore=["MCP105"])
    assert config.unmatched_selectors(["MCP101", "MCP105", "MCP201"]) == ["MPC1"]
