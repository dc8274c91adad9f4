"""The TypeScript/JavaScript frontend: tree-sitter trees lowered to the IR, checked node by node."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolsink import ir
from toolsink.frontends.typescript import parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "typescript"
BROKEN_ON_PURPOSE = {"broken.ts"}


def module(src: str, language: str = "typescript", path: str = "t.ts") -> ir.Module:
    return parse(path, src.encode("utf-8"), language)


def body(src: str, language: str = "typescript"):
    return module(src, language).body


def value(src: str):
    """The value of the single assignment `const x = <src>;`."""
    (stmt,) = body(f"const x = {src};")
    assert isinstance(stmt, ir.Assign)
    return stmt.value


def names(imp: ir.Import) -> list[tuple]:
    return [(n.name, n.alias, n.default) for n in imp.names]


# ------------------------------------------------------------------------------------------ imports, exports


def test_es_imports_default_namespace_named_and_node_prefix():
    stmts = body(
        'import fs, { readFile as rf, stat } from "node:fs";\n'
        'import * as cp from "node:child_process";\n'
        'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\n'
        'import "./side-effect.js";\n'
    )
    assert stmts[0].module == "fs"
    assert names(stmts[0]) == [(None, "fs", True), ("readFile", "rf", False), ("stat", "stat", False)]
    assert stmts[1] == ir.Import("child_process", (ir.ImportName(None, "cp"),), stmts[1].span)
    assert stmts[2].module == "@modelcontextprotocol/sdk/server/mcp.js"
    assert names(stmts[2]) == [("McpServer", "McpServer", False)]
    assert stmts[3].module == "./side-effect.js" and stmts[3].names == ()


def test_type_only_imports_are_kept_for_annotations():
    (imp,) = body('import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";')
    assert names(imp) == [("McpServer", "McpServer", False)]


def test_commonjs_require_forms():
    stmts = body(
        'const cp = require("child_process");\n'
        'const { exec, spawn: sp } = require("node:child_process");\n'
        'const fsp = require("fs").promises;\n'
        'const Database = require("better-sqlite3").default;\n'
        'import db = require("pg");\n',
        "typescript",
    )
    assert stmts[0] == ir.Import("child_process", (ir.ImportName(None, "cp"),), stmts[0].span)
    assert names(stmts[1]) == [("exec", "exec", False), ("spawn", "sp", False)]
    assert stmts[1].module == "child_process"
    assert names(stmts[2]) == [("promises", "fsp", False)] and stmts[2].module == "fs"
    assert names(stmts[3]) == [(None, "Database", True)]
    assert names(stmts[4]) == [(None, "db", False)] and stmts[4].module == "pg"


def test_require_inside_an_expression_is_hoisted_to_a_synthetic_import():
    imp, assign = body('const run = require("util").promisify(exec);')
    assert imp == ir.Import("util", (ir.ImportName(None, "$require(util)"),), imp.span)
    call = assign.value
    assert isinstance(call, ir.Call) and call.func.attr == "promisify"
    assert call.func.value == ir.Name("$require(util)", call.func.value.span)


def test_dynamic_import_is_an_import_and_a_computed_one_is_unknown():
    stmts = body('async function f(m) { const { exec } = await import("node:child_process"); '
                 '(await import("./x")).default; import(m); }')
    fn = stmts[0].function
    assert fn.body[0].module == "child_process" and names(fn.body[0]) == [("exec", "exec", False)]
    hoisted = [s for s in fn.body if isinstance(s, ir.Import) and s.module == "./x"]
    assert len(hoisted) == 1 and names(hoisted[0]) == [(None, "$require(./x)", False)]
    read = next(s for s in fn.body if isinstance(s, ir.ExprStmt) and isinstance(s.value, ir.Attribute))
    assert read.value.attr == "default" and read.value.value.value.id == "$require(./x)"  # (await m).default
    assert isinstance(fn.body[-1].value, ir.Unknown) and fn.body[-1].value.kind == "dynamic-import"


def test_reexports_and_export_lists():
    stmts = body(
        'export { a, b as c } from "./x.js";\n'
        'export * from "./y.js";\n'
        'export * as ns from "./z.js";\n'
        "const q = 1;\n"
        "export { q as default, q };\n"
    )
    assert stmts[0].reexport and names(stmts[0]) == [("a", "a", False), ("b", "c", False)]
    assert stmts[1] == ir.Import("./y.js", (), stmts[1].span, star=True, reexport=True)
    assert stmts[2].reexport and names(stmts[2]) == [(None, "ns", False)] and not stmts[2].star
    assert stmts[4] == ir.Export((("q", "default"), ("q", "q")), None, stmts[4].span)


def test_export_default_forms():
    fdef, exp = body("export default async function handler(args) { return args; }")
    assert isinstance(fdef, ir.FunctionDef) and fdef.function.name == "handler" and fdef.function.is_async
    assert exp == ir.Export((("handler", "default"),), None, exp.span)
    (exp,) = body("export default server;")
    assert exp.names == (("server", "default"),) and exp.value is None
    (exp,) = body("export default (x: string) => x;")
    assert exp.names == () and isinstance(exp.value, ir.FunctionRef)
    fdef, assign = body("export async function run() {}\nexport const limit = 3;")
    assert fdef.function.name == "run" and assign.targets[0].id == "limit"


def test_commonjs_exports_bind_synthetic_names():
    stmts = body(
        "function cat() {}\n"
        "module.exports = { cat, run: async (args) => args };\n"
        "exports.uptime = function () {};\n"
        "exports.alias = cat;\n"
        "register(exports.uptime);\n",
        "javascript",
    )
    assign_run, export_all = stmts[1], stmts[2]
    assert assign_run.targets[0].id == "$exports.run" and isinstance(assign_run.value, ir.FunctionRef)
    assert export_all.names == (("cat", "cat"), ("$exports.run", "run"))
    assert isinstance(export_all.value, ir.Container)
    assert stmts[3].targets[0].id == "$exports.uptime"
    assert stmts[4] == ir.Export((("$exports.uptime", "uptime"),), None, stmts[4].span)
    assert stmts[5] == ir.Export((("cat", "alias"),), None, stmts[5].span)
    assert stmts[6].value.args[0].id == "$exports.uptime"  # reading exports.x reads that binding


# ------------------------------------------------------------------------------------------ functions, classes


def test_destructured_parameters_become_synthetic_params_and_a_pattern_assignment():
    (stmt,) = body('const h = async ({ path, mode = "r", ...rest }: Args, [a, , b]: string[], ...more) => path;')
    fn = stmt.value.function
    assert fn.name == "h" and fn.qualname == "h" and fn.is_async and fn.expression_body
    assert [(p.name, p.kind) for p in fn.params] == [("$arg0", "positional"), ("$arg1", "positional"),
                                                     ("more", "vararg")]
    assert fn.params[0].annotation == ir.Name("Args", fn.params[0].annotation.span)
    pattern_assign, tuple_assign, ret = fn.body
    assert pattern_assign.value.id == "$arg0"
    (pattern,) = pattern_assign.targets
    assert isinstance(pattern, ir.ObjectPattern)
    assert [(p.key, p.target.id) for p in pattern.props] == [("path", "path"), ("mode", "mode"), (None, "rest")]
    assert pattern.props[1].default.value == "r"
    (tpl,) = tuple_assign.targets
    assert isinstance(tpl, ir.TuplePattern) and [e.id for e in tpl.elts] == ["a", "_", "b"]
    assert isinstance(ret, ir.Return) and ret.value.id == "path"


def test_classes_methods_get_this_fields_and_parameter_properties():
    m = module(
        "class Tools extends Base {\n"
        "  count = 0;\n"
        "  static instances = 1;\n"
        "  handler = async (args) => this.run(args);\n"
        "  constructor(private readonly root: string) { super(); this.ready = true; }\n"
        "  async run({ cmd }) { return cmd; }\n"
        "  static create() { return new Tools('/'); }\n"
        "}\n"
    )
    (cdef,) = m.body
    cls = cdef.cls
    assert cls.name == "Tools" and cls.qualname == "Tools" and cls.module is m and m.classes == [cls]
    assert cls.bases[0].id == "Base"
    count, instances, handler, ctor, run, create = cls.body
    assert count.targets[0] == ir.Attribute(ir.Name("this", count.targets[0].value.span), "count",
                                            count.targets[0].span)
    assert instances.targets[0].value.id == "Tools"
    arrow = handler.value.function
    assert arrow.qualname == "Tools.handler" and arrow.is_method and arrow.cls is cls
    assert arrow.params[0].name == "this" and arrow.params[0].kind == "self"
    ctor_fn = ctor.function
    assert [(p.name, p.kind) for p in ctor_fn.params] == [("this", "self"), ("root", "positional")]
    first = ctor_fn.body[0]
    assert first.targets[0].attr == "root" and first.value.id == "root"
    run_fn = run.function
    assert run_fn.qualname == "Tools.run" and run_fn.is_method and run_fn.cls is cls and run_fn.module is m
    assert [p.name for p in run_fn.params] == ["this", "$arg0"]
    assert [p.name for p in create.function.params] == []
    assert {f.qualname for f in m.functions} == {"Tools.handler", "Tools.constructor", "Tools.run", "Tools.create"}


def test_qualnames_are_unique_and_nested_functions_are_listed():
    m = module(
        "function outer() {\n"
        "  function inner() {}\n"
        "  const a = () => 1; const b = () => 2;\n"
        "  register(() => 3, () => 4);\n"
        "}\n"
    )
    quals = [f.qualname for f in m.functions]
    assert quals[0] == "outer" and "outer.<locals>.inner" in quals
    assert "outer.<locals>.a" in quals and "outer.<locals>.b" in quals
    anon = [q for q in quals if "<arrow@4>" in q]
    assert len(anon) == 2 and len(set(quals)) == len(quals)
    assert all(f.module is m for f in m.functions)


def test_object_literal_functions_and_entries():
    obj = value('{ a, [key]: 1, ...rest, "s-k": 2, 3: 4, m() { return 1 }, run: async (x) => x }')
    assert isinstance(obj, ir.Container) and obj.kind == "dict"
    keys = [k.value if isinstance(k, ir.Literal) else (k.id if k is not None else None) for k, _ in obj.entries]
    assert keys == ["a", "key", None, "s-k", 3, "m", "run"]
    assert obj.entries[0][1].id == "a" and obj.entries[2][1].id == "rest"
    assert isinstance(obj.entries[5][1], ir.FunctionRef) and obj.entries[5][1].function.name == "m"
    run = obj.entries[6][1].function
    assert run.name == "run" and run.qualname.startswith("<arrow@")


# ------------------------------------------------------------------------------------------ expressions


def test_template_literals_concatenation_and_tagged_templates():
    tpl = value("`ls ${dir} -la\\n${flags}`")
    assert isinstance(tpl, ir.StrBuild) and tpl.how == "template literal"
    assert [type(p).__name__ for p in tpl.parts] == ["Literal", "Name", "Literal", "Name"]
    assert tpl.parts[0].value == "ls " and tpl.parts[2].value == " -la\n"
    assert value("`plain`") == ir.Literal("plain", value("`plain`").span)
    concat = value('"du -sh " + path + " | sort" + `${x}`')
    assert isinstance(concat, ir.StrBuild) and concat.how == "concatenation"
    assert [type(p).__name__ for p in concat.parts] == ["Literal", "Name", "Literal", "StrBuild"]
    arith = value("a + b")
    assert isinstance(arith, ir.BinOp) and arith.op == "+"
    tagged = value("$`git log ${rev}`")
    assert isinstance(tagged, ir.Call) and tagged.func.id == "$"
    assert isinstance(tagged.args[0], ir.Container) and tagged.args[0].items[0].value == "git log "
    assert tagged.args[1].id == "rev"


def test_literals_and_escapes():
    assert value('"a\\x41\\u00e9\\u{1F600}\\t"').value == "aAé😀\t"
    assert value("'\\uD83D\\uDE00'").value == "😀"
    assert [value(n).value for n in ("0x1F", "1_000", "1.5e3", "10n", "0o17")] == [31, 1000, 1500.0, 10, 15]
    assert value("undefined").value is None and value("null").value is None and value("true").value is True
    regex = value("/^[a-z]+$/i")
    assert isinstance(regex, ir.Call) and regex.new and regex.func.id == "RegExp"
    assert [a.value for a in regex.args] == ["^[a-z]+$", "i"]


def test_operators_and_wrappers():
    cmp = value("a === 'x'")
    assert isinstance(cmp, ir.Compare) and cmp.ops == ("==",)
    assert value("a !== b").ops == ("!=",) and value("k in o").ops == ("in",) and value("e instanceof E").ops == ("is",)
    boolop = value("a && b && c")
    assert isinstance(boolop, ir.BoolOp) and boolop.op == "and" and len(boolop.values) == 3
    assert value("a ?? b").op == "??" and value("a || b").op == "or"
    assert value("!ok").op == "not" and value("typeof v").op == "typeof"
    cond = value("ok ? a : b")
    assert isinstance(cond, ir.Conditional) and cond.body.id == "a"
    for wrapped in ("(args as Foo)", "args!", "<Foo>args", "args satisfies Foo", "((args))"):
        assert value(wrapped) == ir.Name("args", value(wrapped).span), wrapped
    awaited = value("await fetch(url)")
    assert isinstance(awaited, ir.Await) and isinstance(awaited.value, ir.Call)


def test_calls_members_new_and_spread():
    call = value("obj?.run?.(a, ...rest)")
    assert isinstance(call, ir.Call) and call.keywords == ()
    assert isinstance(call.func, ir.Attribute) and call.func.attr == "run" and call.func.optional
    assert isinstance(call.args[1], ir.Starred) and call.args[1].value.id == "rest"
    new = value("new vm.Script(code)")
    assert new.new and new.func.attr == "Script"
    sub = value("args['path']")
    assert isinstance(sub, ir.Subscript) and sub.index.value == "path"
    arr = value("[1, ...xs]")
    assert arr.kind == "list" and isinstance(arr.items[1], ir.Starred)


def test_assignment_inside_a_condition_is_hoisted():
    stmts = body("while ((m = re.exec(s)) !== null) { use(m); }")
    assign, loop = stmts
    assert isinstance(assign, ir.Assign) and assign.targets[0].id == "m"
    assert isinstance(loop, ir.Loop) and loop.test.left.id == "m"


# ------------------------------------------------------------------------------------------ statements


def test_switch_merges_empty_cases_and_drops_break():
    (sw,) = body(
        "switch (name) {\n"
        '  case "a":\n'
        '  case "b": run(); break;\n'
        '  case "c": other();\n'
        "  default: fallback(); break;\n"
        '  case "z":\n'
        "}\n"
    )
    assert isinstance(sw, ir.Switch) and sw.subject.id == "name"
    a_b, c, default, z = sw.cases
    assert [t.value for t in a_b.tests] == ["a", "b"] and len(a_b.body) == 1 and not a_b.falls_through
    assert a_b.span.line == 2
    assert [t.value for t in c.tests] == ["c"] and c.falls_through
    assert default.tests == () and len(default.body) == 1
    assert [t.value for t in z.tests] == ["z"] and z.body == ()


def test_switch_default_merged_with_a_case_is_a_wildcard_and_returns_do_not_fall_through():
    (sw,) = body('switch (x) { case "a": default: return 1; case "b": { return 2; } }')
    assert sw.cases[0].tests == () and not sw.cases[0].falls_through
    assert [t.value for t in sw.cases[1].tests] == ["b"] and isinstance(sw.cases[1].body[0], ir.Return)


def test_loops_try_throw_and_augmented_assignment():
    stmts = body(
        "for (let i = 0; i < n; i++) { total += i; }\n"
        "for (const [k, v] of Object.entries(o)) {}\n"
        "for await (const chunk of stream) {}\n"
        "do { x ||= y; } while (more);\n"
        "try { a(); } catch ({ message }) { log(message); } finally { done(); }\n"
        "throw new Error('x');\n"
    )
    init, loop, for_of, for_await, do_loop, try_stmt, throw = stmts
    assert init.targets[0].id == "i" and init.value.value == 0
    assert loop.test.ops == ("<",) and loop.body[0].op == "+" and loop.body[-1].targets[0].id == "i"
    assert isinstance(for_of.target, ir.TuplePattern) and for_of.iter.func.attr == "entries"
    assert for_await.target.id == "chunk"
    assert do_loop.test.id == "more" and do_loop.body[0].op == "or"
    handler = try_stmt.handlers[0]
    assert handler.name == "$error" and isinstance(handler.body[0].targets[0], ir.ObjectPattern)
    assert try_stmt.finalbody[0].value.func.id == "done"
    assert isinstance(throw, ir.Raise) and throw.value.new


def test_if_else_chain_and_blocks_are_flattened():
    (stmt,) = body("if (a) { b(); { c(); } } else if (d) e(); else { f(); }")
    assert isinstance(stmt, ir.If) and len(stmt.body) == 2
    (inner,) = stmt.orelse
    assert isinstance(inner, ir.If) and inner.test.id == "d" and inner.orelse[0].value.func.id == "f"


def test_type_only_declarations_disappear_and_enums_are_objects():
    stmts = body(
        "interface A { x: string }\n"
        "type T = 'a' | 'b';\n"
        "declare module 'm' {}\n"
        "function f(a: string): void;\n"
        "enum Mode { Read = 'r', Write = 'w' }\n"
    )
    (enum,) = stmts
    assert enum.targets[0].id == "Mode" and [k.value for k, _ in enum.value.entries] == ["Read", "Write"]


# ------------------------------------------------------------------------------------------ positions, errors


def test_spans_are_one_based_code_points_on_non_ascii_lines():
    src = 'const s = "héllo wörld"; exec(s);\nexec(t);\n'
    stmts = body(src)
    call = stmts[1].value
    assert call.span == ir.Span(1, 26, 1, 33)  # byte column 27 would be off by the two 2-byte characters
    assert stmts[2].value.span == ir.Span(2, 1, 2, 8)
    assert stmts[0].value.span.col == 11


def test_multiline_call_span_starts_on_the_first_line():
    (stmt,) = body("server\n  .tool('x',\n    handler);\n")
    assert stmt.value.span.line == 1 and stmt.value.span.end_line == 3


def test_module_metadata_lines_comments_language():
    m = module("// first\nconst a = 1; /* two */\n", path="x.ts")
    assert m.language == "typescript" and m.lines == ("// first", "const a = 1; /* two */")
    assert m.comments == {1: "// first", 2: "/* two */"} and m.diagnostics == []
    assert module("const a = <div>{x}</div>;", "tsx", "x.tsx").language == "typescript"
    js = module("const el = <App a={b} />;", "javascript", "x.jsx")
    assert js.language == "javascript" and isinstance(js.body[0].value, ir.Unknown)


def test_broken_file_gives_a_diagnostic_and_keeps_the_good_functions():
    m = module(
        'import { exec } from "child_process";\n'
        "function good(cmd) { exec(cmd); }\n"
        "function bad(a: string {\n"
        "  const x: = ;\n"
        "function after(y) { exec(y); }\n"
    )
    assert m.diagnostics and m.diagnostics[0].code == "syntax-error"
    assert m.diagnostics[0].line >= 3
    assert "good" in [f.qualname for f in m.functions]
    assert any(isinstance(s, ir.Import) for s in m.body)


@pytest.mark.parametrize("garbage", [b"", b"\xff\xfe\x00garbage", b"}}}{{{", b"const = = ;", b"`${", b"class { x = }"])
def test_never_raises_on_garbage(garbage):
    m = parse("g.ts", garbage, "typescript")
    assert isinstance(m, ir.Module)
    parse("g.js", garbage, "javascript")


def fixture_files():
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in {".ts", ".tsx", ".js", ".mjs", ".cjs", ".mts", ".cts", ".jsx"} and path.is_file():
            yield pytest.param(path, id=path.relative_to(FIXTURES).as_posix())


@pytest.mark.parametrize("path", list(fixture_files()))
def test_every_fixture_lowers_under_strict_mode(path, monkeypatch):
    monkeypatch.setenv("TOOLSINK_STRICT", "1")
    language = {".tsx": "tsx", ".ts": "typescript", ".mts": "typescript", ".cts": "typescript"}.get(
        path.suffix, "javascript")
    m = parse(path.name, path.read_bytes(), language)
    if path.name in BROKEN_ON_PURPOSE:
        assert m.diagnostics
    else:
        assert m.diagnostics == [], m.diagnostics
        reexports_only = all(isinstance(st, ir.Import) and st.reexport for st in m.body)
        assert m.functions or (m.body and reexports_only)  # a barrel file only re-exports
