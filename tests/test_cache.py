"""The CLI result cache: cached output equals a cold scan, before and after seeded random edits; corrupt,
truncated, foreign and unsigned entries are ignored; ``--no-cache`` neither reads nor writes."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from toolsink.cli import main

from conftest import FIXTURES

pytestmark = pytest.mark.uses_cache


def _run(capsys, tree: Path, *extra: str) -> tuple[int, str]:
    code = main(["scan", str(tree), "--root", str(tree), "-f", "json", *extra])
    return code, capsys.readouterr().out


def _entries(tree: Path) -> list[Path]:
    return sorted((tree / ".toolsink_cache").glob("*.json"))


def _strip_seconds(text: str) -> str:
    import json

    data = json.loads(text)
    data.pop("seconds", None)
    data.get("summary", {}).pop("seconds", None) if isinstance(data.get("summary"), dict) else None
    return json.dumps(data, sort_keys=True)


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_cached_equals_cold_after_random_edits(tmp_path, capsys, language):
    tree = tmp_path / language
    shutil.copytree(FIXTURES / language, tree)
    rng = random.Random(13)
    for round_ in range(3):
        cold_code, cold = _run(capsys, tree, "--no-cache")
        assert not (tree / ".toolsink_cache").exists() or round_ > 0
        first_code, first = _run(capsys, tree)  # writes the entry
        assert _entries(tree), "a scan with the cache on writes an entry"
        assert (tree / ".toolsink_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
        with pytest.MonkeyPatch.context() as mp:  # served from the entry: no scan runs
            mp.setattr("toolsink.scan.scan", lambda *a, **k: pytest.fail("cache miss on an unchanged tree"))
            warm_code, warm = _run(capsys, tree)
        assert warm == first
        assert (warm_code, _strip_seconds(warm)) == (cold_code, _strip_seconds(cold))
        # a seeded random edit: append a vulnerable handler or blank lines to a random source file
        sources = sorted(p for p in tree.rglob("*") if p.suffix in (".py", ".ts", ".js") and p.is_file())
        victim = rng.choice(sources)
        victim.write_text(victim.read_text(encoding="utf-8") + "\n" * rng.randint(1, 5), encoding="utf-8")
        lines = victim.read_text(encoding="utf-8").splitlines()
        del lines[rng.randrange(len(lines))]  # may change findings or make the file invalid: both are fine
        victim.write_text("\n".join(lines) + "\n", encoding="utf-8")
        edited_code, edited = _run(capsys, tree)
        assert len(_entries(tree)) == 1, "the entry of the same command before the edit is replaced"
        recold_code, recold = _run(capsys, tree, "--no-cache")
        assert (edited_code, _strip_seconds(edited)) == (recold_code, _strip_seconds(recold))


def test_corrupt_truncated_and_foreign_entries_are_ignored(tmp_path, capsys, monkeypatch):
    tree = tmp_path / "python"
    shutil.copytree(FIXTURES / "python", tree)
    code, cold = _run(capsys, tree)
    [entry] = _entries(tree)
    blob = entry.read_bytes()
    forged = blob.replace(b'"code": 1', b'"code": 0').replace(b"MCP101", b"MCP999")
    assert forged != blob
    for bad in (blob[: len(blob) // 2], b"", b"garbage", forged, blob[:17] + b"0" * 64 + blob[81:]):
        entry.write_bytes(bad)
        again_code, again = _run(capsys, tree)
        assert (again_code, _strip_seconds(again)) == (code, _strip_seconds(cold))
    # an entry signed under another user's key (a cache shipped inside a cloned repository) is ignored
    entry.write_bytes(forged)
    monkeypatch.setenv("TOOLSINK_KEY_DIR", str(tmp_path / "other-user"))
    other_code, other = _run(capsys, tree)
    assert (other_code, _strip_seconds(other)) == (code, _strip_seconds(cold))


def test_no_cache_neither_reads_nor_writes(tmp_path, capsys):
    tree = tmp_path / "python"
    shutil.copytree(FIXTURES / "python", tree)
    _run(capsys, tree, "--no-cache")
    assert not (tree / ".toolsink_cache").exists()
    code, out = _run(capsys, tree)
    [entry] = _entries(tree)
    from toolsink import cache

    cache.store(entry.parent, entry.stem, '{"planted": true}', 0)  # a valid, signed entry
    assert _run(capsys, tree) == (0, '{"planted": true}\n')  # the cache is read ...
    assert _run(capsys, tree, "--no-cache") == (code, out) or _strip_seconds(
        _run(capsys, tree, "--no-cache")[1]) == _strip_seconds(out)  # ... and --no-cache ignores it
    assert _run(capsys, tree, "--no-cache")[0] == code
    _run(capsys, tree, "-f", "text")  # another command keeps its own entry beside this one
    assert len(_entries(tree)) == 2
    cache_dir = tmp_path / "elsewhere"
    _run(capsys, tree, "--cache-dir", str(cache_dir))
    assert list(cache_dir.glob("*.json")), "--cache-dir is where entries go"


def test_builtin_rules_dir_matches_the_rule_loader():
    from toolsink import cache
    from toolsink.rules import RULES_DIR

    assert cache.builtin_rules_dir() == RULES_DIR


def test_a_same_size_edit_with_the_old_mtime_is_noticed(tmp_path, capsys, monkeypatch):
    """The stat memo trusts a digest only while (size, mtime, ctime, inode) are unchanged: an edit that keeps
    the size and restores the modification time still changes the ctime, so the file is hashed again."""
    import os

    from toolsink import cache

    monkeypatch.setattr(cache, "RACY_NS", 0)  # trust the memo at once (files here are seconds old)
    tree = tmp_path / "python"
    shutil.copytree(FIXTURES / "python", tree)
    victim = next(p for p in sorted(tree.rglob("*.py")) if b"# error: MCP101" in p.read_bytes())
    code, first = _run(capsys, tree)
    assert (tree / ".toolsink_cache" / "digests").is_file()
    stat = victim.stat()
    data = victim.read_bytes()
    edited = data.replace(b"# error: MCP101", b"# errxr: MCP101", 1)
    assert len(edited) == len(data) and edited != data
    victim.write_bytes(edited)
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert victim.stat().st_mtime_ns == stat.st_mtime_ns and victim.stat().st_size == stat.st_size
    with pytest.MonkeyPatch.context() as mp:
        calls = []
        real = __import__("toolsink.scan", fromlist=["scan"]).scan
        mp.setattr("toolsink.scan.scan", lambda *a, **k: calls.append(1) or real(*a, **k))
        _run(capsys, tree)
    assert calls, "an edited file (same size, same mtime) must not be served from the cache"


def test_the_stat_memo_is_used_and_must_be_signed(tmp_path, capsys, monkeypatch):
    """A signed memo is trusted for files whose stat it matches (so the key changes when its digests are
    planted), and an unsigned or foreign one is ignored."""
    import json

    from toolsink import cache

    monkeypatch.setattr(cache, "RACY_NS", 0)
    tree = tmp_path / "python"
    shutil.copytree(FIXTURES / "python", tree)
    _run(capsys, tree)
    memo = tree / ".toolsink_cache" / "digests"
    known = json.loads(memo.read_bytes().split(b"\n", 2)[2])
    assert len(known) == len(list(tree.rglob("*.py")))
    planted = {path: row[:6] + ["00" * 32] for path, row in known.items()}

    class Scanned(BaseException):  # not caught by the CLI's handler of internal errors
        pass

    def refuse(*args, **kwargs):
        raise Scanned

    def served() -> bool:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("toolsink.scan.scan", refuse)
            try:
                _run(capsys, tree)
            except Scanned:
                return False
            return True

    assert served()
    body = json.dumps(planted).encode()
    memo.write_bytes(cache._Digests.MAGIC + b"0" * 64 + b"\n" + body)  # unsigned: ignored, files re-hashed
    assert served()
    cache._store_signed(memo, cache._Digests.MAGIC, "digests", body)  # signed: trusted, so a new key
    assert not served()
