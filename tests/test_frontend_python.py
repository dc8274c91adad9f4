"""The Python frontend: tree-sitter trees lowered to the IR, checked node by node."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolsink import ir
from toolsink.frontends.python import parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "python"


def body(src: str):
    return parse("t.py", src.encode()).body


def test_imports_and_aliases():
    stmts = body("import a.b as c\nfrom ..pkg import x as y, z\nfrom . import mod\nimport os, sys\n")
    assert stmts[0] == ir.Import("a.b", (ir.ImportName(None, "c"),), stmts[0].span)
    assert stmts[1].module == "pkg" and stmts[1].level == 2
    assert [(n.name, n.alias) for n in stmts[1].names] == [("x", "y"), ("z", "z")]
    assert stmts[2].level == 1 and stmts[2].module == "" and stmts[2].names[0].alias == "mod"
    assert [s.module for s in stmts[3:]] == ["os", "sys"]


def test_string_building_forms():
    stmts = body('a = f"x {y!r:>3} z"\nb = "%s-%s" % (p, q)\nc = "{}".format(r)\nd = ",".join(xs)\ne = "p" + s\n')
    hows = [s.value.how for s in stmts]
    assert hows == ["f-string", "%-format", ".format()", ".join()", "concatenation"]
    assert [type(p).__name__ for p in stmts[0].value.parts] == ["Literal", "Name", "Literal"]
    assert [p.id for p in stmts[1].value.parts[1:]] == ["p", "q"]


def test_escapes_are_decoded_and_raw_strings_kept():
    stmts = body('a = "tab\\there\\u200b"\nb = r"\\d+"\nc = b"\\x00"\n')
    assert stmts[0].value.value == "tab\there\u200b"
    assert stmts[1].value.value == "\\d+"
    assert stmts[2].value.value == b"\x00"


def test_function_params_decorators_docstring_and_self():
    src = (
        "class K:\n"
        "    @server.tool(name='n')\n"
        "    async def m(self, a: int, b: str = 'x', *rest, c, **kw) -> str:\n"
        "        '''Doc.'''\n"
        "        return a\n"
    )
    module = parse("t.py", src.encode())
    fn = next(f for f in module.functions if f.name == "m")
    assert fn.is_async and fn.is_method and fn.docstring == "Doc." and fn.qualname == "K.m"
    assert [(p.name, p.kind) for p in fn.params] == [
        ("self", "self"), ("a", "positional"), ("b", "positional"), ("rest", "vararg"), ("c", "kwonly"), ("kw", "kwarg")]
    assert isinstance(fn.decorators[0], ir.Call) and fn.decorators[0].keywords[0].name == "name"
    assert fn.cls is module.classes[0]


def test_targets_patterns_and_control_flow():
    stmts = body("a, (b, *c) = v\nx += 1\nif p:\n    pass\nelif q:\n    raise E\nelse:\n    y = 2\n"
                 "match s:\n    case 'a' | 'b':\n        pass\n    case _:\n        pass\n")
    assert isinstance(stmts[0].targets[0], ir.TuplePattern)
    assert isinstance(stmts[0].targets[0].elts[1].elts[1], ir.Starred)
    assert stmts[1].op == "+"
    assert isinstance(stmts[2].orelse[0], ir.If) and isinstance(stmts[2].orelse[0].body[0], ir.Raise)
    sw = stmts[3]
    assert isinstance(sw, ir.Switch) and [len(c.tests) for c in sw.cases] == [2, 0]


def test_spans_count_code_points_on_non_ascii_lines():
    stmts = body('s = "héllo"; t = x\n')
    t = stmts[1]
    assert t.targets[0].span.col == 14  # 13 code points precede `t`, although é takes two bytes


def test_half_typed_call_is_recovered_with_a_diagnostic():
    module = parse("t.py", b"def f(name):\n    v = os.system(\n        'echo ' + name\n    return v\n")
    fn = module.functions[0]
    assert isinstance(fn.body[0], ir.Assign) and isinstance(fn.body[0].value, ir.Call)
    assert module.diagnostics and module.diagnostics[0].code == "syntax-error"


def test_comments_are_collected_by_line():
    module = parse("t.py", b"x = 1  # noqa: MCP101\n# alone\n")
    assert module.comments == {1: "# noqa: MCP101", 2: "# alone"}


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py")), ids=lambda p: p.name)
def test_fixtures_lower_in_strict_mode(path, monkeypatch):
    import toolsink.frontends.python.lowering as lowering

    monkeypatch.setattr(lowering, "STRICT", True)
    module = parse(path.name, path.read_bytes())
    assert module.body or path.stat().st_size == 0
