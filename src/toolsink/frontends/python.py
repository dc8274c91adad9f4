"""Python frontend: a tree-sitter-python tree lowered to the toolsink IR.

tree-sitter parses every Python version's syntax whatever interpreter runs toolsink and keeps going past
errors, so half-typed editor buffers still lower. Python-specific knowledge lives here and only here:
``self`` parameters, docstrings, f-strings, ``%``/``.format``/``.join`` string building, ``match``.
"""

from __future__ import annotations

import codecs
import inspect
from functools import lru_cache

import tree_sitter_python
from tree_sitter import Language, Parser

from .. import ir
from .common import STRICT, Positions, UnknownSyntax, collect_comments, source_lines, syntax_diagnostics

_COMPARE_OPS = {"==", "!=", "<", ">", "<=", ">=", "in", "not in", "is", "is not", "<>"}
_SKIP = {"comment", "pass_statement", "global_statement", "nonlocal_statement", "future_import_statement",
         "type_alias_statement", "print_statement", "exec_statement", "ellipsis", "line_continuation"}


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(Language(tree_sitter_python.language()))


def parse(path: str, source: bytes, language: str = "python") -> ir.Module:
    tree = _parser().parse(source)
    lowering = _Lowering(path, source)
    module = ir.Module(path=path, language="python", body=(), lines=source_lines(source))
    lowering.module = module
    module.body = lowering.block(tree.root_node)
    module.comments = collect_comments(tree.root_node, _parser().language)
    module.diagnostics.extend(syntax_diagnostics(path, tree.root_node, lowering.pos))
    return module


def _decode_escape(text: str) -> str:
    try:
        return codecs.decode(text, "unicode_escape")
    except (UnicodeDecodeError, ValueError):
        return text


class _Lowering:
    def __init__(self, path: str, source: bytes) -> None:
        self.path = path
        self.pos = Positions(source)
        self.module: ir.Module | None = None
        self.scope: list[str] = []  # qualname parts
        self.current_class: ir.Class | None = None

    def span(self, node) -> ir.Span:
        return self.pos.span(node)

    # ----------------------------------------------------------------- statements

    def block(self, node) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for child in node.named_children:
            out.extend(self.stmt(child))
        return tuple(out)

    def body_of(self, node, field: str = "body") -> tuple[ir.Stmt, ...]:
        body = node.child_by_field_name(field)
        return self.block(body) if body is not None else ()

    def stmt(self, node) -> list[ir.Stmt]:
        t = node.type
        method = getattr(self, "s_" + t, None)
        if method is not None:
            return method(node)
        if t in _SKIP or t == "ERROR" and not node.named_children:
            return []
        if t == "ERROR":  # keep what parsed inside a broken region
            return self.recover(node)
        if t.endswith("_statement") or t == "block":
            if STRICT and t != "block":
                raise UnknownSyntax(f"{self.path}:{node.start_point[0] + 1}: statement {t}")
            return [ir.ExprStmt(self.unknown(node), self.span(node))]
        # a bare expression in a broken region
        return [ir.ExprStmt(self.expr(node), self.span(node))]

    def recover(self, node) -> list[ir.Stmt]:
        """Statements from an ERROR region: what an editor sends mid-edit, typically an unclosed call
        (``x = f(a + b`` followed by more lines). Named children that parsed are kept; a name or attribute
        followed by ``(`` becomes a call of the expressions after it, and ``name =`` before it an assignment."""
        out: list[ir.Stmt] = []
        kids = [c for c in node.children if c.type != "comment"]
        i = 0
        while i < len(kids):
            c = kids[i]
            if c.type in ("identifier", "attribute") and i + 1 < len(kids) and kids[i + 1].type == "(":
                j = i + 2
                args = []
                while j < len(kids) and kids[j].type not in (")", "ERROR") and kids[j].is_named and not (
                        kids[j].type == "identifier" and kids[j].text in (b"return", b"if", b"for", b"while")):
                    args.append(self.expr(kids[j]))
                    j += 1
                span = self.span(c)
                call = ir.Call(self.expr(c), tuple(args), (), span)
                if i >= 2 and kids[i - 1].type == "=" and kids[i - 2].type == "identifier":
                    out.append(ir.Assign((self.target(kids[i - 2]),), call, span))
                else:
                    out.append(ir.ExprStmt(call, span))
                i = j + (1 if j < len(kids) and kids[j].type == ")" else 0)
                continue
            if c.is_named and c.type.endswith(("statement", "definition")):
                out.extend(self.stmt(c))
            elif c.type == "ERROR":
                out.extend(self.recover(c))
            i += 1
        return out

    def s_block(self, node):
        return list(self.block(node))

    def s_expression_statement(self, node):
        out: list[ir.Stmt] = []
        for child in node.named_children:
            if child.type in ("assignment", "augmented_assignment"):
                out.extend(self.assignment(child))
            else:
                out.append(ir.ExprStmt(self.expr(child), self.span(node)))
        return out

    def assignment(self, node) -> list[ir.Stmt]:
        span = self.span(node)
        if node.type == "augmented_assignment":
            op = node.child_by_field_name("operator").text.decode()[:-1]
            return [ir.Assign((self.target(node.child_by_field_name("left")),),
                              self.expr(node.child_by_field_name("right")), span, op=op)]
        targets = []
        cur = node
        value_node = None
        annotation = None
        while True:  # a = b = value is nested assignments on the right
            targets.append(self.target(cur.child_by_field_name("left")))
            if annotation is None and cur.child_by_field_name("type") is not None:
                annotation = self.expr(cur.child_by_field_name("type"))
            right = cur.child_by_field_name("right")
            if right is not None and right.type == "assignment":
                cur = right
                continue
            value_node = right
            break
        value = self.expr(value_node) if value_node is not None else None
        return [ir.Assign(tuple(targets), value, span, annotation=annotation)]

    def s_return_statement(self, node):
        kids = node.named_children
        value = self.expr(kids[0]) if kids else None
        return [ir.Return(value, self.span(node))]

    def s_raise_statement(self, node):
        kids = node.named_children
        return [ir.Raise(self.expr(kids[0]) if kids else None, self.span(node))]

    def s_break_statement(self, node):
        return [ir.Jump("break", self.span(node))]

    def s_continue_statement(self, node):
        return [ir.Jump("continue", self.span(node))]

    def s_assert_statement(self, node):
        # `assert cond` guards like `if not cond: raise`
        kids = node.named_children
        if not kids:
            return []
        span = self.span(node)
        test = ir.UnaryOp("not", self.expr(kids[0]), span)
        return [ir.If(test, (ir.Raise(None, span),), (), span)]

    def s_delete_statement(self, node):
        return [ir.ExprStmt(self.unknown(node), self.span(node))]

    def s_if_statement(self, node):
        test = self.expr(node.child_by_field_name("condition"))
        body = self.body_of(node, "consequence")
        orelse: tuple = ()
        alternatives = [c for c in node.children if c.type in ("elif_clause", "else_clause")]
        for alt in reversed(alternatives):
            if alt.type == "else_clause":
                orelse = self.body_of(alt)
            else:
                orelse = (ir.If(self.expr(alt.child_by_field_name("condition")),
                                self.body_of(alt, "consequence"), orelse, self.span(alt)),)
        return [ir.If(test, body, orelse, self.span(node))]

    def s_for_statement(self, node):
        orelse = node.child_by_field_name("alternative")
        return [ir.Loop(self.target(node.child_by_field_name("left")), self.expr(node.child_by_field_name("right")),
                        None, self.body_of(node), self.body_of(orelse) if orelse is not None else (), self.span(node))]

    def s_while_statement(self, node):
        orelse = node.child_by_field_name("alternative")
        return [ir.Loop(None, None, self.expr(node.child_by_field_name("condition")), self.body_of(node),
                        self.body_of(orelse) if orelse is not None else (), self.span(node))]

    def s_with_statement(self, node):
        items = []
        clause = next((c for c in node.children if c.type == "with_clause"), None)
        for item in clause.named_children if clause is not None else ():
            if item.type != "with_item":
                continue
            value = item.child_by_field_name("value") or (item.named_children[0] if item.named_children else None)
            if value is None:
                continue
            if value.type == "as_pattern":
                ctx = self.expr(value.named_children[0])
                alias = value.child_by_field_name("alias")
                tgt_node = alias.named_children[0] if alias is not None and alias.named_children else alias
                items.append(ir.WithItem(ctx, self.target(tgt_node) if tgt_node is not None else None))
            else:
                items.append(ir.WithItem(self.expr(value), None))
        return [ir.With(tuple(items), self.body_of(node), self.span(node))]

    def s_try_statement(self, node):
        handlers, orelse, final = [], (), ()
        for c in node.children:
            if c.type in ("except_clause", "except_group_clause"):
                typ, name = None, None
                named = [k for k in c.named_children if k.type != "block"]
                if named:
                    first = named[0]
                    if first.type == "as_pattern":
                        typ = self.expr(first.named_children[0])
                        alias = first.child_by_field_name("alias")
                        if alias is not None:
                            name = alias.text.decode()
                    else:
                        typ = self.expr(first)
                        if len(named) > 1 and named[1].type == "identifier":
                            name = named[1].text.decode()
                blk = next((k for k in c.named_children if k.type == "block"), None)
                handlers.append(ir.Handler(typ, name, self.block(blk) if blk is not None else (), self.span(c)))
            elif c.type == "else_clause":
                orelse = self.body_of(c)
            elif c.type == "finally_clause":
                blk = next((k for k in c.named_children if k.type == "block"), None)
                final = self.block(blk) if blk is not None else ()
        return [ir.Try(self.body_of(node), tuple(handlers), orelse, final, self.span(node))]

    def s_match_statement(self, node):
        subject_nodes = node.children_by_field_name("subject")
        subject = self.expr(subject_nodes[0]) if subject_nodes else ir.Literal(None, self.span(node))
        cases = []
        body = node.child_by_field_name("body")
        for clause in body.named_children if body is not None else ():
            if clause.type != "case_clause":
                continue
            tests: list[ir.Expr] = []
            for pat in clause.named_children:
                if pat.type == "case_pattern":
                    tests.extend(self.case_tests(pat))
            blk = clause.child_by_field_name("consequence") or next(
                (k for k in clause.named_children if k.type == "block"), None)
            cases.append(ir.Case(tuple(tests), self.block(blk) if blk is not None else (), self.span(clause)))
        return [ir.Switch(subject, tuple(cases), self.span(node))]

    def case_tests(self, pat) -> list[ir.Expr]:
        out = []
        for c in pat.named_children:
            if c.type == "union_pattern":
                out.extend(self.expr(k) for k in c.named_children if k.type in ("string", "integer", "dotted_name"))
            elif c.type in ("string", "integer", "float", "true", "false", "none"):
                out.append(self.expr(c))
            elif c.type == "dotted_name" and c.named_child_count > 1:  # a value pattern: `case Kind.LOG:`
                out.append(self.expr(c))
        return out

    def s_import_statement(self, node):
        out = []
        for c in node.named_children:
            if c.type == "dotted_name":
                name = c.text.decode()
                out.append(ir.Import(name, (ir.ImportName(None, name.split(".")[0]),), self.span(node)))
                if "." in name:  # `import a.b` also makes `a.b` reachable through `a`
                    out[-1] = ir.Import(name.split(".")[0], (ir.ImportName(None, name.split(".")[0]),), self.span(node))
            elif c.type == "aliased_import":
                out.append(ir.Import(c.child_by_field_name("name").text.decode(),
                                     (ir.ImportName(None, c.child_by_field_name("alias").text.decode()),),
                                     self.span(node)))
        return out

    def s_import_from_statement(self, node):
        mod = node.child_by_field_name("module_name")
        text = mod.text.decode() if mod is not None else ""
        level = len(text) - len(text.lstrip("."))
        module = text.lstrip(".")
        names, star = [], False
        for c in node.children_by_field_name("name"):
            if c.type == "aliased_import":
                names.append(ir.ImportName(c.child_by_field_name("name").text.decode(),
                                           c.child_by_field_name("alias").text.decode()))
            else:
                n = c.text.decode()
                names.append(ir.ImportName(n, n.split(".")[-1]))
        if any(c.type == "wildcard_import" for c in node.children):
            star = True
        return [ir.Import(module, tuple(names), self.span(node), level=level, star=star)]

    def s_function_definition(self, node, decorators=()):
        fn = self.function(node, decorators)
        return [ir.FunctionDef(fn, self.span(node))]

    def s_class_definition(self, node, decorators=()):
        name = node.child_by_field_name("name").text.decode()
        supers = node.child_by_field_name("superclasses")
        bases = tuple(self.expr(b) for b in supers.named_children if b.type != "keyword_argument") if supers else ()
        qual = ".".join([*self.scope, name])
        cls = ir.Class(name, qual, bases, (), self.span(node), tuple(decorators), module=self.module)
        outer = self.current_class
        self.current_class = cls
        self.scope.append(name)
        body_node = node.child_by_field_name("body")
        cls.docstring = self.docstring(body_node)
        cls.body = self.block(body_node) if body_node is not None else ()
        self.scope.pop()
        self.current_class = outer
        self.module.classes.append(cls)
        return [ir.ClassDef(cls, self.span(node))]

    def s_decorated_definition(self, node):
        decorators = [self.expr(d.named_children[0]) for d in node.children if d.type == "decorator" and d.named_children]
        definition = node.child_by_field_name("definition")
        if definition is None:
            return []
        if definition.type == "class_definition":
            return self.s_class_definition(definition, decorators)
        return self.s_function_definition(definition, decorators)

    # ----------------------------------------------------------------- functions

    def docstring(self, body) -> str | None:
        if body is None or not body.named_children:
            return None
        first = body.named_children[0]
        if first.type == "expression_statement" and first.named_children and first.named_children[0].type == "string":
            value = self.string(first.named_children[0])
            if isinstance(value, ir.Literal) and isinstance(value.value, str):
                return inspect.cleandoc(value.value)  # what the SDKs hand to the model
        return None

    def function(self, node, decorators=()) -> ir.Function:
        name = node.child_by_field_name("name").text.decode()
        is_method = self.current_class is not None and (not self.scope or self.scope[-1] == self.current_class.name)
        qual = ".".join([*self.scope, name])
        params = self.params(node.child_by_field_name("parameters"), is_method, decorators)
        ret = node.child_by_field_name("return_type")
        fn = ir.Function(name, qual, params, (), self.span(node), tuple(decorators),
                         is_async=any(c.type == "async" for c in node.children),
                         returns=self.expr(ret) if ret is not None else None, is_method=is_method,
                         module=self.module, cls=self.current_class if is_method else None)
        body = node.child_by_field_name("body")
        fn.docstring = self.docstring(body)
        outer_cls = self.current_class
        self.current_class = None if is_method else self.current_class
        self.scope.append(name)
        fn.body = self.block(body) if body is not None else ()
        if not fn.body:  # an unfinished body: tree-sitter leaves it in an ERROR node beside the block
            fn.body = tuple(s for c in node.children if c.type == "ERROR" for s in self.recover(c))
        self.scope.pop()
        self.current_class = outer_cls
        self.module.functions.append(fn)
        return fn

    def params(self, node, is_method: bool, decorators=()) -> tuple[ir.Param, ...]:
        if node is None:
            return ()
        out: list[ir.Param] = []
        kwonly = False
        static = any(isinstance(d, ir.Name) and d.id == "staticmethod" for d in decorators)
        for c in node.named_children:
            t = c.type
            span = self.span(c)
            if t == "identifier":
                out.append(ir.Param(c.text.decode(), span, kind="kwonly" if kwonly else "positional"))
            elif t in ("typed_parameter", "typed_default_parameter", "default_parameter"):
                name_node = c.child_by_field_name("name") or c.named_children[0]
                ann = c.child_by_field_name("type")
                default = c.child_by_field_name("value")
                if name_node.type in ("list_splat_pattern", "dictionary_splat_pattern"):
                    kind = "vararg" if name_node.type == "list_splat_pattern" else "kwarg"
                    name = name_node.named_children[0].text.decode()
                else:
                    kind, name = ("kwonly" if kwonly else "positional"), name_node.text.decode()
                out.append(ir.Param(name, span, self.expr(ann) if ann is not None else None,
                                    self.expr(default) if default is not None else None, kind))
            elif t == "list_splat_pattern":
                kwonly = True
                out.append(ir.Param(c.named_children[0].text.decode(), span, kind="vararg"))
            elif t == "dictionary_splat_pattern":
                out.append(ir.Param(c.named_children[0].text.decode(), span, kind="kwarg"))
            elif t == "keyword_separator":
                kwonly = True
        if is_method and out and not static and out[0].kind == "positional":
            first = out[0]
            out[0] = ir.Param(first.name, first.span, first.annotation, first.default, "self")
        return tuple(out)

    # ----------------------------------------------------------------- targets

    def target(self, node) -> ir.Target:
        t = node.type
        if t in ("pattern_list", "tuple_pattern", "list_pattern", "expression_list", "tuple", "list"):
            return ir.TuplePattern(tuple(self.target(c) for c in node.named_children), self.span(node))
        if t in ("list_splat_pattern", "list_splat"):
            return ir.Starred(self.target(node.named_children[0]), self.span(node))
        if t == "parenthesized_expression" and node.named_children:
            return self.target(node.named_children[0])
        expr = self.expr(node)
        if isinstance(expr, (ir.Name, ir.Attribute, ir.Subscript)):
            return expr
        return ir.Name("_", self.span(node))

    # ----------------------------------------------------------------- expressions

    def unknown(self, node) -> ir.Unknown:
        return ir.Unknown(node.type, tuple(self.expr(c) for c in node.named_children
                                           if c.type not in ("comment", "block")), self.span(node))

    def expr(self, node) -> ir.Expr:
        t = node.type
        method = getattr(self, "e_" + t, None)
        if method is not None:
            return method(node)
        if STRICT and t not in ("ERROR", "ellipsis", "slice", "type_conversion", "yield", "generator_expression"):
            raise UnknownSyntax(f"{self.path}:{node.start_point[0] + 1}: expression {t}")
        return self.unknown(node)

    def e_identifier(self, node):
        return ir.Name(node.text.decode(), self.span(node))

    def e_keyword_identifier(self, node):
        return ir.Name(node.text.decode(), self.span(node))

    def e_dotted_name(self, node):
        parts = [c for c in node.named_children]
        expr: ir.Expr = ir.Name(parts[0].text.decode(), self.span(parts[0]))
        for p in parts[1:]:
            expr = ir.Attribute(expr, p.text.decode(), self.span(node))
        return expr

    def e_type(self, node):
        kids = node.named_children
        return self.expr(kids[0]) if len(kids) == 1 else self.unknown(node)

    def e_generic_type(self, node):
        # `Annotated[str, Field(...)]` in an annotation: a subscript of the head by a tuple of types
        kids = node.named_children
        head = self.expr(kids[0])
        params = kids[1] if len(kids) > 1 else None
        items = tuple(self.expr(c) for c in params.named_children) if params is not None else ()
        index = items[0] if len(items) == 1 else ir.Container("tuple", items, span=self.span(node))
        return ir.Subscript(head, index, self.span(node))

    def e_union_type(self, node):
        kids = node.named_children
        return ir.BinOp("|", self.expr(kids[0]), self.expr(kids[-1]), self.span(node))

    def e_none(self, node):
        return ir.Literal(None, self.span(node))

    def e_true(self, node):
        return ir.Literal(True, self.span(node))

    def e_false(self, node):
        return ir.Literal(False, self.span(node))

    def e_integer(self, node):
        text = node.text.decode().replace("_", "").rstrip("lLjJ")
        try:
            return ir.Literal(int(text, 0), self.span(node))
        except ValueError:
            return ir.Literal(0, self.span(node))

    def e_float(self, node):
        try:
            return ir.Literal(float(node.text.decode().replace("_", "").rstrip("jJ")), self.span(node))
        except ValueError:
            return ir.Literal(0.0, self.span(node))

    def e_string(self, node):
        return self.string(node)

    def string(self, node) -> ir.Expr:
        start = node.children[0].text.decode() if node.children else '"'
        prefix = start.rstrip("'\"").lower()
        raw = "r" in prefix
        is_bytes = "b" in prefix
        parts: list[ir.Expr] = []
        buf: list[str] = []
        for c in node.children:
            if c.type == "string_content":
                buf.append(self.content(c, raw))
            elif c.type == "interpolation":
                if buf:
                    parts.append(ir.Literal("".join(buf), self.span(c)))
                    buf = []
                inner = c.child_by_field_name("expression") or (c.named_children[0] if c.named_children else None)
                if inner is not None:
                    parts.append(self.expr(inner))
            elif c.type == "escape_sequence":
                buf.append(c.text.decode() if raw else _decode_escape(c.text.decode()))
        if not any(not isinstance(p, ir.Literal) for p in parts):
            text = "".join([*(p.value for p in parts), *buf])
            return ir.Literal(text.encode("utf-8", "surrogatepass") if is_bytes else text, self.span(node))
        if buf:
            parts.append(ir.Literal("".join(buf), self.span(node)))
        return ir.StrBuild(tuple(parts), "f-string", self.span(node))

    def content(self, node, raw: bool) -> str:
        text = node.text.decode("utf-8", "replace")
        if raw or not node.named_children:
            return text
        out, last = [], node.start_byte
        src = node.text
        for esc in node.named_children:
            out.append(src[last - node.start_byte:esc.start_byte - node.start_byte].decode("utf-8", "replace"))
            t = esc.text.decode("utf-8", "replace")
            out.append(_decode_escape(t) if esc.type == "escape_sequence" else t)
            last = esc.end_byte
        out.append(src[last - node.start_byte:].decode("utf-8", "replace"))
        return "".join(out)

    def e_concatenated_string(self, node):
        parts = [self.string(c) for c in node.named_children if c.type == "string"]
        if all(isinstance(p, ir.Literal) for p in parts):
            values = [p.value for p in parts]
            if all(isinstance(v, str) for v in values):
                return ir.Literal("".join(values), self.span(node))
        flat: list[ir.Expr] = []
        for p in parts:
            flat.extend(p.parts if isinstance(p, ir.StrBuild) else (p,))
        return ir.StrBuild(tuple(flat), "f-string", self.span(node))

    def e_attribute(self, node):
        return ir.Attribute(self.expr(node.child_by_field_name("object")),
                            node.child_by_field_name("attribute").text.decode(), self.span(node))

    def e_subscript(self, node):
        subs = node.children_by_field_name("subscript")
        index = self.expr(subs[0]) if len(subs) == 1 else ir.Container(
            "tuple", tuple(self.expr(s) for s in subs), span=self.span(node))
        return ir.Subscript(self.expr(node.child_by_field_name("value")), index, self.span(node))

    def e_call(self, node):
        func = self.expr(node.child_by_field_name("function"))
        args_node = node.child_by_field_name("arguments")
        args: list[ir.Expr] = []
        keywords: list[ir.Keyword] = []
        span = self.span(node)
        if args_node is not None and args_node.type == "generator_expression":
            args.append(self.expr(args_node))
        elif args_node is not None:
            for a in args_node.named_children:
                if a.type == "keyword_argument":
                    keywords.append(ir.Keyword(a.child_by_field_name("name").text.decode(),
                                               self.expr(a.child_by_field_name("value")), self.span(a)))
                elif a.type == "list_splat":
                    args.append(ir.Starred(self.expr(a.named_children[0]), self.span(a)))
                elif a.type == "dictionary_splat":
                    args.append(ir.Starred(self.expr(a.named_children[0]), self.span(a), double=True))
                elif a.type != "comment":
                    args.append(self.expr(a))
        # string building spelled as method calls
        if isinstance(func, ir.Attribute) and not keywords:
            recv = func.value
            if func.attr == "format" and isinstance(recv, (ir.Literal, ir.StrBuild)):
                return ir.StrBuild((recv, *args), ".format()", span)
            if func.attr == "join" and isinstance(recv, ir.Literal) and isinstance(recv.value, str) and len(args) == 1:
                return ir.StrBuild((recv, *args), ".join()", span)
        return ir.Call(func, tuple(args), tuple(keywords), span)

    def e_binary_operator(self, node):
        left = self.expr(node.child_by_field_name("left"))
        right = self.expr(node.child_by_field_name("right"))
        op = node.child_by_field_name("operator").text.decode()
        span = self.span(node)
        if op == "%" and _is_str(left):
            items = right.items if isinstance(right, ir.Container) and right.kind == "tuple" else (right,)
            return ir.StrBuild((left, *items), "%-format", span)
        if op == "+" and (_is_str(left) or _is_str(right)):
            parts: list[ir.Expr] = []
            for side in (left, right):
                parts.extend(side.parts if isinstance(side, ir.StrBuild) and side.how == "concatenation" else (side,))
            return ir.StrBuild(tuple(parts), "concatenation", span)
        return ir.BinOp(op, left, right, span)

    def e_comparison_operator(self, node):
        operands, ops = [], []
        pending = []
        for c in node.children:
            if c.is_named and c.type != "comment":
                if pending:
                    ops.append(" ".join(pending))
                    pending = []
                operands.append(self.expr(c))
            elif c.type in _COMPARE_OPS or c.type in ("not", "in", "is"):
                pending.append(c.type)
        if pending:
            ops.append(" ".join(pending))
        ops = ["!=" if o == "<>" else o for o in ops]
        if not operands:
            return self.unknown(node)
        return ir.Compare(operands[0], tuple(ops), tuple(operands[1:]), self.span(node))

    def e_boolean_operator(self, node):
        op = node.child_by_field_name("operator").type
        left = self.expr(node.child_by_field_name("left"))
        right = self.expr(node.child_by_field_name("right"))
        values = []
        for side in (left, right):
            values.extend(side.values if isinstance(side, ir.BoolOp) and side.op == op else (side,))
        return ir.BoolOp(op, tuple(values), self.span(node))

    def e_not_operator(self, node):
        return ir.UnaryOp("not", self.expr(node.child_by_field_name("argument")), self.span(node))

    def e_unary_operator(self, node):
        return ir.UnaryOp(node.child_by_field_name("operator").text.decode(),
                          self.expr(node.child_by_field_name("argument")), self.span(node))

    def e_conditional_expression(self, node):
        kids = node.named_children
        if len(kids) < 3:
            return self.unknown(node)
        return ir.Conditional(self.expr(kids[1]), self.expr(kids[0]), self.expr(kids[2]), self.span(node))

    def e_await(self, node):
        kids = node.named_children
        return ir.Await(self.expr(kids[0]), self.span(node)) if kids else self.unknown(node)

    def e_parenthesized_expression(self, node):
        kids = [c for c in node.named_children if c.type != "comment"]
        return self.expr(kids[0]) if len(kids) == 1 else self.unknown(node)

    def e_named_expression(self, node):
        return self.expr(node.child_by_field_name("value"))

    def e_list(self, node):
        return ir.Container("list", self.items(node), span=self.span(node))

    def e_tuple(self, node):
        return ir.Container("tuple", self.items(node), span=self.span(node))

    def e_expression_list(self, node):
        return ir.Container("tuple", self.items(node), span=self.span(node))

    def e_set(self, node):
        return ir.Container("set", self.items(node), span=self.span(node))

    def items(self, node) -> tuple[ir.Expr, ...]:
        out = []
        for c in node.named_children:
            if c.type == "list_splat":
                out.append(ir.Starred(self.expr(c.named_children[0]), self.span(c)))
            elif c.type != "comment":
                out.append(self.expr(c))
        return tuple(out)

    def e_dictionary(self, node):
        entries = []
        for c in node.named_children:
            if c.type == "pair":
                entries.append((self.expr(c.child_by_field_name("key")), self.expr(c.child_by_field_name("value"))))
            elif c.type == "dictionary_splat":
                entries.append((None, self.expr(c.named_children[0])))
        return ir.Container("dict", entries=tuple(entries), span=self.span(node))

    def e_list_splat(self, node):
        return ir.Starred(self.expr(node.named_children[0]), self.span(node))

    def e_lambda(self, node):
        params = self.params(node.child_by_field_name("parameters"), False)
        span = self.span(node)
        qual = ".".join([*self.scope, f"<lambda@{span.line}:{span.col}>"])
        body = node.child_by_field_name("body")
        fn = ir.Function("<lambda>", qual, params, (), span, module=self.module, expression_body=True)
        fn.body = (ir.Return(self.expr(body), self.span(body)),)
        self.module.functions.append(fn)
        return ir.FunctionRef(fn, span)

    def comprehension(self, node, element_node) -> ir.Expr:
        generators, conditions = [], []
        for c in node.named_children:
            if c.type == "for_in_clause":
                generators.append((self.target(c.child_by_field_name("left")),
                                   self.expr(c.child_by_field_name("right"))))
            elif c.type == "if_clause" and c.named_children:
                conditions.append(self.expr(c.named_children[0]))
        return ir.Comprehension(tuple(generators), element_node, tuple(conditions), self.span(node))

    def e_list_comprehension(self, node):
        return self.comprehension(node, self.expr(node.child_by_field_name("body")))

    e_set_comprehension = e_list_comprehension
    e_generator_expression = e_list_comprehension

    def e_dictionary_comprehension(self, node):
        pair = node.child_by_field_name("body")
        element = ir.Container("dict", entries=((self.expr(pair.child_by_field_name("key")),
                                                 self.expr(pair.child_by_field_name("value"))),), span=self.span(pair))
        return self.comprehension(node, element)


def _is_str(expr: ir.Expr) -> bool:
    return (isinstance(expr, ir.Literal) and isinstance(expr.value, str)) or isinstance(expr, ir.StrBuild)
