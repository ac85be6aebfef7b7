"""Class declarations: stacks, stages and constructs defined in the source."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.parsing import Node, text

if TYPE_CHECKING:
    from rules.model.source import SourceFile

STACK_FQNS = frozenset({"Stack", "NestedStack"})
STAGE_FQNS = frozenset({"Stage"})


@dataclass(eq=False)
class ClassDecl:
    file: "SourceFile"
    node: Node
    name: str

    def __post_init__(self) -> None:
        self.start_byte, self.end_byte = self.node.start_byte, self.node.end_byte

    @cached_property
    def heritage(self) -> v.Value | None:
        """The evaluated `extends` expression."""
        for child in self.node.named_children:
            if child.type == "class_heritage":
                for clause in child.named_children:
                    if clause.type == "extends_clause":
                        value = clause.child_by_field_name("value")
                        return self.file.eval(value) if value is not None else None
        return None

    @cached_property
    def kind(self) -> str:
        """'stack', 'stage', 'construct' or 'other', following local base classes across files."""
        seen: set[int] = set()
        base = self.heritage
        while True:
            if isinstance(base, v.Symbol):
                from rules.model.library import base_fqns, is_construct_fqn
                chain = {base.fqn, *base_fqns(base.fqn)}
                if chain & STACK_FQNS:
                    return "stack"
                if chain & STAGE_FQNS:
                    return "stage"
                return "construct" if is_construct_fqn(base.fqn) else "other"
            if isinstance(base, v.LocalClass) and base.decl_file is not None and base.decl.id not in seen:
                seen.add(base.decl.id)
                parent = base.decl_file.class_decl(base.decl)
                if parent is None:
                    return "other"
                base = parent.heritage
                continue
            return "other"

    @cached_property
    def constructor(self) -> Node | None:
        body = self.node.child_by_field_name("body")
        if body is None:
            return None
        for member in body.named_children:
            if member.type == "method_definition":
                name = member.child_by_field_name("name")
                if name is not None and text(name) == "constructor":
                    return member
        return None

    @cached_property
    def constructor_params(self) -> list[Node]:
        if self.constructor is None:
            return []
        params = self.constructor.child_by_field_name("parameters")
        if params is None:
            return []
        return [p for p in params.named_children if p.type in ("required_parameter", "optional_parameter")]

    @property
    def constructor_body(self) -> Node | None:
        return self.constructor.child_by_field_name("body") if self.constructor is not None else None

    @property
    def name_node(self) -> Node:
        return self.node.child_by_field_name("name") or self.node


def this_calls(f: "SourceFile", body: Node) -> set[str]:
    """Names of the `this.name(...)` calls inside `body` (a constructor's, a method's)."""
    names = set()
    for call in f.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        if not body.start_byte <= call.start_byte < body.end_byte or callee is None \
                or callee.type != "member_expression":
            continue
        receiver = callee.child_by_field_name("object")
        if receiver is not None and receiver.type == "this":
            names.add(text(callee.child_by_field_name("property")))
    return names
