"""How big a construct is: its instance type(s), memory, storage."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from rules.model import values as v
from rules.model.cdk import enum_member, instance_type
from rules.parsing import Node

if TYPE_CHECKING:
    from rules.model.constructs import Construct

# Burstable classes earn CPU credits below a baseline (t3.micro: 10% of a vCPU) and are
# throttled or billed for surplus credits under sustained load.
BURSTABLE_FAMILIES = frozenset({"t2", "t3", "t3a", "t4g"})
SMALL_SIZES = frozenset({"nano", "micro", "small"})

# Where each construct kind names its instance type: a prop, `parent.child` for a prop of a
# nested struct, or `writer`/`readers` for Aurora's ClusterInstance.provisioned(id, {instanceType}).
SIZED_PROPS: dict[str, tuple[str, ...]] = {
    "aws_ec2.Instance": ("instanceType",),
    "aws_ec2.LaunchTemplate": ("instanceType",),
    "aws_autoscaling.AutoScalingGroup": ("instanceType",),
    "aws_rds.DatabaseInstance": ("instanceType",),
    "aws_rds.DatabaseInstanceFromSnapshot": ("instanceType",),
    "aws_rds.DatabaseInstanceReadReplica": ("instanceType",),
    "aws_rds.CfnDBInstance": ("dbInstanceClass",),
    "aws_rds.DatabaseCluster": ("writer", "readers", "instanceProps.instanceType"),
    "aws_rds.DatabaseClusterFromSnapshot": ("writer", "readers", "instanceProps.instanceType"),
    "aws_docdb.DatabaseCluster": ("instanceType",),
    "aws_elasticache.CfnReplicationGroup": ("cacheNodeType",),
    "aws_elasticache.CfnCacheCluster": ("cacheNodeType",),
    "aws_opensearchservice.Domain": ("capacity.dataNodeInstanceType", "capacity.masterNodeInstanceType"),
    "aws_elasticsearch.Domain": ("capacity.dataNodeInstanceType", "capacity.masterNodeInstanceType"),
}
_CLUSTER_INSTANCE_PROPS = frozenset({"writer", "readers"})
_PROVISIONED = "aws_rds.ClusterInstance.provisioned"

# RDS minimum allocated storage per storage type, GiB (external: Amazon RDS User Guide,
# "Amazon RDS DB instance storage"; gp2/gp3 20 GiB, io1/io2 100 GiB, magnetic 5 GiB).
RDS_MIN_STORAGE_GIB = {"GP2": 20, "GP3": 20, "IO1": 100, "IO2": 100, "STANDARD": 5}


@dataclass(frozen=True)
class TypeUse:
    """One instance type a construct asks for, and where it is written."""
    name: str            # as AWS spells it: 't3.micro', 'db.t3.micro', 't3.small.search'
    value: v.Value
    node: Node | None    # the `key: value` pair in this construct's file, when found


def family_and_size(name: str) -> tuple[str, str] | None:
    """('t3', 'micro') for 't3.micro', 'db.t3.micro', 'cache.t3.micro', 't3.micro.search'."""
    parts = name.lower().split(".")
    if parts and parts[0] in ("db", "cache"):
        parts = parts[1:]
    return (parts[0], parts[1]) if len(parts) >= 2 else None


def is_small_burstable(name: str) -> bool:
    fs = family_and_size(name)
    return fs is not None and fs[0] in BURSTABLE_FAMILIES and fs[1] in SMALL_SIZES


def instance_types(construct: "Construct", ctx) -> Iterator[TypeUse]:
    """Every instance type written for the construct (production branch of a ternary)."""
    for path in SIZED_PROPS.get(construct.fqn or "", ()):
        head, _, rest = path.partition(".")
        value = construct.prop(head)
        if value is None:
            continue
        pair = construct.prop_node(head)
        if head in _CLUSTER_INSTANCE_PROPS:
            yield from _cluster_instance_types(construct, value, ctx)
        elif rest:
            yield from _nested_type(construct, ctx.production_branch(value), rest, ctx)
        else:
            use = _type_use(ctx.production_branch(value), pair if pair is not construct.node else None)
            if use is not None:
                yield use


def _cluster_instance_types(construct, value: v.Value, ctx) -> Iterator[TypeUse]:
    items = value.items if isinstance(value, v.Arr) else [value]
    for item in items:
        if isinstance(item, v.Call) and item.fqn == _PROVISIONED and len(item.args) > 1:
            yield from _nested_type(construct, item.args[1], "instanceType", ctx)


def _nested_type(construct, obj: v.Value | None, key: str, ctx) -> Iterator[TypeUse]:
    if not isinstance(obj, v.Obj):
        return
    value = obj.get(key)
    if value is None:
        return
    pair = obj.key_nodes.get(key) if obj.file is construct.file else None
    use = _type_use(ctx.production_branch(value), pair)
    if use is not None:
        yield use


def _type_use(value: v.Value | None, node: Node | None) -> TypeUse | None:
    if isinstance(value, v.Lit) and isinstance(value.value, str):
        return TypeUse(value.value, value, node)
    name = instance_type(value)
    return TypeUse(name, value, node) if name else None


def rds_storage_type(construct: "Construct", ctx) -> str | None:
    """'GP2' etc.: the written `storageType`, else the knowledge table's default."""
    from rules.model.defaults import default_of
    value = construct.prop("storageType")
    if value is None:
        default = default_of(construct, "storageType")
        return default.value if default else None
    return enum_member(ctx.production_branch(value), "aws_rds.StorageType")
