"""cdk-specific / missing-resource-properties."""
from __future__ import annotations

from rules.model import values as v
from rules.model.library import required_props
from rules.registry import Hit, rule


@rule(
    id="CDK-REQ-001",
    name="missing-required-props",
    subcategory="missing-resource-properties",
    severity="error",
    message="{construct} is missing required {noun} {missing}; synthesis fails",
    remediation="Add {missing} to the {construct} props",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-construct-library.html",),
)
def missing_required_props(f, ctx):
    """
    ## What it does
    Finds constructs created without a prop that aws-cdk-lib declares required, for
    every construct in the library (the list comes from aws-cdk-lib's own API data):
    `rds.DatabaseInstance` without `engine` or `vpc`, `lambda.Function` without
    `runtime`, `handler` or `code`, an ECS service without `taskDefinition`, and so on.
    Props that have a default (such as `instanceType`, which defaults to m5.large)
    are not required and are not reported.

    ## Why is this bad?
    The TypeScript compiler rejects the app, or, when the props come through `any`,
    `cdk synth` fails at deploy time. Either way the pipeline breaks after review.

    ## Example
    ```ts
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class ReportingStack extends Stack {
      build() {
        new rds.DatabaseInstance(this, 'Database', {}); // <-- CDK-REQ-001
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class ReportingStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Database', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
        });
      }
    }
    ```

    ## Known problems
    Props passed through a value the analyser cannot see (a function's result, an
    unknown spread) are assumed present.
    """
    for c in f.constructs:
        if c.fqn is None or not c.props_known:
            continue
        required = required_props(c.fqn)
        if not required:
            continue
        props = c.props
        present = set(props.entries) if isinstance(props, v.Obj) else set()
        missing = [p for p in required if p not in present]
        if missing:
            yield Hit(c.node, {"construct": c.name, "missing": ", ".join(f"`{m}`" for m in missing),
                               "noun": "prop" if len(missing) == 1 else "props"})
