"""cdk-specific / incorrect-construct-usage."""
from __future__ import annotations

from rules.model import values as v
from rules.model.library import api_problem, unknown_method, unknown_props
from rules.registry import Hit, rule


@rule(
    id="CDK-API-001",
    name="nonexistent-cdk-api",
    subcategory="incorrect-construct-usage",
    severity="error",
    message="{problem}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-construct-library.html",),
)
def nonexistent_cdk_api(f, ctx):
    """
    ## What it does
    Checks every use of aws-cdk-lib against the library's real API (generated from
    its jsii assembly): enum members (`BillingMode.ON_DEMAND`,
    `RetentionDays.THIRTY_DAYS`), static members (`Peer.anyIp()`), classes taken
    from a module that does not export them (`cloudwatch.SnsAction`), props a
    construct does not take and methods a construct does not have
    (`asg.metricCpuUtilization()`). The message names the closest real name.

    ## Why is this bad?
    Names that do not exist fail compilation, or with `any` in the way, fail at
    synth or silently do nothing (an unknown prop is ignored by JavaScript). This is
    the most common mistake in generated CDK code.

    ## Example
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class DataStack extends Stack {
      build() {
        new dynamodb.Table(this, 'Table', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.ON_DEMAND, // <-- CDK-API-001
        });
        new logs.LogGroup(this, 'Logs', {
          retention: logs.RetentionDays.THIRTY_DAYS, // <-- CDK-API-001
          retentionDays: 30, // <-- CDK-API-001
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { Stack } from 'aws-cdk-lib';

    export class DataStack extends Stack {
      build() {
        new dynamodb.Table(this, 'Table', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        });
        new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
      }
    }
    ```

    ## Known problems
    Checked against aws-cdk-lib 2.276.0: an API added later is reported until the
    knowledge table is regenerated. CDK v1 modules are not checked.
    """
    # Library names used in expressions: ec2.SubnetType.PRIVATE_WITH_NAT, cdk.Duration.dayz(...)
    library_roots = f.library_names
    for node in f.nodes("member_expression"):
        if _continues_chain(node) or _root_name(node) not in library_roots:
            continue
        value = f.eval(node)
        if isinstance(value, v.Symbol) and value.package == "aws-cdk-lib" and not value.v1:
            problem = api_problem(value.fqn)
            if problem is not None:
                yield Hit(node.child_by_field_name("property") or node,
                          {"problem": problem.message, "fix": problem.fix})
    for c in f.constructs:
        for key, pair, problem in unknown_props(c):
            yield Hit(pair, {"problem": problem.message, "fix": problem.fix})
    for call in f.method_calls:
        if call.construct is None or call.path:
            continue
        problem = unknown_method(call.construct, call.name)
        if problem is not None:
            yield Hit(call.name_node, {"problem": problem.message, "fix": problem.fix})


def _root_name(node) -> str | None:
    """`ec2` of `ec2.SubnetType.PUBLIC`: cheap syntax filter before evaluating a chain."""
    while node.type == "member_expression":
        node = node.child_by_field_name("object")
    return node.text.decode() if node.type == "identifier" else None


def _continues_chain(node) -> bool:
    """True when `node` is the object of a longer member chain (`a.b` in `a.b.c`)."""
    parent = node.parent
    if parent is None or parent.type != "member_expression":
        return False
    obj = parent.child_by_field_name("object")
    return obj is not None and obj.id == node.id
