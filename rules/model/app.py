"""The app of a project: entry points, stack instances in creation order, what flows between them.

A *unit* is one place where stacks are instantiated side by side: an app entry point
(`const app = new App(); new NetworkStack(app, ...)`, usually in `bin/`), a function
that builds the stacks, or a `Stage` (or builder) class. For each unit the model knows
the stack instances in source order, the values passed into them that are other
stacks' attributes (`network.vpc`), the `addDependency` calls, and the string-path
dependencies: a stack reading by name (`Fn.importValue`, an SSM parameter,
`Vpc.fromLookup({ vpcName })`, `fromBucketName`) what a sibling stack creates under
that name.

Not modelled: stacks a test file builds (throw-away apps), nested stacks, and
`cdk.json`'s `app` command (entry points are found by their `new App()`).

Built once per project and cached (`app_model(project)`); several rules share it.
Only what can be seen is modelled: a stack class that is not in the project, or an
entry point that was not scanned, simply adds nothing.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.classes import ClassDecl
from rules.model.constructs import Construct, MethodCall, attr_path
from rules.model.layout import is_test_file
from rules.model.library import base_fqns
from rules.parsing import Node

if TYPE_CHECKING:
    from rules.model.project import Project
    from rules.model.source import SourceFile

_MAX_VALUE_DEPTH = 12
EDGE_KINDS = ("passes", "addDependency", "string")


def class_of(construct: Construct) -> ClassDecl | None:
    """The local class a construct instantiates (followed across files and re-exports)."""
    local = construct.local_class
    if local is None or local.decl_file is None:
        return None
    return local.decl_file.class_decl(local.decl)


def is_stack_construct(construct: Construct) -> bool:
    decl = class_of(construct)
    return construct.fqn == "Stack" or (decl is not None and decl.kind == "stack")


def _key(decl: ClassDecl) -> tuple[str, int]:
    return decl.file.abspath, decl.node.start_byte


# -- the model ------------------------------------------------------------------------
@dataclass(eq=False)
class StackInstance:
    """`new XStack(app, 'Id', {...})` in an entry point or a Stage."""
    construct: Construct
    decl: ClassDecl | None          # None for a bare `new Stack(app, 'Id')`
    unit: "Unit"
    order: int
    inputs: list["Input"] = field(default_factory=list)     # values from other stacks

    @property
    def name(self) -> str:
        ident = v.literal(self.construct.id)
        if self.decl is not None:
            return self.decl.name
        return ident if isinstance(ident, str) else "Stack"

    @property
    def variable(self) -> str:
        """How the entry point refers to it, for messages and remediations."""
        return self.construct.binding or self.name

    @property
    def node(self) -> Node:
        return self.construct.node

    @property
    def file(self) -> "SourceFile":
        return self.construct.file

    def arg(self, index: int) -> v.Value | None:
        nodes = self.construct.arg_nodes
        return self.construct.file.eval(nodes[index]) if index < len(nodes) else None

    @cached_property
    def env(self) -> v.Value | None:
        """The `env` prop: None when surely absent, Unknown when it cannot be seen."""
        return self.construct.prop("env")


@dataclass(frozen=True)
class Input:
    """A value from another stack passed into a stack: `vpc: network.vpc`."""
    producer: StackInstance
    arg_index: int                  # which constructor argument carries it
    key: str | None                 # the props key (`vpc`), None when passed positionally
    attrs: tuple[str, ...]          # ('vpc',) for network.vpc; () for the stack itself
    node: Node

    @property
    def code(self) -> str:
        return ".".join((self.producer.variable, *self.attrs))


@dataclass(frozen=True)
class Edge:
    """`dependent` must deploy after `dependency`."""
    dependent: StackInstance
    dependency: StackInstance
    kind: str                       # 'passes' | 'addDependency' | 'string'
    node: Node                      # the passed value, the addDependency call, the lookup
    file: "SourceFile"
    detail: str                     # 'network.vpc', 'network.addDependency(ledger)', "reads ..."


@dataclass(eq=False)
class Unit:
    file: "SourceFile"
    owner: ClassDecl | None         # the Stage (or builder) class creating the stacks; None at file level
    app: Construct | None           # the `new App()` of an entry point
    stacks: list[StackInstance] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def instance(self, construct: Construct | None) -> StackInstance | None:
        return next((s for s in self.stacks if s.construct is construct), None)

    def instances_of(self, decl: ClassDecl) -> list[StackInstance]:
        return [s for s in self.stacks if s.decl is decl]

    def reaches(self, start: StackInstance, goal: StackInstance, kinds: tuple[str, ...] = EDGE_KINDS) -> bool:
        """Whether `start` (transitively) deploys after `goal` through edges of `kinds`."""
        return self.path(start, goal, kinds) is not None

    def path(self, start: StackInstance, goal: StackInstance,
             kinds: tuple[str, ...] = EDGE_KINDS) -> list[Edge] | None:
        """The edges that make `start` deploy after `goal`, shortest first; None when none do."""
        came: dict[int, Edge | None] = {id(start): None}
        todo = [start]
        while todo:
            current = todo.pop(0)
            for e in self.edges:
                if e.dependent is not current or e.kind not in kinds or id(e.dependency) in came:
                    continue
                came[id(e.dependency)] = e
                if e.dependency is goal:
                    out, step = [], e
                    while step is not None:
                        out.append(step)
                        step = came[id(step.dependent)]
                    return out[::-1]
                todo.append(e.dependency)
        return None


@dataclass(frozen=True)
class NamedResource:
    """Something a stack makes findable by a string: an export, a parameter, a named resource."""
    kind: str                       # 'export' | 'parameter' | construct FQN ('aws_ec2.Vpc')
    prop: str                       # 'exportName' | 'parameterName' | 'vpcName' ...
    name: v.Value
    node: Node                      # the `key: value` pair (or the call) that names it
    file: "SourceFile"
    owners: tuple[ClassDecl, ...]   # the stack classes it ends up in


@dataclass(frozen=True)
class StringReference:
    """A stack reading by a string what some stack may create: `Fn.importValue('X')`, lookups."""
    kind: str
    prop: str
    name: v.Value
    call: MethodCall
    owners: tuple[ClassDecl, ...]
    what: str                       # "export 'X'", "Vpc named `tap-${stage}-vpc`"

    @property
    def node(self) -> Node:
        return self.call.node

    @property
    def file(self) -> "SourceFile":
        return self.call.file


class AppModel:
    def __init__(self, project: "Project"):
        self.project = project
        # Files loaded only to resolve imports lend what they declare (a stack class, its
        # lookups) but are not reported on; units come from the analysed files.
        self._sources = [f for f in project.files.values() if f.is_cdk]
        self._analysed = {id(f) for f in project.analysed}
        self._links: dict[int, list[NamedResource]] = {}     # id(string reference) -> what it reads
        self._instantiations: dict[tuple[str, int], list[Construct]] = {}
        self._owners: dict[tuple[str, int], tuple[ClassDecl, ...]] = {}
        for f in self._sources:
            for c in f.constructs:
                decl = class_of(c)
                if decl is not None:
                    self._instantiations.setdefault(_key(decl), []).append(c)
        self.units = self._units()
        self.resources = list(self._named_resources())
        self.references = list(self._string_references())
        for unit in self.units:
            self._link(unit)

    # -- queries -------------------------------------------------------------------
    @property
    def entry_points(self) -> list[Unit]:
        return [u for u in self.units if u.app is not None]

    def is_analysed(self, f: "SourceFile") -> bool:
        """Whether findings may be reported in `f` (it was given, not only loaded for its imports)."""
        return id(f) in self._analysed

    def instantiations(self, decl: ClassDecl) -> list[Construct]:
        return self._instantiations.get(_key(decl), [])

    def instances_of(self, decl: ClassDecl) -> list[StackInstance]:
        return [s for u in self.units for s in u.instances_of(decl)]

    def stack_classes_of(self, decl: ClassDecl | None) -> tuple[ClassDecl, ...]:
        """The stack classes whose code runs `decl`'s code: itself, or those that create it."""
        if decl is None:
            return ()
        key = _key(decl)
        if key in self._owners:
            return self._owners[key]
        self._owners[key] = ()                        # guards recursion
        if decl.kind == "stack":
            owners: tuple[ClassDecl, ...] = (decl,)
        elif decl.kind == "construct":
            found: dict[tuple[str, int], ClassDecl] = {}
            for c in self.instantiations(decl):
                for owner in self.stack_classes_of(c.owner):
                    found[_key(owner)] = owner
            owners = tuple(found.values())
        else:
            owners = ()
        self._owners[key] = owners
        return owners

    def owners_of(self, file: "SourceFile", node: Node) -> tuple[ClassDecl, ...]:
        return self.stack_classes_of(file.class_containing(node))

    def sibling_producer(self, ref: StringReference) -> NamedResource | None:
        """What a sibling stack of the same app creates under the name `ref` reads.

        When an entry point creates both stacks, the names must match as those instances
        are given them (`props.bucketName` is what the entry point passes); when no entry
        point creates either class, the classes' own names decide.
        """
        linked = self._links.get(id(ref))
        if linked:
            return linked[0]
        instantiated = {_key(s.decl) for u in self.units for s in u.stacks if s.decl is not None}
        wanted = name_pattern(ref.name)
        for res in self._candidates(ref):
            if instantiated & {_key(d) for d in (*ref.owners, *res.owners)}:
                continue
            have = name_pattern(res.name)
            if wanted is not None and have is not None and patterns_match(wanted, have):
                return res
        return None

    def _candidates(self, ref: StringReference) -> list[NamedResource]:
        """Resources of other stack classes that are named the way `ref` reads them."""
        return [res for res in self.resources
                if res.kind == ref.kind and res.prop == ref.prop and res.owners
                and not set(res.owners) & set(ref.owners)]

    # -- building: units and instances -----------------------------------------------
    def _units(self) -> list[Unit]:
        units: dict[tuple[str, int], Unit] = {}      # (file, owner class position or -1)
        for f in self.project.analysed:
            if is_test_file(f):
                continue                              # tests build throw-away apps
            app = next((c for c in f.constructs if c.fqn == "App"), None)
            for c in f.constructs:
                if not is_stack_construct(c):
                    continue
                owner = c.owner
                if owner is not None and owner.kind in ("stack", "construct"):
                    continue                          # a nested stack
                key = (f.abspath, owner.node.start_byte if owner is not None else -1)
                unit = units.get(key)
                if unit is None:
                    unit = units[key] = Unit(f, owner, app if owner is None else None)
                unit.stacks.append(StackInstance(c, class_of(c), unit, len(unit.stacks)))
        return list(units.values())

    def _link(self, unit: Unit) -> None:
        for stack in unit.stacks:
            for inp in self._inputs_of(unit, stack):
                stack.inputs.append(inp)
                unit.edges.append(Edge(stack, inp.producer, "passes", inp.node, stack.file, inp.code))
        for call in unit.file.method_calls:
            edge = self._dependency_call(unit, call)
            if edge is not None:
                unit.edges.append(edge)
        for ref in self.references:
            for consumer in (s for s in unit.stacks if s.decl in ref.owners):
                for res in self._candidates(ref):
                    for producer in (s for s in unit.stacks if s.decl in res.owners and s is not consumer):
                        if _same_name_for(ref, consumer, res, producer):
                            edge = Edge(consumer, producer, "string", ref.node, ref.file,
                                        f"reads {ref.what} that {producer.name} creates")
                            unit.edges.append(edge)
                            self._links.setdefault(id(ref), []).append(res)

    def _inputs_of(self, unit: Unit, stack: StackInstance) -> Iterator[Input]:
        for index in range(2, len(stack.construct.arg_nodes)):
            arg = stack.arg(index)
            entries = arg.entries.items() if isinstance(arg, v.Obj) else [(None, arg)]
            for key, value in entries:
                for construct, attrs, node in _construct_refs(value):
                    producer = unit.instance(construct)
                    if producer is not None and producer is not stack:
                        yield Input(producer, index, key, attrs, node or stack.node)

    @staticmethod
    def _dependency_call(unit: Unit, call: MethodCall) -> Edge | None:
        """`a.addDependency(b)` / `a.node.addDependency(b)` / `a.addStackDependency(b)` between
        two stacks of the unit."""
        if call.name not in ("addDependency", "addStackDependency") or call.path not in ((), ("node",)) \
                or not call.args:
            return None
        if call.file.class_containing(call.node) is not unit.owner:
            return None
        dependent = unit.instance(call.construct)
        target, path = attr_path(call.args[0])
        dependency = unit.instance(target) if path == () else None
        if dependent is None or dependency is None:
            return None
        return Edge(dependent, dependency, "addDependency", call.node, call.file,
                    f"{dependent.variable}.{call.name}({dependency.variable})")

    # -- building: names -------------------------------------------------------------
    def _named_resources(self) -> Iterator[NamedResource]:
        for f in self._sources:
            for c in f.constructs:
                if c.fqn is None or not isinstance(c.props, v.Obj):
                    continue
                owners = self.stack_classes_of(c.owner)
                for kind, prop in _resource_names(c.fqn, c.props):
                    yield NamedResource(kind, _canonical_prop(kind, prop), c.props.entries[prop],
                                        c.prop_node(prop), f, owners)
            for call in f.method_calls:
                if call.name == "exportValue" and len(call.args) > 1 and isinstance(call.args[1], v.Obj):
                    name = call.args[1].get("name")
                    if name is not None:
                        yield NamedResource("export", "exportName", name, call.node, f,
                                            self.owners_of(f, call.node))

    def _string_references(self) -> Iterator[StringReference]:
        for f in self._sources:
            for call in f.method_calls:
                for kind, prop, name, what in _reads_by_name(call):
                    yield StringReference(kind, _canonical_prop(kind, prop), name, call,
                                          self.owners_of(f, call.node), what)


# -- values ---------------------------------------------------------------------------
def _construct_refs(value: v.Value | None,
                    depth: int = 0) -> Iterator[tuple[Construct, tuple[str, ...], Node | None]]:
    """(construct, attribute path, node) of every construct attribute inside a value."""
    if value is None or depth > _MAX_VALUE_DEPTH:
        return
    construct, path = attr_path(value)
    if construct is not None:
        yield construct, path, value.node
        return
    if isinstance(value, v.Obj):
        children = list(value.entries.values())
    elif isinstance(value, v.Arr):
        children = value.items
    elif isinstance(value, v.Cond):
        children = [value.then, value.otherwise]
    elif isinstance(value, v.Template):
        children = value.parts
    elif isinstance(value, (v.Call, v.New)):
        children = value.args
    else:
        children = []
    for child in children:
        yield from _construct_refs(child, depth + 1)


# -- names: what stacks create and read by a string ------------------------------------
_SSM_PARAMETERS = frozenset({"aws_ssm.StringParameter", "aws_ssm.StringListParameter"})
# name-reading SSM calls: method -> index of the name argument
_SSM_READS = {"valueForStringParameter": 1, "valueForSecureStringParameter": 1,
              "valueForTypedStringParameter": 1, "valueForTypedStringParameterV2": 1,
              "valueFromLookup": 1, "fromStringParameterName": 2, "fromStringListParameterName": 2}
_SSM_ATTRIBUTE_READS = frozenset({"fromStringParameterAttributes", "fromSecureStringParameterAttributes",
                                  "fromListParameterAttributes"})
# a lookup prop that names what another prop of the created resource names
_PROP_ALIASES = {("aws_route53.HostedZone", "domainName"): "zoneName"}


def _canonical_prop(kind: str, prop: str) -> str:
    return _PROP_ALIASES.get((kind, prop), prop)


def _resource_kinds(fqn: str) -> list[str]:
    """A `NodejsFunction` is found by `Function.fromFunctionName`: its kinds include its bases."""
    return [fqn, *base_fqns(fqn)]


def _resource_names(fqn: str, props: v.Obj) -> Iterator[tuple[str, str]]:
    """(kind, prop) of each name a construct is created under."""
    if fqn == "CfnOutput":
        if "exportName" in props.entries:
            yield "export", "exportName"
        return
    if fqn in _SSM_PARAMETERS:
        if "parameterName" in props.entries:
            yield "parameter", "parameterName"
        return
    for prop in props.entries:
        if prop.endswith("Name") and prop != "exportName":
            for kind in _resource_kinds(fqn):
                yield kind, prop


def _reads_by_name(call: MethodCall) -> Iterator[tuple[str, str, v.Value, str]]:
    """(kind, prop, name, description) of what a call reads by a string."""
    fqn = v.symbol_fqn(call.receiver)
    if fqn is None:
        return
    args, name = call.args, call.name
    if fqn == "Fn" and name == "importValue" and args:
        yield "export", "exportName", args[0], f"export {describe_name(args[0])}"
        return
    if fqn in _SSM_PARAMETERS:
        index = _SSM_READS.get(name)
        if index is not None and len(args) > index:
            yield "parameter", "parameterName", args[index], f"SSM parameter {describe_name(args[index])}"
        elif name in _SSM_ATTRIBUTE_READS and len(args) > 2 and isinstance(args[2], v.Obj):
            value = args[2].get("parameterName")
            if value is not None:
                yield "parameter", "parameterName", value, f"SSM parameter {describe_name(value)}"
        return
    short = fqn.rsplit(".", 1)[-1]
    if name in ("fromLookup", "fromLookupByName") or (name.startswith("from") and name.endswith("Attributes")):
        options = args[2] if len(args) > 2 else None
        if name == "fromLookupByName" and options is not None:
            yield fqn, _lower_first(short) + "Name", options, f"{short} named {describe_name(options)}"
        elif isinstance(options, v.Obj):
            for prop, value in options.entries.items():
                if prop.endswith("Name"):
                    yield fqn, prop, value, f"{short} named {describe_name(value)}"
        return
    m = re.fullmatch(r"from(\w+Name)(V2)?", name)
    if m and len(args) > 2:
        yield fqn, _lower_first(m.group(1)), args[2], f"{short} named {describe_name(args[2])}"


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


# -- name patterns ----------------------------------------------------------------------
Part = str | tuple
_WILDCARD = ("unknown",)
_MIN_LITERAL_CHARS = 3


def name_pattern(value: v.Value | None, stack: StackInstance | None = None) -> tuple[Part, ...] | None:
    """A name as literal text and placeholders: `tap-${props.stage}-vpc` -> ('tap-', ('param', 'stage'), '-vpc').

    With `stack`, a `props.x` placeholder is replaced by what that stack instance is given
    for `x` (its text when literal, the identity of the value otherwise), so two stacks
    given the same `stage` variable name the same thing.
    """
    if isinstance(value, v.Lit) and isinstance(value.value, str):
        return (value.value,)
    if not isinstance(value, v.Template) and _param_chain(value) is None:
        return None
    parts: list[Part] = []
    for part in _flatten(value):
        chain = _param_chain(part)
        if isinstance(part, v.Lit) and isinstance(part.value, (str, int, float)):
            parts.append(str(part.value))
        elif chain is not None:
            parts.append(_param_part(*chain, stack))
        elif _is_own_stack_name(part) and stack is not None:
            parts.append(_stack_name_part(stack))
        elif isinstance(part, v.EnvRef):
            parts.append(("env", part.name))
        else:
            parts.append(_WILDCARD)
    return _merge(parts)


def _flatten(value: v.Value) -> Iterator[v.Value]:
    if isinstance(value, v.Template):
        for part in value.parts:
            yield from _flatten(part)
    else:
        yield value


def _param_chain(value: v.Value) -> tuple[int, tuple[str, ...]] | None:
    """(argument index, attribute path) of `props.stage` or `props.config.stage`; None otherwise."""
    path: list[str] = []
    while isinstance(value, v.Attr):
        path.append(value.name)
        value = value.base
    return (value.index, tuple(reversed(path))) if isinstance(value, v.Param) and path else None


def _param_part(index: int, path: tuple[str, ...], stack: StackInstance | None) -> Part:
    if stack is None:
        return ("param", ".".join(path))
    given, rest = stack.arg(index), path
    while rest and isinstance(given, v.Obj):
        given, rest = given.get(rest[0]), rest[1:]
    if not rest and isinstance(given, v.Lit) and isinstance(given.value, (str, int, float)):
        return str(given.value)
    if given is not None and given.node is not None:
        # the same source expression (`{ stage }` from one `const stage`, or `config.stage` of one
        # `const config`) is the same value, even when what it holds cannot be known
        return ("value", given.file.abspath if given.file else "", given.node.id, *rest)
    return _WILDCARD                  # not visible: it may differ from stack to stack


def _is_own_stack_name(value: v.Value) -> bool:
    """`this.stackName` / `Stack.of(this).stackName`."""
    return isinstance(value, v.Attr) and value.name == "stackName" and (
        isinstance(value.base, v.This) or (isinstance(value.base, v.Call) and value.base.fqn == "Stack.of"))


def _stack_name_part(stack: StackInstance) -> Part:
    """A top-level stack is named by its `stackName` prop, else by its construct id."""
    name = stack.construct.prop("stackName")
    if name is None:
        name = stack.construct.id
    text_value = v.literal(name)
    return text_value if isinstance(text_value, str) else _WILDCARD


def _merge(parts: list[Part]) -> tuple[Part, ...]:
    out: list[Part] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return tuple(out)


def patterns_match(a: tuple[Part, ...], b: tuple[Part, ...]) -> bool:
    """Whether two names surely denote the same thing (wildcards only against literal text)."""
    literal_chars = min(sum(len(p) for p in x if isinstance(p, str)) for x in (a, b))
    if literal_chars < _MIN_LITERAL_CHARS:
        return False
    a_literal, b_literal = all(isinstance(p, str) for p in a), all(isinstance(p, str) for p in b)
    if a_literal and b_literal:
        return a == b
    if a_literal or b_literal:
        text, pattern = ("".join(a), b) if a_literal else ("".join(b), a)
        regex = "".join(re.escape(p) if isinstance(p, str) else ".+" for p in pattern)
        return re.fullmatch(regex, text) is not None
    return a == b and _WILDCARD not in a


def _same_name_for(ref: StringReference, consumer: StackInstance, res: NamedResource,
                   producer: StackInstance) -> bool:
    wanted, have = name_pattern(ref.name, consumer), name_pattern(res.name, producer)
    return wanted is not None and have is not None and patterns_match(wanted, have)


def describe_name(value: v.Value | None) -> str:
    """'TapDataStack-Arn' or `tap-${stage}-vpc` for messages."""
    pattern = name_pattern(value)
    if pattern is None:
        return "(computed)"
    if all(isinstance(p, str) for p in pattern):
        return f"'{''.join(pattern)}'"
    shown = "".join(p if isinstance(p, str) else "${" + (p[1] if p[0] in ("param", "env") else "…") + "}"
                    for p in pattern)
    return f"`{shown}`"


# -- cache ------------------------------------------------------------------------------
def app_model(project: "Project") -> AppModel:
    """The project's app model, built on first use."""
    return project.memo(AppModel)
