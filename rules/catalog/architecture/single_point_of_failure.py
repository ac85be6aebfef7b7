"""architecture / single-point-of-failure."""
from __future__ import annotations

from rules.model import values as v
from rules.model.autoscaling import ASG_FQN, capacity
from rules.model.compute import INSTANCE_FQN, is_bastion
from rules.model.defaults import default_of
from rules.model.edits import pair_value, replace_on_line
from rules.model.labels import label
from rules.model.network import (VPC_FQN, az_count, egress_groups, nat_gateways, subnet_groups,
                                 uses_regional_nat)
from rules.registry import Hit, rule


@rule(
    id="ARC-SPOF-001",
    name="single-instance-auto-scaling-group",
    subcategory="single-point-of-failure",
    severity="warning",
    message="Auto Scaling group can never run more than one instance (maxCapacity {high})",
    remediation="Run at least two instances across Availability Zones: `minCapacity: 2, maxCapacity: 4`",
    references=("https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html",),
    production_aware=True,
    follows_values=True,
)
def single_instance_auto_scaling_group(f, ctx):
    """
    ## What it does
    Finds `autoscaling.AutoScalingGroup`s whose maximum capacity is 1, written out or
    by default (no `minCapacity`/`maxCapacity` means one instance). Stacks whose name
    marks them as non-production (dev, test, sandbox...) are skipped; in
    `isProd ? 2 : 1` the production branch is judged.

    ## Why is this bad?
    One instance in one Availability Zone: an instance failure or an AZ outage takes
    the service down until a replacement boots, and deployments cause downtime.

    ## Example
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build(vpc: ec2.IVpc) {
        new autoscaling.AutoScalingGroup(this, 'Api', { // <-- ARC-SPOF-001
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build(vpc: ec2.IVpc) {
        const asg = new autoscaling.AutoScalingGroup(this, 'Api', {
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
          minCapacity: 2,
          maxCapacity: 6,
        });
        asg.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
      }
    }
    ```
    """
    yield from _production_hits(f, ctx, (ASG_FQN,), lambda asg: _single_instance_group(asg, ctx))


def _single_instance_group(asg, ctx) -> Hit | None:
    low, high = capacity(asg, ctx)
    return Hit(asg.prop_node("maxCapacity"), {"high": high}) if high == 1 else None


@rule(
    id="ARC-SPOF-002",
    name="single-az-vpc",
    subcategory="single-point-of-failure",
    severity="warning",
    message="{vpc} spans a single Availability Zone ({setting}): an outage of that AZ takes down everything in the VPC",
    remediation="Spread the VPC over at least two AZs, e.g. `maxAzs: {default_azs}`, and run each tier in more than one",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html",
                "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.Vpc.html"),
    follows_values=True,
)
def single_az_vpc(f, ctx):
    """
    ## What it does
    Finds `ec2.Vpc`s limited to one Availability Zone: `maxAzs: 1` or an
    `availabilityZones` list with one entry. In `isProd ? 3 : 1` the production
    branch is judged. Other stacks are reported whatever their stage: a second AZ
    costs nothing by itself (NAT gateways, the part that costs, are set apart with
    `natGateways`), and a one-AZ VPC cannot host a load balancer or an RDS subnet
    group, which both need two AZs.

    ## Why is this bad?
    Every subnet, and so every instance, database and NAT gateway placed in the
    VPC, lives in the same data centre group. An AZ outage or a capacity shortage
    there stops the whole workload, and multi-AZ features (RDS Multi-AZ, Aurora
    readers, load balancers) cannot be used. Adding AZs later replaces the subnets.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class RunnerNetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'RunnerVpc', {
          ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
          maxAzs: 1, // <-- ARC-SPOF-002
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class RunnerNetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'RunnerVpc', {
          ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
          maxAzs: 3,
        });
      }
    }
    ```
    """
    for vpc in f.constructs:
        azs = az_count(vpc, ctx) if vpc.fqn == VPC_FQN else None
        if azs is None or not azs.explicit or azs.count != 1:
            continue
        default_azs = default_of(vpc, "maxAzs").value
        setting = "maxAzs: 1" if azs.prop == "maxAzs" else "one entry in availabilityZones"
        suggestion = None
        if azs.prop == "maxAzs" and _written_literal(azs.node, "number"):
            suggestion = replace_on_line(pair_value(azs.node), f.lines, str(default_azs))
        yield Hit(azs.node, {"vpc": label(vpc), "setting": setting, "default_azs": default_azs},
                  suggestion=suggestion)


@rule(
    id="ARC-SPOF-003",
    name="fewer-nat-gateways-than-azs",
    subcategory="single-point-of-failure",
    severity="warning",
    message="{vpc} has {nat} NAT gateway(s) for {azs} Availability Zones: {impact}",
    remediation="Run one NAT gateway per AZ: `natGateways: {azs}` (or leave natGateways unset, which means one per AZ)",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html",
                "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.Vpc.html#natgateways"),
    production_aware=True,
    follows_values=True,
)
def fewer_nat_gateways_than_azs(f, ctx):
    """
    ## What it does
    Finds `ec2.Vpc`s with PRIVATE_WITH_EGRESS subnets (written in
    `subnetConfiguration`, or the default configuration) whose `natGateways` is
    lower than the number of Availability Zones (`maxAzs`, 3 by default, or the
    `availabilityZones` list). Unset `natGateways` means one per AZ and is fine; a
    regional NAT gateway (`NatProvider.regionalGateway()`) spans AZs and is fine.
    Non-production stacks (by name) are skipped, `isProd ? 3 : 1` is judged on its
    production branch, and a stack that says neither is reported.

    ## Why is this bad?
    Private subnets of every AZ route their internet traffic through the NAT
    gateways that exist. With one NAT gateway, losing its AZ cuts egress (package
    downloads, AWS APIs without VPC endpoints, third-party calls) for all private
    subnets, in the AZs that are still healthy too.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class NetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'Vpc', {
          maxAzs: 3,
          natGateways: 1, // <-- ARC-SPOF-003
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class NetworkStack extends Stack {
      build(isProd: boolean) {
        new ec2.Vpc(this, 'Vpc', {
          maxAzs: 3,
          natGateways: isProd ? 3 : 1,
        });
      }
    }
    ```

    ## Known problems
    Without `maxAzs` an environment-agnostic stack gets only 2 AZs, so only
    `natGateways: 1` is reported then.
    """
    yield from _production_hits(f, ctx, (VPC_FQN,), lambda vpc: _too_few_nat_gateways(vpc, ctx, f.lines))


def _too_few_nat_gateways(vpc, ctx, lines) -> Hit | None:
    nat = nat_gateways(vpc, ctx)
    azs = az_count(vpc, ctx)
    if nat is None or nat < 1 or azs is None or azs.count < 2:
        return None         # 0 NAT gateways is a subnet-design question (ARC-NET-001)
    if nat >= (azs.count if azs.explicit else azs.at_least) or uses_regional_nat(vpc) is not False:
        return None
    groups = subnet_groups(vpc, ctx)
    if not groups or not egress_groups(groups):
        return None
    pair = vpc.prop_node("natGateways")
    impact = ("losing that AZ cuts internet egress for all private subnets" if nat == 1 else
              "losing an AZ with a NAT gateway cuts egress for the private subnets routed through it")
    suggestion = (replace_on_line(pair_value(pair), lines, str(azs.count))
                  if _written_literal(pair, "number") else None)
    return Hit(pair, {"vpc": label(vpc), "nat": nat, "azs": azs.count, "impact": impact},
               suggestion=suggestion)


@rule(
    id="ARC-SPOF-004",
    name="single-az-database",
    subcategory="single-point-of-failure",
    severity="warning",
    message="{db} is a single-AZ RDS instance ({setting}): a host or AZ failure stops the database until it is recovered",
    remediation="Enable a standby in a second AZ: `multiAz: true`",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html",),
    production_aware=True,
    follows_values=True,
)
def single_az_database(f, ctx):
    """
    ## What it does
    Finds `rds.DatabaseInstance`s (and instances restored from a snapshot) whose
    `multiAz` is `false` or not set (the default is `false`). Non-production stacks
    (by name) are skipped, `multiAz: isProd` is judged on its production branch, and
    a stack that says neither is reported.

    ## Why is this bad?
    A single-AZ instance has no standby: a hardware failure, an AZ outage or some
    maintenance operations make the database unavailable until RDS replaces the
    host or it is restored from a backup, with data written since the last backup
    at risk.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class OrdersStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Orders', { // <-- ARC-SPOF-004
          engine: rds.DatabaseInstanceEngine.POSTGRES,
          vpc,
        });
        new rds.DatabaseInstance(this, 'Billing', {
          engine: rds.DatabaseInstanceEngine.POSTGRES,
          vpc,
          multiAz: false, // <-- ARC-SPOF-004
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class OrdersStack extends Stack {
      build(vpc: ec2.IVpc, isProd: boolean) {
        new rds.DatabaseInstance(this, 'Orders', {
          engine: rds.DatabaseInstanceEngine.POSTGRES,
          vpc,
          multiAz: true,
        });
        new rds.DatabaseInstance(this, 'Billing', {
          engine: rds.DatabaseInstanceEngine.POSTGRES,
          vpc,
          multiAz: isProd,
        });
      }
    }
    ```
    """
    yield from _production_hits(f, ctx, _SINGLE_INSTANCE_DATABASES, lambda db: _single_az(db, ctx, f.lines))


def _single_az(db, ctx, lines) -> Hit | None:
    value = db.prop("multiAz")
    if value is None:
        default = default_of(db, "multiAz")
        if default is not None and default.value is False:
            return Hit(db.node, {"db": label(db), "setting": "multiAz not set; the default is false"})
        return None
    if v.literal(ctx.production_branch(value)) is not False:
        return None
    pair = db.prop_node("multiAz")
    suggestion = replace_on_line(pair_value(pair), lines, "true") if _written_literal(pair, "false") else None
    return Hit(pair, {"db": label(db), "setting": "multiAz: false"}, suggestion=suggestion)


@rule(
    id="ARC-SPOF-005",
    name="aurora-cluster-without-readers",
    subcategory="single-point-of-failure",
    severity="warning",
    message="{cluster} is an Aurora cluster with a writer and no reader ({setting}): a writer failure means downtime while a new instance is created",
    remediation="Add a reader in another AZ to fail over to: `readers: [rds.ClusterInstance.provisioned('reader', {{ ... }})]`",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html",),
    production_aware=True,
    follows_values=True,
)
def aurora_cluster_without_readers(f, ctx):
    """
    ## What it does
    Finds `rds.DatabaseCluster`s with a `writer` and no `readers` (absent or an
    empty list; the default creates none), and clusters on the deprecated
    `instanceProps` API with `instances: 1` (its default, 2, is fine).
    Non-production stacks (by name) are skipped, a ternary is judged on its
    production branch, and a stack that says neither is reported.

    ## Why is this bad?
    Aurora fails over by promoting a reader. Without one, a writer failure or an
    AZ outage leaves the cluster unavailable until Aurora creates a new instance,
    typically about ten minutes.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class AuroraStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseCluster(this, 'Cluster', { // <-- ARC-SPOF-005
          engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
          writer: rds.ClusterInstance.provisioned('writer'),
          vpc,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class AuroraStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseCluster(this, 'Cluster', {
          engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
          writer: rds.ClusterInstance.provisioned('writer'),
          readers: [rds.ClusterInstance.provisioned('reader')],
          vpc,
        });
      }
    }
    ```
    """
    yield from _production_hits(f, ctx, _AURORA_CLUSTERS, lambda cluster: _single_instance_cluster(cluster, ctx))


def _single_instance_cluster(cluster, ctx) -> Hit | None:
    if cluster.prop("writer") is not None:
        return _missing_readers(cluster, ctx)
    if cluster.prop("instanceProps") is not None:
        return _single_legacy_instance(cluster, ctx)
    return None             # neither API: synth fails, reported as missing props


def _missing_readers(cluster, ctx) -> Hit | None:
    readers = cluster.prop("readers")
    if readers is None:
        default = default_of(cluster, "readers")
        if default is not None and default.value == []:
            return Hit(cluster.node, {"cluster": label(cluster), "setting": "readers not set"})
        return None
    readers = ctx.production_branch(readers)
    if isinstance(readers, v.Arr) and not readers.open and not readers.items:
        return Hit(cluster.prop_node("readers"), {"cluster": label(cluster), "setting": "readers: []"})
    return None


def _single_legacy_instance(cluster, ctx) -> Hit | None:
    value = cluster.prop("instances")
    count = default_of(cluster, "instances").value if value is None else v.literal(ctx.production_branch(value))
    if count == 1:
        return Hit(cluster.prop_node("instances"), {"cluster": label(cluster), "setting": "instances: 1"})
    return None


@rule(
    id="ARC-SPOF-006",
    name="single-node-cache",
    subcategory="single-point-of-failure",
    severity="warning",
    message="ElastiCache {cache} {problem}: a node or AZ failure loses the cache and its data until it is replaced",
    remediation="Run a primary and at least one replica in another AZ with failover: `numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true`",
    references=("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html",),
    production_aware=True,
    follows_values=True,
)
def single_node_cache(f, ctx):
    """
    ## What it does
    Finds ElastiCache (Redis OSS / Valkey) deployments that cannot survive a node
    failure: a `CfnReplicationGroup` with `numCacheClusters: 1` (also the default
    when failover is off and no shard layout is given), `replicasPerNodeGroup: 0`,
    or automatic failover off (`automaticFailoverEnabled: false`, or not set: the
    default is false); a Redis/Valkey `CfnCacheCluster` (always one node).
    Non-production stacks (by name) are skipped, ternaries are judged on their
    production branch, and a stack that says neither is reported.

    ## Why is this bad?
    With one node, a node failure, an AZ outage or a maintenance replacement drops
    every session, lock or queue kept in the cache. With replicas but no automatic
    failover, someone has to promote a replica by hand while the application is
    down.

    ## Example
    ```ts
    import * as elasticache from 'aws-cdk-lib/aws-elasticache';
    import { Stack } from 'aws-cdk-lib';

    export class CacheStack extends Stack {
      build() {
        new elasticache.CfnReplicationGroup(this, 'Sessions', {
          replicationGroupDescription: 'sessions',
          engine: 'redis',
          cacheNodeType: 'cache.r7g.large',
          numCacheClusters: 1, // <-- ARC-SPOF-006
        });
        new elasticache.CfnCacheCluster(this, 'Locks', {
          engine: 'redis',
          cacheNodeType: 'cache.r7g.large',
          numCacheNodes: 1, // <-- ARC-SPOF-006
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as elasticache from 'aws-cdk-lib/aws-elasticache';
    import { Stack } from 'aws-cdk-lib';

    export class CacheStack extends Stack {
      build() {
        new elasticache.CfnReplicationGroup(this, 'Sessions', {
          replicationGroupDescription: 'sessions',
          engine: 'redis',
          cacheNodeType: 'cache.r7g.large',
          numCacheClusters: 2,
          automaticFailoverEnabled: true,
          multiAzEnabled: true,
        });
      }
    }
    ```
    """
    yield from _production_hits(f, ctx, (_REPLICATION_GROUP,), lambda group: _replication_group_spof(group, ctx))
    yield from _production_hits(f, ctx, (_CACHE_CLUSTER,), lambda cluster: _cache_cluster_spof(cluster, ctx))


def _replication_group_spof(group, ctx) -> Hit | None:
    def written(prop):
        return v.literal(ctx.production_branch(group.prop(prop)), default="unknown")

    name = label(group)
    if written("numCacheClusters") == 1:
        return Hit(group.prop_node("numCacheClusters"), {"cache": name, "problem": "has a single node (numCacheClusters: 1)"})
    if written("replicasPerNodeGroup") == 0:
        return Hit(group.prop_node("replicasPerNodeGroup"), {"cache": name, "problem": "has no replicas (replicasPerNodeGroup: 0)"})
    failover = group.prop("automaticFailoverEnabled")
    if failover is not None:
        if written("automaticFailoverEnabled") is False:
            return Hit(group.prop_node("automaticFailoverEnabled"),
                       {"cache": name, "problem": "has automatic failover off (automaticFailoverEnabled: false)"})
        return None
    if default_of(group, "automaticFailoverEnabled").value is not False:
        return None
    if all(group.prop(p) is None for p in _SHARD_LAYOUT_PROPS):
        nodes = default_of(group, "numCacheClusters").value
        return Hit(group.node, {"cache": name, "problem": f"has {nodes} node by default (numCacheClusters and automaticFailoverEnabled not set)"})
    return Hit(group.node, {"cache": name, "problem": "has automatic failover off (automaticFailoverEnabled not set; the default is false)"})


def _cache_cluster_spof(cluster, ctx) -> Hit | None:
    engine = v.literal(cluster.prop("engine"))
    nodes = v.literal(ctx.production_branch(cluster.prop("numCacheNodes")))
    if isinstance(engine, str) and engine.lower() in _SINGLE_NODE_ENGINES and nodes == 1:
        return Hit(cluster.prop_node("numCacheNodes"),
                   {"cache": label(cluster), "problem": f"is a single {engine} node (CfnCacheCluster, numCacheNodes: 1)"})
    return None


@rule(
    id="ARC-SPOF-007",
    name="single-app-server-instance",
    subcategory="single-point-of-failure",
    severity="warning",
    message="{instance} is the only server of production stack {stack}, with no Auto Scaling group: an instance or AZ failure takes the service down",
    remediation="Run the servers in an `autoscaling.AutoScalingGroup` (minCapacity 2 across AZs) behind a load balancer",
    references=("https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/use-fault-isolation-to-protect-your-workload.html",),
    production_aware=True,
    follows_values=True,
)
def single_app_server_instance(f, ctx):
    """
    ## What it does
    Finds a production stack (its name says prod/production) whose only server is
    one `ec2.Instance`, with no Auto Scaling group in the same stack. Bastion and
    jump hosts (by id or variable name) are not servers and are ignored. Stacks that
    do not say they are production are not reported: a lone instance is common and
    fine in tools and dev stacks.

    ## Why is this bad?
    A single EC2 instance lives in one AZ on one host. Its failure, an AZ outage, a
    reboot for maintenance or a bad deployment stops the service, and nothing
    replaces the instance automatically.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class ProdApiStack extends Stack {
      build(vpc: ec2.IVpc) {
        new ec2.Instance(this, 'ApiServer', { // <-- ARC-SPOF-007
          vpc,
          instanceType: new ec2.InstanceType('m7g.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class ProdApiStack extends Stack {
      build(vpc: ec2.IVpc) {
        const servers = new autoscaling.AutoScalingGroup(this, 'ApiServers', {
          vpc,
          instanceType: new ec2.InstanceType('m7g.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
          minCapacity: 2,
          maxCapacity: 6,
        });
        servers.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
        new ec2.Instance(this, 'Bastion', {
          vpc,
          instanceType: new ec2.InstanceType('t4g.nano'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        });
      }
    }
    ```
    """
    by_stack: dict[int, list] = {}
    for c in f.constructs:
        if c.fqn in (INSTANCE_FQN, ASG_FQN):
            by_stack.setdefault(id(c.owner), []).append(c)
    for members in by_stack.values():
        if any(c.fqn == ASG_FQN for c in members):
            continue
        servers = [c for c in members if not is_bastion(c)]
        if len(servers) == 1 and ctx.is_production(servers[0]) is True:
            server = servers[0]
            stack = server.owner.name if server.owner is not None else "(app)"
            yield Hit(server.node, {"instance": label(server), "stack": stack})


_SINGLE_INSTANCE_DATABASES = ("aws_rds.DatabaseInstance", "aws_rds.DatabaseInstanceFromSnapshot")
_AURORA_CLUSTERS = ("aws_rds.DatabaseCluster", "aws_rds.DatabaseClusterFromSnapshot")
_REPLICATION_GROUP = "aws_elasticache.CfnReplicationGroup"
_CACHE_CLUSTER = "aws_elasticache.CfnCacheCluster"
_SINGLE_NODE_ENGINES = frozenset({"redis", "valkey"})
# Props that lay out shards/replicas instead of numCacheClusters (its default of 1 then does not apply).
_SHARD_LAYOUT_PROPS = ("numCacheClusters", "numNodeGroups", "replicasPerNodeGroup",
                       "nodeGroupConfiguration", "primaryClusterId")


def _production_hits(f, ctx, fqns, check):
    """`check(construct)`'s hits on constructs of the given kinds, except in stacks known to be
    non-production (asked last: it is the costly question)."""
    for c in f.constructs:
        if c.fqn in fqns:
            hit = check(c)
            if hit is not None and ctx.is_production(c) is not False:
                yield hit


def _written_literal(pair, node_type: str) -> bool:
    """True when the pair's value is written as a literal of this node type (`number`, `false`)."""
    value = pair_value(pair)
    return value is not None and value.type == node_type


_ECS_SERVICES = frozenset({
    "aws_ecs.FargateService", "aws_ecs.Ec2Service",
    "aws_ecs_patterns.ApplicationLoadBalancedFargateService", "aws_ecs_patterns.ApplicationLoadBalancedEc2Service",
    "aws_ecs_patterns.NetworkLoadBalancedFargateService", "aws_ecs_patterns.NetworkLoadBalancedEc2Service",
    "aws_ecs_patterns.ApplicationMultipleTargetGroupsFargateService",
    "aws_ecs_patterns.ApplicationMultipleTargetGroupsEc2Service",
})


@rule(
    id="ARC-SPOF-008",
    name="single-task-service",
    subcategory="single-point-of-failure",
    severity="warning",
    message="{name} runs a single task ({detail}) and nothing scales it above one: "
            "a task or Availability Zone failure takes the service down",
    remediation="Run at least two tasks: `desiredCount: 2`, and scale from there with "
                "`service.autoScaleTaskCount({{ minCapacity: 2, maxCapacity: 10 }})`",
    references=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html",),
    production_aware=True,
    follows_values=True,
)
def single_task_service(f, ctx):
    """
    ## What it does
    Finds ECS services (`ecs.FargateService`, `ecs.Ec2Service` and the
    `ecs_patterns` load-balanced services) whose `desiredCount` is 1, or absent (the
    default is one task), with no `autoScaleTaskCount(...)` whose `minCapacity` is 2
    or more. In `isProd ? 2 : 1` only the production branch is judged; stacks known
    not to be production are skipped.

    ## Why is this bad?
    One task lives in one Availability Zone on one host: a crash, a deployment, a
    host retirement or an AZ outage leaves the service with nothing to answer, and
    the load balancer returns 503s until ECS starts a replacement.

    ## Example
    ```ts
    import * as ecs from 'aws-cdk-lib/aws-ecs';
    import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
    import { Stack } from 'aws-cdk-lib';

    export class StorefrontStack extends Stack {
      build(cluster: ecs.ICluster) {
        new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Web', {
          cluster,
          desiredCount: 1, // <-- ARC-SPOF-008
          taskImageOptions: { image: ecs.ContainerImage.fromRegistry('nginx') },
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ecs from 'aws-cdk-lib/aws-ecs';
    import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
    import { Stack } from 'aws-cdk-lib';

    export class StorefrontStack extends Stack {
      build(cluster: ecs.ICluster) {
        const web = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Web', {
          cluster,
          desiredCount: 2,
          taskImageOptions: { image: ecs.ContainerImage.fromRegistry('nginx') },
        });
        web.service.autoScaleTaskCount({ minCapacity: 2, maxCapacity: 10 }).scaleOnCpuUtilization('Cpu', {
          targetUtilizationPercent: 60,
        });
      }
    }
    ```
    """
    for c in f.constructs:
        if c.fqn not in _ECS_SERVICES or ctx.is_production(c) is False:
            continue
        desired = c.prop("desiredCount")
        if desired is None:
            if isinstance(c.props, v.Obj) and c.props.open:
                continue
            count, detail, node = 1, "desiredCount not set: one task", c.node
        else:
            count = v.literal(ctx.production_branch(desired))
            detail, node = f"desiredCount: {count}", c.prop_node("desiredCount")
        if count != 1 or _scaled_above_one(c):
            continue
        yield Hit(node, {"name": label(c), "detail": detail})


def _scaled_above_one(service) -> bool:
    """Whether an `autoScaleTaskCount` call keeps two tasks or more (True when it cannot be told)."""
    for call in service.method_calls("autoScaleTaskCount"):
        options = call.args[0] if call.args else None
        minimum = options.get("minCapacity") if isinstance(options, v.Obj) else None
        if options is None or not isinstance(options, v.Obj) or options.open:
            return True
        if minimum is None:
            continue                      # the default minimum is 1
        low = v.literal(minimum)
        if not isinstance(low, int) or low >= 2:
            return True
    return False
