"""Object literals and the aws-cdk-lib struct types they are passed as.

A construct's props, a method's options (`asg.scaleOnCpuUtilization('Cpu', {...})`), a static
factory's options (`lambda.Code.fromAsset(path, {...})`), the props of a plain class
(`new iam.PolicyStatement({...})`) and the structs nested in any of them
(`lifecycleRules: [{...}]`) are jsii structs: which keys exist, which are required and which
are deprecated is known. `struct_uses(f)` lists each such literal once per file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Iterator

from rules.knowledge import ParamInfo, StructInfo, knowledge
from rules.model import values as v
from rules.model.types import is_v1, struct_named
from rules.parsing import Node

if TYPE_CHECKING:
    from rules.model.constructs import Construct
    from rules.model.source import SourceFile

_ARRAY_OF = re.compile(r"^Array<([A-Za-z_][\w.]*)>$")
_KEY_NODES = ("pair", "shorthand_property_identifier")


@dataclass(frozen=True)
class StructUse:
    """One object literal passed where a struct is expected.

    `value` is None when a construct's props argument is left out altogether; `node` is
    where to point for the literal as a whole (the object, or the `new` expression);
    `label` names it in messages (`Bucket`, `scaleOnCpuUtilization options`, `partitionKey`).
    """
    value: v.Obj | None
    struct: StructInfo
    label: str
    node: Node
    construct: "Construct | None" = None    # set for a construct's own props
    v1: bool = False                        # a CDK v1 construct: only its required props are judged

    @cached_property
    def written_keys(self) -> tuple[tuple[str, Node], ...]:
        """(key, `key: value` node) for each key written in the literal's own file, not spread in
        from elsewhere (computed once: several rules read it)."""
        if self.value is None:
            return ()
        literal, f = self.value.node, self.value.file
        return tuple((key, pair) for key, pair in self.value.key_nodes.items()
                     if pair.type in _KEY_NODES and (_child_of(pair, literal) or f.owns(pair)))

    def missing_required(self) -> list[str]:
        """Required keys that are surely absent (none when an unknown spread may add them)."""
        if self.value is not None and self.value.open:
            return []
        present = set(self.value.entries) if self.value is not None else set()
        return [name for name in self.struct.required if name not in present]


def struct_uses(f: "SourceFile") -> list[StructUse]:
    """Every struct literal of the file, nested ones included (computed once per file)."""
    return f.memo(_all_uses)


def _all_uses(f: "SourceFile") -> list[StructUse]:
    return list(_collect(f))


def _child_of(node: Node, parent: Node | None) -> bool:
    return parent is not None and node.parent is not None and node.parent.id == parent.id


def _collect(f: "SourceFile") -> Iterator[StructUse]:
    k = knowledge()
    for c in f.constructs:
        struct = k.props_of(c.fqn) if c.fqn else None
        if struct is None:
            continue
        props, v1 = c.props, is_v1(c)
        if props is None or (isinstance(props, v.Lit) and props.value is None):
            yield StructUse(None, struct, c.name, c.node, c, v1)
        elif isinstance(props, v.Obj) and props.file is f:
            yield from _with_nested(StructUse(props, struct, c.name, props.node, c, v1), f)
    for node in f.nodes("new_expression"):
        value = f.eval(node)
        if isinstance(value, v.New) and value.fqn and not _v1_callee(node, f):
            info = k.cls(value.fqn)
            if info is not None and info.init_params:
                yield from _argument_uses(info.init_params, value.args, info.fqn.rsplit(".", 1)[-1], f)
    for call in f.method_calls:
        receiver = call.receiver_type
        method = receiver.method(call.name) if receiver is not None else None
        if method is not None:
            yield from _argument_uses(method.params, call.args, f"{call.name} options", f)


def _v1_callee(new_node: Node, f: "SourceFile") -> bool:
    callee = f.eval(new_node.child_by_field_name("constructor"))
    return isinstance(callee, v.Symbol) and callee.v1


def _argument_uses(params: tuple[ParamInfo, ...], args: list[v.Value], label: str,
                   f: "SourceFile") -> Iterator[StructUse]:
    for param, arg in zip(params, args):
        if param.variadic:
            break
        struct = struct_named(param.type)
        if struct is None:
            continue
        for branch in v.branches(arg):
            if isinstance(branch, v.Obj) and branch.node is not None and branch.file is f:
                yield from _with_nested(StructUse(branch, struct, label, branch.node), f)


def _with_nested(use: StructUse, f: "SourceFile") -> Iterator[StructUse]:
    yield use
    for key, value in use.value.entries.items():
        prop = use.struct.props.get(key)
        if prop is None:
            continue
        element = _ARRAY_OF.match(prop.type)
        struct = struct_named(element.group(1) if element else prop.type)
        if struct is None:
            continue
        if element:
            items = value.items if isinstance(value, v.Arr) else []
        else:
            items = [value]
        for item in items:
            for branch in v.branches(item):
                if isinstance(branch, v.Obj) and branch.node is not None and branch.file is f:
                    yield from _with_nested(StructUse(branch, struct, f"`{key}`", branch.node, v1=use.v1), f)
