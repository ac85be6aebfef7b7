"""Mechanical one-line fixes for `suggestion`: a node's line with the node's text replaced,
and how a file spells a library name (`ec2.IpAddresses`, `IpAddresses`, `cdk.aws_ec2.IpAddresses`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.parsing import Node

if TYPE_CHECKING:
    from rules.model.source import SourceFile


def replace_on_line(node: Node | None, lines: list[str], new_text: str) -> str | None:
    """The source line holding `node` with the node replaced by `new_text`; None when the node
    spans several lines. Columns are byte offsets, so the line is edited as UTF-8."""
    if node is None or node.start_point[0] != node.end_point[0]:
        return None
    row = node.start_point[0]
    line = lines[row].encode()
    start, end = node.start_point[1], node.end_point[1]
    return (line[:start] + new_text.encode() + line[end:]).decode("utf-8", "replace")


def prefix_each(nodes: list[Node], lines: list[str], prefix: str) -> str:
    """The lines from the first node's start to the last node's end with `prefix` inserted
    before each node: a one-click fix of them all (lines between, and the inner lines of
    a node written over several, are kept as they are)."""
    first = nodes[0].start_point[0]
    block = [lines[row].encode() for row in range(first, nodes[-1].end_point[0] + 1)]
    for node in sorted(nodes, key=lambda n: n.start_byte, reverse=True):    # right to left keeps columns
        row, column = node.start_point
        block[row - first] = block[row - first][:column] + prefix.encode() + block[row - first][column:]
    return "\n".join(b.decode("utf-8", "replace") for b in block)


def pair_value(pair: Node) -> Node | None:
    """The value node of a `key: value` pair (None for shorthand `{ key }` or a call node)."""
    return pair.child_by_field_name("value") if pair.type == "pair" else None


def library_expression(f: "SourceFile", fqn: str) -> str | None:
    """How this file can name an aws-cdk-lib v2 symbol, from its imports; None when it cannot."""
    module, _, name = fqn.rpartition(".")
    spellings: dict[int, str] = {}      # preference -> spelling: the shortest way wins
    for binding in f.import_bindings.values():
        ref = binding.ref
        if ref.kind != "cdk":
            continue
        if ref.module == module and binding.imported == name:
            spellings.setdefault(0, binding.local)
        elif ref.module == module and binding.imported is None:
            spellings.setdefault(1, f"{binding.local}.{name}")
        elif ref.module == "" and binding.imported == module:
            spellings.setdefault(2, f"{binding.local}.{name}")
        elif ref.module == "" and binding.imported is None and module:
            spellings.setdefault(3, f"{binding.local}.{module}.{name}")
    return spellings[min(spellings)] if spellings else None
