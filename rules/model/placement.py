"""Where in the code a construct is created: inside a loop or a branch, under which scope,
and what kind of construct-tree node it is (stack, nested stack, stage)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.library import base_fqns
from rules.model.scopes import FUNCTION_TYPES, iterating_call
from rules.model.types import library_base
from rules.parsing import Node, text

if TYPE_CHECKING:
    from rules.model.constructs import Construct

_LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
_BRANCHES = frozenset({"if_statement", "else_clause", "switch_case", "switch_default",
                       "ternary_expression", "catch_clause"})
_SHORT_CIRCUIT = frozenset({"&&", "||", "??"})
# Stacks made to live inside another stack: nested stacks and Service Catalog product stacks.
_NESTED_STACKS = frozenset({"NestedStack", "aws_servicecatalog.ProductStack"})


def tree_kind(construct: "Construct") -> str | None:
    """'stack', 'nested-stack' or 'stage' for constructs that are those (library or app classes,
    CDK v1 included)."""
    fqn = construct.fqn
    if fqn is None and construct.local_class is not None:
        base = library_base(construct.local_class)
        fqn = base.fqn if base is not None else None
    if fqn is None:
        return None
    chain = {fqn, *base_fqns(fqn)}
    if chain & _NESTED_STACKS:
        return "nested-stack"
    if "Stack" in chain:
        return "stack"
    return "stage" if "Stage" in chain else None


def enclosing_function(node: Node) -> Node | None:
    n = node.parent
    while n is not None and n.type not in FUNCTION_TYPES:
        n = n.parent
    return n


def enclosing_loop(node: Node) -> Node | None:
    """The loop that runs `node` repeatedly within its function: a loop statement, or the call
    of an iterating array method (`items.forEach(item => ...)`) whose callback holds it."""
    n, came_from = node.parent, node
    while n is not None:
        if n.type in _LOOPS:
            body = n.child_by_field_name("body")
            if body is not None and body.id == came_from.id:
                return n
            # the iterable, `for (const s of [new Stack(app, 'A'), ...])`, is evaluated once
        if n.type in FUNCTION_TYPES:
            call = iterating_call(n)
            if call is None:
                return None
            return call
        n, came_from = n.parent, n
    return None


def iterates_at_most_once(f, loop: Node) -> bool:
    """True when the loop goes over a known array of at most one element."""
    if loop.type == "for_in_statement":
        items = f.eval(loop.child_by_field_name("right"))
    elif loop.type == "call_expression":
        callee = loop.child_by_field_name("function")
        items = f.eval(callee.child_by_field_name("object"))
    else:
        return False
    return isinstance(items, v.Arr) and not items.open and len(items.items) <= 1


def is_conditional(node: Node, stop: Node | None) -> bool:
    """True when `node` runs only on some paths of `stop` (its function): under an if/else,
    a switch case, a ternary, a catch or a short-circuit operator."""
    n = node.parent
    while n is not None and (stop is None or n.id != stop.id):
        if n.type in _BRANCHES:
            return True
        if n.type == "binary_expression" and text(n.child_by_field_name("operator")) in _SHORT_CIRCUIT:
            return True
        n = n.parent
    return False


def contains(outer: Node, inner: Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def constructor_scope_param(construct: "Construct") -> bool:
    """True when the construct's scope is the `scope` parameter of the constructor of the
    class creating it (its parent) rather than `this`."""
    owner = construct.owner
    if owner is None or not construct.arg_nodes or owner.constructor is None:
        return False
    scope = construct.file.eval(construct.arg_nodes[0])
    params = owner.constructor.child_by_field_name("parameters")
    return (isinstance(scope, v.Param) and scope.index == 0 and scope.node is not None
            and params is not None and contains(params, scope.node))
