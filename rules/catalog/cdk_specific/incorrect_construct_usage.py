"""cdk-specific / incorrect-construct-usage: API that does not exist.

The other incorrect-usage rules live next to this module: deprecated_api.py (deprecated
APIs and runtimes), construct_tree.py (scopes, ids, stacks in constructs) and
construct_choice.py (creating instead of importing, lookups, L1 where an L2 fits).
"""
from __future__ import annotations

from functools import cache

from rules.knowledge import knowledge
from rules.model import values as v
from rules.model.aws_catalogs import managed_policy_problem, policy_name_in_arn
from rules.model.cdk_versions import is_cdk_module
from rules.model.library import api_problem, module_has_member
from rules.model.structs import struct_uses
from rules.model.types import importer_for, library_symbols, value_type
from rules.parsing import text
from rules.registry import Hit, rule

_POLICY_BY_NAME = "aws_iam.ManagedPolicy.fromAwsManagedPolicyName"
_POLICY_BY_ARN = "aws_iam.ManagedPolicy.fromManagedPolicyArn"


@rule(
    id="CDK-API-001",
    name="nonexistent-cdk-api",
    subcategory="incorrect-construct-usage",
    severity="error",
    message="{problem}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-construct-library.html",),
    in_tests=True,
)
def nonexistent_cdk_api(f, ctx):
    """
    ## What it does
    Checks every use of aws-cdk-lib against the library's real API (generated from
    its jsii assembly): enum members (`BillingMode.ON_DEMAND`,
    `RetentionDays.THIRTY_DAYS`), static members (`Peer.anyIp()`), classes taken
    from a module that does not export them (`cloudwatch.SnsAction`), props a
    construct does not take, keys a method's options or a nested struct do not take
    (`scaleInCooldown` in `asg.scaleOnCpuUtilization('Cpu', {...})`, `lambda.Code.fromAsset(path, {...})`),
    and methods or properties a value does not have, also along attribute chains
    (`asg.metricCpuUtilization()`, `db.connections.allowFromm(...)`). The message names
    the closest real name. A name imported from the wrong module
    (`import { RetentionDays } from 'aws-cdk-lib/aws-lambda'`) is reported once, at the
    import, by TSQ-IMP-002, not again at each use.

    ## Why is this bad?
    Names that do not exist fail compilation, or with `any` in the way, fail at
    synth or silently do nothing (an unknown prop is ignored by JavaScript). This is
    the most common mistake in generated CDK code.

    ## Example
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import * as sns from 'aws-cdk-lib/aws-sns';
    import { Duration, Stack } from 'aws-cdk-lib';

    export class DataStack extends Stack {
      build(vpc: ec2.IVpc, topic: sns.Topic) {
        const table = new dynamodb.Table(this, 'Table', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.ON_DEMAND, // <-- CDK-API-001
        });
        new logs.LogGroup(this, 'Logs', {
          retention: logs.RetentionDays.THIRTY_DAYS, // <-- CDK-API-001
          retentionDays: 30, // <-- CDK-API-001
        });
        const alarm = table.metricConsumedReadCapacityUnit().createAlarm(this, 'Reads', { // <-- CDK-API-001
          threshold: 1000,
          evaluationPeriods: 1,
        });
        alarm.addAlarmAction(new cloudwatch.SnsAction(topic)); // <-- CDK-API-001
        const db = new rds.DatabaseInstance(this, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
        });
        const asg = new autoscaling.AutoScalingGroup(this, 'Asg', {
          vpc,
          instanceType: new ec2.InstanceType('t3.micro'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        });
        db.connections.allowFromm(asg, ec2.Port.tcp(5432)); // <-- CDK-API-001
        asg.scaleOnCpuUtilization('Cpu', {
          targetUtilizationPercent: 60,
          scaleInCooldown: Duration.minutes(5), // <-- CDK-API-001
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import * as sns from 'aws-cdk-lib/aws-sns';
    import { Duration, Stack } from 'aws-cdk-lib';

    export class DataStack extends Stack {
      build(vpc: ec2.IVpc, topic: sns.Topic) {
        const table = new dynamodb.Table(this, 'Table', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        });
        new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
        const alarm = table.metricConsumedReadCapacityUnits().createAlarm(this, 'Reads', {
          threshold: 1000,
          evaluationPeriods: 1,
        });
        alarm.addAlarmAction(new actions.SnsAction(topic));
        const db = new rds.DatabaseInstance(this, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
        });
        const asg = new autoscaling.AutoScalingGroup(this, 'Asg', {
          vpc,
          instanceType: new ec2.InstanceType('t3.micro'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        });
        db.connections.allowFrom(asg, ec2.Port.tcp(5432));
        asg.scaleOnCpuUtilization('Cpu', {
          targetUtilizationPercent: 60,
          cooldown: Duration.minutes(5),
        });
      }
    }
    ```

    ## Known problems
    Checked against aws-cdk-lib 2.276.0: an API added later is reported until the
    knowledge table is regenerated. CDK v1 modules are not checked. Members of the app's
    own subclasses are taken as declared; values whose type cannot be seen (parameters,
    function results) are not checked.
    """
    for node, symbol in library_symbols(f):
        if _in_nested_module(symbol.fqn):
            continue
        problem = api_problem(symbol.fqn)
        # the import is looked at only then: finding it takes a walk down the chain
        if problem is not None and not _imported_from_wrong_module(f, node):
            yield Hit(node.child_by_field_name("property") or node,
                      {"problem": problem.message, "fix": problem.fix})
    for use in struct_uses(f):
        if use.v1:
            continue
        owner = use.construct.name if use.construct is not None else use.struct.fqn.rsplit(".", 1)[-1]
        for key, pair in use.written_keys:
            if key in use.struct.props or _imports_existing(use, key):
                continue
            best = knowledge().closest(key, use.struct.props)
            yield Hit(pair, {"problem": f"{owner} has no prop `{key}`" + (f"; did you mean `{best}`?" if best else ""),
                             "fix": f"Remove `{key}` or use one of {owner}'s props"})
    for call in f.method_calls:
        missing = _missing_member(call)
        if missing is not None:
            node, owner, name, candidates = missing
            best = knowledge().closest(name, candidates)
            yield Hit(node, {"problem": f"{owner} has no member `{name}`" + (f"; did you mean `{best}`?" if best else ""),
                             "fix": f"Use one of {owner}'s methods or properties"})


@cache
def _in_nested_module(fqn: str) -> bool:
    """`aws_cloudfront.experimental.EdgeFunction`, `interfaces.aws_ec2.IVpcRef`: names in
    aws-cdk-lib's nested namespaces, which `api_problem` does not resolve (it would call
    `experimental` a missing export)."""
    parts = fqn.split(".")
    nested = _nested_modules()
    return any(".".join(parts[:i]) in nested for i in (2, 3))


@cache
def _nested_modules() -> frozenset[str]:
    return frozenset(m for m in knowledge().modules() if "." in m)


def _imported_from_wrong_module(f, node) -> bool:
    """Whether the name a chain starts from comes from an aws-cdk-lib import that TSQ-IMP-002
    reports (a module that does not exist, or one that does not export the name)."""
    root = node
    while root.type == "member_expression":
        root = root.child_by_field_name("object")
    binding = f.import_bindings.get(text(root)) if root.type == "identifier" else None
    if binding is None or binding.ref.kind != "cdk":
        return False
    if not is_cdk_module(binding.ref.module):
        return True
    if binding.imported is None:
        return False
    if binding.ref.module == "" and binding.imported[:1].islower():      # { aws_s3 as s3 }
        return not is_cdk_module(binding.imported)
    return module_has_member(binding.ref.module, binding.imported) is False


def _imports_existing(use, key: str) -> bool:
    """`vpcId` on `new ec2.Vpc`: reported by CDK-USE-001 as creating instead of importing."""
    return use.construct is not None and importer_for(use.construct.fqn, key) is not None


def _missing_member(call):
    """(node, type name, member, real members) for the first attribute in `a.b.c(...)` that
    the value's type lacks, the called method included. Only class types are judged: a value
    typed by an interface (`node.defaultChild`: IConstruct) is often cast to a class with
    `as`, which the evaluator looks through."""
    missing = _first_missing_member(call)
    # a cast is looked for only then: it takes a walk over the callee's syntax
    return None if missing is None or _cast_in_receiver(call.node) else missing


def _first_missing_member(call):
    chain = []
    value = call.receiver
    while isinstance(value, v.Attr):
        chain.append(value)
        value = value.base
    for attr in reversed(chain):
        base = value_type(attr.base)
        if base is None:
            return None
        if base.is_class and not base.has_member(attr.name):
            node = attr.node
            if node is None or node.type != "member_expression" or not _in_call(node, call.node):
                return None
            return (node.child_by_field_name("property"), base.name, attr.name,
                    [*base.methods, *base.properties])
    receiver = call.receiver_type
    if receiver is None or receiver.static or not receiver.is_class or receiver.has_member(call.name):
        return None
    return call.name_node, receiver.name, call.name, [*receiver.methods, *receiver.properties]


def _cast_in_receiver(call_node) -> bool:
    """`(x as any).foo()`, `(<Foo>x).bar()`: the author has overridden the type the evaluator sees."""
    node = call_node.child_by_field_name("function")
    while node is not None:
        if node.type in ("as_expression", "type_assertion"):
            return True
        if node.type == "member_expression":
            node = node.child_by_field_name("object")
        elif node.type == "call_expression":
            node = node.child_by_field_name("function")
        elif node.type in ("parenthesized_expression", "non_null_expression"):
            node = node.named_children[0] if node.named_children else None
        else:
            return False
    return False


def _in_call(node, call_node) -> bool:
    return call_node.start_byte <= node.start_byte and node.end_byte <= call_node.end_byte


@rule(
    id="CDK-API-002",
    name="unknown-aws-managed-policy",
    subcategory="incorrect-construct-usage",
    severity="error",
    message="{problem}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies",
                "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html"),
)
def unknown_aws_managed_policy(f, ctx):
    """
    ## What it does
    Checks the names given to `ManagedPolicy.fromAwsManagedPolicyName(...)` and the
    AWS-managed ARNs given to `ManagedPolicy.fromManagedPolicyArn(...)` against the list
    of AWS managed policies (a snapshot of `aws iam list-policies --scope AWS`, see
    rules/knowledge/aws_managed_policies.yml): invented names
    (`service-role/VPCFlowLogsDeliveryRolePolicy`), a missing or wrong path
    (`AWSLambdaBasicExecutionRole` lives under `service-role/`) and policies AWS has
    retired. The message names the real policy when there is a close one.

    ## Why is this bad?
    CDK does not check the name: synth succeeds and the deployment fails with "Policy
    arn:aws:iam::aws:policy/... does not exist or is not attachable", rolling back the
    whole stack.

    ## Example
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import { Stack } from 'aws-cdk-lib';

    export class RolesStack extends Stack {
      build() {
        new iam.Role(this, 'FlowLogs', {
          assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com'),
          managedPolicies: [
            iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/VPCFlowLogsDeliveryRolePolicy'), // <-- CDK-API-002
            iam.ManagedPolicy.fromAwsManagedPolicyName('AWSLambdaBasicExecutionRole'), // <-- CDK-API-002
          ],
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import { Stack } from 'aws-cdk-lib';

    export class RolesStack extends Stack {
      build() {
        new iam.Role(this, 'Worker', {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
          managedPolicies: [
            iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'),
            iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
          ],
        });
      }
    }
    ```

    ## Known problems
    AWS adds managed policies every month: a policy newer than the list's snapshot
    (2026-11-28) is reported until the list is refreshed. Only the aws partition is listed.
    """
    for call in f.method_calls:
        name, arg = _policy_name(call)
        if name is None:
            continue
        verdict = managed_policy_problem(name)
        if verdict is None:
            continue
        yield Hit(arg.node if _is_one_line_string(arg.node) else call.node, _policy_message(name, verdict),
                  suggestion=_renamed_line(f, arg.node, name, verdict))


def _policy_name(call) -> tuple[str | None, v.Value | None]:
    fqn = v.symbol_fqn(call.receiver)
    if fqn is None:
        return None, None
    target = f"{fqn}.{call.name}"       # before the arguments: most calls need not evaluate them
    if target == _POLICY_BY_NAME and len(call.args) >= 1:
        arg = call.args[0]
        name = v.literal(arg)
        return (name, arg) if isinstance(name, str) else (None, None)
    if target == _POLICY_BY_ARN and len(call.args) >= 3:
        arg = call.args[2]
        arn = _arn_text(arg)
        name = policy_name_in_arn(arn) if arn else None
        return (name, arg) if name else (None, None)
    return None, None


def _arn_text(value: v.Value) -> str | None:
    """The text of an ARN, `${Aws.PARTITION}` and other tokens before the policy path allowed."""
    if isinstance(value, v.Lit) and isinstance(value.value, str):
        return value.value
    if isinstance(value, v.Template) and value.parts and isinstance(value.parts[-1], v.Lit):
        return str(value.parts[-1].value)
    return None


def _policy_message(name: str, verdict) -> dict:
    if verdict.problem == "path":
        return {"problem": f"AWS managed policy `{name}` does not exist: its name is `{verdict.correct}`",
                "fix": f"Use `{verdict.correct}`"}
    if verdict.problem == "retired":
        return {"problem": f"AWS has deprecated the managed policy `{name}`; it can no longer be attached",
                "fix": "Use the policy AWS names as its replacement, or a least-privilege policy of your own"}
    hint = f"; did you mean `{verdict.correct}`?" if verdict.correct else ""
    return {"problem": f"`{name}` is not an AWS managed policy{hint}",
            "fix": f"Use `{verdict.correct}`" if verdict.correct else
                   "Use an existing AWS managed policy or write a least-privilege policy"}


def _is_one_line_string(node) -> bool:
    return node is not None and node.type in ("string", "template_string") and node.start_point[0] == node.end_point[0]


def _renamed_line(f, node, name: str, verdict) -> str | None:
    """The line with the policy name replaced, when the fix is the one real name."""
    if verdict.correct is None or verdict.problem == "retired" or not _is_one_line_string(node):
        return None
    literal = text(node)
    if literal.count(name) != 1:
        return None
    line = f.lines[node.start_point[0]]
    return line.replace(literal, literal.replace(name, verdict.correct), 1)
