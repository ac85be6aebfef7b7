"""cdk-specific / cross-stack-references."""
from __future__ import annotations

import re
from collections.abc import Iterator

from rules.model import values as v
from rules.model.app import Input, NamedResource, StackInstance, app_model, describe_name
from rules.model.cdk_json import app_root
from rules.model.constructs import MethodCall
from rules.registry import Hit, rule

_STRING_ATTRIBUTE = re.compile(r"[a-z0-9](Id|Arn|Name)$")
_ARN_WITH_ACCOUNT = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):(?!layer:).+")
_RESOURCE_ID = re.compile(r"(vpc|subnet|sg|rtb|igw|nat|tgw|vpce|eni)-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_ID_KINDS = {"vpc": "VPC id", "subnet": "subnet id", "sg": "security group id", "rtb": "route table id",
             "igw": "internet gateway id", "nat": "NAT gateway id", "tgw": "transit gateway id",
             "vpce": "VPC endpoint id", "eni": "network interface id"}
_CDK_CLASS_KINDS = ("stack", "construct", "stage")
# A CloudFormation parameter: what it is given is a default the deployer overrides.
_DEPLOY_TIME_PARAMETER = "CfnParameter"
_MAX_DEPTH = 8


@rule(
    id="CDK-XSR-001",
    name="resource-passed-as-string-between-stacks",
    subcategory="cross-stack-references",
    severity="warning",
    scope="project",
    message="{consumer} gets `{code}` as a string and rebuilds the object with `{call}`; pass `{object_code}` itself",
    remediation="Type the prop as the resource interface (e.g. `{key}: {iface}`), pass `{object_code}`, "
                "and use it directly instead of `{call}`",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resource_stack",),
)
def resource_passed_as_string(project, ctx):
    """
    ## What it does
    Finds an app that passes a resource's string attribute (`network.vpc.vpcId`,
    `data.table.tableArn`, `storage.bucket.bucketName`) to another stack, which then
    turns it back into an object with a `from*` method (`Vpc.fromLookup({ vpcId })`,
    `Table.fromTableArn`, `Bucket.fromBucketName`). The finding is on the `from*` call.

    ## Why is this bad?
    The rebuilt object knows less than the original: `fromLookup` cannot take a
    token at all (synthesis fails: "All arguments to Vpc.fromLookup() must be
    concrete"), and `fromTableArn`/`fromBucketName` lose the encryption key, the
    stream and the subnets, so `grant*` calls silently grant less than needed.
    Passing the object gives the same cross-stack export with none of this.

    ## Example
    ```ts
    import { App, Stack, StackProps } from 'aws-cdk-lib';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import * as iam from 'aws-cdk-lib/aws-iam';
    import { Construct } from 'constructs';

    class StorageStack extends Stack {
      public readonly bucket: s3.Bucket;
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        this.bucket = new s3.Bucket(this, 'Data');
      }
    }

    interface WorkerStackProps extends StackProps {
      readonly bucketName: string;
    }

    class WorkerStack extends Stack {
      constructor(scope: Construct, id: string, props: WorkerStackProps) {
        super(scope, id, props);
        const bucket = s3.Bucket.fromBucketName(this, 'Data', props.bucketName); // <-- CDK-XSR-001
        bucket.grantRead(new iam.Role(this, 'Worker', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }));
      }
    }

    const app = new App();
    const storage = new StorageStack(app, 'Storage');
    new WorkerStack(app, 'Worker', { bucketName: storage.bucket.bucketName });
    ```

    ## Use instead
    ```ts
    import { App, Stack, StackProps } from 'aws-cdk-lib';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import * as iam from 'aws-cdk-lib/aws-iam';
    import { Construct } from 'constructs';

    class StorageStack extends Stack {
      public readonly bucket: s3.Bucket;
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        this.bucket = new s3.Bucket(this, 'Data');
      }
    }

    interface WorkerStackProps extends StackProps {
      readonly bucket: s3.IBucket;
    }

    class WorkerStack extends Stack {
      constructor(scope: Construct, id: string, props: WorkerStackProps) {
        super(scope, id, props);
        props.bucket.grantRead(new iam.Role(this, 'Worker', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }));
      }
    }

    const app = new App();
    const storage = new StorageStack(app, 'Storage');
    new WorkerStack(app, 'Worker', { bucket: storage.bucket });
    ```

    ## Known problems
    Only strings passed in the entry point that creates both stacks are followed; an id
    of a resource created outside the app (passed from config) is not reported.

    ## References
    - https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resource_stack
    """
    model = app_model(project)
    for unit in model.units:
        for stack in unit.stacks:
            if stack.decl is None:
                continue
            for inp in stack.inputs:
                if not inp.attrs or not _STRING_ATTRIBUTE.search(inp.attrs[-1]):
                    continue
                for call in _from_calls(stack):
                    if model.is_analysed(call.file) and any(_carries(arg, inp) for arg in call.args):
                        yield _rehydration_hit(stack, inp, call)


def _from_calls(stack: StackInstance) -> Iterator[MethodCall]:
    """`X.fromY(...)` calls in the stack class's code."""
    decl = stack.decl
    for call in decl.file.method_calls:
        if (call.name.startswith("from") and isinstance(call.receiver, v.Symbol)
                and decl.node.start_byte <= call.node.start_byte < decl.node.end_byte):
            yield call


def _carries(value: v.Value | None, inp: Input, depth: int = 0) -> bool:
    """Whether a value is (or holds) the constructor argument `inp` arrives in."""
    if value is None or depth > _MAX_DEPTH:
        return False
    if isinstance(value, v.Attr) and isinstance(value.base, v.Param):
        return value.base.index == inp.arg_index and value.name == inp.key
    if isinstance(value, v.Param):
        return inp.key is None and value.index == inp.arg_index
    if isinstance(value, v.Obj):
        return any(_carries(e, inp, depth + 1) for e in value.entries.values())
    if isinstance(value, v.Arr):
        return any(_carries(i, inp, depth + 1) for i in value.items)
    if isinstance(value, v.Cond):
        return _carries(value.then, inp, depth + 1) or _carries(value.otherwise, inp, depth + 1)
    return False


def _rehydration_hit(stack: StackInstance, inp: Input, call: MethodCall) -> Hit:
    cls = v.symbol_fqn(call.receiver).rsplit(".", 1)[-1]
    object_code = ".".join((inp.producer.variable, *inp.attrs[:-1]))
    key = inp.key or cls[:1].lower() + cls[1:]
    for suffix in ("Id", "Arn", "Name"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return Hit(call.node, {"consumer": stack.name, "code": inp.code, "call": f"{cls}.{call.name}",
                           "object_code": object_code, "key": key, "iface": f"I{cls}"}, file=call.file)


@rule(
    id="CDK-XSR-002",
    name="lookup-of-sibling-stack-resource",
    subcategory="cross-stack-references",
    severity="warning",
    scope="project",
    message="{consumer} reads {what}, which the sibling stack {producer} creates: pass the object instead",
    remediation="Expose it as a public property of {producer} and pass it to {consumer} in props ({hint})",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resource_stack",
                "https://docs.aws.amazon.com/cdk/v2/guide/context.html"),
)
def lookup_of_sibling_stack_resource(project, ctx):
    """
    ## What it does
    Finds a stack that looks up by a name (`Vpc.fromLookup({ vpcName })`,
    `Bucket.fromBucketName`, `Table.fromTableName`, an SSM parameter, an export)
    a resource that another stack class of the same app creates under that name.
    When an entry point creates both stacks, the names are compared as those
    instances are given them. The finding is on the lookup.

    ## Why is this bad?
    `fromLookup` runs at synthesis and caches its answer in `cdk.context.json`: in a
    new account or region the first synth fails (or needs a dummy value) because the
    sibling stack is not deployed yet, and later the cached id goes stale when the
    VPC is replaced. Name-based imports create no dependency either, so the stacks
    can deploy in the wrong order. Passing the object through props gives CDK a real
    reference: correct order, no lookup, no cache.

    ## Example
    ```ts
    import { Stack, StackProps } from 'aws-cdk-lib';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Construct } from 'constructs';

    export class NetworkStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        new ec2.Vpc(this, 'Vpc', { vpcName: 'shared-vpc' });
      }
    }

    export class DatabaseStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcName: 'shared-vpc' }); // <-- CDK-XSR-002
        new ec2.SecurityGroup(this, 'Sg', { vpc });
      }
    }
    ```

    ## Use instead
    ```ts
    import { Stack, StackProps } from 'aws-cdk-lib';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Construct } from 'constructs';

    export class NetworkStack extends Stack {
      public readonly vpc: ec2.Vpc;
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        this.vpc = new ec2.Vpc(this, 'Vpc', { vpcName: 'shared-vpc' });
      }
    }

    export interface DatabaseStackProps extends StackProps {
      readonly vpc: ec2.IVpc;
    }

    export class DatabaseStack extends Stack {
      constructor(scope: Construct, id: string, props: DatabaseStackProps) {
        super(scope, id, props);
        new ec2.SecurityGroup(this, 'Sg', { vpc: props.vpc });
      }
    }
    ```

    ## Known problems
    Only the stack classes in the scanned files are known: a lookup of a resource
    created by another repository's stack is (rightly) not reported.

    ## References
    - https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resource_stack
    """
    model = app_model(project)
    for ref in model.references:
        res = model.sibling_producer(ref) if model.is_analysed(ref.file) else None
        if res is None or not ref.owners:
            continue
        yield Hit(ref.node, {"consumer": ref.owners[0].name, "what": ref.what, "producer": res.owners[0].name,
                             "hint": _prop_hint(res)}, file=ref.file)


def _prop_hint(res: NamedResource) -> str:
    if res.kind in ("export", "parameter"):
        return "typed as the resource's interface"
    short = res.kind.rsplit(".", 1)[-1]
    return f"e.g. `{short[:1].lower() + short[1:]}: I{short}`"


@rule(
    id="CDK-XSR-003",
    name="hard-coded-resource-identifier",
    subcategory="cross-stack-references",
    severity="warning",
    message="Hard-coded {kind} {value} in {owner}: the code only works in that one account and environment",
    remediation="Pass the resource in (props, from the stack that creates it) or read the id from context/SSM",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/best-practices.html#best-practices-apps",
                "https://docs.aws.amazon.com/cdk/v2/guide/context.html"),
)
def hard_coded_resource_identifier(f, ctx):
    """
    ## What it does
    Finds literal resource ids (`vpc-0abc...`, `sg-...`, `subnet-...`) and ARNs that
    embed an account number (`arn:aws:sns:us-east-1:123456789012:alerts`), written in a
    stack or construct class and passed to a construct or a `from*` call.

    Deliberately not reported: account numbers on their own (`env: { account:
    '123456789012' }` and account principals are normal CDK practice), ARNs of
    published Lambda layers, ids kept in a configuration module or the entry
    point, which is where environment-specific values belong, and the props of a
    `CfnParameter` (its `default` is a value the deployer replaces).

    ## Why is this bad?
    The stack deploys only into the one account and region the id comes from: a new
    environment (staging, a second region, disaster recovery) gets a stack that
    points at production's resources or fails to deploy. When the resource is created
    by a stack of the same app, a literal id also hides the dependency between them.

    ## Example
    ```ts
    import { Stack, StackProps } from 'aws-cdk-lib';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as sns from 'aws-cdk-lib/aws-sns';
    import { Construct } from 'constructs';

    export class WorkerStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: 'vpc-0a1b2c3d4e5f67890' }); // <-- CDK-XSR-003
        sns.Topic.fromTopicArn(this, 'Alerts', 'arn:aws:sns:eu-west-1:123456789012:alerts'); // <-- CDK-XSR-003
        new ec2.SecurityGroup(this, 'Sg', { vpc });
      }
    }
    ```

    ## Use instead
    ```ts
    import { Stack, StackProps } from 'aws-cdk-lib';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as sns from 'aws-cdk-lib/aws-sns';
    import { Construct } from 'constructs';

    export interface WorkerStackProps extends StackProps {
      readonly vpcId: string;
      readonly alertsTopicArn: string;
    }

    export class WorkerStack extends Stack {
      constructor(scope: Construct, id: string, props: WorkerStackProps) {
        super(scope, id, props);
        const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: props.vpcId });
        sns.Topic.fromTopicArn(this, 'Alerts', props.alertsTopicArn);
        new ec2.SecurityGroup(this, 'Sg', { vpc });
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/cdk/v2/guide/best-practices.html#best-practices-apps
    """
    seen: set[int] = set()
    for owner, values in _values_used_in_classes(f):
        for lit in _literals(values):
            if lit.file is not f or lit.node is None or lit.node.id in seen:
                continue
            kind = identifier_kind(lit.value)
            if kind is None:
                continue
            seen.add(lit.node.id)
            yield Hit(lit.node, {"kind": kind, "value": f"'{lit.value}'", "owner": owner})


def identifier_kind(text: str) -> str | None:
    """'VPC id' for 'vpc-0abc12345', 'ARN' for an ARN with an account; None otherwise."""
    m = _RESOURCE_ID.fullmatch(text)
    if m:
        return _ID_KINDS[m.group(1)]
    m = _ARN_WITH_ACCOUNT.fullmatch(text)
    return "ARN" if m else None


def _values_used_in_classes(f) -> Iterator[tuple[str, list[v.Value]]]:
    """(class name, values) for the props of constructs and the arguments of calls in CDK classes."""
    for c in f.constructs:
        owner = c.owner
        if owner is not None and owner.kind in _CDK_CLASS_KINDS and c.props is not None \
                and c.fqn != _DEPLOY_TIME_PARAMETER:
            yield owner.name, [c.props]
    for call in f.method_calls:
        owner = f.class_containing(call.node)
        if owner is not None and owner.kind in _CDK_CLASS_KINDS:
            yield owner.name, call.args


def _literals(values: list[v.Value], depth: int = 0) -> Iterator[v.Lit]:
    if depth > _MAX_DEPTH:
        return
    for value in values:
        if isinstance(value, v.Lit) and isinstance(value.value, str):
            yield value
        elif isinstance(value, v.Obj):
            yield from _literals(list(value.entries.values()), depth + 1)
        elif isinstance(value, v.Arr):
            yield from _literals(value.items, depth + 1)
        elif isinstance(value, v.Cond):
            yield from _literals([value.then, value.otherwise], depth + 1)
        elif isinstance(value, (v.Call, v.New)):
            yield from _literals(value.args, depth + 1)


@rule(
    id="CDK-XSR-004",
    name="import-value-with-hard-coded-name",
    subcategory="cross-stack-references",
    severity="warning",
    message="`Fn.importValue({name})` ties this stack to another stack's export by a hard-coded name",
    remediation="Pass the resource object from the exporting stack in props (same app), "
                "or take the export name from props/context",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resource_stack",
                "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html"),
)
def import_value_with_hard_coded_name(f, ctx):
    """
    ## What it does
    Finds `Fn.importValue('...')` with a literal export name. (When the export is
    created by a sibling stack of the same app, CDK-XSR-002 reports it instead.)

    ## Why is this bad?
    The importing stack depends on a string that nothing checks: a renamed stack or
    output breaks deployment, the import gives no deploy order, and CloudFormation
    then refuses to update or delete the exporting stack while the import exists
    ("Export ... cannot be updated as it is in use"). Passing the object lets CDK
    create and version the export itself.

    ## Example
    ```ts
    import { Fn, Stack, StackProps } from 'aws-cdk-lib';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Construct } from 'constructs';

    export class ResultsApiStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        const tableArn = Fn.importValue('DataStack-ResultsTableArn'); // <-- CDK-XSR-004
        dynamodb.Table.fromTableArn(this, 'Results', tableArn);
      }
    }
    ```

    ## Use instead
    ```ts
    import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import { Construct } from 'constructs';

    export interface ResultsApiStackProps extends StackProps {
      readonly table: dynamodb.ITable;
    }

    export class ResultsApiStack extends Stack {
      constructor(scope: Construct, id: string, props: ResultsApiStackProps) {
        super(scope, id, props);
        new CfnOutput(this, 'ResultsTable', { value: props.table.tableName });
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resource_stack
    """
    model = app_model(ctx.project) if ctx.project is not None else None
    for call in f.method_calls:
        if call.name != "importValue" or v.symbol_fqn(call.receiver) != "Fn" or not call.args:
            continue
        name = call.args[0]
        if not (isinstance(name, v.Lit) and isinstance(name.value, str)):
            continue
        if model is not None and any(r.call is call and model.sibling_producer(r) for r in model.references):
            continue          # CDK-XSR-002 says it better
        yield Hit(call.node, {"name": describe_name(name)})


@rule(
    id="CDK-XSR-005",
    name="duplicate-export-name",
    subcategory="cross-stack-references",
    severity="error",
    scope="project",
    message="Export name {name} {clash}: CloudFormation export names must be unique per account and region",
    remediation="Give each export a unique name (e.g. prefix it with `${{this.stackName}}`), "
                "or pass the object between stacks and let CDK name the export",
    references=("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html",),
)
def duplicate_export_name(project, ctx):
    """
    ## What it does
    Finds a literal `exportName` (on `CfnOutput` or `exportValue`) used twice in one
    app, or written in a stack class that one app instantiates more than once in the
    same environment. In a repository of several apps (each directory with its own
    `cdk.json`), names are compared within each app.

    ## Why is this bad?
    The second stack fails to deploy ("Export with name X is already exported by
    stack Y"), typically only when the second environment or copy is first deployed.

    ## Example
    ```ts
    import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Construct } from 'constructs';

    export class AssetsStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        const bucket = new s3.Bucket(this, 'Assets');
        new CfnOutput(this, 'BucketName', { value: bucket.bucketName, exportName: 'BucketName' });
        const logs = new s3.Bucket(this, 'Logs');
        new CfnOutput(this, 'LogsName', { value: logs.bucketName, exportName: 'BucketName' }); // <-- CDK-XSR-005
      }
    }
    ```

    ## Use instead
    ```ts
    import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Construct } from 'constructs';

    export class AssetsStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        const bucket = new s3.Bucket(this, 'Assets');
        new CfnOutput(this, 'BucketName', { value: bucket.bucketName, exportName: `${this.stackName}-AssetsBucket` });
        const logs = new s3.Bucket(this, 'Logs');
        new CfnOutput(this, 'LogsName', { value: logs.bucketName, exportName: `${this.stackName}-LogsBucket` });
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html
    """
    model = app_model(project)
    groups: dict[tuple[str | None, str], list[NamedResource]] = {}
    for res in model.resources:
        if res.kind == "export" and isinstance(res.name, v.Lit) and isinstance(res.name.value, str):
            # Apps with their own cdk.json are deployed on their own, maybe never to one account.
            groups.setdefault((app_root(res.file), res.name.value), []).append(res)
    for (_, name), members in groups.items():
        members.sort(key=lambda r: (r.file.path, r.node.start_byte))
        for i, res in enumerate(members):
            if not model.is_analysed(res.file):
                continue
            if len(members) > 1:
                if i == 0 and any(model.is_analysed(m.file) for m in members[1:]):
                    continue          # reported at the later use
                other = members[1] if i == 0 else members[0]
                where = f"{other.file.path}:{other.node.start_point[0] + 1}"
                yield Hit(res.node, {"name": f"'{name}'", "clash": f"is also used at {where}"}, file=res.file)
                continue
            copies = _copies_in_one_environment(model, res)
            if copies:
                yield Hit(res.node, {"name": f"'{name}'",
                                     "clash": f"is fixed in {res.owners[0].name}, which is instantiated "
                                              f"{len(copies)} times in one environment ({', '.join(copies)})"},
                          file=res.file)


def _copies_in_one_environment(model, res: NamedResource) -> list[str]:
    """Ids of the instances of the export's stack class that share an app and an environment."""
    for unit in model.units:
        stacks = [s for s in unit.stacks if s.decl in res.owners]
        for stack in stacks:
            same = [s for s in stacks if _same_env(s, stack)]
            if len(same) > 1:
                return [str(v.literal(s.construct.id, s.variable)) for s in same]
    return []


def _same_env(a: StackInstance, b: StackInstance) -> bool:
    if a.env is None or b.env is None:
        return a.env is None and b.env is None
    return a.env is b.env and a.env.known
