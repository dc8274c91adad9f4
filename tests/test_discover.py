"""Tests for toolsink.discover: which files a scan sees, and how their bytes are read."""

from __future__ import annotations

import builtins
import os
import sys

import pytest

from toolsink.discover import SourceFile, discover, read_source

needs_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")


def write(path, text: str | bytes = "x = 1\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def paths(files: list[SourceFile]) -> list[str]:
    return [f.path for f in files]


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]


def test_languages_and_sorted_display_paths(tmp_path):
    for name in ["b.py", "a/z.ts", "a/c.tsx", "d.mjs", "e.pyi", "f.jsx", "g.cts", "notes.md", "data.json"]:
        write(tmp_path / name)
    files, diagnostics = discover([str(tmp_path)])
    assert diagnostics == []
    assert [(f.path, f.language) for f in files] == [
        ("a/c.tsx", "tsx"), ("a/z.ts", "typescript"), ("b.py", "python"), ("d.mjs", "javascript"),
        ("e.pyi", "python"), ("f.jsx", "javascript"), ("g.cts", "typescript"),
    ]
    assert all(os.path.isabs(f.abs_path) and os.path.isfile(f.abs_path) for f in files)


def test_root_gitignore_with_negation(tmp_path):
    write(tmp_path / ".gitignore", "generated/\n*_pb2.py\n!keep_pb2.py\n")
    write(tmp_path / "app.py")
    write(tmp_path / "generated" / "big.py")
    write(tmp_path / "api_pb2.py")
    write(tmp_path / "keep_pb2.py")
    files, _ = discover([str(tmp_path)])
    assert paths(files) == ["app.py", "keep_pb2.py"]


def test_nested_gitignore_is_relative_to_its_directory_and_deeper_wins(tmp_path):
    write(tmp_path / ".gitignore", "*.js\n")
    write(tmp_path / "pkg" / ".gitignore", "/local.py\n!server.js\n")
    write(tmp_path / "pkg" / "local.py")
    write(tmp_path / "pkg" / "sub" / "local.py")  # "/local.py" is anchored to pkg/, not to sub/
    write(tmp_path / "pkg" / "server.js")  # re-included by the deeper file
    write(tmp_path / "other.js")
    files, _ = discover([str(tmp_path)])
    assert paths(files) == ["pkg/server.js", "pkg/sub/local.py"]


def test_gitignore_above_a_named_directory_applies_up_to_the_repository_top(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    write(tmp_path / "repo" / ".gitignore", "*_gen.py\n")
    write(tmp_path / "repo" / "src" / "tool.py")
    write(tmp_path / "repo" / "src" / "tool_gen.py")
    files, _ = discover([str(tmp_path / "repo" / "src")], root=str(tmp_path / "repo"))
    assert paths(files) == ["src/tool.py"]


def test_respect_gitignore_false(tmp_path):
    write(tmp_path / ".gitignore", "ignored.py\n")
    write(tmp_path / "ignored.py")
    files, _ = discover([str(tmp_path)], respect_gitignore=False)
    assert paths(files) == ["ignored.py"]


def test_always_skipped_directories_and_virtualenvs(tmp_path):
    skipped = [
        "node_modules/x/index.js", ".git/hooks/h.py", ".venv/lib/a.py", "venv/a.py", "__pycache__/a.py",
        "build/a.py", "dist/a.js", ".tox/a.py", ".nox/a.py", ".mypy_cache/a.py", ".pytest_cache/a.py",
        ".ruff_cache/a.py", "site-packages/a.py", ".hg/a.py", ".svn/a.py", ".next/a.js", "coverage/a.js",
        ".toolsink_cache/a.py", "deep/node_modules/y.ts",
    ]
    for name in skipped:
        write(tmp_path / name)
    write(tmp_path / "env311" / "pyvenv.cfg", "home = /usr/bin\n")  # a virtualenv by any other name
    write(tmp_path / "env311" / "lib" / "mod.py")
    write(tmp_path / "src" / "server.py")
    files, diagnostics = discover([str(tmp_path)])
    assert paths(files) == ["src/server.py"]
    assert diagnostics == []


def test_declaration_files_skipped_in_walks_but_not_when_named(tmp_path):
    write(tmp_path / "types.d.ts")
    write(tmp_path / "index.ts")
    files, _ = discover([str(tmp_path)])
    assert paths(files) == ["index.ts"]
    files, _ = discover([str(tmp_path / "types.d.ts")], root=str(tmp_path))
    assert paths(files) == ["types.d.ts"]


def test_user_excludes_are_relative_to_root(tmp_path):
    write(tmp_path / "tests" / "fixtures" / "bad.py")
    write(tmp_path / "tests" / "test_x.py")
    write(tmp_path / "src" / "fixtures" / "real.py")
    write(tmp_path / "src" / "legacy.ts")
    files, _ = discover([str(tmp_path)], exclude=["/tests/fixtures/", "legacy.*"])
    assert paths(files) == ["src/fixtures/real.py", "tests/test_x.py"]


def test_named_files_included_even_if_ignored_and_unknown_extension_reported(tmp_path):
    write(tmp_path / ".gitignore", "secret.py\nnode_modules/\n")
    write(tmp_path / "secret.py")
    write(tmp_path / "node_modules" / "pkg" / "index.js")
    write(tmp_path / "README.md", "# hi\n")
    files, diagnostics = discover(
        [str(tmp_path / name) for name in ["secret.py", "node_modules/pkg/index.js", "README.md"]],
        root=str(tmp_path),
    )
    assert paths(files) == ["node_modules/pkg/index.js", "secret.py"]
    assert codes(diagnostics) == ["unsupported-file"]
    assert diagnostics[0].path == "README.md"
    assert "not a Python or TypeScript/JavaScript file, skipped" in diagnostics[0].message


def test_same_file_named_twice_is_listed_once(tmp_path):
    write(tmp_path / "a.py")
    files, _ = discover([str(tmp_path / "a.py"), str(tmp_path), str(tmp_path / "a.py")])
    assert paths(files) == ["a.py"]


def test_missing_path_is_an_error_diagnostic(tmp_path):
    write(tmp_path / "a.py")
    files, diagnostics = discover([str(tmp_path / "a.py"), str(tmp_path / "nope")])
    assert paths(files) == ["a.py"]
    [diag] = diagnostics
    assert (diag.code, diag.level, diag.path) == ("path-not-found", "error", "nope")
    assert "no such file or directory" in diag.message


def test_root_defaults_to_common_directory_or_cwd(tmp_path, monkeypatch):
    write(tmp_path / "proj" / "a" / "x.py")
    write(tmp_path / "proj" / "b" / "y.ts")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    files, _ = discover([str(tmp_path / "proj" / "a"), str(tmp_path / "proj" / "b")])
    assert paths(files) == ["a/x.py", "b/y.ts"]  # common directory: proj
    monkeypatch.chdir(tmp_path)
    files, _ = discover(["proj/a/x.py"])
    assert paths(files) == ["proj/a/x.py"]  # the working directory is an ancestor


@needs_symlinks
def test_symlink_loop_terminates_with_a_diagnostic(tmp_path):
    write(tmp_path / "a" / "b" / "x.py")
    os.symlink("..", tmp_path / "a" / "b" / "up")  # b/up -> a, which contains b
    os.symlink(tmp_path, tmp_path / "a" / "top")  # a/top -> the scan root itself
    files, diagnostics = discover([str(tmp_path)])
    assert paths(files) == ["a/b/x.py"]
    assert [(d.code, d.path) for d in diagnostics] == [("symlink-loop", "a/b/up"), ("symlink-loop", "a/top")]


@needs_symlinks
def test_symlinked_directory_followed_once_and_files_not_duplicated(tmp_path):
    write(tmp_path / "shared" / "util.py")
    write(tmp_path / "outside" / "ext.py")
    (tmp_path / "proj").mkdir()
    os.symlink(tmp_path / "shared", tmp_path / "alias")
    os.symlink(tmp_path / "outside", tmp_path / "proj" / "ext_link")
    # Walking the root: real directories first, so each file is listed once under its real path.
    files, diagnostics = discover([str(tmp_path)])
    assert paths(files) == ["outside/ext.py", "shared/util.py"]
    assert diagnostics == []
    # A link that leads out of the named tree is followed (once); a second name for a walked tree is not.
    files, diagnostics = discover([str(tmp_path / "proj"), str(tmp_path / "alias"), str(tmp_path / "shared")],
                                  root=str(tmp_path))
    assert paths(files) == ["alias/util.py", "proj/ext_link/ext.py"]
    assert diagnostics == []


@needs_symlinks
def test_broken_symlinks(tmp_path):
    write(tmp_path / "ok.py")
    os.symlink(tmp_path / "gone.py", tmp_path / "dangling.py")
    files, diagnostics = discover([str(tmp_path)])
    assert paths(files) == ["ok.py"]
    assert [(d.code, d.path) for d in diagnostics] == [("broken-symlink", "dangling.py")]
    files, diagnostics = discover([str(tmp_path / "dangling.py")], root=str(tmp_path))
    assert files == []
    assert [(d.code, d.level) for d in diagnostics] == [("broken-symlink", "error")]


def test_unreadable_directory(tmp_path, monkeypatch):
    write(tmp_path / "ok.py")
    write(tmp_path / "locked" / "hidden.py")
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, diagnostics = discover([str(tmp_path)])
    assert paths(files) == ["ok.py"]
    assert [(d.code, d.path) for d in diagnostics] == [("unreadable", "locked")]
    assert "Permission denied" in diagnostics[0].message


# --------------------------------------------------------------------------------------------------
# read_source


def source(path, language="python") -> SourceFile:
    return SourceFile(path.name, str(path), language)


def test_read_plain_file(tmp_path):
    data, diag = read_source(source(write(tmp_path / "a.py", "print('é')\n")))
    assert (data, diag) == ("print('é')\n".encode(), None)


def test_empty_file(tmp_path):
    assert read_source(source(write(tmp_path / "a.py", ""))) == (b"", None)


def test_utf8_bom_stripped(tmp_path):
    data, diag = read_source(source(write(tmp_path / "a.py", b"\xef\xbb\xbfx = 1\n")))
    assert (data, diag) == (b"x = 1\n", None)


def test_utf16_with_bom_becomes_utf8(tmp_path):
    path = write(tmp_path / "a.ts", "const s = 'ü';\n".encode("utf-16"))
    data, diag = read_source(source(path, "typescript"))
    assert (data, diag) == ("const s = 'ü';\n".encode(), None)


def test_declared_python_coding_is_honoured(tmp_path):
    path = write(tmp_path / "a.py", "# -*- coding: latin-1 -*-\ns = 'é'\n".encode("latin-1"))
    data, diag = read_source(source(path))
    assert diag is None and data.decode("utf-8").endswith("s = 'é'\n")


def test_binary_file(tmp_path):
    data, diag = read_source(source(write(tmp_path / "a.py", b"\x7fELF\x00\x00\x01garbage")))
    assert data is None and diag.code == "binary" and diag.path == "a.py"


def test_non_utf8_file_names_offset_and_line(tmp_path):
    path = write(tmp_path / "a.py", b"x = 1\ny = 2\ns = '\xe9t\xe9'\n")
    data, diag = read_source(source(path))
    assert data is None
    assert diag.code == "decode-error"
    assert (diag.line, diag.col) == (3, 6)
    assert "line 3" in diag.message and "offset 17" in diag.message and "0xE9" in diag.message


def test_file_over_the_size_limit(tmp_path):
    path = write(tmp_path / "big.js", b"// x\n" * 1000)
    data, diag = read_source(source(path, "javascript"), max_bytes=4096)
    assert data is None
    assert diag.code == "too-large"
    assert "4,096" in diag.message and "max-file-size" in diag.message
    data, diag = read_source(source(path, "javascript"), max_bytes=5000)
    assert diag is None and len(data) == 5000


def test_directory_is_unreadable(tmp_path):
    (tmp_path / "d.py").mkdir()
    data, diag = read_source(source(tmp_path / "d.py"))
    assert data is None and diag.code == "unreadable"


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path / "secret.py")
    if os.name == "posix" and os.geteuid() != 0:
        path.chmod(0)
        try:
            data, diag = read_source(source(path))
        finally:
            path.chmod(0o644)
    else:  # root reads anything: make open() refuse instead
        real_open = builtins.open

        def refusing_open(file, *args, **kwargs):
            if os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing_open)
        data, diag = read_source(source(path))
    assert data is None
    assert diag.code == "unreadable" and "Permission denied" in diag.message
