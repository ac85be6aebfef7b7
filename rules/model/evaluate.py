"""Value evaluation: what a TypeScript expression is, as far as it can be known from source.

Follows const/let bindings through file, class and function scopes, local imports
across files, object spreads, `this.field` assignments, enum members and library
calls. Anything else becomes `Unknown`.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.functions import MAX_CALL_DEPTH, Frame, class_member, is_getter, returned_expression
from rules.model.scopes import SCOPE_TYPES, FUNCTION_TYPES, Declaration
from rules.parsing import Node, text

if TYPE_CHECKING:
    from rules.model.source import SourceFile

_WRAPPERS = {"parenthesized_expression", "as_expression", "satisfies_expression",
             "non_null_expression", "type_assertion"}
_MAX_DEPTH = 120
_MAX_ELEMENTS = 32          # a loop over more elements is not unrolled into alternatives
_OBJECT_WALKS = frozenset({"Object.entries", "Object.keys", "Object.values"})


class Evaluator:
    def __init__(self, file: "SourceFile", frame: Frame | None = None):
        self.file = file
        self._memo: dict[int, v.Value] = {}
        self._active: set[int] = set()
        self._frame = frame         # set while evaluating a call of the app's own function

    # -- entry point -----------------------------------------------------------------
    def eval(self, node: Node | None) -> v.Value:
        if node is None:
            return v.Lit(None, file=self.file)
        if self._frame is not None and not self._frame.contains(node):
            return self.file.evaluator.eval(node)     # outside the called function: no argument matters
        key = node.id
        memo = self._memo.get(key)
        if memo is not None:
            return memo
        if key in self._active or len(self._active) > _MAX_DEPTH:
            return self._unknown(node, "recursive value")
        self._active.add(key)
        try:
            result = self._eval(node)
        finally:
            self._active.discard(key)
        if result.node is None:
            result.node = node
        if result.file is None:
            result.file = self.file
        self._memo[key] = result
        return result

    def _unknown(self, node: Node, reason: str) -> v.Unknown:
        return v.Unknown(reason, node=node, file=self.file)

    def _eval(self, node: Node) -> v.Value:
        kind = node.type
        handler = _HANDLERS.get(kind)
        if handler is not None:
            return handler(self, node)
        if kind in _WRAPPERS:
            inner = next((c for c in node.named_children if not c.type.endswith("type")
                          and c.type not in ("type_arguments", "type_identifier", "generic_type")), None)
            return self.eval(inner) if inner is not None else self._unknown(node, kind)
        return self._unknown(node, kind)

    # -- literals --------------------------------------------------------------------
    def _eval_string(self, node: Node) -> v.Value:
        raw = text(node)
        if "\\" not in raw and raw[:1] in "'\"":
            return v.Lit(raw[1:-1])         # nothing to unescape: spares compiling a literal
        try:
            return v.Lit(ast.literal_eval(raw) if raw[:1] in "'\"" else raw)
        except (ValueError, SyntaxError):
            return v.Lit(raw[1:-1])

    def _eval_number(self, node: Node) -> v.Value:
        raw = text(node).replace("_", "").rstrip("n")
        try:
            return v.Lit(int(raw, 0))
        except ValueError:
            try:
                return v.Lit(float(raw))
            except ValueError:
                return self._unknown(node, "number")

    def _eval_true(self, node: Node) -> v.Value:
        return v.Lit(True)

    def _eval_false(self, node: Node) -> v.Value:
        return v.Lit(False)

    def _eval_null(self, node: Node) -> v.Value:
        return v.Lit(None)

    def _eval_undefined(self, node: Node) -> v.Value:
        return v.Lit(None)

    def _eval_template_string(self, node: Node) -> v.Value:
        parts: list[v.Value] = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(v.Lit(text(child), node=child))
            elif child.type == "template_substitution":
                inner = child.named_children[0] if child.named_children else None
                parts.append(self.eval(inner))
            elif child.type == "escape_sequence":
                parts.append(v.Lit(_unescape(text(child)), node=child))
        if all(isinstance(p, v.Lit) and isinstance(p.value, (str, int, float)) for p in parts):
            return v.Lit("".join(_js_str(p.value) for p in parts))
        return v.Template(parts)

    # -- containers ------------------------------------------------------------------
    def _eval_object(self, node: Node) -> v.Value:
        obj = v.Obj({}, {})
        for child in node.named_children:
            if child.type == "pair":
                key = self._key_name(child.child_by_field_name("key"))
                if key is None:
                    obj.open = True
                    continue
                obj.entries[key] = self.eval(child.child_by_field_name("value"))
                obj.key_nodes[key] = child
            elif child.type == "shorthand_property_identifier":
                obj.entries[text(child)] = self._resolve_identifier(child, text(child))
                obj.key_nodes[text(child)] = child
            elif child.type == "spread_element":
                spread = self.eval(child.named_children[0] if child.named_children else None)
                if isinstance(spread, v.Obj):
                    obj.entries.update(spread.entries)
                    obj.key_nodes.update(spread.key_nodes)
                    obj.open = obj.open or spread.open
                elif not (isinstance(spread, v.Lit) and spread.value is None):
                    obj.open = True
            elif child.type == "method_definition":
                key = self._key_name(child.child_by_field_name("name"))
                if key is not None:
                    obj.entries[key] = self._unknown(child, "method")
                    obj.key_nodes[key] = child
        return obj

    def _key_name(self, key: Node | None) -> str | None:
        if key is None:
            return None
        if key.type in ("property_identifier", "identifier"):
            return text(key)
        if key.type == "string":
            value = self._eval_string(key)
            return value.value if isinstance(value, v.Lit) else None
        if key.type == "number":
            return text(key)
        if key.type == "computed_property_name" and key.named_children:
            value = self.eval(key.named_children[0])
            return str(value.value) if isinstance(value, v.Lit) else None
        return None

    def _eval_array(self, node: Node) -> v.Value:
        arr = v.Arr([])
        for child in node.named_children:
            if child.type == "spread_element":
                spread = self.eval(child.named_children[0] if child.named_children else None)
                if isinstance(spread, v.Arr):
                    arr.items.extend(spread.items)
                    arr.open = arr.open or spread.open
                else:
                    arr.open = True
            elif child.type != "comment":
                arr.items.append(self.eval(child))
        return arr

    # -- names -----------------------------------------------------------------------
    def _eval_identifier(self, node: Node) -> v.Value:
        return self._resolve_identifier(node, text(node))

    def _eval_this(self, node: Node) -> v.Value:
        return v.This(self.file.scopes.enclosing_class(node))

    def _resolve_identifier(self, node: Node, name: str) -> v.Value:
        if name == "undefined":
            return v.Lit(None)
        decl = self.file.scopes.lookup(node, name)
        if decl is None:
            return self._unknown(node, f"unresolved name {name}")
        return self._declaration_value(decl)

    def _declaration_value(self, decl: Declaration) -> v.Value:
        if decl.kind == "import":
            return self.file.import_value(decl.binding)
        if "..." in decl.path:
            return v.Unknown("rest element", node=decl.node, file=self.file)
        if decl.kind == "param":
            bound = self._frame.argument(decl) if self._frame is not None else None
            param = bound if bound is not None else v.Param(decl.name, decl.index, decl.type_name,
                                                            node=decl.node, file=self.file)
            return self._destructure(param, decl.path, decl.default) if decl.path else param
        if decl.kind == "element":
            bound = self._frame.argument(decl) if self._frame is not None else None
            if bound is not None:                         # evaluating `arr.map(fn)` item by item
                return self._destructure(bound, decl.path, decl.default) if decl.path else bound
            return self._element(decl)
        if decl.kind == "function":
            return v.FunctionRef("function", decl=decl.node, decl_file=self.file, node=decl.node, file=self.file)
        if decl.kind == "class":
            return v.LocalClass(decl.name, decl.node, self.file, node=decl.node, file=self.file)
        if decl.kind == "enum":
            return v.Unknown("local enum", node=decl.node, file=self.file)
        if decl.kind == "variable":
            if decl.reassigned or decl.value is None:
                return v.Unknown(f"{decl.name} is reassigned or uninitialised", node=decl.node, file=self.file)
            value = self.eval(decl.value)
            return self._destructure(value, decl.path, decl.default)
        return v.Unknown(decl.kind, node=decl.node, file=self.file)

    def _element(self, decl: Declaration) -> v.Value:
        """A loop variable or a callback's element: every element of a known array, as
        alternatives (a rule judges each, as it does both branches of a ternary)."""
        items = self._elements(decl.value)
        if items is None:
            return v.Unknown("element of an unknown array", node=decl.node, file=self.file)
        chosen = v.one_of([(decl.node, self._destructure(item, decl.path, decl.default)) for item in items])
        return chosen if chosen is not None else v.Unknown("element of an empty array", node=decl.node, file=self.file)

    def _elements(self, iterable: Node | None) -> list[v.Value] | None:
        """The elements of a known array (`Object.entries/keys/values` of a known object too)."""
        if iterable is None:
            return None
        walk = text(iterable.child_by_field_name("function")) if iterable.type == "call_expression" else ""
        if walk in _OBJECT_WALKS:
            args = self._args(iterable.child_by_field_name("arguments"))
            obj = args[0] if len(args) == 1 else None
            if not isinstance(obj, v.Obj) or obj.open:
                return None
            how = walk.rsplit(".", 1)[-1]
            return [v.Lit(k) if how == "keys" else value if how == "values" else v.Arr([v.Lit(k), value])
                    for k, value in obj.entries.items()]
        value = self.eval(iterable)
        if isinstance(value, v.Arr) and not value.open and len(value.items) <= _MAX_ELEMENTS:
            return value.items
        return None

    def _map(self, call: Node, fn: Node) -> v.Value | None:
        """`ARRAY.map((item) => ...)` over a known array: each element through the callback."""
        callback = next((a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"), None)
        if callback is None or callback.type not in ("arrow_function", "function_expression", "function"):
            return None
        items = self._elements(fn.child_by_field_name("object"))
        expression = returned_expression(callback)
        if items is None or expression is None or self._depth + 1 > MAX_CALL_DEPTH:
            return None
        return v.Arr([Evaluator(self.file, Frame(callback, (item,), self._depth + 1)).eval(expression)
                      for item in items])

    def _destructure(self, value: v.Value, path: tuple[str, ...], default: Node | None) -> v.Value:
        for key in path:
            value = self.member(value, key, value.node)
        if default is not None and isinstance(value, v.Lit) and value.value is None:
            return self.eval(default)
        if default is not None and not isinstance(value, (v.Lit, v.Obj, v.Arr, v.Symbol, v.ConstructRef)):
            return v.Unknown("destructured with a default", node=default, file=self.file)
        return value

    # -- member access ---------------------------------------------------------------
    def _eval_member_expression(self, node: Node) -> v.Value:
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        if obj is None or prop is None:
            return self._unknown(node, "member")
        if _is_process_env(obj):
            return v.EnvRef(text(prop))
        return self.member(self.eval(obj), text(prop), node)

    def _eval_subscript_expression(self, node: Node) -> v.Value:
        obj = self.eval(node.child_by_field_name("object"))
        index = self.eval(node.child_by_field_name("index"))
        if isinstance(index, v.Lit):
            if isinstance(obj, v.Arr) and isinstance(index.value, int) and not obj.open:
                return obj.items[index.value] if 0 <= index.value < len(obj.items) else v.Lit(None)
            if isinstance(index.value, (str, int)):
                return self.member(obj, str(index.value), node)
        if isinstance(obj, v.Obj) and not obj.open:            # STAGES[stageName]: any of its entries
            chosen = _by_key(obj)
            if chosen is not None:
                return chosen
        return self._unknown(node, "subscript")

    def member(self, base: v.Value, name: str, node: Node | None) -> v.Value:
        if isinstance(base, v.Namespace):
            if base.package == "aws-cdk-lib" and base.module == "" and name[:1].islower():
                return v.Namespace(name, v1=base.v1)           # cdk.aws_ec2
            prefix = base.module
            return v.Symbol(f"{prefix}.{name}" if prefix else name, v1=base.v1, package=base.package)
        if isinstance(base, v.Symbol):
            return v.Symbol(f"{base.fqn}.{name}", v1=base.v1, package=base.package)
        if isinstance(base, v.Obj):
            got = base.get(name)
            return got if got is not None else v.Lit(None)
        if isinstance(base, v.Arr) and name == "length" and not base.open:
            return v.Lit(len(base.items))
        if isinstance(base, v.Arr) and name.isdigit() and not base.open:     # `const [name, port] = ...`
            return base.items[int(name)] if int(name) < len(base.items) else v.Lit(None)
        if isinstance(base, v.This):
            return self._this_member(base, name, node)
        if isinstance(base, v.LocalClass):
            return self._static_member(base, name)
        if isinstance(base, v.LocalModule):
            return base.module.project.export_of(base.module, name)
        if isinstance(base, (v.ConstructRef, v.Attr, v.Param, v.New, v.Call)):
            return v.Attr(base, name)
        if isinstance(base, v.Cond):
            return v.Cond(base.test, self.member(base.then, name, node), self.member(base.otherwise, name, node))
        return v.Unknown(f"member {name} of an unknown value")

    def _this_member(self, this: v.This, name: str, node: Node | None) -> v.Value:
        """`this.x`: a field's value, a method (`this.bucketProps`) or a getter's value."""
        owner = this.file if this.file is not None else self.file   # `this` handed to another file's helper
        evaluator = self if owner is self.file else owner.evaluator
        value = owner.scopes.field_value(evaluator, this.class_node, name, node)
        method = class_member(this.class_node, name, static=False) \
            if isinstance(value, v.Attr) and this.class_node is not None else None
        if method is None:
            return value
        if is_getter(method):
            return owner.evaluator.call(method, [], self._depth + 1) or value
        return v.FunctionRef("method", decl=method, decl_file=owner, node=method, file=owner)

    def _static_member(self, cls: v.LocalClass, name: str) -> v.Value:
        """`Defaults.bucketProps` (a static method), `Config.DB_PORT` (a static field)."""
        found = class_member(cls.decl, name, static=True) if cls.decl is not None and cls.decl_file else None
        if found is None:
            return v.Unknown(f"member {name} of class {cls.name}")
        if found.type == "method_definition":
            return v.FunctionRef("method", decl=found, decl_file=cls.decl_file, node=found, file=cls.decl_file)
        return cls.decl_file.evaluator.eval(found)

    @property
    def _depth(self) -> int:
        """How many calls of the app's own functions deep this evaluation is."""
        return self._frame.depth if self._frame is not None else 0

    # -- calls -----------------------------------------------------------------------
    def _eval_call_expression(self, node: Node) -> v.Value:
        fn = node.child_by_field_name("function")
        if fn is not None and fn.type == "member_expression" and text(fn.child_by_field_name("property")) == "map":
            mapped = self._map(node, fn)
            if mapped is not None:
                return mapped
        args = self._args(node.child_by_field_name("arguments"))
        callee = self.eval(fn)
        if isinstance(callee, v.FunctionRef) and callee.decl_file is not None:
            returned = callee.decl_file.evaluator.call(callee.decl, args, self._depth + 1)
            if returned is not None:
                return returned
        if not isinstance(callee, v.Symbol):
            return v.Call(callee, args, None)
        return _distribute(lambda a: v.Call(callee, a, callee.fqn, node=node, file=self.file), args)

    def call(self, function: Node, args: list[v.Value], depth: int) -> v.Value | None:
        """What the app's own `function` returns for these arguments, when its body is one
        `return` (rules/model/functions.py); None when that cannot be followed."""
        expression = returned_expression(function)
        if expression is None or depth > MAX_CALL_DEPTH:
            return None
        return Evaluator(self.file, Frame(function, tuple(args), depth)).eval(expression)

    def _eval_new_expression(self, node: Node) -> v.Value:
        construct = self.file.construct_at(node)
        if construct is not None:
            return v.ConstructRef(construct)
        callee = self.eval(node.child_by_field_name("constructor"))
        args = self._args(node.child_by_field_name("arguments"))
        if not isinstance(callee, v.Symbol):
            return v.New(None, args)
        return _distribute(lambda a: v.New(callee.fqn, a, node=node, file=self.file), args)

    def _args(self, arguments: Node | None) -> list[v.Value]:
        if arguments is None:
            return []
        return [self.eval(a) for a in arguments.named_children if a.type != "comment"]

    # -- operators -------------------------------------------------------------------
    def _eval_ternary_expression(self, node: Node) -> v.Value:
        test = node.child_by_field_name("condition")
        then = self.eval(node.child_by_field_name("consequence"))
        otherwise = self.eval(node.child_by_field_name("alternative"))
        return v.Cond(test, then, otherwise)

    def _eval_binary_expression(self, node: Node) -> v.Value:
        op = text(node.child_by_field_name("operator"))
        left = self.eval(node.child_by_field_name("left"))
        if op in ("??", "||"):
            if isinstance(left, v.Lit):
                falsy = left.value is None if op == "??" else not left.value
                return self.eval(node.child_by_field_name("right")) if falsy else left
            if isinstance(left, (v.Obj, v.Arr, v.Symbol, v.ConstructRef)):
                return left
            if op == "??" and isinstance(left, (v.Param, v.Attr)):
                # `props.multiAz ?? false`: the caller's value, or the default when it says nothing
                return v.Cond(node, left, self.eval(node.child_by_field_name("right")))
            return self._unknown(node, op)
        right = self.eval(node.child_by_field_name("right"))
        if isinstance(left, v.Lit) and isinstance(right, v.Lit):
            result = _arith(op, left.value, right.value)
            if result is not _NO_RESULT:
                return v.Lit(result)
        return self._unknown(node, f"operator {op}")

    def _eval_unary_expression(self, node: Node) -> v.Value:
        op = text(node.child_by_field_name("operator"))
        arg = self.eval(node.child_by_field_name("argument"))
        if isinstance(arg, v.Lit):
            if op == "-" and isinstance(arg.value, (int, float)):
                return v.Lit(-arg.value)
            if op == "!":
                return v.Lit(not arg.value)
        return self._unknown(node, f"unary {op}")

    def _eval_arrow_function(self, node: Node) -> v.Value:
        return v.FunctionRef("function", decl=node, decl_file=self.file, node=node, file=self.file)

    _eval_function_expression = _eval_arrow_function


# node type -> handler: one dict lookup per evaluated node instead of building a method name
_HANDLERS = {name.removeprefix("_eval_"): fn for name, fn in vars(Evaluator).items() if name.startswith("_eval_")}


def _by_key(obj: v.Obj) -> v.Value | None:
    """Every entry of a config object as alternatives, each tested on its key, so that
    `{ dev: {...}, prod: {...} }[stage]` is judged for production on its `prod` entry."""
    if not 2 <= len(obj.entries) <= _MAX_ELEMENTS:
        return None
    alternatives = []
    for key, item in obj.entries.items():
        written = obj.key_nodes.get(key)
        test = written.child_by_field_name("key") if written is not None and written.type == "pair" else written
        if test is None:
            return None
        alternatives.append((test, item))
    return v.one_of(alternatives)


def _is_process_env(node: Node) -> bool:
    # the property is checked first: most chains do not end in `.env`, and it spares
    # decoding the text of long ones
    if node.type != "member_expression":
        return False
    prop = node.child_by_field_name("property")
    return prop is not None and text(prop) == "env" and text(node).replace(" ", "") == "process.env"


_MAX_DISTRIBUTED = 3


def _distribute(build, args: list[v.Value]) -> v.Value:
    """A library call with a conditional argument as a conditional of calls:
    `Duration.days(isProd ? 35 : 1)` is `isProd ? Duration.days(35) : Duration.days(1)`, so
    rules judge the production branch of a prop whole (at most a few conditional arguments)."""
    conditional = [i for i, a in enumerate(args) if isinstance(a, v.Cond)]
    if not conditional or len(conditional) > _MAX_DISTRIBUTED:
        return build(args)
    i = conditional[0]
    cond = args[i]
    return v.Cond(cond.test, _distribute(build, [*args[:i], cond.then, *args[i + 1:]]),
                  _distribute(build, [*args[:i], cond.otherwise, *args[i + 1:]]))


_NO_RESULT = object()


def _arith(op: str, a, b):
    try:
        if op == "+" and (isinstance(a, str) or isinstance(b, str)):
            return _js_str(a) + _js_str(b)
        if isinstance(a, bool) or isinstance(b, bool) or not all(isinstance(x, (int, float)) for x in (a, b)):
            if op in ("===", "=="):
                return a == b
            if op in ("!==", "!="):
                return a != b
            return _NO_RESULT
        result = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                  "/": lambda: a / b, "%": lambda: a % b, "**": lambda: a ** b,
                  "===": lambda: a == b, "==": lambda: a == b, "!==": lambda: a != b,
                  "!=": lambda: a != b, "<": lambda: a < b, ">": lambda: a > b,
                  "<=": lambda: a <= b, ">=": lambda: a >= b}.get(op)
        if result is None:
            return _NO_RESULT
        out = result()
        return int(out) if isinstance(out, float) and out.is_integer() and op != "/" else out
    except (ArithmeticError, TypeError):
        return _NO_RESULT


def _js_str(value) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unescape(seq: str) -> str:
    try:
        return ast.literal_eval(f'"{seq}"')
    except (ValueError, SyntaxError):
        return seq


__all__ = ["Evaluator", "SCOPE_TYPES", "FUNCTION_TYPES"]
