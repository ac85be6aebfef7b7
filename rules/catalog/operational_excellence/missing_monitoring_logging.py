"""operational-excellence / missing-monitoring-logging."""
from __future__ import annotations

from rules.knowledge import knowledge
from rules.model import values as v
from rules.model.cdk import enum_member
from rules.model.cdk_json import feature_flag
from rules.model.compute import is_bastion
from rules.model.defaults import default_of
from rules.model.labels import label
from rules.model.library import base_fqns
from rules.model.monitoring import is_watched, watched_kind
from rules.model.nested import pair_in
from rules.model.usage import is_log_destination
from rules.registry import Hit, rule
from rules.taxonomy import Severity

_LAMBDA = "aws_lambda.Function"
_REST_API = "aws_apigateway.RestApiBase"
_STAGE = "aws_apigateway.Stage"     # the overlay's facts for `deployOptions` (StageOptions)
_ALB = "aws_elasticloadbalancingv2.ApplicationLoadBalancer"
_ALB_LISTENER = "aws_elasticloadbalancingv2.ApplicationListener"
_ALB_TARGET_GROUP = "aws_elasticloadbalancingv2.ApplicationTargetGroup"
_LAMBDA_TARGET = "aws_elasticloadbalancingv2_targets.LambdaTarget"
_RETENTION = "aws_logs.RetentionDays"

# The metric each kind is usually alarmed on, for the remediation.
_KEY_METRIC = {
    "Lambda function": "fn.metricErrors()",
    "Auto Scaling group": "a cloudwatch.Metric on AWS/EC2 CPUUtilization with dimensionsMap "
                          "{ AutoScalingGroupName: asg.autoScalingGroupName }",
    "EC2 instance": "a cloudwatch.Metric on AWS/EC2 StatusCheckFailed with dimensionsMap "
                    "{ InstanceId: instance.instanceId }",
    "ECS service": "service.metricCpuUtilization()",
    "RDS instance": "db.metricCPUUtilization() / db.metricFreeStorageSpace()",
    "RDS cluster": "cluster.metricCPUUtilization()",
    "Aurora Serverless cluster": "cluster.metricCPUUtilization()",
    "DynamoDB table": "table.metricThrottledRequestsForOperations(...)",
    "Application Load Balancer": "alb.metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT)",
    "API Gateway REST API": "api.metricServerError()",
    "ElastiCache replication group": "a cloudwatch.Metric on AWS/ElastiCache EngineCPUUtilization and "
                                     "DatabaseMemoryUsagePercentage with dimensionsMap { ReplicationGroupId: ... }",
    "ElastiCache cluster": "a cloudwatch.Metric on AWS/ElastiCache EngineCPUUtilization with dimensionsMap "
                           "{ CacheClusterId: cluster.ref }",
    "ElastiCache serverless cache": "a cloudwatch.Metric on AWS/ElastiCache ElastiCacheProcessingUnits",
}


def _is(fqn: str | None, family: str) -> bool:
    return fqn is not None and (fqn == family or family in base_fqns(fqn))


@rule(
    id="OPS-MON-001",
    name="resource-without-alarms",
    subcategory="missing-monitoring-logging",
    severity="warning",
    message="{name} has no CloudWatch alarm, and nothing in its stack alarms",
    remediation="Alarm on its key metric ({metric}) and send the alarm to an SNS topic",
    references=("https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/"
                "Best_Practice_Recommended_Alarms_AWS_Services.html",),
    production_aware=True,
)
def resource_without_alarms(f, ctx):
    """
    ## What it does
    Finds compute and data resources (Lambda functions, Auto Scaling groups, EC2
    instances, ECS services, RDS instances and clusters, DynamoDB tables, ElastiCache
    clusters, Application Load Balancers, API Gateway REST APIs) in a stack that does
    no alarming at all.

    A stack counts as monitored when it creates an alarm (`new cloudwatch.Alarm`,
    `metric.createAlarm(...)`), takes a metric of one of its resources, or when an
    alarm elsewhere in the project refers to one of its resources: a
    `cloudwatch.Metric` whose `dimensionsMap` names it, a target group it is a target
    of, or a monitoring stack or construct that receives it in its props
    (`new AlertsStack(app, 'Alerts', { database: data.db })` alarming on
    `props.database`), or when it calls a helper that creates alarms in the scope
    it is given. Stacks known not to be production and bastion hosts are skipped.

    ## Why is this bad?
    Without alarms, errors, throttling and saturation are found by users. Production
    resources need alarms on their key metrics routed to someone on call.

    ## Example
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build(logGroup: logs.ILogGroup) {
        new lambda.Function(this, 'Handler', { // <-- OPS-MON-001
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
          logGroup,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build(logGroup: logs.ILogGroup) {
        const handler = new lambda.Function(this, 'Handler', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
          logGroup,
        });
        handler.metricErrors().createAlarm(this, 'HandlerErrors', { threshold: 1, evaluationPeriods: 1 });
      }
    }
    ```

    ## Known problems
    Judged per stack: in a stack that alarms on some resources, the others are not
    reported (what to alarm on is then a choice the team made). A resource handed to
    a third-party construct (cdk-monitoring-constructs, Datadog...) or to a class
    outside the scanned files, created by a helper for a caller's scope, or whose
    props come from code the analyser cannot see, is not reported. A stack that
    calls a helper creating alarms in the scope it is given (`alarmOn(this, fn)`)
    counts as alarming, whatever the helper alarms on.
    """
    for c in f.constructs:
        kind = watched_kind(c.fqn)
        if kind is None or not c.props_known or ctx.is_production(c) is False or is_bastion(c):
            continue                    # props from unseen code may come with their monitoring
        if is_watched(c, ctx.project) is False:
            yield Hit(c.node, {"name": label(c), "metric": _KEY_METRIC[kind]})


@rule(
    id="OPS-MON-002",
    name="logs-never-expire",
    subcategory="missing-monitoring-logging",
    severity="warning",
    message="{name} {problem}",
    remediation="Give it a retention: a `logs.LogGroup` with `retention: logs.RetentionDays.ONE_MONTH` "
                "(passed as `logGroup`), or a finite `RetentionDays`",
    references=("https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
                "Working-with-log-groups-and-streams.html#SettingLogRetention",),
    follows_values=True,
)
def logs_never_expire(f, ctx):
    """
    ## What it does
    Finds log groups that keep their logs forever: a Lambda function with neither
    `logGroup` nor `logRetention` (Lambda then writes to its own implicit
    `/aws/lambda/<name>` group, which never expires), `RetentionDays.INFINITE` on a
    `logs.LogGroup` or a function's `logRetention`, and ECS
    `LogDrivers.awsLogs(...)` without `logGroup` or `logRetention` (CDK then creates
    a group with infinite retention). A `logs.LogGroup` without `retention` is fine:
    it defaults to two years.
    A function without `logGroup` is not reported when its app's `cdk.json` turns on
    the feature flag `@aws-cdk/aws-lambda:useCdkManagedLogGroup` (`cdk init` does
    since aws-cdk-lib 2.200): CDK then creates a `logs.LogGroup` for it, which keeps
    logs two years.

    ## Why is this bad?
    Logs that never expire grow the CloudWatch Logs storage bill forever and keep
    personal data longer than any policy allows. The implicit Lambda group also
    escapes the stack: no encryption key, no removal policy.

    ## Example
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build() {
        new lambda.Function(this, 'Handler', { // <-- OPS-MON-002
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
        });
        new logs.LogGroup(this, 'Audit', {
          retention: logs.RetentionDays.INFINITE, // <-- OPS-MON-002
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build() {
        new lambda.Function(this, 'Handler', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
          logGroup: new logs.LogGroup(this, 'HandlerLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        });
        new logs.LogGroup(this, 'Audit', { retention: logs.RetentionDays.ONE_YEAR });
      }
    }
    ```

    ## Known problems
    The flag is read from the nearest `cdk.json` only; set on the command line or in
    code (`new App({ context })`) it is not seen, and without a readable `cdk.json`
    the flag counts as unset (its default in CDK v2).
    """
    for c in f.constructs:
        if _is(c.fqn, _LAMBDA):
            yield from _function_log_retention(c, ctx)
        elif c.fqn == "aws_logs.LogGroup":
            retention = c.prop("retention")
            if _never_expires(ctx, retention):
                yield Hit(c.prop_node("retention"),
                          {"name": label(c), "problem": "keeps its logs forever (RetentionDays.INFINITE)"})
    for call in f.method_calls:
        if call.name == "awsLogs" and v.is_symbol(call.receiver, "aws_ecs.LogDrivers"):
            yield from _log_driver_retention(call, ctx)


def _function_log_retention(fn, ctx):
    if fn.prop("logGroup") is not None:
        return                          # its own log group (or one that cannot be seen)
    retention = fn.prop("logRetention")
    if retention is None:
        default = default_of(fn, "logGroup")
        if default is not None and default.value == "lambda_managed_never_expires" \
                and not _cdk_creates_log_group(fn, default):
            yield Hit(fn.node, {"name": label(fn),
                                "problem": f"has no logGroup or logRetention, so it logs to {default.meaning}"})
    elif _never_expires(ctx, retention):
        yield Hit(fn.prop_node("logRetention"),
                  {"name": label(fn), "problem": "keeps its logs forever (logRetention INFINITE)"})


def _cdk_creates_log_group(fn, default) -> bool:
    """The app turns on the flag under which CDK creates the function's log group itself."""
    flag = default.fact.feature_flag
    return flag is not None and feature_flag(fn.file, flag) is True


def _log_driver_retention(call, ctx):
    options = call.args[0] if call.args else None
    if not isinstance(options, v.Obj) or options.open or options.get("logGroup") is not None:
        return
    retention = options.get("logRetention")
    if retention is None:
        fact = knowledge().semantic_default("aws_ecs.AwsLogDriver", "logRetention")
        if fact is not None and fact.value == "INFINITE":
            yield Hit(call.node, {"name": "LogDrivers.awsLogs",
                                  "problem": f"has no logGroup or logRetention, so {fact.meaning}"})
    elif _never_expires(ctx, retention):
        yield Hit(call.node, {"name": "LogDrivers.awsLogs",
                              "problem": "keeps its logs forever (logRetention INFINITE)"})


def _never_expires(ctx, retention: v.Value | None) -> bool:
    return any(enum_member(b, _RETENTION) == "INFINITE" for b in v.branches(ctx.production_branch(retention)))


@rule(
    id="OPS-MON-003",
    name="access-logging-off",
    subcategory="missing-monitoring-logging",
    severity="warning",
    message="{name} has no access logging{detail}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
                "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",
                "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html"),
    production_aware=True,
    follows_values=True,
)
def access_logging_off(f, ctx):
    """
    ## What it does
    Finds entry points and data stores that record no access log: an Application
    Load Balancer without `logAccessLogs(...)`, an S3 bucket without
    `serverAccessLogsBucket`/`serverAccessLogsPrefix` (buckets that receive logs are
    skipped), a CloudFront distribution without `enableLogging`/`logBucket` (the
    deprecated `CloudFrontWebDistribution`: without `loggingConfig`), and an
    API Gateway REST API stage without `deployOptions.accessLogDestination`. Stacks
    known not to be production are skipped.

    ## Why is this bad?
    Access logs are the record of who called what: without them a security incident
    or a client's failing requests cannot be investigated after the fact.

    ## Example
    ```ts
    import * as apigateway from 'aws-cdk-lib/aws-apigateway';
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build(handler: lambda.IFunction) {
        new apigateway.LambdaRestApi(this, 'Api', { // <-- OPS-MON-003
          handler,
          deployOptions: { stageName: 'v1', tracingEnabled: true },
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as apigateway from 'aws-cdk-lib/aws-apigateway';
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build(handler: lambda.IFunction, accessLogs: logs.ILogGroup) {
        new apigateway.LambdaRestApi(this, 'Api', {
          handler,
          deployOptions: {
            stageName: 'v1',
            tracingEnabled: true,
            accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
          },
        });
      }
    }
    ```

    ## Known problems
    An access-log call made on the resource in code the analyser cannot follow
    (another stack receiving it as a prop) is not seen.
    """
    for c in f.constructs:
        if ctx.is_production(c) is False:
            continue
        found = _access_logging_gap(c, ctx)
        if found is not None:
            node, detail, fix = found
            yield Hit(node, {"name": label(c), "detail": detail, "fix": fix})


def _access_logging_gap(c, ctx):
    """(node, detail, fix) when `c` logs no access, else None."""
    if c.fqn == _ALB:
        if not c.method_calls("logAccessLogs"):
            return c.node, "", "Call `alb.logAccessLogs(logBucket, 'prefix')` (an SSE-S3 bucket)"
    elif c.fqn == "aws_s3.Bucket":
        if c.prop("serverAccessLogsBucket") is None and c.prop("serverAccessLogsPrefix") is None \
                and not is_log_destination(c, ctx.project):
            return c.node, "", "Set `serverAccessLogsBucket: logBucket` and `serverAccessLogsPrefix`"
    elif c.fqn == "aws_cloudfront.Distribution":
        if c.prop("logBucket") is None and _off(ctx, c.prop("enableLogging"), default_of(c, "enableLogging")):
            return c.prop_node("enableLogging"), "", "Set `enableLogging: true` (and `logBucket`)"
    elif c.fqn == "aws_cloudfront.CloudFrontWebDistribution":
        if c.prop("loggingConfig") is None and not (isinstance(c.props, v.Obj) and c.props.open):
            return c.node, "", "Set `loggingConfig: { bucket: logBucket, prefix: 'cdn/' }`"
    elif _is(c.fqn, _REST_API):
        node = _stage_feature_off(c, "accessLogDestination", ctx)
        if node is not None:
            return node, " on its deployment stage", \
                "Set `deployOptions.accessLogDestination: new apigateway.LogGroupLogDestination(logGroup)`"
    return None


def _off(ctx, value: v.Value | None, default) -> bool:
    """A boolean switch that is surely off: false, or absent with an off default."""
    if value is None:
        return default is not None and default.value in (False, None)
    return all(v.literal(b) is False for b in v.branches(ctx.production_branch(value)))


def _stage_feature_off(api, key: str, ctx):
    """Where to point when the API's deployment stage leaves `key` off; None when it is on or unknown."""
    if v.literal(api.prop("deploy")) is False:
        return None                     # no stage is deployed from here
    options = api.prop("deployOptions")
    if options is not None and not isinstance(options, v.Obj):
        return None                     # stage options that cannot be seen
    value = options.get(key) if options is not None else None
    if _off(ctx, value, knowledge().semantic_default(_STAGE, key)):
        return pair_in(api, options, key) if value is not None else api.node
    return None


@rule(
    id="OPS-MON-004",
    name="vpc-without-flow-logs",
    subcategory="missing-monitoring-logging",
    severity="warning",
    message="{name} has no flow logs",
    remediation="Add `flowLogs: {{ all: {{ destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup) }} }}` "
                "or call `vpc.addFlowLog('FlowLogs')`",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",),
    production_aware=True,
)
def vpc_without_flow_logs(f, ctx):
    """
    ## What it does
    Finds `ec2.Vpc`s with no `flowLogs`, no `vpc.addFlowLog(...)` call and no
    `ec2.FlowLog` aimed at them. Stacks known not to be production are skipped.

    ## Why is this bad?
    Flow logs are the only record of which addresses talked to what inside a VPC:
    without them a rejected connection cannot be debugged and a compromise cannot be
    traced.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class NetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'Vpc', { maxAzs: 3 }); // <-- OPS-MON-004
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class NetworkStack extends Stack {
      build() {
        const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 3 });
        vpc.addFlowLog('FlowLogs');
      }
    }
    ```
    """
    flow_log_targets = None
    for vpc in f.constructs:
        if vpc.fqn != "aws_ec2.Vpc" or ctx.is_production(vpc) is False:
            continue
        flow_logs = vpc.prop("flowLogs")
        if flow_logs is None:
            default = default_of(vpc, "flowLogs")
            if default is None or default.value is not None:
                continue
        elif not (isinstance(flow_logs, v.Obj) and not flow_logs.entries and not flow_logs.open):
            continue                    # flow logs configured (or an object that cannot be seen)
        if vpc.method_calls("addFlowLog"):
            continue
        if flow_log_targets is None:
            flow_log_targets = _flow_log_targets(ctx.project)
        if vpc not in flow_log_targets and None not in flow_log_targets:
            yield Hit(vpc.node, {"name": label(vpc)})


def _flow_log_targets(project) -> set:
    """VPCs that an `ec2.FlowLog` is aimed at (None: one whose target cannot be known)."""
    targets: set = set()
    for flow_log in project.constructs("aws_ec2.FlowLog"):
        resource = flow_log.prop("resourceType")
        if isinstance(resource, v.Call) and resource.fqn == "aws_ec2.FlowLogResourceType.fromVpc" and resource.args \
                and isinstance(resource.args[0], v.ConstructRef):
            targets.add(resource.args[0].construct)
        elif not isinstance(resource, v.Call) or resource.fqn is None:
            targets.add(None)
    return targets


@rule(
    id="OPS-MON-005",
    name="tracing-disabled",
    subcategory="missing-monitoring-logging",
    severity="notice",
    message="{name} has X-Ray tracing off{detail}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/xray/latest/devguide/xray-services.html",),
    production_aware=True,
    follows_values=True,
)
def tracing_disabled(f, ctx):
    """
    ## What it does
    Finds Lambda functions whose `tracing` is absent or `Tracing.DISABLED`, and API
    Gateway REST APIs whose stage has `tracingEnabled` absent or false. Stacks known
    not to be production are skipped.

    ## Why is this bad?
    Without traces a slow or failing request through API Gateway, Lambda and the
    services behind them shows up as one opaque latency number; finding which hop
    failed takes guesswork across several log groups.

    ## Example
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build(logGroup: logs.ILogGroup) {
        new lambda.Function(this, 'Handler', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
          logGroup,
          tracing: lambda.Tracing.DISABLED, // <-- OPS-MON-005
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build(logGroup: logs.ILogGroup) {
        new lambda.Function(this, 'Handler', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
          logGroup,
          tracing: lambda.Tracing.ACTIVE,
        });
      }
    }
    ```
    """
    for c in f.constructs:
        if ctx.is_production(c) is False:
            continue
        if _is(c.fqn, _LAMBDA):
            yield from _function_tracing(c, ctx)
        elif _is(c.fqn, _REST_API):
            node = _stage_feature_off(c, "tracingEnabled", ctx)
            if node is not None:
                yield Hit(node, {"name": label(c), "detail": " on its deployment stage",
                                 "fix": "Set `deployOptions.tracingEnabled: true`"})


def _function_tracing(fn, ctx):
    fix = "Set `tracing: lambda.Tracing.ACTIVE`"
    tracing = fn.prop("tracing")
    if tracing is None:
        default = default_of(fn, "tracing")
        if default is not None and default.value == "DISABLED":
            yield Hit(fn.node, {"name": label(fn), "detail": " (tracing not set)", "fix": fix})
    elif any(enum_member(b, "aws_lambda.Tracing") == "DISABLED" for b in v.branches(ctx.production_branch(tracing))):
        yield Hit(fn.prop_node("tracing"), {"name": label(fn), "detail": "", "fix": fix})


@rule(
    id="OPS-MON-006",
    name="target-group-health-check",
    subcategory="missing-monitoring-logging",
    severity="warning",
    message="Target group{name} {problem}",
    remediation="Give it a health check on an endpoint that checks the app: "
                "`healthCheck: {{ path: '/health', interval: Duration.seconds(30), healthyThresholdCount: 2 }}`",
    references=("https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",),
)
def target_group_health_check(f, ctx):
    """
    ## What it does
    Finds Application Load Balancer target groups (`listener.addTargets(...)`,
    `new elbv2.ApplicationTargetGroup(...)`, `targetGroup.configureHealthCheck(...)`)
    whose health check is switched off (`healthCheck: { enabled: false }`, a
    warning), and ALB target groups with no `healthCheck` settings at all (a notice:
    the default probes `/` and expects HTTP 200). Lambda targets are skipped.

    ## Why is this bad?
    With health checks disabled the load balancer keeps sending traffic to broken
    targets, and an Auto Scaling group that relies on ELB health never replaces
    them. The default check on `/` often tests a static page, or fails on an app
    that answers `/` with a redirect.

    ## Example
    ```ts
    import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import { Stack } from 'aws-cdk-lib';

    export class WebStack extends Stack {
      build(alb: elbv2.ApplicationLoadBalancer, servers: autoscaling.AutoScalingGroup) {
        const listener = alb.addListener('Http', { port: 80 });
        listener.addTargets('Web', {
          port: 8080,
          targets: [servers],
          healthCheck: { enabled: false }, // <-- OPS-MON-006
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import { Duration, Stack } from 'aws-cdk-lib';

    export class WebStack extends Stack {
      build(alb: elbv2.ApplicationLoadBalancer, servers: autoscaling.AutoScalingGroup) {
        const listener = alb.addListener('Http', { port: 80 });
        listener.addTargets('Web', {
          port: 8080,
          targets: [servers],
          healthCheck: { path: '/health', interval: Duration.seconds(30) },
        });
      }
    }
    ```
    """
    configured = {call.receiver.node.id for call in f.method_calls
                  if call.name == "configureHealthCheck" and call.receiver.node is not None}
    for call in f.method_calls:
        if call.name == "addTargets" and len(call.args) > 1 and isinstance(call.args[1], v.Obj):
            judge_absent = _is_application(call.receiver) and call.node.id not in configured
            yield from _health_check(f, call.node, _quoted(call.args[0]), call.args[1], judge_absent, ctx)
        elif call.name == "configureHealthCheck" and call.args:
            yield from _disabled(f, call.node, "", call.args[0], ctx)
    for tg in f.constructs:
        props = tg.props if tg.props is not None else v.Obj({})
        if tg.fqn == _ALB_TARGET_GROUP and isinstance(props, v.Obj):
            yield from _health_check(f, tg.node, _quoted(tg.id), props, tg.node.id not in configured, ctx)


def _quoted(ident: v.Value) -> str:
    """The id with a leading space for messages (`Target group 'Web' ...`); empty when unknown."""
    name = v.literal(ident)
    return f" '{name}'" if isinstance(name, str) else ""


def _health_check(f, node, name: str, props: v.Obj, judge_absent: bool, ctx):
    check = props.get("healthCheck")
    if check is not None:
        yield from _disabled(f, node, name, check, ctx)
    elif judge_absent and not props.open and not _targets_lambda(props):
        yield Hit(node, {"name": name, "problem": "has no health check settings (the default probes `/` for HTTP 200)"},
                  severity=Severity.NOTICE)


def _disabled(f, node, name: str, check: v.Value, ctx):
    """A hit when a health check object says `enabled: false`."""
    if not isinstance(check, v.Obj):
        return
    enabled = check.get("enabled")
    if enabled is not None and any(v.literal(b) is False for b in v.branches(ctx.production_branch(enabled))):
        pair = check.key_nodes.get("enabled") if check.file is f else None
        yield Hit(pair if pair is not None else node, {"name": name, "problem": "has health checks disabled (`enabled: false`)"})


def _targets_lambda(props: v.Obj) -> bool:
    """Lambda targets have health checks off by default, and that is fine."""
    if enum_member(props.get("targetType"), "aws_elasticloadbalancingv2.TargetType") == "LAMBDA":
        return True
    targets = props.get("targets")
    return isinstance(targets, v.Arr) and any(isinstance(t, v.New) and t.fqn == _LAMBDA_TARGET for t in targets.items)


def _is_application(receiver: v.Value) -> bool:
    """A listener of an Application Load Balancer (`alb.addListener(...)`, `new ApplicationListener`)."""
    while isinstance(receiver, (v.Call, v.Attr)):
        receiver = receiver.callee if isinstance(receiver, v.Call) else receiver.base
    return isinstance(receiver, v.ConstructRef) and receiver.construct.fqn in (_ALB, _ALB_LISTENER)


_DATABASES = ("aws_rds.DatabaseInstanceBase", "aws_rds.DatabaseCluster", "aws_rds.DatabaseClusterFromSnapshot")
# The log types each engine family writes, for the remediation (RDS user guide, "Publishing database logs").
_ENGINE_LOGS = (("aurora_mysql", "['error', 'slowquery', 'audit']"), ("aurora_postgres", "['postgresql']"),
                ("postgres", "['postgresql']"), ("mysql", "['error', 'slowquery']"),
                ("mariadb", "['error', 'slowquery']"), ("oracle", "['alert', 'listener']"),
                ("sql_server", "['error', 'agent']"))


@rule(
    id="OPS-MON-007",
    name="database-logs-not-exported",
    subcategory="missing-monitoring-logging",
    severity="warning",
    message="{name} exports no database logs to CloudWatch ({detail})",
    remediation="Publish the engine's logs: `cloudwatchLogsExports: {logs}` "
                "with `cloudwatchLogsRetention` (e.g. `logs.RetentionDays.ONE_MONTH`)",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html",),
    production_aware=True,
    follows_values=True,
)
def database_logs_not_exported(f, ctx):
    """
    ## What it does
    Finds RDS database instances and clusters (Aurora included) of production stacks
    whose `cloudwatchLogsExports` is absent or empty. Stacks known not to be
    production are skipped; props that come from an unknown spread are not judged.

    ## Why is this bad?
    Without exported logs, the error log, slow queries and audit trail stay on the
    instance: they rotate away within days, cannot be searched or alarmed on with
    CloudWatch, and are gone when the instance is replaced. An outage or a breach of
    the database then leaves no record to investigate.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class OrdersDatabaseStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Orders', { // <-- OPS-MON-007
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class OrdersDatabaseStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Orders', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
          cloudwatchLogsExports: ['postgresql'],
          cloudwatchLogsRetention: logs.RetentionDays.ONE_MONTH,
        });
      }
    }
    ```
    """
    for c in f.constructs:
        if not any(_is(c.fqn, kind) for kind in _DATABASES) or ctx.is_production(c) is False:
            continue
        exports = c.prop("cloudwatchLogsExports")
        if exports is None:
            if isinstance(c.props, v.Obj) and c.props.open:
                continue
            detail, node = "cloudwatchLogsExports not set", c.node
        elif isinstance(exports, v.Arr) and not exports.items and not exports.open:
            detail, node = "cloudwatchLogsExports is empty", c.prop_node("cloudwatchLogsExports")
        else:
            continue
        yield Hit(node, {"name": label(c), "detail": detail, "logs": _log_types(c.prop("engine"))})


def _log_types(engine: v.Value | None) -> str:
    """The log types of the database's engine (`DatabaseInstanceEngine.postgres(...)`)."""
    callee = engine.callee if isinstance(engine, v.Call) else engine
    fqn = (v.symbol_fqn(callee) or "").lower()
    member = fqn.rsplit(".", 1)[-1]
    for family, logs in _ENGINE_LOGS:
        if member.replace("_", "").startswith(family.replace("_", "")):
            return logs
    return "[...] (the log types of its engine)"
