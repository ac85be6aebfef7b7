"""What aws-cdk-lib really contains: types, members, props, deprecations, defaults.

Built from aws-cdk-lib's own jsii assembly by tools/gen_knowledge.py into aws_cdk_lib.json.gz,
plus a hand-written overlay of semantic facts (overlay.yml, see rules.knowledge.overlay).

    from rules.knowledge import knowledge
    k = knowledge()                      # loaded once per process, on first call
    k.cls("aws_ec2.Vpc").methods["selectSubnets"].params
    k.required_props("aws_rds.DatabaseInstance")    # ['engine', 'vpc']

FQNs follow the project convention: the jsii fqn without the `aws-cdk-lib.` prefix
(`aws_ec2.Vpc`, core `Duration`, nested `aws_ec2.CfnSecurityGroup.IngressProperty`); other
packages keep their name (`constructs.Construct`).

The data file stores each type's own members; inheritance (base classes, implemented and
extended interfaces) is flattened here on first lookup of a type and cached, so lookups after
the first are plain dict access.
"""
from __future__ import annotations

import difflib
import functools
import gzip
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Iterable, Literal, Mapping

if TYPE_CHECKING:
    from rules.knowledge.overlay import Overlay, PortFact, SemanticDefault, StatefulFact

DATA_FILE = "aws_cdk_lib.json.gz"
FORMAT = 2
# Bit flags of the data file (see tools/gen_knowledge.py).
_OPTIONAL, _STATIC, _READONLY, _PROTECTED, _ABSTRACT, _VARIADIC = 1, 2, 4, 8, 16, 32
_PRIMITIVES = frozenset({"string", "number", "boolean", "any", "date", "json", "void"})
_TYPE_TOKEN = re.compile(r"[A-Za-z_][\w.]*")

Kind = Literal["class", "struct", "interface", "enum"]
_KINDS: dict[str, Kind] = {"c": "class", "s": "struct", "i": "interface", "e": "enum"}


# --------------------------------------------------------------------------- data classes
# Leaf records compare by value; the per-type records compare by identity (eq=False): there is
# one cached instance per fqn and they hold mappings, which would make value hashing fail.

@dataclass(frozen=True, slots=True)
class ParamInfo:
    name: str
    type: str
    optional: bool = False
    variadic: bool = False


@dataclass(frozen=True, slots=True)
class MethodInfo:
    name: str
    params: tuple[ParamInfo, ...]
    returns: str | None           # None = void
    static: bool
    protected: bool
    abstract: bool
    deprecated: str | None        # deprecation message, None if not deprecated
    declared_in: str              # fqn of the class/interface that declares it

    def param(self, name: str) -> ParamInfo | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def min_args(self) -> int:
        return sum(1 for p in self.params if not (p.optional or p.variadic))


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """A class or interface property."""
    name: str
    type: str
    optional: bool
    readonly: bool
    static: bool
    protected: bool
    deprecated: str | None
    declared_in: str


@dataclass(frozen=True, slots=True)
class PropInfo:
    """A field of a struct (jsii datatype interface), e.g. one key of `VpcProps`."""
    name: str
    type: str
    optional: bool
    default: str | None           # the `@default` doc text, verbatim
    deprecated: str | None
    declared_in: str


@dataclass(frozen=True, slots=True, eq=False)
class StructInfo:
    fqn: str
    props: Mapping[str, PropInfo]
    bases: tuple[str, ...]        # extended structs, transitive, nearest first
    deprecated: str | None
    source_file: str | None       # path inside aws-cdk-lib, e.g. aws-ec2/lib/vpc.ts

    @property
    def required(self) -> list[str]:
        return sorted(n for n, p in self.props.items() if not p.optional)


@dataclass(frozen=True, slots=True, eq=False)
class InterfaceInfo:
    """A behavioural (non-struct) interface such as `aws_ec2.IVpc`."""
    fqn: str
    bases: tuple[str, ...]        # extended interfaces, transitive
    methods: Mapping[str, MethodInfo]
    properties: Mapping[str, MemberInfo]
    deprecated: str | None
    source_file: str | None


@dataclass(frozen=True, slots=True, eq=False)
class ClassInfo:
    fqn: str
    bases: tuple[str, ...]        # base class chain, transitive, nearest first
    interfaces: tuple[str, ...]   # every implemented interface, incl. via bases / extension
    abstract: bool
    is_construct: bool            # transitively extends constructs.Construct
    deprecated: str | None
    init_params: tuple[ParamInfo, ...] | None   # None: no public constructor
    props_param_index: int | None
    props_fqn: str | None         # struct type of that parameter
    methods: Mapping[str, MethodInfo]           # instance methods, inherited included
    properties: Mapping[str, MemberInfo]
    static_methods: Mapping[str, MethodInfo]
    static_properties: Mapping[str, MemberInfo]
    source_file: str | None


@dataclass(frozen=True, slots=True, eq=False)
class EnumInfo:
    fqn: str
    members: Mapping[str, str | None]   # member -> deprecation message or None
    deprecated: str | None
    source_file: str | None


# --------------------------------------------------------------------------- helpers

def type_fqns(type_str: str) -> tuple[str, ...]:
    """The fqns a type string refers to: 'Array<aws_ec2.ISubnet> | string' -> ('aws_ec2.ISubnet',)."""
    return tuple(t for t in _TYPE_TOKEN.findall(type_str)
                 if t not in _PRIMITIVES and t not in ("Array", "Map"))


def _at(row: list, i: int) -> int:
    return row[i] if len(row) > i else 0


def _norm(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


# --------------------------------------------------------------------------- the API

class Knowledge:
    """Query API over the distilled assembly. Build with `knowledge()` (cached) or `load()`."""

    def __init__(self, data: dict) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"knowledge data format {data.get('format')!r}, expected {FORMAT}")
        self._s: list[str] = data["s"]
        self._t: dict[str, dict] = data["t"]
        self._modules: dict[str, list[str]] = data["modules"]
        self._entries: frozenset[str] = frozenset(data["entries"])
        self._constructs: list[str] = data["constructs"]
        self.packages: Mapping[str, str] = MappingProxyType(data["packages"])
        self.cdk_version: str = data["packages"]["aws-cdk-lib"]
        self.constructs_version: str = data["packages"]["constructs"]
        self._cache: dict[str, object] = {}
        self._module_sets: dict[str, frozenset[str]] = {}

    # -- generic ------------------------------------------------------------------
    def __contains__(self, fqn: str) -> bool:
        return fqn in self._t

    def kind(self, fqn: str) -> Kind | None:
        rec = self._t.get(fqn)
        return _KINDS[rec["k"]] if rec else None

    def source_file(self, fqn: str) -> str | None:
        rec = self._t.get(fqn)
        return (self._s[rec["f"]] or None) if rec else None

    def deprecated(self, fqn: str) -> str | None:
        rec = self._t.get(fqn)
        return self._str(rec.get("d", 0)) if rec else None

    def fqns(self) -> Iterable[str]:
        return self._t.keys()

    # -- typed lookups --------------------------------------------------------------
    def cls(self, fqn: str) -> ClassInfo | None:
        return self._typed(fqn, "c", self._build_class)

    def struct(self, fqn: str) -> StructInfo | None:
        return self._typed(fqn, "s", self._build_struct)

    def interface(self, fqn: str) -> InterfaceInfo | None:
        return self._typed(fqn, "i", self._build_interface)

    def enum(self, fqn: str) -> EnumInfo | None:
        return self._typed(fqn, "e", self._build_enum)

    def props_of(self, fqn: str) -> StructInfo | None:
        """The props struct of a class's constructor (`aws_ec2.Vpc` -> `aws_ec2.VpcProps`)."""
        c = self.cls(fqn)
        return self.struct(c.props_fqn) if c and c.props_fqn else None

    def required_props(self, fqn: str) -> list[str]:
        """Sorted required prop names of a class's props struct, or of a struct itself."""
        st = self.struct(fqn) or self.props_of(fqn)
        return st.required if st else []

    # -- modules --------------------------------------------------------------------
    def modules(self) -> frozenset[str]:
        """aws-cdk-lib submodule names, '' for core; nested ones dotted (`aws_s3.mixins`)."""
        return frozenset(self._modules)

    def module_members(self, module: str) -> frozenset[str]:
        """Top-level type names of an aws-cdk-lib submodule ('' = core); empty if unknown."""
        got = self._module_sets.get(module)
        if got is None:
            got = self._module_sets[module] = frozenset(self._modules.get(module, ()))
        return got

    def entry_points(self) -> frozenset[str]:
        """The subpaths `aws-cdk-lib/<subpath>` the package lets code import (its package.json
        `exports`): every module, and a few deep ones such as `core/lib/helpers-internal`."""
        return self._entries

    def package_members(self, package: str) -> frozenset[str]:
        """Top-level type names of another jsii package: only 'constructs' is included."""
        return frozenset(self._constructs) if package == "constructs" else frozenset()

    # -- suggestions ----------------------------------------------------------------
    @staticmethod
    def closest(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
        """Nearest real name for a typo, or None. Case, '_' and '-' are ignored when comparing,
        so `onDemand` finds `ON_DEMAND`; the candidate is returned as spelled."""
        by_norm: dict[str, str] = {}
        for c in candidates:
            by_norm.setdefault(_norm(c), c)
        key = _norm(name)
        if key in by_norm:
            return by_norm[key]
        hit = difflib.get_close_matches(key, list(by_norm), n=1, cutoff=cutoff)
        return by_norm[hit[0]] if hit else None

    # -- overlay (semantic facts) -------------------------------------------------------
    @property
    def overlay(self) -> "Overlay":
        from rules.knowledge.overlay import load_overlay
        return load_overlay()

    def semantic_default(self, fqn: str, prop: str) -> "SemanticDefault | None":
        """What an omitted prop means for a construct (class fqn or its props struct fqn)."""
        ov = self.overlay
        hit = ov.semantic_default(fqn, prop)
        if hit is None and (c := self.cls(fqn)) is not None:
            for base in c.bases:  # a subclass keeps its base's defaults unless it overrides
                if (hit := ov.semantic_default(base, prop)) is not None:
                    break
        return hit

    def default_port(self, engine_name: str) -> int | None:
        return self.overlay.default_port(engine_name)

    def port_fact(self, name_or_port: str | int) -> "PortFact | None":
        return self.overlay.port(name_or_port)

    def port_name(self, port: int) -> str | None:
        """'PostgreSQL' for 5432: the well-known service on a port, for messages."""
        return self.overlay.port_name(port)

    def construct_port(self, fqn: str) -> int | None:
        """Port a construct kind always serves on when it has no engine/port prop
        (aws_docdb.DatabaseCluster -> 27017), looking through base classes."""
        ov = self.overlay
        c = self.cls(fqn)
        for f in (fqn, *(c.bases if c else ())):
            if (hit := ov.construct_port(f)) is not None:
                return hit.port
        return None

    def is_stateful(self, fqn: str) -> bool:
        return self.stateful_fact(fqn) is not None

    def stateful_fact(self, fqn: str) -> "StatefulFact | None":
        """Why a construct holds data, for it or its nearest stateful base class."""
        ov = self.overlay
        if (hit := ov.stateful(fqn)) is not None:
            return hit
        c = self.cls(fqn)
        return next((h for b in c.bases if (h := ov.stateful(b)) is not None), None) if c else None

    # -- internals ------------------------------------------------------------------
    def _str(self, idx: int) -> str | None:
        return self._s[idx] if idx else None

    def _typed(self, fqn: str, code: str, build):
        rec = self._t.get(fqn)
        if rec is None or rec["k"] != code:
            return None
        got = self._cache.get(fqn)
        if got is None:
            got = self._cache[fqn] = build(fqn, rec)
        return got

    def _param(self, row: list) -> ParamInfo:
        flags = _at(row, 2)
        return ParamInfo(row[0], self._s[_at(row, 1)], bool(flags & _OPTIONAL), bool(flags & _VARIADIC))

    def _method(self, row: list, owner: str) -> MethodInfo:
        flags = _at(row, 2)
        params = tuple(self._param(p) for p in (row[4] if len(row) > 4 else ()))
        return MethodInfo(row[0], params, self._str(_at(row, 1)), bool(flags & _STATIC),
                          bool(flags & _PROTECTED), bool(flags & _ABSTRACT),
                          self._str(_at(row, 3)), owner)

    def _member(self, row: list, owner: str) -> MemberInfo:
        flags = _at(row, 2)
        return MemberInfo(row[0], self._s[_at(row, 1)], bool(flags & _OPTIONAL),
                          bool(flags & _READONLY), bool(flags & _STATIC), bool(flags & _PROTECTED),
                          self._str(_at(row, 4)), owner)

    def _interface_closure(self, starts: Iterable[str]) -> list[str]:
        """Breadth-first over `extends`: deterministic, nearest first, no duplicates."""
        out: list[str] = []
        queue = list(starts)
        while queue:
            fqn = queue.pop(0)
            if fqn in out:
                continue
            out.append(fqn)
            queue.extend(self._t.get(fqn, {}).get("i", ()))
        return out

    def _base_chain(self, rec: dict) -> list[str]:
        chain: list[str] = []
        while (base := rec.get("b")) and base not in chain:
            chain.append(base)
            rec = self._t.get(base, {})
        return chain

    def _build_class(self, fqn: str, rec: dict) -> ClassInfo:
        chain = self._base_chain(rec)
        own_ifaces: list[str] = []
        methods: dict[str, MethodInfo] = {}
        props: dict[str, MemberInfo] = {}
        smethods: dict[str, MethodInfo] = {}
        sprops: dict[str, MemberInfo] = {}
        # Own members first, then base classes nearest first: an override shadows the base.
        for owner in [fqn, *chain]:
            orec = self._t.get(owner, {})
            own_ifaces.extend(orec.get("i", ()))
            for row in orec.get("m", ()):
                target = smethods if _at(row, 2) & _STATIC else methods
                target.setdefault(row[0], self._method(row, owner))
            for row in orec.get("p", ()):
                target = sprops if _at(row, 2) & _STATIC else props
                target.setdefault(row[0], self._member(row, owner))
        ifaces = self._interface_closure(own_ifaces)
        # Interface members fill gaps only (abstract classes may leave them undeclared).
        for iface in ifaces:
            irec = self._t.get(iface, {})
            for row in irec.get("m", ()):
                methods.setdefault(row[0], self._method(row, iface))
            for row in irec.get("p", ()):
                props.setdefault(row[0], self._member(row, iface))
        init = tuple(self._param(p) for p in rec["n"]) if "n" in rec else None
        pidx = next((i for i in reversed(range(len(init or ())))
                     if self.kind(init[i].type) == "struct"), None)
        return ClassInfo(
            fqn=fqn, bases=tuple(chain), interfaces=tuple(ifaces), abstract=bool(rec.get("a")),
            is_construct=fqn == "constructs.Construct" or "constructs.Construct" in chain,
            deprecated=self._str(rec.get("d", 0)), init_params=init, props_param_index=pidx,
            props_fqn=init[pidx].type if pidx is not None else None,
            methods=MappingProxyType(methods), properties=MappingProxyType(props),
            static_methods=MappingProxyType(smethods), static_properties=MappingProxyType(sprops),
            source_file=self._str(rec.get("f", 0)))

    def _build_struct(self, fqn: str, rec: dict) -> StructInfo:
        order = self._interface_closure([fqn])
        props: dict[str, PropInfo] = {}
        for owner in order:
            for row in self._t.get(owner, {}).get("p", ()):
                if row[0] not in props:
                    props[row[0]] = PropInfo(row[0], self._s[_at(row, 1)],
                                             bool(_at(row, 2) & _OPTIONAL), self._str(_at(row, 3)),
                                             self._str(_at(row, 4)), owner)
        return StructInfo(fqn, MappingProxyType(props), tuple(order[1:]),
                          self._str(rec.get("d", 0)), self._str(rec.get("f", 0)))

    def _build_interface(self, fqn: str, rec: dict) -> InterfaceInfo:
        order = self._interface_closure([fqn])
        methods: dict[str, MethodInfo] = {}
        props: dict[str, MemberInfo] = {}
        for owner in order:
            orec = self._t.get(owner, {})
            for row in orec.get("m", ()):
                methods.setdefault(row[0], self._method(row, owner))
            for row in orec.get("p", ()):
                props.setdefault(row[0], self._member(row, owner))
        return InterfaceInfo(fqn, tuple(order[1:]), MappingProxyType(methods),
                             MappingProxyType(props), self._str(rec.get("d", 0)),
                             self._str(rec.get("f", 0)))

    def _build_enum(self, fqn: str, rec: dict) -> EnumInfo:
        members = {name: self._str(d) for name, d in rec.get("e", {}).items()}
        return EnumInfo(fqn, MappingProxyType(members), self._str(rec.get("d", 0)),
                        self._str(rec.get("f", 0)))


def load(path: str | Path | None = None) -> Knowledge:
    """Read a data file (default: the one shipped in this package). Uncached; see knowledge()."""
    if path is None:
        raw = resources.files(__name__).joinpath(DATA_FILE).read_bytes()
    else:
        raw = Path(path).read_bytes()
    return Knowledge(json.loads(gzip.decompress(raw)))


@functools.cache
def knowledge() -> Knowledge:
    """The shipped knowledge, loaded on first call and shared for the rest of the process."""
    return load()


__all__ = [
    "ClassInfo", "EnumInfo", "InterfaceInfo", "Knowledge", "MemberInfo", "MethodInfo",
    "ParamInfo", "PropInfo", "StructInfo", "knowledge", "load", "type_fqns",
]
