"""operational-excellence / cost-optimization."""
from __future__ import annotations

from rules.model import values as v
from rules.model.autoscaling import ASG_FQN, capacity, has_scaling_policy
from rules.model.cdk import enum_member
from rules.model.defaults import default_of
from rules.model.labels import label
from rules.model.network import az_count, egress_groups, nat_gateways, subnet_groups, uses_regional_nat
from rules.model.storage import ages_objects, is_website_bucket
from rules.registry import Hit, rule
from rules.taxonomy import Severity

# Where each kind sets its storage type (a Cond is not an enum member, so per-stage choices pass).
_IOPS_STORAGE = {
    "aws_rds.DatabaseInstance": ("storageType", "aws_rds.StorageType"),
    "aws_rds.DatabaseInstanceFromSnapshot": ("storageType", "aws_rds.StorageType"),
    "aws_rds.DatabaseInstanceReadReplica": ("storageType", "aws_rds.StorageType"),
    "aws_ec2.Volume": ("volumeType", "aws_ec2.EbsDeviceVolumeType"),
}


@rule(
    id="OPS-COST-001",
    name="asg-without-scaling-policy",
    subcategory="cost-optimization",
    severity="warning",
    message="{name} ({low}..{high} instances) has no scaling policy",
    remediation="Add a policy, e.g. `{target}.scaleOnCpuUtilization('CpuScaling', {{ targetUtilizationPercent: 60 }})`",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_autoscaling.AutoScalingGroup.html",),
    follows_values=True,
)
def asg_without_scaling_policy(f, ctx):
    """
    ## What it does
    Finds `autoscaling.AutoScalingGroup`s whose capacity may vary (max above min) but
    that get no scaling policy: no `scaleOnCpuUtilization`, `scaleOnRequestCount`,
    `scaleOnIncomingBytes`, `scaleOnOutgoingBytes`, `scaleOnMetric`, `scaleOnSchedule`,
    `scaleToTrackMetric` call and no scaling-policy construct aimed at it in the stack.

    ## Why is this bad?
    Without a policy the group stays at its desired (or minimum) capacity forever: it
    pays for idle instances at night and falls over at peak. The range given to it
    is never used.

    ## Example
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class WebStack extends Stack {
      build(vpc: ec2.IVpc) {
        new autoscaling.AutoScalingGroup(this, 'Web', { // <-- OPS-COST-001
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
          minCapacity: 2,
          maxCapacity: 10,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class WebStack extends Stack {
      build(vpc: ec2.IVpc) {
        const asg = new autoscaling.AutoScalingGroup(this, 'Web', {
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
          minCapacity: 2,
          maxCapacity: 10,
        });
        asg.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
      }
    }
    ```

    ## Known problems
    A group handed to code the analyser cannot follow (another module's function)
    may get its policy there; such groups are not reported.
    """
    for asg in f.constructs:
        if asg.fqn != ASG_FQN:
            continue
        low, high = capacity(asg, ctx)
        if low is None or high is None or high <= low:
            continue          # unknown or fixed-size: nothing to scale
        if has_scaling_policy(asg, ctx.project) is not False:
            continue
        yield Hit(asg.node, {"name": label(asg), "low": low, "high": high,
                             "target": asg.binding.removeprefix("this.") if asg.binding else "asg"})


@rule(
    id="OPS-COST-002",
    name="dynamodb-fixed-provisioned-capacity",
    subcategory="cost-optimization",
    severity="warning",
    message="{name} has fixed provisioned capacity ({capacity}) with no auto scaling",
    remediation="Use `billingMode: dynamodb.BillingMode.PAY_PER_REQUEST`, or add `table.autoScaleReadCapacity("
                "{{ minCapacity, maxCapacity }}).scaleOnUtilization({{ targetUtilizationPercent: 70 }})` (and for writes)",
    references=("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html",),
    follows_values=True,
)
def dynamodb_fixed_capacity(f, ctx):
    """
    ## What it does
    Finds DynamoDB tables on provisioned capacity that never scale: a `Table` with
    `billingMode: PROVISIONED` (or read/write capacity set while the billing mode is
    left at its PROVISIONED default) and no `autoScaleReadCapacity` /
    `autoScaleWriteCapacity` call, and a `TableV2` whose provisioned read capacity is
    `Capacity.fixed(...)`. A `Table` is reported as a whole (what it lacks is an auto
    scaling call), a `TableV2` at its `billing` prop.

    ## Why is this bad?
    Fixed capacity is paid for around the clock at its peak size, and requests above
    it are throttled. Auto scaling or on-demand billing follows the real load.

    ## Example
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Stack } from 'aws-cdk-lib';

    export class JobsStack extends Stack {
      build() {
        new dynamodb.Table(this, 'Schedule', { // <-- OPS-COST-002
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PROVISIONED,
          readCapacity: 200,
          writeCapacity: 100,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Stack } from 'aws-cdk-lib';

    export class JobsStack extends Stack {
      build() {
        const table = new dynamodb.Table(this, 'Schedule', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PROVISIONED,
          readCapacity: 20,
          writeCapacity: 10,
        });
        table.autoScaleReadCapacity({ minCapacity: 20, maxCapacity: 400 })
          .scaleOnUtilization({ targetUtilizationPercent: 70 });
        table.autoScaleWriteCapacity({ minCapacity: 10, maxCapacity: 200 })
          .scaleOnUtilization({ targetUtilizationPercent: 70 });
      }
    }
    ```
    """
    for table in f.constructs:
        if table.fqn == "aws_dynamodb.Table":
            found = _fixed_table_capacity(table, ctx)
        elif table.fqn == "aws_dynamodb.TableV2":
            found = _fixed_table_v2_capacity(table)
        else:
            continue
        if found is not None:
            node, amount = found
            yield Hit(node, {"name": label(table), "capacity": amount})


def _fixed_table_capacity(table, ctx):
    """(node, capacity text) for a PROVISIONED Table that never auto scales."""
    if table.method_calls("autoScaleReadCapacity", "autoScaleWriteCapacity"):
        return None
    mode = table.prop("billingMode")
    read, write = table.prop("readCapacity"), table.prop("writeCapacity")
    if mode is None:
        default = default_of(table, "billingMode")
        if default is None or default.value != "PROVISIONED" or (read is None and write is None):
            return None                 # the 5/5 default of a table nobody sized
    elif enum_member(ctx.production_branch(mode), "aws_dynamodb.BillingMode") != "PROVISIONED":
        return None
    return table.node, f"{_units(table, 'readCapacity', read)} / {_units(table, 'writeCapacity', write)}"


def _units(table, key: str, value: v.Value | None) -> str:
    """'200 RCU'; the amount only names the capacity, fixed whatever it is."""
    unit = "RCU" if key == "readCapacity" else "WCU"
    if value is None:
        default = default_of(table, key)
        number = default.value if default is not None else None
    else:
        number = v.literal(value)
    return f"{number} {unit}" if isinstance(number, int) and not isinstance(number, bool) else f"{unit} set elsewhere"


def _fixed_table_v2_capacity(table):
    """(node, capacity text) for a TableV2 billed `Billing.provisioned` with fixed read capacity."""
    billing = table.prop("billing")
    if not (isinstance(billing, v.Call) and billing.fqn == "aws_dynamodb.Billing.provisioned" and billing.args):
        return None
    options = billing.args[0]
    read = options.get("readCapacity") if isinstance(options, v.Obj) else None
    if isinstance(read, v.Call) and read.fqn == "aws_dynamodb.Capacity.fixed" and read.args:
        units = v.literal(read.args[0])
        return table.prop_node("billing"), f"{units} RCU" if isinstance(units, int) else "fixed RCU"
    return None


@rule(
    id="OPS-COST-003",
    name="s3-bucket-without-lifecycle",
    subcategory="cost-optimization",
    severity="warning",
    message="{name} has no lifecycle rules or Intelligent-Tiering{why}",
    remediation="Add `lifecycleRules` that expire or transition old data "
                "(`noncurrentVersionExpiration` for a versioned bucket), or an Intelligent-Tiering transition",
    references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html",),
    production_aware=True,
    follows_values=True,
)
def s3_bucket_without_lifecycle(f, ctx):
    """
    ## What it does
    Finds S3 buckets with no `lifecycleRules`, no `addLifecycleRule(...)` call and no
    `intelligentTieringConfigurations`. A warning on versioned buckets (every
    overwritten or deleted object is kept as a noncurrent version forever), a notice
    otherwise. Website buckets and stacks known not to be production are skipped.

    ## Why is this bad?
    Without lifecycle rules every object stays in S3 Standard forever: logs,
    build artifacts and old versions pile up at the highest storage price.

    ## Example
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class ArchiveStack extends Stack {
      build() {
        new s3.Bucket(this, 'InvoiceArchive', { versioned: true }); // <-- OPS-COST-003
      }
    }
    ```

    ## Use instead
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Duration, Stack } from 'aws-cdk-lib';

    export class ArchiveStack extends Stack {
      build() {
        new s3.Bucket(this, 'InvoiceArchive', {
          versioned: true,
          lifecycleRules: [{
            transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) }],
            noncurrentVersionExpiration: Duration.days(90),
          }],
        });
      }
    }
    ```
    """
    for bucket in f.constructs:
        if bucket.fqn != "aws_s3.Bucket" or ctx.is_production(bucket) is False:
            continue
        if is_website_bucket(bucket) or ages_objects(bucket) is not False:
            continue
        versioned = bucket.prop("versioned")
        if versioned is None:
            default = default_of(bucket, "versioned")
            versioned_value = default.value if default is not None else None
        else:
            versioned_value = v.literal(ctx.production_branch(versioned))
        if versioned_value is True:
            yield Hit(bucket.node, {"name": label(bucket), "why": ": versioned, so every old version is kept forever"})
        else:
            yield Hit(bucket.node, {"name": label(bucket), "why": ""}, severity=Severity.NOTICE)


@rule(
    id="OPS-COST-004",
    name="nat-gateways-outside-production",
    subcategory="cost-optimization",
    severity="notice",
    message="{name} runs {count} NAT gateways in a non-production stack",
    remediation="Use `natGateways: 1` outside production (or `isProd ? 3 : 1`)",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-pricing.html",),
    production_aware=True,
    follows_values=True,
)
def nat_gateways_outside_production(f, ctx):
    """
    ## What it does
    Finds VPCs in stacks known not to be production (dev, test, sandbox...) that
    create more than one NAT gateway, including the default of one per Availability
    Zone. A count chosen per stage (`isProd ? 3 : 1`) is left alone.

    ## Why is this bad?
    Each NAT gateway is billed by the hour whether or not traffic flows. Outside
    production the availability of one per AZ is rarely worth paying for.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class DevNetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'Vpc', { maxAzs: 3 }); // <-- OPS-COST-004
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class DevNetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'Vpc', { maxAzs: 3, natGateways: 1 });
      }
    }
    ```
    """
    for vpc in f.constructs:
        if vpc.fqn != "aws_ec2.Vpc" or ctx.is_production(vpc) is not False:
            continue
        count = _nat_gateway_count(vpc, ctx)
        if count is not None and count > 1:
            yield Hit(vpc.prop_node("natGateways"), {"name": label(vpc), "count": count})


def _nat_gateway_count(vpc, ctx) -> int | None:
    """How many NAT gateways the VPC surely gets; None when unknown or chosen per stage."""
    written = vpc.prop("natGateways")
    if isinstance(written, v.Cond) or uses_regional_nat(vpc) is not False:
        return None
    groups = subnet_groups(vpc, ctx)
    azs = az_count(vpc, ctx)
    if groups is None or azs is None:
        return None
    if not egress_groups(groups):
        return 0
    if written is None:
        return azs.at_least             # one per AZ
    requested = nat_gateways(vpc, ctx)
    return min(requested, azs.at_least) if requested is not None else None


@rule(
    id="OPS-COST-005",
    name="provisioned-iops-outside-production",
    subcategory="cost-optimization",
    severity="notice",
    message="{name} uses provisioned-IOPS storage ({storage}) in a non-production stack",
    remediation="Use gp3 outside production: `{key}: {enum}.GP3`",
    references=("https://aws.amazon.com/rds/pricing/", "https://aws.amazon.com/ebs/pricing/"),
    production_aware=True,
    follows_values=True,
)
def provisioned_iops_outside_production(f, ctx):
    """
    ## What it does
    Finds RDS instances (`storageType: rds.StorageType.IO1/IO2`) and EBS volumes
    (`volumeType: ec2.EbsDeviceVolumeType.IO1/IO2`) with provisioned-IOPS storage in
    stacks known not to be production. A type chosen per stage
    (`isProd ? IO2 : GP3`) is left alone.

    ## Why is this bad?
    Provisioned IOPS are billed per IOPS-month on top of the storage, whether used
    or not; a dev or test database almost never needs more than gp3's baseline.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class DevDatabaseStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
          storageType: rds.StorageType.IO2, // <-- OPS-COST-005
          iops: 10000,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class DevDatabaseStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
          storageType: rds.StorageType.GP3,
        });
      }
    }
    ```
    """
    for c in f.constructs:
        kind = _IOPS_STORAGE.get(c.fqn or "")
        if kind is None or ctx.is_production(c) is not False:
            continue
        key, enum = kind
        member = enum_member(c.prop(key), enum)
        if member in ("IO1", "IO2"):
            module, _, name = enum.partition(".")
            yield Hit(c.prop_node(key), {"name": label(c), "storage": member.lower(), "key": key,
                                         "enum": f"{module.removeprefix('aws_')}.{name}"})
