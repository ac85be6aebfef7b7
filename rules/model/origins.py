"""Where a prop's value is written when the prop only names it.

`backupRetention: Duration.days(BACKUP_RETENTION_DAYS)`, `instanceType: WORKER_TYPE`,
`natGateways: config.natGateways`: the defect is decided on another line, often in
another file (a constants module, a stage config). A finding about such a value is also
reported there, so that a pull request changing the constant hears about it on the line
it changed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.references import WRAPPERS
from rules.parsing import Node

if TYPE_CHECKING:
    from rules.model.source import SourceFile

_REFERENCES = frozenset({"identifier", "member_expression"})
# where a value is set: a constant, an entry of a config object or array, a class field
_SETTINGS = frozenset({"variable_declarator", "pair", "array", "public_field_definition"})
# values written as source (not a construct, a parameter or an unknown)
_WRITTEN = (v.Lit, v.Obj, v.Arr, v.Call, v.New, v.Cond, v.Template, v.Symbol)


def value_origin(f: "SourceFile", pair: Node) -> tuple["SourceFile", Node] | None:
    """(file, node) of the expression a `key: value` pair's value comes from, when the pair
    names it (a constant, a config entry, the one argument of `Duration.days(X)`) and it is
    written on another line or in another file; None otherwise."""
    if pair.type != "pair":
        return None
    expr = _unwrap(pair.child_by_field_name("value"))
    if expr is not None and expr.type in ("call_expression", "new_expression"):
        args = expr.child_by_field_name("arguments")
        given = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        expr = _unwrap(given[0]) if len(given) == 1 else None
    if expr is None or expr.type not in _REFERENCES:
        return None
    value = f.eval(expr)
    if not isinstance(value, _WRITTEN) or value.node is None or value.file is None:
        return None
    if value.file is f and value.node.start_point[0] == pair.start_point[0]:
        return None
    if value.node.parent is None or value.node.parent.type not in _SETTINGS:
        return None                 # computed (a helper's return value, an argument): nothing to change there
    return value.file, value.node


def _unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    return node
