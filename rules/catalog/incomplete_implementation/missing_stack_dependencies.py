"""incomplete-implementation / missing-stack-dependencies."""
from __future__ import annotations

from rules.model.app import Edge, app_model
from rules.registry import Hit, rule

_ORDERING = ("passes", "addDependency")


@rule(
    id="INC-DEP-001",
    name="unordered-stack-dependency",
    subcategory="missing-stack-dependencies",
    severity="warning",
    scope="project",
    message="{consumer} {reads}, but nothing makes it deploy after {producer}{created_first}",
    remediation="Pass the resource from {producer} in props (CDK then orders the stacks), "
                "or add `{consumer_var}.addDependency({producer_var})`",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resource_stack",
                "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.Stack.html#addwbrdependencytarget-reason"),
)
def unordered_stack_dependency(project, ctx):
    """
    ## What it does
    Finds, in an app entry point (or a `Stage`), a stack that reads by a string
    something a sibling stack of the same app creates (`Fn.importValue` of its
    export, an SSM parameter it writes, `Vpc.fromLookup({ vpcName })`, `fromBucketName`
    ...) while nothing orders the two stacks: no object passed between them and no
    `addDependency`. The finding is on the consumer's `new` in the entry point, and
    says when the consumer is also created before the stack it reads from.

    Names are compared as the stacks are given them: `tap-${props.stage}-vpc` in both
    classes matches when both instances receive the same `stage`.

    ## Why is this bad?
    A string reference creates no CloudFormation dependency. `cdk deploy --all` may
    deploy the consumer first (or in parallel), and the import, parameter read or
    lookup fails on the first deployment of a new environment, or silently reads a
    stale value from a previous one.

    ## Example
    ```ts
    import { App, Stack, StackProps, Fn, CfnOutput } from 'aws-cdk-lib';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Construct } from 'constructs';

    class DataStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        const table = new dynamodb.Table(this, 'Table', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        });
        new CfnOutput(this, 'TableArn', { value: table.tableArn, exportName: 'Data-TableArn' });
      }
    }

    class ApiStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        dynamodb.Table.fromTableArn(this, 'Table', Fn.importValue('Data-TableArn'));
      }
    }

    const app = new App();
    new ApiStack(app, 'Api'); // <-- INC-DEP-001
    new DataStack(app, 'Data');
    ```

    ## Use instead
    ```ts
    import { App, Stack, StackProps, CfnOutput } from 'aws-cdk-lib';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Construct } from 'constructs';

    class DataStack extends Stack {
      public readonly table: dynamodb.Table;
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        this.table = new dynamodb.Table(this, 'Table', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        });
      }
    }

    interface ApiStackProps extends StackProps {
      readonly table: dynamodb.ITable;
    }

    class ApiStack extends Stack {
      constructor(scope: Construct, id: string, props: ApiStackProps) {
        super(scope, id, props);
        new CfnOutput(this, 'TableName', { value: props.table.tableName });
      }
    }

    const app = new App();
    const data = new DataStack(app, 'Data');
    new ApiStack(app, 'Api', { table: data.table });
    ```

    ## Known problems
    Only names whose text can be followed are compared; a name computed by a function
    is not matched. A producer outside the scanned files (another app, another repo)
    is not known, so nothing is reported for it.

    ## References
    - https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resource_stack
    """
    for unit in app_model(project).units:
        reported: set[tuple[int, int]] = set()
        for edge in unit.edges:
            pair = (id(edge.dependent), id(edge.dependency))
            if edge.kind != "string" or pair in reported:
                continue
            consumer, producer = edge.dependent, edge.dependency
            if unit.reaches(consumer, producer, _ORDERING) or unit.reaches(producer, consumer):
                continue          # ordered, or a cycle (INC-DEP-002)
            reported.add(pair)
            yield Hit(consumer.node, {
                "consumer": consumer.name, "producer": producer.name,
                "reads": edge.detail,
                "created_first": (f", and it is created before {producer.name}"
                                  if consumer.order < producer.order else ""),
                "consumer_var": consumer.variable, "producer_var": producer.variable,
            }, file=consumer.file)


@rule(
    id="INC-DEP-002",
    name="circular-stack-dependency",
    subcategory="missing-stack-dependencies",
    severity="error",
    scope="project",
    message="{what} creates a dependency cycle: {other} already deploys after {this} ({because})",
    remediation="Remove the call: {other} already deploys after {this}; "
                "if the order really must be reversed, pass the objects the other way",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resource_stack",),
)
def circular_stack_dependency(project, ctx):
    """
    ## What it does
    Finds `addDependency` (or `addStackDependency`) calls in an app entry point (or a
    `Stage`) that run against the dependencies the app already has:
    `network.addDependency(ledger)` while the
    ledger stack receives `network.vpc` (so it already deploys after the network
    stack). Also a stack that reads by a string (export, SSM parameter, lookup) what
    a stack it feeds creates.

    ## Why is this bad?
    CDK refuses to synthesize an app whose stacks depend on each other in a cycle
    ("'Network' depends on 'Ledger' ... Adding this dependency would create a cyclic
    reference"), and a cycle through a string reference fails at deploy time instead.
    A reversed `addDependency` usually comes from guessing the argument order.

    ## Example
    ```ts
    import { App, Stack, StackProps } from 'aws-cdk-lib';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Construct } from 'constructs';

    class NetworkStack extends Stack {
      public readonly vpc: ec2.Vpc;
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        this.vpc = new ec2.Vpc(this, 'Vpc');
      }
    }

    interface AppStackProps extends StackProps {
      readonly vpc: ec2.IVpc;
    }

    class AppStack extends Stack {
      constructor(scope: Construct, id: string, props: AppStackProps) {
        super(scope, id, props);
        new ec2.SecurityGroup(this, 'Sg', { vpc: props.vpc });
      }
    }

    const app = new App();
    const network = new NetworkStack(app, 'Network');
    const service = new AppStack(app, 'Service', { vpc: network.vpc });
    network.addDependency(service); // <-- INC-DEP-002
    ```

    ## Use instead
    ```ts
    import { App, Stack, StackProps } from 'aws-cdk-lib';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Construct } from 'constructs';

    class NetworkStack extends Stack {
      public readonly vpc: ec2.Vpc;
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        this.vpc = new ec2.Vpc(this, 'Vpc');
      }
    }

    interface AppStackProps extends StackProps {
      readonly vpc: ec2.IVpc;
    }

    class AppStack extends Stack {
      constructor(scope: Construct, id: string, props: AppStackProps) {
        super(scope, id, props);
        new ec2.SecurityGroup(this, 'Sg', { vpc: props.vpc });
      }
    }

    const app = new App();
    const network = new NetworkStack(app, 'Network');
    new AppStack(app, 'Service', { vpc: network.vpc });
    ```

    ## Known problems
    Cycles created inside stack classes (a construct in one stack granting or opening
    a port to a resource of a stack it depends on) are not modelled.

    ## References
    - https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resource_stack
    """
    for unit in app_model(project).units:
        for edge in unit.edges:
            if edge.kind == "passes":
                continue
            if edge.dependent is edge.dependency:
                yield _cycle_hit(edge, "it is the same stack")
                continue
            back = unit.path(edge.dependency, edge.dependent)
            if back is None:
                continue
            if edge.kind == "string" and any(e.kind == "addDependency" for e in back):
                continue          # reported at that addDependency call
            yield _cycle_hit(edge, _describe(back))


def _cycle_hit(edge: Edge, because: str) -> Hit:
    this, other = edge.dependent, edge.dependency
    what = f"`{edge.detail}`" if edge.kind == "addDependency" else f"{this.name}, which {edge.detail},"
    node = edge.node if edge.kind == "addDependency" else this.node
    return Hit(node, {"what": what, "this": this.name, "other": other.name, "because": because},
               file=edge.file if edge.kind == "addDependency" else this.file)


def _describe(path: list[Edge]) -> str:
    steps = []
    for e in path:
        if e.kind == "passes":
            steps.append(f"{e.dependent.name} receives {e.detail}")
        elif e.kind == "addDependency":
            steps.append(f"`{e.detail}`")
        else:
            steps.append(f"{e.dependent.name} {e.detail}")
    return "; ".join(steps)
