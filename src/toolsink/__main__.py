"""``python -m toolsink``.

Python puts the current directory first on ``sys.path`` under ``-m``: a scanned repository's own
``yaml.py``, ``toolsink.py`` or ``tree_sitter.py`` would be imported instead of the real one. It is dropped
before anything else is imported, so ``python -m toolsink`` is as safe as the ``toolsink`` command.
"""

import os
import sys

_cwd = os.getcwd()
sys.path[:] = [p for p in sys.path if p not in ("", ".") and os.path.abspath(p) != _cwd]

from toolsink.cli import run  # noqa: E402  (after the path is cleaned)

if __name__ == "__main__":  # a worker process started by spawn (macOS, Windows) imports this module again
    run()
