"""Where a local name is referenced, and what a class does with its props parameter.

Both questions are about names in one file: the references of a `const` (or a
parameter) are the identifiers that resolve to its declaration.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import values as v
from rules.parsing import Node, text

if TYPE_CHECKING:
    from rules.model.classes import ClassDecl
    from rules.model.constructs import Construct
    from rules.model.source import SourceFile

WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                       "non_null_expression", "type_assertion"})


def references(f: "SourceFile", declared: Node) -> list[Node]:
    """The identifiers (and `{ x }` shorthands) after `declared` that resolve to it."""
    label = text(declared)
    out = []
    for ref in names_by_spelling(f).get(label, ()):
        if ref.type == "type_identifier" or ref.start_byte <= declared.start_byte:
            continue
        decl = f.scopes.lookup(ref, label)
        if decl is not None and decl.node.id == declared.id:
            out.append(ref)
    return out


def names_by_spelling(f: "SourceFile") -> dict[str, list[Node]]:
    """The file's identifiers, type names and `{ x }` shorthands by spelling, in source order.
    Built once per file: looking a name up here spares rules a pass over every identifier."""
    return f.memo(_names_by_spelling)


def _names_by_spelling(f: "SourceFile") -> dict[str, list[Node]]:
    found: dict[str, list[Node]] = {}
    for n in f.nodes("identifier", "type_identifier", "shorthand_property_identifier"):
        found.setdefault(text(n), []).append(n)
    return found


def outer_expression(node: Node) -> Node:
    """The node with the `!`, `as T` and parentheses around it."""
    while node.parent is not None and node.parent.type in WRAPPERS:
        node = node.parent
    return node


# -- constructs bound to a local ---------------------------------------------------------------
def construct_variable(construct: "Construct") -> Node | None:
    """The identifier of `const sg = new SecurityGroup(...)`."""
    parent = outer_expression(construct.node).parent
    if parent is None or parent.type != "variable_declarator":
        return None
    name = parent.child_by_field_name("name")
    return name if name is not None and name.type == "identifier" else None


def is_discarded(construct: "Construct") -> bool:
    """`new X(this, 'Id', {...});` as a statement of its own: nothing can refer to it."""
    parent = outer_expression(construct.node).parent
    return parent is not None and parent.type == "expression_statement"


def member_call(ref: Node) -> tuple[tuple[str, ...], Node] | None:
    """(`('connections', 'allowFrom')`, call) when `ref` is the receiver of `ref.a.b(...)`."""
    path: list[str] = []
    node = outer_expression(ref)
    while node.parent is not None and node.parent.type == "member_expression" \
            and node.parent.child_by_field_name("object").id == node.id:
        path.append(text(node.parent.child_by_field_name("property")))
        node = outer_expression(node.parent)
    parent = node.parent
    if path and parent is not None and parent.type == "call_expression" \
            and parent.child_by_field_name("function").id == node.id:
        return tuple(path), parent
    return None


def enclosing_call(ref: Node) -> Node | None:
    """The call or `new` whose arguments hold `ref` (through arrays, objects and pairs)."""
    node = outer_expression(ref).parent
    while node is not None:
        if node.type == "arguments":
            return node.parent
        if node.type not in ("array", "object", "pair", "spread_element") and node.type not in WRAPPERS:
            return None
        node = node.parent
    return None


# -- props ------------------------------------------------------------------------------------
def props_keys_read(cls: "ClassDecl", param: Node) -> frozenset[str] | None:
    """The props keys a class's constructor reads from its props parameter; None when the props
    object escapes whole (stored, spread, passed to a function, or to a local base class's
    `super`), since then any key may be read elsewhere.

    Passing props to `super(...)` of an aws-cdk-lib class (`Stack`, `Construct`) reads only
    the library's own props (`env`, `description`...), so it does not count as a use.
    """
    pattern = param.child_by_field_name("pattern")
    if pattern is None or any(c.type in ("accessibility_modifier", "readonly") for c in param.children):
        return None           # `private readonly props: P`: read through `this.props` anywhere
    if pattern.type == "object_pattern":
        return _pattern_keys(pattern)
    if pattern.type != "identifier":
        return None
    keys: set[str] = set()
    library_base = isinstance(cls.heritage, v.Symbol)
    for ref in references(cls.file, pattern):
        read = _key_read(ref, library_base)
        if read is None:
            return None
        keys |= read
    return frozenset(keys)


def _key_read(ref: Node, library_base: bool) -> set[str] | None:
    if ref.type == "shorthand_property_identifier":
        return None
    node = outer_expression(ref)
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "member_expression" and parent.child_by_field_name("object").id == node.id:
        return {text(parent.child_by_field_name("property"))}
    if parent.type == "subscript_expression" and parent.child_by_field_name("object").id == node.id:
        index = parent.child_by_field_name("index")
        return {text(index)[1:-1]} if index is not None and index.type == "string" else None
    if parent.type == "variable_declarator" and parent.child_by_field_name("value").id == node.id:
        name = parent.child_by_field_name("name")
        return _pattern_keys(name) if name is not None and name.type == "object_pattern" else None
    if parent.type == "arguments" and library_base:
        call = parent.parent
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is not None and fn.type == "super":
            return set()
    return None


def _pattern_keys(pattern: Node) -> frozenset[str] | None:
    keys = set()
    for prop in pattern.named_children:
        if prop.type == "shorthand_property_identifier_pattern":
            keys.add(text(prop))
        elif prop.type == "pair_pattern":
            keys.add(text(prop.child_by_field_name("key")).strip("'\""))
        elif prop.type == "object_assignment_pattern":
            keys.add(text(prop.child_by_field_name("left")))
        elif prop.type == "rest_pattern":
            return None
    return frozenset(keys)
