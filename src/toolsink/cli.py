"""Command-line interface: argument parsing and exit codes only; the work happens in :mod:`toolsink.scan`.

Exit codes, the same for every format: 0 no findings (at or above ``fail-on``), 1 findings,
2 usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMAT_CHOICES = ("text", "concise", "json", "sarif", "github")


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="toolsink",
        description="Static-analysis security linter for MCP servers (Python, TypeScript, JavaScript).",
    )
    parser.add_argument("--version", action="version", version=f"toolsink {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser("scan", help="scan files and directories for vulnerable MCP servers")
    scan.add_argument("paths", nargs="*", default=[], metavar="PATH", help="files or directories (default: .)")
    scan.add_argument("--format", "-f", choices=FORMAT_CHOICES, default="text", help="output format (default: text)")
    scan.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    scan.add_argument("--select", type=_codes, metavar="CODES", help="only these rule codes or prefixes (MCP1,MCP201)")
    scan.add_argument("--ignore", type=_codes, metavar="CODES", help="skip these rule codes or prefixes")
    scan.add_argument("--extend-select", type=_codes, metavar="CODES", help="add to the configured selection")
    scan.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                      help="gitignore-style pattern to skip (repeatable)")
    scan.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    scan.add_argument("--config", metavar="FILE", help="pyproject.toml or toolsink.toml to use")
    scan.add_argument("--root", metavar="DIR", help="directory that reported paths are relative to")
    scan.add_argument("--project-root", metavar="DIR",
                      help="index every source file under DIR (flows across modules) but report only on PATHs")
    scan.add_argument("--no-respect-gitignore", action="store_true", help="scan files that .gitignore excludes")
    scan.add_argument("--force-exclude", action="store_true",
                      help="apply exclude/extend-exclude to files named on the command line too (pre-commit)")
    scan.add_argument("--follow-links", action="store_true",
                      help="follow symlinks that point outside the scanned folders (not followed by default)")
    scan.add_argument("--sarif-category", metavar="ID", help="SARIF automationDetails.id, for several runs per repo")
    scan.add_argument("--stdin-filename", metavar="PATH",
                      help="read the contents of PATH from standard input (editors); other files come from disk")
    scan.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE")
    scan.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit 0")
    scan.add_argument("--require-reason", action="store_true", help="a suppression without a reason is an error")
    scan.add_argument("--report-unused-suppressions", action="store_true", help="report suppressions that match nothing")
    scan.add_argument("--quiet", "-q", action="store_true", help="text format: no summary line")
    scan.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                      help="colour the text report: auto (default: on a terminal, unless NO_COLOR is set; "
                      "FORCE_COLOR forces it), always or never")
    scan.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    scan.add_argument("--statistics", action="store_true",
                      help="print the number of findings per rule and the registrations per file, not the findings")
    scan.add_argument("--fix", action="store_true",
                      help="apply the safe fixes (findings marked [*]), then report what remains (docs/fixes.md)")
    scan.add_argument("--diff", action="store_true",
                      help="print the safe fixes as a unified diff, write nothing; exit 1 when there are any")
    scan.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    scan.add_argument("--cache-dir", metavar="DIR", help="result cache directory (default: ROOT/.toolsink_cache)")
    scan.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N",
                      help="worker processes for a large project (default: one per core; 1: none)")

    rules = sub.add_parser("rules", help="list the rules, or show one rule's documentation")
    rules.add_argument("code", nargs="?", help="a rule code, e.g. MCP101")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    manifest = sub.add_parser("manifest", help="write the static tools/list inventory of a server as JSON")
    manifest.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    manifest.add_argument("--output", "-o", metavar="FILE")
    manifest.add_argument("--check", metavar="FILE", help="compare with a committed manifest; exit 1 when it differs")
    manifest.add_argument("--config", metavar="FILE")

    lsp = sub.add_parser("lsp", help="run the language server on standard input/output")
    lsp.add_argument("--stdio", action="store_true", help="talk over standard input/output (the default and only "
                     "transport; accepted because editors' language clients append it)")
    return parser


def main(argv: list[str] | None = None) -> int:
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            from .commands import rules_command

            return rules_command(args)
        if args.command == "manifest":
            from .commands import manifest_command

            return manifest_command(args)
        if args.command == "lsp":
            from .integrations.lsp import main as lsp_main

            return lsp_main()
    except KeyboardInterrupt:
        print("toolsink: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `toolsink rules | head -1`: the reader has all it wanted
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:  # an internal error is exit 2, with a message, never a bare traceback
        from .config import ConfigError
        from .rules import RuleError

        if isinstance(exc, (ConfigError, RuleError)):
            print(f"toolsink: error: {exc}", file=sys.stderr)
        else:
            print(f"toolsink: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            if getattr(args, "debug", False) or os.environ.get("TOOLSINK_DEBUG"):
                traceback.print_exc()
            else:
                print("toolsink: run with --debug for the traceback, and please report it", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_ERROR


def _unknown_selectors(config) -> list[str]:
    """A line for each selector in --select/--ignore/--extend-select or the configuration that names no rule."""
    import difflib

    from .rules import load_rules

    codes = list(load_rules(tuple(str(d) for d in config.rules_dirs)))
    out = []
    for selector in config.unmatched_selectors(codes):
        close = difflib.get_close_matches(selector.upper(), codes, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else f"; rule codes are {codes[0]} to {codes[-1]} (`toolsink rules`)"
        out.append(f'unknown rule code or prefix "{selector}" in the rule selection (--select, --ignore, '
                   f"--extend-select or the configuration){hint}")
    return out


def _stdin_paths(name: str, project_root: str | None) -> tuple[list[str], str | None]:
    """What to scan for ``--stdin-filename NAME`` without a PATH: NAME itself when it is on disk; a new file
    (an unsaved editor buffer) is reported alone while its project is indexed for flows into other modules,
    as ``--project-root`` does."""
    if os.path.exists(name):
        return [name], project_root
    if project_root is None:
        from .integrations import project_root as find_project

        project_root = find_project(os.path.dirname(os.path.abspath(name)) or os.getcwd())
    return [name], project_root


def _silence_stdout() -> None:
    """After the reader of standard output went away, send what is left (and the final flush) nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _scan(args) -> int:
    from .config import load_config
    from .discover import default_root

    paths = list(args.paths) or ["."]
    named = [p for p in args.paths if p != "-"]  # PATHs the user gave (`-` and the default `.` are not)
    if "-" in paths:  # `toolsink scan - --stdin-filename X`: `-` is standard input, as in ruff and flake8
        if not args.stdin_filename:
            print("toolsink: error: `-` reads standard input and needs --stdin-filename to name the file",
                  file=sys.stderr)
            return EXIT_ERROR
        paths = [p for p in paths if p != "-"] or ["."]
    overrides = None
    if args.stdin_filename:
        data = sys.stdin.buffer.read()
        overrides = {args.stdin_filename: data}
        if not named:
            paths, args.project_root = _stdin_paths(args.stdin_filename, args.project_root)
    if overrides and (args.fix or args.diff):
        print("toolsink: error: --fix and --diff work on files, not on standard input", file=sys.stderr)
        return EXIT_ERROR
    missing = [p for p in paths if not os.path.lexists(p)] if not args.stdin_filename else []
    root = args.root or args.project_root or default_root(paths if not missing or len(missing) < len(paths) else ["."])
    config = load_config(root, explicit=args.config)
    config = config.with_overrides(select=args.select, ignore=args.ignore, extend_select=args.extend_select)
    if args.exclude:
        config.extend_exclude = list(config.extend_exclude) + args.exclude
    if args.no_respect_gitignore:
        config.respect_gitignore = False
    if args.follow_links:
        config.follow_links = True
    if args.force_exclude:
        config.force_exclude = True
    if args.require_reason:
        config.require_reason = True
    if args.report_unused_suppressions:
        config.report_unused_suppressions = True
    if overrides:
        overrides = {os.path.relpath(os.path.abspath(k), os.path.abspath(root)).replace(os.sep, "/"): v
                     for k, v in overrides.items()}
    options = {"category": args.sarif_category, "version": __version__, "quiet": args.quiet,
               "color": use_color(args.color, args.output is None and sys.stdout.isatty())}
    cached = None
    use_cache = not (args.no_cache or args.write_baseline or args.fix or args.diff
                     or os.environ.get("TOOLSINK_NO_CACHE"))
    if use_cache and not overrides:  # the whole report of an unchanged project (standard input is not a file)
        from . import cache

        key_options = {k: v for k, v in sorted(vars(args).items()) if k not in ("output", "debug", "no_cache", "jobs")}
        key_options.update(options, root=os.path.abspath(root), cwd=os.getcwd())
        directory = cache.cache_dir(root, args.cache_dir)
        key = cache.scan_key([args.project_root, *paths] if args.project_root else paths, config, root,
                             key_options, [args.baseline] if args.baseline else [], directory)
        if key is not None:
            entry = cache.load(directory, key)
            if entry is not None:
                return _emit(args, entry["output"]) or entry["code"]
            cached = (directory, key)
            command = cache.command_id(key_options, config)
    # After the cache: an entry is only written by a run that passed this check, and its key covers the
    # selection, the configuration and the rule files (loading the rules costs a third of a cached run).
    unknown = _unknown_selectors(config)
    if unknown:  # a typo in --select or `select = [...]` must not give a green run that checked nothing
        print("\n".join(f"toolsink: error: {line}" for line in unknown), file=sys.stderr)
        return EXIT_ERROR
    from .baseline import filter_baseline, write_baseline  # after the cache: a cached run never needs them
    from .report import FORMATS
    from .parallel import default_jobs
    from .scan import scan

    progress = _progress if sys.stderr.isatty() and not args.quiet and not os.environ.get("CI") else None
    # The CLI owns its process: keep the raised GC thresholds and freeze the result graph, so reporting
    # never rescans it (see :func:`run` for the exit).
    scanned = paths  # an unsaved buffer (--stdin-filename not on disk) is scanned from `overrides` alone
    if args.project_root:
        scanned = [args.project_root, *[p for p in paths if p != args.stdin_filename or os.path.lexists(p)]]
    store = None
    if use_cache:  # units of files and components: an edit re-analyses what it touched (docs/cache.md)
        from . import cache
        from .unitcache import UnitStore

        base = cache.unit_base(config, root)
        store = UnitStore(base, cache.cache_dir(root, args.cache_dir)) if base is not None else None
    analysis = scan(scanned, config, root=root,
                    overrides=overrides, progress=progress, restore_gc=False, store=store,
                    fixes=True, jobs=args.jobs or default_jobs())  # `[*]` marks, SARIF/JSON fixes, --fix
    if store is not None:
        store.save()
    import gc

    if progress is not None:
        _progress_done()
    gc.freeze()
    result = analysis.result
    _note_no_server(result, paths, root)
    if args.project_root:  # pre-commit: the repository is indexed, the named files reported
        from .integrations import restrict

        restrict(result, paths, root)
    from .rules import load_rules

    rules = load_rules(tuple(str(d) for d in config.rules_dirs))
    if args.write_baseline:
        n = write_baseline(args.write_baseline, result.findings)
        print(f"toolsink: wrote {n} findings to {args.write_baseline}", file=sys.stderr)
        return EXIT_OK
    if args.baseline:
        result.findings = filter_baseline(args.baseline, result.findings)
    fixed_note = ""
    if args.fix or args.diff:  # docs/fixes.md
        from .fixes.cli import apply_fixes, rescan

        code, fixed_note = apply_fixes(args, result)
        if args.diff or code == EXIT_ERROR:
            return code
        result = rescan(args, paths, config, root)  # report what remains
    output = statistics(result, rules) if args.statistics else FORMATS[args.format](result, rules, **options)
    if fixed_note:
        fixed_note = fixed_note.format(remaining=len(result.findings))
        if args.format in ("text", "concise") and not args.output:
            output += fixed_note + "\n"
        else:
            print(f"toolsink: {fixed_note}", file=sys.stderr)
    failed = _emit(args, output)
    if failed:
        return failed
    code = _exit_code(args, config, result)
    if cached is not None:
        from . import cache

        cache.store(*cached, output, code, command)
    return code


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes (1 or more), got {text!r}")
    return value


def _note_no_server(result, paths: list[str], root: str) -> None:
    """Source files scanned but not one MCP registration: say so (a note; the exit code is unchanged), since
    toolsink traces tool arguments and a scan that saw no tool checked no flow."""
    if not result.files_scanned or result.registrations:
        return
    if any(d.code in ("no-registration", "all-excluded") for d in result.diagnostics):
        return  # already said, with the module that looks like a server
    from .integrations import display_path
    from .ir import Diagnostic

    n = result.files_scanned
    result.diagnostics.append(Diagnostic(
        display_path(paths[0], root), f"{n} source file{'s' if n != 1 else ''} scanned, but none registers an MCP "
        "tool, resource or prompt (such as `@mcp.tool()` or `server.tool(...)`), so no tool argument was traced; "
        "is this the server's folder?",
        "no-mcp-server", level="note"))


def use_color(choice: str, terminal: bool) -> bool:
    """``--color``: ``always`` and ``never`` win; ``auto`` colours when ``FORCE_COLOR`` is set (not empty, not
    ``0``), else not when ``NO_COLOR`` is set (not empty), else when the report goes to a terminal."""
    if choice != "auto":
        return choice == "always"
    force = os.environ.get("FORCE_COLOR", "")
    if force and force != "0":
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return terminal


def _progress(done: int, total: int, phase: str = "parsed") -> None:
    """One status line on standard error (a terminal), rewritten in place for each phase of the scan."""
    print(f"\r\x1b[Ktoolsink: {phase} {done}/{total} files", end="", file=sys.stderr, flush=True)


def _progress_done() -> None:
    print("\r\x1b[K", end="", file=sys.stderr, flush=True)


def statistics(result, rules) -> str:
    """``--statistics``: findings per rule, most frequent first (as ruff), then what each file registers, so
    a user can compare the tools toolsink saw with the tools they wrote."""
    from collections import Counter

    lines = []
    for code, n in sorted(Counter(f.rule for f in result.findings).items(), key=lambda kv: (-kv[1], kv[0])):
        rule = rules.get(code)
        lines.append(f"{n:5d}  {code}  {rule.name if rule else ''}".rstrip())
    if not lines:
        lines.append("    0  findings")
    per_file: dict[str, Counter] = {}
    for reg in result.registrations:
        per_file.setdefault(reg.path, Counter())[reg.kind] += 1
    if per_file:
        lines += ["", "registrations per file:"]
        for path in sorted(per_file):
            c = per_file[path]
            lines.append(f"  {path}: {c['tool']} tools, {c['resource']} resources, {c['prompt']} prompts")
    return "\n".join(lines) + "\n"


def _emit(args, output: str | bytes) -> int | None:
    """Write the report (text, or a cached report's UTF-8 bytes); an exit code when it could not be written."""
    if isinstance(output, bytes) and not args.output and not _utf8_stdout():
        output = output.decode("utf-8", "surrogateescape")
    if args.output:
        try:
            if isinstance(output, bytes):  # the same bytes the text mode below writes
                with open(args.output, "wb") as fh:
                    fh.write(output)
            else:
                # surrogateescape: a file name that is not UTF-8 is written back as its own bytes
                with open(args.output, "w", encoding="utf-8", errors="surrogateescape", newline="\n") as fh:
                    fh.write(output)
        except OSError as exc:  # a missing folder, a directory, a full disk
            print(f"toolsink: error: cannot write the report to {args.output}: {exc.strerror or exc}",
                  file=sys.stderr)
            return EXIT_ERROR
    elif output:
        try:
            if isinstance(output, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(output if output.endswith(b"\n") else output + b"\n")
                sys.stdout.buffer.flush()
            else:
                sys.stdout.write(output if output.endswith("\n") else output + "\n")
                sys.stdout.flush()
        except BrokenPipeError:  # `toolsink scan . | head`: the exit code still tells the result
            _silence_stdout()
    return None


def _utf8_stdout() -> bool:
    """Standard output takes UTF-8 bytes as they are (no other encoding, no newline translation)."""
    import codecs

    try:
        encoding = codecs.lookup(sys.stdout.encoding or "").name
    except (LookupError, AttributeError):
        return False
    return encoding == "utf-8" and os.linesep == "\n" and hasattr(sys.stdout, "buffer")


def _exit_code(args, config, result) -> int:
    fails = [f for f in result.findings if config.fails_on(f.severity)]
    not_found = [d for d in result.diagnostics if d.code == "path-not-found"]
    if not_found:  # a mistyped path must not pass CI as "no findings"
        if args.format != "text":  # the text report already says so
            print("\n".join(f"toolsink: error: {d.message}" for d in not_found), file=sys.stderr)
        return EXIT_ERROR
    if any(d.level == "error" and d.code == "suppression-without-reason" for d in result.diagnostics):
        return EXIT_FINDINGS if not args.exit_zero else EXIT_OK
    if fails and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def _tolerant_streams() -> None:
    """A terminal or pipe whose encoding cannot show every character (``PYTHONIOENCODING=latin-1``, a legacy
    Windows console) gets escapes for those characters instead of ending the run with an encoding error."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream that cannot change: leave it
                pass


def run() -> None:  # pragma: no cover - the console-script entry point; tests call main()
    """Run :func:`main` and end the process without tearing down its objects.

    Freeing a large scan's result graph at interpreter exit took seconds (measured: 3.7 s of a 16 s scan
    of 300k lines); the process is ending anyway, so after flushing the output it exits directly."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # a closed pipe: let the normal exit report it
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
