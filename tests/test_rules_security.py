"""Security rules: SEC-SG-001 (beyond tests/test_rule_security_groups.py), SEC-KMS-*, SEC-IAM-*.

Sources mark each expected finding with `// <- RULE-ID` on its line; every other line must stay
silent for the rules under test.
"""
import re
import textwrap

import pytest

from rules.engine import analyse
from rules.model.iam import fine_on_any_resource, is_any_resource, managed_policy_breadth
from tests.helpers import hits, project

_MARK = re.compile(r"//\s*<-\s*([A-Z]{3}-[A-Z0-9]+-\d{3}(?:[ ,]+[A-Z]{3}-[A-Z0-9]+-\d{3})*)")

HEADER = """\
import * as cdk from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
"""


def stack(body: str, name: str = "AppStack", params: str = "") -> str:
    """A stack class around `body` (statements of the constructor)."""
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 4)
    extra = f", {params}" if params else ""
    return (HEADER + f"\nexport class {name} extends cdk.Stack {{\n"
            f"  constructor(scope: Construct, id: string{extra}) {{\n    super(scope, id);\n"
            f"{body}\n  }}\n}}\n")


def marked(src: str, prefix: str) -> set[tuple[str, int]]:
    out = set()
    for number, line in enumerate(src.splitlines(), 1):
        m = _MARK.search(line)
        if m:
            out |= {(rid, number) for rid in re.split(r"[ ,]+", m.group(1)) if rid.startswith(prefix)}
    return out


def check(src: str, prefix: str) -> None:
    """Exactly the marked findings of the rules whose id starts with `prefix`."""
    ids = [r for r in _rule_ids() if r.startswith(prefix)]
    expected = marked(src, prefix)
    assert ids and expected
    assert hits(src, *ids) == expected


def _rule_ids() -> list[str]:
    from rules.registry import all_rules
    return [r.id for r in all_rules()]


def findings(src: str, prefix: str):
    return [f for f in analyse(project(**{"stack.ts": src})).findings if f.rule_id.startswith(prefix)]


# ---------------------------------------------------------------- overly-permissive SGs
def test_sg_named_port_members_bastion_and_l1_rules():
    src = stack("""
        const sg = new ec2.SecurityGroup(this, 'Sg', { vpc, allowAllOutbound: true });
        sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.SSH); // <- SEC-SG-001
        sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.HTTPS);
        sg.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.allTraffic()); // <- SEC-SG-001
        sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.POSTGRES);
        const bastion = new ec2.BastionHostLinux(this, 'Bastion', { vpc });
        bastion.allowSshAccessFrom(ec2.Peer.anyIpv4()); // <- SEC-SG-001
        bastion.allowSshAccessFrom(ec2.Peer.ipv4('203.0.113.10/32'));
        new ec2.CfnSecurityGroup(this, 'L1', {
          groupDescription: 'l1',
          vpcId: vpc.vpcId,
          securityGroupIngress: [
            { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' }, // <- SEC-SG-001
            { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/0' },
            { ipProtocol: 'icmp', fromPort: -1, toPort: -1, cidrIp: '0.0.0.0/0' },
            { ipProtocol: '-1', cidrIpv6: '::/0' }, // <- SEC-SG-001
            { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIp: '10.0.0.0/8' },
            { ipProtocol: 'tcp', fromPort: props.port, toPort: props.port, cidrIp: '0.0.0.0/0' },
          ],
        });
        new ec2.CfnSecurityGroupIngress(this, 'Rdp', { // <- SEC-SG-001
          groupId: sg.securityGroupId,
          ipProtocol: 'tcp',
          fromPort: 3389,
          toPort: 3389,
          cidrIp: '0.0.0.0/0',
        });
    """, params="vpc: ec2.IVpc, props: { port: number }")
    check(src, "SEC-SG")


def test_sg_web_ports_on_a_load_balancer_and_a_plain_group_are_accepted():
    src = stack("""
        const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: true });
        alb.connections.allowFromAnyIpv4(ec2.Port.tcp(443));
        alb.connections.allowFromAnyIpv4(ec2.Port.tcp(8443)); // <- SEC-SG-001
        const web = new ec2.SecurityGroup(this, 'Web', { vpc });
        web.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80));
        web.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(80, 443)); // <- SEC-SG-001
    """, params="vpc: ec2.IVpc")
    check(src, "SEC-SG")


def test_sg_l1_rule_message_and_fix():
    src = stack("""
        new ec2.CfnSecurityGroupIngress(this, 'Db', {
          groupId: 'sg-123', ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIp: '0.0.0.0/0' });
    """)
    [finding] = findings(src, "SEC-SG")
    assert finding.message == "PostgreSQL port 5432 is open to 0.0.0.0/0"
    assert "sourceSecurityGroupId" in finding.remediation


# ---------------------------------------------------------------- missing-kms-encryption
def test_s3_buckets():
    src = stack("""
        const key = new kms.Key(this, 'Key');
        new s3.Bucket(this, 'Raw'); // <- SEC-KMS-001, SEC-KMS-011
        new s3.Bucket(this, 'Open', { encryption: s3.BucketEncryption.UNENCRYPTED, enforceSSL: true }); // <- SEC-KMS-001
        new s3.Bucket(this, 'Kms', { encryptionKey: key, enforceSSL: true });
        new s3.Bucket(this, 'Managed', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true }); // <- SEC-KMS-001
        new s3.Bucket(this, 'Plain', { encryption: s3.BucketEncryption.KMS_MANAGED, enforceSSL: false }); // <- SEC-KMS-011
        const logs = new s3.Bucket(this, 'Target', { encryption: s3.BucketEncryption.S3_MANAGED });
        new s3.Bucket(this, 'Data', { encryptionKey: key, enforceSSL: true, serverAccessLogsBucket: logs });
        new s3.Bucket(this, 'Site', { encryptionKey: key, websiteIndexDocument: 'index.html' });
        new s3.Bucket(this, 'Spread', { ...props.bucketProps });
    """, params="props: { bucketProps: s3.BucketProps }")
    check(src, "SEC-KMS")


def test_s3_managed_is_reported_unless_the_stack_is_not_production():
    src = stack("""
        new s3.Bucket(this, 'Reports', {
          encryption: s3.BucketEncryption.S3_MANAGED, // <- SEC-KMS-001
          enforceSSL: true,
        });
        new s3.Bucket(this, 'AccessLogs', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
    """, name="BillingProdStack")
    check(src, "SEC-KMS")
    dev = stack("""
        const dumps = new s3.Bucket(this, 'Dumps', {
          encryption: s3.BucketEncryption.S3_MANAGED, // <- SEC-KMS-001
          enforceSSL: true,
        });
        new s3.Bucket(this, 'Scratch', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
        new rds.DatabaseInstance(this, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc, storageEncrypted: true, s3ExportBuckets: [dumps] });
    """, name="ReportingDevStack", params="vpc: ec2.IVpc")
    check(dev, "SEC-KMS")
    unknown = stack("""
        new s3.Bucket(this, 'Statements', {
          encryption: s3.BucketEncryption.S3_MANAGED, // <- SEC-KMS-001
          enforceSSL: true,
        });
    """, name="StatementArchiveStack")
    check(unknown, "SEC-KMS")
    [finding] = findings(unknown, "SEC-KMS-001")
    assert "S3-managed key" in finding.message


def test_s3_production_branch_is_judged():
    src = stack("""
        const isProd = props.stage === 'prod';
        new s3.Bucket(this, 'A', {
          encryption: isProd ? s3.BucketEncryption.KMS_MANAGED : s3.BucketEncryption.UNENCRYPTED, enforceSSL: true });
        new s3.Bucket(this, 'B', {
          encryption: isProd ? s3.BucketEncryption.UNENCRYPTED : s3.BucketEncryption.KMS_MANAGED, // <- SEC-KMS-001
          enforceSSL: true,
        });
    """, params="props: { stage: string }")
    check(src, "SEC-KMS")


def test_rds_instances_and_clusters():
    src = stack("""
        const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 });
        const cengine = rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 });
        const source = new rds.DatabaseInstance(this, 'Primary', { engine, vpc }); // <- SEC-KMS-002
        new rds.DatabaseInstanceReadReplica(this, 'Replica', {
          sourceDatabaseInstance: source, instanceType: new ec2.InstanceType('r6g.large'), vpc });
        new rds.DatabaseCluster(this, 'Aurora', { // <- SEC-KMS-002
          engine: cengine, writer: rds.ClusterInstance.provisioned('w'), vpc });
        new rds.DatabaseCluster(this, 'AuroraKey', {
          engine: cengine, writer: rds.ClusterInstance.provisioned('w'), vpc, storageEncryptionKey: new kms.Key(this, 'K') });
        new rds.DatabaseCluster(this, 'AuroraUnknown', {
          engine: cengine, writer: rds.ClusterInstance.provisioned('w'), vpc, storageEncrypted: props.encrypt });
        new rds.DatabaseInstance(this, 'ProdOnly', { engine, vpc, storageEncrypted: props.isProd ? true : false });
        new rds.DatabaseInstance(this, 'DevOnly', {
          engine,
          vpc,
          storageEncrypted: props.isProd ? false : true, // <- SEC-KMS-002
        });
        new rds.CfnDBCluster(this, 'L1Cluster', { engine: 'aurora-postgresql' }); // <- SEC-KMS-002
        new rds.CfnDBCluster(this, 'L1Serverless', { engine: 'aurora-mysql', engineMode: 'serverless' });
        new rds.CfnDBInstance(this, 'L1Member', { engine: 'aurora-postgresql', dbClusterIdentifier: 'c', dbInstanceClass: 'db.r6g.large' });
        new rds.CfnDBInstance(this, 'L1Off', {
          engine: 'mysql',
          dbInstanceClass: 'db.m6g.large',
          storageEncrypted: false, // <- SEC-KMS-002
        });
    """, params="vpc: ec2.IVpc, props: { encrypt: boolean; isProd: boolean }")
    check(src, "SEC-KMS-002")


def test_dynamodb_notice_warning_and_dev_stacks():
    body = """
        const key = new kms.Key(this, 'Key');
        new dynamodb.Table(this, 'Runs', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } }); // <- SEC-KMS-003
        new dynamodb.Table(this, 'Owned', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          encryption: dynamodb.TableEncryption.DEFAULT, // <- SEC-KMS-003
        });
        new dynamodb.Table(this, 'Managed', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, encryption: dynamodb.TableEncryption.AWS_MANAGED });
        new dynamodb.Table(this, 'Cmk', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, encryptionKey: key });
        new dynamodb.TableV2(this, 'V2', { // <- SEC-KMS-003
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
        new dynamodb.TableV2(this, 'V2Cmk', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          encryption: dynamodb.TableEncryptionV2.customerManagedKey(key) });
    """
    src = stack(body)
    check(src, "SEC-KMS-003")
    assert {f.severity.value for f in findings(src, "SEC-KMS-003")} == {"notice"}
    prod = stack(body, name="LedgerProdStack")
    assert {f.severity.value for f in findings(prod, "SEC-KMS-003")} == {"warning"}
    assert hits(stack(body, name="DevSandboxStack"), "SEC-KMS-003") == set()


def test_sqs_and_sns():
    src = stack("""
        const key = new kms.Key(this, 'Key');
        new sqs.Queue(this, 'Results', { enforceSSL: true }); // <- SEC-KMS-004
        new sqs.Queue(this, 'Plain', {
          encryption: sqs.QueueEncryption.UNENCRYPTED, // <- SEC-KMS-004
        });
        new sqs.Queue(this, 'SseSqs', { encryption: sqs.QueueEncryption.SQS_MANAGED });
        new sqs.Queue(this, 'Kms', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key });
        new sqs.Queue(this, 'Built', buildQueueProps(key));
        new sqs.CfnQueue(this, 'L1'); // <- SEC-KMS-004
        new sqs.CfnQueue(this, 'L1Key', { kmsMasterKeyId: key.keyArn });
        new sns.Topic(this, 'Alerts'); // <- SEC-KMS-005
        new sns.Topic(this, 'Secure', { masterKey: key });
        new sns.Topic(this, 'Maybe', props.topicProps);
        new sns.CfnTopic(this, 'L1Topic', { topicName: 't' }); // <- SEC-KMS-005
    """, params="props: { topicProps: any }")
    src = src.replace("export class", "declare function buildQueueProps(k: kms.IKey): sqs.QueueProps;\nexport class")
    check(src, "SEC-KMS")


def test_ebs_volumes_and_block_devices():
    src = stack("""
        new ec2.Volume(this, 'Data', { availabilityZone: 'eu-west-1a', size: cdk.Size.gibibytes(100) }); // <- SEC-KMS-006
        new ec2.Volume(this, 'Enc', { availabilityZone: 'eu-west-1a', size: cdk.Size.gibibytes(100), encrypted: true });
        new autoscaling.AutoScalingGroup(this, 'Asg', {
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
          blockDevices: [
            { deviceName: '/dev/xvda', volume: autoscaling.BlockDeviceVolume.ebs(30) }, // <- SEC-KMS-006
            { deviceName: '/dev/xvdb', volume: autoscaling.BlockDeviceVolume.ebs(30, { encrypted: true }) },
            { deviceName: '/dev/xvdc', volume: autoscaling.BlockDeviceVolume.ebs(30, options) },
            { deviceName: '/dev/xvdd', volume: autoscaling.BlockDeviceVolume.ephemeral(0) },
          ],
        });
        new ec2.LaunchTemplate(this, 'Lt', {
          blockDevices: [{
            deviceName: '/dev/xvda',
            volume: ec2.BlockDeviceVolume.ebs(50, {
              volumeType: ec2.EbsDeviceVolumeType.GP3,
              encrypted: false, // <- SEC-KMS-006
            }),
          }],
        });
        new ec2.Instance(this, 'NoDevices', {
          vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023() });
    """, params="vpc: ec2.IVpc, options: autoscaling.EbsDeviceOptions")
    check(src, "SEC-KMS-006")


def test_efs_kinesis_caches_and_search():
    src = stack("""
        new efs.FileSystem(this, 'Default', { vpc });
        new efs.FileSystem(this, 'Off', {
          vpc,
          encrypted: false, // <- SEC-KMS-007
        });
        new efs.CfnFileSystem(this, 'L1'); // <- SEC-KMS-007
        new efs.CfnFileSystem(this, 'L1Enc', { encrypted: true });
        new kinesis.Stream(this, 'Managed');
        new kinesis.Stream(this, 'Clear', {
          encryption: kinesis.StreamEncryption.UNENCRYPTED, // <- SEC-KMS-008
        });
        new kinesis.CfnStream(this, 'L1Stream', { shardCount: 1 }); // <- SEC-KMS-008
        new kinesis.CfnStream(this, 'L1StreamEnc', { streamEncryption: { encryptionType: 'KMS', keyId: 'alias/aws/kinesis' } });
        new elasticache.CfnReplicationGroup(this, 'Cache', { // <- SEC-KMS-012
          replicationGroupDescription: 'c', engine: 'redis', cacheNodeType: 'cache.r6g.large' });
        new elasticache.CfnReplicationGroup(this, 'CacheEnc', {
          replicationGroupDescription: 'c', engine: 'redis', cacheNodeType: 'cache.r6g.large', atRestEncryptionEnabled: true });
        new opensearch.Domain(this, 'Search', { version: opensearch.EngineVersion.OPENSEARCH_2_11 }); // <- SEC-KMS-012
        new opensearch.Domain(this, 'SearchEnc', {
          version: opensearch.EngineVersion.OPENSEARCH_2_11, encryptionAtRest: { enabled: true } });
        new opensearch.Domain(this, 'SearchKey', {
          version: opensearch.EngineVersion.OPENSEARCH_2_11, encryptionAtRest: { kmsKey: new kms.Key(this, 'K') } });
    """, params="vpc: ec2.IVpc")
    check(src, "SEC-KMS")


def test_log_groups_and_secrets_are_notices_outside_dev():
    body = """
        const key = new kms.Key(this, 'Key');
        new logs.LogGroup(this, 'Plain', { retention: logs.RetentionDays.ONE_MONTH }); // <- SEC-KMS-009
        new logs.LogGroup(this, 'Enc', { retention: logs.RetentionDays.ONE_MONTH, encryptionKey: key });
        new secretsmanager.Secret(this, 'Token'); // <- SEC-KMS-010
        new secretsmanager.Secret(this, 'TokenKey', { encryptionKey: key });
    """
    src = stack(body)
    check(src, "SEC-KMS")
    assert {f.severity.value for f in findings(src, "SEC-KMS-009")} == {"notice"}
    assert hits(stack(body, name="DevStack"), "SEC-KMS-009", "SEC-KMS-010") == set()


# ---------------------------------------------------------------- inadequate-iam-policies
def test_managed_policies_by_name_arn_and_l1():
    src = stack("""
        const ADMIN = 'AdministratorAccess';
        const role = new iam.Role(this, 'Runner', {
          assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
          managedPolicies: [
            iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
            iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'),
            iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess'),
            iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSQSFullAccess'), // <- SEC-IAM-001
          ],
        });
        role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(ADMIN)); // <- SEC-IAM-001
        role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(this, 'P', // <- SEC-IAM-001
          `arn:${cdk.Aws.PARTITION}:iam::aws:policy/PowerUserAccess`));
        role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyName(this, 'Own', 'AdministratorAccess'));
        role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(props.policy));
        new iam.CfnRole(this, 'L1', {
          assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          managedPolicyArns: ['arn:aws:iam::aws:policy/IAMFullAccess'], // <- SEC-IAM-001
        });
    """, params="props: { policy: string }")
    check(src, "SEC-IAM")


def test_managed_policy_message_names_the_grant_that_replaces_it():
    src = stack("""
        const artifacts = new s3.Bucket(this, 'Artifacts');
        const role = new iam.Role(this, 'Runner', {
          assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
          managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3FullAccess')],
        });
    """)
    [finding] = findings(src, "SEC-IAM-001")
    assert finding.severity.value == "warning"
    assert finding.message == ("AWS managed policy `AmazonS3FullAccess` gives Role 'Runner' every action of "
                               "the service on every resource in the account")
    assert finding.remediation.endswith("`artifacts.grantReadWrite(role)`")


def test_identity_statements():
    src = stack("""
        const role = new iam.Role(this, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
        role.addToPolicy(new iam.PolicyStatement({
          actions: ['dynamodb:*'], // <- SEC-IAM-002
          resources: ['*'],
        }));
        role.addToPolicy(new iam.PolicyStatement({ actions: ['*'], resources: [table.tableArn] })); // <- SEC-IAM-002
        role.addToPolicy(new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['*'] })); // <- SEC-IAM-002
        role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`${bucket.bucketArn}/*`] }));
        role.addToPolicy(new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: ['arn:aws:s3:::*'], // <- SEC-IAM-003
        }));
        role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:Describe*', 'xray:PutTraceSegments'], resources: ['*'] }));
        role.addToPolicy(new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'], resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': 'App' } } }));
        role.addToPolicy(new iam.PolicyStatement({
          actions: ['ec2:TerminateInstances'], resources: ['*'],
          conditions: { StringEquals: { 'aws:ResourceTag/team': 'web' } } }));
        role.addToPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['*'], resources: ['*'] }));
        role.addToPolicy(new iam.PolicyStatement({ actions: props.actions, resources: ['*'] }));
        role.addToPolicy(new iam.PolicyStatement(props.statement));
        const pass = new iam.PolicyStatement({ actions: ['iam:PassRole'] });
        pass.addAllResources(); // <- SEC-IAM-004
        role.addToPolicy(pass);
        const later = new iam.PolicyStatement();
        later.addActions('sqs:SendMessage');
        later.addResources('*'); // <- SEC-IAM-003
        role.addToPolicy(later);
    """, params="table: dynamodb.ITable, bucket: s3.IBucket, props: { actions: string[]; statement: any }")
    check(src, "SEC-IAM")


def test_json_documents():
    src = stack("""
        new iam.Policy(this, 'P', {
          document: iam.PolicyDocument.fromJson({
            Statement: [
              { Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
              { Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: '*' }, // <- SEC-IAM-003
            ],
          }),
        });
        new iam.CfnPolicy(this, 'L1', {
          policyName: 'l1',
          policyDocument: {
            Statement: [{
              Effect: 'Allow',
              Action: 's3:*', // <- SEC-IAM-002
              Resource: 'arn:aws:s3:::data/*',
            }],
          },
        });
        new ec2.CfnVPCEndpoint(this, 'Ep', {
          vpcId: 'vpc-1', serviceName: 'com.amazonaws.eu-west-1.s3',
          policyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] } });
    """)
    check(src, "SEC-IAM")


def test_a_helper_granting_every_action_of_the_service_it_is_given():
    src = """import * as cdk from 'aws-cdk-lib';
import { aws_iam as iam } from 'aws-cdk-lib';

function allowServiceAccess(role: iam.IRole, service: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: [`${service}:*`],
    resources: ['*'],
  }));
}

function allowRead(role: iam.IRole, service: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [`${service}:Get*`], resources: ['*'] }));
}
"""
    [finding] = findings(src, "SEC-IAM-002")
    assert finding.line == 6
    assert finding.message == ("Policy statement allows `${…}:*` (every action of the service it is given) "
                               "on every resource (`*`)")


def test_wildcard_resource_is_quoted_as_written():
    """A resource-type wildcard is not `*`: the message shows what the statement reaches."""
    src = stack("""
        fn.addToRolePolicy(new iam.PolicyStatement({
          actions: ['bedrock:InvokeModel'],
          resources: ['arn:aws:bedrock:*::foundation-model/*'],
        }));
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));
        fn.addToRolePolicy(new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [`arn:aws:kms:${this.region}:${this.account}:key/*`],
        }));
    """, params="fn: lambda.Function")
    messages = sorted(f.message for f in findings(src, "SEC-IAM-003"))
    assert messages == ["Policy statement grants `bedrock:InvokeModel` on every resource "
                        "(`arn:aws:bedrock:*::foundation-model/*`)",
                        "Policy statement grants `kms:Decrypt` on every resource (`arn:aws:kms:${…}:${…}:key/*`)",
                        "Policy statement grants `sqs:SendMessage` on every resource (`*`)"]


def test_resource_and_trust_policies_open_to_anyone():
    src = stack("""
        const queue = new sqs.Queue(this, 'Q', { encryptionMasterKey: key });
        queue.addToResourcePolicy(new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()], // <- SEC-IAM-005
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
        }));
        queue.addToResourcePolicy(new iam.PolicyStatement({
          principals: [new iam.StarPrincipal()], actions: ['sqs:SendMessage'], resources: [queue.queueArn],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }));
        queue.addToResourcePolicy(new iam.PolicyStatement({
          principals: [new iam.ArnPrincipal('*')], actions: ['sqs:SendMessage'], resources: [queue.queueArn], // <- SEC-IAM-005
          conditions: { Bool: { 'aws:SecureTransport': 'true' } } }));
        queue.addToResourcePolicy(new iam.PolicyStatement({
          effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['sqs:*'], resources: [queue.queueArn],
          conditions: { Bool: { 'aws:SecureTransport': 'false' } } }));
        key.addToResourcePolicy(new iam.PolicyStatement({
          principals: [new iam.AccountRootPrincipal()], actions: ['kms:*'], resources: ['*'] }));
        new iam.Role(this, 'Anyone', {
          assumedBy: new iam.AnyPrincipal(), // <- SEC-IAM-005
        });
        queue.grantSendMessages(new iam.AnyPrincipal()); // <- SEC-IAM-005
        fn.addPermission('Public', { principal: new iam.AnyPrincipal() }); // <- SEC-IAM-005
        fn.addPermission('FromBucket', { principal: new iam.ServicePrincipal('s3.amazonaws.com'), sourceArn: 'arn:aws:s3:::b' });
        fn.addPermission('Org', { principal: new iam.AnyPrincipal(), principalOrgId: 'o-abc' });
    """, params="key: kms.Key, fn: lambda.Function")
    check(src, "SEC-IAM")


def test_statement_through_spread_constant_points_at_the_statement():
    src = HEADER + textwrap.dedent("""
        const READ_ALL = { actions: ['s3:GetObject'], resources: ['*'] };
        export function attach(role: iam.Role) {
          role.addToPolicy(new iam.PolicyStatement({ ...READ_ALL })); // <- SEC-IAM-003
        }
    """)
    check(src, "SEC-IAM")


def test_named_imports_and_v1_modules():
    src = textwrap.dedent("""
        import { PolicyStatement, Role, ServicePrincipal, ManagedPolicy } from '@aws-cdk/aws-iam';
        import { Construct, Stack } from '@aws-cdk/core';
        export class V1Stack extends Stack {
          constructor(scope: Construct, id: string) {
            super(scope, id);
            const role = new Role(this, 'R', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') });
            role.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')); // <- SEC-IAM-001
            role.addToPolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] })); // <- SEC-IAM-002
          }
        }
    """)
    check(src, "SEC-IAM")


@pytest.mark.parametrize("resource,any_", [
    ("*", True), ("arn:aws:s3:::*", True), ("arn:aws:dynamodb:*:*:table/*", True),
    ("arn:aws:dynamodb:${}:${}:table/*", True), ("arn:aws:s3:::data/*", False),
    ("arn:aws:s3:::${}/*", False), ("arn:aws:sqs:eu-west-1:123456789012:jobs", False),
])
def test_any_resource(resource, any_):
    assert is_any_resource(resource) is any_


@pytest.mark.parametrize("action,fine", [
    ("ec2:DescribeInstances", True), ("ec2:Describe*", True), ("cloudwatch:PutMetricData", True),
    ("s3:ListAllMyBuckets", True), ("s3:GetObject", False), ("logs:PutLogEvents", False),
    ("iam:PassRole", False),
])
def test_actions_fine_on_any_resource(action, fine):
    assert fine_on_any_resource(action) is fine


@pytest.mark.parametrize("name,breadth", [
    ("AdministratorAccess", "admin"), ("AdministratorAccess-Amplify", "admin"), ("PowerUserAccess", "admin"),
    ("IAMFullAccess", "admin"), ("AmazonS3FullAccess", "broad"), ("AWSLambda_FullAccess", "broad"),
    ("AmazonSSMManagedInstanceCore", None), ("ReadOnlyAccess", None),
])
def test_managed_policy_breadth(name, breadth):
    assert managed_policy_breadth(name) == breadth
