"""Atomic file replacement: write a temporary file beside the target, then rename it over the target, so a
reader never sees half a file (the result cache, files rewritten by ``--fix``)."""

from __future__ import annotations

import os
import tempfile


def replace_file(path, data: bytes, prefix: str, mode: int | None = None) -> None:
    """Replace ``path`` with ``data``; ``mode`` sets the new file's permissions (those of the file it replaces)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(tmp, mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
