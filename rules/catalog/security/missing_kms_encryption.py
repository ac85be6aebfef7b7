"""security / missing-kms-encryption."""
from __future__ import annotations

from collections.abc import Iterator

from rules.model import values as v
from rules.model.cdk import enum_member
from rules.model.defaults import default_of
from rules.model.encryption import fed_by_database, serves_content, struct_default
from rules.model.labels import label
from rules.model.storage import is_website_bucket
from rules.model.usage import is_log_destination
from rules.parsing import Node
from rules.registry import Hit, rule
from rules.taxonomy import Severity


def _judged(construct, prop: str, ctx) -> list[v.Value] | None:
    """The values a written prop may take in production (both branches of an undecided
    ternary); None when the prop is absent."""
    value = construct.prop(prop)
    return None if value is None else list(v.branches(ctx.production_branch(value)))


def _any_literal(values: list[v.Value], wanted) -> bool:
    return any(isinstance(b, v.Lit) and b.value is wanted for b in values)


def _meaning(construct, prop: str) -> str:
    default = default_of(construct, prop)
    return default.meaning if default is not None else "the service default applies"


def _omitted_is(construct, prop: str, value) -> bool:
    """The prop is absent and the knowledge table says it then takes `value` for this construct."""
    if construct.prop(prop) is not None:
        return False
    default = default_of(construct, prop)
    return default is not None and default.value == value


def _switched_off(construct, switch: str, ctx) -> tuple[Node, str] | None:
    """(where to point, why) when a boolean encryption switch is off: the construct when the
    switch is omitted and the knowledge table says it then defaults to false, the
    `switch: false` pair when a production branch writes false."""
    values = _judged(construct, switch, ctx)
    if values is None:
        return (construct.node, f" ({switch} defaults to false)") if _omitted_is(construct, switch, False) else None
    return (construct.prop_node(switch), "") if _any_literal(values, False) else None


# -- SEC-KMS-001 -----------------------------------------------------------------------
@rule(
    id="SEC-KMS-001",
    name="s3-bucket-without-kms",
    subcategory="missing-kms-encryption",
    severity="warning",
    message="S3 {name} {state}",
    remediation="Encrypt with a customer-managed key: `encryption: s3.BucketEncryption.KMS, encryptionKey: key` "
                "(or at least `s3.BucketEncryption.KMS_MANAGED`)",
    references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",),
    production_aware=True,
    follows_values=True,
)
def s3_bucket_without_kms(f, ctx):
    """
    ## What it does
    Finds `s3.Bucket`s with no `encryption` and no `encryptionKey` (they get the
    default SSE-S3 with an S3-managed key), with `BucketEncryption.UNENCRYPTED`, or with
    an explicit `S3_MANAGED` outside stacks known not to be production. In a dev or
    sandbox stack an explicit SSE-S3 is taken as a deliberate choice for scratch data,
    unless a database exports to the bucket.
    Buckets that receive access logs are skipped (S3 server access logs and ALB logs do
    not support SSE-KMS), and so are website, public and CloudFront-origin buckets, whose
    content is published anyway.

    ## Why is this bad?
    With SSE-S3 anyone with `s3:GetObject` reads the data; there is no key policy to
    separate duty, no CloudTrail record of decryption, and no way to revoke access
    by disabling a key. Regulated data needs a customer-managed KMS key.

    ## Example
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class ProdStorageStack extends Stack {
      build() {
        new s3.Bucket(this, 'Artifacts', { versioned: true }); // <-- SEC-KMS-001
        new s3.Bucket(this, 'Exports', {
          encryption: s3.BucketEncryption.S3_MANAGED, // <-- SEC-KMS-001
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as kms from 'aws-cdk-lib/aws-kms';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class ProdStorageStack extends Stack {
      build() {
        const key = new kms.Key(this, 'ArtifactsKey', { enableKeyRotation: true });
        new s3.Bucket(this, 'Artifacts', {
          versioned: true,
          encryption: s3.BucketEncryption.KMS,
          encryptionKey: key,
        });
        new s3.Bucket(this, 'AccessLogs', { encryption: s3.BucketEncryption.S3_MANAGED });
      }
    }
    ```
    """
    for bucket in f.constructs:
        if bucket.fqn != "aws_s3.Bucket" or bucket.prop("encryptionKey") is not None:
            continue
        encryption = _judged(bucket, "encryption", ctx)
        if encryption is None:
            node, state = bucket.node, f"has no encryption setting: {_meaning(bucket, 'encryption')}"
        else:
            members = {enum_member(b, "aws_s3.BucketEncryption") for b in encryption}
            if "UNENCRYPTED" in members:
                state = "is unencrypted"
            elif "S3_MANAGED" in members and (why := _kms_expected(bucket, ctx)):
                state = f"uses SSE-S3 {why}; a customer-managed KMS key is expected"
            else:
                continue
            node = bucket.prop_node("encryption")
        if is_log_destination(bucket, ctx.project) or serves_content(bucket, ctx.project):
            continue
        yield Hit(node, {"name": label(bucket), "state": state})


def _kms_expected(bucket, ctx) -> str | None:
    """Why an explicit SSE-S3 bucket should rather use KMS; None in a stack known not to be
    production. Data buckets are expected to use KMS like those left at the default: only
    log destinations and served content (skipped by the caller) keep SSE-S3."""
    if fed_by_database(bucket, ctx.project):
        return "for database exports"
    production = ctx.is_production(bucket)
    if production is False:
        return None
    return "in a production stack" if production else "(an S3-managed key) for its data"


# -- SEC-KMS-002 -----------------------------------------------------------------------
# construct -> (the encryption switch, the key prop whose presence means "encrypted")
_RDS_STORAGE = {
    "aws_rds.DatabaseInstance": ("storageEncrypted", "storageEncryptionKey"),
    "aws_rds.DatabaseCluster": ("storageEncrypted", "storageEncryptionKey"),
    "aws_rds.CfnDBInstance": ("storageEncrypted", "kmsKeyId"),
    "aws_rds.CfnDBCluster": ("storageEncrypted", "kmsKeyId"),
}
# L1 props that make the resource inherit its encryption (replica, snapshot, Aurora member).
_RDS_INHERITS = ("dbClusterIdentifier", "sourceDbInstanceIdentifier", "dbSnapshotIdentifier",
                 "sourceDbiResourceId", "sourceDbInstanceAutomatedBackupsArn", "snapshotIdentifier",
                 "sourceDbClusterIdentifier", "replicationSourceIdentifier")


@rule(
    id="SEC-KMS-002",
    name="rds-storage-unencrypted",
    subcategory="missing-kms-encryption",
    severity="error",
    message="{name} storage is not encrypted{why}",
    remediation="Set `storageEncrypted: true` and `storageEncryptionKey: key` (a customer-managed KMS key)",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",),
    follows_values=True,
)
def rds_storage_unencrypted(f, ctx):
    """
    ## What it does
    Finds RDS `DatabaseInstance`s and `DatabaseCluster`s (Aurora), and their L1
    `CfnDBInstance` / `CfnDBCluster`, whose storage is not encrypted: `storageEncrypted`
    absent or false and no key. In aws-cdk-lib 2.276.0 neither an instance nor a cluster
    is encrypted by default. Read replicas, snapshot restores and Aurora member instances
    inherit their encryption and are not reported.

    ## Why is this bad?
    Database volumes, snapshots and backups hold the most sensitive data of a system.
    Encryption cannot be switched on later without a snapshot-restore migration.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class DbStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Db', { // <-- SEC-KMS-002
          engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }),
          vpc,
        });
        new rds.DatabaseCluster(this, 'Aurora', {
          engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
          writer: rds.ClusterInstance.provisioned('writer'),
          vpc,
          storageEncrypted: false, // <-- SEC-KMS-002
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as kms from 'aws-cdk-lib/aws-kms';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class DbStack extends Stack {
      build(vpc: ec2.IVpc) {
        const key = new kms.Key(this, 'DbKey', { enableKeyRotation: true });
        new rds.DatabaseInstance(this, 'Db', {
          engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }),
          vpc,
          storageEncrypted: true,
          storageEncryptionKey: key,
        });
      }
    }
    ```
    """
    for db in f.constructs:
        props = _RDS_STORAGE.get(db.fqn or "")
        if props is None or any(db.prop(p) is not None for p in _RDS_INHERITS):
            continue
        switch, key = props
        if db.prop(key) is not None or v.literal(db.prop("engineMode")) == "serverless":
            continue
        if (off := _switched_off(db, switch, ctx)) is not None:
            yield Hit(off[0], {"name": label(db), "why": off[1]})


# -- SEC-KMS-003 -----------------------------------------------------------------------
@rule(
    id="SEC-KMS-003",
    name="dynamodb-table-without-cmk",
    subcategory="missing-kms-encryption",
    severity="notice",
    message="DynamoDB {name} {state}",
    remediation="Use a customer-managed key: `encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, "
                "encryptionKey: key` (TableV2: `TableEncryptionV2.customerManagedKey(key)`)",
    references=("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html",),
    production_aware=True,
    follows_values=True,
)
def dynamodb_table_without_cmk(f, ctx):
    """
    ## What it does
    Finds DynamoDB `Table`s and `TableV2`s encrypted only with the AWS-owned key: no
    `encryption` setting, `TableEncryption.DEFAULT` or `TableEncryptionV2.dynamoOwnedKey()`.
    A notice, raised to a warning in production stacks; tables of stacks named as
    development ones are skipped.

    ## Why is this bad?
    The AWS-owned key is shared by many accounts and invisible to you: no key policy,
    no CloudTrail record of its use, no way to cut off access to the data by disabling
    the key. Tables holding customer or financial data need a customer-managed key.

    ## Example
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Stack } from 'aws-cdk-lib';

    export class OrdersStack extends Stack {
      build() {
        new dynamodb.Table(this, 'Orders', { // <-- SEC-KMS-003
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as kms from 'aws-cdk-lib/aws-kms';
    import { Stack } from 'aws-cdk-lib';

    export class OrdersStack extends Stack {
      build() {
        const key = new kms.Key(this, 'OrdersKey', { enableKeyRotation: true });
        new dynamodb.Table(this, 'Orders', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
          encryptionKey: key,
        });
      }
    }
    ```
    """
    for table in f.constructs:
        if table.fqn not in ("aws_dynamodb.Table", "aws_dynamodb.TableV2"):
            continue
        production = ctx.is_production(table)
        if production is False or table.prop("encryptionKey") is not None:
            continue
        encryption = _judged(table, "encryption", ctx)
        if encryption is None:
            if not _omitted_is(table, "encryption", "DEFAULT"):
                continue
            node, state = table.node, f"has no encryption setting: {_meaning(table, 'encryption')}"
        elif any(_aws_owned(b) for b in encryption):
            node, state = table.prop_node("encryption"), "is encrypted with the AWS-owned key only"
        else:
            continue
        yield Hit(node, {"name": label(table), "state": state},
                  severity=Severity.WARNING if production else None)


def _aws_owned(value: v.Value) -> bool:
    return (enum_member(value, "aws_dynamodb.TableEncryption") == "DEFAULT"
            or v.call_fqn(value) == "aws_dynamodb.TableEncryptionV2.dynamoOwnedKey")


# -- SEC-KMS-004 -----------------------------------------------------------------------
@rule(
    id="SEC-KMS-004",
    name="sqs-queue-without-kms",
    subcategory="missing-kms-encryption",
    severity="warning",
    message="SQS {name} {state}",
    remediation="Encrypt with a customer-managed key: `encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key`",
    references=("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",),
    follows_values=True,
)
def sqs_queue_without_kms(f, ctx):
    """
    ## What it does
    Finds SQS queues with no encryption setting at all (`Queue` without `encryption` or
    `encryptionMasterKey`, `CfnQueue` without `kmsMasterKeyId` or `sqsManagedSseEnabled`),
    which fall back to SSE-SQS with SQS-owned keys, and queues explicitly unencrypted
    (`QueueEncryption.UNENCRYPTED`, `sqsManagedSseEnabled: false`). A queue that chooses
    `SQS_MANAGED` explicitly is a decision, not an omission, and is not reported.

    ## Why is this bad?
    Messages carry the payloads of the system (orders, jobs, events). With SQS-owned
    keys there is no key policy, so any principal allowed `sqs:ReceiveMessage` reads
    them, and their use is not audited in CloudTrail.

    ## Example
    ```ts
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Duration, Stack } from 'aws-cdk-lib';

    export class JobsStack extends Stack {
      build() {
        new sqs.Queue(this, 'Results', { // <-- SEC-KMS-004
          enforceSSL: true,
          visibilityTimeout: Duration.minutes(5),
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as kms from 'aws-cdk-lib/aws-kms';
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Duration, Stack } from 'aws-cdk-lib';

    export class JobsStack extends Stack {
      build() {
        const key = new kms.Key(this, 'JobsKey', { enableKeyRotation: true });
        new sqs.Queue(this, 'Results', {
          encryption: sqs.QueueEncryption.KMS,
          encryptionMasterKey: key,
          enforceSSL: true,
          visibilityTimeout: Duration.minutes(5),
        });
      }
    }
    ```
    """
    for queue in f.constructs:
        if queue.fqn == "aws_sqs.Queue":
            switch, key, unencrypted = "encryption", "encryptionMasterKey", _queue_unencrypted
        elif queue.fqn == "aws_sqs.CfnQueue":
            switch, key, unencrypted = "sqsManagedSseEnabled", "kmsMasterKeyId", _cfn_queue_unencrypted
        else:
            continue
        if queue.prop(key) is not None:
            continue
        setting = _judged(queue, switch, ctx)
        if setting is None:
            yield Hit(queue.node, {"name": label(queue),
                                   "state": f"has no encryption setting: {_meaning(queue, switch)}"})
        elif unencrypted(setting):
            yield Hit(queue.prop_node(switch), {"name": label(queue), "state": "is unencrypted"})


def _queue_unencrypted(values: list[v.Value]) -> bool:
    return any(enum_member(b, "aws_sqs.QueueEncryption") == "UNENCRYPTED" for b in values)


def _cfn_queue_unencrypted(values: list[v.Value]) -> bool:
    return _any_literal(values, False)


# -- SEC-KMS-005 -----------------------------------------------------------------------
@rule(
    id="SEC-KMS-005",
    name="sns-topic-unencrypted",
    subcategory="missing-kms-encryption",
    severity="warning",
    message="SNS {name} is not encrypted at rest: `{key}` is not set (SNS has no default encryption)",
    remediation="Pass a customer-managed key: `masterKey: key` (`kmsMasterKeyId: key.keyArn` on a `CfnTopic`)",
    references=("https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",),
    follows_values=True,
)
def sns_topic_unencrypted(f, ctx):
    """
    ## What it does
    Finds SNS `Topic`s without `masterKey` and `CfnTopic`s without `kmsMasterKeyId`:
    SNS has no default encryption at rest.

    ## Why is this bad?
    Messages wait in the topic until every subscriber has them; without a key they are
    stored unencrypted and any principal allowed to subscribe can read them.

    ## Example
    ```ts
    import * as sns from 'aws-cdk-lib/aws-sns';
    import { Stack } from 'aws-cdk-lib';

    export class AlertsStack extends Stack {
      build() {
        new sns.Topic(this, 'Alerts', { enforceSSL: true }); // <-- SEC-KMS-005
      }
    }
    ```

    ## Use instead
    ```ts
    import * as kms from 'aws-cdk-lib/aws-kms';
    import * as sns from 'aws-cdk-lib/aws-sns';
    import { Stack } from 'aws-cdk-lib';

    export class AlertsStack extends Stack {
      build() {
        const key = new kms.Key(this, 'AlertsKey', { enableKeyRotation: true });
        new sns.Topic(this, 'Alerts', { masterKey: key, enforceSSL: true });
      }
    }
    ```
    """
    for topic in f.constructs:
        key = {"aws_sns.Topic": "masterKey", "aws_sns.CfnTopic": "kmsMasterKeyId"}.get(topic.fqn or "")
        if key is not None and _omitted_is(topic, key, None):
            yield Hit(topic.node, {"name": label(topic), "key": key})


# -- SEC-KMS-006 -----------------------------------------------------------------------
_BLOCK_DEVICE_OWNERS = frozenset({"aws_autoscaling.AutoScalingGroup", "aws_ec2.Instance", "aws_ec2.LaunchTemplate",
                                  "aws_ec2.BastionHostLinux"})
_EBS_VOLUME_CALLS = {"aws_ec2.BlockDeviceVolume.ebs": "aws_ec2.EbsDeviceOptions",
                     "aws_autoscaling.BlockDeviceVolume.ebs": "aws_autoscaling.EbsDeviceOptions"}


@rule(
    id="SEC-KMS-006",
    name="ebs-volume-unencrypted",
    subcategory="missing-kms-encryption",
    severity="warning",
    message="EBS volume {name} is not encrypted{why}",
    remediation="Set `encrypted: true` (and `kmsKey: key` / `encryptionKey: key` for a customer-managed key)",
    references=("https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",),
    follows_values=True,
)
def ebs_volume_unencrypted(f, ctx):
    """
    ## What it does
    Finds EBS volumes left unencrypted: `ec2.Volume` without `encrypted: true`, and
    `BlockDeviceVolume.ebs(size, options)` block devices of Auto Scaling groups,
    instances, launch templates and bastion hosts whose options omit `encrypted` or set
    it to false (it defaults to false). Instances that keep the AMI's block devices are
    not reported.

    ## Why is this bad?
    Volumes and their snapshots hold application data, caches and credentials written
    to disk; an unencrypted snapshot shared by mistake exposes all of it. Account-wide
    EBS encryption by default is not something the stack can rely on.

    ## Example
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class WebStack extends Stack {
      build(vpc: ec2.IVpc) {
        new autoscaling.AutoScalingGroup(this, 'Web', {
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
          blockDevices: [{
            deviceName: '/dev/xvda',
            volume: autoscaling.BlockDeviceVolume.ebs(30), // <-- SEC-KMS-006
          }],
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
        new autoscaling.AutoScalingGroup(this, 'Web', {
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
          blockDevices: [{
            deviceName: '/dev/xvda',
            volume: autoscaling.BlockDeviceVolume.ebs(30, { encrypted: true }),
          }],
        });
      }
    }
    ```
    """
    for c in f.constructs:
        if c.fqn == "aws_ec2.Volume" and (off := _switched_off(c, "encrypted", ctx)) is not None:
            yield Hit(off[0], {"name": label(c), "why": off[1]})
        elif c.fqn in _BLOCK_DEVICE_OWNERS:
            yield from _unencrypted_block_devices(c, f)


def _unencrypted_block_devices(owner, f) -> Iterator[Hit]:
    devices = owner.prop("blockDevices")
    for device in (devices.items if isinstance(devices, v.Arr) else ()):
        volume = device.get("volume") if isinstance(device, v.Obj) else None
        options_struct = _EBS_VOLUME_CALLS.get(v.call_fqn(volume) or "")
        if options_struct is None:
            continue
        options = volume.args[1] if len(volume.args) > 1 else None
        name = v.literal(device.get("deviceName"))
        which = f"{name} of {label(owner)}" if isinstance(name, str) else f"of {label(owner)}"
        here = volume.file is f and volume.node is not None
        if options is None or (isinstance(options, v.Obj) and not options.open and options.get("encrypted") is None):
            default = struct_default(options_struct, "encrypted")
            if default == "false":
                yield Hit(volume.node if here else owner.prop_node("blockDevices"),
                          {"name": which, "why": " (encrypted defaults to false)"})
        elif isinstance(options, v.Obj) and v.literal(options.get("encrypted")) is False:
            pair = options.key_nodes.get("encrypted")
            yield Hit(pair if pair is not None and options.file is f else owner.prop_node("blockDevices"),
                      {"name": which, "why": ""})


# -- SEC-KMS-007 -----------------------------------------------------------------------
@rule(
    id="SEC-KMS-007",
    name="efs-unencrypted",
    subcategory="missing-kms-encryption",
    severity="error",
    message="EFS {name} is not encrypted at rest{why}",
    remediation="Remove `encrypted: false` (or set `encrypted: true`) and pass `kmsKey: key`",
    references=("https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html",),
    follows_values=True,
)
def efs_unencrypted(f, ctx):
    """
    ## What it does
    Finds EFS file systems without encryption at rest: `efs.FileSystem` with
    `encrypted: false` (in CDK v2 it is encrypted by default), and L1 `CfnFileSystem`s
    without `encrypted: true` (CloudFormation leaves them unencrypted).

    ## Why is this bad?
    Shared file systems collect uploads, exports and configuration for many instances.
    Encryption at rest can only be chosen when the file system is created: fixing it
    later means creating a new one and copying the data.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as efs from 'aws-cdk-lib/aws-efs';
    import { Stack } from 'aws-cdk-lib';

    export class ShareStack extends Stack {
      build(vpc: ec2.IVpc) {
        new efs.FileSystem(this, 'Share', {
          vpc,
          encrypted: false, // <-- SEC-KMS-007
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as efs from 'aws-cdk-lib/aws-efs';
    import * as kms from 'aws-cdk-lib/aws-kms';
    import { Stack } from 'aws-cdk-lib';

    export class ShareStack extends Stack {
      build(vpc: ec2.IVpc) {
        const key = new kms.Key(this, 'ShareKey', { enableKeyRotation: true });
        new efs.FileSystem(this, 'Share', { vpc, encrypted: true, kmsKey: key });
      }
    }
    ```
    """
    for fs in f.constructs:
        if fs.fqn not in ("aws_efs.FileSystem", "aws_efs.CfnFileSystem") or fs.prop("kmsKeyId") is not None:
            continue
        if (off := _switched_off(fs, "encrypted", ctx)) is not None:
            yield Hit(off[0], {"name": label(fs), "why": off[1]})


# -- SEC-KMS-008 -----------------------------------------------------------------------
@rule(
    id="SEC-KMS-008",
    name="kinesis-stream-unencrypted",
    subcategory="missing-kms-encryption",
    severity="warning",
    message="Kinesis {name} is {how}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html",),
    follows_values=True,
)
def kinesis_stream_unencrypted(f, ctx):
    """
    ## What it does
    Finds Kinesis `Stream`s with `encryption: StreamEncryption.UNENCRYPTED`, and L1
    `CfnStream`s without `streamEncryption` (CloudFormation then creates the stream with
    no server-side encryption). Without an `encryption` setting the L2 `Stream` encrypts
    with the AWS-managed key, which is not reported.

    ## Why is this bad?
    Stream records are kept for a day or more and read by every consumer; unencrypted
    they sit in plain text in the service's storage.

    ## Example
    ```ts
    import * as kinesis from 'aws-cdk-lib/aws-kinesis';
    import { Stack } from 'aws-cdk-lib';

    export class TelemetryStack extends Stack {
      build() {
        new kinesis.Stream(this, 'Telemetry', {
          encryption: kinesis.StreamEncryption.UNENCRYPTED, // <-- SEC-KMS-008
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as kinesis from 'aws-cdk-lib/aws-kinesis';
    import * as kms from 'aws-cdk-lib/aws-kms';
    import { Stack } from 'aws-cdk-lib';

    export class TelemetryStack extends Stack {
      build() {
        const key = new kms.Key(this, 'TelemetryKey', { enableKeyRotation: true });
        new kinesis.Stream(this, 'Telemetry', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
      }
    }
    ```
    """
    for stream in f.constructs:
        if stream.fqn == "aws_kinesis.CfnStream":
            if stream.prop("streamEncryption") is None and not (isinstance(stream.props, v.Obj) and stream.props.open):
                yield Hit(stream.node, {"name": label(stream), "how": "unencrypted (`streamEncryption` not set: "
                                        "CloudFormation creates it without server-side encryption)",
                                        "fix": "Set `streamEncryption: { encryptionType: 'KMS', keyId: key.keyArn }` "
                                               "(or use the L2 `kinesis.Stream`, encrypted by default)"})
            continue
        if stream.fqn != "aws_kinesis.Stream":
            continue
        encryption = _judged(stream, "encryption", ctx)
        if encryption and any(enum_member(b, "aws_kinesis.StreamEncryption") == "UNENCRYPTED" for b in encryption):
            yield Hit(stream.prop_node("encryption"), {
                "name": label(stream), "how": "explicitly unencrypted",
                "fix": "Use `encryption: kinesis.StreamEncryption.KMS, encryptionKey: key` (or drop the setting: "
                       "the default is the AWS-managed key)"})


# -- SEC-KMS-009 / SEC-KMS-010 ----------------------------------------------------------
def _without_key(f, ctx, fqn: str, key: str) -> Iterator[Hit]:
    """Constructs of `fqn` outside development stacks that leave `key` out."""
    for c in f.constructs:
        if c.fqn == fqn and ctx.is_production(c) is not False and c.prop(key) is None and default_of(c, key):
            yield Hit(c.node, {"name": label(c), "meaning": _meaning(c, key)})


@rule(
    id="SEC-KMS-009",
    name="log-group-without-kms",
    subcategory="missing-kms-encryption",
    severity="notice",
    message="CloudWatch {name} has no KMS key: {meaning}",
    remediation="Pass `encryptionKey: key` (the key policy must allow `logs.<region>.amazonaws.com`)",
    references=("https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",),
    production_aware=True,
    follows_values=True,
)
def log_group_without_kms(f, ctx):
    """
    ## What it does
    Finds `logs.LogGroup`s without `encryptionKey`. A notice; log groups of stacks named
    as development ones are skipped.

    ## Why is this bad?
    Application logs end up holding request bodies, identifiers and tokens. With the
    service-managed key anyone allowed `logs:GetLogEvents` reads them; a customer-managed
    key adds a key policy and an audit trail of every decryption.

    ## Example
    ```ts
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build() {
        new logs.LogGroup(this, 'HandlerLogs', { // <-- SEC-KMS-009
          retention: logs.RetentionDays.ONE_MONTH,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import * as kms from 'aws-cdk-lib/aws-kms';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build() {
        const key = new kms.Key(this, 'LogsKey', { enableKeyRotation: true });
        key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`));
        new logs.LogGroup(this, 'HandlerLogs', { retention: logs.RetentionDays.ONE_MONTH, encryptionKey: key });
      }
    }
    ```
    """
    yield from _without_key(f, ctx, "aws_logs.LogGroup", "encryptionKey")


@rule(
    id="SEC-KMS-010",
    name="secret-without-cmk",
    subcategory="missing-kms-encryption",
    severity="notice",
    message="Secrets Manager {name} has no KMS key: {meaning}",
    remediation="Pass `encryptionKey: key` (a customer-managed KMS key)",
    references=("https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",),
    production_aware=True,
    follows_values=True,
)
def secret_without_cmk(f, ctx):
    """
    ## What it does
    Finds `secretsmanager.Secret`s without `encryptionKey`. A notice; secrets of stacks
    named as development ones are skipped.

    ## Why is this bad?
    With the AWS-managed key `aws/secretsmanager`, every principal of the account that
    may call `secretsmanager:GetSecretValue` can decrypt the secret: there is no key
    policy to add a second line of defence, and the secret cannot be shared with
    another account.

    ## Example
    ```ts
    import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build() {
        new secretsmanager.Secret(this, 'ApiToken'); // <-- SEC-KMS-010
      }
    }
    ```

    ## Use instead
    ```ts
    import * as kms from 'aws-cdk-lib/aws-kms';
    import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build() {
        const key = new kms.Key(this, 'SecretsKey', { enableKeyRotation: true });
        new secretsmanager.Secret(this, 'ApiToken', { encryptionKey: key });
      }
    }
    ```
    """
    yield from _without_key(f, ctx, "aws_secretsmanager.Secret", "encryptionKey")


# -- SEC-KMS-011 -----------------------------------------------------------------------
@rule(
    id="SEC-KMS-011",
    name="bucket-allows-plain-http",
    subcategory="missing-kms-encryption",
    severity="warning",
    message="S3 {name} {state}: requests over plain HTTP are not denied",
    remediation="Set `enforceSSL: true`",
    references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",),
    follows_values=True,
)
def bucket_allows_plain_http(f, ctx):
    """
    ## What it does
    Finds `s3.Bucket`s holding data that do not set `enforceSSL: true` (the default is
    false, so no bucket policy denies `aws:SecureTransport = false`). Buckets that only
    receive access logs and static-website buckets (whose website endpoint speaks only
    HTTP) are skipped.

    ## Why is this bad?
    Encryption at rest does not protect data on the wire: without the deny statement a
    client misconfigured to use `http://` sends and receives objects in clear text.

    ## Example
    ```ts
    import * as kms from 'aws-cdk-lib/aws-kms';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class DataStack extends Stack {
      build(key: kms.IKey) {
        new s3.Bucket(this, 'Exports', { // <-- SEC-KMS-011
          encryption: s3.BucketEncryption.KMS,
          encryptionKey: key,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as kms from 'aws-cdk-lib/aws-kms';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class DataStack extends Stack {
      build(key: kms.IKey) {
        new s3.Bucket(this, 'Exports', {
          encryption: s3.BucketEncryption.KMS,
          encryptionKey: key,
          enforceSSL: true,
        });
      }
    }
    ```
    """
    for bucket in f.constructs:
        if bucket.fqn != "aws_s3.Bucket" or is_website_bucket(bucket):
            continue
        enforce = _judged(bucket, "enforceSSL", ctx)
        if enforce is None:
            if not _omitted_is(bucket, "enforceSSL", False):
                continue
            node, state = bucket.node, "does not set enforceSSL"
        elif _any_literal(enforce, False):
            node, state = bucket.prop_node("enforceSSL"), "sets enforceSSL: false"
        else:
            continue
        if is_log_destination(bucket, ctx.project):
            continue
        yield Hit(node, {"name": label(bucket), "state": state})


# -- SEC-KMS-012 -----------------------------------------------------------------------
@rule(
    id="SEC-KMS-012",
    name="data-store-unencrypted-at-rest",
    subcategory="missing-kms-encryption",
    severity="warning",
    message="{name} is not encrypted at rest{why}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/at-rest-encryption.html",
                "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html"),
    follows_values=True,
)
def data_store_unencrypted_at_rest(f, ctx):
    """
    ## What it does
    Finds caches and search domains stored unencrypted: ElastiCache
    `CfnReplicationGroup`s without `atRestEncryptionEnabled: true` and OpenSearch
    `Domain`s without `encryptionAtRest: { enabled: true }` (both default to off).

    ## Why is this bad?
    Session caches and search indexes hold copies of user data, tokens and documents;
    their snapshots and swap files are written to disk unencrypted. At-rest encryption
    can only be enabled when the cluster or domain is created.

    ## Example
    ```ts
    import * as elasticache from 'aws-cdk-lib/aws-elasticache';
    import { Stack } from 'aws-cdk-lib';

    export class CacheStack extends Stack {
      build(subnetGroupName: string) {
        new elasticache.CfnReplicationGroup(this, 'Sessions', { // <-- SEC-KMS-012
          replicationGroupDescription: 'sessions',
          engine: 'redis',
          cacheNodeType: 'cache.r6g.large',
          numCacheClusters: 2,
          cacheSubnetGroupName: subnetGroupName,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as elasticache from 'aws-cdk-lib/aws-elasticache';
    import * as kms from 'aws-cdk-lib/aws-kms';
    import { Stack } from 'aws-cdk-lib';

    export class CacheStack extends Stack {
      build(subnetGroupName: string) {
        const key = new kms.Key(this, 'CacheKey', { enableKeyRotation: true });
        new elasticache.CfnReplicationGroup(this, 'Sessions', {
          replicationGroupDescription: 'sessions',
          engine: 'redis',
          cacheNodeType: 'cache.r6g.large',
          numCacheClusters: 2,
          cacheSubnetGroupName: subnetGroupName,
          atRestEncryptionEnabled: true,
          kmsKeyId: key.keyId,
        });
      }
    }
    ```
    """
    for c in f.constructs:
        if c.fqn == "aws_elasticache.CfnReplicationGroup":
            if (off := _switched_off(c, "atRestEncryptionEnabled", ctx)) is not None:
                yield Hit(off[0], {"name": label(c), "why": off[1],
                                   "fix": "Set `atRestEncryptionEnabled: true` and `kmsKeyId: key.keyId`"})
        elif c.fqn == "aws_opensearchservice.Domain":
            fix = "Set `encryptionAtRest: { enabled: true, kmsKey: key }`"
            setting = c.prop("encryptionAtRest")
            if setting is None and _omitted_is(c, "encryptionAtRest", {"enabled": False}):
                yield Hit(c.node, {"name": label(c), "why": f" ({_meaning(c, 'encryptionAtRest')})", "fix": fix})
            elif _domain_options_unencrypted(setting):
                yield Hit(c.prop_node("encryptionAtRest"), {"name": label(c), "why": "", "fix": fix})


def _domain_options_unencrypted(options: v.Value | None) -> bool:
    """`{ enabled: false }`, or options with neither `enabled` nor `kmsKey` (a key turns it on)."""
    if not isinstance(options, v.Obj) or options.open:
        return False
    enabled = options.get("enabled")
    if enabled is None:
        return options.get("kmsKey") is None
    return v.literal(enabled) is False
