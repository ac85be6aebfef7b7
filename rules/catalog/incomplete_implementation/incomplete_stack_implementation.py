"""incomplete-implementation / incomplete-stack-implementation."""
from __future__ import annotations

import re

from rules.model import values as v
from rules.model.app import app_model
from rules.model.classes import this_calls
from rules.model.monitoring import is_watched, watched_kind
from rules.model.references import (construct_variable, enclosing_call, is_discarded, member_call,
                                    props_keys_read, references)
from rules.model.services import layer_of
from rules.model.type_decls import (CDK_CLASS_KINDS, PARAM_TYPES, interfaces, param_type, props_param,
                                    resolve_interface, type_name, type_qualifier)
from rules.parsing import text
from rules.registry import Hit, rule

_PLACEHOLDER = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b|(?i:\b(not (yet )?implemented|implement me|to be implemented)\b)")
# a whole string that is a stand-in for a value nobody filled in
_PLACEHOLDER_VALUE = re.compile(r"(?i)todo|fixme|tbd|x{3,}|changeme|change[-_ ]me|replace[-_ ]?me|placeholder|<[^<>]+>")
_NOT_IMPLEMENTED = re.compile(r"(?i)\bnot (yet )?implemented\b|\bimplement me\b|^todo\b")


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
    Finds `TODO`, `FIXME`, `XXX` and `HACK` comments in CDK files, and comments saying
    something is "not implemented" / "to be implemented".

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


@rule(
    id="INC-STK-003",
    name="unused-prop",
    subcategory="incomplete-stack-implementation",
    severity="warning",
    scope="project",
    message="`{key}` is declared in {iface} but {classes} never reads it",
    remediation="Use `props.{key}` for what it was meant to configure, or remove it from {iface}",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/constructs.html#constructs_author",),
)
def unused_prop(project, ctx):
    """
    ## What it does
    Finds props declared in a stack's or construct's props interface that no class
    taking that interface ever reads (`props.x`, `const { x } = props`, `props['x']`).

    Props that reach code the analyser cannot follow count as read: props stored
    (`this.props = props`, `private readonly props`), spread, passed to a function or to
    a local base class's `super(...)`. Passing them to `super()` of `Stack` or
    `Construct` does not count: those only read their own props (`env`...). Classes
    whose constructor is empty are reported by INC-STK-001 instead.

    ## Why is this bad?
    A prop that is accepted and ignored is a feature that was never built: the caller
    passes `dashboardName` or `zoneName` and believes the dashboard or the DNS record
    exists. Nothing fails, so nobody notices until it is needed.

    ## Example
    ```ts
    import * as sns from 'aws-cdk-lib/aws-sns';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export interface AlertsStackProps extends StackProps {
      readonly topicName: string;
      readonly dashboardName: string; // <-- INC-STK-003
    }

    export class AlertsStack extends Stack {
      constructor(scope: Construct, id: string, props: AlertsStackProps) {
        super(scope, id, props);
        new sns.Topic(this, 'Alerts', { topicName: props.topicName });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
    import * as sns from 'aws-cdk-lib/aws-sns';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export interface AlertsStackProps extends StackProps {
      readonly topicName: string;
      readonly dashboardName: string;
    }

    export class AlertsStack extends Stack {
      constructor(scope: Construct, id: string, props: AlertsStackProps) {
        super(scope, id, props);
        const { topicName, dashboardName } = props;
        new sns.Topic(this, 'Alerts', { topicName });
        new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName });
      }
    }
    ```

    ## Known problems
    An interface that other interfaces extend, or that a function also takes as a
    parameter, is not judged (its props may be read there).
    """
    analysed = {id(f) for f in project.analysed}
    extended = {base for f in project.analysed for i in interfaces(f) for base in i.bases}
    typed = _parameters_by_type(project)
    for iface, users in _props_interfaces(project).values():
        if iface.name in extended or id(iface.file) not in analysed or _typed_elsewhere(typed, iface, users):
            continue
        if all(_is_empty(cls) for cls, _ in users):
            continue          # INC-STK-001
        read: set[str] = set()
        for cls, param in users:
            keys = props_keys_read(cls, param)
            if keys is None:
                break
            read |= keys
        else:
            names = " or ".join(sorted({cls.name for cls, _ in users}))
            for prop in iface.properties:
                key = text(prop.child_by_field_name("name"))
                if key not in read:
                    yield Hit(prop, {"key": key, "iface": iface.name, "classes": names}, file=iface.file)


def _props_interfaces(project):
    """{interface key: (interface, [(class, props parameter)])} for every CDK class's props type."""
    found: dict[tuple[str, int], tuple] = {}
    for f in project.analysed:
        for cls in f.classes:
            if cls.kind not in CDK_CLASS_KINDS:
                continue
            param = props_param(cls)
            typ = param_type(param) if param is not None else None
            name = type_name(typ)
            iface = resolve_interface(f, name, type_qualifier(typ)) if name else None
            if iface is not None:
                found.setdefault((iface.file.abspath, iface.node.id), (iface, []))[1].append((cls, param))
    return found


def _parameters_by_type(project) -> dict[str, set[tuple[str, int]]]:
    """{type name: parameters typed with it} over the project, one pass over the type names."""
    found: dict[str, set[tuple[str, int]]] = {}
    for f in project.analysed:
        for node in f.nodes("type_identifier"):
            param = node.parent.parent if node.parent is not None else None
            if param is not None and param.type in PARAM_TYPES:
                found.setdefault(text(node), set()).add((f.abspath, param.id))
    return found


def _typed_elsewhere(typed: dict[str, set[tuple[str, int]]], iface, users) -> bool:
    """Whether a function or another constructor takes the interface too (and may read its props)."""
    own = {(cls.file.abspath, param.id) for cls, param in users}
    return bool(typed.get(iface.name, set()) - own)


def _is_empty(cls) -> bool:
    body = cls.constructor_body
    return body is not None and all(_is_super_call(s) for s in body.named_children if s.type != "comment")


# kind -> (what, methods that only configure the construct itself, problem, fix)
_ATTACHABLE = {
    "aws_ec2.SecurityGroup": (
        "Security group", {("addIngressRule",), ("addEgressRule",), ("applyRemovalPolicy",)},
        "never attached: nothing uses it besides its own rules",
        "Pass it to the resource it protects (`securityGroups: [sg]`) or delete it"),
    "aws_iam.Role": (
        "Role", {("addToPolicy",), ("addToPrincipalPolicy",), ("addManagedPolicy",), ("attachInlinePolicy",),
                 ("applyRemovalPolicy",)},
        "never given to a resource: nothing can assume it",
        "Pass it to the function, instance profile or task that should use it (`role: role`), or delete it"),
    "aws_elasticloadbalancingv2.ApplicationTargetGroup": (
        "Target group", {("configureHealthCheck",), ("setAttribute",), ("enableCookieStickiness",),
                         ("applyRemovalPolicy",)},
        "left without targets: no `targets` prop, no `addTarget` call, nothing registers with it",
        "Register the instances, service or function it fronts (`targets: [...]` or `tg.addTarget(...)`)"),
}
_ATTACHABLE["aws_elasticloadbalancingv2.NetworkTargetGroup"] = _ATTACHABLE[
    "aws_elasticloadbalancingv2.ApplicationTargetGroup"]
_LISTENER_WIRING = frozenset({"addTargetGroups", "forward", "weightedForward", "addListener", "addAction"})
_SCOPE_HELPERS = frozenset({"Tags.of", "Aspects.of", "RemovalPolicies.of"})


@rule(
    id="INC-STK-004",
    name="construct-never-used",
    subcategory="incomplete-stack-implementation",
    severity="warning",
    message="{what} {id} is created but {problem}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.SecurityGroup.html",
                "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_iam.Role.html"),
)
def construct_never_used(f, ctx):
    """
    ## What it does
    Finds constructs that only make sense once attached to something, created and
    then left alone: a security group that is never passed anywhere (only its own
    ingress/egress rules are set), a role for an AWS service (`ServicePrincipal`) that
    is never given to a resource, a target group with no targets and nothing that
    registers with it (listeners only route to it).

    Anything that hands the construct on (a prop, an argument, a field, its id or ARN)
    counts as use. Roles trusted by accounts or identity providers, and named roles,
    are meant for use outside the app and are not reported.

    ## Why is this bad?
    The configuration that was reviewed never takes effect: the database is not behind
    the security group with the carefully scoped rules (it got the default one), the
    function runs with another role, the listener forwards to an empty target group
    and every request gets a 503.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class DataStack extends Stack {
      build(vpc: ec2.IVpc, appSg: ec2.ISecurityGroup) {
        const dbSg = new ec2.SecurityGroup(this, 'DbSg', { vpc }); // <-- INC-STK-004
        dbSg.addIngressRule(appSg, ec2.Port.tcp(5432), 'app to db');
        new rds.DatabaseInstance(this, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class DataStack extends Stack {
      build(vpc: ec2.IVpc, appSg: ec2.ISecurityGroup) {
        const dbSg = new ec2.SecurityGroup(this, 'DbSg', { vpc });
        dbSg.addIngressRule(appSg, ec2.Port.tcp(5432), 'app to db');
        new rds.DatabaseInstance(this, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
          vpc,
          securityGroups: [dbSg],
        });
      }
    }
    ```

    ## Known problems
    Constructs kept in fields (`this.sg = ...`) may be used by other stacks and are not
    judged.
    """
    for c in f.constructs:
        spec = _ATTACHABLE.get(c.fqn)
        if spec is None or not _expects_attachment(c):
            continue
        what, own_methods, problem, fix = spec
        if is_discarded(c) or _only_configured(f, c, own_methods):
            ident = v.literal(c.id)
            yield Hit(c.node, {"what": what, "id": f"'{ident}'" if isinstance(ident, str) else "",
                               "problem": problem, "fix": fix})


def _expects_attachment(c) -> bool:
    """Roles only when a service assumes them and they are unnamed; target groups without targets."""
    if c.fqn == "aws_iam.Role":
        principal = c.prop("assumedBy")
        return (isinstance(principal, v.New) and principal.fqn == "aws_iam.ServicePrincipal"
                and c.prop("roleName") is None)
    if c.fqn.endswith("TargetGroup"):
        return c.props_known and c.prop("targets") is None
    return True


def _only_configured(f, c, own_methods) -> bool:
    """Whether every reference to the construct's `const` only configures the construct itself."""
    variable = construct_variable(c)
    if variable is None:
        return False
    for ref in references(f, variable):
        call = member_call(ref)
        if call is not None:
            path = call[0]
            if path in own_methods or (path[0] == "connections" and len(path) == 2 and path[1].startswith("allow")):
                continue
            if path[0].startswith("metric"):
                continue
            return False
        if not _wires_without_using(f, c, ref):
            return False
    return True


def _wires_without_using(f, c, ref) -> bool:
    """A reference that does not attach the construct: `Tags.of(sg)`, a listener routing to a target group."""
    call = enclosing_call(ref)
    if call is None:
        return False
    if call.type == "new_expression":
        listener = f.construct_at(call)
        return (c.fqn.endswith("TargetGroup") and listener is not None and listener.fqn is not None
                and listener.fqn.endswith(("Listener", "ListenerRule")))
    fn = call.child_by_field_name("function")
    if v.symbol_fqn(f.eval(fn)) in _SCOPE_HELPERS:
        return True
    name = text(fn.child_by_field_name("property")) if fn is not None and fn.type == "member_expression" else ""
    return c.fqn.endswith("TargetGroup") and name in _LISTENER_WIRING


@rule(
    id="INC-STK-005",
    name="app-without-monitoring",
    subcategory="incomplete-stack-implementation",
    severity="warning",
    scope="project",
    confidence="medium",
    message="This app deploys {workloads} but none of its stacks has a CloudWatch alarm: "
            "the monitoring part is missing",
    remediation="Add a monitoring stack (alarms on errors, throttles, latency and storage, an SNS topic for on-call) "
                "and instantiate it in this entry point",
    references=("https://docs.aws.amazon.com/wellarchitected/latest/operational-excellence-pillar/"
                "design-telemetry.html",),
)
def app_without_monitoring(project, ctx):
    """
    ## What it does
    Finds an app entry point whose stacks create both compute (functions, services,
    instances) and data stores (databases, tables), where no stack of the app has any
    alarm on any of them (no `cloudwatch.Alarm`, no `metric.createAlarm`, no metric of
    them taken anywhere, no monitoring construct). Reported once, on `new App()`.

    Only apps whose stack classes are all in the scanned files are judged.

    ## Why is this bad?
    An app with compute and data but no monitoring is missing a part, usually the
    monitoring stack someone meant to add later. Failures, throttling and full disks
    surface as customer complaints instead of pages.

    ## Example
    ```ts
    import { App, Stack, StackProps } from 'aws-cdk-lib';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import { Construct } from 'constructs';

    class ServiceStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        const table = new dynamodb.Table(this, 'Orders', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        });
        const fn = new lambda.Function(this, 'Handler', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
        });
        table.grantReadWriteData(fn);
      }
    }

    const app = new App(); // <-- INC-STK-005
    new ServiceStack(app, 'Service');
    ```

    ## Use instead
    ```ts
    import { App, Stack, StackProps } from 'aws-cdk-lib';
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import { Construct } from 'constructs';

    class ServiceStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        const table = new dynamodb.Table(this, 'Orders', {
          partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        });
        const fn = new lambda.Function(this, 'Handler', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda'),
        });
        table.grantReadWriteData(fn);
        fn.metricErrors().createAlarm(this, 'HandlerErrors', { threshold: 1, evaluationPeriods: 1 });
        table.metricThrottledRequestsForOperations().createAlarm(this, 'Throttles', { threshold: 1, evaluationPeriods: 1 });
      }
    }

    const app = new App();
    new ServiceStack(app, 'Service');
    ```

    ## Known problems
    Monitoring set up outside the app (a separate monitoring repository, an
    organisation-wide tool) cannot be seen; suppress the finding there.
    """
    model = app_model(project)
    analysed = {id(f) for f in project.analysed}
    by_stack_class, by_entry_file = _watched_constructs(project, model)
    for unit in model.entry_points:
        decls = [s.decl for s in unit.stacks if s.decl is not None]
        if not unit.stacks or _has_unread_children(unit) or any(id(d.file) not in analysed for d in decls):
            continue
        workloads = [*by_entry_file.get(id(unit.file), ()),
                     *(c for d in decls for c in by_stack_class.get(id(d), ()))]
        layers = {layer_of(c.fqn) for c in workloads}
        if not {"compute", "data"} <= layers:
            continue
        if all(is_watched(c, project) is False for c in workloads):
            kinds = sorted({watched_kind(c.fqn) for c in workloads})
            yield Hit(unit.app.node, {"workloads": ", ".join(kinds)}, file=unit.file)


def _has_unread_children(unit) -> bool:
    """Whether the app creates something whose code is not in the project (a packaged stack)."""
    stacks = {id(s.construct) for s in unit.stacks}
    for c in unit.file.constructs:
        scope = unit.file.eval(c.arg_nodes[0]) if c.arg_nodes else None
        if isinstance(scope, v.ConstructRef) and scope.construct is unit.app and id(c) not in stacks:
            return True
    return False


def _watched_constructs(project, model) -> tuple[dict[int, list], dict[int, list]]:
    """The watched constructs by (id of) the stack class whose code creates them, and those
    created outside any class by (id of) their file: each app looks up its own instead of
    scanning all of them."""
    by_stack_class: dict[int, list] = {}
    by_entry_file: dict[int, list] = {}
    for f in project.analysed:
        for c in f.constructs:
            if watched_kind(c.fqn) is None:
                continue
            if c.owner is None:
                by_entry_file.setdefault(id(c.file), []).append(c)
            for stack_class in model.stack_classes_of(c.owner):
                by_stack_class.setdefault(id(stack_class), []).append(c)
    return by_stack_class, by_entry_file


@rule(
    id="INC-STK-006",
    name="placeholder-value",
    subcategory="incomplete-stack-implementation",
    severity="warning",
    message="{what} in {owner}: this part was never filled in",
    remediation="Replace the placeholder with the real value (from props or context), or implement the missing part",
    references=(),
    follows_values=True,
)
def placeholder_value(f, ctx):
    """
    ## What it does
    Finds stand-ins left in stack and construct code: a prop set to a placeholder
    string (`'TODO'`, `'CHANGEME'`, `'REPLACE_ME'`, `'<your-domain>'`) and
    `throw new Error('Not implemented')`.

    ## Why is this bad?
    A placeholder value deploys as such (a certificate for `<your-domain>`, an alarm
    email to `CHANGEME`), or the stub throws and synthesis of the whole app fails.

    ## Example
    ```ts
    import * as route53 from 'aws-cdk-lib/aws-route53';
    import { Stack } from 'aws-cdk-lib';

    export class DnsStack extends Stack {
      build() {
        new route53.PublicHostedZone(this, 'Zone', { zoneName: 'TODO' }); // <-- INC-STK-006
      }

      addRecords() {
        throw new Error('Not implemented'); // <-- INC-STK-006
      }
    }
    ```

    ## Use instead
    ```ts
    import * as route53 from 'aws-cdk-lib/aws-route53';
    import { Stack } from 'aws-cdk-lib';

    export class DnsStack extends Stack {
      build(zoneName: string) {
        new route53.PublicHostedZone(this, 'Zone', { zoneName });
      }
    }
    ```
    """
    for c in f.constructs:
        owner = c.owner
        if owner is None or owner.kind not in CDK_CLASS_KINDS or not isinstance(c.props, v.Obj):
            continue
        for key, value in c.props.entries.items():
            if isinstance(value, v.Lit) and isinstance(value.value, str) \
                    and _PLACEHOLDER_VALUE.fullmatch(value.value.strip()) and c.prop_node(key) is not c.node:
                yield Hit(c.prop_node(key), {"what": f"`{key}` is the placeholder '{value.value}'",
                                             "owner": owner.name})
    for node in f.nodes("new_expression"):
        if text(node.child_by_field_name("constructor")) != "Error":
            continue
        owner = f.class_containing(node)
        args = node.child_by_field_name("arguments")
        message = v.literal(f.eval(args.named_children[0])) if args is not None and args.named_children else None
        if owner is not None and owner.kind in CDK_CLASS_KINDS and isinstance(message, str) \
                and _NOT_IMPLEMENTED.search(message):
            yield Hit(node, {"what": f"`new Error('{message}')` stub", "owner": owner.name})


@rule(
    id="INC-STK-007",
    name="empty-builder-method",
    subcategory="incomplete-stack-implementation",
    severity="warning",
    message="{kind} {name}'s constructor calls `this.{method}()`, but `{method}` is empty: "
            "that part was never built",
    remediation="Implement `{method}` (the resources its name promises), or remove it and its call",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/constructs.html",),
)
def empty_builder_method(f, ctx):
    """
    ## What it does
    Finds methods of stack, construct and stage classes whose body is empty (no
    statements) and that the constructor calls (`this.buildDashboard()`): a builder
    that was planned and wired in, but never written.

    ## Why is this bad?
    The stack deploys without the part the method names (the dashboard, the alarms,
    the backup plan), and nothing fails to say so: a reader of the constructor
    believes it is there.

    ## Example
    ```ts
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class ReportingStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        this.buildDashboard();
      }

      private buildDashboard(): void {} // <-- INC-STK-007
    }
    ```

    ## Use instead
    ```ts
    import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class ReportingStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        this.buildDashboard();
      }

      private buildDashboard(): void {
        new cloudwatch.Dashboard(this, 'Reporting', { dashboardName: 'reporting' });
      }
    }
    ```
    """
    for cls in f.classes:
        if cls.kind not in ("stack", "construct", "stage") or cls.constructor_body is None:
            continue
        called = this_calls(f, cls.constructor_body)
        body = cls.node.child_by_field_name("body")
        for member in body.named_children if body is not None else ():
            name = member.child_by_field_name("name") if member.type == "method_definition" else None
            block = member.child_by_field_name("body") if name is not None else None
            if block is None or text(name) not in called or text(name) == "constructor":
                continue
            if not [s for s in block.named_children if s.type != "comment"]:
                yield Hit(member, {"kind": cls.kind.capitalize(), "name": cls.name, "method": text(name)})
