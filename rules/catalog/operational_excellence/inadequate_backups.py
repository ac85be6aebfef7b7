"""operational-excellence / inadequate-backups."""
from __future__ import annotations

from rules.model import values as v
from rules.model.library import is_stateful
from rules.registry import Hit, rule

_DESTROY = "RemovalPolicy.DESTROY"


@rule(
    id="OPS-BAK-001",
    name="destroy-removal-policy-on-data",
    subcategory="inadequate-backups",
    severity="error",
    message="{construct} holds data but is deleted with its stack (RemovalPolicy.DESTROY)",
    remediation="Keep the data: `removalPolicy: RemovalPolicy.RETAIN` (or `SNAPSHOT` for databases)",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resources_removal",),
    production_aware=True,
)
def destroy_removal_policy_on_data(f, ctx):
    """
    ## What it does
    Finds `RemovalPolicy.DESTROY` on constructs that hold data (S3 buckets, RDS
    instances and clusters, DynamoDB tables, EFS file systems, KMS keys, Kinesis
    streams...), set as the `removalPolicy` prop or through `applyRemovalPolicy`.
    In `isProd ? RETAIN : DESTROY` only the production branch is judged.

    ## Why is this bad?
    A stack deletion, a rename of the construct id or a refactor that moves it
    replaces the resource and deletes the data with no way back. A KMS key deleted
    this way makes everything encrypted with it unreadable.

    ## Example
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { RemovalPolicy, Stack } from 'aws-cdk-lib';

    export class OrdersStack extends Stack {
      build() {
        new dynamodb.Table(this, 'Orders', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          removalPolicy: RemovalPolicy.DESTROY, // <-- OPS-BAK-001
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { RemovalPolicy, Stack } from 'aws-cdk-lib';

    export class OrdersStack extends Stack {
      build(isProd: boolean) {
        new dynamodb.Table(this, 'Orders', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        });
      }
    }
    ```
    """
    for c in f.constructs:
        if c.fqn is None or not is_stateful(c.fqn):
            continue
        if ctx.is_production(c) is False:
            continue
        policy = c.prop("removalPolicy")
        if policy is not None and _destroys(ctx, policy):
            pair = c.prop_node("removalPolicy")
            yield Hit(pair, {"construct": c.name}, suggestion=_retain(pair, f.lines))
        for call in c.method_calls("applyRemovalPolicy"):
            if call.args and _destroys(ctx, call.args[0]):
                yield Hit(call.node, {"construct": c.name})


def _destroys(ctx, value) -> bool:
    return any(v.is_symbol(b, _DESTROY) for b in v.branches(ctx.production_branch(value)))


def _retain(pair, lines: list[str]) -> str | None:
    """The pair's line with DESTROY replaced by RETAIN, when it is a one-line `key: value`."""
    if pair.type != "pair" or pair.start_point[0] != pair.end_point[0]:
        return None
    line = lines[pair.start_point[0]]
    return line.replace("DESTROY", "RETAIN", 1) if line.count("DESTROY") == 1 else None
