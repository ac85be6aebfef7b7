"""Lexical scopes of one file: which declaration a name refers to at a given node."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.imports import ImportBinding
from rules.parsing import Node, text, walk

if TYPE_CHECKING:
    from rules.model.evaluate import Evaluator
    from rules.model.source import SourceFile

SCOPE_TYPES = frozenset({"program", "statement_block", "switch_body", "for_statement",
                         "for_in_statement", "catch_clause", "class_static_block"})
FUNCTION_TYPES = frozenset({"function_declaration", "function_expression", "function",
                            "arrow_function", "method_definition", "generator_function_declaration",
                            "generator_function"})
CLASS_TYPES = frozenset({"class_declaration", "abstract_class_declaration", "class"})
# The statements that count towards the size of a body of code.
STATEMENT_TYPES = ("expression_statement", "lexical_declaration", "variable_declaration", "if_statement",
                   "for_statement", "for_in_statement", "while_statement", "do_statement",
                   "return_statement", "throw_statement", "try_statement", "switch_statement")


@dataclass(frozen=True)
class Declaration:
    kind: str                      # variable | param | import | class | function | enum | opaque
    name: str
    node: Node
    value: Node | None = None      # initializer of a variable
    path: tuple[str, ...] = ()     # destructuring path into the value / parameter
    default: Node | None = None
    reassigned: bool = False
    index: int = 0                 # parameter position
    type_name: str | None = None
    binding: ImportBinding | None = None


class Scopes:
    def __init__(self, file: "SourceFile"):
        self.file = file
        self._tables: dict[int, dict[str, Declaration]] = {}
        self._fields: dict[int, dict[str, list[Node]]] = {}
        self._assigned: set[str] | None = None
        self._by_name: dict[str, list[tuple[int, int, Declaration]]] | None = None

    def lookup(self, node: Node, name: str) -> Declaration | None:
        """The declaration `name` refers to at `node`: the innermost enclosing scope declaring it.

        Scopes nest by byte range, so containment of `node.start_byte` replaces a walk
        up the parents (which costs more than the whole parse on large files).
        """
        candidates = self.by_name.get(name)
        if not candidates:
            return None
        at = node.start_byte
        best: tuple[int, int, Declaration] | None = None
        for entry in candidates:
            start, end, _ = entry
            if start <= at < end and (best is None or start >= best[0]):
                best = entry
        return best[2] if best is not None else None

    @property
    def by_name(self) -> dict[str, list[tuple[int, int, Declaration]]]:
        if self._by_name is None:
            by_name: dict[str, list[tuple[int, int, Declaration]]] = {}
            root = self.file.root
            scopes = [root, *self.file.nodes(*SCOPE_TYPES - {"program"}, *FUNCTION_TYPES)]
            for scope in scopes:
                start, end = (0, len(self.file.source) + 1) if scope is root else (scope.start_byte, scope.end_byte)
                for name, decl in self._table(scope).items():
                    by_name.setdefault(name, []).append((start, end, decl))
            self._by_name = by_name
        return self._by_name

    # -- tables ----------------------------------------------------------------------
    def _table(self, scope: Node) -> dict[str, Declaration]:
        table = self._tables.get(scope.id)
        if table is None:
            table = {}
            if scope.type in FUNCTION_TYPES:
                self._declare_params(scope, table)
            elif scope.type == "catch_clause":
                param = scope.child_by_field_name("parameter")
                if param is not None:
                    for ident in _pattern_names(param):
                        table[text(ident)] = Declaration("opaque", text(ident), ident)
            elif scope.type in ("for_in_statement",):
                self._declare_loop_variable(scope, table)
            else:
                for stmt in scope.named_children:
                    self._declare_statement(stmt, table)
                if scope.type == "program":
                    for binding in self.file.import_bindings.values():
                        table[binding.local] = Declaration("import", binding.local, binding.node, binding=binding)
            self._tables[scope.id] = table
        return table

    def _declare_statement(self, stmt: Node, table: dict[str, Declaration]) -> None:
        kind = stmt.type
        if kind == "export_statement":
            decl = stmt.child_by_field_name("declaration")
            if decl is not None:
                self._declare_statement(decl, table)
        elif kind in ("lexical_declaration", "variable_declaration"):
            is_const = stmt.children and stmt.children[0].type == "const"
            for decl in stmt.named_children:
                if decl.type == "variable_declarator":
                    self._declare_variable(decl, bool(is_const), table)
        elif kind in ("function_declaration", "generator_function_declaration"):
            name = stmt.child_by_field_name("name")
            if name is not None:
                table[text(name)] = Declaration("function", text(name), stmt)
        elif kind in ("class_declaration", "abstract_class_declaration"):
            name = stmt.child_by_field_name("name")
            if name is not None:
                table[text(name)] = Declaration("class", text(name), stmt)
        elif kind == "enum_declaration":
            name = stmt.child_by_field_name("name")
            if name is not None:
                table[text(name)] = Declaration("enum", text(name), stmt)
        elif kind == "for_statement":
            pass   # its own scope

    def _declare_variable(self, decl: Node, is_const: bool, table: dict[str, Declaration]) -> None:
        name = decl.child_by_field_name("name")
        value = decl.child_by_field_name("value")
        if name is None:
            return
        for ident, path, default in _destructure(name):
            label = text(ident)
            reassigned = not is_const and label in self.assigned_names()
            table[label] = Declaration("variable", label, ident, value=value, path=path,
                                       default=default, reassigned=reassigned)

    def _declare_loop_variable(self, loop: Node, table: dict[str, Declaration]) -> None:
        """`for (const port of PORTS)`: the variable takes each element of PORTS (kind
        'element'); `for (const key in obj)` and loops over unknown values say nothing."""
        left, right = loop.child_by_field_name("left"), loop.child_by_field_name("right")
        operator = loop.child_by_field_name("operator")
        kind = loop.child_by_field_name("kind")
        if left is None:
            return
        if operator is None or operator.type != "of" or right is None or kind is None or kind.type != "const":
            for ident in _pattern_names(left):
                table[text(ident)] = Declaration("opaque", text(ident), ident)
            return
        for ident, path, default in _destructure(left):
            table[text(ident)] = Declaration("element", text(ident), ident, value=right, path=path, default=default)

    def _declare_params(self, fn: Node, table: dict[str, Declaration]) -> None:
        params = fn.child_by_field_name("parameters")
        iterated = _iterated_by(fn)
        if params is None:
            single = fn.child_by_field_name("parameter")     # x => ...
            if single is not None and single.type == "identifier":
                table[text(single)] = (Declaration("element", text(single), single, value=iterated)
                                       if iterated is not None else Declaration("param", text(single), single))
            return
        index = 0
        for param in params.named_children:
            if param.type not in ("required_parameter", "optional_parameter"):
                continue
            pattern = param.child_by_field_name("pattern")
            type_node = param.child_by_field_name("type")
            type_name = text(type_node).lstrip(":").strip() if type_node is not None else None
            if pattern is not None:
                for ident, path, default in _destructure(pattern):
                    if index == 0 and iterated is not None:
                        table[text(ident)] = Declaration("element", text(ident), ident, value=iterated,
                                                         path=path, default=default)
                        continue
                    table[text(ident)] = Declaration("param", text(ident), ident, path=path, default=default,
                                                     index=index, type_name=type_name if not path else None)
            index += 1

    def assigned_names(self) -> set[str]:
        """Names assigned anywhere in the file: a `let` among them is not followed."""
        if self._assigned is None:
            names: set[str] = set()
            for n in self.file.nodes("assignment_expression", "augmented_assignment_expression",
                                     "update_expression"):
                if n.type in ("assignment_expression", "augmented_assignment_expression"):
                    left = n.child_by_field_name("left")
                    if left is not None and left.type == "identifier":
                        names.add(text(left))
                elif n.type == "update_expression":
                    arg = n.child_by_field_name("argument")
                    if arg is not None and arg.type == "identifier":
                        names.add(text(arg))
            self._assigned = names
        return self._assigned

    # -- classes ---------------------------------------------------------------------
    def enclosing_class(self, node: Node) -> Node | None:
        cls = self.file.class_containing(node)
        return cls.node if cls is not None else None

    def field_assignments(self, class_node: Node) -> dict[str, list[Node]]:
        """Value nodes assigned to each `this.x` field (initialisers and `this.x = ...`)."""
        fields = self._fields.get(class_node.id)
        if fields is None:
            fields = {}
            body = class_node.child_by_field_name("body")
            if body is not None:
                for member in body.named_children:
                    if member.type == "public_field_definition":
                        name, value = member.child_by_field_name("name"), member.child_by_field_name("value")
                        if name is not None and value is not None:
                            fields.setdefault(text(name), []).append(value)
                for n in self.file.nodes("assignment_expression"):
                    if body.start_byte <= n.start_byte < body.end_byte:
                        left = n.child_by_field_name("left")
                        if (left is not None and left.type == "member_expression"
                                and (obj := left.child_by_field_name("object")) is not None
                                and obj.type == "this" and self._same(self.enclosing_class(n), class_node)):
                            prop = left.child_by_field_name("property")
                            fields.setdefault(text(prop), []).append(n.child_by_field_name("right"))
            self._fields[class_node.id] = fields
        return fields

    @staticmethod
    def _same(a: Node | None, b: Node | None) -> bool:
        return a is not None and b is not None and a.id == b.id

    def field_value(self, evaluator: "Evaluator", class_node: Node | None, name: str, node: Node | None) -> v.Value:
        if class_node is None:
            return v.Unknown("this outside a class")
        assigned = self.field_assignments(class_node).get(name, [])
        if len(assigned) == 1:
            return evaluator.eval(assigned[0])
        if not assigned:
            return v.Attr(v.This(class_node, node=class_node, file=self.file), name)
        return v.Unknown(f"this.{name} is assigned more than once")


# Array methods that call their callback once per element.
ITERATING_METHODS = frozenset({"forEach", "map", "flatMap", "filter", "reduce", "some", "every",
                               "find", "findIndex"})


def iterating_call(fn: Node) -> Node | None:
    """The `items.forEach(...)`-style call a function is passed to as its callback, or None."""
    args = fn.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    if call is None or call.type != "call_expression":
        return None
    callee = call.child_by_field_name("function")
    prop = callee.child_by_field_name("property") if callee is not None and callee.type == "member_expression" else None
    return call if prop is not None and text(prop) in ITERATING_METHODS else None


def _iterated_by(fn: Node) -> Node | None:
    """The array whose elements a callback's first parameter takes (`PORTS` in
    `PORTS.forEach((port) => ...)`); None otherwise (`reduce` passes an accumulator first)."""
    call = iterating_call(fn)
    if call is None:
        return None
    first = next((a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"), None)
    callee = call.child_by_field_name("function")
    if first is None or first.id != fn.id or text(callee.child_by_field_name("property")) == "reduce":
        return None
    return callee.child_by_field_name("object")


def _destructure(pattern: Node, path: tuple[str, ...] = ()):
    """(identifier, path, default) for every name a binding pattern declares."""
    kind = pattern.type
    if kind in ("identifier", "shorthand_property_identifier_pattern"):
        yield pattern, path + ((text(pattern),) if kind == "shorthand_property_identifier_pattern" else ()), None
    elif kind == "object_pattern":
        for prop in pattern.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                yield prop, path + (text(prop),), None
            elif prop.type == "pair_pattern":
                key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                if key is not None and value is not None:
                    yield from _destructure(value, path + (text(key).strip("'\""),))
            elif prop.type == "object_assignment_pattern":
                left, right = prop.child_by_field_name("left"), prop.child_by_field_name("right")
                if left is not None:
                    for ident, sub, _ in _destructure(left, path):
                        yield ident, sub, right
            elif prop.type == "rest_pattern":
                for ident in _pattern_names(prop):
                    yield ident, path + ("...",), None
    elif kind == "array_pattern":
        for i, item in enumerate(pattern.named_children):
            yield from _destructure(item, path + (str(i),))
    elif kind == "assignment_pattern":
        left, right = pattern.child_by_field_name("left"), pattern.child_by_field_name("right")
        if left is not None:
            for ident, sub, _ in _destructure(left, path):
                yield ident, sub, right


def _pattern_names(node: Node):
    for n in walk(node):
        if n.type in ("identifier", "shorthand_property_identifier_pattern"):
            yield n
