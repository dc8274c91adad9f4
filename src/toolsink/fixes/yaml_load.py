"""Fix kind ``yaml-safe-load`` (MCP107): PyYAML's ``yaml.load(x)``, ``yaml.load(x, Loader=yaml.Loader)``
(``FullLoader``, ``UnsafeLoader``) and ``yaml.unsafe_load(x)`` become ``yaml.safe_load(x)``; the ``_all``
forms become ``yaml.safe_load_all``.

Only a callee that resolves through an import of ``yaml`` in that module (``import yaml``, ``import yaml as
y``, ``from yaml import load``) is touched, never some object's ``load`` method; any other loader, extra
arguments or ``**kwargs`` need judgement and get no fix. A call through ``from yaml import load`` becomes
``safe_load(x)`` and ``safe_load`` is added to that import unless it is already bound to PyYAML's.
"""

from __future__ import annotations

import libcst as cst

from ..findings import Fix
from .snippets import remove_argument, resolve

KIND = "yaml-safe-load"

_TARGET = {"yaml.load": "safe_load", "yaml.unsafe_load": "safe_load",
           "yaml.load_all": "safe_load_all", "yaml.unsafe_load_all": "safe_load_all"}
_UNSAFE_LOADERS = {f"yaml.{n}" for n in ("Loader", "FullLoader", "UnsafeLoader")} | {
    f"yaml.loader.{n}" for n in ("Loader", "FullLoader", "UnsafeLoader")}


def _loader_arg(snippet, call: cst.Call) -> tuple[int | None, bool]:
    """(position of the Loader argument or None, whether the call is one we may rewrite)."""
    args = list(call.args)
    if not args or any(a.star for a in args):
        return None, False
    if args[0].keyword is not None and args[0].keyword.value != "stream":
        return None, False
    if len(args) == 1:
        return None, True
    if len(args) > 2:
        return None, False
    loader = args[1]
    if loader.keyword is not None and loader.keyword.value != "Loader":
        return None, False
    if resolve(snippet.file, loader.value) not in _UNSAFE_LOADERS:
        return None, False
    return 1, True


def yaml_fix(snippet) -> Fix | None:
    call = snippet.node
    file = snippet.file
    target = _TARGET.get(resolve(file, call.func) or "")
    if target is None:
        return None
    at, ok = _loader_arg(snippet, call)
    if not ok:
        return None
    table, path = file.table, file.path
    edits = []
    func = call.func
    if isinstance(func, cst.Attribute):
        start, end = snippet.span(func.attr)
        edits.append(table.edit(path, start, end, target))
    else:  # a name bound by `from yaml import load`
        bound = file.bindings.get(target)
        if bound is not None and bound != f"yaml.{target}":
            return None  # `safe_load` means something else here
        start, end = snippet.span(func)
        edits.append(table.edit(path, start, end, target))
        if bound is None:
            imports = file.imports_from.get("yaml")
            if not imports:
                return None
            last = imports[0].names[-1]
            end = file.char_offset(last.end_lineno, last.end_col_offset)
            edits.append(table.edit(path, end, end, f", {target}"))
    if at is not None:  # drop the Loader argument
        edit = remove_argument(snippet, at)
        if edit is None:
            return None  # it would delete a comment
        edits.append(edit)
    return Fix(KIND, f"Use `yaml.{target}`", tuple(sorted(edits, key=lambda e: e.start)))
