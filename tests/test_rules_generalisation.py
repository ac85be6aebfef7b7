"""Rule fixes found by scoring tests/fixtures/style-corpus (code in another style than the
development corpus): each test is a small sample of the gap a rule had."""
from rules.engine import analyse
from tests.helpers import hits, project

HEADER = "import { Stack } from 'aws-cdk-lib';\nimport { Construct } from 'constructs';\n"


def stack(body: str, imports: str = "") -> str:
    return (HEADER + imports + "\n\nexport class WorkersStack extends Stack {\n"
            "  constructor(scope: Construct, id: string) {\n    super(scope, id);\n" + body + "\n  }\n}\n")


def line(src: str, needle: str) -> int:
    return next(i for i, text in enumerate(src.splitlines(), 1) if needle in text)


# INC-ERR-001: a context value handed straight to a library function is used unchecked
def test_context_value_passed_to_a_library_function_is_reported():
    src = stack("""    const ingest = Queue.fromQueueArn(this, 'Ingest', this.node.tryGetContext('ingestQueueArn'));
    const checked = Queue.fromQueueArn(this, 'Checked', validateArn(this.node.tryGetContext('otherArn')));
    const own = arnOf(this.node.tryGetContext('thirdArn'));
    ingest.grantConsumeMessages; checked.queueArn; own;""",
                imports="import { Queue } from 'aws-cdk-lib/aws-sqs';\n"
                        "declare function validateArn(a: string): string;\ndeclare function arnOf(a: string): string;")
    assert hits(src, "INC-ERR-001") == {("INC-ERR-001", line(src, "'ingestQueueArn'"))}


# CDK-API-001: a name imported from the wrong module is reported once, at the import (TSQ-IMP-002)
def test_uses_of_a_wrongly_imported_name_are_not_reported_again():
    src = stack("""    new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    new LogGroup(this, 'Enum', { retention: RetentionDays2.ONE_MONTHH });""",
                imports="import { RetentionDays } from 'aws-cdk-lib/aws-lambda';\n"
                        "import { LogGroup, RetentionDays as RetentionDays2 } from 'aws-cdk-lib/aws-logs';")
    assert hits(src, "TSQ-IMP-002", "CDK-API-001") == {
        ("TSQ-IMP-002", line(src, "aws-cdk-lib/aws-lambda")),
        ("CDK-API-001", line(src, "ONE_MONTHH")),     # a misspelt member of a good import still is
    }


# OPS-COST-002: a table that never scales is reported as a whole, whatever line billingMode is on
def test_fixed_capacity_table_finding_spans_the_construct():
    src = stack("""    new Table(this, 'Items', {
      partitionKey: { name: 'sku', type: AttributeType.STRING },
      sortKey: { name: 'warehouse', type: AttributeType.STRING },
      billingMode: BillingMode.PROVISIONED,
      readCapacity: 50,
      writeCapacity: 25,
    });""", imports="import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';")
    [finding] = [f for f in analyse(project(**{"stack.ts": src})).findings if f.rule_id == "OPS-COST-002"]
    assert (finding.line, finding.end_line) == (line(src, "new Table"), line(src, "});"))


# ARC-SIZE-001 / OPS-BAK-002: `isProd ? a : b` inside a library call is judged on its production branch
def test_production_branch_inside_a_library_call_is_judged():
    src = stack("""    const isProd = this.node.tryGetContext('stage') === 'prod';
    new DatabaseInstance(this, 'Db', {
      engine: DatabaseInstanceEngine.postgres({ version: PostgresEngineVersion.VER_16_4 }),
      vpc: Vpc.fromLookup(this, 'Vpc', { isDefault: true }),
      instanceType: InstanceType.of(InstanceClass.T3, isProd ? InstanceSize.SMALL : InstanceSize.MICRO),
      backupRetention: Duration.days(isProd ? 0 : 1),
      multiAz: true,
    });
    new DatabaseInstance(this, 'Fine', {
      engine: DatabaseInstanceEngine.postgres({ version: PostgresEngineVersion.VER_16_4 }),
      vpc: Vpc.fromLookup(this, 'Vpc2', { isDefault: true }),
      instanceType: InstanceType.of(InstanceClass.R6G, isProd ? InstanceSize.XLARGE : InstanceSize.LARGE),
      backupRetention: Duration.days(isProd ? 14 : 0),
      multiAz: true,
    });""", imports="import { Duration } from 'aws-cdk-lib';\n"
                    "import { InstanceClass, InstanceSize, InstanceType, Vpc } from 'aws-cdk-lib/aws-ec2';\n"
                    "import { DatabaseInstance, DatabaseInstanceEngine, PostgresEngineVersion } from 'aws-cdk-lib/aws-rds';")
    assert hits(src, "ARC-SIZE-001", "OPS-BAK-002") == {("ARC-SIZE-001", line(src, "InstanceSize.SMALL")),
                                                        ("OPS-BAK-002", line(src, "isProd ? 0 : 1"))}
