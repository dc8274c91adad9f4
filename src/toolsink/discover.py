"""File discovery and safe source reading: the paths a user names become the files a scan parses.

This module owns which files are scanned (extensions, ``.gitignore`` files, user excludes, the directories
that are never worth scanning, symlinks) and how their bytes are read (size limit, binary and encoding
checks). Every problem becomes a :class:`~toolsink.ir.Diagnostic`; nothing here raises on bad input, and
nothing is skipped silently except what the ignore rules say to skip.

The ignore rules themselves (``.gitignore`` files, excludes, which one excluded a path) live in
:mod:`toolsink.ignorefiles`.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from typing import Iterable, Sequence, Union

from toolsink.ignorefiles import (_ancestor_ignores, _display, _excluder, _Ignore, _load_ignore_file, _reason,
                                  _slash, _within, compile_patterns)
from toolsink.diagnostic import Diagnostic

LANGUAGES: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
}

# Directories never worth scanning: dependencies, VCS metadata, caches and build output.
SKIP_DIRS = frozenset({
    "node_modules", ".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "build", "dist", ".tox",
    ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".next", "coverage",
    ".toolsink_cache",
})
DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")
BINARY_PROBE = 8192


@dataclass(frozen=True)
class SourceFile:
    path: str  # display path relative to the scan root, forward slashes
    abs_path: str
    language: str


def language_of(name: str) -> str | None:
    """The language of a file name by its extension, or None if toolsink does not read it."""
    return LANGUAGES.get(os.path.splitext(name)[1].lower())


# --------------------------------------------------------------------------------------------------
# discovery








def default_root(paths: Iterable[str]) -> str:
    """The common directory of ``paths``, or the working directory when it is an ancestor of that."""
    dirs = [p if os.path.isdir(p) else os.path.dirname(p) for p in (os.path.abspath(p) for p in paths)]
    cwd = os.getcwd()
    if not dirs:
        return cwd
    try:
        common = os.path.commonpath(dirs)
    except ValueError:
        return cwd
    return cwd if _within(common, cwd) else common


_Key = Union[tuple[int, int], str]  # a (st_dev, st_ino) pair, or a real path where inodes are missing


def _identity(path: str, entry: os.DirEntry | None = None) -> _Key:
    """What makes a file or directory itself: (st_dev, st_ino), following symlinks.

    ``entry`` saves a system call for something that is not a link. Windows leaves the inode of a
    ``DirEntry.stat()`` at 0, and some filesystems have no inode numbers: the real path stands in then.
    """
    st = entry.stat() if entry is not None and os.name != "nt" else os.stat(path)
    return (st.st_dev, st.st_ino) if st.st_ino else os.path.realpath(path)


def _ancestor_keys(directory: str) -> tuple[_Key, ...]:
    """The identity of every directory above ``directory``: a link to one of them is a loop too."""
    keys = []
    current = os.path.dirname(directory)
    while True:
        try:
            keys.append(_identity(current))
        except OSError:
            pass
        parent = os.path.dirname(current)
        if parent == current:
            return tuple(keys)
        current = parent


@dataclass
class _Found:
    abs_path: str
    language: str
    via_link: bool  # reached through a symlink: a plain path to the same file is preferred


class _Walker:
    def __init__(self, root: str, excludes: list[str], respect_gitignore: bool, follow_links: bool = False,
                 force_exclude: bool = False) -> None:
        self.root = root
        self.force_exclude = force_exclude
        self.skipped: dict[str, int] = {}  # ignore file ("" for the user's excludes) -> paths it excluded
        self.respect_gitignore = respect_gitignore
        self.follow_links = follow_links
        self.inside: list[str] = [os.path.realpath(root)]  # where a symlink may point without --follow-links
        spec = compile_patterns(excludes) if excludes else None
        self.user = _Ignore(_slash(root).rstrip("/"), spec) if spec else None
        self.files: list[_Found] = []
        self.diagnostics: list[Diagnostic] = []
        self.visited: set[_Key] = set()
        self.deferred: list[tuple[str, tuple[_Ignore, ...], tuple[_Key, ...]]] = []

    def diag(self, path: str, message: str, code: str, level: str = "warning") -> None:
        self.diagnostics.append(Diagnostic(_display(path, self.root), message, code, level=level))

    def excluded(self, slash_path: str, ignores: Sequence[_Ignore], *, count: bool = True) -> bool:
        """Whether an ignore rule excludes ``slash_path``; ``count`` records which one (see :meth:`all_excluded`)."""
        by = self.user if self.user is not None and self.user.check(slash_path) else _excluder(ignores, slash_path)
        if by is not None and count:
            self.skipped[by.origin] = self.skipped.get(by.origin, 0) + 1
        return by is not None

    def walk(self, top: str) -> None:
        try:
            key = _identity(top)
        except OSError as exc:
            self.diag(top, f"cannot read directory: {_reason(exc)}", "unreadable", "error")
            return
        if key in self.visited:
            return
        self.visited.add(key)
        self.inside.append(os.path.realpath(top))
        ignores = tuple(_ancestor_ignores(top, self.root, self.diagnostics)) if self.respect_gitignore else ()
        self._walk_tree(top, ignores, _ancestor_keys(top) + (key,), named=True, via_link=False)
        # Symlinked directories are followed after every real directory has been walked, so a file is
        # reported under its real path when it has one, and each target is walked at most once.
        while self.deferred:
            link, link_ignores, chain = self.deferred.pop(0)
            if not self._may_follow(link):
                continue
            try:
                key = _identity(link)
            except OSError as exc:
                self.diag(link, f"cannot follow symlink: {_reason(exc)}", "unreadable")
                continue
            if key in chain:
                self.diag(link, f"symlink loop: {os.path.basename(link)!r} points back to a directory "
                          "that contains it; not followed", "symlink-loop")
            elif key not in self.visited:
                self.visited.add(key)
                self._walk_tree(link, link_ignores, chain + (key,), named=False, via_link=True)

    def _may_follow(self, link: str) -> bool:
        """A symlink is followed when it stays inside the scanned folders (ruff and ripgrep do the same), or
        with ``--follow-links``: ``ln -s /etc etc`` must not make a scan read the whole system."""
        if self.follow_links:
            return True
        target = os.path.realpath(link)
        if any(target == base or target.startswith(base.rstrip(os.sep) + os.sep) for base in self.inside):
            return True
        self.diag(link, f"symlink {os.path.basename(link)!r} points outside the scanned folder (to {target}); "
                  "not followed (use --follow-links or `follow-links = true` to scan it)", "symlink-outside",
                  "note")
        return False

    def _walk_tree(self, top: str, ignores: tuple[_Ignore, ...], chain: tuple[_Key, ...],
                   *, named: bool, via_link: bool) -> None:
        stack = [(top, ignores, chain, named)]
        while stack:
            directory, ignores, chain, is_named = stack.pop()
            try:
                with os.scandir(directory) as it:
                    entries = list(it)
            except OSError as exc:
                self.diag(directory, f"cannot read directory: {_reason(exc)}", "unreadable")
                continue
            names = {entry.name for entry in entries}
            if "pyvenv.cfg" in names and not is_named:
                continue  # a virtualenv that is not called venv/.venv
            if self.respect_gitignore and ".gitignore" in names:
                ignore_file = os.path.join(directory, ".gitignore")
                loaded = _load_ignore_file(ignore_file, directory, self.diagnostics, self.root)
                if loaded:
                    ignores = ignores + (loaded,)
            for entry in entries:
                self._entry(entry, ignores, chain, stack, via_link)

    def _entry(self, entry: os.DirEntry, ignores: tuple[_Ignore, ...], chain: tuple[_Key, ...],
               stack: list, via_link: bool) -> None:
        slash_path = _slash(entry.path)
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError as exc:
            self.diag(entry.path, f"cannot stat: {_reason(exc)}", "unreadable")
            return
        if is_dir:
            if entry.name in SKIP_DIRS or self.excluded(slash_path + "/", ignores):
                return
            if is_link:
                self.deferred.append((entry.path, ignores, chain))
                return
            try:
                key = _identity(entry.path, entry)
            except OSError as exc:
                self.diag(entry.path, f"cannot stat: {_reason(exc)}", "unreadable")
                return
            if key in self.visited:
                return
            self.visited.add(key)
            stack.append((entry.path, ignores, chain + (key,), False))
            return
        language = language_of(entry.name)
        if is_link and not is_file and not os.path.exists(entry.path):
            # A dangling link: worth a word only if it could have been a source file or a directory.
            if (language or not os.path.splitext(entry.name)[1]) and not self.excluded(slash_path, ignores, count=False):
                self.diag(entry.path, f"broken symlink: {os.path.basename(entry.path)!r} points to "
                          f"{os.readlink(entry.path)!r}, which does not exist", "broken-symlink")
            return
        if not is_file or language is None or entry.name.endswith(DECLARATION_SUFFIXES):
            return
        if self.excluded(slash_path, ignores):
            return
        if is_link and not self._may_follow(entry.path):
            return
        self.files.append(_Found(entry.path, language, via_link or is_link))

    def named_file(self, abs_path: str, shown: str) -> None:
        language = language_of(abs_path)
        if language is None:
            message = f"{shown}: not a Python or TypeScript/JavaScript file, skipped"
            self.diag(abs_path, message, "unsupported-file")
            return
        if self.force_exclude and self._user_excludes(abs_path):
            return
        self.files.append(_Found(abs_path, language, False))

    def _user_excludes(self, abs_path: str) -> bool:
        """``--force-exclude``: whether the user's excludes match a named file or a folder above it (below the
        root), as they would have in a walk of the root."""
        if self.user is None or not _within(abs_path, self.root) or abs_path == self.root:
            return False
        slash = _slash(abs_path)
        parent = os.path.dirname(abs_path)
        candidates = [slash]
        while parent != self.root and _within(parent, self.root):
            candidates.append(_slash(parent) + "/")
            parent = os.path.dirname(parent)
        return any(self.excluded(c, ()) for c in reversed(candidates))

    def all_excluded(self, shown: str) -> Diagnostic:
        """The warning for a scan whose every source file an ignore rule excluded: which rule, and how to
        scan anyway (never a silent "Scanned 0 files")."""
        parts = []
        for origin, n in sorted(self.skipped.items()):
            what = f"{n} path{'s' if n != 1 else ''}"
            if origin:
                parts.append(f"{what} by {_display(origin, self.root)}")
            else:
                parts.append(f"{what} by the exclude patterns")
        hints = []
        if any(self.skipped):
            hints.append("pass --no-respect-gitignore (or set `respect-gitignore = false` in the configuration)")
        if "" in self.skipped:
            hints.append("remove the pattern from `exclude`/`extend-exclude` or --exclude"
                         + (" (or drop --force-exclude for a named file)" if self.force_exclude else ""))
        message = f"no source file scanned, the ignore rules excluded every one ({'; '.join(parts)}); " \
                  f"to scan anyway, {', or '.join(hints)}"
        return Diagnostic(shown, message, "all-excluded")

    def result(self) -> list[SourceFile]:
        """Files in display order, each physical file once (the plain path preferred over a link)."""
        shown = {id(found): _display(found.abs_path, self.root) for found in self.files}
        candidates = sorted(self.files, key=lambda f: (f.via_link, shown[id(f)]))
        seen: set[_Key] = set()
        out: list[SourceFile] = []
        for found in candidates:
            try:
                key = _identity(found.abs_path)
            except OSError:
                key = found.abs_path
            if key in seen:
                continue
            seen.add(key)
            out.append(SourceFile(shown[id(found)], found.abs_path, found.language))
        out.sort(key=lambda f: f.path)
        return out


def discover(paths: Sequence[str | os.PathLike[str]], *, root: str | None = None, exclude: Sequence[str] = (),
             respect_gitignore: bool = True, follow_links: bool = False,
             force_exclude: bool = False) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Expand ``paths`` (files and directories) into the source files to scan, in a stable order.

    Named files are always included when their extension is known, even if ignored (with ``force_exclude``,
    unless ``exclude`` matches them or a folder above them, as ruff's ``--force-exclude``); directories are
    walked honouring ``.gitignore`` files (unless ``respect_gitignore`` is false), the built-in
    :data:`SKIP_DIRS`, virtualenvs and ``exclude`` (gitignore-style patterns relative to ``root``).
    """
    given = [os.fspath(p) for p in paths] or ["."]
    abs_given = [os.path.abspath(p) for p in given]
    root = os.path.abspath(root) if root is not None else default_root(abs_given)
    walker = _Walker(root, list(exclude), respect_gitignore, follow_links, force_exclude)
    for shown, abs_path in zip(given, abs_given):
        if os.path.isdir(abs_path):
            walker.walk(abs_path)
        elif os.path.isfile(abs_path):
            walker.named_file(abs_path, shown)
        elif os.path.islink(abs_path):
            walker.diag(abs_path, f"{shown}: broken symlink (points to {os.readlink(abs_path)!r})",
                        "broken-symlink", "error")
        elif os.path.exists(abs_path):
            walker.diag(abs_path, f"{shown}: not a regular file or directory, skipped", "unsupported-file")
        else:
            walker.diag(abs_path, f"{shown}: no such file or directory", "path-not-found", "error")
    files = walker.result()
    if not files and walker.skipped:
        walker.diagnostics.append(walker.all_excluded(_display(abs_given[0], root) if abs_given[0] != root else "."))
    diagnostics = sorted(walker.diagnostics, key=lambda d: (d.path, d.code, d.message))
    return files, diagnostics


# --------------------------------------------------------------------------------------------------
# reading

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_UTF_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_source(file: SourceFile, max_bytes: int = 2_000_000) -> tuple[bytes | None, Diagnostic | None]:
    """The file's text as UTF-8 bytes without a BOM, or None and a diagnostic saying why it is skipped."""
    data, diag = read_raw(file, max_bytes)
    return decode_source(file, data) if data is not None else (None, diag)


def read_raw(file: SourceFile, max_bytes: int = 2_000_000) -> tuple[bytes | None, Diagnostic | None]:
    """The file's bytes as stored (what the per-component cache hashes), or None and a diagnostic."""

    def fail(message: str, code: str) -> tuple[None, Diagnostic]:
        return None, Diagnostic(file.path, message, code)

    try:
        with open(file.abs_path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                return fail(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; skipped "
                            "(raise `max-file-size` in the toolsink configuration to scan it)", "too-large")
            data = handle.read(max_bytes + 1)
    except IsADirectoryError:
        return fail("cannot read file: is a directory", "unreadable")
    except OSError as exc:
        return fail(f"cannot read file: {_reason(exc)}", "unreadable")
    if len(data) > max_bytes:  # grew since fstat, or a special file that reports no size
        return fail(f"file is over the {max_bytes:,}-byte limit; skipped (raise `max-file-size` in the "
                    "toolsink configuration to scan it)", "too-large")
    return data, None


def decode_source(file: SourceFile, data: bytes) -> tuple[bytes | None, Diagnostic | None]:
    """Raw bytes as UTF-8 text without a BOM (a declared or marked encoding decoded), or None and a
    diagnostic saying why the file is skipped."""

    def fail(message: str, code: str, line: int = 0, col: int = 0) -> tuple[None, Diagnostic]:
        return None, Diagnostic(file.path, message, code, line=line, col=col)

    for bom, encoding in _UTF_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).encode("utf-8"), None  # the codec drops the BOM
            except UnicodeDecodeError as exc:
                return fail(f"not valid {encoding.upper()} despite its byte-order mark "
                            f"(byte offset {exc.start})", "decode-error")
    if b"\0" in data[:BINARY_PROBE]:
        return fail("binary file (NUL byte in the first 8 KiB), skipped", "binary")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    declared = _declared_encoding(data) if file.language == "python" else None
    if declared is not None:
        if not getattr(codecs.lookup(declared), "_is_text_encoding", True):
            return fail(f"the declared coding `{declared}` is not a text encoding (Python refuses it too); "
                        "skipped", "decode-error", 1, 1)
        try:
            return data.decode(declared).encode("utf-8"), None
        except UnicodeDecodeError as exc:
            line, col = _position(data, exc.start)
            return fail(f"not valid {declared} (the declared coding) at byte offset {exc.start}, "
                        f"line {line}, column {col}", "decode-error", line, col)
        except (UnicodeError, ValueError, LookupError, TypeError) as exc:  # a lone surrogate, a codec's own error
            return fail(f"cannot decode with the declared coding `{declared}`: {exc}", "decode-error", 1, 1)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        return fail(f"not valid UTF-8: byte 0x{data[exc.start]:02X} at byte offset {exc.start} "
                    f"(line {line}, column {col}); save the file as UTF-8", "decode-error", line, col)
    return data, None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and byte column of ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _declared_encoding(data: bytes) -> str | None:
    """A PEP 263 coding declaration other than UTF-8 in the first two lines, as a codec name."""
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match:
            try:
                name = codecs.lookup(match.group(1).decode("ascii")).name
            except (LookupError, UnicodeDecodeError):
                return None
            return None if name == "utf-8" else name
        if line.strip() and not line.lstrip().startswith(b"#"):
            return None  # the declaration must come before any code
    return None
