"""``toolsink scan --fix`` and ``--diff`` for the CLI: apply (or show) the fixes on a scan's findings."""

from __future__ import annotations

import sys

from .apply import plan, unified_diff, write


def _n(count: int) -> str:
    return f"{count} finding" if count == 1 else f"{count} findings"


def apply_fixes(args, result) -> tuple[int, str]:
    """(exit code, note). ``--diff``: the diff goes to standard output (or ``--output``), the exit code is
    1 when there are changes. ``--fix``: the files are written; the note, completed with ``{remaining}``
    after the re-scan, says how many findings were fixed."""
    changes = plan(result)
    if args.diff:
        text = unified_diff(changes)
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        elif text:
            sys.stdout.write(text)
            sys.stdout.flush()
        print(f"toolsink: would fix {_n(changes.fixed)}" if changes.files else "toolsink: nothing to fix",
              file=sys.stderr)
        return (1 if changes.files else 0), ""
    errors = write(result.root, changes)
    if errors:
        print("\n".join(f"toolsink: error: {e}" for e in errors), file=sys.stderr)
        return 2, ""
    return 0, f"Fixed {_n(changes.fixed)} ({{remaining}} remaining)"


def rescan(args, paths: list[str], config, root: str):
    """The scan after ``--fix`` wrote its files, as the CLI's first one (project root, baseline), with the
    fixes that remain attached."""
    from ..baseline import filter_baseline
    from ..scan import scan
    from . import attach_fixes

    result = scan([args.project_root, *paths] if args.project_root else paths, config, root=root,
                  restore_gc=False).result
    if args.project_root:
        from ..integrations import restrict

        restrict(result, paths, root)
    if args.baseline:
        result.findings = filter_baseline(args.baseline, result.findings)
    attach_fixes(result)
    return result
