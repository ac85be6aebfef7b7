"""Static types of values, from the knowledge table: what `db.connections`,
`ec2.Vpc.fromLookup(...)` or `lambda.Code` is, and which members it has.

Only types the knowledge table describes completely are answered; anything else is None,
so a rule asking "does this member exist?" stays silent rather than guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Iterator, Mapping

from rules.knowledge import MemberInfo, MethodInfo, StructInfo, knowledge
from rules.model import values as v
from rules.parsing import Node, text

_SINGLE_TYPE = re.compile(r"^[A-Za-z_][\w.]*$")
_MEMBER_NODES = ("method_definition", "public_field_definition", "abstract_method_signature",
                 "method_signature")


@dataclass(frozen=True)
class ValueType:
    """A library class or interface; `static` for the class itself (`lambda.Code`).

    `local_members` are the names the app's own subclasses declare on top of the library
    class (`class ApiStack extends Stack { addRoutes() {...} }`)."""
    fqn: str
    static: bool = False
    local_members: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.fqn.rsplit(".", 1)[-1]

    @property
    def is_class(self) -> bool:
        return knowledge().kind(self.fqn) == "class"

    @property
    def methods(self) -> Mapping[str, MethodInfo]:
        return _members(self.fqn, self.static)[0]

    @property
    def properties(self) -> Mapping[str, MemberInfo]:
        return _members(self.fqn, self.static)[1]

    def has_member(self, name: str) -> bool:
        return name in self.local_members or name in self.methods or name in self.properties

    def method(self, name: str) -> MethodInfo | None:
        """The library method, None when it is missing or the app's subclass declares it."""
        return None if name in self.local_members else self.methods.get(name)

    def member_type(self, name: str) -> "ValueType | None":
        if name in self.local_members or name not in self.properties:
            return None
        return type_named(self.properties[name].type)


def struct_named(type_str: str | None) -> StructInfo | None:
    """The struct a jsii type string names (`aws_s3.LifecycleRule`), when it is exactly one."""
    if not type_str or not _SINGLE_TYPE.match(type_str):
        return None
    return knowledge().struct(type_str)


def type_named(type_str: str | None) -> ValueType | None:
    """The instance type a jsii type string names, when it is one fully known class/interface."""
    if not type_str or not _SINGLE_TYPE.match(type_str) or not _complete(type_str):
        return None
    return ValueType(type_str)


@cache
def _complete(fqn: str) -> bool:
    """True for a class or interface whose whole ancestry is in the knowledge table."""
    k = knowledge()
    kind = k.kind(fqn)
    if kind == "class":
        info = k.cls(fqn)
        return all(k.kind(b) is not None for b in (*info.bases, *info.interfaces))
    if kind == "interface":
        return all(k.kind(b) is not None for b in k.interface(fqn).bases)
    return False


@cache
def _members(fqn: str, static: bool) -> tuple[Mapping[str, MethodInfo], Mapping[str, MemberInfo]]:
    k = knowledge()
    if k.kind(fqn) == "class":
        info = k.cls(fqn)
        return (info.static_methods, info.static_properties) if static else (info.methods, info.properties)
    info = k.interface(fqn)
    return ({}, {}) if static or info is None else (info.methods, info.properties)


def value_type(value: v.Value | None) -> ValueType | None:
    """The library type of a value, when the knowledge table can tell."""
    if isinstance(value, v.ConstructRef):
        return construct_type(value.construct)
    if isinstance(value, v.New):
        return type_named(value.fqn)
    if isinstance(value, v.Symbol):
        return symbol_type(value)
    if isinstance(value, v.Attr):
        base = value_type(value.base)
        return base.member_type(value.name) if base is not None else None
    if isinstance(value, v.Call):
        method = called_method(value)
        return type_named(method.returns) if method is not None else None
    if isinstance(value, v.This) and value.class_node is not None and value.file is not None:
        return local_class_type(v.LocalClass("this", value.class_node, value.file))
    return None


def construct_type(construct) -> ValueType | None:
    if construct.fqn is not None:
        return None if is_v1(construct) else type_named(construct.fqn)
    if construct.local_class is not None:
        return local_class_type(construct.local_class)
    return None


def is_v1(construct) -> bool:
    """A construct of a CDK v1 module (`@aws-cdk/aws-s3`): the knowledge table describes v2 only."""
    callee = construct.file.eval(construct.node.child_by_field_name("constructor"))
    return isinstance(callee, v.Symbol) and callee.v1


def symbol_type(symbol: v.Symbol) -> ValueType | None:
    """`lambda.Code` is the class itself; `lambda.Runtime.NODEJS_22_X` an instance of Runtime."""
    if symbol.package != "aws-cdk-lib" or symbol.v1:
        return None
    k = knowledge()
    if k.kind(symbol.fqn) == "class":
        return ValueType(symbol.fqn, static=True) if _complete(symbol.fqn) else None
    owner, _, member = symbol.fqn.rpartition(".")
    if k.kind(owner) != "class" or not _complete(owner):
        return None
    prop = k.cls(owner).static_properties.get(member)
    return type_named(prop.type) if prop is not None else None


def called_method(call: v.Call) -> MethodInfo | None:
    """The library method a call invokes (`ec2.Vpc.fromLookup`, `bucket.grantRead`)."""
    callee = call.callee
    if isinstance(callee, v.Symbol):
        owner, _, name = callee.fqn.rpartition(".")
        receiver = symbol_type(v.Symbol(owner, v1=callee.v1, package=callee.package))
    elif isinstance(callee, v.Attr):
        receiver, name = value_type(callee.base), callee.name
    else:
        return None
    return receiver.method(name) if receiver is not None else None


def local_class_type(cls: v.LocalClass) -> ValueType | None:
    """An app class seen as its nearest library base plus the members it declares itself."""
    chain = _local_chain(cls)
    if chain is None:
        return None
    decls, base = chain
    if not isinstance(base, v.Symbol) or base.package != "aws-cdk-lib" or base.v1:
        return None
    library = type_named(base.fqn)
    if library is None:
        return None
    return ValueType(library.fqn, local_members=frozenset().union(*(declared_members(d) for d in decls)))


def library_base(cls: v.LocalClass) -> v.Symbol | None:
    """The library class an app class extends, through its local base classes (CDK v1 too)."""
    chain = _local_chain(cls)
    return chain[1] if chain is not None and isinstance(chain[1], v.Symbol) else None


def _local_chain(cls: v.LocalClass):
    """(the app's classes from `cls` up, the first base that is not one of them)."""
    decls = []
    seen: set[int] = set()
    current: v.Value | None = cls
    while isinstance(current, v.LocalClass):
        if current.decl_file is None or current.decl.id in seen:
            return None
        seen.add(current.decl.id)
        decl = current.decl_file.class_decl(current.decl)
        if decl is None:
            return None
        decls.append(decl)
        current = decl.heritage
    return decls, current


def declared_members(decl) -> set[str]:
    """Methods, fields, parameter properties and `this.x = ...` fields a class declares."""
    names: set[str] = set()
    body = decl.node.child_by_field_name("body")
    if body is not None:
        for member in body.named_children:
            if member.type in _MEMBER_NODES:
                name = member.child_by_field_name("name")
                if name is not None:
                    names.add(text(name))
    for param in decl.constructor_params:
        if _is_parameter_property(param):
            pattern = param.child_by_field_name("pattern")
            names.add(text(pattern))
    names |= set(decl.file.scopes.field_assignments(decl.node))
    return names


def _is_parameter_property(param: Node) -> bool:
    """`constructor(private readonly bucket: IBucket)` declares a field."""
    return any(c.type in ("accessibility_modifier", "readonly") or text(c) == "readonly"
               for c in param.children)


# -- library names used in expressions --------------------------------------------------
def library_symbols(f, *, v1: bool = False) -> Iterator[tuple[Node, v.Symbol]]:
    """(member expression, Symbol) of each outermost aws-cdk-lib name chain in a file
    (`ec2.SubnetType.PUBLIC`, `cdk.Duration.days`); CDK v1 names only when asked."""
    for node, value in f.memo(_library_symbols):
        if v1 or not value.v1:
            yield node, value


def _library_symbols(f) -> list[tuple[Node, v.Symbol]]:
    """Found once per file: several rules check the library names a file uses."""
    roots = f.library_names
    found = []
    for node in f.nodes("member_expression"):
        if _continues_chain(node) or _root_name(node) not in roots:
            continue
        value = f.eval(node)
        if isinstance(value, v.Symbol) and value.package == "aws-cdk-lib":
            found.append((node, value))
    return found


def _root_name(node: Node) -> str | None:
    """`ec2` of `ec2.SubnetType.PUBLIC`: cheap syntax filter before evaluating a chain."""
    while node.type == "member_expression":
        node = node.child_by_field_name("object")
    return text(node) if node.type == "identifier" else None


def _continues_chain(node: Node) -> bool:
    """True when `node` is the object of a longer member chain (`a.b` in `a.b.c`)."""
    parent = node.parent
    if parent is None or parent.type != "member_expression":
        return False
    obj = parent.child_by_field_name("object")
    return obj is not None and obj.id == node.id


# -- importing instead of creating --------------------------------------------------------
_REFERENCE_SUFFIXES = ("Id", "Arn", "Name")


def importer_for(class_fqn: str, key: str) -> str | None:
    """The static method that references an existing resource by `key`, for a key the
    class's props lack: `vpcId` on `ec2.Vpc` -> 'fromLookup', `bucketArn` -> 'fromBucketArn'."""
    if not key.endswith(_REFERENCE_SUFFIXES):
        return None
    info = knowledge().cls(class_fqn)
    if info is None:
        return None
    statics = info.static_methods
    direct = "from" + key[0].upper() + key[1:]
    if direct in statics:
        return direct
    for name in sorted(statics, key=lambda n: (n != "fromLookup", n)):
        if name.startswith("from") and any(
                (s := struct_named(p.type)) is not None and key in s.props for p in statics[name].params):
            return name
    return None


# -- deprecations -------------------------------------------------------------------------
@cache
def symbol_deprecation(fqn: str) -> tuple[str, str] | None:
    """(display name, deprecation note) when a library name or the member it ends in is
    deprecated: `aws_lambda.Runtime.NODEJS_16_X`, `aws_ec2.SubnetType.PRIVATE_WITH_NAT`."""
    k = knowledge()
    parts = fqn.split(".")
    for i in range(len(parts), 0, -1):
        head = ".".join(parts[:i])
        kind = k.kind(head)
        if kind is None:
            continue
        short, rest = parts[i - 1], parts[i:]
        note = None
        if kind == "enum" and rest:
            note = k.enum(head).members.get(rest[0])
        elif kind == "class" and rest:
            cls = k.cls(head)
            member = cls.static_methods.get(rest[0]) or cls.static_properties.get(rest[0])
            note = member.deprecated if member is not None else None
        if note:
            return f"{short}.{rest[0]}", note
        note = k.deprecated(head)
        return (short, note) if note else None
    return None
