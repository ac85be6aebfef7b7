"""Configuration reads and whether the code checks them before use.

A *configuration read* is a value the app gets from outside at synth time: a context
value (`node.tryGetContext('stage')`), an environment variable (`process.env.X`) or a
parsed config file (`JSON.parse(fs.readFileSync(...))`). What the code then does with
it decides whether a missing value is caught:

- CHECKED: defaulted (`?? 'dev'`, `|| 'x'`), tested (`if (!x) throw`, `x === 'prod'`,
  `switch (x)`, `typeof x`), or handed to a validator (`assertStage(x)`, `Schema.parse(x)`);
- CRASH: dereferenced or destructured (`x.charAt(0)`, `const { a } = x`) or rendered into
  a string (`${x}`, `'a-' + x`): a missing value throws or becomes "undefined";
- PASSED: handed on as it is (a prop, a constructor argument);
- OTHER: anything else (returned, assigned to a field, passed to an unknown function).

A value bound to a `const` is judged by all its references: one check is enough. A value
stored in a property of a `const` object (`const config = { stage: <read> }`) is checked
by a test of that property (`if (!config.stage)`).
Only the syntax of the use is looked at here; that is the point of these questions.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.references import WRAPPERS, references
from rules.parsing import Node, text

if TYPE_CHECKING:
    from rules.model.source import SourceFile


class Use(enum.IntEnum):
    """How a value is used, from least to most telling (aggregation keeps the maximum)."""
    OTHER = 0
    PASSED = 1
    CRASH = 2
    CHECKED = 3


_DEFAULT_OPS = frozenset({"??", "||"})
_TEST_OPS = frozenset({"===", "!==", "==", "!=", "&&", "<", ">", "<=", ">=", "in", "instanceof"})
_CONDITION_PARENTS = frozenset({"if_statement", "while_statement", "do_statement", "switch_statement"})
_VALIDATOR_WORDS = ("assert", "valid", "check", "verify", "ensure", "require", "schema", "parse", "guard",
                    "must", "expect")


@dataclass(frozen=True)
class Read:
    """One configuration read: the expression, its outermost wrapper and what is done with it."""
    node: Node                 # `app.node.tryGetContext('stage')`, `process.env.X`
    outer: Node                # with `!`, `as T` and parentheses around it
    forced: bool               # `!` or `as T` told the compiler it is set
    use: Use
    variable: Node | None      # the `const` it is bound to, when it is


def read(f: "SourceFile", node: Node) -> Read:
    outer, forced = unwrap(node)
    variable = _bound_variable(outer)
    if variable is not None:
        return Read(node, outer, forced, _variable_use(f, variable), variable)
    use = use_at(outer, f)
    if use is Use.PASSED and _property_checked(f, outer):
        use = Use.CHECKED
    return Read(node, outer, forced, use, None)


def use_at(node: Node, f: "SourceFile | None" = None) -> Use:
    """How the expression `node` (already unwrapped) is used by its parent."""
    parent = node.parent
    if parent is None:
        return Use.OTHER
    kind = parent.type
    if kind == "binary_expression":
        op = text(parent.child_by_field_name("operator"))
        is_left = _same(parent.child_by_field_name("left"), node)
        if (op in _DEFAULT_OPS and is_left) or op in _TEST_OPS:
            return Use.CHECKED
        return Use.CRASH if op == "+" else Use.OTHER
    if kind == "unary_expression":
        return Use.CHECKED if text(parent.child_by_field_name("operator")) in ("!", "typeof") else Use.OTHER
    if kind in _CONDITION_PARENTS or (kind == "ternary_expression"
                                      and _same(parent.child_by_field_name("condition"), node)):
        return Use.CHECKED
    if kind in ("member_expression", "subscript_expression") and _same(parent.child_by_field_name("object"), node):
        optional = any(c.type == "optional_chain" for c in parent.children)
        return Use.OTHER if optional else Use.CRASH
    if kind == "template_substitution":
        return Use.CRASH
    if kind == "arguments":
        return _argument_use(parent.parent, f)
    if kind in ("pair", "shorthand_property_identifier", "array"):
        return Use.PASSED
    return Use.OTHER


def in_try_block(node: Node) -> bool:
    """Whether `node` runs inside a `try { ... }` body of its own function."""
    n = node.parent
    while n is not None and n.type not in ("function_declaration", "arrow_function", "method_definition",
                                            "function_expression"):
        if n.type == "statement_block" and n.parent is not None and n.parent.type == "try_statement":
            return True
        n = n.parent
    return False


def env_entry(node: Node) -> str | None:
    """'account' / 'region' when `node` is that entry of an `env` object (`env: { account: x }`,
    `{ account }` shorthand, `const env = { region: x }`): the normal, safe place for them."""
    if node.type == "shorthand_property_identifier":
        key, obj = text(node), node.parent
    else:
        pair = node.parent
        if pair is None or pair.type != "pair" or not _same(pair.child_by_field_name("value"), node):
            return None
        key, obj = text(pair.child_by_field_name("key")), pair.parent
    if key not in ("account", "region") or obj is None:
        return None
    holder = obj.parent
    if holder is not None and holder.type == "pair" and text(holder.child_by_field_name("key")) == "env":
        return key
    return key if _bound_name(obj) in ("env", "environment") else None


def declaration_statement(variable: Node) -> Node | None:
    """The `const x = ...;` statement declaring the variable, when it declares only that."""
    declarator = variable.parent
    statement = declarator.parent if declarator is not None else None
    if statement is None or statement.type not in ("lexical_declaration", "variable_declaration"):
        return None
    declarators = [c for c in statement.named_children if c.type == "variable_declarator"]
    return statement if len(declarators) == 1 else None


# -- helpers ------------------------------------------------------------------------------
def unwrap(node: Node) -> tuple[Node, bool]:
    """The expression with the `!`, `as T` and parentheses around it; whether those force a type."""
    forced = False
    while node.parent is not None and node.parent.type in WRAPPERS:
        parent = node.parent
        if parent.type == "non_null_expression" or (parent.type in ("as_expression", "type_assertion")
                                                     and not _casts_to_unknown(parent)):
            forced = True
        node = parent
    return node, forced


def _casts_to_unknown(cast: Node) -> bool:
    """`x as any` / `x as string | undefined` claim nothing about the value being set."""
    target = text(cast.named_children[-1]) if cast.named_children else ""
    return target in ("any", "unknown") or "undefined" in target


def _bound_variable(node: Node) -> Node | None:
    """The identifier of `const x = <node>`; the object pattern of `const { a } = <node>`."""
    parent = node.parent
    if parent is None or parent.type != "variable_declarator" or not _same(parent.child_by_field_name("value"), node):
        return None
    return parent.child_by_field_name("name")


def _variable_use(f: "SourceFile", name: Node) -> Use:
    if name.type != "identifier":
        return Use.CRASH                       # destructuring undefined throws
    uses = [_reference_use(ref, f) for ref in references(f, name)]
    return max(uses, default=Use.OTHER)


def _reference_use(ref: Node, f: "SourceFile") -> Use:
    if env_entry(ref) is not None:
        return Use.OTHER
    if ref.type == "shorthand_property_identifier":
        return Use.PASSED
    outer = unwrap(ref)[0]
    top, optional = outer, False
    while top.parent is not None and top.parent.type in ("member_expression", "subscript_expression") \
            and _same(top.parent.child_by_field_name("object"), top):
        optional = optional or any(c.type == "optional_chain" for c in top.parent.children)
        top = unwrap(top.parent)[0]
    if not _same(top, outer):  # `config.account`: a test of it checks the value, any other use dereferences it
        return Use.CHECKED if use_at(top, f) is Use.CHECKED else (Use.OTHER if optional else Use.CRASH)
    return Use.OTHER if env_entry(outer) is not None else use_at(outer, f)


def _property_checked(f: "SourceFile", value: Node) -> bool:
    """`const config = { stage: <value> }` then `if (!config.stage) throw ...`: a test of the
    property the value is stored in checks the value."""
    pair = value.parent
    if pair is None or pair.type != "pair" or not _same(pair.child_by_field_name("value"), value):
        return False
    holder = _bound_variable(unwrap(pair.parent)[0]) if pair.parent is not None else None
    if holder is None or holder.type != "identifier":
        return False
    key = text(pair.child_by_field_name("key")).strip("'\"")
    for ref in references(f, holder):
        outer = unwrap(ref)[0]
        member = outer.parent
        if member is not None and member.type == "member_expression" \
                and _same(member.child_by_field_name("object"), outer) \
                and text(member.child_by_field_name("property")) == key \
                and use_at(unwrap(member)[0]) is Use.CHECKED:
            return True
    return False


def _argument_use(call: Node | None, f: "SourceFile | None") -> Use:
    """An argument: checked when the callee reads like a validator, passed to a `new` or
    to a function or method of the CDK library (`Queue.fromQueueArn(this, 'Q', <value>)`)."""
    if call is None:
        return Use.OTHER
    if call.type == "new_expression":
        return Use.PASSED
    fn = call.child_by_field_name("function")
    name = text(fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else fn)
    if name == "parse" and fn is not None and fn.type == "member_expression" \
            and text(fn.child_by_field_name("object")) == "JSON":
        return Use.OTHER
    if any(w in name.lower() for w in _VALIDATOR_WORDS):
        return Use.CHECKED
    return Use.PASSED if f is not None and _library_callee(f, fn) and not name.startswith("is") else Use.OTHER


def _library_callee(f: "SourceFile", fn: Node | None) -> bool:
    """A static function of the CDK library (`ec2.Vpc.fromLookup`) or a method of a library
    construct (`bucket.addLifecycleRule`): code that takes the value as it is, unlike an app
    function, which may check it."""
    callee = f.eval(fn)
    if isinstance(callee, v.Symbol):
        return callee.package == "aws-cdk-lib"
    construct = v.root_construct(callee.base) if isinstance(callee, v.Attr) else None
    return construct is not None and construct.fqn is not None


def _bound_name(node: Node) -> str | None:
    parent = node.parent
    if parent is not None and parent.type == "variable_declarator":
        return text(parent.child_by_field_name("name"))
    return None


def _same(a: Node | None, b: Node | None) -> bool:
    return a is not None and b is not None and a.id == b.id
