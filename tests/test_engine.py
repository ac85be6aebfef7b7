"""The engine: crash isolation, config severities, suppressions, deterministic order."""
from rules.config import parse_config
from rules.engine import analyse
from rules.registry import REGISTRY, Hit, all_rules, rule
from tests.helpers import project

V1 = "import * as s3 from '@aws-cdk/aws-s3';\nexport const b = s3.Bucket;\n"
KNOWN = {r.id for r in all_rules()}


def config(text: str):
    return parse_config(text, source="cdk-review.yml", known_rule_ids=KNOWN)


def test_a_crashing_rule_is_a_diagnostic_and_the_others_still_run():
    doc = ("## What it does\nx\n\n## Why is this bad?\ny\n\n## Example\n```ts\nconst a = 1; // <-- SEC-ZZ-998\n```\n\n"
           "## Use instead\n```ts\nconst a = 2;\n```\n")

    def boom(f, ctx):
        raise RuntimeError("kaput")
    boom.__doc__ = doc
    rule(id="SEC-ZZ-998", name="zz-crashes", subcategory="missing-kms-encryption",
         severity="error", message="m", remediation="r")(boom)
    try:
        crashing = REGISTRY["SEC-ZZ-998"]
        result = analyse(project(**{"a.ts": V1}), rules=[crashing, REGISTRY["TSQ-IMP-001"]])
    finally:
        REGISTRY.pop("SEC-ZZ-998")
    assert [(f.rule_id, f.line) for f in result.findings] == [("TSQ-IMP-001", 1)]
    [diag] = result.diagnostics
    assert diag.rule_id == "SEC-ZZ-998" and diag.path == "a.ts" and diag.level == "error"
    assert "RuntimeError: kaput" in diag.message and "crashed on a.ts" in diag.message


def test_config_severity_overrides_and_off():
    p = project(**{"a.ts": V1})
    [finding] = [f for f in analyse(p, config("rules:\n  import-statements: warning\n")).findings
                 if f.rule_id == "TSQ-IMP-001"]
    assert finding.severity.value == "warning"
    assert not [f for f in analyse(p, config("rules:\n  TSQ-IMP-001: off\n")).findings if f.rule_id == "TSQ-IMP-001"]


def test_suppression_with_reason_suppresses_and_without_reason_is_reported():
    src = ("// cdk-review-ignore TSQ-IMP-001: migrating next sprint\n"
           "import * as s3 from '@aws-cdk/aws-s3';\n"
           "import * as sns from '@aws-cdk/aws-sns'; // cdk-review-ignore TSQ-IMP-001\n"
           "export const b = [s3.Bucket, sns.Topic];\n")
    result = analyse(project(**{"a.ts": src}), rules=[REGISTRY["TSQ-IMP-001"]])
    assert [(f.rule_id, f.line) for f in result.findings] == [("TSQ-IMP-001", 3)]
    assert [(d.line, d.level) for d in result.diagnostics] == [(3, "notice")]
    assert "reason" in result.diagnostics[0].message


def test_findings_are_sorted_and_deterministic():
    p = {"b.ts": V1, "a.ts": V1 + "const x: any = 1;\n"}
    first = analyse(project(**p)).findings
    second = analyse(project(**dict(reversed(list(p.items()))))).findings
    assert first == second
    assert [f.sort_key() for f in first] == sorted(f.sort_key() for f in first)


def test_fingerprint_is_stable_when_lines_move():
    a = analyse(project(**{"a.ts": V1}), rules=[REGISTRY["TSQ-IMP-001"]]).findings[0]
    b = analyse(project(**{"a.ts": "\n\n" + V1}), rules=[REGISTRY["TSQ-IMP-001"]]).findings[0]
    assert a.line != b.line and a.fingerprint == b.fingerprint


def test_props_built_by_a_function_yield_no_finding_for_props_it_cannot_see():
    src = """import * as s3 from 'aws-cdk-lib/aws-s3';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Stack } from 'aws-cdk-lib';
import { bucketProps, dbProps } from './defaults-that-are-not-here';
declare function makeProps(): s3.BucketProps;
export class S extends Stack {
  build() {
    new s3.Bucket(this, 'A', makeProps());
    new s3.Bucket(this, 'B', { ...bucketProps(), versioned: true });
    new rds.DatabaseInstance(this, 'Db', dbProps);
  }
}
"""
    assert analyse(project(**{"s.ts": src})).findings == []


TEST_FIXTURE = """import * as cdk from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';

const app = new cdk.App();
const stack = new cdk.Stack(app, 'Uploads');
new s3.Bucket(stack, 'Scratch', { removalPolicy: cdk.RemovalPolicy.DESTROY });
new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.THIRTY_DAYS });
Template.fromStack(stack);
"""


def test_test_files_get_only_the_rules_for_code_that_cannot_work():
    """A test's throw-away bucket is not a finding; an enum member that does not exist still is."""
    by_path = {}
    app = TEST_FIXTURE.replace("import { Template } from 'aws-cdk-lib/assertions';\n", "").replace(
        "Template.fromStack(stack);\n", "")
    for f in analyse(project(**{"lib/app.ts": app, "test/app.test.ts": TEST_FIXTURE})).findings:
        by_path.setdefault(f.path, set()).add(f.rule_id)
    assert {"OPS-BAK-001", "SEC-KMS-001", "CDK-API-001"} <= by_path["lib/app.ts"]
    assert by_path["test/app.test.ts"] == {"CDK-API-001"}
    assert all(REGISTRY[rule_id].in_tests for rule_id in by_path["test/app.test.ts"])


CONFIG = """export const DATABASE = {
  backupDays: 0,
  instanceClass: 'r6g',
};
"""
DATABASES = """import { Duration, Stack, aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';
import { DATABASE } from './config';
const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 });

export class DataStack extends Stack {
  build(vpc: ec2.IVpc) {
    new rds.DatabaseInstance(this, 'Orders', {
      engine, vpc, multiAz: true, storageEncrypted: true,
      backupRetention: Duration.days(DATABASE.backupDays),
    });
    new rds.DatabaseInstance(this, 'Billing', {
      engine, vpc, multiAz: true, storageEncrypted: true,
      backupRetention: Duration.days(DATABASE.backupDays),
    });
  }
}
"""


def test_a_value_set_in_a_config_module_is_also_reported_where_it_is_set():
    """The pull request that sets `backupDays: 0` changes lib/config.ts, not the stack."""
    found = analyse(project(**{"lib/config.ts": CONFIG, "lib/data.ts": DATABASES}),
                    rules=[REGISTRY["OPS-BAK-002"]]).findings
    assert [(f.path, f.line) for f in found] == [("lib/config.ts", 2), ("lib/data.ts", 9), ("lib/data.ts", 13)]
    at_config = found[0]
    assert at_config.message == found[1].message + " (set here, used at lib/data.ts:9 and 1 more)"
    assert at_config.suggestion is None and at_config.end_line == 2


def test_where_a_value_is_set_is_not_reported_outside_the_analysed_files_or_for_key_defects():
    from rules.model.project import Project
    sources = {"lib/config.ts": CONFIG.encode(), "lib/data.ts": DATABASES.encode()}
    only_stack = Project(display=lambda p: p, reader=sources.get)
    only_stack.select_analysed([only_stack.add("lib/data.ts", sources["lib/data.ts"])])
    found = analyse(only_stack, rules=[REGISTRY["OPS-BAK-002"]]).findings
    assert [(f.path, f.line) for f in found] == [("lib/data.ts", 9), ("lib/data.ts", 13)]
    assert not REGISTRY["CDK-API-001"].follows_values      # a wrong prop name is wrong where it is written


DEFAULTS = """import { RemovalPolicy } from 'aws-cdk-lib';

export const DATABASE_DEFAULTS = {
  multiAz: true,
  removalPolicy: RemovalPolicy.DESTROY,
};
"""
MANAGED_DB = """import { Stack, aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';
import { DATABASE_DEFAULTS } from './defaults';

export class DataStack extends Stack {
  build(vpc: ec2.IVpc) {
    new rds.DatabaseInstance(this, 'Orders', {
      ...DATABASE_DEFAULTS,
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
      vpc,
    });
  }
}
"""


def test_a_prop_spread_from_another_files_defaults_is_reported_where_it_is_written():
    found = analyse(project(**{"lib/defaults.ts": DEFAULTS, "lib/data.ts": MANAGED_DB}),
                    rules=[REGISTRY["OPS-BAK-001"]]).findings
    assert [(f.path, f.line, f.suggestion) for f in found] == [("lib/defaults.ts", 5, None)]


def test_defaults_outside_the_analysed_files_are_reported_at_the_construct():
    from rules.model.project import Project
    sources = {"lib/defaults.ts": DEFAULTS.encode(), "lib/data.ts": MANAGED_DB.encode()}
    only_stack = Project(display=lambda p: p, reader=sources.get)
    only_stack.select_analysed([only_stack.add("lib/data.ts", sources["lib/data.ts"])])
    found = analyse(only_stack, rules=[REGISTRY["OPS-BAK-001"]]).findings
    assert [(f.path, f.line) for f in found] == [("lib/data.ts", 6)]
