"""The app model and the rules that need the whole app: stack dependencies, cross-stack
references, configuration error handling and incomplete stacks, on multi-file apps
(bin/ + lib/, relative imports, re-exports), with positive and negative cases."""
import pytest

from rules.model.app import app_model
from tests.helpers import hits, project

HEADER = """import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
"""

NETWORK = HEADER + """
export interface NetworkStackProps extends cdk.StackProps {
  readonly stage: string;
}

export class NetworkStack extends cdk.Stack {
  public readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    this.vpc = new ec2.Vpc(this, 'Vpc', { vpcName: `app-${props.stage}-vpc` });
  }
}
"""

DATABASE = HEADER + """
export interface DatabaseStackProps extends cdk.StackProps {
  readonly stage: string;
}

export class DatabaseStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    super(scope, id, props);
    const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcName: `app-${props.stage}-vpc` });
    new ec2.SecurityGroup(this, 'Sg', { vpc }).addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(5432));
  }
}
"""

INDEX = """export * from './network/network-stack';
export { DatabaseStack } from './database-stack';
"""


def lookup_app(body: str, **extra) -> dict:
    files = {
        "lib/network/network-stack.ts": NETWORK,
        "lib/database-stack.ts": DATABASE,
        "lib/index.ts": INDEX,
        "bin/app.ts": "import * as cdk from 'aws-cdk-lib';\nimport { DatabaseStack, NetworkStack } from '../lib';\n"
                      "const app = new cdk.App();\nconst stage = app.node.tryGetContext('stage') ?? 'dev';\n" + body,
    }
    files.update(extra)
    return files


def line_of(src: str, needle: str, nth: int = 1) -> int:
    found = [i for i, line in enumerate(src.splitlines(), 1) if needle in line]
    return found[nth - 1]


# -- the model ---------------------------------------------------------------------------------
def test_model_finds_stacks_in_order_inputs_and_dependencies_through_reexports():
    p = project(**lookup_app("""const net = new NetworkStack(app, 'Net', { stage });
const db = new DatabaseStack(app, 'Db', { stage });
db.addDependency(net);
"""))
    unit, = app_model(p).units
    assert [s.name for s in unit.stacks] == ["NetworkStack", "DatabaseStack"]
    assert unit.app is not None and unit.file.path == "bin/app.ts"
    kinds = {(e.dependent.name, e.dependency.name, e.kind) for e in unit.edges}
    assert kinds == {("DatabaseStack", "NetworkStack", "addDependency"),
                     ("DatabaseStack", "NetworkStack", "string")}


def test_model_records_values_passed_between_stacks():
    p = project(**{
        "lib/stacks.ts": NETWORK + """
export interface AppStackProps extends cdk.StackProps { readonly vpc: ec2.IVpc; }
export class AppStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    new ec2.SecurityGroup(this, 'Sg', { vpc: props.vpc });
  }
}
""",
        "bin/app.ts": """import { App } from 'aws-cdk-lib';
import { AppStack, NetworkStack } from '../lib/stacks';
const app = new App();
const network = new NetworkStack(app, 'Network', { stage: 'prod' });
new AppStack(app, 'App', { ...{ env: {} }, vpc: network.vpc });
""",
    })
    unit, = app_model(p).units
    consumer = unit.stacks[1]
    assert [(i.producer.name, i.key, i.attrs, i.code) for i in consumer.inputs] == [
        ("NetworkStack", "vpc", ("vpc",), "network.vpc")]


def test_model_owner_of_a_construct_class_is_the_stack_that_creates_it():
    p = project(**{"lib/a.ts": HEADER + """
class Network extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ec2.Vpc(this, 'Vpc', { vpcName: 'shared' });
  }
}
export class NetStack extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Network(this, 'Net');
  }
}
"""})
    model = app_model(p)
    vpc = next(c for c in p.constructs("aws_ec2.Vpc"))
    assert [d.name for d in model.stack_classes_of(vpc.owner)] == ["NetStack"]
    assert model is app_model(p)          # cached per project


def test_test_files_are_not_entry_points():
    p = project(**lookup_app("", **{"test/app.test.ts": """import * as cdk from 'aws-cdk-lib';
import { DatabaseStack, NetworkStack } from '../lib';
const app = new cdk.App();
new DatabaseStack(app, 'Db', { stage: 'dev' });
new NetworkStack(app, 'Net', { stage: 'dev' });
"""}))
    assert app_model(p).units == []


# -- INC-DEP-001 ---------------------------------------------------------------------------------
def test_lookup_of_a_sibling_vpc_without_dependency_is_reported_at_the_consumer_new():
    files = lookup_app("""const db = new DatabaseStack(app, 'Db', { stage });
const net = new NetworkStack(app, 'Net', { stage });
""")
    p = project(**files)
    assert hits(p, "INC-DEP-001", "CDK-XSR-002") == {
        ("INC-DEP-001", line_of(files["bin/app.ts"], "new DatabaseStack")),
        ("CDK-XSR-002", line_of(DATABASE, "fromLookup")),
    }


@pytest.mark.parametrize("config", ["{ stage }", "resolveStage(app.node.tryGetContext('stage'))"])
def test_names_built_from_a_nested_props_object_match_when_both_stacks_get_the_same_one(config):
    """`props.config.stage` in both stacks, one `config` passed to both by the entry point."""
    nested = {path: src.replace("readonly stage: string;", "readonly config: { stage: string };")
              .replace("props.stage", "props.config.stage") for path, src in lookup_app("").items() if path.startswith("lib/")}
    app = ("import * as cdk from 'aws-cdk-lib';\nimport { DatabaseStack, NetworkStack } from '../lib';\n"
           "declare function resolveStage(name: string): { stage: string };\nconst app = new cdk.App();\n"
           f"const stage = app.node.tryGetContext('stage') ?? 'dev';\nconst config = {config};\n"
           "const db = new DatabaseStack(app, 'Db', { config });\nconst net = new NetworkStack(app, 'Net', { config });\n")
    p = project(**nested, **{"bin/app.ts": app})
    assert hits(p, "INC-DEP-001", "CDK-XSR-002") == {
        ("INC-DEP-001", line_of(app, "new DatabaseStack")),
        ("CDK-XSR-002", line_of(nested["lib/database-stack.ts"], "fromLookup")),
    }


@pytest.mark.parametrize("ordering", ["db.addDependency(net);", "db.node.addDependency(net);"])
def test_add_dependency_orders_the_lookup(ordering):
    p = project(**lookup_app(f"""const db = new DatabaseStack(app, 'Db', {{ stage }});
const net = new NetworkStack(app, 'Net', {{ stage }});
{ordering}
"""))
    assert hits(p, "INC-DEP-001", "INC-DEP-002") == set()


def test_names_that_differ_per_instance_do_not_match():
    p = project(**lookup_app("""new DatabaseStack(app, 'Db', { stage: 'dev' });
new NetworkStack(app, 'Net', { stage: 'prod' });
"""))
    assert hits(p, "INC-DEP-001", "CDK-XSR-002") == set()


def test_literal_stages_that_agree_match():
    files = lookup_app("""new DatabaseStack(app, 'Db', { stage: 'prod' });
new NetworkStack(app, 'Net', { stage: 'prod' });
""")
    assert hits(project(**files), "INC-DEP-001") == {("INC-DEP-001", line_of(files["bin/app.ts"], "DatabaseStack(app"))}


def test_stage_from_an_unknown_value_is_silent():
    files = lookup_app("""new DatabaseStack(app, 'Db', { stage: pick() });
new NetworkStack(app, 'Net', { stage: other() });
""")
    assert hits(project(**files), "INC-DEP-001") == set()


def test_scanning_one_stack_file_says_nothing_about_siblings():
    p = project(**{"lib/database-stack.ts": DATABASE})
    assert hits(p, "INC-DEP-001", "INC-DEP-002", "CDK-XSR-002") == set()


EXPORTER = HEADER + """import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ssm from 'aws-cdk-lib/aws-ssm';
export class DataStack extends cdk.Stack {
  public readonly table: dynamodb.Table;
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    this.table = new dynamodb.Table(this, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    new cdk.CfnOutput(this, 'Arn', { value: this.table.tableArn, exportName: 'Data-TableArn' });
    new ssm.StringParameter(this, 'P', { parameterName: '/data/table-name', stringValue: this.table.tableName });
  }
}
"""

IMPORTER = HEADER + """import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ssm from 'aws-cdk-lib/aws-ssm';
export class ApiStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    dynamodb.Table.fromTableArn(this, 'T', cdk.Fn.importValue('Data-TableArn'));
    ssm.StringParameter.valueForStringParameter(this, '/data/table-name');
  }
}
"""


def export_app(body: str) -> dict:
    return {"lib/data.ts": EXPORTER, "lib/api.ts": IMPORTER,
            "bin/main.ts": "import { App } from 'aws-cdk-lib';\nimport { DataStack } from '../lib/data';\n"
                           "import { ApiStack } from '../lib/api';\nconst app = new App();\n" + body}


def test_import_value_and_ssm_read_of_a_sibling_export_without_ordering():
    files = export_app("const api = new ApiStack(app, 'Api');\nconst data = new DataStack(app, 'Data');\n")
    assert hits(project(**files), "INC-DEP-001", "CDK-XSR-002", "CDK-XSR-004") == {
        ("INC-DEP-001", line_of(files["bin/main.ts"], "new ApiStack")),
        ("CDK-XSR-002", line_of(IMPORTER, "importValue")),
        ("CDK-XSR-002", line_of(IMPORTER, "valueForStringParameter")),
    }


def test_import_value_of_an_export_nobody_here_creates_is_only_a_hard_coded_name():
    p = project(**{"lib/api.ts": IMPORTER})
    assert hits(p, "INC-DEP-001", "CDK-XSR-002", "CDK-XSR-004") == {
        ("CDK-XSR-004", line_of(IMPORTER, "importValue"))}


def test_sibling_classes_without_an_entry_point_are_still_siblings():
    p = project(**{"lib/data.ts": EXPORTER, "lib/api.ts": IMPORTER})
    assert hits(p, "CDK-XSR-002", "INC-DEP-001") == {
        ("CDK-XSR-002", line_of(IMPORTER, "importValue")),
        ("CDK-XSR-002", line_of(IMPORTER, "valueForStringParameter"))}


def test_stacks_in_a_stage_are_a_unit():
    src = EXPORTER + IMPORTER.replace(HEADER, "").replace("import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';\n", "") \
        .replace("import * as ssm from 'aws-cdk-lib/aws-ssm';\n", "") + """
export class ProdStage extends cdk.Stage {
  constructor(scope: Construct, id: string, props?: cdk.StageProps) {
    super(scope, id, props);
    new ApiStack(this, 'Api');
    new DataStack(this, 'Data');
  }
}
"""
    assert hits(src, "INC-DEP-001") == {("INC-DEP-001", line_of(src, "new ApiStack(this"))}


# -- INC-DEP-002 -----------------------------------------------------------------------------------
CONSUMER = HEADER + """
export interface ServiceStackProps extends cdk.StackProps { readonly vpc: ec2.IVpc; }
export class ServiceStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    new ec2.SecurityGroup(this, 'Sg', { vpc: props.vpc });
  }
}
"""


def cycle_app(body: str) -> dict:
    return {"lib/network-stack.ts": NETWORK, "lib/service-stack.ts": CONSUMER,
            "bin/app.ts": "import * as cdk from 'aws-cdk-lib';\nimport { NetworkStack } from '../lib/network-stack';\n"
                          "import { ServiceStack } from '../lib/service-stack';\nconst app = new cdk.App();\n" + body}


@pytest.mark.parametrize("call", ["network.addDependency(service);", "network.node.addDependency(service);",
                                  "network.addStackDependency(service, 'why');"])
def test_reversed_add_dependency_is_a_cycle(call):
    files = cycle_app(f"""const network = new NetworkStack(app, 'Network', {{ stage: 'prod' }});
const service = new ServiceStack(app, 'Service', {{ vpc: network.vpc }});
{call}
""")
    assert hits(project(**files), "INC-DEP-002", "INC-DEP-001") == {
        ("INC-DEP-002", line_of(files["bin/app.ts"], "Dependency("))}


def test_add_dependency_in_the_right_direction_is_fine():
    files = cycle_app("""const network = new NetworkStack(app, 'Network', { stage: 'prod' });
const service = new ServiceStack(app, 'Service', { vpc: network.vpc });
service.addDependency(network);
""")
    assert hits(project(**files), "INC-DEP-002") == set()


def test_cycle_through_a_string_reference():
    files = export_app("""const data = new DataStack(app, 'Data');
const api = new ApiStack(app, 'Api');
data.addDependency(api);
""")
    assert hits(project(**files), "INC-DEP-002", "INC-DEP-001") == {
        ("INC-DEP-002", line_of(files["bin/main.ts"], "addDependency"))}


def test_a_stack_depending_on_itself():
    files = cycle_app("const network = new NetworkStack(app, 'Network', { stage: 'x' });\n"
                      "network.addDependency(network);\n")
    assert hits(project(**files), "INC-DEP-002") == {("INC-DEP-002", line_of(files["bin/app.ts"], "addDependency"))}


# -- CDK-XSR-001 ----------------------------------------------------------------------------------------
REHYDRATE = HEADER + """
export interface WorkerStackProps extends cdk.StackProps { readonly vpcId: string; }
export class WorkerStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: WorkerStackProps) {
    super(scope, id, props);
    const { vpcId } = props;
    const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId });
    new ec2.SecurityGroup(this, 'Sg', { vpc });
  }
}
"""


def test_string_attribute_rebuilt_with_from_lookup():
    files = cycle_app("const network = new NetworkStack(app, 'Network', { stage: 'prod' });\n"
                      "new WorkerStack(app, 'Worker', { vpcId: network.vpc.vpcId });\n")
    files["lib/worker.ts"] = REHYDRATE
    files["bin/app.ts"] = "import { WorkerStack } from '../lib/worker';\n" + files["bin/app.ts"]
    assert hits(project(**files), "CDK-XSR-001") == {("CDK-XSR-001", line_of(REHYDRATE, "fromLookup"))}


def test_string_id_from_configuration_is_not_rebuilt_from_a_stack():
    files = {"lib/worker.ts": REHYDRATE,
             "bin/app.ts": "import { App } from 'aws-cdk-lib';\nimport { WorkerStack } from '../lib/worker';\n"
                           "const app = new App();\nnew WorkerStack(app, 'Worker', { vpcId: app.node.getContext('vpc') });\n"}
    assert hits(project(**files), "CDK-XSR-001") == set()


def test_string_attribute_used_as_a_string_is_fine():
    worker = REHYDRATE.replace("const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId });\n"
                               "    new ec2.SecurityGroup(this, 'Sg', { vpc });", "new cdk.CfnOutput(this, 'V', { value: vpcId });")
    files = cycle_app("const network = new NetworkStack(app, 'Network', { stage: 'prod' });\n"
                      "new WorkerStack(app, 'Worker', { vpcId: network.vpc.vpcId });\n")
    files["lib/worker.ts"] = worker
    files["bin/app.ts"] = "import { WorkerStack } from '../lib/worker';\n" + files["bin/app.ts"]
    assert hits(project(**files), "CDK-XSR-001") == set()


# -- CDK-XSR-003 ---------------------------------------------------------------------------------------
def test_hard_coded_ids_and_arns_in_stack_code():
    src = HEADER + """import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
const SG_ID = 'sg-0123456789abcdef0';
export class S extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    ec2.SecurityGroup.fromSecurityGroupId(this, 'Sg', SG_ID);
    ec2.Subnet.fromSubnetId(this, 'Sub', 'subnet-12345678');
    new iam.Role(this, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['arn:aws:sns:eu-west-1:123456789012:alerts'] }));
    iam.ManagedPolicy.fromManagedPolicyArn(this, 'M', 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    lambda.LayerVersion.fromLayerVersionArn(this, 'L', 'arn:aws:lambda:eu-west-1:580247275435:layer:LambdaInsightsExtension:53');
    new iam.AccountPrincipal('123456789012');
    ec2.Vpc.fromLookup(this, 'V', { vpcId: 'vpc-1234' });
  }
}
"""
    assert hits(src, "CDK-XSR-003") == {
        ("CDK-XSR-003", line_of(src, "const SG_ID")),
        ("CDK-XSR-003", line_of(src, "subnet-12345678")),
        ("CDK-XSR-003", line_of(src, "arn:aws:sns")),
    }


def test_ids_in_config_modules_and_entry_points_are_where_they_belong():
    files = {
        "lib/config.ts": "export const PROD = { account: '123456789012', vpcId: 'vpc-0a1b2c3d4e5f67890' };\n",
        "lib/worker.ts": REHYDRATE,
        "bin/app.ts": """import { App } from 'aws-cdk-lib';
import { PROD } from '../lib/config';
import { WorkerStack } from '../lib/worker';
const app = new App();
new WorkerStack(app, 'Worker', { env: { account: '123456789012', region: 'eu-west-1' }, vpcId: PROD.vpcId });
""",
    }
    assert hits(project(**files), "CDK-XSR-003") == set()


def test_default_of_a_cloudformation_parameter_is_not_a_hard_coded_id():
    src = HEADER + """import * as sns from 'aws-cdk-lib/aws-sns';
export class Alerts extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const topicArn = new cdk.CfnParameter(this, 'TopicArn', {
      type: 'String',
      default: 'arn:aws:sns:eu-west-1:210987654321:ops-pager',
    });
    sns.Topic.fromTopicArn(this, 'Pager', topicArn.valueAsString);
    sns.Topic.fromTopicArn(this, 'Fallback', 'arn:aws:sns:eu-west-1:210987654321:ops-mail');
  }
}
"""
    assert hits(src, "CDK-XSR-003") == {("CDK-XSR-003", line_of(src, "ops-mail"))}


# -- CDK-XSR-005 -----------------------------------------------------------------------------------------
def output_stack(name: str, export: str) -> str:
    return HEADER + f"""
export class {name} extends cdk.Stack {{
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {{
    super(scope, id, props);
    new cdk.CfnOutput(this, 'Out', {{ value: 'x', exportName: {export} }});
  }}
}}
"""


def test_export_name_used_twice_across_files():
    a, b = output_stack("A", "'VpcId'"), output_stack("B", "'VpcId'")
    assert hits(project(**{"lib/a.ts": a, "lib/b.ts": b}), "CDK-XSR-005") == {
        ("CDK-XSR-005", line_of(b, "exportName"))}


@pytest.mark.parametrize("one,two,collide", [
    ("{ env }", "{ env }", True),
    ("{}", "{}", True),
    ("{ env: { region: 'eu-west-1' } }", "{ env: { region: 'us-east-1' } }", False),
])
def test_fixed_export_name_in_a_stack_created_twice(one, two, collide):
    a = output_stack("A", "'VpcId'")
    files = {"lib/a.ts": a, "bin/app.ts": f"""import {{ App }} from 'aws-cdk-lib';
import {{ A }} from '../lib/a';
const app = new App();
const env = {{ account: '111111111111', region: 'eu-west-1' }};
new A(app, 'One', {one});
new A(app, 'Two', {two});
"""}
    assert hits(project(**files), "CDK-XSR-005") == ({("CDK-XSR-005", line_of(a, "exportName"))} if collide else set())


@pytest.mark.parametrize("second_app,collide", [("svc/orders", False), ("svc/billing", True)])
def test_export_names_are_compared_within_one_app(second_app, collide):
    """Each directory with its own cdk.json is an app deployed on its own."""
    a, b = output_stack("A", "'QueueUrl'"), output_stack("B", "'QueueUrl'")
    files = {"svc/billing/cdk.json": '{"app": "npx ts-node bin/app.ts"}',
             "svc/orders/cdk.json": '{"app": "npx ts-node bin/app.ts"}',
             "svc/billing/lib/a.ts": a, f"{second_app}/lib/b.ts": b}
    assert hits(project(**files), "CDK-XSR-005") == ({("CDK-XSR-005", line_of(b, "exportName"))} if collide else set())


@pytest.mark.parametrize("second_app,collide", [("apig-waf/src", False), ("private-api/src", True)])
def test_apps_without_cdk_json_are_told_apart_by_their_package_json(second_app, collide):
    """An app run with `cdk --app ...` from a package script has no cdk.json of its own."""
    a, b = output_stack("A", "'ApiUrl'"), output_stack("B", "'ApiUrl'")
    files = {"package.json": "{}", "private-api/src/package.json": "{}", "apig-waf/src/package.json": "{}",
             "private-api/src/api/a.ts": a, f"{second_app}/api/b.ts": b}
    assert hits(project(**files), "CDK-XSR-005") == ({("CDK-XSR-005", line_of(b, "exportName"))} if collide else set())


def test_export_names_with_the_stack_name_do_not_collide():
    a, b = output_stack("A", "`${this.stackName}-VpcId`"), output_stack("B", "`${this.stackName}-VpcId`")
    assert hits(project(**{"lib/a.ts": a, "lib/b.ts": b}), "CDK-XSR-005") == set()


# -- INC-ERR-001 / 002 / 003 ----------------------------------------------------------------------------
ENTRY = "import { App, Stack } from 'aws-cdk-lib';\nconst app = new App();\n"


@pytest.mark.parametrize("code,flagged", [
    ("const stage: string = app.node.tryGetContext('stage');\nnew Stack(app, `Api${stage.toUpperCase()}`);", True),
    ("const stage = app.node.tryGetContext('stage');\nnew Stack(app, 'Api', { description: stage });", True),
    ("const { vpcCidr } = app.node.tryGetContext('prod');\nnew Stack(app, vpcCidr);", True),
    ("new Stack(app, 'Api', { description: app.node.tryGetContext('description') });", True),
    ("const stage = app.node.tryGetContext('stage') ?? 'dev';\nnew Stack(app, `Api${stage.toUpperCase()}`);", False),
    ("const stage = app.node.tryGetContext('stage');\nif (!stage) throw new Error('stage');\n"
     "new Stack(app, `Api${stage.toUpperCase()}`);", False),
    ("const stage = app.node.tryGetContext('stage');\nassertStage(stage);\nnew Stack(app, stage);", False),
    ("if (app.node.tryGetContext('debug')) { new Stack(app, 'Debug'); }", False),
    ("const account = app.node.tryGetContext('account');\nnew Stack(app, 'A', { env: { account } });", False),
    ("const unused = app.node.tryGetContext('x');", False),
])
def test_unchecked_context_values(code, flagged):
    src = ENTRY + code + "\n"
    assert hits(src, "INC-ERR-001") == ({("INC-ERR-001", 3)} if flagged else set())


@pytest.mark.parametrize("context,flagged", [
    ('{"region": "eu-west-1"}', True),
    ('{"stage": "dev"}', False),
    ('{"stage": null}', True),
])
def test_context_values_that_cdk_json_sets_are_defined(context, flagged):
    src = ENTRY + "const stage: string = app.node.tryGetContext('stage');\nnew Stack(app, `Api${stage.toUpperCase()}`);\n"
    files = {"cdk.json": '{"app": "npx ts-node bin/app.ts", "context": %s}' % context, "bin/app.ts": src}
    assert hits(project(**files), "INC-ERR-001") == ({("INC-ERR-001", 3)} if flagged else set())


@pytest.mark.parametrize("check,flagged", [
    ("if (!settings.alertEmail) throw new Error('alertEmail');", False),
    ("if (settings.owner === undefined) throw new Error('owner');", True),
    ("", True),
])
def test_context_value_checked_through_the_object_holding_it(check, flagged):
    src = ENTRY + f"""const settings = {{ alertEmail: app.node.tryGetContext('alertEmail'), owner: 'ops' }};
{check}
new Stack(app, 'Alerts', {{ description: settings.alertEmail }});
"""
    assert hits(src, "INC-ERR-001") == ({("INC-ERR-001", 3)} if flagged else set())


def test_context_guard_suggestion_keeps_the_line_and_adds_a_throw():
    from rules.engine import analyse
    from rules.registry import all_rules
    src = ENTRY + "  const stage: string = app.node.tryGetContext('stage');\nnew Stack(app, stage.trim());\n"
    finding, = analyse(project(**{"bin/app.ts": src}), rules=[r for r in all_rules() if r.id == "INC-ERR-001"]).findings
    assert finding.suggestion == ("  const stage: string = app.node.tryGetContext('stage');\n"
                                  "  if (!stage) throw new Error('Missing context value \"stage\": "
                                  "pass -c stage=... or set it in cdk.json');")


@pytest.mark.parametrize("code,flagged", [
    ("new Stack(app, 'A', { description: process.env.DESCRIPTION! });", True),
    ("new Stack(app, 'A', { description: process.env.DESCRIPTION as string });", True),
    ("new Stack(app, `${process.env.PREFIX}-api`);", True),
    ("const email = process.env.EMAIL!;\nnew Stack(app, 'A', { description: email });", True),
    ("new Stack(app, 'A', { description: process.env.DESCRIPTION ?? 'none' });", False),
    ("new Stack(app, 'A', { description: process.env.DESCRIPTION });", False),
    ("const email = process.env.EMAIL;\nif (!email) throw new Error('EMAIL');\nnew Stack(app, email);", False),
    ("new Stack(app, 'A', { env: { account: process.env.CDK_DEFAULT_ACCOUNT!, region: process.env.REGION! } });",
     False),
    ("const region = process.env.AWS_REGION || 'eu-west-1';\nnew Stack(app, `A-${region}`);", False),
])
def test_unchecked_environment_variables(code, flagged):
    src = ENTRY + code + "\n"
    assert hits(src, "INC-ERR-002") == ({("INC-ERR-002", 3)} if flagged else set())


@pytest.mark.parametrize("code,line", [
    ("const config = JSON.parse(fs.readFileSync('c.json', 'utf8'));\nnew Stack(app, config.name);", 4),
    ("const raw = fs.readFileSync('c.json').toString();\nconst config = JSON.parse(raw);\n"
     "new Stack(app, config.name);", 5),
    ("let config;\ntry {\n  config = JSON.parse(fs.readFileSync('c.json', 'utf8'));\n} catch (e) {\n"
     "  throw new Error('c.json is missing');\n}", None),
    ("const config = JSON.parse(fs.readFileSync('c.json', 'utf8'));\nif (!config.name) throw new Error('name');\n"
     "new Stack(app, config.name);", None),
    ("const config = ConfigSchema.parse(JSON.parse(fs.readFileSync('c.json', 'utf8')));\n"
     "new Stack(app, config.name);", None),
])
def test_unvalidated_config_files(code, line):
    src = "import * as fs from 'fs';\n" + ENTRY + code + "\n"
    assert hits(src, "INC-ERR-003") == ({("INC-ERR-003", line)} if line else set())


# -- INC-ERR-004 ------------------------------------------------------------------------------------------
REGIONAL = HEADER + """import * as s3 from 'aws-cdk-lib/aws-s3';
export class EdgeStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    if (this.region === 'us-east-1') { new s3.Bucket(this, 'A'); }
    if (cdk.Stack.of(this).account.startsWith('1')) { new s3.Bucket(this, 'B'); }
    new s3.Bucket(this, 'C', { bucketName: `logs-${this.region}` });
  }
}
"""


@pytest.mark.parametrize("props,flagged", [
    ("", {"this.region ===", "account.startsWith"}),
    (", { env: { account: '123456789012', region: 'us-east-1' } }", set()),
    (", { env: { region: 'us-east-1' } }", {"account.startsWith"}),
    (", { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } }", set()),
    (", buildProps()", set()),
])
def test_region_logic_in_env_agnostic_stacks(props, flagged):
    files = {"lib/edge.ts": REGIONAL, "bin/app.ts": "import { App } from 'aws-cdk-lib';\n"
             f"import {{ EdgeStack }} from '../lib/edge';\nconst app = new App();\nnew EdgeStack(app, 'Edge'{props});\n"}
    assert hits(project(**files), "INC-ERR-004") == {("INC-ERR-004", line_of(REGIONAL, n)) for n in flagged}


def test_region_logic_without_an_entry_point_is_silent_but_pseudo_parameters_are_not():
    src = REGIONAL.replace("new s3.Bucket(this, 'C'", "if (cdk.Aws.REGION === 'eu-west-1') {}\n    new s3.Bucket(this, 'C'")
    assert hits(src, "INC-ERR-004") == {("INC-ERR-004", line_of(src, "Aws.REGION"))}


# -- INC-STK-003 ------------------------------------------------------------------------------------------
PROPS = HEADER + """import * as sns from 'aws-cdk-lib/aws-sns';
export interface AlertsProps extends cdk.StackProps {
  readonly topicName: string;
  readonly dashboardName: string;
  readonly email?: string;
}
"""


@pytest.mark.parametrize("body,unused", [
    ("new sns.Topic(this, 'T', { topicName: props.topicName });", {"dashboardName", "email"}),
    ("const { topicName, ...rest } = props;\nnew sns.Topic(this, 'T', { topicName });", set()),
    ("const { topicName, email } = props;\nnew sns.Topic(this, 'T', { topicName, displayName: props!.dashboardName });",
     set()),
    ("new sns.Topic(this, 'T', { topicName: props['topicName'] });\nthis.build(props);", set()),
    ("this.props = props;", set()),
])
def test_props_declared_but_never_read(body, unused):
    src = PROPS + f"""
export class AlertsStack extends cdk.Stack {{
  constructor(scope: Construct, id: string, props: AlertsProps) {{
    super(scope, id, props);
    {body}
  }}
}}
"""
    assert hits(src, "INC-STK-003") == {("INC-STK-003", line_of(src, f"readonly {k}")) for k in unused}


def test_props_interface_in_another_file_through_a_reexport():
    stack = HEADER + """import * as sns from 'aws-cdk-lib/aws-sns';
import { AlertsProps } from './types';
export class AlertsStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id, props);
    new sns.Topic(this, 'T', { topicName: props.topicName, displayName: props.dashboardName });
  }
}
"""
    p = project(**{"lib/props.ts": PROPS, "lib/types.ts": "export * from './props';\n", "lib/alerts.ts": stack})
    assert hits(p, "INC-STK-003") == {("INC-STK-003", line_of(PROPS, "readonly email"))}


def test_props_passed_to_a_local_base_class_count_as_read():
    src = PROPS + """
class BaseStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: cdk.StackProps) { super(scope, id, props); }
}
export class AlertsStack extends BaseStack {
  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id, props);
    new sns.Topic(this, 'T', { topicName: props.topicName });
  }
}
"""
    assert hits(src, "INC-STK-003") == set()


def test_props_interface_also_taken_by_a_function_is_not_judged():
    src = PROPS + """
export function describe(props: AlertsProps) { return props.dashboardName + props.email; }
export class AlertsStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id, props);
    new sns.Topic(this, 'T', { topicName: props.topicName });
  }
}
"""
    assert hits(src, "INC-STK-003") == set()


def test_empty_stack_is_reported_once_not_per_prop():
    src = PROPS + """
export class AlertsStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id, props);
  }
}
"""
    assert hits(src, "INC-STK-003", "INC-STK-001") == {("INC-STK-001", line_of(src, "export class AlertsStack"))}


# -- INC-STK-004 ------------------------------------------------------------------------------------------
STACK = HEADER + """import * as iam from 'aws-cdk-lib/aws-iam';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
export class S extends cdk.Stack {
  constructor(scope: Construct, id: string, vpc: ec2.IVpc, alb: elbv2.ApplicationLoadBalancer, asg: autoscaling.AutoScalingGroup) {
    super(scope, id);
    BODY
  }
}
"""


@pytest.mark.parametrize("body,flagged", [
    ("const sg = new ec2.SecurityGroup(this, 'Sg', { vpc });\nsg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(443));"
     "\nsg.connections.allowFrom(asg, ec2.Port.tcp(80));\ncdk.Tags.of(sg).add('a', 'b');", True),
    ("new ec2.SecurityGroup(this, 'Sg', { vpc });", True),
    ("const sg = new ec2.SecurityGroup(this, 'Sg', { vpc });\nasg.addSecurityGroup(sg);", False),
    ("const sg = new ec2.SecurityGroup(this, 'Sg', { vpc });\nnew ec2.Instance(this, 'I', { vpc, securityGroup: sg, "
     "instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023() });", False),
    ("const sg = new ec2.SecurityGroup(this, 'Sg', { vpc });\nasg.connections.allowFrom(sg, ec2.Port.tcp(80));", False),
    ("this.sg = new ec2.SecurityGroup(this, 'Sg', { vpc });", False),
    ("const role = new iam.Role(this, 'R', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });\n"
     "role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));", True),
    ("new iam.Role(this, 'R', { assumedBy: new iam.AccountPrincipal('123456789012') });", False),
    ("new iam.Role(this, 'R', { roleName: 'ci', assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });", False),
    ("const role = new iam.Role(this, 'R', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });\n"
     "new iam.CfnInstanceProfile(this, 'P', { roles: [role.roleName] });", False),
    ("const tg = new elbv2.ApplicationTargetGroup(this, 'Tg', { vpc, port: 80 });\n"
     "alb.addListener('L', { port: 80, defaultTargetGroups: [tg] });", True),
    ("const tg = new elbv2.ApplicationTargetGroup(this, 'Tg', { vpc, port: 80 });\n"
     "alb.addListener('L', { port: 80, defaultAction: elbv2.ListenerAction.forward([tg]) });\ntg.addTarget(asg);", False),
    ("const tg = new elbv2.ApplicationTargetGroup(this, 'Tg', { vpc, port: 80 });\nasg.attachToApplicationTargetGroup(tg);",
     False),
    ("new elbv2.ApplicationTargetGroup(this, 'Tg', { vpc, port: 80, targets: [asg] });", False),
])
def test_constructs_created_and_never_used(body, flagged):
    src = STACK.replace("BODY", body.replace("\n", "\n    "))
    assert hits(src, "INC-STK-004") == ({("INC-STK-004", 10)} if flagged else set())


# -- INC-STK-005 ------------------------------------------------------------------------------------------
SERVICE = HEADER + """import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
export class ServiceStack extends cdk.Stack {
  public readonly table: dynamodb.Table;
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    this.table = new dynamodb.Table(this, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const fn = new lambda.Function(this, 'F', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset('x'),
    });
    this.table.grantReadData(fn);
  }
}
"""

ALARMS = HEADER + """import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
export interface MonitoringProps extends cdk.StackProps { readonly table: dynamodb.ITable; }
export class MonitoringStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id, props);
    new cloudwatch.Alarm(this, 'Throttles', {
      metric: props.table.metricThrottledRequestsForOperations(), threshold: 1, evaluationPeriods: 1,
    });
  }
}
"""


def monitoring_app(extra: str = "", **files) -> dict:
    out = {"lib/service.ts": SERVICE, "lib/monitoring.ts": ALARMS,
           "bin/app.ts": "import { App } from 'aws-cdk-lib';\nimport { ServiceStack } from '../lib/service';\n"
                         "import { MonitoringStack } from '../lib/monitoring';\nconst app = new App();\n"
                         "const service = new ServiceStack(app, 'Service');\n" + extra}
    out.update(files)
    return out


def test_app_with_compute_and_data_and_no_alarm_anywhere():
    files = monitoring_app()
    assert hits(project(**files), "INC-STK-005") == {("INC-STK-005", line_of(files["bin/app.ts"], "new App"))}


def test_monitoring_stack_watching_the_table_is_enough():
    files = monitoring_app("new MonitoringStack(app, 'Monitoring', { table: service.table });\n")
    assert hits(project(**files), "INC-STK-005") == set()


def test_app_with_a_stack_from_outside_the_project_is_not_judged():
    files = monitoring_app("new ExternalStack(app, 'Ext');\n")
    files["bin/app.ts"] = "import { ExternalStack } from '@acme/monitoring';\n" + files["bin/app.ts"]
    assert hits(project(**files), "INC-STK-005") == set()


def test_stack_file_alone_is_not_an_app():
    assert hits(project(**{"lib/service.ts": SERVICE}), "INC-STK-005") == set()


# -- INC-STK-002 / 006 ----------------------------------------------------------------------------------
def test_placeholders_in_stack_code():
    src = HEADER + """import * as route53 from 'aws-cdk-lib/aws-route53';
export class Dns extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new route53.PublicHostedZone(this, 'Z', { zoneName: '<your-domain>', comment: 'Managed by CDK' });
    // Records are not implemented yet
  }
  records(): void { throw new Error('Not implemented'); }
  other(): void { throw new Error('unexpected input'); }
}
"""
    assert hits(src, "INC-STK-006", "INC-STK-002") == {
        ("INC-STK-006", line_of(src, "<your-domain>")),
        ("INC-STK-002", line_of(src, "not implemented yet")),
        ("INC-STK-006", line_of(src, "Not implemented")),
    }


def test_export_named_after_the_stack_matches_the_instance_id():
    exporter = EXPORTER.replace("exportName: 'Data-TableArn'", "exportName: `${this.stackName}-TableArn`")
    files = export_app("new ApiStack(app, 'Api');\nnew DataStack(app, 'Data');\n")
    files["lib/data.ts"] = exporter
    assert ("INC-DEP-001", line_of(files["bin/main.ts"], "new ApiStack")) in hits(project(**files), "INC-DEP-001")
    files["bin/main.ts"] = files["bin/main.ts"].replace("'Data')", "'Storage')")
    files["lib/api.ts"] = IMPORTER.replace("ssm.StringParameter.valueForStringParameter(this, '/data/table-name');", "")
    assert hits(project(**files), "INC-DEP-001") == set()


def test_configuration_reads_in_tests_are_not_judged():
    src = ENTRY + "new Stack(app, 'A', { description: process.env.DESCRIPTION! + app.node.tryGetContext('x') });\n"
    assert hits(project(**{"test/app.test.ts": src}), "INC-ERR-001", "INC-ERR-002") == set()


def test_scanning_only_the_entry_point_uses_the_stacks_it_imports_but_reports_only_there():
    import textwrap
    from rules.model.project import Project
    files = {path: textwrap.dedent(src).encode() for path, src in lookup_app(
        "const db = new DatabaseStack(app, 'Db', { stage });\nconst net = new NetworkStack(app, 'Net', { stage });\n"
    ).items()}
    p = Project(display=lambda path: path, reader=files.get)
    p.select_analysed([p.add("bin/app.ts", files["bin/app.ts"])])
    assert [f.path for f in p.analysed] == ["bin/app.ts"] and "lib/database-stack.ts" in p.files
    assert hits(p, "INC-DEP-001", "CDK-XSR-002") == {
        ("INC-DEP-001", line_of(files["bin/app.ts"].decode(), "new DatabaseStack"))}


def test_name_passed_in_by_the_entry_point_is_matched_per_instance():
    storage = HEADER + """import * as s3 from 'aws-cdk-lib/aws-s3';
export class StorageStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: cdk.StackProps & { bucketName: string }) {
    super(scope, id, props);
    new s3.Bucket(this, 'B', { bucketName: props.bucketName });
  }
}
"""
    worker = HEADER + """import * as s3 from 'aws-cdk-lib/aws-s3';
export interface WorkerProps extends cdk.StackProps { readonly bucketName: string; }
export class WorkerStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id, props);
    s3.Bucket.fromBucketName(this, 'B', props.bucketName);
  }
}
"""
    entry = """import { App } from 'aws-cdk-lib';
import { StorageStack } from '../lib/storage';
import { WorkerStack } from '../lib/worker';
const app = new App();
const BUCKET = 'acme-reports';
new WorkerStack(app, 'Worker', { bucketName: BUCKET });
new StorageStack(app, 'Storage', { bucketName: OTHER });
"""
    files = {"lib/storage.ts": storage, "lib/worker.ts": worker, "bin/app.ts": entry}
    assert hits(project(**files), "INC-DEP-001", "CDK-XSR-002") == set()
    files["bin/app.ts"] = entry.replace("OTHER", "BUCKET")
    assert hits(project(**files), "INC-DEP-001", "CDK-XSR-002") == {
        ("INC-DEP-001", line_of(entry, "new WorkerStack")), ("CDK-XSR-002", line_of(worker, "fromBucketName"))}
