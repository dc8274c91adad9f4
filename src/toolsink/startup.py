"""Set-up code: what a server runs when its modules are imported or started, outside any tool.

A hardcoded root (a literal source of the models' ``literal_sources``: ``/Users/alice/...``, ``/tmp/...``)
is as much the server's root when module-level code uses it (``os.makedirs("/tmp/app/uploads")`` at
import, ``if __name__ == "__main__": main()``) as when a tool does. This module picks the server's modules
(those that register tools, the project modules they import, and the modules that import them: a
``__main__.py`` that starts the server), runs each one's top-level statements once as a function without
parameters through the engine, and hands the flows of sources of the rules that are not about tool
arguments (hardcoded roots; the client's credential, which an HTTP route may hand to the factory that
builds the server) to the :class:`FindingBuilder`. Flows of tool arguments are the tools' business.
"""

from __future__ import annotations

from collections import ChainMap

from . import ir
from .engine import Engine
from .entrypoints import Entry
from .index import Project
from .walk import sub_bodies

MAX_IMPORT_DEPTH = 6


def _imports(project: Project, module: ir.Module) -> list[ir.Module]:
    """Project modules ``module`` imports in its top-level code (also under ``if``/``try``)."""
    out: list[ir.Module] = []
    stack = list(module.body)
    while stack:
        st = stack.pop()
        if isinstance(st, ir.Import):
            found = project.resolve_module(module, st.module, st.level)
            if found is not None:
                out.append(found)
            for name in st.names:  # `from . import config`: a submodule named by the import
                if name.name and module.language == "python":
                    spec = f"{st.module}.{name.name}" if st.module else name.name
                    sub = project.resolve_module(module, spec, st.level)
                    if sub is not None:
                        out.append(sub)
        elif not isinstance(st, (ir.FunctionDef, ir.ClassDef)):
            for body in sub_bodies(st):
                stack.extend(body)
    return out


def server_modules(project: Project, entries: list[Entry]) -> list[ir.Module]:
    """The modules with registrations, the project modules they import (transitively), and the modules
    that import a module with registrations; in scan order."""
    with_entries = {id(e.module) for e in entries}
    graph = {id(m): _imports(project, m) for m in project.modules}
    chosen = set(with_entries)
    for m in project.modules:
        if any(id(t) in with_entries for t in graph[id(m)]):
            chosen.add(id(m))
    frontier = list(chosen)
    for _ in range(MAX_IMPORT_DEPTH):
        nxt = []
        for mid in frontier:
            for t in graph.get(mid, ()):
                if id(t) not in chosen:
                    chosen.add(id(t))
                    nxt.append(id(t))
        frontier = nxt
    return [m for m in project.modules if id(m) in chosen]


def setup_function(module: ir.Module) -> ir.Function:
    """The module's top-level statements as a function without parameters."""
    last = len(module.lines) or 1
    return ir.Function(name="<module>", qualname=f"{module.name or module.path}.<module>", params=(),
                       body=module.body, span=ir.Span(1, 1, last, 1), module=module)


def setup_flows(engine: Engine, module: ir.Module, kinds: frozenset):
    """The flows of sources of ``kinds`` (not tool arguments) that the module's top-level code reaches."""
    # functions defined at the top are not closures of this run: what it records goes to a layer dropped after
    # it (copying the whole table for each module made set-up analysis quadratic in the project's size)
    saved = engine.closure_envs
    engine.closure_envs = ChainMap({}, saved)
    try:
        summary = engine.summary(setup_function(module))
    except RecursionError:
        return []
    finally:
        engine.closure_envs = saved
    return [f for f in summary.flows if f.fact.origin.owner is None and f.fact.origin.kind in kinds]
