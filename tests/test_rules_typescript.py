"""typescript-quality rules: type definitions (TSQ-TYP-*), imports (TSQ-IMP-*), code structure (TSQ-STR-*)."""
import pytest

from rules.engine import analyse
from rules.registry import all_rules
from tests.helpers import hits, project

CDK = "import * as cdk from 'aws-cdk-lib';\n"
STACK_HEADER = """import * as cdk from 'aws-cdk-lib';
import { Construct } from 'constructs';
"""


def findings(src_or_project, rule_id):
    p = src_or_project if not isinstance(src_or_project, str) else project(**{"stack.ts": src_or_project})
    return analyse(p, rules=[r for r in all_rules() if r.id == rule_id]).findings


# -- TSQ-TYP-001 explicit any --------------------------------------------------------------
def test_any_in_annotations_casts_generics_and_arrays():
    src = STACK_HEADER + """
export function tags(input: Record<string, any>): string[] {
  const list: any[] = [];
  const cast = <any>input;
  return (list as any) || cast;
}
"""
    assert hits(src, "TSQ-TYP-001") == {("TSQ-TYP-001", 4), ("TSQ-TYP-001", 5), ("TSQ-TYP-001", 6),
                                         ("TSQ-TYP-001", 7)}


def test_any_is_reported_once_per_line():
    src = CDK + "export function f(a: any, b: any): any { return a ?? b; }\n"
    assert hits(src, "TSQ-TYP-001") == {("TSQ-TYP-001", 2)}


def test_any_message_names_the_place():
    src = CDK + "export function f(input: Record<string, any>) { return input; }\n"
    [finding] = findings(src, "TSQ-TYP-001")
    assert "`Record<string, any>`" in finding.message and "unknown" in finding.remediation


def test_unknown_and_anything_are_not_any():
    src = CDK + "export function f(input: unknown, anything: string): Record<string, unknown> { return {}; }\n"
    assert hits(src, "TSQ-TYP-001") == set()


def test_any_in_test_files_is_not_reported():
    p = project(**{"test/stack.test.ts": "import * as cdk from 'aws-cdk-lib';\nconst x: any = 1;\n"})
    assert hits(p, "TSQ-TYP-001") == set()


# -- TSQ-TYP-002 inline props type ---------------------------------------------------------
@pytest.mark.parametrize("typed", ["{ bucketName: string }", "cdk.StackProps & { bucketName: string }"])
def test_inline_props_types_are_reported(typed):
    src = STACK_HEADER + f"""
export class StorageStack extends cdk.Stack {{
  constructor(scope: Construct, id: string, props: {typed}) {{
    super(scope, id, props);
  }}
}}
"""
    assert hits(src, "TSQ-TYP-002") == {("TSQ-TYP-002", 5)}


def test_inline_props_remediation_names_the_interface_and_its_base():
    src = STACK_HEADER + """
export class StorageStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: cdk.StackProps & { bucketName: string }) {
    super(scope, id, props);
  }
}
"""
    [finding] = findings(src, "TSQ-TYP-002")
    assert "interface StorageStackProps extends StackProps" in finding.remediation


def test_inline_props_on_a_construct_class():
    src = STACK_HEADER + """
export class Uploads extends Construct {
  constructor(scope: Construct, id: string, options: { versioned: boolean }) {
    super(scope, id);
  }
}
"""
    assert hits(src, "TSQ-TYP-002") == {("TSQ-TYP-002", 5)}


def test_named_props_interface_and_plain_classes_are_fine():
    src = STACK_HEADER + """
export interface StorageStackProps extends cdk.StackProps { readonly bucketName: string; }
export class StorageStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
  }
}
export class Helper {
  constructor(a: string, b: string, options: { verbose: boolean }) {}
}
"""
    assert hits(src, "TSQ-TYP-002") == set()


# -- TSQ-TYP-003 untyped parameters --------------------------------------------------------
def test_untyped_stack_constructor_is_one_finding_with_a_typed_signature():
    src = """import { Stack } from 'aws-cdk-lib';
export class ApiStack extends Stack {
  constructor(
    scope,
    id: string,
    props?,
  ) {
    super(scope, id, props);
  }
}
"""
    [finding] = findings(src, "TSQ-TYP-003")
    assert finding.line == 4
    assert "`scope`, `props`" in finding.message
    assert "constructor(scope: Construct, id: string, props?: ApiStackProps)" in finding.remediation


def test_untyped_functions_methods_and_untyped_variables():
    src = """import * as cdk from 'aws-cdk-lib';
function queueName(stage) { return stage; }
const build = (key, overrides) => ({ key, overrides });
const one = x => x;
export class Naming { prefix(stage) { return stage; } }
"""
    assert hits(src, "TSQ-TYP-003") == {("TSQ-TYP-003", 2), ("TSQ-TYP-003", 3), ("TSQ-TYP-003", 4),
                                         ("TSQ-TYP-003", 5)}


def test_inferred_parameters_are_fine():
    src = """import * as cdk from 'aws-cdk-lib';
type Namer = (stage: string) => string;
const typed: Namer = (stage) => stage;
export const names = ['a'].map(stage => stage.toUpperCase());
function withDefault(stage = 'dev') { return stage; }
export class Holder {
  private value = 1;
  set size(v) { this.value = v; }
  get size() { return this.value; }
}
export const handlers = { onEvent(event) { return event; } };
"""
    assert hits(src, "TSQ-TYP-003") == set()


# -- TSQ-TYP-004 unexplained @ts-ignore ----------------------------------------------------
def test_unexplained_directives_are_reported():
    src = """// @ts-nocheck
import * as s3 from 'aws-cdk-lib/aws-s3';
// @ts-ignore
export const a = s3.Bucket;
/* @ts-expect-error */
export const b = s3.Bucket;
//@ts-ignore:
export const c = s3.Bucket;
"""
    assert hits(src, "TSQ-TYP-004") == {("TSQ-TYP-004", 1), ("TSQ-TYP-004", 3), ("TSQ-TYP-004", 5),
                                         ("TSQ-TYP-004", 7)}


def test_explained_directives_are_fine():
    src = """import * as s3 from 'aws-cdk-lib/aws-s3';
// @ts-ignore: CfnPipe typings lag behind the CloudFormation schema
export const a = s3.Bucket;
// The L1 typings reject the new property; remove after aws-cdk-lib 2.300
// @ts-expect-error
export const b = s3.Bucket;
// Never use @ts-ignore here
export const c = s3.Bucket;
"""
    assert hits(src, "TSQ-TYP-004") == set()


# -- TSQ-TYP-005 mutable props interfaces --------------------------------------------------
def test_props_interface_extending_stack_props_with_mutable_props():
    src = STACK_HEADER + """
export interface ApiStackProps extends cdk.StackProps {
  readonly domainName: string;
  certificateArn?: string;
  zoneId: string;
}
"""
    [finding] = findings(src, "TSQ-TYP-005")
    assert (finding.line, finding.end_line) == (6, 7)
    assert "`certificateArn`, `zoneId`" in finding.message
    assert finding.suggestion == "  readonly certificateArn?: string;\n  readonly zoneId: string;"


def test_one_suggestion_marks_every_mutable_prop_and_leaves_the_rest():
    src = STACK_HEADER + """
export interface ApiStackProps extends cdk.StackProps {
  domainName: string;
  /** the certificate */
  readonly certificateArn?: string;
  zoneId: string; ttl?: number;
}
"""
    [finding] = findings(src, "TSQ-TYP-005")
    assert (finding.line, finding.end_line) == (5, 8)
    assert finding.suggestion == ("  readonly domainName: string;\n  /** the certificate */\n"
                                  "  readonly certificateArn?: string;\n  readonly zoneId: string; readonly ttl?: number;")
    lines = src.split("\n")
    lines[finding.line - 1:finding.end_line] = [finding.suggestion]
    assert findings("\n".join(lines), "TSQ-TYP-005") == []


def test_a_prop_written_over_several_lines_is_marked_on_its_first_line():
    src = STACK_HEADER + """
export interface ApiStackProps extends cdk.StackProps {
  domainName: string;
  routes: {
    path: string;
  }[];
}
"""
    [finding] = findings(src, "TSQ-TYP-005")
    assert (finding.line, finding.end_line) == (5, 8)
    assert finding.suggestion == "  readonly domainName: string;\n  readonly routes: {\n    path: string;\n  }[];"


def test_interface_used_as_props_type_in_another_file():
    p = project(**{
        "lib/config.ts": "export interface Settings {\n  bucketName: string;\n}\n",
        "lib/storage.ts": STACK_HEADER + """import { Settings } from './config';
export class Storage extends Construct {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
  }
}
""",
    })
    assert {(f.path, f.line) for f in findings(p, "TSQ-TYP-005")} == {("lib/config.ts", 2)}


def test_readonly_and_unrelated_interfaces_are_fine():
    src = STACK_HEADER + """
export interface ApiStackProps extends cdk.StackProps {
  readonly domainName: string;
}
export interface RouteProps {
  path: string;
}
export interface Counter extends Base { count: number; }
"""
    assert hits(src, "TSQ-TYP-005") == set()


def test_props_type_from_an_unavailable_module_is_silent():
    src = STACK_HEADER + """import { Settings } from './missing';
export class Storage extends Construct {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
  }
}
"""
    assert hits(src, "TSQ-TYP-005") == set()


# -- TSQ-IMP-001 CDK v1 --------------------------------------------------------------------
def test_v1_imports_in_a_v2_app_are_reported_as_mixed_once_per_statement():
    p = project(**{
        "bin/app.ts": "import * as cdk from 'aws-cdk-lib';\nimport { Bucket } from '@aws-cdk/aws-s3';\n",
        "lib/legacy.ts": "import * as s3 from '@aws-cdk/aws-s3';\nimport * as core from '@aws-cdk/core';\n",
    })
    found = findings(p, "TSQ-IMP-001")
    assert {(f.path, f.line) for f in found} == {("bin/app.ts", 2), ("lib/legacy.ts", 1), ("lib/legacy.ts", 2)}
    assert all("v1 and v2 constructs cannot be combined" in f.message for f in found)
    assert {f.suggestion for f in found} == {"import { Bucket } from 'aws-cdk-lib/aws-s3';",
                                             "import * as s3 from 'aws-cdk-lib/aws-s3';",
                                             "import * as core from 'aws-cdk-lib';"}


def test_pure_v1_app_is_not_called_mixed():
    [finding] = findings("import * as s3 from '@aws-cdk/aws-s3';\nexport const b = s3.Bucket;\n", "TSQ-IMP-001")
    assert "cannot be combined" not in finding.message


def test_v1_app_next_to_a_v2_app_in_one_repository_is_not_called_mixed():
    """Each directory with its own cdk.json is its own app: one may still be on v1."""
    p = project(**{
        "legacy/cdk.json": '{"app": "npx ts-node bin/legacy.ts"}',
        "legacy/bin/legacy.ts": "import * as s3 from '@aws-cdk/aws-s3';\nexport const b = s3.Bucket;\n",
        "current/cdk.json": '{"app": "npx ts-node bin/current.ts"}',
        "current/bin/current.ts": "import * as cdk from 'aws-cdk-lib';\nexport const app = new cdk.App();\n",
    })
    [finding] = findings(p, "TSQ-IMP-001")
    assert finding.path == "legacy/bin/legacy.ts" and "cannot be combined" not in finding.message


def test_construct_from_v1_core_points_to_constructs():
    src = "import * as cdk from 'aws-cdk-lib';\nimport { Construct, Stack as S } from '@aws-cdk/core';\n"
    [finding] = findings(src, "TSQ-IMP-001")
    assert "`Construct` comes from the `constructs` package" in finding.message
    assert finding.suggestion == "import { Stack as S } from 'aws-cdk-lib';\nimport { Construct } from 'constructs';"


def test_multi_line_v1_import_has_no_suggestion():
    src = "import {\n  Bucket,\n} from '@aws-cdk/aws-s3';\n"
    [finding] = findings(src, "TSQ-IMP-001")
    assert (finding.line, finding.end_line, finding.suggestion) == (1, 3, None)


def test_alpha_and_v2_helper_packages_are_not_v1():
    src = """import * as apigwv2 from '@aws-cdk/aws-apigatewayv2-alpha';
import { KubectlV31Layer } from '@aws-cdk/lambda-layer-kubectl-v31';
import { AwsCliLayer } from '@aws-cdk/asset-awscli-v1';
const s3 = require('aws-cdk-lib/aws-s3');
"""
    assert hits(src, "TSQ-IMP-001") == set()


def test_v1_require_is_reported():
    assert hits(CDK + "const s3 = require('@aws-cdk/aws-s3');\n", "TSQ-IMP-001") == {("TSQ-IMP-001", 2)}


# -- TSQ-IMP-002 wrong module / missing module ---------------------------------------------
def test_members_imported_from_the_wrong_module():
    src = """import { Key } from 'aws-cdk-lib/aws-iam';
import { Duration, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'aws-cdk-lib';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { aws_ec2 as ec2, Stack } from 'aws-cdk-lib';
"""
    found = {f.line: f for f in findings(src, "TSQ-IMP-002")}
    assert set(found) == {1, 2, 3}
    assert "`aws-cdk-lib/aws-kms`" in found[1].message
    assert found[1].suggestion == "import { Key } from 'aws-cdk-lib/aws-kms';"
    assert "lives in `aws-cdk-lib`" in found[2].message and found[2].suggestion is None
    assert "lives in `constructs`" in found[3].message


def test_names_only_the_declarations_export_are_real():
    """Type-only re-exports, constants, `*Ref` interfaces and the deep entry points of the
    package.json `exports` are not in jsii but do exist."""
    src = """import { ResourceEnvironment, Stack } from 'aws-cdk-lib';
import { S3_CREATE_DEFAULT_LOGGING_POLICY } from 'aws-cdk-lib/cx-api';
import { IBucketRef, Bucket } from 'aws-cdk-lib/aws-s3';
import { NOT_A_FEATURE_FLAG } from 'aws-cdk-lib/cx-api';
import { md5hash } from 'aws-cdk-lib/core/lib/helpers-internal';
import { Bucket as B } from 'aws-cdk-lib/aws-s3/lib/bucket';
"""
    assert {f.line for f in findings(src, "TSQ-IMP-002")} == {4, 6}


def test_misspelled_member_gets_a_guess():
    [finding] = findings("import { BucketEncrypton } from 'aws-cdk-lib/aws-s3';\n", "TSQ-IMP-002")
    assert "did you mean `BucketEncryption`?" in finding.message


def test_modules_aws_cdk_lib_does_not_have():
    src = """import * as python from 'aws-cdk-lib/aws-lambda-python';
import * as bucket from 'aws-cdk-lib/aws-s3/lib/bucket';
import { aws_lambdda as lambda } from 'aws-cdk-lib';
"""
    found = {f.line: f for f in findings(src, "TSQ-IMP-002")}
    assert set(found) == {1, 2, 3}
    assert "-alpha" in found[1].message
    assert "import `aws-cdk-lib/aws-s3`" in found[2].message
    assert "`aws_lambda`" in found[3].message


# -- TSQ-IMP-003 unused imports ------------------------------------------------------------
def test_every_kind_of_use_counts():
    src = """import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { decorate } from './decorators';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type Role } from 'aws-cdk-lib/aws-iam';
export { Queue };
type TopicClass = typeof Topic;
let vpc: IVpc;
let sg: ec2.ISecurityGroup;
class Handler { @decorate() handle() {} }
export default Bucket;
export const keys = { Key };
let role: Role;
"""
    assert hits(src, "TSQ-IMP-003") == set()


def test_jsx_uses_its_components():
    p = project(**{"app.tsx": "import * as cdk from 'aws-cdk-lib';\nimport * as React from 'react';\n"
                              "import { Panel } from './panel';\nexport const el = <Panel stack={cdk.Stack} />;\n"})
    assert hits(p, "TSQ-IMP-003") == set()


def test_unused_names_one_finding_per_statement_with_fixes():
    src = """import * as sns from 'aws-cdk-lib/aws-sns';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
export const keep = Duration.days(1);
"""
    found = {f.line: f for f in findings(src, "TSQ-IMP-003")}
    assert set(found) == {1, 2}
    assert found[1].suggestion == ""
    assert "`RemovalPolicy`, `Stack` are" in found[2].message
    assert found[2].suggestion == "import { Duration } from 'aws-cdk-lib';"


# -- TSQ-STR-001 oversized stack constructor -----------------------------------------------
MODULES = ["ec2", "rds", "dynamodb", "s3", "sqs", "sns", "lambda", "ecs"]


def _stack(statements: list[str], imports=MODULES) -> str:
    header = "".join(f"import * as {m} from 'aws-cdk-lib/aws-{m}';\n" for m in imports)
    body = "".join(f"    {s}\n" for s in statements)
    return header + STACK_HEADER + f"""
export class PlatformStack extends cdk.Stack {{
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {{
    super(scope, id, props);
{body}  }}
}}
"""


CLASS_LINE = len(MODULES) + 4


def test_constructor_over_the_statement_limit():
    src = _stack([f"new sqs.Queue(this, 'Q{i}');" for i in range(40)])
    [finding] = findings(src, "TSQ-STR-001")
    assert finding.line == CLASS_LINE == finding.end_line
    assert "41 statements (limit 40)" in finding.message
    assert "extract Construct classes for its messaging (sqs)" in finding.message


def test_constructor_at_the_statement_limit_is_fine():
    assert hits(_stack([f"new sqs.Queue(this, 'Q{i}');" for i in range(39)]), "TSQ-STR-001") == set()


def test_constructor_with_too_many_service_families_names_the_split():
    src = _stack([
        "const vpc = new ec2.Vpc(this, 'Vpc');",
        "new rds.DatabaseInstance(this, 'Db', { vpc, engine: rds.DatabaseInstanceEngine.POSTGRES });",
        "new dynamodb.Table(this, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });",
        "new s3.Bucket(this, 'B');",
        "new sqs.Queue(this, 'Q');",
        "new sns.Topic(this, 'Topic');",
        "new lambda.Function(this, 'Fn', props as any);",
        "new ecs.Cluster(this, 'Cluster', { vpc });",
    ])
    [finding] = findings(src, "TSQ-STR-001")
    assert "8 service families (limit 6)" in finding.message
    assert ("split it into network (ec2 Vpc), compute (ecs, lambda), data (dynamodb, rds, s3), "
            "messaging (sns, sqs) → NetworkStack, ComputeStack, DataStack, MessagingStack") in finding.message


def test_five_layers_with_few_families_are_too_broad():
    src = _stack([
        "const vpc = new ec2.Vpc(this, 'Vpc');",
        "new dynamodb.Table(this, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });",
        "new sqs.Queue(this, 'Q');",
        "const fn = new lambda.Function(this, 'Fn', props as any);",
        "new apigateway.LambdaRestApi(this, 'Api', { handler: fn });",
    ], ["ec2", "dynamodb", "sqs", "lambda", "apigateway"])
    [finding] = findings(src, "TSQ-STR-001")
    assert "spans 5 architectural layers (limit 4)" in finding.message
    assert "service families" not in finding.message


def test_security_groups_are_not_a_network_layer_of_their_own():
    """A web tier: its security group, load balancer, fleet, access-log bucket and alarm topic."""
    src = _stack([
        "const sg = new ec2.SecurityGroup(this, 'WebSg', { vpc: props!.vpc } as any);",
        "const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc: props!.vpc, securityGroup: sg } as any);",
        "new autoscaling.AutoScalingGroup(this, 'Fleet', props as any);",
        "new s3.Bucket(this, 'AccessLogs');",
        "new sns.Topic(this, 'Alarms');",
    ], ["ec2", "elbv2", "autoscaling", "s3", "sns"])
    assert hits(src.replace("aws-elbv2", "aws-elasticloadbalancingv2"), "TSQ-STR-001") == set()


def test_builder_methods_called_by_the_constructor_count():
    builders = "".join(f"  private build{m}() {{ new {m}.Cfn{m.capitalize()}Thing(this, '{m}', {{}}); }}\n"
                       for m in MODULES)
    calls = "".join(f"    this.build{m}();\n" for m in MODULES)
    src = "".join(f"import * as {m} from 'aws-cdk-lib/aws-{m}';\n" for m in MODULES) + STACK_HEADER + f"""
export class PlatformStack extends cdk.Stack {{
  constructor(scope: Construct, id: string) {{
    super(scope, id);
{calls}  }}
{builders}  unused() {{ new sqs.Queue(this, 'Never'); }}
}}
"""
    [finding] = findings(src, "TSQ-STR-001")
    assert "constructor with its 8 builder method(s)" in finding.message
    assert "8 service families" in finding.message


def test_cross_cutting_modules_are_not_service_families():
    imports = ["iam", "kms", "logs", "cloudwatch", "ssm", "secretsmanager", "sqs"]
    src = _stack(["new iam.Role(this, 'R', props as any);", "new kms.Key(this, 'K');",
                  "new logs.LogGroup(this, 'L');", "new cloudwatch.Dashboard(this, 'D');",
                  "new ssm.StringParameter(this, 'P', props as any);", "new secretsmanager.Secret(this, 'S');",
                  "new sqs.Queue(this, 'Q');"], imports)
    assert hits(src, "TSQ-STR-001") == set()


def test_oversized_constructor_in_a_test_file_is_not_reported():
    p = project(**{"test/platform.test.ts": _stack([f"new sqs.Queue(this, 'Q{i}');" for i in range(45)])})
    assert hits(p, "TSQ-STR-001") == set()


# -- TSQ-STR-002 app in one file -----------------------------------------------------------
def _app(classes: str) -> str:
    return "import * as cdk from 'aws-cdk-lib';\nimport * as s3 from 'aws-cdk-lib/aws-s3';\n" + classes + \
        "\nconst app = new cdk.App();\n"


STACK_CLASS = "class {name} extends cdk.{base} {{ constructor(s: cdk.App, id: string) {{ super(s, id); }} }}\n"


def test_entry_point_declaring_two_stacks():
    src = _app(STACK_CLASS.format(name="A", base="Stack") + STACK_CLASS.format(name="B", base="Stack"))
    assert hits(src, "TSQ-STR-002") == {("TSQ-STR-002", 6)}


def test_entry_point_with_one_stack_and_a_nested_stack_is_fine():
    src = _app(STACK_CLASS.format(name="A", base="Stack") + STACK_CLASS.format(name="B", base="NestedStack"))
    assert hits(src, "TSQ-STR-002") == set()


def test_stack_module_without_app_is_fine():
    src = "import * as cdk from 'aws-cdk-lib';\n" + STACK_CLASS.format(name="A", base="Stack") \
        + STACK_CLASS.format(name="B", base="Stack")
    assert hits(src, "TSQ-STR-002") == set()


# -- TSQ-STR-003 resources on a bare stack -------------------------------------------------
BARE = """import * as cdk from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';

const app = new cdk.App();
const stack = new cdk.Stack(app, 'tap-quickstart', {
  env: { region: 'eu-west-1' },
});
new s3.Bucket(stack, 'A');
new sqs.Queue(stack, 'B');
"""


def test_resources_on_a_bare_stack():
    [finding] = findings(BARE + "new sqs.Queue(stack, 'C');\n", "TSQ-STR-003")
    assert (finding.line, finding.end_line) == (6, 8)
    assert "3 resources (s3, sqs)" in finding.message and "'tap-quickstart'" in finding.message
    assert "class TapQuickstartStack extends Stack" in finding.remediation


def test_an_entry_point_with_several_bare_stacks_gets_one_finding():
    src = BARE + """new sqs.Queue(stack, 'C');
const other = new cdk.Stack(app, 'ops-console');
new s3.Bucket(other, 'D');
new sqs.Queue(other, 'E');
new sqs.Queue(other, 'F');
"""
    [finding] = findings(src, "TSQ-STR-003")
    assert finding.line == 6 and "(and on 1 more: 'ops-console')" in finding.message


def test_two_resources_on_a_bare_stack_are_fine():
    assert hits(BARE, "TSQ-STR-003") == set()


def test_bare_stacks_in_tests_and_unknown_scopes_are_fine():
    p = project(**{"test/quickstart.test.ts": BARE + "new sqs.Queue(stack, 'C');\n"})
    assert hits(p, "TSQ-STR-003") == set()
    unknown_scope = BARE.replace("new s3.Bucket(stack", "new s3.Bucket(scopeOf(stack)") + \
        "new sqs.Queue(scopeOf(stack), 'C');\n"
    assert hits(unknown_scope, "TSQ-STR-003") == set()


# -- TSQ-STR-004 deeply nested construct creation ------------------------------------------
NESTED = """import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Stack } from 'aws-cdk-lib';
export class QueuesStack extends Stack {
  build(tenants: { name: string; tiers: string[] }[], dlq: boolean) {
    tenants.forEach(tenant => {
      for (const tier of tenant.tiers) {
        if (dlq) {
          new sqs.Queue(this, `${tenant.name}-${tier}-dlq`);
          try { if (tier) { new sqs.Queue(this, `${tier}-x`); } } catch (e) {}
        }
        new sqs.Queue(this, `${tenant.name}-${tier}`);
      }
    });
  }
  other(flag: boolean, mode: string) {
    if (flag) {
      if (mode === 'a') {
      } else if (mode === 'b') {
      } else if (mode === 'c') {
        new sqs.Queue(this, 'c');
      }
    }
  }
}
"""


def test_one_finding_per_method_at_its_deepest_construct():
    [finding] = findings(NESTED, "TSQ-STR-004")
    assert finding.line == 9
    assert "5 levels deep (callback → for → if → try → if) in QueuesStack.build()" in finding.message


def test_else_if_chains_do_not_add_depth():
    assert ("TSQ-STR-004", 20) not in hits(NESTED, "TSQ-STR-004")


# -- TSQ-TYP-006 props field not declared --------------------------------------------------
def _reader(props_type: str, reads: str, extra: str = "") -> str:
    return STACK_HEADER + extra + f"""
export class DnsStack extends cdk.Stack {{
  constructor(scope: Construct, id: string, props?: {props_type}) {{
    super(scope, id, props);
    {reads}
  }}
}}
"""


def test_field_missing_from_a_library_struct():
    reads = "const zone = props?.domainName ?? props!.domainName; const d = props?.description;"
    src = _reader("cdk.StackProps", reads)
    [finding] = findings(src, "TSQ-TYP-006")
    assert finding.line == 7
    assert "`props.domainName`" in finding.message and "`cdk.StackProps`" in finding.message
    assert "interface DnsStackProps extends cdk.StackProps" in finding.remediation


def test_field_missing_from_a_local_interface_chain_across_files():
    p = project(**{
        "lib/base.ts": "export interface BaseProps { readonly stage: string; }\n",
        "lib/dns.ts": _reader("DnsProps", "const a = props?.stage; const b = props?.zoneName;",
                              "import { BaseProps } from './base';\n"
                              "export interface DnsProps extends cdk.StackProps, BaseProps {}\n"),
    })
    [finding] = findings(p, "TSQ-TYP-006")
    assert (finding.path, finding.line) == ("lib/dns.ts", 9)
    assert "Add `readonly zoneName: <type>;` to interface DnsProps" in finding.remediation


def test_declared_fields_and_unknown_types_are_silent():
    assert hits(_reader("cdk.StackProps & { domainName: string }", "props?.domainName;"), "TSQ-TYP-006") == set()
    assert hits(_reader("Settings", "props?.domainName;", "import { Settings } from './missing';\n"),
                "TSQ-TYP-006") == set()
    assert hits(_reader("{ [key: string]: string }", "props?.domainName;"), "TSQ-TYP-006") == set()
    shadowed = "[{ other: 1 }].map((props) => props.other);"
    assert hits(_reader("cdk.StackProps", shadowed), "TSQ-TYP-006") == set()
