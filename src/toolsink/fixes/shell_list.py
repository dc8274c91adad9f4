"""Fix kind ``drop-shell`` (MCP101/MCP108): ``subprocess.run([...], shell=True)`` (``call``,
``check_call``, ``check_output``, ``Popen``) loses ``shell=True`` when the command is a list or tuple
literal whose program is a constant plain program name.

With ``shell=True`` a list is a bug: on POSIX only the first element reaches the shell (the rest become
``$0 $1 ...``), on Windows the list is joined into one command line for ``cmd.exe``. Without it every
element is one argument and nothing is interpreted. A string command, a program that is not a constant
plain name, a starred element, a constant holding shell syntax or ``shell=`` anything but ``True`` needs
judgement and gets no fix.
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from ..findings import Fix
from .snippets import remove_argument, resolve

KIND = "drop-shell"

_CALLEES = {f"subprocess.{n}" for n in ("run", "call", "check_call", "check_output", "Popen")}
_PROGRAM = re.compile(r"[A-Za-z0-9_./+:\\-]+\Z")
_SHELL_SYNTAX = re.compile(r"[|&;<>()$`*?\[\]#~!{}\n\r%^]")


def _constant(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        try:
            value = ast.literal_eval(node.value)
        except (SyntaxError, ValueError):
            return None
        return value if isinstance(value, str) else None
    return None


def shell_fix(snippet) -> Fix | None:
    call = snippet.node
    file = snippet.file
    if resolve(file, call.func) not in _CALLEES:
        return None
    args = list(call.args)
    if not args or args[0].keyword is not None or args[0].star:
        return None
    command = args[0].value
    if not isinstance(command, (cst.List, cst.Tuple)) or not command.elements:
        return None
    elements = list(command.elements)
    if any(not isinstance(e, cst.Element) for e in elements):  # *rest
        return None
    program = _constant(elements[0].value)
    if program is None or not _PROGRAM.match(program):
        return None
    for e in elements[1:]:
        value = _constant(e.value)
        if value is not None and _SHELL_SYNTAX.search(value):
            return None
    shells = [i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == "shell"]
    if len(shells) != 1 or any(a.star for a in args):
        return None
    at = shells[0]
    value = args[at].value
    if not (isinstance(value, cst.Name) and value.value == "True"):
        return None
    edit = remove_argument(snippet, at)
    if edit is None:
        return None  # it would delete a comment
    return Fix(KIND, "Remove `shell=True` (the command is already a list of arguments)",
               (edit,))
