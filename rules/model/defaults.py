"""What an omitted prop means for one construct: the knowledge table's default, cases applied."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rules.model import values as v

if TYPE_CHECKING:
    from rules.knowledge.overlay import SemanticDefault
    from rules.model.constructs import Construct

UNDECIDED = object()    # a case's condition cannot be known: the default cannot be either


@dataclass(frozen=True)
class Default:
    value: Any              # overlay value: enum members unqualified, durations as {days: n}...
    fact: "SemanticDefault"

    @property
    def meaning(self) -> str:
        return self.fact.meaning


def default_of(construct: "Construct", prop: str, ctx=None) -> Default | None:
    """The effective value of `prop` when it is omitted; None when the table has no fact
    or a case that would change it depends on a value that cannot be known."""
    from rules.knowledge import knowledge
    if construct.fqn is None:
        return None
    fact = knowledge().semantic_default(construct.fqn, prop)
    if fact is None:
        return None
    for case in fact.cases:
        applies = _case_applies(construct, case, ctx)
        if applies is UNDECIDED:
            return None
        if applies:
            return Default(case.value, fact)
    return Default(fact.value, fact)


def _case_applies(construct: "Construct", case, ctx):
    if case.if_set is not None:
        value = construct.prop(case.if_set)
        if value is None:
            return False
        return True if value.known else UNDECIDED
    path, expected = case.if_equals
    value = _at_path(construct, path)
    if ctx is not None:
        value = ctx.production_branch(value)
    if value is None:
        return False
    seen = _plain(value)
    return UNDECIDED if seen is UNDECIDED else seen == expected


def _at_path(construct: "Construct", path: str) -> v.Value | None:
    head, *rest = path.split(".")
    value = construct.prop(head)
    for key in rest:
        if not isinstance(value, v.Obj):
            return value if value is None else v.Unknown("not an object")
        value = value.get(key)
    return value


def _plain(value: v.Value):
    """A literal's value or an enum member's name (`RemovalPolicy.RETAIN` -> 'RETAIN')."""
    if isinstance(value, v.Lit):
        return value.value
    if isinstance(value, v.Symbol):
        return value.fqn.rsplit(".", 1)[-1]
    return UNDECIDED
