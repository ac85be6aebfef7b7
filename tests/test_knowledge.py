"""The knowledge layer against the committed data file (aws-cdk-lib 2.276.0) and overlay.yml.

Offline and fast: the data file is loaded once per process (functools.cache).
"""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from importlib import resources

import jsonschema
import pytest
import yaml

from rules.knowledge import ParamInfo, knowledge, load, type_fqns
from rules.knowledge.overlay import OVERLAY_FILE, load_overlay, parse_overlay


@pytest.fixture(scope="module")
def k():
    return knowledge()


@pytest.fixture(scope="module")
def raw():
    return json.loads(gzip.decompress(resources.files("rules.knowledge").joinpath(
        "aws_cdk_lib.json.gz").read_bytes()))


# --------------------------------------------------------------------------- loading

def test_versions(k):
    assert k.cdk_version == "2.276.0"
    assert k.constructs_version.startswith("10.")
    assert dict(k.packages) == {"aws-cdk-lib": k.cdk_version, "constructs": k.constructs_version}


def test_loaded_once_and_not_at_import(k):
    assert knowledge() is k
    code = "import rules.knowledge as m; print(m.knowledge.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_data_file_is_reproducible_gzip():
    data = resources.files("rules.knowledge").joinpath("aws_cdk_lib.json.gz").read_bytes()
    assert data[:2] == b"\x1f\x8b" and data[4:8] == b"\0\0\0\0"  # gzip mtime 0


def test_every_link_and_type_reference_resolves(raw):
    types, strings = raw["t"], raw["s"]
    refs: set[str] = set()
    for rec in types.values():
        refs.update(([rec["b"]] if "b" in rec else []) + rec.get("i", []))
        type_idx = [row[1] for row in rec.get("p", ())] + [p[1] for p in rec.get("n", ())]
        for row in rec.get("m", ()):
            type_idx += ([row[1]] if len(row) > 1 and row[1] else [])
            type_idx += [p[1] for p in (row[4] if len(row) > 4 else ())]
        refs.update(q for i in type_idx for q in type_fqns(strings[i]))
    assert refs and not {r for r in refs if r not in types}


# --------------------------------------------------------------------------- enums

def test_billing_mode_members(k):
    members = k.enum("aws_dynamodb.BillingMode").members
    assert "ON_DEMAND" not in members
    assert "PAY_PER_REQUEST" in members and "PROVISIONED" in members


def test_retention_days_members(k):
    members = k.enum("aws_logs.RetentionDays").members
    assert "THIRTY_DAYS" not in members
    assert {"ONE_MONTH", "TWO_YEARS", "INFINITE"} <= set(members)


def test_enum_member_deprecation(k):
    members = k.enum("aws_ec2.SubnetType").members
    assert members["PRIVATE_WITH_NAT"] == "use `PRIVATE_WITH_EGRESS`"
    assert members["PRIVATE_WITH_EGRESS"] is None and members["PUBLIC"] is None


def test_table_encryption_has_no_aws_owned_member(k):
    assert set(k.enum("aws_dynamodb.TableEncryption").members) == {
        "DEFAULT", "CUSTOMER_MANAGED", "AWS_MANAGED"}


def test_closest(k):
    billing = k.enum("aws_dynamodb.BillingMode").members
    assert k.closest("PAY_PER_REQEST", billing) == "PAY_PER_REQUEST"
    assert k.closest("payPerRequest", billing) == "PAY_PER_REQUEST"   # case and '_' ignored
    assert k.closest("XYZZY", billing) is None


# --------------------------------------------------------------------------- classes

def test_vpc_class(k):
    vpc = k.cls("aws_ec2.Vpc")
    assert vpc.bases == ("Resource", "constructs.Construct")
    assert vpc.is_construct and not vpc.abstract and vpc.deprecated is None
    assert [p.name for p in vpc.init_params] == ["scope", "id", "props"]
    assert vpc.init_params[2].optional and not vpc.init_params[1].optional
    assert (vpc.props_param_index, vpc.props_fqn) == (2, "aws_ec2.VpcProps")
    assert "aws_ec2.IVpc" in vpc.interfaces and "constructs.IConstruct" in vpc.interfaces
    assert vpc.source_file == "aws-ec2/lib/vpc.ts"
    assert {"fromLookup", "fromVpcAttributes", "isConstruct"} <= set(vpc.static_methods)
    assert "selectSubnets" not in vpc.static_methods and "selectSubnets" in vpc.methods


def test_inherited_members(k):
    bucket = k.cls("aws_s3.Bucket")
    assert bucket.methods["applyRemovalPolicy"].declared_in == "Resource"
    assert bucket.methods["grantRead"].declared_in == "aws_s3.BucketBase"
    vpc = k.cls("aws_ec2.Vpc")
    assert vpc.properties["node"].declared_in == "constructs.Construct"
    assert vpc.properties["node"].type == "constructs.Node"
    assert vpc.properties["stack"].declared_in == "Resource"
    assert vpc.static_methods["isConstruct"].declared_in == "constructs.Construct"


def test_method_params(k):
    asg = k.cls("aws_autoscaling.AutoScalingGroup")
    assert "metricCpuUtilization" not in asg.methods
    m = asg.methods["scaleOnCpuUtilization"]
    assert [(p.name, p.type, p.optional) for p in m.params] == [
        ("id", "string", False), ("props", "aws_autoscaling.CpuUtilizationScalingProps", False)]
    assert m.min_args == 2 and m.returns == "aws_autoscaling.TargetTrackingScalingPolicy"
    assert k.struct(m.param("props").type).required == ["targetUtilizationPercent"]


def test_no_public_constructor_and_non_constructs(k):
    duration = k.cls("Duration")
    assert duration.init_params is None and not duration.is_construct
    assert "minutes" in duration.static_methods and "toSeconds" in duration.methods
    assert k.cls("constructs.Construct").is_construct


def test_l1_class(k):
    cfn = k.cls("aws_s3.CfnBucket")
    assert cfn.is_construct and cfn.props_fqn == "aws_s3.CfnBucketProps"
    assert "CfnResource" in cfn.bases
    assert k.required_props("aws_s3.CfnBucket") == []


def test_deprecated_class_and_members(k):
    assert k.cls("aws_elasticsearch.Domain").deprecated
    assert k.deprecated("aws_elasticsearch.Domain") == k.cls("aws_elasticsearch.Domain").deprecated
    assert k.cls("aws_s3.Bucket").deprecated is None


# --------------------------------------------------------------------------- structs

def test_required_props(k):
    assert k.required_props("aws_rds.DatabaseInstance") == ["engine", "vpc"]
    assert k.props_of("aws_rds.DatabaseInstance").fqn == "aws_rds.DatabaseInstanceProps"
    assert k.required_props("aws_rds.DatabaseInstanceProps") == ["engine", "vpc"]
    assert k.required_props("aws_ec2.Vpc") == []
    assert k.required_props("aws_lambda.Function") == ["code", "handler", "runtime"]


def test_struct_props_flattened_and_documented(k):
    props = k.struct("aws_rds.DatabaseInstanceProps").props
    assert props["multiAz"].declared_in == "aws_rds.DatabaseInstanceNewProps"
    assert props["multiAz"].default == "false" and props["multiAz"].optional
    vpc_props = k.struct("aws_ec2.VpcProps").props
    assert vpc_props["cidr"].deprecated == "Use ipAddresses instead"
    assert vpc_props["ipAddresses"].deprecated is None
    assert vpc_props["maxAzs"].default == "3" and vpc_props["maxAzs"].type == "number"
    assert vpc_props["subnetConfiguration"].type == "Array<aws_ec2.SubnetConfiguration>"


def test_nested_struct_and_union_types(k):
    fqn = "aws_ec2.CfnSecurityGroup.IngressProperty"
    assert k.kind(fqn) == "struct"
    ingress = k.struct(fqn)
    assert ingress.required == ["ipProtocol"]
    assert ingress.props["fromPort"].type == "number"
    sg_props = k.struct("aws_ec2.CfnSecurityGroupProps").props
    assert sg_props["securityGroupIngress"].type == (
        "IResolvable | Array<IResolvable | aws_ec2.CfnSecurityGroup.IngressProperty>")
    assert type_fqns(sg_props["securityGroupIngress"].type) == (
        "IResolvable", "IResolvable", "aws_ec2.CfnSecurityGroup.IngressProperty")


def test_kinds(k):
    assert k.kind("aws_ec2.Vpc") == "class"
    assert k.kind("aws_ec2.VpcProps") == "struct"
    assert k.kind("aws_ec2.IVpc") == "interface"
    assert k.kind("aws_ec2.SubnetType") == "enum"
    assert k.kind("aws_ec2.Nope") is None and "aws_ec2.Nope" not in k
    assert k.struct("aws_ec2.IVpc") is None and k.interface("aws_ec2.VpcProps") is None
    assert k.cls("aws_ec2.SubnetType") is None and k.enum("aws_ec2.Vpc") is None


def test_behavioural_interface(k):
    ivpc = k.interface("aws_ec2.IVpc")
    assert "IResource" in ivpc.bases and "constructs.IConstruct" in ivpc.bases
    assert {"selectSubnets", "addFlowLog", "applyRemovalPolicy"} <= set(ivpc.methods)
    assert {"vpcId", "privateSubnets", "node", "stack"} <= set(ivpc.properties)
    assert ivpc.properties["privateSubnets"].type == "Array<aws_ec2.ISubnet>"


# --------------------------------------------------------------------------- modules

def test_modules(k):
    mods = k.modules()
    assert {"", "aws_ec2", "aws_kms", "aws_iam", "aws_s3.mixins"} <= mods
    assert "Key" in k.module_members("aws_kms")
    assert "Key" not in k.module_members("aws_iam")
    assert {"Stack", "Duration", "RemovalPolicy"} <= k.module_members("")
    ec2 = k.module_members("aws_ec2")
    assert "CfnSecurityGroup" in ec2 and "IngressProperty" not in ec2
    assert k.module_members("no_such_module") == frozenset()
    assert k.package_members("constructs") >= {"Construct", "IConstruct", "Node"}


def test_elasticache_has_only_l1(k):
    classes = [name for name in k.module_members("aws_elasticache") if k.kind(f"aws_elasticache.{name}") == "class"]
    assert classes and all(name.startswith("Cfn") for name in classes)


@pytest.mark.parametrize("module,name", [
    ("", "ResourceEnvironment"),                    # a type-only re-export; jsii files it under `interfaces`
    ("cx_api", "S3_CREATE_DEFAULT_LOGGING_POLICY"),  # a constant: jsii records no constants
    ("aws_s3", "IBucketRef"),                       # re-exported from `interfaces` by the module's index
])
def test_module_members_include_what_the_declarations_export(k, module, name):
    assert name in k.module_members(module)


def test_enum_members_include_aliases_jsii_drops(k):
    members = k.enum("aws_ec2.EbsDeviceVolumeType").members
    assert {"GP3", "GENERAL_PURPOSE_SSD_GP3", "MAGNETIC"} <= set(members)


# --------------------------------------------------------------------------- overlay

def test_overlay_loads_and_every_entry_cites_a_source():
    text = resources.files("rules.knowledge").joinpath(OVERLAY_FILE).read_text()
    raw = yaml.safe_load(text)
    entries = [d for c in raw["defaults"].values() for d in c["props"].values()]
    entries += list(raw["stateful"].values()) + raw["ports"]
    assert len(entries) > 100 and all(e.get("source") for e in entries)
    assert load_overlay().verified_against == "aws-cdk-lib 2.276.0"


def test_overlay_defaults_match_the_assembly(k):
    """Every default names a real construct/prop; its doc_default is the jsii @default text
    verbatim, and its source is the file that declares the prop."""
    facts = k.overlay.defaults()
    assert len(facts) > 80
    for fact in facts:
        assert k.cls(fact.construct).props_fqn == fact.props_struct, fact
        prop = k.struct(fact.props_struct).props[fact.prop]
        if fact.doc_default is not None:
            assert prop.default == fact.doc_default, fact
        assert k.source_file(prop.declared_in) == fact.source, fact
        for case in fact.cases:
            assert (case.if_set or case.if_equals[0].split(".")[0]) in k.struct(
                fact.props_struct).props, fact


def test_overlay_stateful_and_port_sources_exist(k):
    ov = k.overlay
    for fqn, fact in ov.stateful_facts.items():
        assert k.kind(fqn) == "class" and k.source_file(fqn) == fact.source, fqn
    known_files = {k.source_file(f) for f in k.fqns()}
    for port in ov.ports:
        assert port.source.startswith("external: ") or port.source in known_files, port
        assert all(k.kind(c) == "class" for c in port.constructs), port


def test_semantic_defaults(k):
    sd = k.semantic_default
    assert sd("aws_ec2.Vpc", "natGateways").value == "one_per_az"
    assert sd("aws_ec2.Vpc", "maxAzs").value == 3
    assert [s["subnetType"] for s in sd("aws_ec2.Vpc", "subnetConfiguration").value] == [
        "PUBLIC", "PRIVATE_WITH_EGRESS"]
    enc = sd("aws_rds.DatabaseInstance", "storageEncrypted")
    assert enc.value is False and enc.depends_on == ("storageEncryptionKey",)
    assert sd("aws_rds.DatabaseInstanceProps", "storageEncrypted") is enc   # by props struct
    assert sd("aws_rds.DatabaseInstance", "removalPolicy").value == "SNAPSHOT"
    assert sd("aws_rds.DatabaseInstance", "backupRetention").value == {"days": 1}
    assert sd("aws_rds.DatabaseInstance", "publiclyAccessible").cases[0].if_equals == (
        "vpcSubnets.subnetType", "PUBLIC")
    assert sd("aws_rds.DatabaseCluster", "storageEncrypted").value is False
    assert sd("aws_rds.DatabaseCluster", "readers").value == []
    assert sd("aws_dynamodb.Table", "billingMode").value == "PROVISIONED"
    assert sd("aws_dynamodb.TableV2", "billing").value == "PAY_PER_REQUEST"
    assert sd("aws_dynamodb.Table", "encryption").value in k.enum(
        "aws_dynamodb.TableEncryption").members
    assert sd("aws_s3.Bucket", "removalPolicy").value == "RETAIN"
    assert sd("aws_sqs.Queue", "removalPolicy").value == "DESTROY"
    assert sd("aws_logs.LogGroup", "retention").value in k.enum("aws_logs.RetentionDays").members
    assert sd("aws_lambda.Function", "timeout").value == {"seconds": 3}
    assert sd("aws_efs.FileSystem", "encrypted").feature_flag.name == (
        "@aws-cdk/aws-efs:defaultEncryptionAtRest")
    assert sd("aws_lambda.Function", "logGroup").feature_flag.v2_unset is False
    # Subclasses inherit their base construct's defaults.
    assert sd("aws_lambda_nodejs.NodejsFunction", "memorySize").value == 128
    assert sd("aws_s3.Bucket", "noSuchProp") is None and sd("aws_iam.Role", "path") is None


def test_default_ports(k):
    expected = {"postgres": 5432, "aurora-postgresql": 5432, "auroraPostgres": 5432,
                "mysql": 3306, "mariadb": 3306, "aurora-mysql": 3306, "sqlserver-ee": 1433,
                "oracle-se2": 1521, "redis": 6379, "memcached": 11211, "mongodb": 27017,
                "documentdb": 27017, "cassandra": 9042, "keyspaces": 9042, "redshift": 5439,
                "opensearch": 9200, "elasticsearch": 9200, "ssh": 22, "rdp": 3389}
    assert {name: k.default_port(name) for name in expected} == expected
    assert k.default_port("not-an-engine") is None and k.default_port("") is None
    assert k.port_name(5432) == "PostgreSQL" and k.port_fact(22).name == "SSH"
    assert k.port_name(3306) == "MySQL" and k.port_name(1) is None


def test_construct_ports(k):
    assert k.construct_port("aws_docdb.DatabaseCluster") == 27017
    assert k.construct_port("aws_efs.FileSystem") == 2049
    assert k.construct_port("aws_redshift.CfnCluster") == 5439
    assert k.construct_port("aws_rds.DatabaseInstance") is None      # depends on its engine
    assert k.construct_port("aws_elasticache.CfnCacheCluster") is None  # redis or memcached


def test_stateful(k):
    for fqn in ["aws_s3.Bucket", "aws_rds.DatabaseInstance", "aws_rds.DatabaseCluster",
                "aws_rds.ServerlessCluster", "aws_dynamodb.Table", "aws_dynamodb.TableV2",
                "aws_efs.FileSystem", "aws_kms.Key", "aws_kinesis.Stream", "aws_sqs.Queue",
                "aws_backup.BackupVault", "aws_elasticache.CfnReplicationGroup",
                "aws_opensearchservice.Domain", "aws_logs.LogGroup"]:
        assert k.is_stateful(fqn), fqn
    assert not k.is_stateful("aws_lambda.Function") and not k.is_stateful("aws_ec2.Vpc")
    assert k.stateful_fact("aws_sqs.Queue").removal == "DESTROY"


def test_malformed_overlay_fails_loudly():
    text = resources.files("rules.knowledge").joinpath(OVERLAY_FILE).read_text()
    raw = yaml.safe_load(text)
    del raw["defaults"]["aws_ec2.Vpc"]["props"]["maxAzs"]["source"]
    with pytest.raises(jsonschema.ValidationError):
        parse_overlay(yaml.safe_dump(raw))
    raw = yaml.safe_load(text)
    raw["ports"][0]["port"] = "5432"
    with pytest.raises(jsonschema.ValidationError):
        parse_overlay(yaml.safe_dump(raw))


def _write(path, data):
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


def test_load_rejects_other_formats(tmp_path):
    with pytest.raises(ValueError, match="format"):
        load(_write(tmp_path / "bad.json.gz", {"format": 999}))


def test_flattening_on_a_tiny_assembly(tmp_path):
    """Overrides shadow base members; interface members only fill gaps; statics inherit."""
    s = ["", "string", "number", "m.Props", "old"]
    data = {
        "format": 2, "packages": {"aws-cdk-lib": "0.0.0", "constructs": "10.0.0"},
        "modules": {"": [], "m": ["A", "B", "I", "Props", "BaseProps"]}, "entries": ["m"], "constructs": [],
        "s": s,
        "t": {
            "constructs.Construct": {"k": "c", "f": 0},
            "m.I": {"k": "i", "f": 0, "m": [["fromI", 1]], "p": [["x", 2, 4]]},
            "m.A": {"k": "c", "f": 0, "b": "constructs.Construct", "i": ["m.I"],
                    "m": [["m1", 1, 0, 4], ["make", 0, 2]], "p": [["x", 1, 4]]},
            "m.B": {"k": "c", "f": 0, "b": "m.A", "n": [["scope", 0], ["id", 1], ["props", 3, 1]],
                    "m": [["m1", 2, 0, 0, [["n", 2, 1]]]]},
            "m.BaseProps": {"k": "s", "f": 0, "p": [["a", 1, 0, 0, 4]]},
            "m.Props": {"k": "s", "f": 0, "i": ["m.BaseProps"], "p": [["b", 2, 1, 1]]},
        },
    }
    k = load(_write(tmp_path / "tiny.json.gz", data))
    b = k.cls("m.B")
    assert b.bases == ("m.A", "constructs.Construct") and b.is_construct
    assert b.interfaces == ("m.I",)
    assert b.methods["m1"].declared_in == "m.B" and b.methods["m1"].deprecated is None
    assert b.methods["m1"].params == (ParamInfo("n", "number", optional=True),)
    assert k.cls("m.A").methods["m1"].deprecated == "old"
    assert b.methods["fromI"].declared_in == "m.I"           # gap filled from the interface
    assert b.properties["x"].declared_in == "m.A" and b.properties["x"].type == "string"
    assert b.static_methods["make"].declared_in == "m.A"
    assert (b.props_param_index, b.props_fqn) == (2, "m.Props")
    props = k.props_of("m.B").props
    assert props["a"].deprecated == "old" and props["a"].declared_in == "m.BaseProps"
    assert props["b"].optional and props["b"].default == "string"
    assert k.required_props("m.B") == ["a"]
