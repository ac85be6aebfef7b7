"""cdk-specific rules: nonexistent and deprecated API, construct choice, the construct tree,
missing props. Exact (rule, line) sets; Unknown values stay silent."""
import datetime
import textwrap

import pytest

from rules.engine import analyse
from rules.model import aws_catalogs
from rules.registry import all_rules
from tests.helpers import hits, project

HEADER = """\
import * as cdk from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
"""
HEADER_LINES = HEADER.count("\n")


def src(body: str) -> str:
    """The common imports, then `body`; `line(n)` below counts lines of `body` from 1."""
    return HEADER + textwrap.dedent(body)


def line(n: int) -> int:
    return HEADER_LINES + n


def stack(body: str) -> str:
    """`body` inside a stack constructor; body line 1 is file line line(4)."""
    return src("""\
        export class AppStack extends cdk.Stack {
          constructor(scope: Construct, id: string, props?: cdk.StackProps) {
            super(scope, id, props);
        """ + textwrap.indent(textwrap.dedent(body), "    ") + """\
          }
        }
        """)


def at(n: int) -> int:
    """File line of line `n` of a `stack(...)` body."""
    return line(3 + n)


def findings(source, *rule_ids):
    p = source if not isinstance(source, str) else project(**{"stack.ts": source})
    chosen = [r for r in all_rules() if r.id in rule_ids]
    result = analyse(p, rules=chosen)
    assert not [d for d in result.diagnostics if d.rule_id], result.diagnostics
    return result.findings


VPC_AND_DB = """\
const vpc = new ec2.Vpc(this, 'Vpc');
const db = new rds.DatabaseInstance(this, 'Db', {
  engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
  vpc,
});
"""


# -- CDK-API-001: API that does not exist ---------------------------------------------------
class TestNonexistentApi:
    def test_invented_enum_members_in_every_import_style(self):
        source = """\
            import { aws_dynamodb as ddb, RemovalPolicy } from 'aws-cdk-lib';
            import { BillingMode } from 'aws-cdk-lib/aws-dynamodb';
            import * as cdk from 'aws-cdk-lib';
            const a = ddb.BillingMode.ON_DEMAND;
            const b = BillingMode.ON_DEMAND;
            const c = cdk.aws_dynamodb.BillingMode.ON_DEMAND;
            const d = RemovalPolicy.DELETE;
            const ok = [BillingMode.PAY_PER_REQUEST, RemovalPolicy.DESTROY];
            """
        assert hits(textwrap.dedent(source), "CDK-API-001") == {("CDK-API-001", n) for n in (4, 5, 6, 7)}

    def test_enum_members_aliasing_another_exist(self):
        """jsii drops `GENERAL_PURPOSE_SSD_GP3 = GP3`; the .d.ts declares it."""
        assert hits(src("""\
            const a = ec2.EbsDeviceVolumeType.GENERAL_PURPOSE_SSD_GP3;
            const b = ec2.EbsDeviceVolumeType.GP3;
            const c = ec2.EbsDeviceVolumeType.GENERAL_PURPOSE_SSD_GP4;
            """), "CDK-API-001") == {("CDK-API-001", line(3))}

    def test_message_names_the_closest_real_member(self):
        [f] = findings(src("const r = logs.RetentionDays.THIRTY_DAYS;\n"), "CDK-API-001")
        assert "`RetentionDays.THIRTY_DAYS` does not exist" in f.message

    def test_class_from_the_wrong_module_names_the_right_one(self):
        [f, g] = findings(src("""\
            const a = new cloudwatch.SnsAction(undefined as any);
            const b = new s3.LambdaDestination(undefined as any);
            """), "CDK-API-001")
        assert (f.line, g.line) == (line(1), line(2))
        assert "aws-cdk-lib/aws-cloudwatch-actions" in f.message
        assert "`aws-cdk-lib/aws-s3` has no export `LambdaDestination`" in g.message

    def test_unknown_construct_prop(self):
        assert hits(stack("""\
            new logs.LogGroup(this, 'Logs', {
              retentionDays: 30,
            });
            """), "CDK-API-001") == {("CDK-API-001", at(2))}

    def test_unknown_key_in_method_options(self):
        source = stack("""\
            const asg = new autoscaling.AutoScalingGroup(this, 'Asg', {
              vpc: ec2.Vpc.fromLookup(this, 'Vpc', { isDefault: true }),
              instanceType: new ec2.InstanceType('t3.micro'),
              machineImage: ec2.MachineImage.latestAmazonLinux2023(),
            });
            asg.scaleOnCpuUtilization('Cpu', {
              targetUtilizationPercent: 50,
              scaleInCooldown: cdk.Duration.minutes(5),
            });
            const opts = { targetUtilizationPercent: 60, scaleOutCooldown: cdk.Duration.minutes(1) };
            asg.scaleOnCpuUtilization('Cpu2', opts);
            """)
        found = findings(source, "CDK-API-001")
        assert {f.line for f in found} == {at(8), at(10)}
        assert "did you mean `cooldown`?" in found[0].message

    def test_unknown_key_in_static_factory_options_and_plain_class_props(self):
        assert hits(src("""\
            const code = lambda.Code.fromAsset('lambda', {
              exclud: ['*.test.ts'],
            });
            const statement = new iam.PolicyStatement({
              Effect: iam.Effect.ALLOW,
              actions: ['s3:GetObject'],
            });
            """), "CDK-API-001") == {("CDK-API-001", line(2)), ("CDK-API-001", line(5))}

    def test_unknown_key_in_nested_structs(self):
        assert hits(stack("""\
            new dynamodb.Table(this, 'T', {
              partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING, sortable: true },
            });
            new s3.Bucket(this, 'B', {
              lifecycleRules: [{ expirationDays: 30 }, { expiration: cdk.Duration.days(1) }],
            });
            """), "CDK-API-001") == {("CDK-API-001", at(2)), ("CDK-API-001", at(5))}

    def test_invented_methods_and_attributes_on_typed_values(self):
        assert hits(stack(VPC_AND_DB + """\
            db.connections.allowFromm(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(5432));
            db.connectionz.allowFrom(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(5432));
            db.metricCpuUtilization();
            const looked = ec2.Vpc.fromLookup(this, 'Other', { isDefault: true });
            vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
            db.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.0.0/8'));
            """), "CDK-API-001") == {("CDK-API-001", at(6)), ("CDK-API-001", at(7)), ("CDK-API-001", at(8))}

    def test_members_of_the_apps_own_subclasses_are_taken_as_declared(self):
        source = src("""\
            class ApiStack extends cdk.Stack {
              public readonly table: dynamodb.Table;
              constructor(scope: Construct, id: string, private readonly stage: string) {
                super(scope, id);
                this.table = new dynamodb.Table(this, 'T', {
                  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
                });
                this.addRoutes();
                this.addRoutez();
              }
              addRoutes() {}
            }
            const app = new cdk.App();
            const api = new ApiStack(app, 'Api', 'prod');
            api.addRoutes();
            api.table.grantReadData(new iam.AccountRootPrincipal());
            api.addRoutez();
            """)
        assert hits(source, "CDK-API-001") == {("CDK-API-001", line(9)), ("CDK-API-001", line(17))}

    @pytest.mark.parametrize("expr", [
        "(fn.node.defaultChild as lambda.CfnFunction).addPropertyOverride('A', 1)",
        "param.whatever()",
        "makeBucket(this).grantReadWritee(fn)",
        "(fn as any).notAMethod()",
    ])
    def test_values_of_unknown_or_interface_type_are_not_judged(self, expr):
        source = stack(f"""\
            const fn = new lambda.Function(this, 'Fn', {{
              runtime: lambda.Runtime.NODEJS_22_X,
              handler: 'index.handler',
              code: lambda.Code.fromAsset('lambda'),
            }});
            const param = props as any;
            {expr};
            """)
        assert hits(source, "CDK-API-001") == set()

    def test_unknown_props_and_spreads_from_other_files_stay_silent(self):
        p = project(**{
            "lib/common.ts": "export const shared = { retentionDays: 30 };\n",
            "lib/stack.ts": stack("""\
                new logs.LogGroup(this, 'A', { ...shared });
                new logs.LogGroup(this, 'B', props as any);
                new logs.LogGroup(this, 'C', { ...(props as any), retention: logs.RetentionDays.ONE_DAY });
                """).replace("import { Construct } from 'constructs';",
                             "import { Construct } from 'constructs';\nimport { shared } from './common';"),
        })
        assert hits(p, "CDK-API-001") == set()

    def test_nested_namespaces_are_not_missing_exports(self):
        source = """\
            import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
            import * as cdk from 'aws-cdk-lib';
            const f = cloudfront.experimental.EdgeFunction;
            const r = cdk.interfaces.aws_ec2.IVPCRef;
            """
        assert hits(textwrap.dedent(source), "CDK-API-001") == set()

    def test_vpc_id_on_new_vpc_is_left_to_use_001(self):
        assert hits(stack("new ec2.Vpc(this, 'Vpc', { vpcId: 'vpc-123' });\n"), "CDK-API-001") == set()


# -- CDK-API-002: AWS managed policy names ---------------------------------------------------
class TestManagedPolicies:
    def test_invented_misplaced_and_retired_names(self):
        source = src("""\
            const a = iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/VPCFlowLogsDeliveryRolePolicy');
            const b = iam.ManagedPolicy.fromAwsManagedPolicyName('AWSLambdaBasicExecutionRole');
            const c = iam.ManagedPolicy.fromAwsManagedPolicyName('AWSLambdaFullAccess');
            const d = iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore');
            const e = iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole');
            const f = iam.ManagedPolicy.fromAwsManagedPolicyName(policyName);
            """)
        found = {f.line: f for f in findings(source, "CDK-API-002")}
        assert set(found) == {line(1), line(2), line(3)}
        assert "is not an AWS managed policy" in found[line(1)].message
        assert "`service-role/AWSLambdaBasicExecutionRole`" in found[line(2)].message
        assert found[line(2)].suggestion == (
            "const b = iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole');")
        assert "deprecated" in found[line(3)].message and found[line(3)].suggestion is None

    def test_typo_suggests_the_nearest_policy(self):
        [f] = findings(src("iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCor');\n"),
                       "CDK-API-002")
        assert "did you mean `AmazonSSMManagedInstanceCore`?" in f.message

    def test_aws_managed_arns(self):
        source = stack("""\
            iam.ManagedPolicy.fromManagedPolicyArn(this, 'A', 'arn:aws:iam::aws:policy/AmazonS3ReadOnly');
            iam.ManagedPolicy.fromManagedPolicyArn(this, 'B', `arn:${cdk.Aws.PARTITION}:iam::aws:policy/ReadOnlyAccess`);
            iam.ManagedPolicy.fromManagedPolicyArn(this, 'C', 'arn:aws:iam::123456789012:policy/Mine');
            """)
        assert hits(source, "CDK-API-002") == {("CDK-API-002", at(1))}

    def test_the_data_file_lists_paths(self):
        assert aws_catalogs.managed_policy_problem("service-role/AmazonECSTaskExecutionRolePolicy") is None
        assert aws_catalogs.managed_policy_problem("AmazonECSTaskExecutionRolePolicy").problem == "path"


# -- CDK-DEP-001 / 002: deprecated APIs and runtimes -----------------------------------------
class TestDeprecated:
    def test_deprecated_props_members_and_classes(self):
        source = stack("""\
            new ec2.Vpc(this, 'Vpc', { cidr: '10.0.0.0/16' });
            new lambda.Function(this, 'Fn', {
              runtime: lambda.Runtime.NODEJS_22_X,
              handler: 'index.handler',
              code: lambda.Code.fromAsset('lambda'),
              logRetention: logs.RetentionDays.ONE_WEEK,
            });
            const s = cloudwatch.Statistic.AVERAGE;
            const subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_NAT };
            const old = lambda.Runtime.NODEJS_16_X;
            """)
        found = {f.line: f for f in findings(source, "CDK-DEP-001")}
        assert set(found) == {at(1), at(6), at(8)}
        assert found[at(1)].suggestion == "        new ec2.Vpc(this, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16') });"
        assert "use `logGroup` instead" in found[at(6)].message

    def test_deprecated_method_on_the_apps_stack_unless_overridden(self):
        source = src("""\
            import { CloudFrontWebDistribution } from 'aws-cdk-lib/aws-cloudfront';
            class Net extends cdk.Stack {}
            class Data extends cdk.Stack {
              addDependency(target: cdk.Stack) { super.addStackDependency(target); }
              build() { new CloudFrontWebDistribution(this, 'Cdn', { originConfigs: [] }); }
            }
            const app = new cdk.App();
            const net = new Net(app, 'Net');
            const data = new Data(app, 'Data');
            net.addDependency(data);
            data.addDependency(net);
            """)
        assert hits(source, "CDK-DEP-001") == {("CDK-DEP-001", line(5)), ("CDK-DEP-001", line(10))}

    @pytest.fixture
    def on(self, monkeypatch):
        def pin(day: str):
            monkeypatch.setattr(aws_catalogs, "today", lambda: datetime.date.fromisoformat(day))
        return pin

    def test_runtimes_deprecated_by_aws(self, on):
        on("2026-11-28")
        source = stack("""\
            const a = lambda.Runtime.NODEJS_20_X;
            const b = lambda.Runtime.NODEJS_16_X;
            const c = lambda.Runtime.NODEJS_22_X;
            const d = new lambda.Runtime('python3.8', lambda.RuntimeFamily.PYTHON);
            new lambda.CfnFunction(this, 'L1', {
              runtime: 'python3.9',
              role: 'arn:aws:iam::123456789012:role/r',
              code: { s3Bucket: 'b', s3Key: 'k' },
            });
            const e = lambda.Runtime.PYTHON_3_13;
            """)
        found = {f.line: f for f in findings(source, "CDK-DEP-002", "CDK-DEP-001")}
        assert {(f.rule_id, n) for n, f in found.items()} == {
            ("CDK-DEP-002", at(1)), ("CDK-DEP-002", at(2)), ("CDK-DEP-002", at(4)), ("CDK-DEP-002", at(6))}
        assert "since 2026-04-30" in found[at(1)].message
        assert "`Runtime.NODEJS_24_X`" in found[at(1)].remediation

    def test_runtime_is_judged_on_the_day_of_the_scan(self, on):
        on("2026-01-01")
        assert hits(stack("const a = lambda.Runtime.NODEJS_20_X;\n"), "CDK-DEP-002") == set()


# -- CDK-USE-001..004: the wrong construct for the job ----------------------------------------
class TestConstructChoice:
    def test_new_construct_given_an_existing_resource(self):
        source = stack("""\
            const vpc = new ec2.Vpc(this, 'Shared', {
              vpcId: 'vpc-0123',
            });
            const bucket = new s3.Bucket(this, 'Logs', { bucketArn: 'arn:aws:s3:::logs' });
            const named = new s3.Bucket(this, 'Named', { bucketName: 'named' });
            """)
        found = {f.line: f for f in findings(source, "CDK-USE-001")}
        assert set(found) == {at(1), at(4)}
        assert "`Vpc.fromLookup(this, 'Shared', { vpcId })`" in found[at(1)].remediation
        assert "`Bucket.fromBucketArn(this, 'Logs', bucketArn)`" in found[at(4)].remediation
        assert found[at(1)].end_line == at(3)

    APP_STACK = """\
        export class AppStack extends cdk.Stack {
          constructor(scope: Construct, id: string, props?: cdk.StackProps) {
            super(scope, id, props);
            const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcName: 'shared' });
          }
        }
        """

    def test_lookup_in_a_stack_created_without_env(self):
        p = project(**{
            "lib/app-stack.ts": src(self.APP_STACK),
            "bin/app.ts": "import * as cdk from 'aws-cdk-lib';\nimport { AppStack } from '../lib/app-stack';\n"
                          "const app = new cdk.App();\nnew AppStack(app, 'App');\n",
        })
        [f] = findings(p, "CDK-USE-002")
        assert (f.path, f.line) == ("lib/app-stack.ts", line(4))
        assert "bin/app.ts:4" in f.message

    @pytest.mark.parametrize("instantiation", [
        "new AppStack(app, 'App', { env: { account: '123456789012', region: 'eu-west-1' } });",
        "new AppStack(app, 'App', { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } });",
        "new AppStack(app, 'App', loadProps());",
        "",
    ])
    def test_lookup_is_fine_with_env_or_when_instances_cannot_be_seen(self, instantiation):
        p = project(**{
            "lib/app-stack.ts": src(self.APP_STACK),
            "bin/app.ts": "import * as cdk from 'aws-cdk-lib';\nimport { AppStack } from '../lib/app-stack';\n"
                          f"const app = new cdk.App();\n{instantiation}\n",
        })
        assert hits(p, "CDK-USE-002") == set()

    def test_lookup_in_a_stack_whose_super_drops_props_and_in_its_constructs(self):
        source = src("""\
            class Lookups extends Construct {
              constructor(scope: Construct, id: string) {
                super(scope, id);
                ec2.SecurityGroup.fromLookupById(this, 'Sg', 'sg-123');
              }
            }
            export class AppStack extends cdk.Stack {
              constructor(scope: Construct, id: string, props?: cdk.StackProps) {
                super(scope, id);
                new Lookups(this, 'L');
              }
            }
            """)
        assert hits(source, "CDK-USE-002") == {("CDK-USE-002", line(4))}

    def test_l1_where_the_l2_takes_every_prop(self):
        source = stack("""\
            new sqs.CfnQueue(this, 'Jobs', {
              kmsMasterKeyId: 'alias/jobs',
              messageRetentionPeriod: 345600,
              visibilityTimeout: 300,
            });
            new sqs.CfnQueue(this, 'Other', { sqsManagedSseEnabled: true, delaySeconds: 5 });
            new sqs.CfnQueue(this, 'Hidden', props as any);
            """)
        found = findings(source, "CDK-USE-003")
        assert [(f.line, f.end_line) for f in found] == [(at(1), at(5))]
        assert "`kmsMasterKeyId` -> `encryptionMasterKey`" in found[0].remediation

    def test_l1_prop_pairs_with_the_l2_prop_naming_the_same_thing(self):
        """`keyPolicy` is as close to `keySpec` as to `policy` by words; its last word says policy."""
        source = src("""\
            import * as kms from 'aws-cdk-lib/aws-kms';
            export class KeysStack extends cdk.Stack {
              build(doc: iam.PolicyDocument) {
                new kms.CfnKey(this, 'Key', { keyPolicy: doc, enableKeyRotation: true });
              }
            }
            """)
        [finding] = findings(source, "CDK-USE-003")
        assert "`keyPolicy` -> `policy`" in finding.remediation

    def test_l1_without_an_l2_is_fine(self):
        source = src("""\
            import * as elasticache from 'aws-cdk-lib/aws-elasticache';
            export class CacheStack extends cdk.Stack {
              build() {
                new elasticache.CfnReplicationGroup(this, 'Cache', {
                  replicationGroupDescription: 'sessions',
                  engine: 'redis',
                });
              }
            }
            """)
        assert hits(source, "CDK-USE-003") == set()

    def test_inline_code_handler(self):
        source = stack("""\
            new lambda.Function(this, 'A', {
              runtime: lambda.Runtime.NODEJS_22_X,
              code: lambda.Code.fromInline('exports.main = async () => ({})'),
              handler: 'app.main',
            });
            new lambda.Function(this, 'B', {
              runtime: lambda.Runtime.NODEJS_22_X,
              code: lambda.Code.fromInline('exports.main = async () => ({})'),
              handler: 'index.main',
            });
            new lambda.Function(this, 'C', {
              runtime: lambda.Runtime.NODEJS_22_X,
              code: lambda.Code.fromAsset('lambda'),
              handler: 'app.main',
            });
            new lambda.CfnFunction(this, 'D', {
              role: 'arn:aws:iam::123456789012:role/r',
              code: { zipFile: 'def handler(e, c): pass' },
              handler: 'main.handler',
            });
            """)
        found = {f.line: f for f in findings(source, "CDK-USE-004")}
        assert set(found) == {at(4), at(19)}
        assert found[at(4)].suggestion == source.splitlines()[at(4) - 1].replace("'app.main'", "'index.main'")


# -- CDK-TREE-001..003: the construct tree ---------------------------------------------------
class TestConstructTree:
    def test_stacks_created_inside_constructs_and_stacks(self):
        source = src("""\
            import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
            class Inner extends cdk.Stack {}
            class Product extends servicecatalog.ProductStack {}
            class Storage extends Construct {
              constructor(scope: Construct, id: string) {
                super(scope, id);
                new cdk.Stack(this, 'A');
                new cdk.NestedStack(this, 'B');
              }
            }
            class Outer extends cdk.Stack {
              constructor(scope: Construct, id: string) {
                super(scope, id);
                new Inner(this, 'C');
                new Product(this, 'D');
                new Inner(scope, 'Sibling');
              }
            }
            class Wave extends cdk.Stage {
              constructor(scope: Construct, id: string) {
                super(scope, id);
                new Inner(this, 'E');
              }
            }
            """)
        assert hits(source, "CDK-TREE-001") == {("CDK-TREE-001", line(7)), ("CDK-TREE-001", line(14))}

    def test_scope_instead_of_this(self):
        source = src("""\
            class Inner extends cdk.Stack {}
            class Queues extends Construct {
              constructor(scope: Construct, id: string) {
                super(scope, id);
                new sqs.Queue(scope, 'Q');
                new sqs.Queue(this, 'Fine');
              }
              static helper(scope: Construct) {
                return new sqs.Queue(scope, 'Helper');
              }
            }
            class Outer extends cdk.Stack {
              constructor(scope: Construct, id: string) {
                super(scope, id);
                new s3.Bucket(scope, 'B');
                new Inner(scope, 'Sibling');
              }
            }
            class Wave extends cdk.Stage {
              constructor(scope: Construct, id: string) {
                super(scope, id);
                new Inner(scope, 'Escapes');
              }
            }
            """)
        found = {f.line: f for f in findings(source, "CDK-TREE-002")}
        assert set(found) == {line(5), line(15), line(22)}
        assert found[line(5)].severity.value == "warning"
        assert found[line(15)].severity.value == "error"

    def test_ids_repeated_in_loops(self):
        assert hits(stack("""\
            const names = ['a', 'b'];
            for (const name of names) {
              new sqs.Queue(this, 'Queue', { queueName: name });
              new sqs.Queue(this, `Queue-${name}`);
              const group = new Construct(this, `Group${name}`);
              new sqs.Queue(group, 'Inside');
            }
            names.forEach((name) => new sqs.Queue(this, 'Each'));
            for (const only of ['x']) {
              new sqs.Queue(this, 'Once');
            }
            for (const queue of [new sqs.Queue(this, 'First'), new sqs.Queue(this, 'Second')]) {
              queue.grantSendMessages(new iam.AccountRootPrincipal());
            }
            """), "CDK-TREE-003") == {("CDK-TREE-003", at(3)), ("CDK-TREE-003", at(8))}

    def test_ids_repeated_in_one_scope_outside_branches(self):
        assert hits(stack("""\
            new sqs.Queue(this, 'Dlq');
            if (props?.env) {
              new sqs.Queue(this, 'Alt');
            } else {
              new sqs.Queue(this, 'Alt');
            }
            const holder = new Construct(this, 'Holder');
            new sqs.Queue(holder, 'Dlq');
            new sqs.Queue(this, 'Dlq');
            """), "CDK-TREE-003") == {("CDK-TREE-003", at(9))}


# -- CDK-REQ-001 / 002: missing props ----------------------------------------------------------
class TestMissingProps:
    def test_required_props_of_constructs_methods_and_nested_structs(self):
        source = stack("""\
            new rds.DatabaseInstance(this, 'Db', {});
            new rds.DatabaseInstance(this, 'Bare');
            new dynamodb.Table(this, 'T', {
              partitionKey: { name: 'pk' },
            });
            const asg = new autoscaling.AutoScalingGroup(this, 'Asg', props as any);
            asg.scaleOnCpuUtilization('Cpu', {});
            new lambda.Function(this, 'Fn', { code: lambda.Code.fromAsset('x'), ...(props as any) });
            """)
        found = {f.line: f for f in findings(source, "CDK-REQ-001")}
        assert set(found) == {at(1), at(2), at(4), at(7)}
        assert found[at(1)].message.startswith("DatabaseInstance 'Db' is missing required props `engine`, `vpc`")
        assert "`partitionKey` (Attribute) is missing required prop `type`" in found[at(4)].message

    def test_props_spread_from_a_constant_count(self):
        source = src("""\
            const base = { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }) };
            export class DbStack extends cdk.Stack {
              constructor(scope: Construct, id: string, vpc: ec2.IVpc) {
                super(scope, id);
                new rds.DatabaseInstance(this, 'Db', { ...base });
                new rds.DatabaseInstance(this, 'Db2', { ...base, vpc });
              }
            }
            """)
        assert hits(source, "CDK-REQ-001") == {("CDK-REQ-001", line(5))}

    def test_conditionally_required_props(self):
        source = stack("""\
            const vpc = new ec2.Vpc(this, 'Vpc');
            new autoscaling.AutoScalingGroup(this, 'A', { vpc, instanceType: new ec2.InstanceType('t3.micro') });
            new autoscaling.AutoScalingGroup(this, 'B', { vpc, launchTemplate: undefined as any });
            new autoscaling.AutoScalingGroup(this, 'C', { vpc, ...(props as any) });
            new dynamodb.Table(this, 'T', { billingMode: dynamodb.BillingMode.PAY_PER_REQUEST });
            new rds.DatabaseCluster(this, 'Cluster', {
              engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
              vpc,
            });
            const secret = new cdk.aws_secretsmanager.Secret(this, 'S');
            secret.addRotationSchedule('Rotation', { automaticallyAfter: cdk.Duration.days(30) });
            """)
        found = findings(source, "CDK-REQ-002")
        assert sorted((f.line, f.message.split(" sets none of ")[1].split(";")[0]) for f in found) == [
            (at(2), "`machineImage`"), (at(5), "`partitionKey`"), (at(6), "`writer`, `instanceProps`"),
            (at(11), "`rotationLambda`, `hostedRotation`")]


# -- CDK v1 code: the knowledge table describes v2, so only required props are judged --------
def test_cdk_v1_constructs_are_not_checked_against_the_v2_api():
    source = """\
        import * as cdk from '@aws-cdk/core';
        import * as ec2 from '@aws-cdk/aws-ec2';
        import * as rds from '@aws-cdk/aws-rds';
        class Other extends cdk.Stack {}
        export class LegacyStack extends cdk.Stack {
          constructor(scope: cdk.Construct, id: string) {
            super(scope, id);
            const vpc = new ec2.Vpc(this, 'Vpc', { cidr: '10.0.0.0/16' });
            const db = new rds.DatabaseInstance(this, 'Db', { masterUsername: 'admin', vpc } as any);
            db.connections.allowDefaultPortFromAnyIpv4();
            vpc.selectSubnetz();
            new Other(scope, 'Sibling');
            new rds.DatabaseInstance(this, 'Empty', {});
          }
        }
        """
    ids = ("CDK-API-001", "CDK-DEP-001", "CDK-USE-001", "CDK-USE-003", "CDK-TREE-002", "CDK-REQ-001")
    assert hits(textwrap.dedent(source), *ids) == {("CDK-REQ-001", 9), ("CDK-REQ-001", 13)}


def test_deprecated_runtimes_are_reported_in_cdk_v1_code_too(monkeypatch):
    monkeypatch.setattr(aws_catalogs, "today", lambda: datetime.date(2026, 11, 28))
    source = """\
        import * as lambda from '@aws-cdk/aws-lambda';
        const runtime = lambda.Runtime.NODEJS_12_X;
        """
    assert hits(textwrap.dedent(source), "CDK-DEP-002") == {("CDK-DEP-002", 2)}
