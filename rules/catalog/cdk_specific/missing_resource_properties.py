"""cdk-specific / missing-resource-properties."""
from __future__ import annotations

from rules.model.labels import label
from rules.model.requirements import requirements_for
from rules.model.structs import struct_uses
from rules.registry import Hit, rule


def _described(use) -> tuple[str, str]:
    """(subject of the message, where the props go) for a struct literal."""
    short = use.struct.fqn.rsplit(".", 1)[-1]
    if use.construct is not None:
        return label(use.construct), f"the {use.construct.name} props"
    return f"{use.label} ({short})", use.label


def _target(use):
    """The `new X(` expression for a construct's props, else the object literal itself."""
    return use.construct.node if use.construct is not None else use.node


def _code_list(names) -> str:
    return ", ".join(f"`{n}`" for n in names)


@rule(
    id="CDK-REQ-001",
    name="missing-required-props",
    subcategory="missing-resource-properties",
    severity="error",
    message="{subject} is missing required {noun} {missing}; compilation and synthesis fail",
    remediation="Add {missing} to {where}",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-construct-library.html",),
    in_tests=True,
)
def missing_required_props(f, ctx):
    """
    ## What it does
    Finds constructs created without a prop that aws-cdk-lib declares required, for
    every construct in the library (the list comes from aws-cdk-lib's own API data):
    `rds.DatabaseInstance` without `engine` or `vpc`, `lambda.Function` without
    `runtime`, `handler` or `code`, an ECS service without `taskDefinition`, a props
    object left out altogether (`new rds.DatabaseInstance(this, 'Db')`). The same holds
    for method options (`taskDefinition.addContainer('App', {...})` without `image`) and
    for nested structs (`partitionKey: { name: 'pk' }` without `type`). Props that have a
    default (such as `instanceType`, which defaults to m5.large) are not required and are
    not reported.

    ## Why is this bad?
    The TypeScript compiler rejects the app, or, when the props come through `any`,
    `cdk synth` fails at deploy time. Either way the pipeline breaks after review.

    ## Example
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as ecs from 'aws-cdk-lib/aws-ecs';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class ReportingStack extends Stack {
      build() {
        new rds.DatabaseInstance(this, 'Database', {}); // <-- CDK-REQ-001
        new rds.DatabaseInstance(this, 'Replica'); // <-- CDK-REQ-001
        new dynamodb.Table(this, 'Reports', {
          partitionKey: { name: 'id' }, // <-- CDK-REQ-001
        });
        const task = new ecs.FargateTaskDefinition(this, 'Task');
        task.addContainer('App', { memoryLimitMiB: 512 }); // <-- CDK-REQ-001
      }
    }
    ```

    ## Use instead
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as ecs from 'aws-cdk-lib/aws-ecs';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class ReportingStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Database', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
        });
        new dynamodb.Table(this, 'Reports', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        });
        const task = new ecs.FargateTaskDefinition(this, 'Task');
        task.addContainer('App', {
          image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'),
          memoryLimitMiB: 512,
        });
      }
    }
    ```

    ## Known problems
    Props passed through a value the analyser cannot see (a function's result, an
    unknown spread) are assumed present.
    """
    for use in struct_uses(f):
        missing = use.missing_required()
        if missing:
            subject, where = _described(use)
            yield Hit(_target(use), {"subject": subject, "missing": _code_list(missing), "where": where,
                                     "noun": "prop" if len(missing) == 1 else "props"})


@rule(
    id="CDK-REQ-002",
    name="missing-conditionally-required-props",
    subcategory="missing-resource-properties",
    severity="error",
    message="{subject} sets none of {any_of}; aws-cdk-lib throws \"{error}\" at synth",
    remediation="Add {first} to {where}",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-construct-library.html",),
    in_tests=True,
)
def missing_conditionally_required_props(f, ctx):
    """
    ## What it does
    Finds constructs missing props that aws-cdk-lib's types mark optional but its
    constructors require (rules/model/requirements.py quotes each check):
    `autoscaling.AutoScalingGroup` without `instanceType` or `machineImage` (unless it
    has a `launchTemplate` or a `mixedInstancesPolicy`), `dynamodb.Table` without
    `partitionKey`, `rds.DatabaseCluster` without `writer` (or the legacy
    `instanceProps`), a secret rotation without `rotationLambda` or `hostedRotation`.

    ## Why is this bad?
    The code compiles, and `cdk synth` then fails with a validation error, so the
    mistake surfaces only in the pipeline.

    ## Example
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class WebStack extends Stack {
      build(vpc: ec2.IVpc) {
        new autoscaling.AutoScalingGroup(this, 'Web', { // <-- CDK-REQ-002
          vpc,
          instanceType: new ec2.InstanceType('t3.small'),
        });
        new dynamodb.Table(this, 'Sessions', { // <-- CDK-REQ-002
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class WebStack extends Stack {
      build(vpc: ec2.IVpc, template: ec2.ILaunchTemplate) {
        new autoscaling.AutoScalingGroup(this, 'Web', {
          vpc,
          instanceType: new ec2.InstanceType('t3.small'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        });
        new autoscaling.AutoScalingGroup(this, 'Workers', { vpc, launchTemplate: template });
        new dynamodb.Table(this, 'Sessions', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        });
      }
    }
    ```

    ## Known problems
    Props passed through a value the analyser cannot see are assumed present.
    """
    for use in struct_uses(f):
        if use.value is not None and use.value.open:
            continue
        present = set(use.value.entries) if use.value is not None else set()
        for req in requirements_for(use.struct.fqn):
            if req.missing(present):
                subject, where = _described(use)
                yield Hit(_target(use), {"subject": subject, "any_of": _code_list(req.any_of),
                                         "error": req.error, "first": f"`{req.any_of[0]}`", "where": where})
