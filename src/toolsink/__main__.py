"""``python -m toolsink``."""

from .cli import run

run()
