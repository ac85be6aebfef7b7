"""incomplete-implementation / incomplete-stack-implementation."""
from __future__ import annotations

import re

from rules.parsing import text
from rules.registry import Hit, rule

_PLACEHOLDER = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")


@rule(
    id="INC-STK-001",
    name="empty-stack",
    subcategory="incomplete-stack-implementation",
    severity="warning",
    message="{kind} {name} creates nothing: its constructor only calls super()",
    remediation="Add the resources this {kind} is for, or delete it and its instantiation",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/stacks.html",),
)
def empty_stack(f, ctx):
    """
    ## What it does
    Finds stack and construct classes whose constructor does nothing but call
    `super(...)` (or has no statements at all) and that have no other members.

    ## Why is this bad?
    An empty stack deploys as an empty CloudFormation stack: the pipeline is green
    while the DNS records, alarms or tables it was meant to hold do not exist.

    ## Example
    ```ts
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class DnsStack extends Stack { // <-- INC-STK-001
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
      }
    }
    ```

    ## Use instead
    ```ts
    import * as route53 from 'aws-cdk-lib/aws-route53';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class DnsStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        new route53.PublicHostedZone(this, 'Zone', { zoneName: 'example.com' });
      }
    }
    ```
    """
    for cls in f.classes:
        if cls.kind not in ("stack", "construct", "stage") or cls.constructor_body is None:
            continue
        body = cls.node.child_by_field_name("body")
        members = [m for m in body.named_children if m.type not in ("comment",)] if body is not None else []
        if len(members) != 1:
            continue      # other methods or fields may hold the implementation
        statements = [s for s in cls.constructor_body.named_children if s.type != "comment"]
        if all(_is_super_call(s) for s in statements):
            yield Hit(cls.node, {"kind": cls.kind, "name": cls.name})


def _is_super_call(stmt) -> bool:
    if stmt.type != "expression_statement" or not stmt.named_children:
        return False
    call = stmt.named_children[0]
    fn = call.child_by_field_name("function") if call.type == "call_expression" else None
    return fn is not None and fn.type == "super"


@rule(
    id="INC-STK-002",
    name="placeholder-comment",
    subcategory="incomplete-stack-implementation",
    severity="warning",
    message="Unfinished work left in CDK code: {comment}",
    remediation="Implement it before merging, or track it in an issue and link it here",
    references=(),
)
def placeholder_comment(f, ctx):
    """
    ## What it does
    Finds `TODO`, `FIXME`, `XXX` and `HACK` comments in CDK files.

    ## Why is this bad?
    In infrastructure code a placeholder usually marks a resource that is not
    deployed at all (a monitoring stack, a DNS record, a backup plan) while the
    pipeline reports success.

    ## Example
    ```ts
    import { App } from 'aws-cdk-lib';

    const app = new App();
    // TODO: add the monitoring stack  // <-- INC-STK-002
    ```

    ## Use instead
    ```ts
    import { App } from 'aws-cdk-lib';
    import { MonitoringStack } from './monitoring-stack';

    const app = new App();
    new MonitoringStack(app, 'Monitoring');
    ```
    """
    for node in f.comment_nodes:
        comment = text(node)
        if _PLACEHOLDER.search(comment) is None or "cdk-review-ignore" in comment:
            continue
        snippet = " ".join(comment.lstrip("/*").rstrip("*/").split())
        if len(snippet) > 100:
            snippet = snippet[:97] + "..."
        yield Hit(node, {"comment": f"“{snippet}”"})
