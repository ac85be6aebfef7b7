"""SEC-SG-001 across import styles, constants, spreads, files, and silence on Unknown."""
import pytest

from tests.helpers import hits, project

BODY = """
export class DbStack extends Stack {{
  constructor(scope: Construct, id: string, props: DbProps) {{
    super(scope, id, props);
    const sg = new {ns}SecurityGroup(this, 'Sg', {{ vpc: props.vpc }});
    sg.addIngressRule({ns}Peer.anyIpv4(), {ns}Port.tcp({port}), 'db');
  }}
}}
"""

STYLES = {
    "namespace": ("import * as ec2 from 'aws-cdk-lib/aws-ec2';\nimport { Stack } from 'aws-cdk-lib';", "ec2."),
    "root-submodule": ("import { aws_ec2 as ec2, Stack } from 'aws-cdk-lib';", "ec2."),
    "named": ("import { SecurityGroup, Peer, Port } from 'aws-cdk-lib/aws-ec2';\nimport { Stack } from 'aws-cdk-lib';", ""),
    "root-namespace": ("import * as cdk from 'aws-cdk-lib';\nconst Stack = cdk.Stack;", "cdk.aws_ec2."),
    "v1": ("import * as ec2 from '@aws-cdk/aws-ec2';\nimport { Stack } from '@aws-cdk/core';", "ec2."),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_open_postgres_port_is_found_in_every_import_style(style):
    header, ns = STYLES[style]
    src = header + "\nimport { Construct } from 'constructs';\n" + BODY.format(ns=ns, port=5432)
    line = src.splitlines().index(next(l for l in src.splitlines() if "addIngressRule" in l)) + 1
    assert hits(src, "SEC-SG-001") == {("SEC-SG-001", line)}


def test_port_through_a_constant():
    header, ns = STYLES["namespace"]
    src = header + "\nconst DB_PORT = 5432;\n" + BODY.format(ns=ns, port="DB_PORT")
    assert hits(src, "SEC-SG-001") == {("SEC-SG-001", 9)}


def test_port_through_a_constant_in_another_file():
    header, ns = STYLES["namespace"]
    p = project(**{
        "lib/ports.ts": "export const DB_PORT = 5432;\n",
        "lib/db.ts": header + "\nimport { DB_PORT } from './ports';\n" + BODY.format(ns=ns, port="DB_PORT"),
    })
    assert hits(p, "SEC-SG-001") == {("SEC-SG-001", 9)}


def test_peer_and_port_through_a_spread_props_object():
    src = """import * as ec2 from 'aws-cdk-lib/aws-ec2';
const base = { peer: ec2.Peer.anyIpv4(), port: ec2.Port.tcp(5432) };
const rule = { ...base, description: 'db' };
export function open(sg: ec2.SecurityGroup) {
  sg.addIngressRule(rule.peer, rule.port, rule.description);
}
"""
    assert hits(src, "SEC-SG-001") == {("SEC-SG-001", 5)}


@pytest.mark.parametrize("port_expr", ["lookupPort()", "props.port", "process.env.DB_PORT as any"])
def test_unknown_port_is_silent(port_expr):
    src = f"""import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare function lookupPort(): number;
export function open(sg: ec2.SecurityGroup, props: any) {{
  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp({port_expr}), 'db');
}}
"""
    assert hits(src, "SEC-SG-001") == set()


@pytest.mark.parametrize("call,line_expected", [
    ("sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));", False),
    ("sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80));", False),
    ("sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(5432));", False),
    ("// sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(5432));", False),
    ("sg.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(22));", True),
    ("sg.addIngressRule(ec2.Peer.ipv4('0.0.0.0/0'), ec2.Port.allTcp());", True),
    ("sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.allTraffic());", True),
    ("sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(8000, 8100));", True),
    ("sg.connections.allowFromAnyIpv4(ec2.Port.tcp(3389));", True),
    ("sg.connections.allowFrom(ec2.Peer.anyIpv4(), ec2.Port.tcp(6379));", True),
])
def test_peer_and_port_forms(call, line_expected):
    src = f"""import * as ec2 from 'aws-cdk-lib/aws-ec2';
export function open(sg: ec2.SecurityGroup) {{
  {call}
}}
"""
    assert hits(src, "SEC-SG-001") == ({("SEC-SG-001", 3)} if line_expected else set())


def test_default_port_of_a_database_from_anywhere():
    src = """import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Stack } from 'aws-cdk-lib';
export class S extends Stack {
  build(vpc: ec2.IVpc) {
    const db = new rds.DatabaseInstance(this, 'Db', {
      engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }), vpc });
    db.connections.allowDefaultPortFromAnyIpv4('everyone');
  }
}
"""
    from rules.engine import analyse
    from tests.helpers import project as make
    result = analyse(make(**{"s.ts": src}))
    found = [f for f in result.findings if f.rule_id == "SEC-SG-001"]
    assert [(f.line, f.message) for f in found] == [(8, "MySQL port 3306 is open to 0.0.0.0/0")]


def test_production_branch_of_a_ternary_is_judged():
    src = """import * as ec2 from 'aws-cdk-lib/aws-ec2';
export function open(sg: ec2.SecurityGroup, isProd: boolean) {
  sg.addIngressRule(isProd ? ec2.Peer.ipv4('10.0.0.0/8') : ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
}
"""
    assert hits(src, "SEC-SG-001") == set()


def test_ports_opened_in_a_loop_over_a_constant_array():
    """Each element of the array is judged: 22 is admin, 80/443 are the web."""
    src = """import * as cdk from 'aws-cdk-lib';
import { aws_ec2 as ec2 } from 'aws-cdk-lib';

const ADMIN_PORTS = [443, 22];

export class AdminStack extends cdk.Stack {
  build(sg: ec2.SecurityGroup) {
    for (const port of ADMIN_PORTS) {
      sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), 'admin');
    }
    [443, 80].forEach((port) => sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port)));
  }
}
"""
    assert hits(project(**{"lib/admin.ts": src}), "SEC-SG-001") == {("SEC-SG-001", 9)}
