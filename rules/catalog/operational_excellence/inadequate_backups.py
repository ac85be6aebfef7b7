"""operational-excellence / inadequate-backups."""
from __future__ import annotations

from rules.model import values as v
from rules.model.cdk import duration_seconds
from rules.model.defaults import default_of
from rules.model.labels import label
from rules.model.library import is_stateful
from rules.model.nested import pair_in
from rules.model.storage import is_data_bucket
from rules.registry import Hit, rule
from rules.taxonomy import Severity

_DESTROY = "RemovalPolicy.DESTROY"
# RDS kinds with automated backups, and where their retention is set.
_RDS_RETENTION = {
    "aws_rds.DatabaseInstance": ("backupRetention",),
    "aws_rds.DatabaseInstanceFromSnapshot": ("backupRetention",),
    "aws_rds.ServerlessCluster": ("backupRetention",),
    "aws_rds.DatabaseCluster": ("backup", "retention"),
    "aws_rds.DatabaseClusterFromSnapshot": ("backup", "retention"),
}
_RETENTION_FIX = {1: "`backupRetention: Duration.days(14)`", 2: "`backup: { retention: Duration.days(14) }`"}
_DELETION_PROTECTED = (*_RDS_RETENTION, "aws_dynamodb.Table", "aws_dynamodb.TableV2")
_BACKUP_PLANS = ("aws_backup.BackupPlan", "aws_backup.CfnBackupPlan")


@rule(
    id="OPS-BAK-001",
    name="destroy-removal-policy-on-data",
    subcategory="inadequate-backups",
    severity="error",
    message="{construct} holds data but is deleted with its stack ({how})",
    remediation="Keep the data: `removalPolicy: RemovalPolicy.RETAIN` (or `SNAPSHOT` for databases)"
                " and no `autoDeleteObjects`",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resources_removal",),
    production_aware=True,
    follows_values=True,
)
def destroy_removal_policy_on_data(f, ctx):
    """
    ## What it does
    Finds `RemovalPolicy.DESTROY` on constructs that hold data (S3 buckets, RDS
    instances and clusters, DynamoDB tables, EFS file systems, KMS keys, Kinesis
    streams...), set as the `removalPolicy` prop or through `applyRemovalPolicy`, and
    `autoDeleteObjects: true` on S3 buckets. In `isProd ? RETAIN : DESTROY` only the
    production branch is judged; stacks known not to be production are skipped.

    ## Why is this bad?
    A stack deletion, a rename of the construct id or a refactor that moves it
    replaces the resource and deletes the data with no way back. A KMS key deleted
    this way makes everything encrypted with it unreadable. `autoDeleteObjects`
    adds a custom resource that empties the bucket first.

    ## Example
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { RemovalPolicy, Stack } from 'aws-cdk-lib';

    export class OrdersStack extends Stack {
      build() {
        new dynamodb.Table(this, 'Orders', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          removalPolicy: RemovalPolicy.DESTROY, // <-- OPS-BAK-001
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { RemovalPolicy, Stack } from 'aws-cdk-lib';

    export class OrdersStack extends Stack {
      build(isProd: boolean) {
        new dynamodb.Table(this, 'Orders', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        });
      }
    }
    ```
    """
    for c in f.constructs:
        if c.fqn is None or not is_stateful(c.fqn):
            continue
        if ctx.is_production(c) is False:
            continue
        policy = c.prop("removalPolicy")
        if policy is not None and _destroys(ctx, policy):
            yield _destroy_hit(c, f.lines)
            continue
        for call in c.method_calls("applyRemovalPolicy"):
            if call.args and _destroys(ctx, call.args[0]):
                yield Hit(call.node, {"construct": label(c), "how": "RemovalPolicy.DESTROY"})
        auto_delete = ctx.production_branch(c.prop("autoDeleteObjects"))
        if any(v.literal(b) is True for b in v.branches(auto_delete)):
            yield Hit(c.prop_node("autoDeleteObjects"), {"construct": label(c), "how": "autoDeleteObjects: true"})


def _destroys(ctx, value) -> bool:
    return any(v.is_symbol(b, _DESTROY) for b in v.branches(ctx.production_branch(value)))


def _destroy_hit(c, lines: list[str]) -> Hit:
    """The `removalPolicy` pair, with a suggestion that keeps the data. A bucket that also
    sets `autoDeleteObjects` must lose it: with RETAIN the construct throws at synth
    ("Cannot use 'autoDeleteObjects' property on a bucket without setting removal
    policy to 'DESTROY'"), so RETAIN alone is suggested only without it."""
    pair = c.prop_node("removalPolicy")
    auto_delete = c.prop("autoDeleteObjects")
    if auto_delete is None or v.literal(auto_delete) is False:
        return Hit(pair, {"construct": label(c), "how": "RemovalPolicy.DESTROY"},
                   suggestion=_retain(pair, lines))
    how = {"construct": label(c), "how": "RemovalPolicy.DESTROY and autoDeleteObjects"}
    auto_pair = c.prop_node("autoDeleteObjects")
    first, last = sorted((pair, auto_pair), key=lambda n: n.start_byte)
    if _one_line_pair(pair) and _one_line_pair(auto_pair) and last.start_point[0] == first.start_point[0] + 1:
        retained = _retain(pair, lines)
        if retained is not None:
            return Hit(first, how, end_node=last, suggestion=retained)     # both lines -> the RETAIN line
    return Hit(pair, how)


def _one_line_pair(node) -> bool:
    return node.type == "pair" and node.start_point[0] == node.end_point[0]


def _retain(pair, lines: list[str]) -> str | None:
    """The pair's line with DESTROY replaced by RETAIN, when it is a one-line `key: value`."""
    if not _one_line_pair(pair):
        return None
    line = lines[pair.start_point[0]]
    return line.replace("DESTROY", "RETAIN", 1) if line.count("DESTROY") == 1 else None


@rule(
    id="OPS-BAK-002",
    name="rds-backup-retention",
    subcategory="inadequate-backups",
    severity="error",
    message="{name} {problem}",
    remediation="Keep automated backups long enough to notice a problem: {fix} (up to 35 days)",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html",),
    production_aware=True,
    follows_values=True,
)
def rds_backup_retention(f, ctx):
    """
    ## What it does
    Finds RDS instances and clusters whose automated backups are switched off
    (`backupRetention: Duration.days(0)`, an error), and production ones that leave
    the retention at its default of one day (a warning). Stacks known not to be
    production are skipped; when production is unknown only the explicit zero is
    reported.

    ## Why is this bad?
    With retention 0 there are no automated backups and no point-in-time restore:
    a bad migration or a deleted table is unrecoverable. One day is rarely enough to
    notice corruption before the last good backup has expired.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Duration, Stack } from 'aws-cdk-lib';

    export class DbStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
          backupRetention: Duration.days(0), // <-- OPS-BAK-002
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Duration, Stack } from 'aws-cdk-lib';

    export class DbStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
          backupRetention: Duration.days(14),
        });
      }
    }
    ```
    """
    for db in f.constructs:
        path = _RDS_RETENTION.get(db.fqn or "")
        if path is None or (production := ctx.is_production(db)) is False:
            continue
        written = _retention(db, path)
        if written is None:
            continue                    # a backup object that cannot be seen
        value, node = written
        args = {"name": label(db), "fix": _RETENTION_FIX[len(path)]}
        if value is None:
            default = default_of(db, path[0])
            if production and default is not None:
                yield Hit(db.node, {**args, "problem": f"keeps the default backup retention: {default.meaning}"},
                          severity=Severity.WARNING)
        elif any(duration_seconds(b) == 0 for b in v.branches(ctx.production_branch(value))):
            yield Hit(node, {**args, "problem": "has automated backups disabled (retention 0 days)"})


def _retention(db, path: tuple[str, ...]):
    """(retention value or None when absent, where to point); None when it cannot be seen."""
    outer = db.prop(path[0])
    if len(path) == 1 or outer is None:
        return outer, db.prop_node(path[0])
    if not isinstance(outer, v.Obj):
        return None
    return outer.get(path[1]), pair_in(db, outer, path[1])


@rule(
    id="OPS-BAK-003",
    name="deletion-protection-off",
    subcategory="inadequate-backups",
    severity="warning",
    message="Production {name} has deletion protection off{why}",
    remediation="Set `deletionProtection: true`",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html"),
    production_aware=True,
    follows_values=True,
)
def deletion_protection_off(f, ctx):
    """
    ## What it does
    Finds RDS instances and clusters and DynamoDB tables whose `deletionProtection`
    is explicitly `false` in a stack not known to be a development one, or left at its
    default (off for tables; off for RDS unless `removalPolicy` is RETAIN) in a stack
    known to be production: elsewhere deletion protection gets in the way of tearing
    down test environments.

    ## Why is this bad?
    Deletion protection is the guard against a console click, an SDK call or a
    CloudFormation replacement deleting the production database; the removal policy
    does not stop any of those.

    ## Example
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Stack } from 'aws-cdk-lib';

    export class ProdOrdersStack extends Stack {
      build() {
        new dynamodb.Table(this, 'Orders', { // <-- OPS-BAK-003
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Stack } from 'aws-cdk-lib';

    export class ProdOrdersStack extends Stack {
      build() {
        new dynamodb.Table(this, 'Orders', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: true,
        });
      }
    }
    ```
    """
    for c in f.constructs:
        production = ctx.is_production(c) if c.fqn in _DELETION_PROTECTED else False
        if production is False:
            continue
        value = c.prop("deletionProtection")
        if value is None:
            if production is not True:
                continue                  # the default: judged only where production is known
            default = default_of(c, "deletionProtection", ctx)
            if default is not None and default.value is False:
                why = " (deletionProtection not set" + (", removalPolicy not RETAIN)" if default.fact.cases else ")")
                yield Hit(c.node, {"name": label(c), "why": why})
        elif v.literal(ctx.production_branch(value)) is False:
            yield Hit(c.prop_node("deletionProtection"), {"name": label(c), "why": ""})


@rule(
    id="OPS-BAK-004",
    name="dynamodb-point-in-time-recovery-off",
    subcategory="inadequate-backups",
    severity="warning",
    message="{name} has point-in-time recovery off{why}",
    remediation="Set `pointInTimeRecoverySpecification: {{ pointInTimeRecoveryEnabled: true }}`",
    references=("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html",),
    production_aware=True,
    follows_values=True,
)
def dynamodb_pitr_off(f, ctx):
    """
    ## What it does
    Finds DynamoDB tables (`Table`, `TableV2`) without point-in-time recovery:
    neither `pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }`
    nor the deprecated `pointInTimeRecovery: true`. Stacks known not to be
    production are skipped; when production is unknown the table is judged.

    ## Why is this bad?
    Without PITR a bad deploy or a buggy batch job that overwrites items cannot be
    undone: DynamoDB keeps no history and on-demand backups only exist if someone
    took one before the damage.

    ## Example
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Stack } from 'aws-cdk-lib';

    export class OrdersStack extends Stack {
      build() {
        new dynamodb.Table(this, 'Orders', { // <-- OPS-BAK-004
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Stack } from 'aws-cdk-lib';

    export class OrdersStack extends Stack {
      build() {
        new dynamodb.Table(this, 'Orders', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        });
      }
    }
    ```
    """
    for table in f.constructs:
        if table.fqn not in ("aws_dynamodb.Table", "aws_dynamodb.TableV2") or ctx.is_production(table) is False:
            continue
        spec = table.prop("pointInTimeRecoverySpecification")
        legacy = table.prop("pointInTimeRecovery")
        if spec is None and legacy is None:
            default = default_of(table, "pointInTimeRecoverySpecification")
            if default is not None:
                yield Hit(table.node, {"name": label(table), "why": " (pointInTimeRecoverySpecification not set)"})
            continue
        # The spec's `pointInTimeRecoveryEnabled` is required; either switch turns PITR on.
        enabled = (spec.get("pointInTimeRecoveryEnabled") or v.Lit(False)) if isinstance(spec, v.Obj) else spec
        switches = [(s, node) for s, node in ((enabled, pair_in(table, spec, "pointInTimeRecoveryEnabled")),
                                                (legacy, table.prop_node("pointInTimeRecovery"))) if s is not None]
        states = [v.literal(ctx.production_branch(s), default="unknown") for s, _ in switches]
        if all(state is False for state in states):
            yield Hit(switches[0][1], {"name": label(table), "why": ""})


@rule(
    id="OPS-BAK-005",
    name="s3-versioning-off",
    subcategory="inadequate-backups",
    severity="warning",
    message="{name} is not versioned{why}",
    remediation="Set `versioned: true` (with a lifecycle rule expiring noncurrent versions)",
    references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",),
    production_aware=True,
    follows_values=True,
)
def s3_versioning_off(f, ctx):
    """
    ## What it does
    Finds S3 buckets that hold data without versioning: `versioned` absent or false
    and no object lock. Buckets that receive access logs, website buckets and
    buckets marked disposable (`RemovalPolicy.DESTROY`) are skipped, as are stacks
    known not to be production.

    ## Why is this bad?
    Without versioning an overwrite or a delete, by a bug, a script or an attacker,
    is final. Versioning is also required for replication to a backup account or
    Region.

    ## Example
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class ReportsStack extends Stack {
      build() {
        new s3.Bucket(this, 'Reports', { // <-- OPS-BAK-005
          enforceSSL: true,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class ReportsStack extends Stack {
      build() {
        new s3.Bucket(this, 'Reports', {
          enforceSSL: true,
          versioned: true,
        });
      }
    }
    ```
    """
    for bucket in f.constructs:
        if bucket.fqn != "aws_s3.Bucket" or ctx.is_production(bucket) is False:
            continue
        policy = bucket.prop("removalPolicy")
        if policy is not None and _destroys(ctx, policy):
            continue                    # declared disposable (OPS-BAK-001 judges that)
        versioned = bucket.prop("versioned")
        if versioned is None:
            default = default_of(bucket, "versioned")
            if default is None or default.value is not False:
                continue
            node, why = bucket.node, " (versioned not set)"
        elif v.literal(ctx.production_branch(versioned)) is False:
            node, why = bucket.prop_node("versioned"), ""
        else:
            continue
        if is_data_bucket(bucket, ctx.project):
            yield Hit(node, {"name": label(bucket), "why": why})


@rule(
    id="OPS-BAK-006",
    name="efs-without-backups",
    subcategory="inadequate-backups",
    severity="warning",
    message="{name} has no backups{why}",
    remediation="Set `enableAutomaticBackups: true` (or add it to an AWS Backup plan)",
    references=("https://docs.aws.amazon.com/efs/latest/ug/awsbackup.html",),
    production_aware=True,
    follows_values=True,
)
def efs_without_backups(f, ctx):
    """
    ## What it does
    Finds EFS file systems with `enableAutomaticBackups` absent or false in a
    project that defines no AWS Backup plan (`backup.BackupPlan`). Stacks known not
    to be production are skipped.

    RDS and DynamoDB are not judged here: their own automated backups and
    point-in-time recovery are the backup (see OPS-BAK-002 and OPS-BAK-004), and an
    AWS Backup plan on top is a policy choice, not a defect.

    ## Why is this bad?
    EFS keeps no snapshots of its own: without AWS Backup a deleted or overwritten
    file is gone.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as efs from 'aws-cdk-lib/aws-efs';
    import { Stack } from 'aws-cdk-lib';

    export class SharedFilesStack extends Stack {
      build(vpc: ec2.IVpc) {
        new efs.FileSystem(this, 'Shared', { vpc, encrypted: true }); // <-- OPS-BAK-006
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as efs from 'aws-cdk-lib/aws-efs';
    import { Stack } from 'aws-cdk-lib';

    export class SharedFilesStack extends Stack {
      build(vpc: ec2.IVpc) {
        new efs.FileSystem(this, 'Shared', { vpc, encrypted: true, enableAutomaticBackups: true });
      }
    }
    ```
    """
    plan = None
    for fs in f.constructs:
        if fs.fqn != "aws_efs.FileSystem" or ctx.is_production(fs) is False:
            continue
        enabled = fs.prop("enableAutomaticBackups")
        if enabled is None:
            default = default_of(fs, "enableAutomaticBackups")
            if default is None or default.value is not False:
                continue
            node, why = fs.node, " (enableAutomaticBackups not set)"
        elif v.literal(ctx.production_branch(enabled)) is False:
            node, why = fs.prop_node("enableAutomaticBackups"), ""
        else:
            continue
        if plan is None:
            plan = any(True for _ in ctx.project.constructs(*_BACKUP_PLANS))
        if not plan:
            yield Hit(node, {"name": label(fs), "why": why})
