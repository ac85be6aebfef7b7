"""security / missing-kms-encryption."""
from __future__ import annotations

from rules.model import values as v
from rules.model.cdk import enum_member
from rules.model.usage import is_log_destination
from rules.registry import Hit, rule


@rule(
    id="SEC-KMS-001",
    name="s3-bucket-without-kms",
    subcategory="missing-kms-encryption",
    severity="warning",
    message="S3 bucket {name} {state}",
    remediation="Encrypt with a customer-managed key: `encryption: s3.BucketEncryption.KMS, encryptionKey: key` "
                "(or at least `s3.BucketEncryption.KMS_MANAGED`)",
    references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",),
)
def s3_bucket_without_kms(f, ctx):
    """
    ## What it does
    Finds `s3.Bucket`s with no `encryption` and no `encryptionKey` (they get the
    default SSE-S3 with an AWS-owned key) or with `BucketEncryption.UNENCRYPTED`.
    Buckets that receive access logs are skipped: S3 server access logging and ALB
    logs do not support SSE-KMS.

    ## Why is this bad?
    With SSE-S3 anyone with `s3:GetObject` reads the data; there is no key policy to
    separate duty, no CloudTrail record of decryption, and no way to revoke access
    by disabling a key. Regulated data needs a customer-managed KMS key.

    ## Example
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class StorageStack extends Stack {
      build() {
        new s3.Bucket(this, 'Artifacts', { versioned: true }); // <-- SEC-KMS-001
      }
    }
    ```

    ## Use instead
    ```ts
    import * as kms from 'aws-cdk-lib/aws-kms';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class StorageStack extends Stack {
      build() {
        const key = new kms.Key(this, 'ArtifactsKey', { enableKeyRotation: true });
        new s3.Bucket(this, 'Artifacts', {
          versioned: true,
          encryption: s3.BucketEncryption.KMS,
          encryptionKey: key,
        });
      }
    }
    ```
    """
    for bucket in f.constructs:
        if bucket.fqn != "aws_s3.Bucket":
            continue
        encryption = bucket.prop("encryption")
        key = bucket.prop("encryptionKey")
        if key is not None:
            continue
        if encryption is None:
            state = "has no encryption setting (default SSE-S3, no KMS key)"
        else:
            members = {enum_member(b, "aws_s3.BucketEncryption")
                       for b in v.branches(ctx.production_branch(encryption))}
            if "UNENCRYPTED" not in members:
                continue
            state = "is unencrypted"
        if is_log_destination(bucket, ctx.project):
            continue
        ident = v.literal(bucket.id)
        yield Hit(bucket.node if encryption is None else bucket.prop_node("encryption"),
                  {"name": f"'{ident}'" if isinstance(ident, str) else "", "state": state})


@rule(
    id="SEC-KMS-002",
    name="rds-storage-unencrypted",
    subcategory="missing-kms-encryption",
    severity="error",
    message="{name} storage is not encrypted{why}",
    remediation="Set `storageEncrypted: true` and `storageEncryptionKey: key` (a customer-managed KMS key)",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",),
)
def rds_storage_unencrypted(f, ctx):
    """
    ## What it does
    Finds `rds.DatabaseInstance`s (and read replicas) whose storage is not encrypted:
    `storageEncrypted` absent or false and no `storageEncryptionKey`. In aws-cdk-lib
    an instance is unencrypted by default.

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
        if db.fqn not in ("aws_rds.DatabaseInstance", "aws_rds.DatabaseInstanceFromSnapshot",
                          "aws_rds.DatabaseInstanceReadReplica"):
            continue
        if db.prop("storageEncryptionKey") is not None:
            continue
        encrypted = db.prop("storageEncrypted")
        if encrypted is None:
            yield Hit(db.node, {"name": db.name, "why": " (storageEncrypted defaults to false)"})
        elif any(v.literal(b) is False for b in v.branches(ctx.production_branch(encrypted))):
            yield Hit(db.prop_node("storageEncrypted"), {"name": db.name, "why": ""})
