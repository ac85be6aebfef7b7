"""typescript-quality / code-structure.

Thresholds are module-level defaults measured on public CDK code: the 361 stack and
construct classes (test files excluded) of aws-samples/aws-cdk-examples (typescript/) and
aws-samples/serverless-patterns. They sit beyond the 99th percentile, so only the outliers
a reviewer would ask to split are reported. (The repository configuration has no per-rule
options yet; these constants are where such options would plug in.)
"""
from __future__ import annotations

from rules.model import values as v
from rules.model.classes import this_calls
from rules.model.library import base_fqns
from rules.model.scopes import STATEMENT_TYPES
from rules.model.services import LAYER_ORDER, layer_of, module_of, service_family, stack_name
from rules.parsing import text
from rules.registry import Hit, rule

# A stack/construct constructor (with the builder methods it calls) with more statements
# than this, nested ones included, is reported. Measured: median 9-10, p95 24-28, p99 31-38.
MAX_CONSTRUCTOR_STATEMENTS = 40
# ... or creating resources of more service families than this. Measured: median 2, p99 5, max 9.
MAX_SERVICE_FAMILIES = 6
# ... or of more architectural layers (network, edge, compute, data, messaging...) than this.
# Measured: median 2, p99 4, max 4.
MAX_LAYERS = 4
# Resources created straight on a bare `new Stack(app, ...)` before it is reported.
MIN_BARE_STACK_RESOURCES = 3
# Stack classes declared next to `new App()` before the file is reported as a whole app.
MIN_STACKS_IN_ENTRY_POINT = 2
# Control structures around a construct creation before it is reported. Measured: max 2.
MAX_CONSTRUCT_NESTING = 2

_SIZE_KINDS = ("stack", "construct")


@rule(
    id="TSQ-STR-001",
    name="oversized-stack-constructor",
    subcategory="code-structure",
    severity="warning",
    message="{kind} {name}'s {where} {size}: {split}",
    remediation="Move each group into its own stack or Construct class and pass resources between them as props",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/best-practices.html#best-practices-apps",),
)
def oversized_stack_constructor(f, ctx):
    """
    ## What it does
    Finds stack and construct classes whose constructor, together with the builder
    methods it calls (`this.buildNetwork()`), has more than 40 statements (nested ones
    included), creates resources of more than 6 AWS service families, or spans more
    than 4 architectural layers (network, edge, compute, data, messaging, identity,
    pipeline, analytics, ml). IAM, KMS, logs, metrics, SSM, secrets and event targets
    serve every layer and do not count, nor do security groups, which belong with what
    they guard. The finding proposes the split, by layer
    when the class is too broad, e.g. "network (ec2 Vpc), data (dynamodb, rds),
    compute (lambda) → NetworkStack, DataStack, ComputeStack", into Construct classes
    when it is only long.

    The defaults sit beyond the 99th percentile of the 361 stack and construct
    classes of aws-samples/aws-cdk-examples and aws-samples/serverless-patterns:
    statements median 9-10, p99 31-38; service families median 2, p99 5; layers
    median 2, p99 4, none above 4.

    ## Why is this bad?
    One constructor holding the network, the databases, the compute and the edge
    deploys as one CloudFormation stack: every change redeploys everything, a failed
    update rolls back unrelated resources, stateful and stateless resources share a
    lifecycle, the 500-resource limit comes close, and nothing can be tested or
    reused on its own.

    ## Example
    ```ts
    import * as cdk from 'aws-cdk-lib';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import * as sns from 'aws-cdk-lib/aws-sns';
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as ecs from 'aws-cdk-lib/aws-ecs';
    import { Construct } from 'constructs';

    export class PlatformStack extends cdk.Stack { // <-- TSQ-STR-001
      constructor(scope: Construct, id: string, props?: cdk.StackProps) {
        super(scope, id, props);
        const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 3 });
        const db = new rds.DatabaseCluster(this, 'Db', {
          engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
          writer: rds.ClusterInstance.serverlessV2('Writer'),
          vpc,
        });
        const table = new dynamodb.Table(this, 'Table', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        });
        const bucket = new s3.Bucket(this, 'Bucket');
        const queue = new sqs.Queue(this, 'Queue');
        const topic = new sns.Topic(this, 'Topic');
        const fn = new lambda.Function(this, 'Fn', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
          vpc,
        });
        const cluster = new ecs.Cluster(this, 'Cluster', { vpc });
        table.grantReadWriteData(fn);
        bucket.grantRead(fn);
        queue.grantSendMessages(fn);
        topic.grantPublish(fn);
        db.connections.allowDefaultPortFrom(fn);
      }
    }
    ```

    ## Use instead
    ```ts
    import * as cdk from 'aws-cdk-lib';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Construct } from 'constructs';

    export class NetworkStack extends cdk.Stack {
      readonly vpc: ec2.Vpc;
      constructor(scope: Construct, id: string, props?: cdk.StackProps) {
        super(scope, id, props);
        this.vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 3 });
      }
    }

    export interface DataStackProps extends cdk.StackProps {
      readonly vpc: ec2.IVpc;
    }

    export class DataStack extends cdk.Stack {
      constructor(scope: Construct, id: string, props: DataStackProps) {
        super(scope, id, props);
        new rds.DatabaseCluster(this, 'Db', {
          engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
          writer: rds.ClusterInstance.serverlessV2('Writer'),
          vpc: props.vpc,
        });
        new dynamodb.Table(this, 'Table', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        });
      }
    }
    ```

    ## Known problems
    The thresholds are fixed defaults (no per-rule options in the repository
    configuration yet). Resources created in helper methods or Construct classes
    are already separated and are not counted.
    """
    for cls in f.classes:
        if cls.kind not in _SIZE_KINDS or cls.constructor_body is None:
            continue
        bodies = _construction_bodies(f, cls)
        statements = sum(1 for s in f.nodes(*STATEMENT_TYPES) for b in bodies if _inside(s, b))
        created = [c for c in f.constructs if any(_inside(c.node, b) for b in bodies)]
        families = {fam for fam in map(service_family, (c.fqn for c in created)) if fam}
        layers = {layer for layer in (layer_of(c.fqn) for c in created if c.fqn) if layer in LAYER_ORDER}
        too_long = statements > MAX_CONSTRUCTOR_STATEMENTS
        too_broad = len(families) > MAX_SERVICE_FAMILIES or len(layers) > MAX_LAYERS
        if not (too_long or too_broad):
            continue
        where = "constructor" if len(bodies) == 1 else f"constructor with its {len(bodies) - 1} builder method(s)"
        size = " and ".join(part for part, over in (
            (f"has {statements} statements (limit {MAX_CONSTRUCTOR_STATEMENTS})", too_long),
            (f"creates resources of {len(families)} service families (limit {MAX_SERVICE_FAMILIES})",
             len(families) > MAX_SERVICE_FAMILIES),
            (f"spans {len(layers)} architectural layers (limit {MAX_LAYERS})", len(layers) > MAX_LAYERS),
        ) if over)
        yield Hit(cls.name_node, {"kind": cls.kind.capitalize(), "name": cls.name, "where": where, "size": size,
                                  "split": _split(created, into_stacks=too_broad)})


def _inside(node, body) -> bool:
    return body.start_byte <= node.start_byte < body.end_byte


def _construction_bodies(f, cls) -> list:
    """The constructor body and the bodies of the class's own methods it calls as
    `this.buildX()`, transitively: the code that runs when the stack is built."""
    methods = {}
    for member in cls.node.child_by_field_name("body").named_children:
        name = member.child_by_field_name("name") if member.type == "method_definition" else None
        if name is not None and member.child_by_field_name("body") is not None:
            methods[text(name)] = member.child_by_field_name("body")
    bodies, queue = [], [cls.constructor_body]
    while queue:
        body = queue.pop()
        if any(b.id == body.id for b in bodies):
            continue
        bodies.append(body)
        queue.extend(methods[name] for name in this_calls(f, body) if name in methods)
    return bodies


def _split(constructs, *, into_stacks: bool) -> str:
    """'split it into network (ec2 Vpc), data (dynamodb, rds) → NetworkStack, DataStack' by the
    constructs' layers; Construct classes instead when the resources are few kinds but many
    statements, or all of one layer."""
    by_layer: dict[str, dict[str, set[str]]] = {}
    for c in constructs:
        layer = layer_of(c.fqn) if c.fqn else None
        if layer is not None:
            classes = by_layer.setdefault(layer, {}).setdefault(service_family(c.fqn), set())
            classes.add(c.fqn.rpartition(".")[2])
    order = sorted(by_layer, key=lambda layer: (LAYER_ORDER.index(layer) if layer in LAYER_ORDER
                                                else len(LAYER_ORDER), layer))
    groups = ", ".join(_group_label(layer, by_layer[layer]) for layer in order)
    if not into_stacks or len(order) < 2:
        return f"extract Construct classes for its {groups or 'resources'}"
    return f"split it into {groups} → {', '.join(stack_name(layer) for layer in order)}"


def _group_label(layer: str, classes_by_family: dict[str, set[str]]) -> str:
    """'data (dynamodb, rds)', 'network (ec2 SecurityGroup/Vpc)': ec2 spans layers, so its
    classes are named; a layer that is one family of the same name is just that name."""
    families = [f"{family} {'/'.join(sorted(classes))}" if family == "ec2" else family
                for family, classes in sorted(classes_by_family.items())]
    return layer if families == [layer] else f"{layer} ({', '.join(families)})"


@rule(
    id="TSQ-STR-002",
    name="app-in-one-file",
    subcategory="code-structure",
    severity="notice",
    message="The app entry point also declares {count} stack classes ({names}): the whole app lives in one file",
    remediation="Move each stack class to its own module under lib/ and keep the entry point to instantiating them",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/best-practices.html#best-practices-apps",),
)
def app_in_one_file(f, ctx):
    """
    ## What it does
    Finds app entry points (`new App()`) that also declare two or more stack classes
    (nested stacks excluded). Test and integration-test files are not reported.

    ## Why is this bad?
    With every stack in the entry point, a change to one stack is a change to the
    app, stacks cannot be imported by tests or other apps, and the file grows with
    every feature. CDK projects keep the entry point in `bin/` and one stack per
    module in `lib/`.

    ## Example
    ```ts
    import * as cdk from 'aws-cdk-lib';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Construct } from 'constructs';

    class StorageStack extends cdk.Stack {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        new s3.Bucket(this, 'Bucket');
      }
    }

    class QueueStack extends cdk.Stack {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        new sqs.Queue(this, 'Queue');
      }
    }

    const app = new cdk.App(); // <-- TSQ-STR-002
    new StorageStack(app, 'Storage');
    new QueueStack(app, 'Queues');
    ```

    ## Use instead
    ```ts
    import * as cdk from 'aws-cdk-lib';
    import { StorageStack } from '../lib/storage-stack';
    import { QueueStack } from '../lib/queue-stack';

    const app = new cdk.App();
    new StorageStack(app, 'Storage');
    new QueueStack(app, 'Queues');
    ```
    """
    app = next((c for c in f.constructs if c.fqn == "App"), None)
    if app is None:
        return
    stacks = [cls.name for cls in f.classes if cls.kind == "stack" and not _is_nested_stack(cls)]
    if len(stacks) >= MIN_STACKS_IN_ENTRY_POINT:
        yield Hit(app.node, {"count": len(stacks), "names": ", ".join(stacks)})


def _is_nested_stack(cls) -> bool:
    base = cls.heritage
    return isinstance(base, v.Symbol) and "NestedStack" in (base.fqn, *base_fqns(base.fqn))


@rule(
    id="TSQ-STR-003",
    name="resources-on-bare-stack",
    subcategory="code-structure",
    severity="warning",
    message="{count} resources ({families}) are created directly on a bare `new Stack(...)`{label}{others}: "
            "no stack or construct class holds them",
    remediation="Move them into `class {suggested} extends Stack` in lib/ and instantiate it from the entry point",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/stacks.html",),
)
def resources_on_bare_stack(f, ctx):
    """
    ## What it does
    Finds a plain `new Stack(app, ...)` (not a stack class) that has at least 3
    resources created directly on it, typically an app written entirely in its entry
    point. One finding per file, at the first such stack, naming the others. Test and
    integration-test files, which build stacks this way on purpose, are not reported.

    ## Why is this bad?
    Resources written into the entry point cannot be instantiated twice (per stage
    or region), unit-tested, or reused; their stack has no props interface, so
    configuration leaks in as globals, and the entry point mixes app wiring with
    infrastructure.

    ## Example
    ```ts
    import * as cdk from 'aws-cdk-lib';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import * as sns from 'aws-cdk-lib/aws-sns';

    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Quickstart'); // <-- TSQ-STR-003
    new s3.Bucket(stack, 'Uploads');
    new sqs.Queue(stack, 'Jobs');
    new sns.Topic(stack, 'Alerts');
    ```

    ## Use instead
    ```ts
    import * as cdk from 'aws-cdk-lib';
    import { QuickstartStack } from '../lib/quickstart-stack';

    const app = new cdk.App();
    new QuickstartStack(app, 'Quickstart');
    ```
    """
    bare = {c.node.id: c for c in f.constructs if c.fqn == "Stack"}
    if not bare:
        return
    held: dict[int, list] = {}
    for c in f.constructs:
        if c.fqn and module_of(c.fqn).startswith("aws_") and c.arg_nodes:
            scope = f.eval(c.arg_nodes[0])
            if isinstance(scope, v.ConstructRef) and scope.construct.node.id in bare:
                held.setdefault(scope.construct.node.id, []).append(c)
    crowded = [(bare[node_id], resources) for node_id, resources in held.items()
               if len(resources) >= MIN_BARE_STACK_RESOURCES]
    if not crowded:
        return
    crowded.sort(key=lambda pair: pair[0].node.start_byte)
    (stack, resources), rest = crowded[0], crowded[1:]
    ident = v.literal(stack.id)
    families = sorted({service_family(c.fqn) or module_of(c.fqn).removeprefix("aws_") for c in resources})
    others = [v.literal(s.id) for s, _ in rest]
    named = ", ".join(f"'{o}'" for o in others if isinstance(o, str))
    yield Hit(stack.node, {"count": len(resources), "families": ", ".join(families),
                           "label": f" '{ident}'" if isinstance(ident, str) else "",
                           "others": (f" (and on {len(rest)} more: {named})" if named
                                      else f" (and on {len(rest)} more)" if rest else ""),
                           "suggested": _class_name(ident)})


def _class_name(ident) -> str:
    """'TapQuickstartStack' for the id 'TapQuickstart' (or 'tap-quickstart')."""
    if not isinstance(ident, str) or not ident:
        return "AppStack"
    name = "".join(part[:1].upper() + part[1:] for part in ident.replace("_", "-").split("-") if part)
    return name if name.endswith("Stack") else name + "Stack"


_NESTING = {"if_statement": "if", "for_statement": "for", "for_in_statement": "for", "while_statement": "while",
            "do_statement": "do", "switch_statement": "switch", "try_statement": "try",
            "arrow_function": "callback", "function_expression": "callback"}
_BOUNDARIES = frozenset({"method_definition", "function_declaration", "generator_function_declaration",
                         "class_body", "program"})


@rule(
    id="TSQ-STR-004",
    name="deeply-nested-construct",
    subcategory="code-structure",
    severity="notice",
    message="`new {name}(...)` is created {depth} levels deep ({path}) in {where}",
    remediation="Extract the inner logic into a Construct class or a named helper method",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/best-practices.html#best-practices-constructs",),
)
def deeply_nested_construct(f, ctx):
    """
    ## What it does
    Finds constructs created inside more than 2 nested control structures (`if`,
    loops, `switch`, `try`, callbacks such as `forEach`) within one method or
    function; one finding per method, at its most deeply nested construct. Among
    the 600+ CDK files of aws-samples/aws-cdk-examples and serverless-patterns no
    construct outside tests is nested deeper than 2.

    ## Why is this bad?
    Which resources a deployment creates should be readable from the code; behind
    three levels of branches and loops it takes a reviewer a simulation to know,
    logical ids start depending on loop order, and a changed condition silently
    replaces resources.

    ## Example
    ```ts
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack } from 'aws-cdk-lib';

    export class QueuesStack extends Stack {
      build(tenants: { name: string; tiers: string[] }[], withDlq: boolean) {
        for (const tenant of tenants) {
          for (const tier of tenant.tiers) {
            if (withDlq) {
              new sqs.Queue(this, `${tenant.name}-${tier}-dlq`); // <-- TSQ-STR-004
            }
          }
        }
      }
    }
    ```

    ## Use instead
    ```ts
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    class TenantQueues extends Construct {
      constructor(scope: Construct, id: string, tiers: string[], withDlq: boolean) {
        super(scope, id);
        for (const tier of tiers) {
          new sqs.Queue(this, tier, withDlq ? {} : undefined);
        }
      }
    }

    export class QueuesStack extends Stack {
      build(tenants: { name: string; tiers: string[] }[], withDlq: boolean) {
        for (const tenant of tenants) {
          new TenantQueues(this, tenant.name, tenant.tiers, withDlq);
        }
      }
    }
    ```
    """
    deepest: dict[int, tuple[int, list[str], object, object]] = {}
    for c in f.constructs:
        path, boundary = _nesting(c.node)
        if len(path) > MAX_CONSTRUCT_NESTING and len(path) > deepest.get(boundary.id, (0,))[0]:
            deepest[boundary.id] = (len(path), path, c, boundary)
    for depth, path, c, boundary in deepest.values():
        yield Hit(c.node, {"name": c.name, "depth": depth, "path": " → ".join(path),
                           "where": _describe(f, boundary)})


def _nesting(node):
    """(control structures from the outside in, the enclosing method/function/program)."""
    path = []
    n = node.parent
    while n is not None and n.type not in _BOUNDARIES:
        kind = _NESTING.get(n.type)
        if kind is not None and not (n.type == "if_statement" and n.parent.type == "else_clause"):
            path.append(kind)
        n = n.parent
    return path[::-1], n


def _describe(f, boundary) -> str:
    if boundary.type == "program":
        return "the module's top level"
    if boundary.type == "class_body":
        owner = f.class_containing(boundary)
        return f"a field initializer of {owner.name}" if owner is not None else "a class field"
    name = boundary.child_by_field_name("name")
    owner = f.class_containing(boundary)
    if boundary.type == "method_definition" and owner is not None:
        method = text(name)
        return f"{owner.name}'s constructor" if method == "constructor" else f"{owner.name}.{method}()"
    return f"function {text(name)}()" if name is not None else "a function"
