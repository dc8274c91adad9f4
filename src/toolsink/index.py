"""The project index: modules by name, their top-level symbols, and import resolution across files.

A *symbol* is what a top-level name denotes: a project function or class, a value expression assigned at
module level, or an external (library) qualified name reached through an import. Resolution follows
imports and re-exports through the project's own modules, so ``from .tools import run`` in one file finds
the function defined in another; anything that leaves the project becomes a dotted qualified name
(``subprocess.run``, ``child_process.exec``) for the models to match.
"""

from __future__ import annotations

import copy
import posixpath
from dataclasses import dataclass

from . import ir

_JS_EXTS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


@dataclass(frozen=True, slots=True)
class Symbol:
    """``kind``: "function" | "class" | "value" | "external" | "module"."""

    kind: str
    module: ir.Module | None = None
    function: ir.Function | None = None
    cls: ir.Class | None = None
    expr: ir.Expr | None = None
    qualname: str = ""
    key: tuple = ()  # an import, resolved lazily: (level, module specifier, name, is default import)


def python_module_name(path: str) -> str:
    p = path[:-3] if path.endswith(".py") else path[:-4] if path.endswith(".pyi") else path
    parts = [x for x in p.split("/") if x not in ("", ".")]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def js_module_key(path: str) -> str:
    for ext in _JS_EXTS:
        if path.endswith(ext):
            return path[: -len(ext)]
    return path


class Project:
    def __init__(self, modules: list[ir.Module], aliases: list | None = None) -> None:
        self.modules = modules
        self.aliases = aliases or []  # tsconfig path aliases (toolsink.tsconfig.PathAlias)
        self.by_name: dict[str, ir.Module] = {}  # full path-derived names (relative imports), "js:" keys
        self.by_path: dict[str, ir.Module] = {}
        self._symbols: dict[int, dict[str, Symbol]] = {}
        self._exports: dict[int, dict[str, Symbol]] = {}
        # Python absolute imports resolve as Python does: against the directory above a module's package
        # (its source root: `src/`, the checkout, or a script's own folder), never by a path suffix, so a
        # project file named `subprocess.py` or `os.py` does not answer every `import subprocess`
        self.by_root: dict[tuple[str, str], ir.Module] = {}
        self._roots_of_name: dict[str, set[str]] = {}  # module name -> the source roots that have one
        self._root_of: dict[int, str] = {}
        self._absolute: dict[tuple[str, str, str], str | None] = {}  # (own root, folder, spec) -> path
        self._position: dict[str, int] | None = None  # path -> index in self.modules (replace_modules)
        packages = {posixpath.dirname(m.path) for m in modules
                    if m.language == "python" and posixpath.basename(m.path) in ("__init__.py", "__init__.pyi")}
        self.package_roots: list[str] = []
        for m in modules:
            self.by_path[m.path] = m
            if m.language == "python":
                m.name = python_module_name(m.path)
                self.by_name.setdefault(m.name, m)
                root = posixpath.dirname(m.path)
                while root in packages:
                    parent = posixpath.dirname(root)
                    if parent == root:  # an `__init__.py` at the top of the scan: its folder is a package too
                        root = ""
                        break
                    root = parent
                self._root_of[id(m)] = root
                rel = m.path[len(root) + 1:] if root else m.path
                name = python_module_name(rel)
                self.by_root.setdefault((root, name), m)
                self._roots_of_name.setdefault(name, set()).add(root)
                if posixpath.dirname(m.path) in packages and root not in self.package_roots:
                    self.package_roots.append(root)
            else:
                m.name = js_module_key(m.path)
                self.by_name.setdefault("js:" + m.name, m)
        self.package_roots.sort(key=lambda r: (r.count("/"), r))

    def view(self, modules: list[ir.Module]) -> "Project":
        """The same index (names, roots, symbol tables) with only ``modules`` to iterate: one import-connected
        component (:mod:`toolsink.components`), whose analysis never reaches a module outside it."""
        other = copy.copy(self)
        other.modules = modules
        return other

    def replace_modules(self, modules: list[ir.Module]) -> None:
        """Put lowered modules in the place of the stubs of the same paths (:mod:`toolsink.inputs`): names,
        roots and module tables follow; nothing was looked up in a stub yet."""
        for new in modules:
            old = self.by_path.get(new.path)
            if old is None or old is new:
                continue
            new.name = old.name
            self.by_path[new.path] = new
            for table in (self.by_name, self.by_root):
                for key in self._keys_of(old):
                    if table.get(key) is old:
                        table[key] = new
            if id(old) in self._root_of:
                self._root_of[id(new)] = self._root_of[id(old)]
            if self._position is None:
                self._position = {m.path: i for i, m in enumerate(self.modules)}
            i = self._position.get(new.path)
            if i is not None and self.modules[i] is old:
                self.modules[i] = new

    def release(self, modules: list[ir.Module], stubs: list[ir.Module]) -> None:
        """Put the stubs back in the place of lowered modules whose component is analysed, and forget the
        tables built for those modules, so their IR can be freed (:mod:`toolsink.parallel`)."""
        self.replace_modules(stubs)
        for m in modules:
            self._symbols.pop(id(m), None)
            self._exports.pop(id(m), None)
            self._root_of.pop(id(m), None)

    def _keys_of(self, module: ir.Module) -> list:
        if module.language != "python":
            return ["js:" + module.name]
        root = self._root_of.get(id(module), "")
        rel = module.path[len(root) + 1:] if root else module.path
        return [module.name, (root, python_module_name(rel))]

    # ------------------------------------------------------------------ modules

    def resolve_module(self, importer: ir.Module, spec: str, level: int = 0) -> ir.Module | None:
        if importer.language == "python":
            if level:
                base = importer.name.split(".") if importer.name else []
                if not importer.path.endswith("__init__.py"):
                    base = base[:-1]
                if level > 1:
                    base = base[: len(base) - (level - 1)]
                name = ".".join([*base, spec] if spec else base)
                return self.by_name.get(name)
            own = self._root_of.get(id(importer), "")
            key = (own, posixpath.dirname(importer.path), spec)
            if key in self._absolute:  # a path: a stub may since have been replaced by its module
                path = self._absolute[key]
                return self.by_path.get(path) if path is not None else None
            found = self._resolve_absolute(importer, own, spec)
            self._absolute[key] = found.path if found is not None else None
            return found
        return self._resolve_js(importer, spec)

    def _resolve_absolute(self, importer: ir.Module, own: str, spec: str) -> ir.Module | None:
        """A Python absolute import: the importer's own source root first, then every package root, then
        the scan root; then a namespace package from the folders above the importer."""
        roots = self._roots_of_name.get(spec)
        if roots:  # most absolute imports name a library: no project root has such a module
            for root in (own, *self.package_roots, ""):
                if root in roots:
                    return self.by_root[(root, spec)]
        if "." in spec:  # a namespace package (no __init__.py): `excel_mcp.data` from src/excel_mcp/server.py
            rel = spec.replace(".", "/")
            folder = posixpath.dirname(importer.path)
            while True:
                for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
                    found = self.by_path.get(posixpath.join(folder, candidate) if folder else candidate)
                    if found is not None:
                        return found
                if not folder:
                    return None
                folder = posixpath.dirname(folder)
        return None

    def _resolve_js(self, importer: ir.Module, spec: str) -> ir.Module | None:
        if not spec.startswith("."):
            if not self.aliases:
                return None
            from .tsconfig import alias_candidates

            for target in alias_candidates(self.aliases, importer.path, spec):  # "~/utils/x" via tsconfig paths
                found = self._js_module(posixpath.normpath(target))
                if found is not None:
                    return found
            return None
        base = posixpath.dirname(importer.path)
        return self._js_module(posixpath.normpath(posixpath.join(base, spec)))

    def _js_module(self, target: str) -> ir.Module | None:
        key = js_module_key(target)
        for candidate in (key, target, key + "/index", target + "/index"):
            m = self.by_name.get("js:" + candidate)
            if m is not None:
                return m
        return None

    # ------------------------------------------------------------------ symbols

    def symbols(self, module: ir.Module) -> dict[str, Symbol]:
        table = self._symbols.get(id(module))
        if table is None:
            table = {}
            self._symbols[id(module)] = table
            self._collect(module, module.body, table)
        return table

    def _collect(self, module: ir.Module, body, table: dict[str, Symbol]) -> None:
        for stmt in body:
            if isinstance(stmt, ir.FunctionDef):
                table[stmt.function.name] = Symbol("function", module, function=stmt.function)
            elif isinstance(stmt, ir.ClassDef):
                table[stmt.cls.name] = Symbol("class", module, cls=stmt.cls)
            elif isinstance(stmt, ir.Assign) and stmt.value is not None:
                for target in stmt.targets:
                    if isinstance(target, ir.Name):
                        table[target.id] = Symbol("value", module, expr=stmt.value)
                    elif isinstance(target, (ir.ObjectPattern, ir.TuplePattern)):
                        self._collect_pattern(module, target, stmt.value, table)
            elif isinstance(stmt, ir.Import) and not stmt.reexport:
                for name in stmt.names:
                    table[name.alias] = Symbol("import", module, expr=None, key=self._import_key(stmt, name))
            elif isinstance(stmt, (ir.If, ir.Try)):
                for sub in (stmt.body, getattr(stmt, "orelse", ()), *(h.body for h in getattr(stmt, "handlers", ()))):
                    self._collect(module, sub, table)

    def _collect_pattern(self, module, target, value, table) -> None:
        if isinstance(target, ir.ObjectPattern):
            for prop in target.props:
                if isinstance(prop.target, ir.Name) and prop.key is not None:
                    table[prop.target.id] = Symbol("value", module, expr=ir.Attribute(value, prop.key, value.span
                                                                                      if hasattr(value, "span") else ir.NO_SPAN))

    @staticmethod
    def _import_key(stmt: ir.Import, name: ir.ImportName) -> tuple:
        # a tuple, never a joined string: a specifier may contain any character (`"a|b"`)
        return (stmt.level, stmt.module, name.name or "", bool(name.default))

    def exports(self, module: ir.Module) -> dict[str, Symbol]:
        """Names another module can import from ``module`` (JS: declarations, export lists, re-exports)."""
        table = self._exports.get(id(module))
        if table is not None:
            return table
        table = dict(self.symbols(module))
        self._exports[id(module)] = table
        for stmt in module.body:
            if isinstance(stmt, ir.Export):
                for local, exported in stmt.names:
                    if local in table:
                        table[exported] = table[local]
                if stmt.value is not None:
                    if isinstance(stmt.value, ir.Container) and stmt.value.kind == "dict":
                        for key, val in stmt.value.entries:
                            if isinstance(key, ir.Literal) and isinstance(val, ir.Name) and val.id in table:
                                table[str(key.value)] = table[val.id]
                        # `export default { send, read }` (or module.exports = {...}) is also the default
                        table.setdefault("default", Symbol("value", module, expr=stmt.value))
                    else:
                        table["default"] = Symbol("value", module, expr=stmt.value)
            elif isinstance(stmt, ir.Import) and stmt.reexport:
                target = self.resolve_module(module, stmt.module, stmt.level)
                if target is None:
                    continue
                if stmt.star:
                    for k, v in self.exports(target).items():
                        table.setdefault(k, v)
                for name in stmt.names:
                    sym = self.exports(target).get(name.name or "default")
                    if sym is not None:
                        table[name.alias] = sym
        return table

    def lookup(self, module: ir.Module, name: str, _depth: int = 0) -> Symbol | None:
        """What a top-level name of ``module`` denotes, following imports through the project."""
        sym = self.symbols(module).get(name)
        if sym is None:
            return self._star_lookup(module, name, _depth) if _depth < 8 else None
        if sym.kind != "import":
            return sym
        return self.follow_import(module, sym.key, _depth)

    def _star_lookup(self, module: ir.Module, name: str, depth: int) -> Symbol | None:
        """``from .terminal import *`` brings every public name of a project module."""
        if module.language != "python":  # `export * from "./terminal.js"` in a barrel file
            sym = self.exports(module).get(name)
            if sym is not None and sym.kind == "import":
                return self.follow_import(module, sym.key, depth + 1)
            return sym
        if name.startswith("_"):
            return None
        for stmt in module.body:
            if isinstance(stmt, ir.Import) and stmt.star and module.language == "python":
                target = self.resolve_module(module, stmt.module, stmt.level)
                if target is not None and target is not module:
                    found = self.lookup(target, name, depth + 1)
                    if found is not None:
                        return found
        return None

    def follow_import(self, module: ir.Module, key: tuple, _depth: int = 0) -> Symbol:
        level, spec, name, default = key
        js = module.language != "python"
        if js:
            spec_clean = spec[5:] if spec.startswith("node:") else spec
        else:
            spec_clean = spec
        target = self.resolve_module(module, spec_clean, level) if _depth < 12 else None
        if target is not None:
            if not name and not (js and default):
                return Symbol("module", target)
            export = "default" if (js and default) else name
            table = self.exports(target) if js else self.symbols(target)
            sym = table.get(export)
            if sym is not None:
                if sym.kind == "import":
                    return self.follow_import(target, sym.key, _depth + 1)
                return sym
            if not js:  # `from pkg import submodule`
                sub = self.resolve_module(module, f"{spec_clean}.{name}" if spec_clean else name, level)
                if sub is not None:
                    return Symbol("module", sub)
                if not level:  # a project module that happens to share the library's name (myapp/fastmcp.py)
                    return Symbol("external", qualname=f"{spec_clean}.{name}")
            return Symbol("external", qualname=f"{target.name}.{export}")
        if js:
            base = spec_clean
            if not name:
                return Symbol("external", qualname=base)
            return Symbol("external", qualname=f"{base}.{name}")
        prefix = "." * level + spec_clean if level else spec_clean
        if not name:
            return Symbol("external", qualname=prefix)
        return Symbol("external", qualname=f"{prefix}.{name}" if prefix else name)

    def definition(self, module: ir.Module, expr: ir.Expr | None, _depth: int = 0) -> tuple[ir.Module, ir.Expr | None]:
        """The expression a name or a constant object's property stands for, and the module it is written
        in: ``tool.parameters`` where ``tool = {parameters, ...}`` and ``const parameters = {...}`` lives in
        another module gives that object literal. Anything else is returned as it is."""
        if _depth > 10:
            return module, expr
        if isinstance(expr, ir.Name):
            sym = self.lookup(module, expr.id)
            if sym is not None and sym.kind == "value" and sym.module is not None and sym.expr is not None:
                return self.definition(sym.module, sym.expr, _depth + 1)
        elif isinstance(expr, ir.Attribute):
            owner_module, owner = self.definition(module, expr.value, _depth + 1)
            if isinstance(owner, ir.Container) and owner.kind == "dict":
                for key, value in owner.entries:
                    if isinstance(key, ir.Literal) and key.value == expr.attr:
                        return self.definition(owner_module, value, _depth + 1)
        return module, expr

    def method(self, cls: ir.Class, name: str, _depth: int = 0) -> ir.Function | None:
        """A method of a project class, searching project base classes too."""
        for stmt in cls.body:
            if isinstance(stmt, ir.FunctionDef) and stmt.function.name == name:
                return stmt.function
        if _depth > 8 or cls.module is None:
            return None
        for base in cls.bases:
            if isinstance(base, ir.Name):
                sym = self.lookup(cls.module, base.id)
                if sym is not None and sym.kind == "class":
                    found = self.method(sym.cls, name, _depth + 1)
                    if found is not None:
                        return found
        return None

    def base_qualnames(self, cls: ir.Class, _depth: int = 0) -> list[str]:
        """External qualified names of a class's bases (``enum.Enum``), through project base classes."""
        out: list[str] = []
        if cls.module is None or _depth > 8:
            return out
        for base in cls.bases:
            dotted = dotted_name(base)
            if dotted is None:
                continue
            head, _, rest = dotted.partition(".")
            sym = self.lookup(cls.module, head)
            if sym is None:
                out.append(dotted)
            elif sym.kind == "external":
                out.append(sym.qualname + ("." + rest if rest else ""))
            elif sym.kind == "class":
                out.extend(self.base_qualnames(sym.cls, _depth + 1))
        return out


def dotted_name(expr: ir.Expr) -> str | None:
    parts = []
    while isinstance(expr, ir.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ir.Name):
        parts.append(expr.id)
        return ".".join(reversed(parts))
    return None
