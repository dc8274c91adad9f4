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
does not match is ignored (and a fresh scan overwrites it). Entries are a JSON header and the report text
(never pickle), so even a valid-looking foreign file cannot execute anything. Writes go to a temporary
file in the same directory and are moved into place with :func:`os.replace`, so two processes scanning
at once each see a complete entry or none. A new entry removes older entries of the same command.

Speed: the cached path imports neither the rule loader nor the IR; file contents are hashed once and
then recognised by stat (:class:`_Digests`, git's racily-clean rule) while the key stays over content.
"""

from __future__ import annotations

from .atomic import replace_file

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from . import __version__

MAGIC = b"toolsink-cache 2\n"
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


def builtin_rules_dir() -> Path:
    """:data:`toolsink.rules.RULES_DIR`, found the same way without importing the rule loader (jsonschema
    and yaml are a third of a cached run's imports); a test checks that both agree."""
    from importlib import resources

    packaged = Path(str(resources.files("toolsink"))) / "rules"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "rules"


def _rule_files(rules_dirs) -> list[Path]:
    files: list[Path] = []
    for directory in (builtin_rules_dir(), *map(Path, rules_dirs)):
        if directory.is_dir():
            files.extend(sorted(p for p in directory.rglob("*") if p.is_file()))
    return files


def scan_key(paths: list[str], config, root: str, options: dict, extra_files: list[str],
             directory: Path | None = None) -> str | None:
    """The key of one scan, or ``None`` when an input cannot be read (then the scan runs uncached).

    With ``directory`` (the cache directory), source files whose stat is unchanged since they were last
    hashed there are not read again (see :class:`_Digests`); the key is over content digests either way."""
    from .discover import discover

    key = _Key(config)
    key.add("options", json.dumps(options, sort_keys=True, default=str).encode())
    files, diagnostics = discover(paths, root=root, exclude=config.all_excludes,
                                  respect_gitignore=config.respect_gitignore, follow_links=config.follow_links)
    if diagnostics:  # missing paths and the like: let the real scan report them
        return None
    digests = _Digests(directory)
    try:
        key.add_rules(config)
        for name in extra_files:
            key.add("extra " + name, Path(name).read_bytes())
        for file in files:
            key.add(f"file {file.path} {file.language}", digests.of(file.abs_path))
    except OSError:
        return None
    digests.save()
    return key.hexdigest()


def unit_base(config, root: str) -> str | None:
    """The key every per-component unit starts from (:mod:`toolsink.unitcache`): toolsink's code, the
    configuration, the rule and model files and the scan root; None when a rule file cannot be read."""
    key = _Key(config)
    key.add("root", os.path.abspath(root).encode("utf-8", "surrogateescape"))
    try:
        key.add_rules(config)
    except OSError:
        return None
    return key.hexdigest()


class _Key:
    """A SHA-256 over labelled, length-prefixed parts (two different inputs never give the same bytes),
    starting with what every key covers: toolsink's version and code, and the configuration."""

    def __init__(self, config) -> None:
        self._digest = hashlib.sha256()
        self.add("version", __version__.encode())
        package = Path(__file__).resolve().parent  # a changed install (or a developer's edit) is a new key
        for path in sorted(package.rglob("*.py")):
            stat = path.stat()
            self.add("code " + str(path), f"{stat.st_mtime_ns} {stat.st_size}".encode())
        self.add("config", json.dumps(asdict(config), sort_keys=True, default=str).encode())

    def add(self, label: str, data: bytes) -> None:
        self._digest.update(label.encode("utf-8", "surrogateescape") + b"\0" + len(data).to_bytes(8, "little")
                            + data)

    def add_rules(self, config) -> None:
        for path in _rule_files(config.rules_dirs):
            self.add("rule " + str(path), path.read_bytes())

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


RACY_NS = 2_000_000_000  # a stat within this of the hashing is not trusted (coarse file-system clocks)


class _Digests:
    """SHA-256 digests of source files, remembered in the cache directory by stat.

    Reading and hashing every file was a third of a cached run. A remembered digest is used only when
    the file's (size, mtime, ctime, inode, device) equal those seen when it was hashed and both times are
    at least :data:`RACY_NS` older than that hashing began (git's "racily clean" rule): a write after the
    hashing changes the ctime, which nobody can set back, and a write in the same clock tick as the stat
    is excluded by the margin. Anything else (a new, touched or young file) is read and hashed again, so
    the digest always reflects content. The memo is signed like an entry; a bad one is ignored."""

    MAGIC = b"toolsink-digests 1\n"

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.started = time.time_ns()
        known = _load_signed(directory / "digests", self.MAGIC, "digests") if directory is not None else None
        self.known: dict[str, list] = known if isinstance(known, dict) else {}
        self.changed = False

    def of(self, path: str) -> bytes:
        stat = os.stat(path)
        seen = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)
        row = self.known.get(path)
        if (isinstance(row, list) and len(row) == 7 and tuple(row[:5]) == seen and isinstance(row[6], str)
                and isinstance(row[5], int) and max(seen[1], seen[2]) < row[5] - RACY_NS):
            try:
                return bytes.fromhex(row[6])
            except ValueError:
                pass
        with open(path, "rb") as fh:
            value = hashlib.sha256(fh.read()).digest()
        self.known[path] = [*seen, self.started, value.hex()]
        self.changed = True
        return value

    def save(self) -> None:
        if self.directory is not None and self.changed:
            _store_signed(self.directory / "digests", self.MAGIC, "digests",
                          json.dumps(self.known, separators=(",", ":")).encode())


def _load_signed(path: Path, magic: bytes, label: str, decode: bool = True):
    """The JSON value of a signed side file (its bytes with ``decode=False``), or ``None`` when missing,
    corrupt or unsigned."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    if not blob.startswith(magic) or blob[len(magic) + 64:len(magic) + 65] != b"\n":
        return None
    body = blob[len(magic) + 65:]
    try:
        expected = hmac.new(_user_key(), label.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(blob[len(magic):len(magic) + 64], expected):
            return None
        return json.loads(body) if decode else body
    except (OSError, ValueError):
        return None


def _store_signed(path: Path, magic: bytes, label: str, body: bytes) -> None:
    """Sign and write a side file atomically; one that cannot be written is skipped."""
    try:
        signature = hmac.new(_user_key(), label.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()
        _write_atomic(path, magic + signature + b"\n" + body)
    except OSError:
        return


def cache_dir(root: str, explicit: str | None) -> Path:
    return Path(explicit) if explicit else Path(root) / DIR_NAME


def load(directory: Path, key: str) -> dict | None:
    """The cached entry for ``key`` (``output`` is the report's UTF-8 bytes), or ``None`` when missing,
    corrupt, truncated, foreign or unsigned.

    An entry is ``MAGIC``, the hex HMAC, a newline, one line of JSON (version, key, exit code, output
    length) and the report's UTF-8 bytes as they were: decoding a multi-megabyte report as a JSON string
    cost more than the rest of a cached run (measured 0.12 s of 0.6 s on a 17 MB report)."""
    try:
        blob = (directory / f"{key}.json").read_bytes()
    except OSError:
        return None
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 65 or blob[len(MAGIC) + 64:len(MAGIC) + 65] != b"\n":
        return None
    signature, body = blob[len(MAGIC):len(MAGIC) + 64], memoryview(blob)[len(MAGIC) + 65:]
    try:
        mac = hmac.new(_user_key(), key.encode() + b"\0", hashlib.sha256)
    except OSError:
        return None
    mac.update(body)
    if not hmac.compare_digest(signature, mac.hexdigest().encode()):
        return None
    newline = blob.find(b"\n", len(MAGIC) + 65)
    if newline < 0:
        return None
    try:  # the report bytes are not decoded: the signature proves this process's user wrote them
        entry = json.loads(blob[len(MAGIC) + 65:newline])
    except ValueError:
        return None
    if not isinstance(entry, dict) or entry.get("version") != __version__ or entry.get("key") != key:
        return None
    if not isinstance(entry.get("code"), int) or entry.get("length") != len(blob) - newline - 1:
        return None
    entry["output"] = blob[newline + 1:]
    return entry


def command_id(options: dict, config) -> str:
    """What a scan command is, apart from the files' contents: entries with the same id replace each other."""
    text = json.dumps([options, asdict(config)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def store(directory: Path, key: str, output: str, code: int, command: str = "") -> None:
    """Write an entry atomically, then remove older entries of the same ``command`` (each re-run after an
    edit would otherwise leave its report behind); a cache that cannot be written is silently skipped."""
    data = output.encode("utf-8", "surrogateescape")  # a file name that is not UTF-8 keeps its bytes
    header = json.dumps({"version": __version__, "key": key, "code": code, "length": len(data),
                         "command": command}).encode()
    body = header + b"\n" + data
    try:
        signature = hmac.new(_user_key(), key.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()
        _write_atomic(directory / f"{key}.json", MAGIC + signature + b"\n" + body)
    except OSError:
        return
    if command:
        _prune(directory, key, command)


def _prune(directory: Path, key: str, command: str) -> None:
    """Delete the entries (other than ``key``) whose header names ``command``. Only the header line is
    read; an entry of another command, version or user is left alone."""
    try:
        names = [p for p in directory.glob("*.json") if p.stem != key]
    except OSError:
        return
    for path in names:
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(MAGIC) + 65 + 4096)
            line = head[len(MAGIC) + 65:].split(b"\n", 1)[0]
            if head.startswith(MAGIC) and json.loads(line).get("command") == command:
                path.unlink()
        except (OSError, ValueError, AttributeError):
            continue


def _write_atomic(path: Path, blob: bytes) -> None:
    """Write ``blob`` to a temporary file beside ``path`` and move it into place (creating the directory
    with its ``.gitignore``), so a concurrent reader sees the old file or the new one, never a part."""
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Automatically created by toolsink.\n*\n", encoding="utf-8")
    replace_file(path, blob, ".tmp-")
