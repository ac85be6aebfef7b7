"""Hand-written semantic facts about aws-cdk-lib (overlay.yml): what an omitted prop means,
default service ports, which constructs hold data.

jsii gives `@default` as free text ("- One NAT gateway/instance per Availability Zone"); the
overlay turns the facts rules need into values, each citing the aws-cdk-lib file it comes
from. The file is validated against SCHEMA on load, so a malformed edit fails loudly.

    ov = load_overlay()
    ov.semantic_default("aws_rds.DatabaseInstance", "multiAz").value    # False
    ov.semantic_default("aws_rds.DatabaseInstanceProps", "multiAz")     # same fact
    ov.default_port("aurora-postgresql")                                # 5432
    ov.stateful("aws_s3.Bucket").removal                                # 'RETAIN'

Prefer the Knowledge shortcuts (k.semantic_default / k.default_port / k.is_stateful): they
also look through base classes, which this module does not know about.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import jsonschema
import yaml

from rules.strict_yaml import StrictDataLoader

OVERLAY_FILE = "overlay.yml"

_FQN = r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$"
_SOURCE = {"type": "string", "pattern": r"^([a-z0-9-]+/lib/[\w./-]+\.ts|external: .+)$"}
_FLAG = {
    "type": "object",
    "required": ["name", "v2_unset", "recommended", "effect"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": r"^@aws-cdk/[\w-]+:\w+$"},
        "v2_unset": {"type": "boolean"},      # how CDK v2 behaves when the flag is not set
        "recommended": {"type": "boolean"},   # value `cdk init` writes for new projects
        "effect": {"type": "string"},
    },
}
_CASE = {
    "type": "object",
    "required": ["value"],
    "additionalProperties": False,
    "properties": {
        "if_set": {"type": "string"},
        "if_equals": {"type": "object", "minProperties": 1, "maxProperties": 1},
        "value": {},
    },
    "oneOf": [{"required": ["if_set"]}, {"required": ["if_equals"]}],
}
_DEFAULT = {
    "type": "object",
    "required": ["value", "meaning", "source"],
    "additionalProperties": False,
    "properties": {
        "value": {},
        "meaning": {"type": "string", "minLength": 1},
        "cases": {"type": "array", "items": _CASE, "minItems": 1},
        "feature_flag": _FLAG,
        "doc_default": {"type": "string"},    # verbatim jsii docs.default (checked by tests)
        "quote": {"type": "string"},          # text in the source's doc comments
        "impl": {"type": "string"},           # what the compiled implementation does
        "source": _SOURCE,
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["verified_against", "defaults", "stateful", "ports"],
    "additionalProperties": False,
    "properties": {
        "verified_against": {"type": "string", "pattern": r"^aws-cdk-lib \d+\.\d+\.\d+$"},
        "defaults": {
            "type": "object",
            "propertyNames": {"pattern": _FQN},
            "additionalProperties": {
                "type": "object",
                "required": ["props_struct", "props"],
                "additionalProperties": False,
                "properties": {
                    "props_struct": {"type": "string", "pattern": _FQN},
                    "props": {"type": "object", "minProperties": 1,
                              "additionalProperties": _DEFAULT},
                },
            },
        },
        "stateful": {
            "type": "object",
            "propertyNames": {"pattern": _FQN},
            "additionalProperties": {
                "type": "object",
                "required": ["data", "source"],
                "additionalProperties": False,
                "properties": {
                    "data": {"type": "string", "minLength": 1},
                    "removal": {"enum": ["RETAIN", "SNAPSHOT", "DESTROY", "RETAIN_ON_UPDATE_OR_DELETE"]},
                    "source": _SOURCE,
                },
            },
        },
        "ports": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "port", "aliases", "source"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                    "aliases": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "source": _SOURCE,
                    "quote": {"type": "string"},
                    # constructs that listen on this port whatever their props say
                    "constructs": {"type": "array", "items": {"type": "string", "pattern": _FQN}},
                },
            },
        },
    },
}


@dataclass(frozen=True, slots=True)
class FeatureFlag:
    name: str
    v2_unset: bool
    recommended: bool
    effect: str


@dataclass(frozen=True, slots=True)
class Case:
    """An override of the default: applies when `if_set` is given, or `if_equals` matches."""
    value: Any
    if_set: str | None = None
    if_equals: tuple[str, Any] | None = None   # (dotted prop path, value)


@dataclass(frozen=True, slots=True)
class SemanticDefault:
    construct: str                 # class fqn, e.g. aws_rds.DatabaseInstance
    props_struct: str              # e.g. aws_rds.DatabaseInstanceProps
    prop: str
    value: Any                     # effective value when the prop is omitted
    meaning: str
    source: str
    cases: tuple[Case, ...] = ()
    feature_flag: FeatureFlag | None = None
    doc_default: str | None = None
    quote: str | None = None
    impl: str | None = None

    @property
    def depends_on(self) -> tuple[str, ...]:
        """Other props that change this default."""
        return tuple(c.if_set or c.if_equals[0].split(".")[0] for c in self.cases)


@dataclass(frozen=True, slots=True)
class StatefulFact:
    fqn: str
    data: str
    source: str
    removal: str | None = None


@dataclass(frozen=True, slots=True)
class PortFact:
    name: str
    port: int
    aliases: tuple[str, ...]
    source: str
    quote: str | None = None
    constructs: tuple[str, ...] = ()


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class Overlay:
    def __init__(self, raw: dict) -> None:
        jsonschema.validate(raw, SCHEMA)
        self.verified_against: str = raw["verified_against"]
        by_key: dict[tuple[str, str], SemanticDefault] = {}
        for construct, entry in raw["defaults"].items():
            struct = entry["props_struct"]
            for prop, d in entry["props"].items():
                fact = SemanticDefault(
                    construct=construct, props_struct=struct, prop=prop, value=d["value"],
                    meaning=d["meaning"], source=d["source"],
                    cases=tuple(_case(c) for c in d.get("cases", ())),
                    feature_flag=FeatureFlag(**d["feature_flag"]) if "feature_flag" in d else None,
                    doc_default=d.get("doc_default"), quote=d.get("quote"), impl=d.get("impl"))
                # Reachable by the construct's fqn and by its props struct's fqn.
                by_key[(construct, prop)] = fact
                by_key[(struct, prop)] = fact
        self._defaults = MappingProxyType(by_key)
        self.stateful_facts: Mapping[str, StatefulFact] = MappingProxyType(
            {fqn: StatefulFact(fqn, s["data"], s["source"], s.get("removal"))
             for fqn, s in raw["stateful"].items()})
        self.ports: tuple[PortFact, ...] = tuple(
            PortFact(p["name"], p["port"], tuple(p["aliases"]), p["source"], p.get("quote"),
                     tuple(p.get("constructs", ())))
            for p in raw["ports"])
        self._by_construct = {c: p for p in self.ports for c in p.constructs}
        # Longest alias first so 'aurora-postgresql' wins over 'aurora'.
        self._aliases = sorted(((_norm(a), p) for p in self.ports for a in p.aliases),
                               key=lambda ap: -len(ap[0]))

    # -- defaults -------------------------------------------------------------------
    def semantic_default(self, fqn: str, prop: str) -> SemanticDefault | None:
        """Fact for `prop` of a construct, keyed by class fqn or props-struct fqn."""
        return self._defaults.get((fqn, prop))

    def defaults(self) -> list[SemanticDefault]:
        """Every default fact once, in file order."""
        seen: dict[int, SemanticDefault] = {}
        for fact in self._defaults.values():
            seen.setdefault(id(fact), fact)
        return list(seen.values())

    # -- stateful -------------------------------------------------------------------
    def stateful(self, fqn: str) -> StatefulFact | None:
        return self.stateful_facts.get(fqn)

    # -- ports ----------------------------------------------------------------------
    def port(self, name_or_port: str | int) -> PortFact | None:
        """By port number (first entry wins) or by engine/service name (see aliases)."""
        if isinstance(name_or_port, int):
            return next((p for p in self.ports if p.port == name_or_port), None)
        key = _norm(name_or_port)
        if not key:
            return None
        return next((p for alias, p in self._aliases if key == alias or key.startswith(alias)), None)

    def default_port(self, engine_name: str) -> int | None:
        fact = self.port(engine_name)
        return fact.port if fact else None

    def port_name(self, port: int) -> str | None:
        fact = self.port(port)
        return fact.name if fact else None

    def construct_port(self, fqn: str) -> PortFact | None:
        """The fixed service port of a construct kind (aws_docdb.DatabaseCluster -> 27017)."""
        return self._by_construct.get(fqn)


def _case(raw: dict) -> Case:
    if "if_set" in raw:
        return Case(raw["value"], if_set=raw["if_set"])
    (path, expected), = raw["if_equals"].items()
    return Case(raw["value"], if_equals=(path, expected))




def parse_overlay(text: str) -> Overlay:
    """Parse and validate overlay YAML text (raises jsonschema.ValidationError if malformed)."""
    # Strict: a fact written twice under one key must fail loudly, not silently replace the first.
    return Overlay(yaml.load(text, Loader=StrictDataLoader))


def load_overlay_file(path: str | Path) -> Overlay:
    return parse_overlay(Path(path).read_text(encoding="utf-8"))


@functools.cache
def load_overlay() -> Overlay:
    """The shipped overlay, parsed and validated once per process."""
    return parse_overlay(resources.files(__package__).joinpath(OVERLAY_FILE).read_text("utf-8"))
