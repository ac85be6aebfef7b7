"""How findings name a construct: `Vpc 'TapVpc'`, or the class name when the id is not known."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import values as v

if TYPE_CHECKING:
    from rules.model.constructs import Construct


def label(construct: "Construct") -> str:
    ident = v.literal(construct.id)
    return f"{construct.name} '{ident}'" if isinstance(ident, str) else construct.name
