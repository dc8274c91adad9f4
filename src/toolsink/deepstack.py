"""Running deeply recursive analysis safely: on a thread with a large stack and a high recursion limit.

The engine composes summaries recursively (a tool reaching its sink through 150 helper calls is 150
nested summaries, each a few dozen Python frames deep) and the frontends lower nested syntax recursively.
CPython's default limit (1,000 frames) and the main thread's C stack (8 MiB) are too small for that, and
raising the limit alone risks a crash of the interpreter. A worker thread gets its own large stack; the
interpreter-wide limit is raised only while it runs, and the engine bounds call depth itself
(:data:`toolsink.engine.records.MAX_CALL_DEPTH`) and says where it stopped.
"""

from __future__ import annotations

import sys
import threading

STACK_BYTES = 512 * 1024 * 1024  # virtual memory: only the pages the recursion touches are used
RECURSION_LIMIT = 60_000
_local = threading.local()
_lock = threading.Lock()


def run_deep(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` on a thread with a large stack; exceptions propagate to the caller."""
    if getattr(_local, "deep", False):
        return fn(*args, **kwargs)
    box: dict = {}

    def target() -> None:
        _local.deep = True
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the calling thread
            box["error"] = exc

    with _lock:  # stack_size and the recursion limit are process-wide settings
        old_size = threading.stack_size()
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))  # before the worker starts recursing
        try:
            threading.stack_size(STACK_BYTES)
            try:
                worker = threading.Thread(target=target, name="toolsink-analysis", daemon=True)
                worker.start()
            finally:
                threading.stack_size(old_size)
            worker.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]
    return box.get("result")
