"""Construct instances and the method calls made on them."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.types import ValueType, value_type
from rules.parsing import Node, text

if TYPE_CHECKING:
    from rules.model.classes import ClassDecl
    from rules.model.source import SourceFile


@dataclass(eq=False)
class Construct:
    """`new X(scope, id, props)`: one construct instance in the source."""
    file: "SourceFile"
    node: Node                      # the new_expression
    fqn: str | None                 # 'aws_s3.Bucket'; None for a local or unknown class
    local_class: v.LocalClass | None
    props_index: int = 2
    calls: list["MethodCall"] = field(default_factory=list, repr=False)

    @property
    def name(self) -> str:
        """Short class name for messages: 'Bucket', 'MyStack'."""
        if self.fqn:
            return self.fqn.rsplit(".", 1)[-1]
        return self.local_class.name if self.local_class else text(self.node.child_by_field_name("constructor"))

    @cached_property
    def arg_nodes(self) -> list[Node]:
        args = self.node.child_by_field_name("arguments")
        return [a for a in args.named_children if a.type != "comment"] if args is not None else []

    @cached_property
    def id(self) -> v.Value:
        return self.file.eval(self.arg_nodes[1]) if len(self.arg_nodes) > 1 else v.Lit(None)

    @cached_property
    def props(self) -> v.Value | None:
        """The evaluated props argument; None when the call passes none."""
        if len(self.arg_nodes) <= self.props_index:
            return None
        return self.file.eval(self.arg_nodes[self.props_index])

    @property
    def props_known(self) -> bool:
        """True when every prop that is set can be seen (no unknown object, no unknown spread)."""
        return self.props is None or (isinstance(self.props, v.Obj) and not self.props.open)

    def prop(self, name: str) -> v.Value | None:
        """The prop's value; None when surely absent; Unknown when it cannot be known."""
        props = self.props
        if props is None or (isinstance(props, v.Lit) and props.value is None):
            return None
        if isinstance(props, v.Obj):
            return props.get(name)
        return v.Unknown("props not visible", node=props.node, file=props.file)

    def prop_node(self, name: str) -> Node:
        """Where to point for a prop: its `key: value` pair when written here or in another
        analysed file (a shared defaults object spread in: `...DATABASE_DEFAULTS`), else the
        call. The engine reports a node in the file it belongs to."""
        props = self.props
        if isinstance(props, v.Obj):
            pair = props.key_nodes.get(name)
            if pair is not None and (self.file.owns(pair) or (
                    self.file.project is not None and self.file.project.analysed_file_of(pair) is not None)):
                return pair
        return self.node

    @cached_property
    def binding(self) -> str | None:
        """The variable (`const db = new ...`) or field (`this.db = new ...`) it is bound to."""
        parent = self.node.parent
        while parent is not None and parent.type in ("parenthesized_expression", "as_expression",
                                                    "satisfies_expression", "non_null_expression"):
            parent = parent.parent
        if parent is None:
            return None
        if parent.type == "variable_declarator":
            name = parent.child_by_field_name("name")
            return text(name) if name is not None and name.type == "identifier" else None
        if parent.type in ("assignment_expression", "public_field_definition"):
            target = parent.child_by_field_name("left") or parent.child_by_field_name("name")
            return text(target) if target is not None else None
        return None

    @cached_property
    def owner(self) -> "ClassDecl | None":
        """The class (stack or construct) whose code creates this construct."""
        return self.file.class_containing(self.node)

    def method_calls(self, *names: str) -> list["MethodCall"]:
        return [c for c in self.calls if not names or c.name in names]

    def __repr__(self) -> str:
        return f"<Construct {self.fqn or self.name} {self.file.path}:{self.node.start_point[0] + 1}>"


@dataclass(eq=False)
class CallSiteConstruct(Construct):
    """A construct a helper function or builder method creates, as one call of it creates it:
    `dataBucket(this, 'Raw', key, { removalPolicy: DESTROY })` or `this.buildFleet('Renderer',
    options)`. Its id and props are evaluated with the helper's parameters bound to that
    call's arguments, so each call is judged on what it passes."""
    site: Node | None = None                     # the call expression
    evaluator: object = field(default=None, repr=False)

    @cached_property
    def id(self) -> v.Value:
        return self.evaluator.eval(self.arg_nodes[1]) if len(self.arg_nodes) > 1 else v.Lit(None)

    @cached_property
    def props(self) -> v.Value | None:
        if len(self.arg_nodes) <= self.props_index:
            return None
        return self.evaluator.eval(self.arg_nodes[self.props_index])


@dataclass(eq=False)
class MethodCall:
    """`receiver.name(args)`: `path` is the attribute chain from the construct (`connections`)."""
    file: "SourceFile"
    node: Node                      # the call_expression
    name: str
    receiver: v.Value
    construct: Construct | None
    path: tuple[str, ...]

    @cached_property
    def args(self) -> list[v.Value]:
        args = self.node.child_by_field_name("arguments")
        if args is None:
            return []
        return [self.file.eval(a) for a in args.named_children if a.type != "comment"]

    @cached_property
    def receiver_type(self) -> ValueType | None:
        """The library type of the receiver, worked out once: several rules ask."""
        return value_type(self.receiver)

    @property
    def name_node(self) -> Node:
        fn = self.node.child_by_field_name("function")
        prop = fn.child_by_field_name("property") if fn is not None else None
        return prop or self.node

    @property
    def receiver_source(self) -> str:
        """How the code names the receiver (`this.dbSg.connections`), for messages."""
        fn = self.node.child_by_field_name("function")
        obj = fn.child_by_field_name("object") if fn is not None else None
        return text(obj) if obj is not None else ""


def attr_path(value: v.Value) -> tuple[Construct | None, tuple[str, ...]]:
    """(root construct, attribute path) of `db.connections` -> (db, ('connections',))."""
    path: list[str] = []
    while isinstance(value, v.Attr):
        path.append(value.name)
        value = value.base
    construct = value.construct if isinstance(value, v.ConstructRef) else None
    return construct, tuple(reversed(path))
