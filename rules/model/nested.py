"""Where to point inside an object-valued prop (`backup: { retention: ... }`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import values as v

if TYPE_CHECKING:
    from rules.model.constructs import Construct
    from rules.parsing import Node


def pair_in(construct: "Construct", obj: v.Value | None, key: str) -> "Node":
    """The `key: value` pair of an object prop when it is written in the construct's file,
    else the construct (an object from another file cannot be pointed at from here)."""
    if isinstance(obj, v.Obj) and key in obj.key_nodes and obj.file is construct.file:
        return obj.key_nodes[key]
    return construct.node
