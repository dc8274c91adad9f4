"""toolsink: a static-analysis security linter for MCP servers written in Python and TypeScript/JavaScript."""

__version__ = "0.1.0"
