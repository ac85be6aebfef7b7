"""cdk-specific / incorrect-construct-usage: the wrong construct or construct method for the job."""
from __future__ import annotations

from rules.knowledge import knowledge
from rules.model import values as v
from rules.model.app import app_model
from rules.model.construct_levels import l2_counterparts, l2_for
from rules.model.edits import pair_value, replace_on_line
from rules.model.labels import label
from rules.model.structs import struct_uses
from rules.model.types import importer_for, struct_named
from rules.parsing import text
from rules.registry import Hit, rule

_INLINE_CODE = frozenset({"aws_lambda.Code.fromInline", "aws_lambda.InlineCode.fromInline"})
_CFN_FUNCTION_PROPS = frozenset({"aws_lambda.CfnFunctionProps", "aws_sam.CfnFunctionProps"})


@rule(
    id="CDK-USE-001",
    name="new-construct-for-existing-resource",
    subcategory="incorrect-construct-usage",
    severity="error",
    message="{construct} is created with `{key}`, which names an existing resource: `new {cls}` "
            "creates a new one and {cls} has no `{key}` prop",
    remediation="Reference the existing resource instead: `{call}`",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/resources.html#resources_importing",),
)
def new_construct_for_existing_resource(f, ctx):
    """
    ## What it does
    Finds `new X(...)` given the id, ARN or name of an existing resource that X's props
    do not take but one of X's static `from...` methods does: `new ec2.Vpc(this, 'Vpc',
    { vpcId })` (use `Vpc.fromLookup`), `new s3.Bucket(this, 'B', { bucketArn })` (use
    `Bucket.fromBucketArn`), `new ec2.SecurityGroup(..., { securityGroupId })`.

    ## Why is this bad?
    The code means to use a resource that exists, but `new` always creates one: the id is
    ignored (or compilation fails) and the stack deploys a second, empty VPC, bucket or
    security group that nothing else is connected to.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class AppStack extends Stack {
      build(vpcId: string) {
        const vpc = new ec2.Vpc(this, 'SharedVpc', { // <-- CDK-USE-001
          vpcId,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class AppStack extends Stack {
      build(vpcId: string) {
        const vpc = ec2.Vpc.fromLookup(this, 'SharedVpc', { vpcId });
      }
    }
    ```
    """
    for use in struct_uses(f):
        if use.v1:
            continue
        c = use.construct
        if c is None:
            continue
        for key, _ in use.written_keys:
            importer = None if key in use.struct.props else importer_for(c.fqn, key)
            if importer is not None:
                yield Hit(c.node, {"construct": label(c), "key": key, "cls": c.name,
                                   "call": _importer_call(c, importer, key)})
                break


def _importer_call(c, importer: str, key: str) -> str:
    """`Vpc.fromLookup(this, 'SharedVpc', { vpcId })` or `Bucket.fromBucketArn(this, 'B', bucketArn)`."""
    method = knowledge().cls(c.fqn).static_methods[importer]
    ident = v.literal(c.id)
    args = ["this", f"'{ident}'" if isinstance(ident, str) else "id"]
    if len(method.params) > 2:
        args.append(f"{{ {key} }}" if struct_named(method.params[2].type) is not None else key)
    return f"{c.name}.{importer}({', '.join(args)})"


@rule(
    id="CDK-USE-002",
    name="lookup-in-environment-agnostic-stack",
    subcategory="incorrect-construct-usage",
    severity="error",
    message="`{call}` needs the stack's account and region, but {stack} {why}; synth fails",
    remediation="Pass `env: {{ account: ..., region: ... }}` (e.g. from CDK_DEFAULT_ACCOUNT/CDK_DEFAULT_REGION) "
                "to {stack}, or pass the {what} in as a prop instead of looking it up",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/environments.html",
                "https://docs.aws.amazon.com/cdk/v2/guide/context.html#context_methods"),
    scope="project",
)
def lookup_in_environment_agnostic_stack(project, ctx):
    """
    ## What it does
    Finds context lookups (`Vpc.fromLookup`, `SecurityGroup.fromLookupById`,
    `HostedZone.fromLookup`, `StringParameter.valueFromLookup`, `MachineImage.lookup`, ...)
    in stacks that are environment-agnostic: the stack class calls `super` without props,
    or the app creates it without `env`. Stacks whose instances cannot be seen (in a
    `Stage`, created elsewhere) are not judged.

    ## Why is this bad?
    A lookup asks the AWS account at synth time, so it needs a concrete account and region;
    in an env-agnostic stack `cdk synth` fails with "Cannot retrieve value from context
    provider ... since account/region are not specified at the stack level".

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { App, Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    class AppStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcName: 'shared' }); // <-- CDK-USE-002
      }
    }

    const app = new App();
    new AppStack(app, 'App');
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { App, Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    class AppStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcName: 'shared' });
      }
    }

    const app = new App();
    new AppStack(app, 'App', {
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    });
    ```
    """
    model = app_model(project)
    for f in project.analysed:
        for call in f.method_calls:
            what = _lookup(call)
            if what is None:
                continue
            for stack in model.owners_of(f, call.node):
                why = _without_env(stack, model)
                if why is not None:
                    yield Hit(call.node, {"call": f"{_receiver_name(call)}.{call.name}", "stack": stack.name,
                                          "why": why, "what": what}, file=f)
                    break


def _lookup(call) -> str | None:
    """What a context lookup looks up ('Vpc'), for a static lookup method of aws-cdk-lib."""
    fqn = v.symbol_fqn(call.receiver)
    if fqn is None or not (call.name.startswith("fromLookup") or call.name in ("valueFromLookup", "lookup")):
        return None
    info = knowledge().cls(fqn)
    return fqn.rsplit(".", 1)[-1] if info is not None and call.name in info.static_methods else None


def _receiver_name(call) -> str:
    return call.receiver.fqn.rsplit(".", 1)[-1]


def _without_env(stack, model) -> str | None:
    """How a stack class ends up without account/region, or None when it has them or it cannot be seen."""
    props = _super_props(stack)
    if props is None:
        return "calls `super` without props"
    if isinstance(props, v.Obj) and not props.open:
        return None if "env" in props.entries else "calls `super` with props that have no `env`"
    for instance in model.instances_of(stack):
        if instance.unit.owner is None and instance.env is None:
            line = instance.node.start_point[0] + 1
            return f"is created without `env` ({instance.file.path}:{line})"
    return None


def _super_props(stack) -> v.Value | None:
    """The props a stack class passes to `super(scope, id, props)`; Unknown when there is no constructor."""
    body = stack.constructor_body
    if body is None:
        return v.Unknown("no constructor")
    for node in stack.file.nodes("call_expression"):
        if body.start_byte <= node.start_byte < body.end_byte:
            fn = node.child_by_field_name("function")
            if fn is not None and fn.type == "super":
                args = [a for a in node.child_by_field_name("arguments").named_children if a.type != "comment"]
                return stack.file.eval(args[2]) if len(args) > 2 else None
    return v.Unknown("no super call")


@rule(
    id="CDK-USE-003",
    name="l1-construct-where-l2-fits",
    subcategory="incorrect-construct-usage",
    severity="notice",
    message="{construct} is an L1 (CloudFormation) construct, but the L2 `{l2}` takes every prop it sets",
    remediation="Use `new {l2}(...)` ({mapping}): it adds safe defaults, grants and metrics; "
                "`node.defaultChild` still reaches the L1 for anything else",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/constructs.html#constructs_lib",
                "https://docs.aws.amazon.com/cdk/v2/guide/cfn_layer.html"),
)
def l1_construct_where_l2_fits(f, ctx):
    """
    ## What it does
    Finds `Cfn*` constructs whose CloudFormation resource has an L2 construct in the same
    module (`sqs.CfnQueue` -> `sqs.Queue`) that has a counterpart for every prop the L1
    sets (`kmsMasterKeyId` -> `encryptionMasterKey`, `messageRetentionPeriod` ->
    `retentionPeriod`). An L1 with a prop the L2 lacks, with props that cannot be seen, or
    without an L2 at all (ElastiCache's `CfnReplicationGroup`) is left alone.

    ## Why is this bad?
    L1s are raw CloudFormation: no secure defaults, no `grant*` methods, no metrics, no
    connections, and plain strings and seconds where L2s take objects and `Duration`s.
    Code built on them is longer and easier to get wrong.

    ## Example
    ```ts
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack } from 'aws-cdk-lib';

    export class JobsStack extends Stack {
      build(keyArn: string) {
        new sqs.CfnQueue(this, 'Jobs', { // <-- CDK-USE-003
          kmsMasterKeyId: keyArn,
          messageRetentionPeriod: 345600,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as kms from 'aws-cdk-lib/aws-kms';
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Duration, Stack } from 'aws-cdk-lib';

    export class JobsStack extends Stack {
      build(key: kms.IKey) {
        new sqs.Queue(this, 'Jobs', {
          encryptionMasterKey: key,
          retentionPeriod: Duration.days(4),
        });
      }
    }
    ```

    ## Known problems
    Props are paired by the words of their names, so an L2 prop with a similar name but
    a different meaning can make an L1 look replaceable; hence the notice severity.
    """
    for use in struct_uses(f):
        if use.v1:
            continue
        c = use.construct
        if c is None or c.fqn is None or not c.props_known:
            continue
        l2 = l2_for(c.fqn)
        if l2 is None:
            continue
        keys = list(use.value.entries) if use.value is not None else []
        mapping = l2_counterparts(keys, l2)
        if mapping is None:
            continue
        shown = ", ".join(f"`{a}` -> `{b}`" if a != b else f"`{a}`" for a, b in mapping.items()) or "no props"
        yield Hit(c.node, {"construct": label(c), "l2": _spelled_like(c, l2), "mapping": shown})


def _spelled_like(c, fqn: str) -> str:
    """`sqs.Queue` when the L1 was written `sqs.CfnQueue`."""
    written = text(c.node.child_by_field_name("constructor"))
    prefix = written.rpartition(".")[0]
    name = fqn.rsplit(".", 1)[-1]
    return f"{prefix}.{name}" if prefix else name


@rule(
    id="CDK-USE-004",
    name="inline-code-handler-not-index",
    subcategory="incorrect-construct-usage",
    severity="error",
    message="Inline Lambda code is saved as `index`, so handler `{handler}` cannot be found; "
            "every invocation fails",
    remediation="Name the handler `{fixed}`",
    references=("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-function-code.html",),
)
def inline_code_handler_not_index(f, ctx):
    """
    ## What it does
    Finds Lambda functions whose code is inline (`lambda.Code.fromInline(...)`, or
    `code: { zipFile }` on a `CfnFunction`) and whose handler does not start with
    `index.`.

    ## Why is this bad?
    CloudFormation writes inline code to a file named `index` (`index.js`, `index.py`):
    "For the Handler property, the first part of the handler identifier must be index".
    With any other file name the deployment succeeds and every invocation fails with
    "Cannot find module" / "No module named".

    ## Example
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import { Stack } from 'aws-cdk-lib';

    export class HooksStack extends Stack {
      build() {
        new lambda.Function(this, 'Hook', {
          runtime: lambda.Runtime.PYTHON_3_13,
          code: lambda.Code.fromInline('def main(event, context):\\n    return {}'),
          handler: 'app.main', // <-- CDK-USE-004
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import { Stack } from 'aws-cdk-lib';

    export class HooksStack extends Stack {
      build() {
        new lambda.Function(this, 'Hook', {
          runtime: lambda.Runtime.PYTHON_3_13,
          code: lambda.Code.fromInline('def main(event, context):\\n    return {}'),
          handler: 'index.main',
        });
      }
    }
    ```
    """
    for use in struct_uses(f):
        pair = dict(use.written_keys).get("handler")
        if pair is None or pair.type != "pair" or not _is_inline(use):
            continue
        handler = v.literal(use.value.entries["handler"])
        if not isinstance(handler, str) or handler.startswith("index."):
            continue
        fixed = "index." + handler.rsplit(".", 1)[-1] if "." in handler else f"index.{handler}"
        value = pair_value(pair)
        quote = text(value)[:1] if value is not None else "'"
        yield Hit(pair, {"handler": handler, "fixed": fixed},
                  suggestion=replace_on_line(value, f.lines, f"{quote}{fixed}{quote}") if quote in "'\"" else None)


def _is_inline(use) -> bool:
    code = use.value.entries.get("code")
    if use.struct.fqn in _CFN_FUNCTION_PROPS:
        return isinstance(code, v.Obj) and "zipFile" in code.entries
    if "handler" not in use.struct.props or "code" not in use.struct.props:
        return False
    return (isinstance(code, v.Call) and code.fqn in _INLINE_CODE) or (
        isinstance(code, v.New) and code.fqn == "aws_lambda.InlineCode")
