"""typescript-quality / type-definitions."""
from __future__ import annotations

from rules.parsing import text
from rules.registry import Hit, rule


@rule(
    id="TSQ-TYP-001",
    name="explicit-any",
    subcategory="type-definitions",
    severity="warning",
    message="`any` {where} switches off type checking{hint}",
    remediation="Give it a real type{suggest}",
    references=("https://www.typescriptlang.org/tsconfig#noImplicitAny",),
)
def explicit_any(f, ctx):
    """
    ## What it does
    Finds `any` in CDK code: annotations (`props: any`), casts (`x as any`,
    `<any>x`) and generic arguments.

    ## Why is this bad?
    With `any` the compiler stops checking props, so a misspelled or missing
    required prop reaches `cdk synth` or production unnoticed. In CDK code the
    types are the documentation of what a construct needs.

    ## Example
    ```ts
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class WorkerStack extends Stack {
      constructor(scope: Construct, id: string, props: any) { // <-- TSQ-TYP-001
        super(scope, id, props);
        new sqs.Queue(this, 'Queue', props.queue as any); // <-- TSQ-TYP-001
      }
    }
    ```

    ## Use instead
    ```ts
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export interface WorkerStackProps extends StackProps {
      readonly queue?: sqs.QueueProps;
    }

    export class WorkerStack extends Stack {
      constructor(scope: Construct, id: string, props: WorkerStackProps) {
        super(scope, id, props);
        new sqs.Queue(this, 'Queue', props.queue);
      }
    }
    ```
    """
    seen_lines: set[int] = set()
    for n in f.nodes("predefined_type"):
        if text(n) != "any":
            continue
        line = n.start_point[0]
        if line in seen_lines:
            continue
        seen_lines.add(line)
        where, hint, suggest = _where(n)
        yield Hit(n, {"where": where, "hint": hint, "suggest": suggest})


def _where(node):
    parent = node.parent
    if parent is not None and parent.type == "type_annotation":
        param = parent.parent
        if param is not None and param.type in ("required_parameter", "optional_parameter"):
            name = text(param.child_by_field_name("pattern"))
            if name == "props":
                return (f"on parameter `{name}`", "",
                        ": an interface extending `StackProps` (or the construct's `...Props`)")
            return f"on parameter `{name}`", "", ""
        return "in a type annotation", "", ""
    if parent is not None and parent.type in ("as_expression", "type_assertion"):
        return "in a cast", "", ""
    return "", "", ""
