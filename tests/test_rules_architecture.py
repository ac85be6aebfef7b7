"""Architecture rules: single points of failure (ARC-SPOF), subnet design (ARC-NET), sizing
(ARC-SIZE). Exact (rule, line) sets; Unknown values and non-production stacks stay silent."""
import pytest

from rules.engine import analyse
from tests.helpers import hits, project

HEADER = """import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
"""
HEADER_LINES = HEADER.count("\n")


def stack(body: str, name: str = "NetworkStack") -> str:
    """A stack whose constructor holds `body`; body line 1 is file line HEADER_LINES + 4."""
    return HEADER + f"""
export class {name} extends cdk.Stack {{
  constructor(scope: Construct, id: string, props: any) {{
{body}
  }}
}}
"""


def line(n: int) -> int:
    """File line of body line n."""
    return HEADER_LINES + 3 + n


def findings(src: str, rule_id: str):
    p = project(**{"stack.ts": src})
    return [f for f in analyse(p).findings if f.rule_id == rule_id]


# --------------------------------------------------------------------------- ARC-SPOF-002
@pytest.mark.parametrize("props,expected", [
    ("maxAzs: 1,", {1}),
    ("availabilityZones: ['us-east-1a'],", {1}),
    ("maxAzs: 2,", set()),
    ("availabilityZones: ['us-east-1a', 'us-east-1b'],", set()),
    ("maxAzs: props.azs,", set()),
    ("availabilityZones: props.zones,", set()),
    ("maxAzs: isProd ? 3 : 1,", set()),
])
def test_single_az_vpc(props, expected):
    src = stack(f"""const isProd = props.stage === 'prod';
new ec2.Vpc(this, 'Vpc', {{
  {props}
}});""")
    assert hits(src, "ARC-SPOF-002") == {("ARC-SPOF-002", line(3)) for _ in expected}


def test_single_az_vpc_suggests_the_default_az_count():
    src = stack("""new ec2.Vpc(this, 'Vpc', {
      maxAzs: 1,
    });""")
    (finding,) = findings(src, "ARC-SPOF-002")
    assert finding.suggestion == "      maxAzs: 3,"


# --------------------------------------------------------------------------- ARC-SPOF-003
@pytest.mark.parametrize("props,reported", [
    ("maxAzs: 3, natGateways: 1", True),
    ("natGateways: 1", True),                       # default maxAzs: 3 (2 when env-agnostic)
    ("natGateways: 2", False),                      # may be 2 AZs: not sure
    ("maxAzs: 3, natGateways: 2", True),
    ("maxAzs: 2, natGateways: 2", False),
    ("maxAzs: 3", False),                           # unset natGateways: one per AZ
    ("maxAzs: 1, natGateways: 1", False),           # single AZ: ARC-SPOF-002
    ("maxAzs: 3, natGateways: isProd ? 3 : 1", False),
    ("maxAzs: 3, natGateways: isProd ? 1 : 3", True),
    ("maxAzs: 3, natGateways: props.nat", False),
    ("maxAzs: 3, natGateways: 1, natGatewayProvider: ec2.NatProvider.regionalGateway()", False),
    ("maxAzs: 3, natGateways: 1, natGatewayProvider: props.provider", False),
    ("maxAzs: 3, natGateways: 1, natGatewayProvider: ec2.NatProvider.instanceV2({ instanceType: new ec2.InstanceType('t4g.nano') })", True),
    ("maxAzs: 3, natGateways: 1, subnetConfiguration: [{ name: 'a', subnetType: ec2.SubnetType.PUBLIC }, { name: 'b', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }]", False),
    ("maxAzs: 3, natGateways: 1, subnetConfiguration: props.subnets", False),
])
def test_fewer_nat_gateways_than_azs(props, reported):
    src = stack(f"""const isProd = props.stage === 'prod';
new ec2.Vpc(this, 'Vpc', {{ {props} }});""")
    assert hits(src, "ARC-SPOF-003") == ({("ARC-SPOF-003", line(2))} if reported else set())


def test_nat_finding_points_at_the_prop_and_suggests_one_per_az():
    src = stack("""new ec2.Vpc(this, 'Vpc', {
      maxAzs: 3,
      natGateways: 1, // cost
    });""")
    (finding,) = findings(src, "ARC-SPOF-003")
    assert finding.line == line(3)
    assert finding.suggestion == "      natGateways: 3, // cost"
    assert "losing that AZ cuts internet egress for all private subnets" in finding.message


@pytest.mark.parametrize("name,reported", [
    ("NetworkStack", True), ("ProdNetworkStack", True), ("DevNetworkStack", False),
    ("SandboxStack", False),
])
def test_nat_rule_skips_stacks_named_non_production(name, reported):
    src = stack("new ec2.Vpc(this, 'Vpc', { maxAzs: 3, natGateways: 1 });", name=name)
    assert bool(hits(src, "ARC-SPOF-003")) is reported


def test_production_from_the_stage_prop_of_the_instance():
    lib = stack("new ec2.Vpc(this, 'Vpc', { maxAzs: 3, natGateways: 1 });", name="TestRunnerNetworkStack")
    app = """import * as cdk from 'aws-cdk-lib';
import { TestRunnerNetworkStack } from '../lib/network';
const app = new cdk.App();
new TestRunnerNetworkStack(app, 'Network', { stage: 'prod' });
"""
    assert hits(project(**{"lib/network.ts": lib}), "ARC-SPOF-003") == set()
    p = project(**{"lib/network.ts": lib, "bin/app.ts": app})
    assert hits(p, "ARC-SPOF-003") == {("ARC-SPOF-003", line(1))}


# --------------------------------------------------------------------------- ARC-SPOF-004
def test_single_az_database():
    src = stack("""new rds.DatabaseInstance(this, 'A', { engine: rds.DatabaseInstanceEngine.POSTGRES, vpc: props.vpc });
new rds.DatabaseInstance(this, 'B', {
  engine: rds.DatabaseInstanceEngine.POSTGRES,
  vpc: props.vpc,
  multiAz: false,
});
new rds.DatabaseInstance(this, 'C', { engine: rds.DatabaseInstanceEngine.POSTGRES, vpc: props.vpc, multiAz: true });
new rds.DatabaseInstance(this, 'D', { engine: rds.DatabaseInstanceEngine.POSTGRES, vpc: props.vpc, multiAz: props.ha });
new rds.DatabaseInstance(this, 'E', { ...props.dbProps });
new rds.DatabaseInstance(this, 'F', props.dbProps);
new rds.DatabaseInstance(this, 'G', { engine: rds.DatabaseInstanceEngine.POSTGRES, vpc: props.vpc, multiAz: isProd ? true : false });
new rds.DatabaseInstanceReadReplica(this, 'H', { sourceDatabaseInstance: props.db, instanceType: props.type, vpc: props.vpc });""")
    assert hits(src, "ARC-SPOF-004") == {("ARC-SPOF-004", line(1)), ("ARC-SPOF-004", line(5))}
    suggestion = next(f.suggestion for f in findings(src, "ARC-SPOF-004") if f.line == line(5))
    assert suggestion == "  multiAz: true,"


def test_single_az_database_in_dev_stack_is_silent():
    src = stack("new rds.DatabaseInstance(this, 'A', { engine: rds.DatabaseInstanceEngine.POSTGRES, vpc: props.vpc });",
                name="DevDatabaseStack")
    assert hits(src, "ARC-SPOF-004") == set()


# --------------------------------------------------------------------------- ARC-SPOF-005
def test_aurora_cluster_without_readers():
    src = stack("""const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 });
new rds.DatabaseCluster(this, 'NoReaders', { engine, vpc: props.vpc, writer: rds.ClusterInstance.provisioned('w') });
new rds.DatabaseCluster(this, 'EmptyReaders', {
  engine, vpc: props.vpc, writer: rds.ClusterInstance.provisioned('w'),
  readers: [],
});
new rds.DatabaseCluster(this, 'WithReader', {
  engine, vpc: props.vpc, writer: rds.ClusterInstance.provisioned('w'),
  readers: [rds.ClusterInstance.serverlessV2('r', { scaleWithWriter: true })],
});
new rds.DatabaseCluster(this, 'UnknownReaders', { engine, vpc: props.vpc, writer: rds.ClusterInstance.provisioned('w'), readers: props.readers });
new rds.DatabaseCluster(this, 'LegacyDefault', { engine, instanceProps: { vpc: props.vpc } });
new rds.DatabaseCluster(this, 'LegacyOne', {
  engine, instanceProps: { vpc: props.vpc },
  instances: 1,
});
new rds.DatabaseCluster(this, 'Spread', { engine, ...props.clusterProps });""")
    assert hits(src, "ARC-SPOF-005") == {
        ("ARC-SPOF-005", line(2)), ("ARC-SPOF-005", line(5)), ("ARC-SPOF-005", line(15))}


# --------------------------------------------------------------------------- ARC-SPOF-006
def test_single_node_cache():
    src = stack("""const base = { replicationGroupDescription: 'x', engine: 'redis', cacheNodeType: 'cache.r7g.large' };
new elasticache.CfnReplicationGroup(this, 'One', {
  ...base,
  numCacheClusters: 1,
  automaticFailoverEnabled: false,
});
new elasticache.CfnReplicationGroup(this, 'FailoverOff', {
  ...base,
  numCacheClusters: 2,
  automaticFailoverEnabled: false,
});
new elasticache.CfnReplicationGroup(this, 'FailoverDefault', { ...base, numCacheClusters: 2 });
new elasticache.CfnReplicationGroup(this, 'AllDefaults', { ...base });
new elasticache.CfnReplicationGroup(this, 'Good', { ...base, numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true });
new elasticache.CfnReplicationGroup(this, 'NoReplicas', {
  ...base, numNodeGroups: 3, automaticFailoverEnabled: true,
  replicasPerNodeGroup: 0,
});
new elasticache.CfnReplicationGroup(this, 'Unknown', props.cacheProps);
new elasticache.CfnReplicationGroup(this, 'UnknownFailover', { ...base, numCacheClusters: 2, automaticFailoverEnabled: props.failover });
new elasticache.CfnCacheCluster(this, 'Redis', {
  engine: 'redis', cacheNodeType: 'cache.r7g.large',
  numCacheNodes: 1,
});
new elasticache.CfnCacheCluster(this, 'Memcached', { engine: 'memcached', cacheNodeType: 'cache.r7g.large', numCacheNodes: 1 });""")
    assert hits(src, "ARC-SPOF-006") == {
        ("ARC-SPOF-006", line(4)), ("ARC-SPOF-006", line(10)), ("ARC-SPOF-006", line(12)),
        ("ARC-SPOF-006", line(13)), ("ARC-SPOF-006", line(17)), ("ARC-SPOF-006", line(23))}


# --------------------------------------------------------------------------- ARC-SPOF-007
INSTANCE = "new ec2.Instance(this, '{id}', {{ vpc: props.vpc, instanceType: new ec2.InstanceType('m7g.large'), machineImage: ec2.MachineImage.latestAmazonLinux2023() }});"
ASG = "new autoscaling.AutoScalingGroup(this, 'Asg', { vpc: props.vpc, instanceType: new ec2.InstanceType('m7g.large'), machineImage: ec2.MachineImage.latestAmazonLinux2023(), minCapacity: 2 });"


@pytest.mark.parametrize("name,body,reported", [
    ("ProdApiStack", [INSTANCE.format(id="Api")], True),
    ("ProdApiStack", [INSTANCE.format(id="Api"), INSTANCE.format(id="Bastion")], True),
    ("ProdApiStack", [INSTANCE.format(id="Bastion")], False),
    ("ProdApiStack", [INSTANCE.format(id="JumpHost")], False),
    ("ProdApiStack", [INSTANCE.format(id="Api"), ASG], False),
    ("ProdApiStack", [INSTANCE.format(id="Api1"), INSTANCE.format(id="Api2")], False),
    ("ApiStack", [INSTANCE.format(id="Api")], False),        # production not stated
    ("DevApiStack", [INSTANCE.format(id="Api")], False),
])
def test_single_app_server_instance(name, body, reported):
    src = stack("\n".join(body), name=name)
    assert hits(src, "ARC-SPOF-007") == ({("ARC-SPOF-007", line(1))} if reported else set())


# --------------------------------------------------------------------------- ARC-NET-001
@pytest.mark.parametrize("props,reported", [
    ("natGateways: 0, subnetConfiguration: [{ name: 'pub', subnetType: ec2.SubnetType.PUBLIC }, { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }]", True),
    ("natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_NAT }]", True),
    ("natGateways: 0", False),                          # default becomes PUBLIC + PRIVATE_ISOLATED
    ("natGateways: 0, subnetConfiguration: [{ name: 'pub', subnetType: ec2.SubnetType.PUBLIC }, { name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }]", False),
    ("natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, reserved: true }]", False),
    ("natGateways: 1, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }]", False),
    ("natGateways: isProd ? 2 : 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }]", False),
    ("natGateways: 0, subnetConfiguration: props.subnets", False),
    ("natGateways: 0, vpnGateway: true, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }]", False),
    ("natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: props.type }]", False),
])
def test_private_subnets_without_nat(props, reported):
    src = stack(f"""const isProd = props.stage === 'prod';
new ec2.Vpc(this, 'Vpc', {{ {props} }});""", name="DevNetworkStack")
    assert hits(src, "ARC-NET-001") == ({("ARC-NET-001", line(2))} if reported else set())


# --------------------------------------------------------------------------- ARC-NET-002
def test_deprecated_subnet_types_and_their_fixes():
    src = stack("""const a = ec2.SubnetType.PRIVATE_WITH_NAT;
const b = { subnetType: ec2.SubnetType.ISOLATED };
const c = ec2.SubnetType.PRIVATE;
const d = ec2.SubnetType.PRIVATE_WITH_EGRESS;
const e = props.SubnetType.PRIVATE;""")
    assert hits(src, "ARC-NET-002") == {("ARC-NET-002", line(1)), ("ARC-NET-002", line(2)), ("ARC-NET-002", line(3))}
    by_line = {f.line: f.suggestion for f in findings(src, "ARC-NET-002")}
    assert by_line[line(1)] == "const a = ec2.SubnetType.PRIVATE_WITH_EGRESS;"
    assert by_line[line(2)] == "const b = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };"


def test_deprecated_subnet_type_named_import_and_v1():
    named = """import { SubnetType } from 'aws-cdk-lib/aws-ec2';
export const t = SubnetType.PRIVATE_WITH_NAT;
"""
    v1 = """import * as ec2 from '@aws-cdk/aws-ec2';
export const t = ec2.SubnetType.PRIVATE;
"""
    assert hits(named, "ARC-NET-002") == {("ARC-NET-002", 2)}
    (finding,) = findings(v1, "ARC-NET-002")
    assert finding.line == 2 and finding.suggestion is None


# --------------------------------------------------------------------------- ARC-NET-003
def test_database_in_public_subnets():
    src = stack("""const engine = rds.DatabaseInstanceEngine.POSTGRES;
new rds.DatabaseInstance(this, 'A', {
  engine, vpc: props.vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
});
new rds.DatabaseInstance(this, 'B', {
  engine, vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  publiclyAccessible: true,
});
new rds.DatabaseInstance(this, 'C', { engine, vpc: props.vpc, vpcSubnets: { subnetType: isProd ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PUBLIC } });
new rds.DatabaseInstance(this, 'D', { engine, vpc: props.vpc, vpcSubnets: props.subnets });
new elasticache.CfnSubnetGroup(this, 'E', {
  description: 'cache',
  subnetIds: props.vpc.publicSubnets.map((s: ec2.ISubnet) => s.subnetId),
});
new elasticache.CfnSubnetGroup(this, 'F', {
  description: 'cache',
  subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PUBLIC }).subnetIds,
});
new elasticache.CfnSubnetGroup(this, 'G', { description: 'cache', subnetIds: props.vpc.isolatedSubnets.map((s: ec2.ISubnet) => s.subnetId) });
new lambda.Function(this, 'H', {
  runtime: lambda.Runtime.NODEJS_22_X, handler: 'i.h', code: lambda.Code.fromInline('x'),
  vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, allowPublicSubnet: true,
});""".replace("isProd", "props.stage === 'prod'"))
    assert hits(src, "ARC-NET-003") == {
        ("ARC-NET-003", line(4)), ("ARC-NET-003", line(8)), ("ARC-NET-003", line(14)), ("ARC-NET-003", line(18))}
    message = next(f.message for f in findings(src, "ARC-NET-003") if f.line == line(4))
    assert "publiclyAccessible unset, gets a public endpoint" in message


# --------------------------------------------------------------------------- ARC-NET-005
def test_servers_in_public_subnets_but_not_bastions():
    src = stack("""const PUBLIC_SUBNETS = { subnetType: ec2.SubnetType.PUBLIC };
const image = ec2.MachineImage.latestAmazonLinux2023();
const type = new ec2.InstanceType('m7g.large');
new autoscaling.AutoScalingGroup(this, 'Workers', { vpc: props.vpc, vpcSubnets: PUBLIC_SUBNETS, instanceType: type, machineImage: image });
new ec2.Instance(this, 'Api', { vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, instanceType: type, machineImage: image });
new ec2.Instance(this, 'JumpHost', { vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, instanceType: type, machineImage: image });
new ec2.Instance(this, 'Private', { vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, instanceType: type, machineImage: image });""")
    assert hits(src, "ARC-NET-005") == {("ARC-NET-005", line(1)), ("ARC-NET-005", line(4)), ("ARC-NET-005", line(5))}


# --------------------------------------------------------------------------- ARC-NET-004
def test_subnet_cidr_masks():
    src = stack("""const TINY = 28;
new ec2.Vpc(this, 'Vpc', {
  subnetConfiguration: [
    { name: 'a', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
    { name: 'b', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 27 },
    { name: 'c', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: TINY },
    { name: 'd', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 29 },
    { name: 'e', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 12 },
    { name: 'f', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: props.mask },
  ],
});""")
    got = {f.line: (f.severity.value, f.message) for f in findings(src, "ARC-NET-004")}
    assert set(got) == {line(1), line(5), line(6), line(7), line(8)}
    assert got[line(1)][1] == got[line(6)][1] + f" (set here, used at line {line(6)})"
    assert got[line(5)][0] == "warning" and "only 27 usable addresses" in got[line(5)][1]
    assert got[line(6)][0] == "warning" and "only 11 usable addresses" in got[line(6)][1]
    assert got[line(7)][0] == "error" and got[line(8)][0] == "error"


# --------------------------------------------------------------------------- ARC-SIZE-001
def test_small_burstable_instances():
    src = stack("""new autoscaling.AutoScalingGroup(this, 'Asg', {
  vpc: props.vpc, machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
});
new rds.DatabaseInstance(this, 'Db', {
  engine: rds.DatabaseInstanceEngine.POSTGRES, vpc: props.vpc,
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MICRO),
});
new elasticache.CfnReplicationGroup(this, 'Cache', {
  replicationGroupDescription: 'x',
  cacheNodeType: 'cache.t3.micro',
});
new opensearch.Domain(this, 'Search', {
  version: opensearch.EngineVersion.OPENSEARCH_2_17,
  capacity: {
    dataNodeInstanceType: 't3.small.search',
    dataNodes: 2,
  },
});
new ec2.LaunchTemplate(this, 'Lt', {
  instanceType: new ec2.InstanceType('t2.nano'),
});
new ec2.Instance(this, 'Bastion', { vpc: props.vpc, machineImage: ec2.MachineImage.latestAmazonLinux2023(), instanceType: new ec2.InstanceType('t3.micro') });
new ec2.Instance(this, 'Big', { vpc: props.vpc, machineImage: ec2.MachineImage.latestAmazonLinux2023(), instanceType: new ec2.InstanceType('t3.large') });
new ec2.Instance(this, 'Switch', { vpc: props.vpc, machineImage: ec2.MachineImage.latestAmazonLinux2023(), instanceType: isProd ? new ec2.InstanceType('m7g.large') : new ec2.InstanceType('t3.micro') });
new ec2.Instance(this, 'Unknown', { vpc: props.vpc, machineImage: ec2.MachineImage.latestAmazonLinux2023(), instanceType: props.type });
new rds.DatabaseCluster(this, 'Aurora', {
  engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }), vpc: props.vpc,
  writer: rds.ClusterInstance.provisioned('w', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE) }),
  readers: [rds.ClusterInstance.provisioned('r', {
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
  })],
});""".replace("isProd", "props.stage === 'prod'"))
    assert hits(src, "ARC-SIZE-001") == {
        ("ARC-SIZE-001", line(3)), ("ARC-SIZE-001", line(7)), ("ARC-SIZE-001", line(11)),
        ("ARC-SIZE-001", line(16)), ("ARC-SIZE-001", line(21)), ("ARC-SIZE-001", line(31))}


def test_small_burstable_in_dev_stack_is_silent():
    src = stack("new ec2.LaunchTemplate(this, 'Lt', { instanceType: new ec2.InstanceType('t3.micro') });",
                name="SandboxStack")
    assert hits(src, "ARC-SIZE-001") == set()


# --------------------------------------------------------------------------- ARC-SIZE-002
FN = "lambda.Function(this, '{id}', {{ runtime: lambda.Runtime.NODEJS_22_X, handler: 'i.h', code: lambda.Code.fromInline('x'){extra} }})"


def test_default_lambda_memory_behind_api():
    src = stack(f"""const rest = new {FN.format(id='Rest', extra='')};
new apigateway.LambdaRestApi(this, 'RestApi', {{ handler: rest }});
const small = new lambda.Function(this, 'Small', {{
  runtime: lambda.Runtime.NODEJS_22_X, handler: 'i.h', code: lambda.Code.fromInline('x'),
  memorySize: 128,
}});
const big = new {FN.format(id='Big', extra=', memorySize: 1024')};
const api = new apigateway.RestApi(this, 'Api');
api.root.addMethod('GET', new apigateway.LambdaIntegration(small));
api.root.addResource('big').addMethod('GET', new apigateway.LambdaIntegration(big));
const worker = new {FN.format(id='Worker', extra='')};
const unknown = new {FN.format(id='Unknown', extra=', memorySize: props.memory')};
api.root.addResource('u').addMethod('GET', new apigateway.LambdaIntegration(unknown));""")
    assert hits(src, "ARC-SIZE-002") == {("ARC-SIZE-002", line(1)), ("ARC-SIZE-002", line(5))}


def test_default_lambda_memory_in_dev_stack_is_silent():
    src = stack(f"""const rest = new {FN.format(id='Rest', extra='')};
new apigateway.LambdaRestApi(this, 'RestApi', {{ handler: rest }});""", name="DevApiStack")
    assert hits(src, "ARC-SIZE-002") == set()


# --------------------------------------------------------------------------- ARC-SIZE-003
@pytest.mark.parametrize("props,reported", [
    ("allocatedStorage: 10", True),
    ("allocatedStorage: 20", False),
    ("allocatedStorage: 50, storageType: rds.StorageType.IO1", True),
    ("allocatedStorage: 10, storageType: rds.StorageType.STANDARD", False),
    ("allocatedStorage: isProd ? 100 : 10", True),
    ("allocatedStorage: props.size", False),
    ("allocatedStorage: 10, storageType: props.type", False),
    ("", False),
])
def test_rds_storage_below_minimum(props, reported):
    src = stack(f"""const isProd = props.stage === 'prod';
new rds.DatabaseInstance(this, 'Db', {{ engine: rds.DatabaseInstanceEngine.POSTGRES, vpc: props.vpc, {props} }});""")
    assert hits(src, "ARC-SIZE-003") == ({("ARC-SIZE-003", line(2))} if reported else set())
