"""Path aliases from ``tsconfig.json`` / ``jsconfig.json`` (``compilerOptions.paths`` with ``baseUrl``), so
``import { run } from "~/utils/run.js"`` resolves to the project module as the TypeScript compiler does.

The files are JSON with comments and trailing commas; they are read as data, never executed. ``extends``
is not followed. A file that cannot be read or parsed gives no aliases (imports then stay external).
"""

from __future__ import annotations

import json
import os
import posixpath
from dataclasses import dataclass

CONFIG_NAMES = ("tsconfig.json", "jsconfig.json")


@dataclass(frozen=True, slots=True)
class PathAlias:
    scope: str  # the folder of the config file, relative to the scan root ("" for the root)
    pattern: str  # "~/*", "@lib/*", "config"
    targets: tuple[str, ...]  # relative to the scan root, with the same "*"


def load_aliases(module_paths: list[str], root: str) -> list[PathAlias]:
    """Aliases of every config file in the folders of the given modules and their parents up to ``root``."""
    seen: set[str] = set()
    out: list[PathAlias] = []
    for path in module_paths:
        folder = posixpath.dirname(path)
        while folder not in seen and not folder.startswith(".."):
            seen.add(folder)
            for name in CONFIG_NAMES:
                out.extend(_aliases_of(root, folder, name))
            if not folder:
                break
            folder = posixpath.dirname(folder)
    out.sort(key=lambda a: (-len(a.scope), -len(a.pattern)))  # nearest config and most specific pattern first
    return out


def _aliases_of(root: str, folder: str, name: str) -> list[PathAlias]:
    try:
        with open(os.path.join(root, folder, name), encoding="utf-8") as handle:
            data = json.loads(strip_jsonc(handle.read()))
    except (OSError, ValueError, RecursionError):
        return []
    options = data.get("compilerOptions") if isinstance(data, dict) else None
    if not isinstance(options, dict) or not isinstance(options.get("paths"), dict):
        return []
    base_url = options.get("baseUrl") if isinstance(options.get("baseUrl"), str) else "."
    base = posixpath.normpath(posixpath.join(folder, base_url)) if folder or base_url != "." else ""
    base = "" if base == "." else base
    out = []
    for pattern, targets in options["paths"].items():
        if isinstance(pattern, str) and isinstance(targets, list):
            resolved = tuple(posixpath.normpath(posixpath.join(base, t)) for t in targets if isinstance(t, str))
            out.append(PathAlias(folder, pattern, resolved))
    return out


def strip_jsonc(text: str) -> str:
    """JSON with ``//`` and ``/* */`` comments and trailing commas, as plain JSON (strings are kept)."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
            i += 1
        elif c == '"':
            in_string = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(c)
            i += 1
    plain = "".join(out)
    # trailing commas before } or ] (outside strings: strings were copied verbatim above, and a comma
    # followed only by whitespace and a closing bracket never occurs inside valid JSON strings' syntax)
    result: list[str] = []
    in_string = False
    i = 0
    while i < len(plain):
        c = plain[i]
        if in_string:
            result.append(c)
            if c == "\\" and i + 1 < len(plain):
                result.append(plain[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            result.append(c)
        elif c == ",":
            j = i + 1
            while j < len(plain) and plain[j] in " \t\r\n":
                j += 1
            if j < len(plain) and plain[j] in "}]":
                i += 1
                continue
            result.append(c)
        else:
            result.append(c)
        i += 1
    return "".join(result)


def alias_candidates(aliases: list[PathAlias], importer_path: str, spec: str) -> list[str]:
    """Project paths (relative to the scan root) a bare specifier may name through the aliases in scope."""
    out: list[str] = []
    for alias in aliases:
        if alias.scope and not (importer_path.startswith(alias.scope + "/")):
            continue
        if alias.pattern.endswith("*"):
            prefix = alias.pattern[:-1]
            if not spec.startswith(prefix):
                continue
            rest = spec[len(prefix):]
            out.extend(t.replace("*", rest, 1) for t in alias.targets)
        elif spec == alias.pattern:
            out.extend(alias.targets)
    return out
