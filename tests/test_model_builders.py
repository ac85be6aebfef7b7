"""Values built by the app's own code: builder functions and methods, class constants,
default and namespace imports of local modules. Each was Unknown before, so rules stayed
silent on props handed out by helpers (found with tests/fixtures/style-corpus)."""
from rules.model import values as v
from tests.helpers import hits, project, single

HEADER = "import * as ec2 from 'aws-cdk-lib/aws-ec2';\nimport * as lambda from 'aws-cdk-lib/aws-lambda';\n"


def value_of(body: str, name: str = "x"):
    return single(HEADER + body).exported_value(name)


def test_a_builder_function_returns_its_object_with_the_arguments_bound():
    value = value_of("""
const DEFAULTS = { memorySize: 1024 };
function workerProps(name: string, { tracing }: { tracing: lambda.Tracing }) {
  const handler = `${name}.handler`;
  return { ...DEFAULTS, handler, tracing };
}
export const x = workerProps('parser', { tracing: lambda.Tracing.ACTIVE });
""")
    assert isinstance(value, v.Obj)
    assert v.literal(value.get("handler")) == "parser.handler"
    assert v.literal(value.get("memorySize")) == 1024
    assert v.is_symbol(value.get("tracing"), "aws_lambda.Tracing.ACTIVE")


def test_arrow_builders_and_nested_builders():
    value = value_of("""
const port = (n: number) => ec2.Port.tcp(n);
const rule = (n: number) => ({ port: port(n + 1) });
export const x = rule(5431);
""")
    assert isinstance(value, v.Obj)
    port = value.get("port")
    assert isinstance(port, v.Call) and port.fqn == "aws_ec2.Port.tcp" and v.literal(port.args[0]) == 5432


def test_functions_that_cannot_be_followed_stay_unknown():
    several_returns = value_of("function f(a: number) { if (a > 1) { return 1; } return 2; }\nexport const x = f(2);")
    assert isinstance(several_returns, v.Call) and not several_returns.callee.known
    recursive = value_of("function f(n: number): number { return f(n); }\nexport const x = f(1);")
    assert isinstance(recursive, v.Call) and recursive.fqn is None    # the depth limit stops it
    missing_argument = value_of("function f(a: number) { return { a }; }\nexport const x = f();")
    assert isinstance(missing_argument.get("a"), v.Param)


def test_methods_getters_and_static_members_of_the_apps_classes():
    f = single(HEADER + """
export class Defaults {
  static readonly NAT_GATEWAYS = 1;
  static vpcProps(azs: number) { return { maxAzs: azs, natGateways: Defaults.NAT_GATEWAYS }; }
}
export class Net {
  private readonly stage = 'prod';
  build() { return { a: this.props(2), prod: this.isProd }; }
  private props(n: number) { return { n }; }
  private get isProd() { return this.stage === 'prod'; }
}
export const x = Defaults.vpcProps(3);
""")
    value = f.exported_value("x")
    assert v.literal(value.get("maxAzs")) == 3 and v.literal(value.get("natGateways")) == 1
    build = next(n for n in f.nodes("method_definition") if n.child_by_field_name("name").text == b"build")
    built = f.evaluator.call(build, [], 1)
    assert v.literal(built.get("a").get("n")) == 2
    assert v.literal(built.get("prod")) is True


def test_default_and_namespace_imports_of_local_modules():
    p = project(**{
        "lib/settings.ts": "export default { natGateways: 1 };\n",
        "lib/config.ts": "export const DB_PORT = 5432;\n",
        "lib/stack.ts": HEADER + """
import settings from './settings';
import * as config from './config';
export const x = { nat: settings.natGateways, port: config.DB_PORT };
""",
    })
    value = p.files["lib/stack.ts"].exported_value("x")
    assert v.literal(value.get("nat")) == 1 and v.literal(value.get("port")) == 5432


def test_this_handed_to_a_helper_in_another_file_keeps_its_class():
    p = project(**{
        "lib/helpers.ts": HEADER + "export function bucketName(scope: any) { return scope.prefix; }\n",
        "lib/stack.ts": HEADER + """
import { bucketName } from './helpers';
export class S {
  readonly prefix = 'tap';
  name() { return bucketName(this); }
}
""",
    })
    f = p.files["lib/stack.ts"]
    method = next(n for n in f.nodes("method_definition") if n.child_by_field_name("name").text == b"name")
    assert v.literal(f.evaluator.call(method, [], 1)) == "tap"


def test_rules_see_props_from_builders_across_files():
    """Props from a shared builder module: a missing `tracing` and an open SG port are found,
    and findings point at the construct / the rule call, not inside the helper."""
    p = project(**{
        "lib/defaults.ts": """
            import { Duration } from 'aws-cdk-lib';
            import { Code, FunctionProps, Runtime } from 'aws-cdk-lib/aws-lambda';
            export const DB_PORT = 5432;
            export function workerProps(name: string): FunctionProps {
              return { runtime: Runtime.NODEJS_22_X, handler: `${name}.handler`, code: Code.fromAsset(name),
                       timeout: Duration.seconds(30) };
            }
            """,
        "lib/stack.ts": """
            import { Stack } from 'aws-cdk-lib';
            import { Peer, Port, SecurityGroup, IVpc } from 'aws-cdk-lib/aws-ec2';
            import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
            import { Construct } from 'constructs';
            import * as defaults from './defaults';

            export class WorkersStack extends Stack {
              constructor(scope: Construct, id: string, vpc: IVpc) {
                super(scope, id);
                new LambdaFunction(this, 'Parser', defaults.workerProps('parser'));
                const sg = new SecurityGroup(this, 'Db', { vpc });
                sg.addIngressRule(Peer.anyIpv4(), Port.tcp(defaults.DB_PORT));
              }
            }
            """,
    })
    stack = p.files["lib/stack.ts"].lines
    line = {n: i for i, text in enumerate(stack, 1) for n in ("'Parser'", "addIngressRule") if n in text}
    assert hits(p, "OPS-MON-005", "SEC-SG-001") == {("OPS-MON-005", line["'Parser'"]),
                                                     ("SEC-SG-001", line["addIngressRule"])}


def test_a_conditional_argument_of_a_library_call_becomes_a_conditional_of_calls():
    value = value_of("""
declare const isProd: boolean;
export const x = ec2.InstanceType.of(ec2.InstanceClass.T3, isProd ? ec2.InstanceSize.SMALL : ec2.InstanceSize.MICRO);
""")
    assert isinstance(value, v.Cond)
    sizes = [b.args[1].fqn for b in v.branches(value)]
    assert sizes == ["aws_ec2.InstanceSize.SMALL", "aws_ec2.InstanceSize.MICRO"]
    assert all(isinstance(b, v.Call) and b.fqn == "aws_ec2.InstanceType.of" for b in v.branches(value))
    unknown = value_of("declare const c: boolean;\nexport const x = g(c ? 1 : 2);")
    assert isinstance(unknown, v.Call) and isinstance(unknown.args[0], v.Cond)   # other calls keep their arguments


HELPERS = """import { Stack, RemovalPolicy, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

function dataBucket(scope: Construct, id: string, key: kms.IKey, overrides: Partial<s3.BucketProps>): s3.Bucket {
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    enforceSSL: true,
    ...overrides,
  });
}

export class EtlStack extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', { enableKeyRotation: true });
    dataBucket(this, 'Raw', key, {
      removalPolicy: RemovalPolicy.DESTROY,
    });
    dataBucket(this, 'Curated', key, { versioned: true, removalPolicy: RemovalPolicy.RETAIN });
    this.buildQueue('Jobs');
  }

  private buildQueue(name: string) {
    return new s3.Bucket(this, `${name}Archive`, { versioned: true });
  }
}
"""


def test_a_helper_creates_one_construct_per_call_judged_on_what_the_call_passes():
    from rules.model.constructs import CallSiteConstruct
    f = single(HELPERS)
    buckets = [c for c in f.constructs if c.fqn == "aws_s3.Bucket"]
    assert [(type(c).__name__, v.literal(c.id)) for c in buckets] == [
        ("CallSiteConstruct", "Raw"), ("CallSiteConstruct", "Curated"), ("CallSiteConstruct", "JobsArchive")]
    raw, curated, _ = buckets
    assert v.literal(raw.prop("enforceSSL")) is True and v.is_symbol(raw.prop("removalPolicy"), "RemovalPolicy.DESTROY")
    assert v.is_symbol(curated.prop("removalPolicy"), "RemovalPolicy.RETAIN")
    assert raw.prop_node("removalPolicy").start_point[0] + 1 == 18       # the pair the call passes
    assert all(isinstance(c, CallSiteConstruct) is False for c in f.constructs if c.fqn == "aws_kms.Key")


def test_findings_follow_each_call():
    from rules.engine import analyse
    from rules.registry import REGISTRY
    found = analyse(project(**{"lib/etl.ts": HELPERS}), rules=[REGISTRY["OPS-BAK-001"]]).findings
    assert [(f.line, f.message) for f in found] == [
        (18, "Bucket 'Raw' holds data but is deleted with its stack (RemovalPolicy.DESTROY)")]


def test_a_helper_nobody_calls_is_judged_on_its_own():
    f = single(HELPERS.replace("    dataBucket(this, 'Raw', key, {\n      removalPolicy: RemovalPolicy.DESTROY,\n    });\n", "")
               .replace("    dataBucket(this, 'Curated', key, { versioned: true, removalPolicy: RemovalPolicy.RETAIN });\n", ""))
    [bucket, _] = [c for c in f.constructs if c.fqn == "aws_s3.Bucket"]
    assert type(bucket).__name__ == "Construct" and isinstance(bucket.id, v.Param)
