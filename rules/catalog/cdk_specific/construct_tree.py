"""cdk-specific / incorrect-construct-usage: the construct tree (scopes, ids, stacks)."""
from __future__ import annotations

from rules.model import values as v
from rules.model.labels import label
from rules.model.placement import (constructor_scope_param, contains, enclosing_function, enclosing_loop,
                                   is_conditional, iterates_at_most_once, tree_kind)
from rules.parsing import text
from rules.registry import Hit, rule
from rules.taxonomy import Severity


@rule(
    id="CDK-TREE-001",
    name="stack-inside-construct",
    subcategory="incorrect-construct-usage",
    severity="warning",
    message="{child} is a Stack created inside {kind} {owner}: it deploys as a separate stack hidden "
            "in the construct tree, and references across it become CloudFormation exports",
    remediation="Create stacks in the app entry point or a Stage; inside a stack use `NestedStack` "
                "or a plain Construct",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/stacks.html",
                "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.NestedStack.html"),
)
def stack_inside_construct(f, ctx):
    """
    ## What it does
    Finds stacks (`new Stack(this, ...)` or an app's stack class) created with `this` as
    scope inside a construct or a stack class. `NestedStack`s and stacks created in a
    `Stage` are fine.

    ## Why is this bad?
    A `Stack` is a deployment unit: created inside a construct it becomes a separate
    CloudFormation stack whose name and deployment order come from the construct path,
    every reference between it and its parent turns into an export/import pair that
    blocks later changes, and `cdk deploy` of the parent does not deploy it.

    ## Example
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class Storage extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        const inner = new Stack(this, 'StorageStack'); // <-- CDK-TREE-001
        new s3.Bucket(inner, 'Bucket');
      }
    }
    ```

    ## Use instead
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { NestedStack } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class Storage extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        const inner = new NestedStack(this, 'StorageStack');
        new s3.Bucket(inner, 'Bucket');
      }
    }
    ```
    """
    for c in f.constructs:
        owner = c.owner
        if owner is None or owner.kind not in ("construct", "stack") or tree_kind(c) != "stack":
            continue
        if c.arg_nodes and isinstance(f.eval(c.arg_nodes[0]), v.This):
            yield Hit(c.node, {"child": label(c), "owner": owner.name,
                               "kind": "the construct" if owner.kind == "construct" else "the stack"})


@rule(
    id="CDK-TREE-002",
    name="scope-instead-of-this",
    subcategory="incorrect-construct-usage",
    severity="error",
    message="{child} is created in `{scope}`, the parent of {owner}, instead of `this`{consequence}",
    remediation="Pass `this` as the first argument: `new {cls}(this, ...)`",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/constructs.html#constructs_composition",),
)
def scope_instead_of_this(f, ctx):
    """
    ## What it does
    Finds constructs created inside a stack's, construct's or stage's constructor with the
    constructor's `scope` parameter as their scope instead of `this`. A stack class may
    create sibling stacks in `scope`; anything else belongs under `this`.

    ## Why is this bad?
    In a stack, `scope` is the App or Stage: a resource there belongs to no stack and synth
    fails ("No stack could be identified for the construct"). In a construct, the child is
    attached to the parent instead: the construct's second instance fails with "There is
    already a Construct with name ...", and its resources escape its path, tags and aspects.
    In a Stage, a stack created in `scope` escapes the stage and its pipeline wave.

    ## Example
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class StorageStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        new s3.Bucket(scope, 'Uploads'); // <-- CDK-TREE-002
      }
    }
    ```

    ## Use instead
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class StorageStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        new s3.Bucket(this, 'Uploads');
      }
    }
    ```
    """
    for c in f.constructs:
        owner = c.owner
        if owner is None or owner.kind not in ("stack", "construct", "stage") or not constructor_scope_param(c):
            continue
        child_kind = tree_kind(c)
        if owner.kind == "stage" and child_kind != "stack":
            continue            # a Stage holds stacks; anything else there is another problem
        if owner.kind in ("stack", "construct") and child_kind in ("stack", "stage"):
            continue            # sibling stacks created next to this one
        consequence, severity = _consequence(owner.kind)
        yield Hit(c.node, {"child": label(c), "scope": text(c.arg_nodes[0]), "owner": owner.name,
                           "consequence": consequence, "cls": c.name}, severity=severity)


def _consequence(owner_kind: str) -> tuple[str, Severity | None]:
    if owner_kind == "stack":
        return ": it belongs to no stack and synth fails", None
    if owner_kind == "stage":
        return ": the stack escapes the stage", None
    return ": a second instance of the construct fails with a duplicate id", Severity.WARNING


@rule(
    id="CDK-TREE-003",
    name="colliding-construct-ids",
    subcategory="incorrect-construct-usage",
    severity="error",
    message="Construct id '{ident}' {where}: synth fails with \"There is already a Construct with name '{ident}'\"",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/identifiers.html#identifiers_construct_ids",),
    in_tests=True,
)
def colliding_construct_ids(f, ctx):
    """
    ## What it does
    Finds construct ids that repeat within one scope: a fixed id for a construct created
    in a loop (`for`, `for...of`, `items.forEach(...)`) under a scope that does not change
    with the loop, and the same id used twice under the same scope in one function,
    outside of branches.

    ## Why is this bad?
    Ids must be unique among a scope's children; the second construct throws "There is
    already a Construct with name ..." and nothing synthesizes.

    ## Example
    ```ts
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack } from 'aws-cdk-lib';

    export class QueuesStack extends Stack {
      build(tenants: string[]) {
        for (const tenant of tenants) {
          new sqs.Queue(this, 'TenantQueue', { queueName: `${tenant}-jobs` }); // <-- CDK-TREE-003
        }
        new sqs.Queue(this, 'Dlq');
        new sqs.Queue(this, 'Dlq'); // <-- CDK-TREE-003
      }
    }
    ```

    ## Use instead
    ```ts
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack } from 'aws-cdk-lib';

    export class QueuesStack extends Stack {
      build(tenants: string[]) {
        for (const tenant of tenants) {
          new sqs.Queue(this, `TenantQueue-${tenant}`, { queueName: `${tenant}-jobs` });
        }
        new sqs.Queue(this, 'Dlq');
        new sqs.Queue(this, 'OrdersDlq');
      }
    }
    ```

    ## Known problems
    Loops that run once, or whose body stops after the first construct, are reported too
    unless they go over a literal array of one element.
    """
    seen: dict[tuple, object] = {}
    for c in f.constructs:
        ident = v.literal(c.id)
        scope = _scope_key(c)
        if not isinstance(ident, str) or scope is None:
            continue
        loop = enclosing_loop(c.node)
        if loop is not None:
            if _scope_outside(c, loop) and not iterates_at_most_once(f, loop):
                yield Hit(c.node, {"ident": ident, "where": "is the same in every iteration of the loop",
                                   "fix": f"Derive the id from the loop variable, e.g. `{ident}-${{name}}` "
                                          "in a template string"})
            continue
        function = enclosing_function(c.node)
        if function is None or is_conditional(c.node, function):
            continue
        key = (function.id, scope, ident)
        first = seen.setdefault(key, c)
        if first is not c:
            yield Hit(c.node, {"ident": ident, "fix": "Give each construct of the scope its own id",
                               "where": f"is already used in the same scope at line {first.node.start_point[0] + 1}"})


def _scope_key(c):
    """What identifies the scope a construct is created in, when that can be seen."""
    if not c.arg_nodes:
        return None
    scope = c.file.eval(c.arg_nodes[0])
    if isinstance(scope, v.This):
        return ("this", scope.class_node.id if scope.class_node is not None else None)
    if isinstance(scope, v.ConstructRef):
        return ("construct", id(scope.construct))
    if isinstance(scope, v.Param) and scope.node is not None:
        return ("param", scope.node.id)
    return None


def _scope_outside(c, loop) -> bool:
    """True when the scope is the same object in every iteration: `this`, a parameter, or a
    construct created before the loop."""
    scope = c.file.eval(c.arg_nodes[0])
    if isinstance(scope, v.ConstructRef):
        return not contains(loop, scope.construct.node)
    if isinstance(scope, v.Param):
        return scope.node is not None and not contains(loop, scope.node)
    return isinstance(scope, v.This)
