"""The values the evaluator can know about a TypeScript expression.

Rules never guess: whatever the evaluator cannot follow is `Unknown`, and a rule that
meets `Unknown` stays silent. Every value remembers the node it came from (`node`) and
the file that node lives in (`file`), so findings can point at it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from rules.model.constructs import Construct
    from rules.model.source import SourceFile
    from rules.parsing import Node


@dataclass(eq=False)
class Value:
    node: "Node | None" = field(default=None, repr=False, kw_only=True)
    file: "SourceFile | None" = field(default=None, repr=False, kw_only=True)

    @property
    def known(self) -> bool:
        return True


@dataclass(eq=False)
class Unknown(Value):
    reason: str = ""

    @property
    def known(self) -> bool:
        return False


@dataclass(eq=False)
class FunctionRef(Unknown):
    """A function of the app (`function bucketProps(...)`, `const f = (...) => ...`).

    Unknown as a value, but a call to it is evaluated through its body when that is a
    single `return` (see Evaluator.call): how builder helpers hand out props.
    """
    decl: "Node | None" = field(default=None, repr=False)
    decl_file: "SourceFile | None" = field(default=None, repr=False)


@dataclass(eq=False)
class Lit(Value):
    """A string, number, boolean, or None for null/undefined."""
    value: Any


@dataclass(eq=False)
class Obj(Value):
    """An object literal after spreads. `open` = an unknown spread may add any key."""
    entries: dict[str, Value]
    key_nodes: dict[str, "Node"] = field(default_factory=dict, repr=False)
    open: bool = False

    def get(self, key: str) -> Value | None:
        """The entry, None when surely absent, Unknown when an unknown spread may hold it."""
        if key in self.entries:
            return self.entries[key]
        if self.open:
            return Unknown("may come from an unknown spread", node=self.node, file=self.file)
        return None


@dataclass(eq=False)
class Arr(Value):
    items: list[Value]
    open: bool = False


@dataclass(eq=False)
class Symbol(Value):
    """A name exported by a CDK library: a class, an enum member, a static member.

    `fqn` follows the jsii naming with the `aws-cdk-lib.` prefix dropped:
    `aws_ec2.Vpc`, `aws_ec2.SubnetType.PUBLIC`, `Duration`, `constructs.Construct`.
    """
    fqn: str
    v1: bool = False
    package: str = "aws-cdk-lib"     # 'constructs', '@aws-cdk/...-alpha', 'path', ...


@dataclass(eq=False)
class Namespace(Value):
    """A module object: `ec2` in `import * as ec2 from 'aws-cdk-lib/aws-ec2'` ('' = root)."""
    module: str
    package: str = "aws-cdk-lib"
    v1: bool = False


@dataclass(eq=False)
class LocalModule(Value):
    """A module of the app imported whole: `config` in `import * as config from './config'`."""
    module: "SourceFile" = field(repr=False)


@dataclass(eq=False)
class Call(Value):
    """A call: `fqn` is set when the callee is a library symbol (`aws_ec2.Port.tcp`)."""
    callee: Value
    args: list[Value]
    fqn: str | None = None

    @property
    def method(self) -> str | None:
        return self.callee.name if isinstance(self.callee, Attr) else None


@dataclass(eq=False)
class New(Value):
    """`new X(...)` of something that is not a construct (`new ec2.InstanceType('t3.micro')`)."""
    fqn: str | None
    args: list[Value]


@dataclass(eq=False)
class ConstructRef(Value):
    construct: "Construct"


@dataclass(eq=False)
class Attr(Value):
    """`base.name` where base is not a plain object (`vpc.vpcId`, `props.vpc`)."""
    base: Value
    name: str


@dataclass(eq=False)
class Param(Value):
    """A function or constructor parameter (`props`, `scope`)."""
    name: str
    index: int
    type_name: str | None = None


@dataclass(eq=False)
class This(Value):
    class_node: "Node | None" = None


@dataclass(eq=False)
class LocalClass(Value):
    name: str
    decl: "Node" = field(repr=False, default=None)
    decl_file: "SourceFile | None" = field(repr=False, default=None)


@dataclass(eq=False)
class Cond(Value):
    """`test ? then : otherwise`, both branches kept."""
    test: "Node"
    then: Value
    otherwise: Value


@dataclass(eq=False)
class Template(Value):
    """A template string with parts that are not all known."""
    parts: list[Value]


@dataclass(eq=False)
class EnvRef(Value):
    """`process.env.NAME`."""
    name: str


def one_of(alternatives: list[tuple["Node", Value]]) -> Value | None:
    """Several possible values as nested conditionals, each on its own test (`(test, value)`;
    the last value is the final else), so every rule that judges both branches of a ternary
    judges each of them. None when there is no alternative."""
    if not alternatives:
        return None
    value = alternatives[-1][1]
    for test, alternative in reversed(alternatives[:-1]):
        value = Cond(test, alternative, value)
    return value


def branches(value: Value | None) -> Iterator[Value]:
    """Every value a conditional may take (a non-conditional is its own only branch)."""
    if isinstance(value, Cond):
        yield from branches(value.then)
        yield from branches(value.otherwise)
    elif value is not None:
        yield value


def literal(value: Value | None, default: Any = None) -> Any:
    return value.value if isinstance(value, Lit) else default


def is_symbol(value: Value | None, *fqns: str) -> bool:
    return isinstance(value, Symbol) and value.fqn in fqns


def symbol_fqn(value: Value | None) -> str | None:
    return value.fqn if isinstance(value, Symbol) else None


def call_fqn(value: Value | None) -> str | None:
    return value.fqn if isinstance(value, Call) else None


def root_construct(value: Value | None) -> "Construct | None":
    """The construct a value is an attribute chain of (`db.connections` -> db)."""
    while isinstance(value, Attr):
        value = value.base
    return value.construct if isinstance(value, ConstructRef) else None
