"""Operational excellence: monitoring and logging (OPS-MON), backups (OPS-BAK), cost (OPS-COST)."""
import pytest

from rules.engine import analyse
from rules.registry import all_rules
from tests.helpers import hits, project

HEADER = """import * as cdk from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
"""
HEADER_LINES = HEADER.count("\n")


def stack(body: str, name: str = "ServiceStack", props: str = "cdk.StackProps") -> str:
    """A stack class around `body`; its first body line is line HEADER_LINES + 4."""
    return HEADER + f"""
export class {name} extends cdk.Stack {{
  constructor(scope: Construct, id: string, props: {props}) {{
    super(scope, id, props);
{body}
  }}
}}
"""


def line(src: str, needle: str) -> int:
    return next(i for i, text in enumerate(src.splitlines(), 1) if needle in text)


def findings_of(src: str, rule_id: str):
    return [f for f in analyse(project(**{"stack.ts": src})).findings if f.rule_id == rule_id]


def severities(src: str, rule_id: str) -> set[tuple[int, str]]:
    found = analyse(project(**{"stack.ts": src})).findings
    return {(f.line, f.severity.value) for f in found if f.rule_id == rule_id}


FN = """    const fn = new lambda.Function(this, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset('x'),
      logGroup: new logs.LogGroup(this, 'HandlerLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      tracing: lambda.Tracing.ACTIVE,
    });
"""


# --------------------------------------------------------------------------- OPS-MON-001
class TestResourceWithoutAlarms:
    def test_function_in_a_stack_without_alarms(self):
        src = stack(FN)
        assert hits(src, "OPS-MON-001") == {("OPS-MON-001", line(src, "new lambda.Function"))}

    @pytest.mark.parametrize("alarm", [
        "fn.metricErrors().createAlarm(this, 'Errors', { threshold: 1, evaluationPeriods: 1 });",
        "new cloudwatch.Alarm(this, 'Errors', { metric: fn.metricErrors(), threshold: 1, evaluationPeriods: 1 });",
        # an alarm on another resource: the stack alarms, what to alarm on is the team's choice
        "new cloudwatch.Alarm(this, 'Q', { metric: new cloudwatch.Metric({ namespace: 'AWS/SQS', "
        "metricName: 'ApproximateAgeOfOldestMessage' }), threshold: 1, evaluationPeriods: 1 });",
        # a metric on a dashboard or fed to an alarm helper
        "new cloudwatch.Dashboard(this, 'D', { widgets: [[new cloudwatch.GraphWidget({ left: [fn.metricErrors()] })]] });",
    ])
    def test_alarming_stack_is_silent(self, alarm):
        assert hits(stack(FN + "    " + alarm), "OPS-MON-001") == set()

    def test_elasticache_replication_group_without_alarms(self):
        body = """    new elasticache.CfnReplicationGroup(this, 'Sessions', {
      replicationGroupDescription: 'sessions', engine: 'redis', cacheNodeType: 'cache.r7g.large',
      numCacheClusters: 2, automaticFailoverEnabled: true, atRestEncryptionEnabled: true,
    });
"""
        src = stack(body).replace("import { Construct }",
                                  "import * as elasticache from 'aws-cdk-lib/aws-elasticache';\nimport { Construct }")
        [finding] = findings_of(src, "OPS-MON-001")
        assert finding.line == line(src, "new elasticache") and "ElastiCache" in finding.remediation
        alarmed = src.replace("    });\n", "    });\n    new cloudwatch.Alarm(this, 'Cpu', { metric: new cloudwatch.Metric("
                              "{ namespace: 'AWS/ElastiCache', metricName: 'EngineCPUUtilization' }), threshold: 80, "
                              "evaluationPeriods: 3 });\n", 1)
        assert findings_of(alarmed, "OPS-MON-001") == []

    def test_asg_watched_through_a_metric_dimension(self):
        src = stack("""    const asg = new autoscaling.AutoScalingGroup(this, 'Web', {
      vpc: props.vpc, instanceType: new ec2.InstanceType('m6i.large'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
""", props="{ vpc: ec2.IVpc }")
        assert hits(src, "OPS-MON-001") == {("OPS-MON-001", line(src, "new autoscaling"))}
        alarm = """    new cloudwatch.Alarm(this, 'Cpu', { threshold: 85, evaluationPeriods: 3, metric: new cloudwatch.Metric({
      namespace: 'AWS/EC2', metricName: 'CPUUtilization',
      dimensionsMap: { AutoScalingGroupName: asg.autoScalingGroupName } }) });
"""
        assert hits(src.replace("    });\n\n  }", "    });\n" + alarm + "\n  }"), "OPS-MON-001") == set()

    def test_monitoring_stack_wired_in_the_app_covers_the_data_stack(self):
        data = stack("    this.db = new rds.DatabaseInstance(this, 'Db', { engine: x, vpc: props.vpc });\n",
                     name="DataStack", props="{ vpc: ec2.IVpc }").replace(
            "extends cdk.Stack {", "extends cdk.Stack {\n  public readonly db: rds.DatabaseInstance;")
        alerts = stack("""    new cloudwatch.Alarm(this, 'DbCpu', {
      metric: props.database.metricCPUUtilization(), threshold: 80, evaluationPeriods: 3,
    });
""", name="AlertsStack", props="{ database: rds.IDatabaseInstance }")
        app = """import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DataStack } from '../lib/data';
import { AlertsStack } from '../lib/alerts';
const app = new cdk.App();
const data = new DataStack(app, 'Data', { vpc: ec2.Vpc.fromLookup(app, 'V', { isDefault: true }) });
new AlertsStack(app, 'Alerts', { database: data.db });
"""
        wired = project(**{"lib/data.ts": data, "lib/alerts.ts": alerts, "bin/app.ts": app})
        assert hits(wired, "OPS-MON-001") == set()
        unwired = project(**{"lib/data.ts": data, "lib/alerts.ts": alerts})
        assert hits(unwired, "OPS-MON-001") == {("OPS-MON-001", line(data, "new rds.DatabaseInstance"))}

    def test_construct_class_belongs_to_the_stacks_that_instantiate_it(self):
        src = HEADER + """
class Api extends Construct {
  public readonly fn: lambda.Function;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.fn = new lambda.Function(this, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'i.h', code: c });
  }
}
export class QuietStack extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Api(this, 'Api');
  }
}
export class WatchedStack extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const api = new Api(this, 'Api');
    api.fn.metricErrors().createAlarm(this, 'E', { threshold: 1, evaluationPeriods: 1 });
  }
}
"""
        # created in both stacks: one of them alarms, so the construct is not reported
        assert hits(src, "OPS-MON-001") == set()
        quiet_only = src[:src.index("export class WatchedStack")]
        assert hits(quiet_only, "OPS-MON-001") == {("OPS-MON-001", line(src, "new lambda.Function"))}

    def test_unknown_owner_or_opaque_consumer_is_silent(self):
        helper = HEADER + """
export function makeFunction(scope: Construct, id: string) {
  return new lambda.Function(scope, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'i.h', code: c });
}
class Orphan extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new dynamodb.Table(this, 'T', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  }
}
"""
        assert hits(helper, "OPS-MON-001") == set()
        facade = stack(FN).replace("import { Construct } from 'constructs';",
                                   "import { Construct } from 'constructs';\n"
                                   "import { MonitoringFacade } from 'cdk-monitoring-constructs';")
        facade = facade.replace("    });\n\n  }", "    });\n    new MonitoringFacade(this, 'M');\n\n  }")
        assert hits(facade, "OPS-MON-001") == set()
        handed = stack(FN + "    new Thing(this, 'T', { fn });\n").replace(
            "import { Construct } from 'constructs';", "import { Construct } from 'constructs';\n"
            "import { Thing } from './not-scanned';")
        assert hits(handed, "OPS-MON-001") == set()

    def test_alarm_helper_called_with_the_stack_scope(self):
        helpers = HEADER + """
export function alarmOn(scope: Construct, fn: lambda.IFunction) {
  fn.metricErrors().createAlarm(scope, 'Errors', { threshold: 1, evaluationPeriods: 1 });
}
export const alarmsFor = (scope: Construct, fns: lambda.IFunction[]) =>
  fns.forEach((fn, i) => new cloudwatch.Alarm(scope, `E${i}`, { metric: m, threshold: 1, evaluationPeriods: 1 }));
"""
        for call in ("alarmOn(this, fn);", "alarmsFor(this, [fn]);"):
            src = stack(FN + "    " + call + "\n").replace(
                "import { Construct } from 'constructs';",
                "import { Construct } from 'constructs';\nimport { alarmOn, alarmsFor } from './alarms';")
            assert hits(project(**{"lib/alarms.ts": helpers, "lib/stack.ts": src}), "OPS-MON-001") == set()

    def test_top_level_code_is_judged_per_file(self):
        src = HEADER + """
const app = new cdk.App();
const st = new cdk.Stack(app, 'Quick');
const table = new dynamodb.Table(st, 'Runs', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
"""
        assert hits(src, "OPS-MON-001") == {("OPS-MON-001", line(src, "new dynamodb.Table"))}
        alarmed = src + "table.metricUserErrors().createAlarm(st, 'E', { threshold: 1, evaluationPeriods: 1 });\n"
        assert hits(alarmed, "OPS-MON-001") == set()

    def test_non_production_stack_is_skipped(self):
        assert hits(stack(FN, name="DevSandboxStack"), "OPS-MON-001") == set()

    def test_bastion_and_props_from_unseen_code_are_skipped(self):
        src = stack("""    new ec2.Instance(this, 'Bastion', { vpc: props.vpc, instanceType: t, machineImage: m });
    new ec2.Instance(this, 'App', { ...props.instanceDefaults });
    new ec2.Instance(this, 'Worker', { vpc: props.vpc, instanceType: t, machineImage: m });
""", props="any")
        assert hits(src, "OPS-MON-001") == {("OPS-MON-001", line(src, "'Worker'"))}


# --------------------------------------------------------------------------- OPS-MON-002
class TestLogsNeverExpire:
    def test_function_without_log_group(self):
        src = stack("    new lambda.Function(this, 'F', { runtime: r, handler: 'i.h', code: c });\n")
        assert hits(src, "OPS-MON-002") == {("OPS-MON-002", line(src, "new lambda.Function"))}

    @pytest.mark.parametrize("prop,found", [
        ("logGroup: lg", False),
        ("logGroup: props.logGroup", False),
        ("logRetention: logs.RetentionDays.ONE_WEEK", False),
        ("logRetention: props.retention", False),
        ("logRetention: logs.RetentionDays.INFINITE", True),
        ("...props.functionDefaults", False),
    ])
    def test_function_log_settings(self, prop, found):
        src = stack(f"    new lambda.Function(this, 'F', {{ runtime: r, handler: 'i.h', code: c, {prop} }});\n",
                    props="any")
        assert hits(src, "OPS-MON-002") == ({("OPS-MON-002", line(src, "new lambda.Function"))} if found else set())

    @pytest.mark.parametrize("cdk_json,found", [
        ('{"app": "npx ts-node bin/app.ts", "context": {"@aws-cdk/aws-lambda:useCdkManagedLogGroup": true}}', False),
        ('{"app": "npx ts-node bin/app.ts", "context": {"@aws-cdk/aws-lambda:useCdkManagedLogGroup": false}}', True),
        ('{"app": "npx ts-node bin/app.ts", "context": {}}', True),
        ('{"app": "npx ts-node bin/app.ts"', True),         # unreadable: the flag's v2 default
    ])
    def test_cdk_managed_log_group_flag_in_cdk_json(self, cdk_json, found):
        """Under the flag CDK creates the function's log group itself, two-year retention."""
        src = stack("    new lambda.Function(this, 'F', { runtime: r, handler: 'i.h', code: c });\n")
        files = {"services/api/cdk.json": cdk_json, "services/api/lib/nested/stack.ts": src}
        expected = {("OPS-MON-002", line(src, "new lambda.Function"))} if found else set()
        assert hits(project(**files), "OPS-MON-002") == expected

    def test_log_group_retention(self):
        src = stack("""    new logs.LogGroup(this, 'Default');
    new logs.LogGroup(this, 'Forever', {
      retention: logs.RetentionDays.INFINITE,
    });
""")
        assert hits(src, "OPS-MON-002") == {("OPS-MON-002", line(src, "RetentionDays.INFINITE"))}

    def test_ecs_aws_logs_driver(self):
        src = stack("""    const task = new ecs.FargateTaskDefinition(this, 'Task');
    task.addContainer('a', { image: i, logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'a' }) });
    task.addContainer('b', { image: i, logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'b', logGroup: lg }) });
    task.addContainer('c', { image: i, logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'c', logRetention: logs.RetentionDays.ONE_MONTH }) });
""")
        assert hits(src, "OPS-MON-002") == {("OPS-MON-002", line(src, "streamPrefix: 'a'"))}


# --------------------------------------------------------------------------- OPS-MON-003
class TestAccessLoggingOff:
    def test_alb_without_access_logs(self):
        src = stack("    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc: props.vpc });\n",
                    props="{ vpc: ec2.IVpc }")
        assert hits(src, "OPS-MON-003") == {("OPS-MON-003", line(src, "new elbv2"))}
        logged = src.replace("props.vpc });\n", "props.vpc });\n    alb.logAccessLogs(bucket, 'alb');\n")
        assert hits(logged, "OPS-MON-003") == set()

    def test_deprecated_web_distribution_without_logging_config(self):
        src = HEADER.replace("import { Construct }", "import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';\n"
                                                       "import { Construct }") + """
export class SiteStack extends cdk.Stack {
  build(site: s3.IBucket, logs: s3.IBucket) {
    new cloudfront.CloudFrontWebDistribution(this, 'Cdn', {
      originConfigs: [{ s3OriginSource: { s3BucketSource: site }, behaviors: [{ isDefaultBehavior: true }] }],
    });
    new cloudfront.CloudFrontWebDistribution(this, 'LoggedCdn', {
      originConfigs: [{ s3OriginSource: { s3BucketSource: site }, behaviors: [{ isDefaultBehavior: true }] }],
      loggingConfig: { bucket: logs, prefix: 'cdn/' },
    });
  }
}
"""
        assert hits(src, "OPS-MON-003") == {("OPS-MON-003", line(src, "'Cdn'"))}

    def test_buckets(self):
        src = stack("""    const logBucket = new s3.Bucket(this, 'AccessLogs', { versioned: true });
    new s3.Bucket(this, 'Data', { serverAccessLogsBucket: logBucket });
    new s3.Bucket(this, 'Reports', { versioned: true });
    new s3.Bucket(this, 'Spread', { ...props.bucketDefaults });
""", props="any")
        assert hits(src, "OPS-MON-003") == {("OPS-MON-003", line(src, "'Reports'"))}

    @pytest.mark.parametrize("options,found", [
        ("", True),
        ("deployOptions: { stageName: 'v1' },", True),
        ("deployOptions: { accessLogDestination: new apigateway.LogGroupLogDestination(lg) },", False),
        ("deployOptions: props.stageOptions,", False),
        ("deploy: false,", False),
    ])
    def test_rest_api_stage(self, options, found):
        src = stack(f"    new apigateway.LambdaRestApi(this, 'Api', {{ handler: props.fn, {options} }});\n", props="any")
        assert hits(src, "OPS-MON-003") == ({("OPS-MON-003", line(src, "LambdaRestApi"))} if found else set())

    def test_production_unknown_is_judged_and_dev_is_skipped(self):
        body = "    new s3.Bucket(this, 'Reports', { versioned: true });\n"
        assert hits(stack(body, name="ReportsStack"), "OPS-MON-003") != set()
        assert hits(stack(body, name="ReportsDevStack"), "OPS-MON-003") == set()


# --------------------------------------------------------------------------- OPS-MON-004
class TestVpcWithoutFlowLogs:
    @pytest.mark.parametrize("extra,found", [
        ("", True),
        ("vpc.addFlowLog('FlowLogs');", False),
        ("new ec2.FlowLog(this, 'Fl', { resourceType: ec2.FlowLogResourceType.fromVpc(vpc) });", False),
        ("new ec2.FlowLog(this, 'Fl', { resourceType: ec2.FlowLogResourceType.fromVpc(other) });", True),
    ])
    def test_flow_log_sources(self, extra, found):
        src = stack(f"    const vpc = new ec2.Vpc(this, 'Vpc', {{ maxAzs: 2 }});\n    "
                    f"const other = new ec2.Vpc(this, 'Other', {{ flowLogs: {{ all: {{}} }} }});\n    {extra}\n")
        assert hits(src, "OPS-MON-004") == ({("OPS-MON-004", line(src, "'Vpc'"))} if found else set())

    def test_unknown_flow_logs_prop_is_silent(self):
        assert hits(stack("    new ec2.Vpc(this, 'Vpc', { flowLogs: props.flowLogs });\n", props="any"),
                    "OPS-MON-004") == set()


# --------------------------------------------------------------------------- OPS-MON-005
class TestTracingDisabled:
    @pytest.mark.parametrize("prop,needle", [
        ("", "new lambda.Function"),
        ("tracing: lambda.Tracing.DISABLED,", "Tracing.DISABLED"),
        ("tracing: lambda.Tracing.ACTIVE,", None),
        ("tracing: props.tracing,", None),
        ("tracing: isProd ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,", None),
        ("tracing: isProd ? lambda.Tracing.DISABLED : lambda.Tracing.ACTIVE,", "Tracing.DISABLED"),
    ])
    def test_function_tracing(self, prop, needle):
        src = stack("    const isProd = props.stage === 'prod';\n"
                    f"    new lambda.Function(this, 'F', {{ runtime: r, handler: 'i.h', code: c, logGroup: lg,\n"
                    f"      {prop}\n    }});\n", props="any")
        assert hits(src, "OPS-MON-005") == ({("OPS-MON-005", line(src, needle))} if needle else set())

    def test_rest_api_tracing(self):
        src = stack("""    new apigateway.RestApi(this, 'Api', {
      deployOptions: {
        tracingEnabled: false,
      },
    });
    new apigateway.RestApi(this, 'Traced', { deployOptions: { tracingEnabled: true } });
""")
        assert hits(src, "OPS-MON-005") == {("OPS-MON-005", line(src, "tracingEnabled: false"))}


# --------------------------------------------------------------------------- OPS-MON-006
class TestTargetGroupHealthCheck:
    BODY = """    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc: props.vpc });
    const listener = alb.addListener('Http', { port: 80 });
    listener.addTargets('Web', {
      port: 8080,
      targets: [props.asg],
      {check}
    }});
"""

    def src(self, check: str) -> str:
        body = self.BODY.replace("{check}", check).replace("}});", "});")
        if check.startswith("targets:"):
            body = body.replace("      targets: [props.asg],\n", "")
        return stack(body, props="any")

    def test_disabled_health_check_is_a_warning_on_the_pair(self):
        src = self.src("healthCheck: { enabled: false },")
        assert hits(src, "OPS-MON-006") == {("OPS-MON-006", line(src, "enabled: false"))}

    def test_absent_health_check_is_a_notice(self):
        src = self.src("")
        assert severities(src, "OPS-MON-006") == {(line(src, "addTargets"), "notice")}

    @pytest.mark.parametrize("check", [
        "healthCheck: { path: '/health' },",
        "healthCheck: props.healthCheck,",
        "healthCheck: { enabled: props.checks },",
        "targetType: elbv2.TargetType.LAMBDA,",
        "targets: [new targets.LambdaTarget(props.fn)],",
    ])
    def test_silent(self, check):
        assert hits(self.src(check), "OPS-MON-006") == set()

    def test_health_check_configured_after_add_targets(self):
        src = self.src("").replace("    });\n\n  }", "    });\n    tg.configureHealthCheck({ path: '/health' });\n\n  }")
        src = src.replace("listener.addTargets('Web'", "const tg = listener.addTargets('Web'")
        assert "const tg" in src and "configureHealthCheck" in src
        assert hits(src, "OPS-MON-006") == set()

    def test_target_group_construct_and_configure_health_check(self):
        src = stack("""    const tg = new elbv2.ApplicationTargetGroup(this, 'Tg', { vpc: props.vpc, port: 80 });
    tg.configureHealthCheck({ enabled: false });
""", props="any")
        assert hits(src, "OPS-MON-006") == {("OPS-MON-006", line(src, "enabled: false"))}


# --------------------------------------------------------------------------- OPS-BAK-001
class TestDestroyRemovalPolicy:
    def test_auto_delete_objects(self):
        src = stack("""    new s3.Bucket(this, 'Data', {
      autoDeleteObjects: true,
    });
    new s3.Bucket(this, 'Destroyed', {
      removalPolicy: cdk.RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    new s3.Bucket(this, 'Scratch', {
      removalPolicy: isProd ? cdk.RemovalPolicy.RETAIN : cdk.RemovalPolicy.DESTROY,
      autoDeleteObjects: !isProd,
    });
""").replace("super(scope, id, props);", "super(scope, id, props);\n    const isProd = props.stage === 'prod';")
        assert hits(src, "OPS-BAK-001") == {("OPS-BAK-001", line(src, "autoDeleteObjects: true")),
                                            ("OPS-BAK-001", line(src, "RemovalPolicy.DESTROY,"))}


    @staticmethod
    def _suggested(src: str) -> tuple[tuple[int, int, str | None], str]:
        """(line, end_line, suggestion) of the one OPS-BAK-001 finding, and the source with it applied."""
        rule = [r for r in all_rules() if r.id == "OPS-BAK-001"]
        [finding] = analyse(project(**{"stack.ts": src}), rules=rule).findings
        lines = src.split("\n")
        if finding.suggestion is not None:
            lines[finding.line - 1:finding.end_line] = [finding.suggestion]
        return (finding.line, finding.end_line, finding.suggestion), "\n".join(lines)

    @pytest.mark.parametrize("props,expected", [
        ("      removalPolicy: cdk.RemovalPolicy.DESTROY,\n", "      removalPolicy: cdk.RemovalPolicy.RETAIN,"),
        ("      removalPolicy: cdk.RemovalPolicy.DESTROY,\n      autoDeleteObjects: false,\n",
         "      removalPolicy: cdk.RemovalPolicy.RETAIN,"),
    ])
    def test_suggestion_keeps_the_data(self, props, expected):
        src = stack("    new s3.Bucket(this, 'Data', {\n" + props + "    });\n")
        (start, end, suggestion), fixed = self._suggested(src)
        assert (start, end, suggestion) == (line(src, "removalPolicy"), line(src, "removalPolicy"), expected)
        assert hits(fixed, "OPS-BAK-001") == set()

    @pytest.mark.parametrize("order", ["policy first", "auto-delete first"])
    def test_suggestion_drops_auto_delete_objects_which_retain_forbids(self, order):
        pairs = ["      removalPolicy: cdk.RemovalPolicy.DESTROY,\n", "      autoDeleteObjects: true,\n"]
        if order != "policy first":
            pairs.reverse()
        src = stack("    new s3.Bucket(this, 'Data', {\n" + "".join(pairs) + "    });\n")
        (start, end, suggestion), fixed = self._suggested(src)
        assert (start, end) == (line(src, pairs[0].strip()), line(src, pairs[1].strip()))
        assert suggestion == "      removalPolicy: cdk.RemovalPolicy.RETAIN,"
        assert "autoDeleteObjects" not in fixed and hits(fixed, "OPS-BAK-001") == set()

    def test_no_suggestion_when_auto_delete_objects_is_not_next_to_the_policy(self):
        src = stack("""    new s3.Bucket(this, 'Data', {
      removalPolicy: cdk.RemovalPolicy.DESTROY,
      versioned: true,
      autoDeleteObjects: true,
    });
""")
        (start, end, suggestion), _ = self._suggested(src)
        assert (start, end, suggestion) == (line(src, "removalPolicy"), line(src, "removalPolicy"), None)


    @pytest.mark.parametrize("stack_id,found", [("'Uploads-dev'", False), ("'Uploads'", True)])
    def test_bucket_created_in_a_bare_stack_of_the_entry_point(self, stack_id, found):
        app = f"""import * as cdk from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
const app = new cdk.App();
const uploads = new cdk.Stack(app, {stack_id});
new s3.Bucket(uploads, 'Inbox', {{
  removalPolicy: cdk.RemovalPolicy.DESTROY,
}});
"""
        expected = {("OPS-BAK-001", line(app, "RemovalPolicy.DESTROY"))} if found else set()
        assert hits(project(**{"bin/app.ts": app}), "OPS-BAK-001") == expected


# --------------------------------------------------------------------------- OPS-BAK-002
class TestRdsBackupRetention:
    DB = "    new rds.DatabaseInstance(this, 'Db', { engine: e, vpc: props.vpc,\n      {retention}\n    });\n"

    def src(self, retention: str, name: str = "OrdersStack") -> str:
        return stack(self.DB.replace("{retention}", retention), name=name, props="any")

    @pytest.mark.parametrize("retention,found", [
        ("backupRetention: cdk.Duration.days(0),", True),
        ("backupRetention: cdk.Duration.days(7),", False),
        ("backupRetention: props.retention,", False),
        ("backupRetention: props.stage === 'prod' ? cdk.Duration.days(14) : cdk.Duration.days(0),", False),
        ("backupRetention: props.stage === 'dev' ? cdk.Duration.days(0) : cdk.Duration.days(7),", False),
    ])
    def test_explicit_retention(self, retention, found):
        src = self.src(retention)
        assert hits(src, "OPS-BAK-002") == ({("OPS-BAK-002", line(src, "backupRetention"))} if found else set())

    def test_default_retention_only_in_production(self):
        assert hits(self.src(""), "OPS-BAK-002") == set()
        prod = self.src("", name="OrdersProdStack")
        assert severities(prod, "OPS-BAK-002") == {(line(prod, "new rds.DatabaseInstance"), "warning")}

    def test_cluster_backup_object(self):
        src = stack("""    new rds.DatabaseCluster(this, 'Cluster', { engine: e, vpc: props.vpc,
      backup: { retention: cdk.Duration.days(0) },
    });
    new rds.DatabaseCluster(this, 'Other', { engine: e, vpc: props.vpc, backup: props.backup });
""", props="any")
        assert hits(src, "OPS-BAK-002") == {("OPS-BAK-002", line(src, "retention: cdk.Duration.days(0)"))}

    def test_dev_stack_is_skipped(self):
        assert hits(self.src("backupRetention: cdk.Duration.days(0),", name="DevStack"), "OPS-BAK-002") == set()


# --------------------------------------------------------------------------- OPS-BAK-003
class TestDeletionProtection:
    def test_defaults_judged_in_production_an_explicit_false_anywhere_but_dev(self):
        body = """    new dynamodb.Table(this, 'Orders', { partitionKey: pk });
    new dynamodb.Table(this, 'Ledger', { partitionKey: pk,
      deletionProtection: false,
    });
    new dynamodb.Table(this, 'Kept', { partitionKey: pk, deletionProtection: true });
    new rds.DatabaseInstance(this, 'Db', { engine: e, vpc: v });
    new rds.DatabaseInstance(this, 'Retained', { engine: e, vpc: v, removalPolicy: cdk.RemovalPolicy.RETAIN });
"""
        unknown = stack(body, name="OrdersStack")
        assert hits(unknown, "OPS-BAK-003") == {("OPS-BAK-003", line(unknown, "deletionProtection: false"))}
        assert hits(stack(body, name="OrdersDevStack"), "OPS-BAK-003") == set()
        prod = stack(body, name="OrdersProdStack")
        assert hits(prod, "OPS-BAK-003") == {("OPS-BAK-003", line(prod, "'Orders'")),
                                             ("OPS-BAK-003", line(prod, "deletionProtection: false")),
                                             ("OPS-BAK-003", line(prod, "'Db'"))}


# --------------------------------------------------------------------------- OPS-BAK-004
class TestPointInTimeRecovery:
    @pytest.mark.parametrize("prop,needle", [
        ("", "new dynamodb"),
        ("pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },", None),
        ("pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },", "pointInTimeRecoveryEnabled"),
        ("pointInTimeRecovery: true,", None),
        ("pointInTimeRecovery: false,", "pointInTimeRecovery:"),
        ("pointInTimeRecoverySpecification: props.pitr,", None),
        ("...props.tableDefaults,", None),
    ])
    def test_table(self, prop, needle):
        src = stack(f"    new dynamodb.TableV2(this, 'T', {{ partitionKey: pk,\n      {prop}\n    }});\n", props="any")
        assert hits(src, "OPS-BAK-004") == ({("OPS-BAK-004", line(src, needle))} if needle else set())


# --------------------------------------------------------------------------- OPS-BAK-005
class TestS3Versioning:
    def test_data_buckets_only(self):
        src = stack("""    const logs = new s3.Bucket(this, 'AccessLogs');
    new s3.Bucket(this, 'Data', { serverAccessLogsBucket: logs });
    new s3.Bucket(this, 'Site', { websiteIndexDocument: 'index.html' });
    new s3.Bucket(this, 'Scratch', { removalPolicy: cdk.RemovalPolicy.DESTROY });
    new s3.Bucket(this, 'Locked', { objectLockEnabled: true });
    new s3.Bucket(this, 'Off', {
      versioned: false,
    });
    new s3.Bucket(this, 'Unknown', { versioned: props.versioned });
""", props="any")
        assert hits(src, "OPS-BAK-005") == {("OPS-BAK-005", line(src, "'Data'")),
                                            ("OPS-BAK-005", line(src, "versioned: false"))}


# --------------------------------------------------------------------------- OPS-BAK-006
class TestEfsBackups:
    def test_file_system_backups(self):
        src = stack("""    new efs.FileSystem(this, 'Shared', { vpc: props.vpc });
    new efs.FileSystem(this, 'Backed', { vpc: props.vpc, enableAutomaticBackups: true });
""", props="any")
        assert hits(src, "OPS-BAK-006") == {("OPS-BAK-006", line(src, "'Shared'"))}
        planned = src.replace("import { Construct }", "import * as backup from 'aws-cdk-lib/aws-backup';\n"
                              "import { Construct }").replace(
            "    new efs.FileSystem(this, 'Backed'", "    backup.BackupPlan.dailyWeeklyMonthly5YearRetention(this, 'P');\n"
            "    new backup.BackupPlan(this, 'Plan');\n    new efs.FileSystem(this, 'Backed'")
        assert hits(planned, "OPS-BAK-006") == set()


# --------------------------------------------------------------------------- OPS-COST-002
class TestDynamoDbFixedCapacity:
    @pytest.mark.parametrize("props,needle", [
        ("billingMode: dynamodb.BillingMode.PROVISIONED, readCapacity: 200, writeCapacity: 100,", "new dynamodb"),
        ("billingMode: dynamodb.BillingMode.PROVISIONED,", "new dynamodb"),
        ("readCapacity: 50,", "new dynamodb"),
        ("", None),
        ("billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,", None),
        ("billingMode: props.billingMode, readCapacity: 50,", None),
        ("billingMode: dynamodb.BillingMode.PROVISIONED, readCapacity: props.rcu,", "new dynamodb"),
    ])
    def test_table(self, props, needle):
        src = stack(f"    const t = new dynamodb.Table(this, 'T', {{ partitionKey: pk,\n      {props}\n    }});\n",
                    props="any")
        assert hits(src, "OPS-COST-002") == ({("OPS-COST-002", line(src, needle))} if needle else set())

    def test_auto_scaled_table_is_silent(self):
        src = stack("""    const t = new dynamodb.Table(this, 'T', { partitionKey: pk, billingMode: dynamodb.BillingMode.PROVISIONED });
    t.autoScaleReadCapacity({ minCapacity: 5, maxCapacity: 50 }).scaleOnUtilization({ targetUtilizationPercent: 70 });
""", props="any")
        assert hits(src, "OPS-COST-002") == set()

    def test_table_v2_fixed_read_capacity(self):
        src = stack("""    new dynamodb.TableV2(this, 'T', { partitionKey: pk,
      billing: dynamodb.Billing.provisioned({
        readCapacity: dynamodb.Capacity.fixed(100),
        writeCapacity: dynamodb.Capacity.autoscaled({ maxCapacity: 50 }),
      }),
    });
    new dynamodb.TableV2(this, 'U', { partitionKey: pk, billing: dynamodb.Billing.provisioned({
      readCapacity: dynamodb.Capacity.autoscaled({ maxCapacity: 50 }),
      writeCapacity: dynamodb.Capacity.autoscaled({ maxCapacity: 50 }) }) });
""", props="any")
        assert hits(src, "OPS-COST-002") == {("OPS-COST-002", line(src, "billing: dynamodb.Billing.provisioned({"))}


# --------------------------------------------------------------------------- OPS-COST-003
class TestS3Lifecycle:
    def test_buckets(self):
        src = stack("""    new s3.Bucket(this, 'Archive', { versioned: true });
    new s3.Bucket(this, 'Plain');
    new s3.Bucket(this, 'Aged', { lifecycleRules: [{ expiration: cdk.Duration.days(30) }] });
    new s3.Bucket(this, 'Tiered', { intelligentTieringConfigurations: [{ name: 'all', archiveAccessTierTime: cdk.Duration.days(90) }] });
    const later = new s3.Bucket(this, 'Later');
    later.addLifecycleRule({ expiration: cdk.Duration.days(30) });
    new s3.Bucket(this, 'Unknown', { lifecycleRules: props.rules });
    new s3.Bucket(this, 'Site', { websiteIndexDocument: 'index.html' });
""", props="any")
        assert severities(src, "OPS-COST-003") == {(line(src, "'Archive'"), "warning"),
                                                   (line(src, "'Plain'"), "notice")}


# --------------------------------------------------------------------------- OPS-COST-004
class TestNatGatewaysOutsideProduction:
    @pytest.mark.parametrize("props,needle", [
        ("{ maxAzs: 3 }", "new ec2.Vpc"),
        ("{ maxAzs: 3,\n      natGateways: 2 }", "natGateways: 2"),
        ("{ maxAzs: 3, natGateways: 1 }", None),
        ("{ maxAzs: 3, natGateways: isProd ? 3 : 2 }", None),
        ("{ maxAzs: 1 }", None),
        ("{ subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PUBLIC }] }", None),
        ("{ maxAzs: 3, natGateways: props.nats }", None),
    ])
    def test_dev_vpc(self, props, needle):
        src = stack(f"    const isProd = props.stage === 'prod';\n    new ec2.Vpc(this, 'Vpc', {props});\n",
                    name="DevNetworkStack", props="any")
        assert hits(src, "OPS-COST-004") == ({("OPS-COST-004", line(src, needle))} if needle else set())

    @pytest.mark.parametrize("name", ["NetworkStack", "ProdNetworkStack"])
    def test_production_or_unknown_is_silent(self, name):
        assert hits(stack("    new ec2.Vpc(this, 'Vpc', { maxAzs: 3 });\n", name=name), "OPS-COST-004") == set()


    def test_stack_named_in_a_unit_test_is_not_a_test_stack(self):
        """`new XStack(app, 'MyTestStack')` in a test says nothing about where X is deployed."""
        network = stack("    new ec2.Vpc(this, 'Vpc', { maxAzs: 3 });\n", name="NetworkStack")
        spec = """import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NetworkStack } from '../lib/network';
test('vpc', () => {
  const app = new cdk.App();
  Template.fromStack(new NetworkStack(app, 'MyTestStack', {}));
});
"""
        files = {"lib/network.ts": network, "test/network.test.ts": spec}
        assert hits(project(**files), "OPS-COST-004") == set()
        files["bin/app.ts"] = """import * as cdk from 'aws-cdk-lib';
import { NetworkStack } from '../lib/network';
new NetworkStack(new cdk.App(), 'NetworkDev', {});
"""
        assert hits(project(**files), "OPS-COST-004") == {("OPS-COST-004", line(network, "new ec2.Vpc"))}


# --------------------------------------------------------------------------- OPS-COST-005
class TestProvisionedIopsOutsideProduction:
    def test_rds_and_ebs(self):
        body = """    new rds.DatabaseInstance(this, 'Db', { engine: e, vpc: v,
      storageType: rds.StorageType.IO1, iops: 3000 });
    new rds.DatabaseInstance(this, 'Gp3', { engine: e, vpc: v, storageType: rds.StorageType.GP3 });
    new rds.DatabaseInstance(this, 'Staged', { engine: e, vpc: v,
      storageType: isProd ? rds.StorageType.IO2 : rds.StorageType.GP3 });
    new ec2.Volume(this, 'Vol', { availabilityZone: 'eu-west-1a', size: cdk.Size.gibibytes(100),
      volumeType: ec2.EbsDeviceVolumeType.IO2, iops: 5000 });
"""
        src = stack("    const isProd = props.stage === 'prod';\n" + body, name="QaDatabaseStack", props="any")
        assert hits(src, "OPS-COST-005") == {("OPS-COST-005", line(src, "StorageType.IO1")),
                                             ("OPS-COST-005", line(src, "EbsDeviceVolumeType.IO2"))}
        assert hits(src.replace("QaDatabaseStack", "DatabaseStack"), "OPS-COST-005") == set()
