"""Import-connected components: the unit of analysis, of the per-component cache and of re-analysis.

The engine reaches another module only by resolving an import: a name, a re-export, a star import, a
submodule, the base class of a subclass, the set-up code of an imported server module, the program a
module belongs to. So the modules of a project fall into *components*, the classes of the relation
"one imports the other" (in either direction, transitively), and nothing computed for one component can
depend on the text of a module outside it. A scan analyses each component with its own engine; a
component whose modules' contents and import resolutions are unchanged has the same findings as last
time, which is what the per-component cache (:mod:`toolsink.unitcache`) and the language server reuse.

:func:`import_specs` lists every specifier a module's import statements can make the index resolve
(also in function bodies: the engine follows imports where they are written); :func:`components`
resolves them against the whole project's index and joins the modules they connect.
"""

from __future__ import annotations

from . import ir
from .walk import sub_bodies

Spec = tuple[int, str]  # (level, specifier) as Project.resolve_module takes them


def import_specs(module: ir.Module) -> tuple[Spec, ...]:
    """Every ``(level, specifier)`` the index may be asked to resolve for ``module``'s imports."""
    out: set[Spec] = set()
    python = module.language == "python"
    bodies = [module.body, *(fn.body for fn in module.functions), *(cls.body for cls in module.classes)]
    while bodies:
        for st in bodies.pop():
            if isinstance(st, ir.Import):
                out.add((st.level, st.module))
                if not python and st.module.startswith("node:"):
                    out.add((st.level, st.module[5:]))
                if python:  # `from pkg import mod`: a submodule, or a name in pkg
                    for name in st.names:
                        if name.name:
                            out.add((st.level, f"{st.module}.{name.name}" if st.module else name.name))
            elif not isinstance(st, (ir.FunctionDef, ir.ClassDef)):  # those bodies are listed above
                bodies.extend(sub_bodies(st))
    return tuple(sorted(out))


def resolved_edges(project, module: ir.Module, specs) -> tuple[str, ...]:
    """The paths of the project modules ``specs`` resolve to from ``module`` (itself excluded)."""
    out: set[str] = set()
    for level, spec in specs:
        found = project.resolve_module(module, spec, level)
        if found is not None and found is not module:
            out.add(found.path)
    return tuple(sorted(out))


def components(project, specs: dict[str, tuple[Spec, ...]] | None = None,
               edges: dict[str, tuple[str, ...]] | None = None) -> list[list[ir.Module]]:
    """The project's modules grouped by import connection, each group and the groups in scan order.
    ``specs`` maps a path to its import specifiers when they are known without the module's body (the
    per-component cache keeps them per file); otherwise they are read from the module. ``edges``, if
    given, receives each module's resolved imports (part of a component's cache key)."""
    modules = project.modules
    index = {m.path: i for i, m in enumerate(modules)}
    parent = list(range(len(modules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, m in enumerate(modules):
        wanted = specs.get(m.path) if specs is not None else None
        found = resolved_edges(project, m, wanted if wanted is not None else import_specs(m))
        if edges is not None:
            edges[m.path] = found
        for path in found:
            a, b = find(i), find(index[path])
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[ir.Module]] = {}
    for i, m in enumerate(modules):
        groups.setdefault(find(i), []).append(m)
    return list(groups.values())
