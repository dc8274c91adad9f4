"""The whole-scan result cache: an unchanged project re-scanned by the CLI answers from disk.

What is cached: the finished report text and exit code of one ``toolsink scan`` command, keyed by a
SHA-256 over everything that can change them: the toolsink version (and the size and modification time
of every toolsink source file), the command's options, the loaded
configuration, the content of every rule and model file (built-in and ``rules-dirs``), the baseline file,
and the path and content of every file the scan would read (found by the same :func:`discover` call the
scan makes). Any change to any input is a different key, so a stale entry can never be served; a change
to one file costs a full scan (per-file reuse needs engine support, see docs/cache.md).

Where: ``.toolsink_cache/`` in the project root (with a ``.gitignore`` containing ``*``, as ruff does), or
``--cache-dir``. ``--no-cache`` neither reads nor writes it.

Why it cannot be poisoned: a cloned repository could ship its own ``.toolsink_cache`` with a crafted
entry (the key is computable from the repository's own files) that hides findings. Every entry is
therefore signed with an HMAC-SHA256 under a random per-user key kept in the user cache directory
(``platformdirs``, mode 0600), never in the project. An entry whose header, length, version or signature
does not match is ignored (and a fresh scan overwrites it). Entries are plain JSON (never pickle), so even
a valid-looking foreign file cannot execute anything. Writes go to a temporary file in the same directory
and are moved into place with :func:`os.replace`, so two processes scanning at once each see a complete
entry or none.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import asdict
from pathlib import Path

from . import __version__

MAGIC = b"toolsink-cache 1\n"
DIR_NAME = ".toolsink_cache"


def _user_key() -> bytes:
    """The per-user signing key, created on first use (0600) in the user cache directory."""
    from platformdirs import user_cache_dir

    base = Path(os.environ.get("TOOLSINK_KEY_DIR") or user_cache_dir("toolsink"))
    path = base / "cache-key"
    try:
        data = path.read_bytes()
        if len(data) == 32:
            return data
    except OSError:
        pass
    base.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd, tmp = tempfile.mkstemp(dir=base, prefix=".key")
    try:
        os.chmod(tmp, 0o600)
        os.write(fd, key)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # first writer wins; a concurrent process reads the winner's key
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    data = path.read_bytes()
    return data if len(data) == 32 else key


def _rule_files(rules_dirs) -> list[Path]:
    from .rules import RULES_DIR

    files: list[Path] = []
    for directory in (RULES_DIR, *map(Path, rules_dirs)):
        if directory.is_dir():
            files.extend(sorted(p for p in directory.rglob("*") if p.is_file()))
    return files


def scan_key(paths: list[str], config, root: str, options: dict, extra_files: list[str]) -> str | None:
    """The key of one scan, or ``None`` when an input cannot be read (then the scan runs uncached)."""
    from .discover import discover

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(label.encode() + b"\0" + len(data).to_bytes(8, "little") + data)

    add("version", __version__.encode())
    package = Path(__file__).resolve().parent  # a changed install (or a developer's edit) is a new key
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        add("code " + str(path), f"{stat.st_mtime_ns} {stat.st_size}".encode())
    add("options", json.dumps(options, sort_keys=True, default=str).encode())
    add("config", json.dumps(asdict(config), sort_keys=True, default=str).encode())
    files, diagnostics = discover(paths, root=root, exclude=config.all_excludes,
                                  respect_gitignore=config.respect_gitignore)
    if diagnostics:  # missing paths and the like: let the real scan report them
        return None
    try:
        for path in _rule_files(config.rules_dirs):
            add("rule " + str(path), path.read_bytes())
        for name in extra_files:
            add("extra " + name, Path(name).read_bytes())
        for file in files:
            add(f"file {file.path} {file.language}", Path(file.abs_path).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def cache_dir(root: str, explicit: str | None) -> Path:
    return Path(explicit) if explicit else Path(root) / DIR_NAME


def load(directory: Path, key: str) -> dict | None:
    """The cached entry for ``key``, or ``None`` when missing, corrupt, truncated, foreign or unsigned."""
    try:
        blob = (directory / f"{key}.json").read_bytes()
    except OSError:
        return None
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 65:
        return None
    signature, body = blob[len(MAGIC):len(MAGIC) + 64], blob[len(MAGIC) + 65:]
    try:
        expected = hmac.new(_user_key(), key.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()
    except OSError:
        return None
    if not hmac.compare_digest(signature, expected):
        return None
    try:
        entry = json.loads(body)
    except ValueError:
        return None
    if not isinstance(entry, dict) or entry.get("version") != __version__ or entry.get("key") != key:
        return None
    if not isinstance(entry.get("output"), str) or not isinstance(entry.get("code"), int):
        return None
    return entry


def store(directory: Path, key: str, output: str, code: int) -> None:
    """Write an entry atomically; a cache that cannot be written is silently skipped."""
    body = json.dumps({"version": __version__, "key": key, "output": output, "code": code}).encode()
    try:
        signature = hmac.new(_user_key(), key.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()
        directory.mkdir(parents=True, exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Automatically created by toolsink.\n*\n", encoding="utf-8")
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + signature + b"\n" + body)
            os.replace(tmp, directory / f"{key}.json")
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError:
        return
