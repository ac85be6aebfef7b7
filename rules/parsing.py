"""tree-sitter parsing: one parser per grammar and compiled queries, per process."""
from __future__ import annotations

from functools import cache

import tree_sitter as ts
import tree_sitter_typescript as tst

Node = ts.Node
Tree = ts.Tree


@cache
def language(tsx: bool = False) -> ts.Language:
    return ts.Language(tst.language_tsx() if tsx else tst.language_typescript())


@cache
def _parser(tsx: bool) -> ts.Parser:
    return ts.Parser(language(tsx))


def parse(source: bytes, *, tsx: bool = False) -> Tree:
    return _parser(tsx).parse(source)


@cache
def query(source: str, tsx: bool = False) -> ts.Query:
    return ts.Query(language(tsx), source)


def captures(q: ts.Query, node: Node) -> dict[str, list[Node]]:
    return ts.QueryCursor(q).captures(node)


def text(node: Node | None) -> str:
    if node is None:
        return ""
    return node.text.decode("utf-8", "replace")


def first_error(node: Node) -> Node | None:
    """The first ERROR or MISSING node under `node`, in source order."""
    if not node.has_error:
        return None
    stack = [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            return n
        if n.has_error:
            stack.extend(reversed(n.children))
    return None


def walk(node: Node):
    """Pre-order traversal of named and anonymous descendants, iteratively."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))
