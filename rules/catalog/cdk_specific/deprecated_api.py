"""cdk-specific / incorrect-construct-usage: deprecated APIs and deprecated Lambda runtimes."""
from __future__ import annotations

from rules.model import values as v
from rules.model.aws_catalogs import deprecated_runtime, member_of_runtime, runtime_of_member
from rules.model.edits import library_expression, pair_value, replace_on_line
from rules.model.labels import label
from rules.model.network import VPC_FQN
from rules.model.structs import struct_uses
from rules.model.types import library_symbols, symbol_deprecation
from rules.parsing import text
from rules.registry import Hit, rule

# Reported elsewhere: SubnetType members under poor-subnet-design (ARC), Lambda runtimes by
# CDK-DEP-002 with AWS's own dates.
_SUBNET_TYPE = "aws_ec2.SubnetType."
_RUNTIME = "aws_lambda.Runtime."
_CFN_FUNCTION_PROPS = frozenset({"aws_lambda.CfnFunctionProps", "aws_sam.CfnFunctionProps"})


@rule(
    id="CDK-DEP-001",
    name="deprecated-cdk-api",
    subcategory="incorrect-construct-usage",
    severity="warning",
    message="{what} is deprecated ({deprecation})",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-construct-library.html",
                "https://docs.aws.amazon.com/cdk/v2/guide/deprecated.html"),
)
def deprecated_cdk_api(f, ctx):
    """
    ## What it does
    Finds uses of aws-cdk-lib APIs that the library marks `@deprecated` (from its jsii
    assembly): props of constructs, of method options and of nested structs (`cidr` on
    `ec2.Vpc`, `logRetention` on `lambda.Function`), enum members, static members,
    classes, and methods, also on the app's own subclasses (`stack.addDependency`).
    `ec2.Vpc`'s `cidr` gets a one-line fix to `ipAddresses: ec2.IpAddresses.cidr(...)`.
    `SubnetType` members are left to the subnet-design rules and Lambda runtimes to
    CDK-DEP-002.

    ## Why is this bad?
    Deprecated APIs are removed in the next major version of aws-cdk-lib and print a
    warning at every synth; most have a replacement that does more (`ipAddresses` also
    takes IPAM pools, `logGroup` avoids the log-retention custom resource Lambda).

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { App, Stack } from 'aws-cdk-lib';

    export class NetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'Vpc', {
          cidr: '10.20.0.0/16', // <-- CDK-DEP-001
        });
        new lambda.Function(this, 'Fn', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
          logRetention: logs.RetentionDays.ONE_MONTH, // <-- CDK-DEP-001
        });
      }
    }

    const app = new App();
    const network = new NetworkStack(app, 'Network');
    const data = new Stack(app, 'Data');
    data.addDependency(network); // <-- CDK-DEP-001
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as logs from 'aws-cdk-lib/aws-logs';
    import { App, Stack } from 'aws-cdk-lib';

    export class NetworkStack extends Stack {
      build() {
        new ec2.Vpc(this, 'Vpc', {
          ipAddresses: ec2.IpAddresses.cidr('10.20.0.0/16'),
        });
        new lambda.Function(this, 'Fn', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
          logGroup: new logs.LogGroup(this, 'FnLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        });
      }
    }

    const app = new App();
    const network = new NetworkStack(app, 'Network');
    const data = new Stack(app, 'Data');
    data.addStackDependency(network);
    ```

    ## Known problems
    Checked against aws-cdk-lib 2.276.0's deprecations. Deprecated members reached
    through values whose type cannot be seen (parameters, function results) are missed.
    """
    for node, symbol in library_symbols(f):
        if symbol.fqn.startswith((_SUBNET_TYPE, _RUNTIME)):
            continue
        found = symbol_deprecation(symbol.fqn)
        if found is not None:
            name, note = found
            yield Hit(node.child_by_field_name("property") or node, _args(f"`{name}`", note))
    for use in struct_uses(f):
        if use.v1:
            continue
        for key, pair in use.written_keys:
            prop = use.struct.props.get(key)
            if prop is None or not prop.deprecated:
                continue
            where = label(use.construct) if use.construct is not None else use.label
            suggestion = _ip_addresses(f, pair) if (use.construct is not None and use.construct.fqn == VPC_FQN
                                                    and key == "cidr") else None
            yield Hit(pair, _args(f"`{key}` on {where}", prop.deprecated), suggestion=suggestion)
    for call in f.method_calls:
        receiver = call.receiver_type
        method = receiver.method(call.name) if receiver is not None and not receiver.static else None
        if method is not None and method.deprecated:
            owner = method.declared_in.rsplit(".", 1)[-1]
            yield Hit(call.name_node, _args(f"`{owner}.{call.name}`", method.deprecated))
    for c in f.constructs:
        constructor = c.node.child_by_field_name("constructor")
        if c.fqn is not None and constructor is not None and constructor.type == "identifier":
            found = symbol_deprecation(c.fqn)       # `new Foo(...)` of a named import
            if found is not None:
                yield Hit(constructor, _args(f"`{found[0]}`", found[1]))


def _args(what: str, note: str) -> dict:
    note = " ".join(note.split()).lstrip("- ").rstrip(".")
    return {"what": what, "deprecation": note, "fix": f"{note[:1].upper()}{note[1:]}"}


def _ip_addresses(f, pair) -> str | None:
    """`ipAddresses: ec2.IpAddresses.cidr('…')` in place of a one-line `cidr: '…'` pair."""
    value = pair_value(pair)
    factory = library_expression(f, "aws_ec2.IpAddresses")
    if value is None or factory is None:
        return None
    return replace_on_line(pair, f.lines, f"ipAddresses: {factory}.cidr({text(value)})")


@rule(
    id="CDK-DEP-002",
    name="deprecated-lambda-runtime",
    subcategory="incorrect-construct-usage",
    severity="warning",
    message="Lambda runtime {runtime} is deprecated by AWS since {since}: no more security patches, "
            "and AWS then blocks creating and updating functions on it",
    remediation="Move to {successor} and test the function on it",
    references=("https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtime-support-policy",
                "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated"),
    follows_values=True,
)
def deprecated_lambda_runtime(f, ctx):
    """
    ## What it does
    Finds Lambda functions on a runtime that AWS has deprecated under its Lambda runtime
    deprecation policy, by AWS's calendar (rules/knowledge/lambda_runtimes.yml), whether
    or not aws-cdk-lib marks the `Runtime` member deprecated: `Runtime.NODEJS_16_X` and
    older, `Runtime.PYTHON_3_9` and older, but also `Runtime.NODEJS_20_X` (deprecated by
    AWS on 2026-04-30, not marked in aws-cdk-lib 2.276.0), `new lambda.Runtime('nodejs18.x')`
    and `runtime: 'python3.8'` on an L1 `CfnFunction`.

    ## Why is this bad?
    A deprecated runtime gets no security patches; some weeks later AWS blocks creating
    functions on it, then updating them, and the next deployment of the stack fails.

    ## Example
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build() {
        new lambda.Function(this, 'Handler', {
          runtime: lambda.Runtime.NODEJS_20_X, // <-- CDK-DEP-002
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
        });
        new lambda.CfnFunction(this, 'Legacy', {
          runtime: 'python3.8', // <-- CDK-DEP-002
          role: 'arn:aws:iam::123456789012:role/legacy',
          code: { s3Bucket: 'artifacts', s3Key: 'legacy.zip' },
          handler: 'app.handler',
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build() {
        new lambda.Function(this, 'Handler', {
          runtime: lambda.Runtime.NODEJS_24_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
        });
      }
    }
    ```

    ## Known problems
    The calendar is a snapshot (2026-11-28): runtimes AWS deprecates later are reported
    once the data file is refreshed. Dates are compared with the day of the scan.
    """
    for node, symbol in library_symbols(f, v1=True):     # runtimes are AWS's, whatever the CDK version
        if symbol.fqn.startswith(_RUNTIME):
            member = symbol.fqn[len(_RUNTIME):].split(".", 1)[0]
            yield from _deprecated_runtime(node.child_by_field_name("property") or node, runtime_of_member(member))
    for node in f.nodes("new_expression"):
        value = f.eval(node)
        if isinstance(value, v.New) and value.fqn == "aws_lambda.Runtime" and value.args:
            yield from _deprecated_runtime(value.args[0].node or node, v.literal(value.args[0]))
    for use in struct_uses(f):
        if use.struct.fqn in _CFN_FUNCTION_PROPS:
            for key, pair in use.written_keys:
                if key == "runtime":
                    yield from _deprecated_runtime(pair, v.literal(use.value.entries[key]))


def _deprecated_runtime(node, name):
    lifecycle = deprecated_runtime(name) if isinstance(name, str) else None
    if lifecycle is None:
        return
    successor = lifecycle.successor
    member = member_of_runtime(successor) if successor else None
    yield Hit(node, {"runtime": name, "since": lifecycle.deprecated.isoformat(),
                     "successor": f"{successor} (`Runtime.{member}`)" if member else successor or "a supported runtime"})
