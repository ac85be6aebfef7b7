"""The app's own functions that build values: builder helpers.

Platform code hands out props through helpers (`function bucketProps(key) { return {...} }`,
`const workerProps = (name: string): FunctionProps => ({ ...DEFAULTS, handler: ... })`,
`this.bucketProps()`, `Defaults.functionProps(name)`), often from a shared module. A call to such a function is evaluated through its body, with
its parameters bound to the call's arguments, when the body is a single `return
<expression>` (or an arrow function's expression body): what it returns then follows from
the source alone. Functions with several returns stay Unknown, and so does a chain of
calls deeper than MAX_CALL_DEPTH (recursion).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rules.model.scopes import FUNCTION_TYPES
from rules.parsing import Node, text

if TYPE_CHECKING:
    from rules.model import values as v
    from rules.model.scopes import Declaration

MAX_CALL_DEPTH = 4


@dataclass(frozen=True)
class Frame:
    """One call being evaluated: the function and the values of its arguments."""
    function: Node
    args: tuple["v.Value", ...]
    depth: int

    def contains(self, node: Node) -> bool:
        return self.function.start_byte <= node.start_byte < self.function.end_byte

    def argument(self, decl: "Declaration") -> "v.Value | None":
        """The argument a parameter of this function is bound to; None for other
        declarations and for parameters the call leaves out (their default is not followed)."""
        params = self.function.child_by_field_name("parameters") or self.function.child_by_field_name("parameter")
        if params is None or not params.start_byte <= decl.node.start_byte < params.end_byte:
            return None
        return self.args[decl.index] if decl.index < len(self.args) else None


def returned_expression(function: Node) -> Node | None:
    """The expression a function returns when that is all it can return: the body of
    `(x) => ({...})`, or the `return` ending a body that has no other `return`."""
    body = function.child_by_field_name("body")
    if body is None:
        return None
    if body.type != "statement_block":
        return body
    statements = [s for s in body.named_children if s.type != "comment"]
    if not statements or statements[-1].type != "return_statement":
        return None
    if any(_has_return(s) for s in statements[:-1]):
        return None
    returned = statements[-1].named_children
    return returned[0] if returned else None


def _has_return(node: Node) -> bool:
    """A `return` inside `node` that belongs to the enclosing function (not a nested one)."""
    if node.type == "return_statement":
        return True
    if node.type in FUNCTION_TYPES or node.type in ("class_declaration", "class"):
        return False
    return any(_has_return(child) for child in node.named_children)


def class_member(class_node: Node, name: str, *, static: bool) -> Node | None:
    """The method (`method_definition`) called `name` of a class, or with `static` the
    initial value of its static field (`static readonly DB_PORT = 5432`); None otherwise."""
    body = class_node.child_by_field_name("body")
    if body is None:
        return None
    for member in body.named_children:
        if member.type not in ("method_definition", "public_field_definition"):
            continue
        member_name = member.child_by_field_name("name")
        if member_name is None or text(member_name) != name:
            continue
        if any(c.type == "static" for c in member.children) != static:
            continue
        if member.type == "method_definition":
            return member
        return member.child_by_field_name("value") if static else None
    return None


def is_getter(method: Node) -> bool:
    return any(c.type == "get" for c in method.children)
