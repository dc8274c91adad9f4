"""Configuration: find, parse and validate ``[tool.toolsink]`` / ``toolsink.toml``, and select rules.

The configuration lives in ``pyproject.toml`` under ``[tool.toolsink]``, or, for repositories without a
``pyproject.toml`` (TypeScript servers), in ``toolsink.toml`` with the same keys at the top level. It is
found by walking up from the scan root; the walk stops at the directory that holds ``.git`` (the
repository top) or at the filesystem root. In one directory ``toolsink.toml`` wins over ``pyproject.toml``;
a ``pyproject.toml`` without a ``[tool.toolsink]`` table is passed over.

Values are validated against ``schema/config.schema.json``; every problem raises :class:`ConfigError`
with a message that names the file, the key and what was expected. Rule selection follows ruff: a code is
enabled by the most specific matching ``select``/``extend-select`` entry unless an ``ignore`` entry at
least as specific matches it. Rules marked ``experimental`` are enabled only by their full code.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import pathspec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "config.schema.json"
SEVERITY_RANK = {"note": 0, "warning": 1, "error": 2}
DEFAULT_MAX_FILE_SIZE = 2_000_000
MAX_FILE_SIZE_LIMIT = 1 << 40  # 1 TiB: larger numbers are a typo, not a file size


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file, the key and what was expected."""


@dataclass
class Config:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    extend_exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)  # pattern -> codes (ruff's key)
    rules_dirs: list[str] = field(default_factory=list)  # absolute: resolved against the config file
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    allowed_roots: list[str] = field(default_factory=list)
    root_env_vars: list[str] = field(default_factory=list)
    fail_on: str = "note"
    respect_gitignore: bool = True
    follow_links: bool = False  # symlinks out of the scanned folders
    force_exclude: bool = False  # apply exclude/extend-exclude to files named on the command line too
    require_reason: bool = False
    report_unused_suppressions: bool = False
    config_path: Path | None = None
    inline_noqa: bool = True  # not a configuration key: the flake8 plugin leaves `# noqa` to flake8

    @classmethod
    def default(cls) -> Config:
        return cls()

    @property
    def all_excludes(self) -> list[str]:
        """``exclude`` then ``extend-exclude``: the patterns to hand to ``discover(exclude=...)``."""
        return [*self.exclude, *self.extend_exclude]

    def selects(self, code: str, experimental: bool = False) -> bool:
        """Whether rule ``code`` is enabled: the most specific matching selector wins, ties go to ignore.
        An experimental rule is enabled only by a selector that names its full code (``MCP310``), never by
        ``ALL`` or a prefix."""
        chosen = _specificity(code, [*self.select, *self.extend_select])
        if chosen < 0 or experimental and chosen < len(code):
            return False
        return chosen > _specificity(code, self.ignore)

    def ignored_in(self, code: str, path: str) -> bool:
        """Whether ``per-file-ignores`` turns rule ``code`` off in the file at absolute ``path``: its patterns
        are gitignore-style, relative to the configuration file's folder (a pattern without a slash matches
        a file name anywhere), as ruff's globs are relative to its configuration; ``!pattern`` means every
        file the pattern does not match, as in ruff."""
        if not self.per_file_ignores:
            return False
        base = self.config_path.resolve().parent if self.config_path else Path.cwd()
        try:
            relative = Path(os.path.abspath(path)).relative_to(base).as_posix()
        except ValueError:
            return False
        for pattern, codes in self.per_file_ignores.items():
            negated = pattern.startswith("!")
            if _specificity(code, codes) >= 0 and _pattern(pattern.lstrip("!")).match_file(relative) != negated:
                return True
        return False

    def fails_on(self, severity: str) -> bool:
        """Whether a finding of ``severity`` makes the run exit 1 under ``fail-on``."""
        return SEVERITY_RANK.get(severity, SEVERITY_RANK["error"]) >= SEVERITY_RANK[self.fail_on]

    def unmatched_selectors(self, codes: Iterable[str]) -> list[str]:
        """Selectors in select/extend-select/ignore that match none of ``codes`` (likely typos)."""
        known = list(codes)
        per_file = [code for codes in self.per_file_ignores.values() for code in codes]
        selectors = dict.fromkeys([*self.select, *self.extend_select, *self.ignore, *per_file])
        return [s for s in selectors if s != "ALL" and not any(c.startswith(s) for c in known)]

    def with_overrides(self, *, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None,
                       extend_select: Sequence[str] | None = None) -> Config:
        """Apply command-line selection on top of the file: ``--select`` replaces the file's selection
        (its select, extend-select and ignore), ``--ignore`` and ``--extend-select`` add to it."""
        config = self
        if select is not None:
            config = replace(config, select=list(select), extend_select=[], ignore=[])
        if ignore is not None:
            config = replace(config, ignore=[*config.ignore, *ignore])
        if extend_select is not None:
            config = replace(config, extend_select=[*config.extend_select, *extend_select])
        return config


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines([pattern])


def _specificity(code: str, selectors: Iterable[str]) -> int:
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif code.startswith(selector):
            best = max(best, len(selector))
    return best


# --------------------------------------------------------------------------------------------------
# finding and loading


def load_config(start: str | os.PathLike[str], explicit: str | os.PathLike[str] | None = None) -> Config:
    """The configuration for a scan rooted at ``start``, or from ``explicit`` (``--config FILE``).

    Without a configuration file this is :meth:`Config.default`.
    """
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{_shown(path)}: configuration file not found")
        if path.name == "pyproject.toml":
            table = _tool_table(path, _read_toml(path))
            if table is None:
                raise ConfigError(f"{_shown(path)}: has no [tool.toolsink] table")
            return _build(table, path)
        return _build(_read_toml(path), path)
    found = find_config(start)
    if found is None:
        return Config.default()
    path, table = found
    return _build(table, path)


def find_config(start: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]] | None:
    """The nearest configuration file at or above ``start`` and its (unvalidated) toolsink table."""
    current = Path(os.path.abspath(start))
    if not current.is_dir():
        current = current.parent
    while True:
        candidate = current / "toolsink.toml"
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        candidate = current / "pyproject.toml"
        if candidate.is_file():
            table = _tool_table(candidate, _read_toml(candidate))
            if table is not None:
                return candidate, table
        if (current / ".git").exists() or current.parent == current:
            return None
        current = current.parent


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_shown(path)}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{_shown(path)}: invalid TOML: arrays or tables nest too deeply") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{_shown(path)}: invalid TOML: not UTF-8 (byte offset {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{_shown(path)}: cannot read: {exc.strerror or exc}") from None


def _tool_table(path: Path, document: dict[str, Any]) -> dict[str, Any] | None:
    tool = document.get("tool")
    if not isinstance(tool, dict) or "toolsink" not in tool:
        return None
    table = tool["toolsink"]
    if not isinstance(table, dict):
        raise ConfigError(f"{_shown(path)}: [tool.toolsink] must be a table, got {_value(table)}")
    return table


def _build(table: dict[str, Any], path: Path) -> Config:
    where = f"{_shown(path)}: " + ("[tool.toolsink] " if path.name == "pyproject.toml" else "")
    _validate(table, where, path)
    values: dict[str, Any] = {key.replace("-", "_"): value for key, value in table.items()}
    if "max_file_size" in values:
        size = values["max_file_size"]
        if not isinstance(size, (int, float)) or size != size or size > MAX_FILE_SIZE_LIMIT:
            raise ConfigError(f'{where}"max-file-size": {_value(size)} is too large; the largest accepted is '
                              f"{MAX_FILE_SIZE_LIMIT:,} bytes")
        values["max_file_size"] = int(size)  # TOML 2e6 validates as an integer
    for key in ("exclude", "extend_exclude"):
        for pattern in values.get(key, ()):
            try:
                pathspec.GitIgnoreSpec.from_lines([pattern])
            except Exception as exc:  # re.error, ValueError, TypeError from a malformed pattern
                raise ConfigError(f'{where}"{key.replace("_", "-")}": pattern "{pattern}" is invalid: {exc}') from None
    for pattern in values.get("per_file_ignores", {}):
        try:
            _pattern(pattern.lstrip("!"))
        except Exception as exc:  # as for exclude above
            raise ConfigError(f'{where}"per-file-ignores": pattern "{pattern}" is invalid: {exc}') from None
    base = path.resolve().parent
    dirs = []
    for entry in values.get("rules_dirs", []):
        resolved = Path(os.path.normpath(base / entry))
        if not resolved.is_dir():
            raise ConfigError(f'{where}"rules-dirs": directory "{entry}" (resolved to {resolved}) '
                              "does not exist")
        dirs.append(str(resolved))
    values["rules_dirs"] = dirs
    return Config(**values, config_path=path)


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _validate(table: dict[str, Any], where: str, path: Path) -> None:
    schema = _schema()
    known = list(schema["properties"])
    for key in table:
        if key in schema["properties"]:
            continue
        if key == "tool" and path.name != "pyproject.toml":
            raise ConfigError(f'{where}unknown key "tool": {path.name} takes the keys at the top level; '
                              "remove the [tool.toolsink] header")
        guess = key.replace("_", "-") if key.replace("_", "-") in known else None
        guess = guess or next(iter(difflib.get_close_matches(key, known, n=1, cutoff=0.6)), None)
        hint = f' (did you mean "{guess}"?)' if guess else f"; known keys: {', '.join(known)}"
        raise ConfigError(f'{where}unknown key "{key}"{hint}')
    import jsonschema  # imported on use: a cached CLI run without a config file never needs it

    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(table), key=lambda e: [str(p) for p in e.absolute_path]):
        key = str(error.absolute_path[0]) if error.absolute_path else ""
        location = f'"{key}"' + "".join(f"[{p}]" for p in list(error.absolute_path)[1:])
        expected = _expected(schema, key, item=len(error.absolute_path) > 1, deep=len(error.absolute_path) > 2)
        expected = expected or error.message
        problems.append(f"{where}{location}: expected {expected}, got {_value(error.instance)}")
    if problems:
        raise ConfigError("\n".join(problems))


def _expected(schema: dict[str, Any], key: str, *, item: bool, deep: bool = False) -> str | None:
    prop = schema["properties"].get(key, {})
    ref = prop.get("$ref", "")
    if ref.startswith("#/$defs/"):
        prop = schema["$defs"][ref[len("#/$defs/"):]]
    if deep and "x-expected-deep" in prop:  # a value inside an item (a code in a per-file-ignores list)
        return prop["x-expected-deep"]
    return prop.get("x-expected-item" if item else "x-expected")


def _value(value: Any) -> str:
    return json.dumps(value, default=str)


def _shown(path: Path) -> str:
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    try:
        if os.path.commonpath([absolute, cwd]) == cwd:
            return os.path.relpath(absolute, cwd).replace(os.sep, "/")
    except ValueError:
        pass
    return absolute
