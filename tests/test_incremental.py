"""Scans that reuse units (:mod:`toolsink.unitcache`) report exactly what a cold scan reports.

The bundled fixtures are copied to a temporary folder and edited at random (seeded): lines inserted,
removed and changed, imports added that join two components, suppressions written, files added and
deleted. After every round the scan that reuses the previous rounds' units (in memory, as the language
server keeps them, and from the pack on disk, as the CLI does) must equal a cold scan of the same tree.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from toolsink.cache import unit_base
from toolsink.components import components, import_specs
from toolsink.config import Config
from toolsink.scan import index_project, scan
from toolsink.unitcache import PACK_NAME, UnitStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _config() -> Config:
    config = Config.default()
    config.respect_gitignore = False
    return config


def _view(result) -> tuple:
    return (result.findings, sorted(result.registrations, key=repr), result.diagnostics,
            result.files_scanned, result.lines_scanned, result.suppressed)


def _scan(root: Path, store=None, overrides=None):
    return scan([str(root)], _config(), root=str(root), store=store, overrides=overrides).result


def _edit(rng: random.Random, root: Path) -> str:
    files = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".ts", ".js") and p.is_file())
    target = rng.choice(files)
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    kind = rng.choice(["insert", "remove", "import", "noqa", "string", "add-file", "delete-file"])
    at = rng.randrange(len(lines) + 1)
    python = target.suffix == ".py"
    if kind == "insert":
        lines.insert(at, "# a comment\n" if python else "// a comment\n")
    elif kind == "remove" and lines:
        del lines[min(at, len(lines) - 1)]
    elif kind == "import":  # joins two components (or adds an edge inside one)
        other = rng.choice([p for p in files if p.suffix == target.suffix and p != target] or [target])
        rel = other.relative_to(target.parent) if other.parent == target.parent else None
        if rel is None:
            return "skip"
        lines.insert(0, f"import {other.stem}\n" if python else f'import "./{other.stem}";\n')
    elif kind == "noqa" and lines:
        i = min(at, len(lines) - 1)
        lines[i] = lines[i].rstrip("\n") + ("  # noqa: MCP101\n" if python else "  // toolsink-ignore MCP101: checked\n")
    elif kind == "string":
        text = "".join(lines).replace('"', '"x', 1)
        target.write_text(text, encoding="utf-8")
        return f"{kind} {target.name}"
    elif kind == "add-file":
        copy = target.with_name(f"copy_{rng.randrange(10**6)}{target.suffix}")
        shutil.copyfile(target, copy)
        return f"{kind} {copy.name}"
    elif kind == "delete-file":
        target.unlink()
        return f"{kind} {target.name}"
    target.write_text("".join(lines), encoding="utf-8")
    return f"{kind} {target.name}:{at}"


@pytest.mark.parametrize("seed", [1, 2])
def test_reused_units_equal_a_cold_scan_after_random_edits(tmp_path, seed):
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES, root)
    cache = tmp_path / "cache"
    memory = UnitStore("memory", keep_modules=seed == 2)  # as the language server keeps them, lowered modules too
    rng = random.Random(seed)
    first = _scan(root, memory)
    assert _view(first) == _view(_scan(root))
    assert memory.misses and not memory.hits
    edits = []
    for _ in range(4):
        edits.append(_edit(rng, root))
        cold = _view(_scan(root))
        memory.hits = memory.misses = 0
        assert _view(_scan(root, memory)) == cold, edits
        memory.forget_unused()
        assert memory.hits > memory.misses, edits  # most components were reused
        disk = UnitStore(unit_base(_config(), str(root)), cache)
        assert _view(_scan(root, disk)) == cold, edits
        disk.save()
    again = UnitStore(unit_base(_config(), str(root)), cache)
    assert _view(_scan(root, again)) == cold
    assert again.misses == 0 and again.hits  # an unchanged tree: every component from the pack


def test_an_unsaved_buffer_is_a_unit_too(tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / "python", root)
    store = UnitStore("memory")
    _scan(root, store)
    store.hits = store.misses = 0
    source = (root / "code_files.py").read_text(encoding="utf-8")
    buffer = {"code_files.py": (source + "\n\n@mcp.tool()\ndef more(cmd: str):\n    os.system(cmd)\n").encode()}
    assert _view(_scan(root, store, overrides=buffer)) == _view(_scan(root, overrides=buffer))
    assert store.misses == 1 and store.hits > 1  # only the edited file's component was analysed


def test_a_corrupt_or_foreign_pack_is_ignored(tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / "typescript", root)
    cache = tmp_path / "cache"
    base = unit_base(_config(), str(root))
    store = UnitStore(base, cache)
    cold = _view(_scan(root, store))
    store.save()
    pack = cache / PACK_NAME
    blob = pack.read_bytes()
    pack.write_bytes(blob.replace(b'"MCP101"', b'"MCP999"'))  # edited after signing
    store = UnitStore(base, cache)
    assert _view(_scan(root, store)) == cold and store.hits == 0
    pack.write_bytes(b"not a pack at all")
    store = UnitStore(base, cache)
    assert _view(_scan(root, store)) == cold and store.hits == 0
    store.save()
    other = UnitStore("another configuration", cache)  # a pack of another unit key is not read
    assert _view(_scan(root, other)) == cold and other.hits == 0


def test_components_join_modules_by_their_imports(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "server.py").write_text("from .tools import run\nfrom pkg import helpers\n")
    (tmp_path / "pkg" / "tools.py").write_text("def run(x):\n    import subprocess\n")
    (tmp_path / "pkg" / "helpers.py").write_text("def f():\n    from . import deep\n")
    (tmp_path / "pkg" / "deep.py").write_text("X = 1\n")
    (tmp_path / "alone.py").write_text("import os\n")
    (tmp_path / "web.ts").write_text('import { a } from "./lib";\n')
    (tmp_path / "lib.ts").write_text("export const a = 1;\n")
    groups = components(index_project([m for m in _modules(tmp_path)], str(tmp_path)))
    names = sorted(sorted(m.path for m in g) for g in groups)
    # `from . import deep` in a function resolves the package (`__init__.py`) and its submodule
    assert names == [["alone.py"], ["lib.ts", "web.ts"],
                     ["pkg/__init__.py", "pkg/deep.py", "pkg/helpers.py", "pkg/server.py", "pkg/tools.py"]]


def _modules(root: Path):
    from toolsink.frontends import parser_for

    out = []
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".ts"):
            language = "python" if path.suffix == ".py" else "typescript"
            out.append(parser_for(language)(path.relative_to(root).as_posix(), path.read_bytes(), language))
    return out


def test_import_specs_include_nested_and_submodule_imports():
    from toolsink.frontends import parser_for

    module = parser_for("python")("m.py", b"from . import a, b\ndef f():\n    from ..pkg import c\n", "python")
    assert import_specs(module) == ((1, ""), (1, "a"), (1, "b"), (2, "pkg"), (2, "pkg.c"))


def test_the_language_server_reuses_units_between_edits(tmp_path):
    from toolsink.integrations.lsp import _scan as lsp_scan, _Units

    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / "typescript", root)
    units = _Units()
    lsp_scan(str(root), {}, None, units)
    source = (root / "token_passthrough.ts").read_text(encoding="utf-8")
    for edit in ("\n// a comment\n", "\nserver.tool('x', {}, async () => { eval(1) })\n"):
        buffers = {"token_passthrough.ts": (edit + source).encode()}
        units.store.hits = units.store.misses = 0
        reused = lsp_scan(str(root), buffers, None, units).result
        assert _view(reused) == _view(_scan(root, overrides=buffers))
        assert units.store.misses == 1 and units.store.hits > 10
