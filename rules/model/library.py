"""The questions the model and rules ask about aws-cdk-lib, answered from the knowledge table."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from rules.model import values as v

if TYPE_CHECKING:
    from rules.model.constructs import Construct


def _k():
    from rules.knowledge import knowledge
    return knowledge()


@dataclass(frozen=True)
class ApiProblem:
    message: str
    fix: str


# -- classes --------------------------------------------------------------------------
@cache
def is_known_fqn(fqn: str) -> bool:
    return _k().kind(fqn) is not None


@cache
def is_construct_fqn(fqn: str) -> bool:
    info = _k().cls(fqn)
    return bool(info and info.is_construct)


@cache
def base_fqns(fqn: str) -> tuple[str, ...]:
    info = _k().cls(fqn)
    return tuple(info.bases) if info else ()


@cache
def construct_props_index(fqn: str) -> int:
    info = _k().cls(fqn)
    index = info.props_param_index if info else None
    return index if isinstance(index, int) else 2


def is_stateful(fqn: str) -> bool:
    return _k().is_stateful(fqn)


# -- ports ----------------------------------------------------------------------------
def port_service(port: int) -> str | None:
    """'PostgreSQL' for 5432: the well-known service on a port, for messages."""
    return _k().port_name(port)


def default_port(construct: "Construct") -> int | None:
    """The port a database-like construct listens on: its `port` prop, else its engine's default."""
    port = v.literal(construct.prop("port"))
    if isinstance(port, int) and not isinstance(port, bool):
        return port
    engine = construct.prop("engine")
    name = None
    if isinstance(engine, v.Call) and engine.fqn:
        name = engine.fqn.rsplit(".", 1)[1]
    elif isinstance(engine, v.Symbol):
        name = engine.fqn.rsplit(".", 1)[1]
    if name is None:
        return _k().construct_port(construct.fqn) if construct.fqn else None
    return _k().default_port(name)


# -- API existence --------------------------------------------------------------------
def module_has_member(module: str, name: str) -> bool | None:
    """None when the module itself is unknown (so nothing can be said)."""
    k = _k()
    if module not in k.modules():
        return None
    return name in k.module_members(module)


@cache
def module_of_member(name: str) -> str | None:
    """The aws-cdk-lib module exporting `name`, when exactly one does."""
    k = _k()
    homes = [m for m in k.modules() if name in k.module_members(m)]
    return homes[0] if len(homes) == 1 else None


def _spec(module: str) -> str:
    return "aws-cdk-lib" + (f"/{module.replace('_', '-')}" if module else "")


def _did_you_mean(name: str, candidates) -> str:
    best = _k().closest(name, list(candidates))
    return f"; did you mean `{best}`?" if best else ""


@cache
def api_problem(fqn: str) -> ApiProblem | None:
    """What is wrong with a library name used in code (`aws_dynamodb.BillingMode.ON_DEMAND`)."""
    k = _k()
    parts = fqn.split(".")
    if parts[0].startswith("@") or parts[0] in ("constructs",) or "/" in parts[0]:
        return None
    modules = k.modules()
    if parts[0] in modules and parts[0] != "":
        module, rest = parts[0], parts[1:]
    else:
        module, rest = "", parts
    if not rest:
        return None
    head = rest[0]
    members = k.module_members(module)
    if head not in members:
        if module == "" and head[:1].islower():
            return ApiProblem(f"aws-cdk-lib has no module `{head}`{_did_you_mean(head, modules)}",
                              "Use an existing aws-cdk-lib module")
        home = module_of_member(head)
        where = f"; it is in `{_spec(home)}`" if home is not None else _did_you_mean(head, members)
        return ApiProblem(f"`{_spec(module)}` has no export `{head}`{where}",
                          f"Import `{head}` from `{_spec(home)}`" if home is not None
                          else "Use a name the module exports")
    current = f"{module}.{head}" if module else head
    for segment in rest[1:]:
        kind = k.kind(current)
        short = current.rsplit(".", 1)[-1]
        if kind == "enum":
            enum = k.enum(current)
            if segment not in enum.members:
                return ApiProblem(f"`{short}.{segment}` does not exist{_did_you_mean(segment, enum.members)}",
                                  f"Use one of {short}'s members: " + ", ".join(sorted(enum.members)[:12])
                                  + (", ..." if len(enum.members) > 12 else ""))
            return None
        if kind != "class":
            return None
        nested = f"{current}.{segment}"
        if k.kind(nested) is not None:
            current = nested
            continue
        cls = k.cls(current)
        statics = set(cls.static_methods) | set(cls.static_properties)
        if segment not in statics:
            return ApiProblem(f"`{short}.{segment}` does not exist{_did_you_mean(segment, statics)}",
                              f"Use a static member of {short}" + (": " + ", ".join(sorted(statics)[:10])
                                                                    if statics else ""))
        return None
    return None
