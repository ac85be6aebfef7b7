"""VPC questions: Availability Zones, NAT gateways, subnet groups and subnet selections.

Omitted props are read from the knowledge table (`aws_ec2.Vpc` maxAzs, natGateways,
subnetConfiguration); whatever cannot be known comes back as None.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.cdk import enum_member
from rules.model.defaults import default_of
from rules.parsing import Node

if TYPE_CHECKING:
    from rules.model.constructs import Construct

VPC_FQN = "aws_ec2.Vpc"
SUBNET_TYPE = "aws_ec2.SubnetType"
# Subnet types whose instances reach the internet through the VPC's NAT gateways
# (vpc.ts determineNatGatewayCount counts the same three as "private").
EGRESS_TYPES = frozenset({"PRIVATE_WITH_EGRESS", "PRIVATE_WITH_NAT", "PRIVATE"})
# CDK v2 names of the v1 subnet types: PRIVATE and ISOLATED were removed in v2,
# PRIVATE_WITH_NAT is deprecated ("use `PRIVATE_WITH_EGRESS`").
SUBNET_TYPE_RENAMES = {"PRIVATE": "PRIVATE_WITH_EGRESS", "PRIVATE_WITH_NAT": "PRIVATE_WITH_EGRESS",
                       "ISOLATED": "PRIVATE_ISOLATED"}
# An environment-agnostic stack sees only 2 AZs (overlay maxAzs quote), so without an
# explicit count a VPC has at least 2 and at most maxAzs (default 3) AZs.
ENV_AGNOSTIC_AZS = 2
_REGIONAL_NAT = "aws_ec2.RegionalNatGatewayProvider"


@dataclass(frozen=True)
class AzCount:
    count: int                 # the number the VPC asks for (maxAzs or its default, or the AZ list)
    at_least: int              # the number it surely gets
    prop: str | None           # 'maxAzs' / 'availabilityZones' when written, None for the default
    node: Node | None = None   # that prop's pair (or the construct when written elsewhere)

    @property
    def explicit(self) -> bool:
        return self.prop is not None


@dataclass(frozen=True)
class SubnetGroup:
    """One entry of `subnetConfiguration` (or of the default configuration)."""
    subnet_type: str | None     # enum member name; None when unknown
    cidr_mask: int | None       # None when absent or unknown
    obj: v.Obj | None = None    # the written entry; None for defaults


def az_count(vpc: "Construct", ctx) -> AzCount | None:
    zones = ctx.production_branch(vpc.prop("availabilityZones"))
    if zones is not None:
        if isinstance(zones, v.Arr) and not zones.open:
            n = len(zones.items)
            return AzCount(n, n, "availabilityZones", vpc.prop_node("availabilityZones"))
        return None
    max_azs = ctx.production_branch(vpc.prop("maxAzs"))
    if max_azs is None:
        default = default_of(vpc, "maxAzs")
        return AzCount(default.value, min(default.value, ENV_AGNOSTIC_AZS), None) if default else None
    n = _int(max_azs)
    return AzCount(n, min(n, ENV_AGNOSTIC_AZS), "maxAzs", vpc.prop_node("maxAzs")) if n is not None else None


def nat_gateways(vpc: "Construct", ctx) -> int | None:
    """The `natGateways` written (production branch); None when absent or unknown."""
    value = vpc.prop("natGateways")
    return _int(ctx.production_branch(value)) if value is not None else None


def uses_regional_nat(vpc: "Construct") -> bool | None:
    """True for `NatProvider.regionalGateway()` (one multi-AZ gateway), None when unknown."""
    provider = vpc.prop("natGatewayProvider")
    if provider is None:
        return False
    if isinstance(provider, v.Call) and provider.fqn:
        from rules.knowledge import knowledge
        owner, _, method = provider.fqn.rpartition(".")
        info = knowledge().cls(owner)
        found = info.static_methods.get(method) if info else None
        return found.returns == _REGIONAL_NAT if found else None
    if isinstance(provider, v.New):
        return provider.fqn == _REGIONAL_NAT if provider.fqn else None
    return None


def subnet_groups(vpc: "Construct", ctx) -> list[SubnetGroup] | None:
    """The VPC's subnet groups, reserved ones left out; None when they cannot be known."""
    config = vpc.prop("subnetConfiguration")
    if config is None:
        default = default_of(vpc, "subnetConfiguration", ctx)
        if default is None:
            return None
        return [SubnetGroup(entry["subnetType"], None) for entry in default.value]
    if not isinstance(config, v.Arr) or config.open:
        return None
    groups = []
    for item in config.items:
        if not isinstance(item, v.Obj):
            return None
        if v.literal(item.get("reserved")) is True:
            continue
        groups.append(SubnetGroup(subnet_type(item.get("subnetType")), _int(item.get("cidrMask")), item))
    return groups


def egress_groups(groups: list[SubnetGroup]) -> list[SubnetGroup]:
    return [g for g in groups if g.subnet_type in EGRESS_TYPES]


def subnet_type(value: v.Value | None) -> str | None:
    """'PUBLIC' for `ec2.SubnetType.PUBLIC` (v1 and v2)."""
    return enum_member(value, SUBNET_TYPE)


def selects_public_subnets(value: v.Value | None) -> bool:
    """`{ subnetType: PUBLIC }`, `[{ subnetType: PUBLIC }]`, `vpc.selectSubnets({ subnetType:
    PUBLIC }).subnetIds` or `vpc.publicSubnets...`: a placement in the VPC's public subnets."""
    for branch in v.branches(value):
        if isinstance(branch, v.Arr):
            if any(selects_public_subnets(item) for item in branch.items):
                return True
        elif isinstance(branch, v.Obj):
            if subnet_type(branch.get("subnetType")) == "PUBLIC":
                return True
        elif _public_subnet_chain(branch):
            return True
    return False


def _public_subnet_chain(value: v.Value) -> bool:
    while isinstance(value, (v.Attr, v.Call)):
        if isinstance(value, v.Attr):
            if value.name == "publicSubnets":
                return True
            value = value.base
        else:
            if value.method == "selectSubnets":
                return bool(value.args) and selects_public_subnets(value.args[0])
            value = value.callee
    return False


def _int(value: v.Value | None) -> int | None:
    lit = v.literal(value)
    return lit if isinstance(lit, int) and not isinstance(lit, bool) else None
