"""architecture / poor-subnet-design."""
from __future__ import annotations

from rules.model import values as v
from rules.model.defaults import default_of
from rules.model.edits import replace_on_line
from rules.model.compute import is_bastion
from rules.model.labels import label
from rules.model.network import (SUBNET_TYPE_RENAMES, VPC_FQN, egress_groups, nat_gateways,
                                 selects_public_subnets, subnet_groups, subnet_type,
                                 uses_regional_nat)
from rules.parsing import text
from rules.registry import Hit, rule
from rules.taxonomy import Severity


@rule(
    id="ARC-NET-001",
    name="private-subnets-without-nat",
    subcategory="poor-subnet-design",
    severity="error",
    message="{vpc} sets natGateways: 0 but has {types} subnets ({groups}): they have no route to the internet",
    remediation="Give them egress (`natGateways` at least 1, ideally one per AZ), or make them `ec2.SubnetType.PRIVATE_ISOLATED` and add VPC endpoints for the AWS services they call",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.SubnetType.html",
                "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html"),
    follows_values=True,
)
def private_subnets_without_nat(f, ctx):
    """
    ## What it does
    Finds `ec2.Vpc`s with `natGateways: 0` whose `subnetConfiguration` still has
    PRIVATE_WITH_EGRESS (or the older PRIVATE / PRIVATE_WITH_NAT) subnets. Without
    `subnetConfiguration`, `natGateways: 0` gives PUBLIC and PRIVATE_ISOLATED
    subnets, which is consistent and not reported. In `isProd ? 3 : 0` the
    production branch is judged.

    ## Why is this bad?
    PRIVATE_WITH_EGRESS promises instances an outbound path, but with no NAT gateway
    nothing routes their traffic out: package installs, image pulls, calls to AWS
    APIs without VPC endpoints and third-party APIs time out. (With PRIVATE /
    PRIVATE_WITH_NAT, synth fails outright.)

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class RunnerNetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'RunnerVpc', {
          maxAzs: 2,
          natGateways: 0, // <-- ARC-NET-001
          subnetConfiguration: [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'runners', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
          ],
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
          maxAzs: 2,
          natGateways: 2,
          subnetConfiguration: [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'runners', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
          ],
        });
        new ec2.Vpc(this, 'DataVpc', { natGateways: 0 });
      }
    }
    ```

    ## Known problems
    Egress through a transit gateway or a VPN added outside the `Vpc` props (custom
    routes) is not seen; a VPC with `vpnGateway` or `vpnConnections` is not reported.
    Workloads placed in PRIVATE_ISOLATED subnets that need the internet are not
    detected: what a workload calls cannot be read from the infrastructure code.
    """
    for vpc in f.constructs:
        if vpc.fqn != VPC_FQN or nat_gateways(vpc, ctx) != 0:
            continue
        if uses_regional_nat(vpc) is not False or _has_vpn_egress(vpc):
            continue
        groups = subnet_groups(vpc, ctx)
        egress = egress_groups(groups) if groups else []
        if egress:
            yield Hit(vpc.prop_node("natGateways"), {
                "vpc": label(vpc),
                "types": "/".join(sorted({g.subnet_type for g in egress})),
                "groups": ", ".join(_group_name(g) for g in egress),
            })


def _has_vpn_egress(vpc) -> bool:
    gateway = vpc.prop("vpnGateway")
    return (gateway is not None and v.literal(gateway) is not False) or vpc.prop("vpnConnections") is not None


def _group_name(group) -> str:
    name = v.literal(group.obj.get("name")) if group.obj is not None else None
    return f"'{name}'" if isinstance(name, str) else "unnamed"


@rule(
    id="ARC-NET-002",
    name="deprecated-subnet-type",
    subcategory="poor-subnet-design",
    severity="warning",
    message="SubnetType.{old} is {status}: use SubnetType.{new}",
    remediation="Replace SubnetType.{old} with SubnetType.{new}",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.SubnetType.html",),
    follows_values=True,
)
def deprecated_subnet_type(f, ctx):
    """
    ## What it does
    Finds the old subnet type names: `SubnetType.PRIVATE_WITH_NAT` (deprecated),
    and `SubnetType.PRIVATE` and `SubnetType.ISOLATED` (CDK v1 names removed in v2),
    and names their replacements, PRIVATE_WITH_EGRESS and PRIVATE_ISOLATED.

    ## Why is this bad?
    The removed names do not compile against aws-cdk-lib v2 and the deprecated one
    goes away in the next major version. The old names also blur what the subnet
    does: PRIVATE_WITH_EGRESS says outbound traffic leaves through NAT (or another
    egress), PRIVATE_ISOLATED says there is no route out at all.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class NetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'Vpc', {
          subnetConfiguration: [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
            { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_NAT }, // <-- ARC-NET-002
            { name: 'data', subnetType: ec2.SubnetType.ISOLATED }, // <-- ARC-NET-002
          ],
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class NetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'Vpc', {
          subnetConfiguration: [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
            { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
          ],
        });
      }
    }
    ```
    """
    if not f.library_names or not any(_spells_member(f.source, old) for old in _OLD_SUBNET_TYPE_BYTES):
        return                # speed only: a file that never spells an old name cannot use one
    for node in f.nodes("member_expression"):
        member = node.child_by_field_name("property")
        if member is None or text(member) not in SUBNET_TYPE_RENAMES:
            continue          # cheap filter before evaluating the chain
        value = f.eval(node)
        old = subnet_type(value)
        if old not in SUBNET_TYPE_RENAMES:
            continue
        new = SUBNET_TYPE_RENAMES[old]
        status = "deprecated" if old == "PRIVATE_WITH_NAT" else "a CDK v1 name, removed in v2"
        # A v1 app cannot use the v2 name yet: no automatic fix there.
        suggestion = None if value.v1 else replace_on_line(member, f.lines, new)
        yield Hit(node, {"old": old, "new": new, "status": status}, suggestion=suggestion)


_OLD_SUBNET_TYPE_BYTES = tuple(f".{old}".encode() for old in SUBNET_TYPE_RENAMES)
_NAME_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$")


def _spells_member(source: bytes, member: bytes) -> bool:
    """Whether `.MEMBER` occurs as a whole name (`.PRIVATE` but not `.PRIVATE_ISOLATED`)."""
    at = source.find(member)
    while at != -1:
        end = at + len(member)
        if end == len(source) or source[end] not in _NAME_BYTES:
            return True
        at = source.find(member, end)
    return False


@rule(
    id="ARC-NET-003",
    name="database-in-public-subnet",
    subcategory="poor-subnet-design",
    severity="error",
    message="{db} {placement}",
    remediation="Place databases and caches in `ec2.SubnetType.PRIVATE_ISOLATED` subnets and keep `publiclyAccessible: false`",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",),
    follows_values=True,
)
def database_in_public_subnet(f, ctx):
    """
    ## What it does
    Finds databases, caches and search domains (RDS, Aurora, DocumentDB, Neptune,
    Redshift, ElastiCache, OpenSearch) placed in PUBLIC subnets: `vpcSubnets: {
    subnetType: PUBLIC }`, a DB/cache subnet group built from public subnets
    (`vpc.publicSubnets`, `vpc.selectSubnets({ subnetType: PUBLIC })`), or made
    reachable from the internet with `publiclyAccessible: true`. In a ternary the
    production branch is judged.

    ## Why is this bad?
    Public subnets route to an internet gateway. An RDS instance there gets a
    public endpoint by default (`publiclyAccessible` defaults to true in PUBLIC
    subnets), so one permissive security-group rule exposes the data to the whole
    internet. Data stores belong in isolated subnets, reachable only from the
    application tier.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class ResultsDbStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'ResultsDb', {
          engine: rds.DatabaseInstanceEngine.POSTGRES,
          vpc,
          vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, // <-- ARC-NET-003
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class ResultsDbStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'ResultsDb', {
          engine: rds.DatabaseInstanceEngine.POSTGRES,
          vpc,
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        });
      }
    }
    ```
    """
    for c in f.constructs:
        if c.fqn is None or c.fqn.split(".", 1)[0] not in _DATA_STORE_MODULES:
            continue
        for prop in _PLACEMENT_PROPS:
            placement = c.prop(prop)
            if placement is not None and selects_public_subnets(ctx.production_branch(placement)):
                yield Hit(c.prop_node(prop), {"db": label(c), "placement": _public_placement(c, ctx)})
        if v.literal(ctx.production_branch(c.prop("publiclyAccessible"))) is True:
            yield Hit(c.prop_node("publiclyAccessible"),
                      {"db": label(c), "placement": "is reachable from the internet (publiclyAccessible: true)"})


# Modules whose constructs hold data behind a network endpoint (clusters, instances, subnet groups).
_DATA_STORE_MODULES = frozenset({
    "aws_rds", "aws_docdb", "aws_neptune", "aws_redshift", "aws_elasticache", "aws_memorydb",
    "aws_opensearchservice", "aws_elasticsearch",
})
# Where those constructs take their subnets: L2 selections and L1 subnet-id lists.
_PLACEMENT_PROPS = ("vpcSubnets", "subnetIds")


def _public_placement(c, ctx) -> str:
    """What PUBLIC placement means for this construct, from the knowledge table."""
    if c.prop("publiclyAccessible") is None:
        default = default_of(c, "publiclyAccessible", ctx)
        if default is not None and default.value is True:
            return "is placed in PUBLIC subnets and, with publiclyAccessible unset, gets a public endpoint"
    return "is placed in PUBLIC subnets (routed to an internet gateway)"


@rule(
    id="ARC-NET-004",
    name="subnet-cidr-mask-too-small",
    subcategory="poor-subnet-design",
    severity="warning",
    message="Subnet group {group} of {vpc} has cidrMask {mask}: {problem}",
    remediation="Use a cidrMask between 16 and 26 (e.g. 24: 251 usable addresses per AZ)",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html",),
    follows_values=True,
)
def subnet_cidr_mask_too_small(f, ctx):
    """
    ## What it does
    Checks the `cidrMask` of each `subnetConfiguration` entry of an `ec2.Vpc`:
    AWS subnets must be between /16 and /28, so a larger mask cannot be deployed
    (reported as an error), and /27 or /28 leave 27 or 11 usable addresses per AZ
    (AWS reserves 5 in every subnet), reported as a warning.

    ## Why is this bad?
    Every Lambda ENI, ECS task, load balancer node, interface endpoint and database
    failover takes an address. A /27 or /28 subnet runs out quickly, and then
    deployments and scaling fail with "insufficient free addresses". A subnet
    cannot be resized after creation: the VPC has to be rebuilt.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class NetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'Vpc', {
          subnetConfiguration: [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 27 }, // <-- ARC-NET-004
            { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 30 }, // <-- ARC-NET-004
          ],
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class NetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'Vpc', {
          subnetConfiguration: [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
            { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
          ],
        });
      }
    }
    ```
    """
    for vpc in f.constructs:
        if vpc.fqn != VPC_FQN:
            continue
        for group in subnet_groups(vpc, ctx) or ():
            mask = group.cidr_mask
            if mask is None or _SMALL_MASK > mask >= _AWS_MASKS[0]:
                continue
            pair = group.obj.key_nodes.get("cidrMask") if group.obj.file is f else None
            args = {"group": _group_name(group), "vpc": label(vpc), "mask": mask}
            if not _AWS_MASKS[0] <= mask <= _AWS_MASKS[1]:
                yield Hit(pair or vpc.node, {**args, "problem": "AWS subnets must be /16 to /28, so deployment fails"},
                          severity=Severity.ERROR)
            else:
                usable = 2 ** (32 - mask) - _AWS_RESERVED_ADDRESSES
                yield Hit(pair or vpc.node, {**args, "problem": f"only {usable} usable addresses per AZ"})


# External (Amazon VPC User Guide, "Subnet CIDR blocks"): IPv4 subnets are /16 to /28 and
# AWS reserves the first four and the last address of each.
_AWS_MASKS = (16, 28)
_AWS_RESERVED_ADDRESSES = 5
_SMALL_MASK = 27


_SERVERS = frozenset({"aws_autoscaling.AutoScalingGroup", "aws_ec2.Instance"})


@rule(
    id="ARC-NET-005",
    name="servers-in-public-subnets",
    subcategory="poor-subnet-design",
    severity="warning",
    message="{name} is placed in PUBLIC subnets: its servers get a route to the internet gateway "
            "and, with a public IP, can be reached from the internet",
    remediation="Place them in private subnets (`vpcSubnets: {{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }}`) "
                "behind a load balancer, and reach them with SSM Session Manager instead of SSH",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-best-practices.html",),
    production_aware=True,
    follows_values=True,
)
def servers_in_public_subnets(f, ctx):
    """
    ## What it does
    Finds Auto Scaling groups and EC2 instances whose `vpcSubnets` select PUBLIC
    subnets. Bastion hosts (an instance whose id or variable says bastion or jump
    host) are meant to be there and are skipped, and so are stacks known not to be
    production.

    ## Why is this bad?
    A server in a public subnet is one security-group mistake away from the
    internet, and instances there get public IPs by default. Application servers and
    workers belong in private subnets, with a load balancer in the public ones
    taking the traffic.

    ## Example
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class WorkersStack extends Stack {
      build(vpc: ec2.IVpc) {
        new autoscaling.AutoScalingGroup(this, 'Workers', {
          vpc,
          vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, // <-- ARC-NET-005
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

    export class WorkersStack extends Stack {
      build(vpc: ec2.IVpc) {
        new autoscaling.AutoScalingGroup(this, 'Workers', {
          vpc,
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          instanceType: new ec2.InstanceType('m7g.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        });
      }
    }
    ```
    """
    for c in f.constructs:
        if c.fqn not in _SERVERS or ctx.is_production(c) is False or is_bastion(c):
            continue
        placement = c.prop("vpcSubnets")
        if placement is not None and selects_public_subnets(ctx.production_branch(placement)):
            yield Hit(c.prop_node("vpcSubnets"), {"name": label(c)})
