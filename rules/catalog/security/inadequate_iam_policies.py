"""security / inadequate-iam-policies."""
from __future__ import annotations

from dataclasses import dataclass

from rules.model import iam
from rules.model import values as v
from rules.model.labels import label
from rules.parsing import Node
from rules.registry import Hit, rule
from rules.taxonomy import Severity

_IAM_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"


def _name(construct) -> str:
    """`Role 'Runner'`, or a placeholder when the construct is not in sight."""
    return label(construct) if construct is not None else "a resource"


# -- SEC-IAM-001 -----------------------------------------------------------------------
@rule(
    id="SEC-IAM-001",
    name="broad-aws-managed-policy",
    subcategory="inadequate-iam-policies",
    severity="error",
    message="AWS managed policy `{policy}` gives {who} {breadth}",
    remediation="{fix}",
    references=(_IAM_DOCS,
                "https://docs.aws.amazon.com/cdk/v2/guide/permissions.html#permissions-grants"),
)
def broad_aws_managed_policy(f, ctx):
    """
    ## What it does
    Finds AWS managed policies that grant far more than a workload needs:
    `AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess` (errors) and any
    `*FullAccess` or `SecretsManagerReadWrite` (warnings), whether named with
    `ManagedPolicy.fromAwsManagedPolicyName`, by ARN with `fromManagedPolicyArn`, or in the
    `managedPolicyArns` of an L1 `CfnRole`/`CfnUser`/`CfnGroup`. When the stack creates the
    resource the role works on, the remediation names the `grant*()` call that replaces the policy.

    ## Why is this bad?
    `AmazonS3FullAccess` lets the role read, overwrite and delete every bucket in the
    account, and change their policies; a compromised instance becomes a compromised
    account. A `grant*()` call scopes the same rights to the one resource the code uses.

    ## Example
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class RunnerStack extends Stack {
      build() {
        const artifacts = new s3.Bucket(this, 'Artifacts');
        const role = new iam.Role(this, 'RunnerRole', {
          assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
          managedPolicies: [
            iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
            iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3FullAccess'), // <-- SEC-IAM-001
          ],
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class RunnerStack extends Stack {
      build() {
        const artifacts = new s3.Bucket(this, 'Artifacts');
        const role = new iam.Role(this, 'RunnerRole', {
          assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
          managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
        });
        artifacts.grantReadWrite(role);
      }
    }
    ```

    ## Known problems
    Read-only managed policies (`ReadOnlyAccess`, `AmazonS3ReadOnlyAccess`) are not
    reported, though they also reach every resource of their service.
    """
    for use in iam.aws_managed_policies(f):
        breadth = iam.managed_policy_breadth(use.name)
        if breadth is None:
            continue
        grantee = iam.managed_policy_grantee(use, f)
        service = iam.MANAGED_POLICY_SERVICE.get(use.name)
        grant = iam.grant_call(service, True, grantee, f)
        fix = (f"Drop `{use.name}` and grant only what the code uses: `{grant}`" if grant else
               f"Drop `{use.name}` and attach a policy listing only the actions and resources the workload uses")
        yield Hit(use.node, {
            "policy": use.name,
            "who": label(grantee) if grantee is not None else "the principal",
            "breadth": ("administrator-level access to the account" if breadth == "admin"
                        else "every action of the service on every resource in the account"),
            "fix": fix,
        }, severity=Severity.ERROR if breadth == "admin" else Severity.WARNING)


# -- the statement problems (SEC-IAM-002..004) --------------------------------------------
@dataclass(frozen=True)
class _Problem:
    kind: str                   # 'actions' | 'pass-role' | 'resources'
    node: Node
    what: str
    severity: Severity
    fix: str


def _problem(stmt: iam.Statement) -> _Problem | None:
    """The worst least-privilege problem of an identity-policy statement (one per statement)."""
    if not stmt.allows or not stmt.identity_policy:
        return None
    any_resource = stmt.resources.node_of(iam.is_any_resource)
    if any_resource is None and stmt.not_resources.present:
        any_resource = stmt.not_resources.entries[0][1]
    on = f" on every resource ({_wildcard_shown(stmt)})" if any_resource is not None else ""
    grant = _grant_for(stmt)
    fix_tail = f", or use `{grant}`" if grant else ""
    if (node := stmt.actions.node_of(iam.is_any_action)) is not None:
        return _Problem("actions", node, f"allows every action (`*`){on}", Severity.ERROR,
                        "List the actions the code calls" + fix_tail)
    if stmt.not_actions.present and stmt.actions.present is False:
        return _Problem("actions", stmt.not_actions.entries[0][1],
                        f"allows every action except its `notActions`{on}", Severity.WARNING,
                        "Allow the actions needed instead of all but a few" + fix_tail)
    wildcard = next((a for a in stmt.actions.known if iam.is_service_wildcard(a)), None)
    if wildcard is not None:
        return _Problem("actions", stmt.actions.node_of(lambda a: a == wildcard),
                        f"allows `{wildcard}` ({_every_action_of(wildcard)}){on}",
                        Severity.ERROR if on else Severity.WARNING, "List the actions the code calls" + fix_tail)
    if any_resource is None or stmt.has_condition is not False:
        return None       # scoped, or narrowed by a condition (or one we cannot see)
    if any(iam.is_pass_role(a) for a in stmt.actions.known):
        return _Problem("pass-role", any_resource, f"allows `iam:PassRole` on every role ({_wildcard_shown(stmt)})", Severity.ERROR,
                        "Name the roles it may pass (`resources: [taskRole.roleArn]`, or "
                        "`taskRole.grantPassRole(principal)`) and add an `iam:PassedToService` condition")
    broad = [a for a in stmt.actions.known if not iam.fine_on_any_resource(a)]
    if broad:
        shown = ", ".join(f"`{a}`" for a in broad[:3]) + (" ..." if len(broad) > 3 else "")
        return _Problem("resources", any_resource, f"grants {shown}{on}", Severity.WARNING,
                        "Scope `resources` to the ARNs the code uses" + fix_tail)
    return None


def _every_action_of(wildcard: str) -> str:
    service = wildcard.split(":")[0]
    return "every action of the service it is given" if "${" in service else f"every {service} action"


def _wildcard_shown(stmt: iam.Statement) -> str:
    """`*`, or the wildcard ARN as written (`arn:aws:dynamodb:*:*:table/*`: every table)."""
    arn = next((r for r in stmt.resources.known if iam.is_any_resource(r)), "*")
    return f"`{iam.shown(arn.strip())}`"


def _grant_for(stmt: iam.Statement) -> str | None:
    """The grant call that replaces the statement, when all its actions are one service's."""
    services = {a.split(":", 1)[0].lower() for a in stmt.actions.known if ":" in a}
    if len(services) != 1 or not stmt.actions.complete:
        return None
    write = not all(iam.is_read_action(a) for a in stmt.actions.known)
    return iam.grant_call(services.pop(), write, stmt.grantee, stmt.file)


def _statement_hits(f, kind: str):
    for stmt in iam.statements(f):
        problem = _problem(stmt)
        if problem is not None and problem.kind == kind:
            yield Hit(problem.node, {"what": problem.what, "fix": problem.fix}, severity=problem.severity)


@rule(
    id="SEC-IAM-002",
    name="wildcard-policy-actions",
    subcategory="inadequate-iam-policies",
    severity="error",
    message="Policy statement {what}",
    remediation="{fix}",
    references=(_IAM_DOCS,
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"),
)
def wildcard_policy_actions(f, ctx):
    """
    ## What it does
    Finds `Allow` statements of identity policies whose actions are `*`, a whole service
    (`dynamodb:*`, `s3:*`, `logs:*`) or `notActions` (everything but a few): in
    `new iam.PolicyStatement({...})` and its `addActions` calls, `PolicyStatement.fromJson`,
    `PolicyDocument.fromJson` and the JSON `policyDocument` of L1 resources. It is an error
    on every resource (`*`), a warning on named resources.

    ## Why is this bad?
    `dynamodb:*` includes `DeleteTable`, `UpdateTable` and `RestoreTableFromBackup`; `s3:*`
    includes `PutBucketPolicy`. A bug or a stolen credential can then destroy or expose
    what the code only needed to read and write. The `grant*()` methods of the resource
    list exactly the actions a use needs.

    ## Example
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import { Stack } from 'aws-cdk-lib';

    export class RunnerStack extends Stack {
      build(role: iam.Role) {
        role.addToPolicy(new iam.PolicyStatement({
          actions: ['dynamodb:*'], // <-- SEC-IAM-002
          resources: ['*'],
        }));
      }
    }
    ```

    ## Use instead
    ```ts
    import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
    import * as iam from 'aws-cdk-lib/aws-iam';
    import { Stack } from 'aws-cdk-lib';

    export class RunnerStack extends Stack {
      build(role: iam.Role, results: dynamodb.Table) {
        results.grantReadWriteData(role);
      }
    }
    ```

    ## Known problems
    Both branches of a conditional (`isProd ? a : b`) are judged. Statements with
    principals (resource policies, KMS key policies) are left to SEC-IAM-005.
    """
    yield from _statement_hits(f, "actions")


@rule(
    id="SEC-IAM-003",
    name="write-actions-on-all-resources",
    subcategory="inadequate-iam-policies",
    severity="warning",
    message="Policy statement {what}",
    remediation="{fix}",
    references=(_IAM_DOCS,
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"),
)
def write_actions_on_all_resources(f, ctx):
    """
    ## What it does
    Finds `Allow` statements of identity policies that grant actions on every resource
    (`resources: ['*']`, `addAllResources()`, `arn:aws:s3:::*`, `...:table/*`) with no
    condition. Actions that only exist on `*` or only read metadata are accepted there:
    `Describe*`/`List*`, `cloudwatch:PutMetricData`, X-Ray segments,
    `ecr:GetAuthorizationToken`, the ENI actions of a VPC Lambda, Session Manager channels.
    A statement with a condition (e.g. a tag or namespace condition) is not reported.

    ## Why is this bad?
    `sqs:SendMessage` on `*` can write to every queue of the account, `s3:GetObject` on
    `*` reads every bucket. Naming the resource (or calling its `grant*()` method) keeps a
    bug or a leaked credential inside the resource the code uses.

    ## Example
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import { Stack } from 'aws-cdk-lib';

    export class IngestStack extends Stack {
      build(fn: lambda.Function) {
        fn.addToRolePolicy(new iam.PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: ['*'], // <-- SEC-IAM-003
        }));
        fn.addToRolePolicy(new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': 'Ingest' } },
        }));
      }
    }
    ```

    ## Use instead
    ```ts
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack } from 'aws-cdk-lib';

    export class IngestStack extends Stack {
      build(fn: lambda.Function, queue: sqs.Queue) {
        queue.grantSendMessages(fn);
      }
    }
    ```

    ## Known problems
    Any condition counts as narrowing; the analyser does not judge how much it narrows.
    """
    yield from _statement_hits(f, "resources")


@rule(
    id="SEC-IAM-004",
    name="pass-role-on-any-role",
    subcategory="inadequate-iam-policies",
    severity="error",
    message="Policy statement {what}: the principal can give any role, admin roles included, to a service it controls",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",),
)
def pass_role_on_any_role(f, ctx):
    """
    ## What it does
    Finds statements that allow `iam:PassRole` on every resource (`*`) without a
    condition.

    ## Why is this bad?
    With `iam:PassRole` on `*` plus the right to create a Lambda function, an EC2
    instance or an ECS task, a principal can run code under any role of the account,
    including administrator roles: a classic privilege escalation path.

    ## Example
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import { Stack } from 'aws-cdk-lib';

    export class DeployStack extends Stack {
      build(deployer: iam.Role) {
        const pass = new iam.PolicyStatement({ actions: ['iam:PassRole'] });
        pass.addAllResources(); // <-- SEC-IAM-004
        deployer.addToPolicy(pass);
      }
    }
    ```

    ## Use instead
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import { Stack } from 'aws-cdk-lib';

    export class DeployStack extends Stack {
      build(deployer: iam.Role, taskRole: iam.Role) {
        taskRole.grantPassRole(deployer);
      }
    }
    ```
    """
    yield from _statement_hits(f, "pass-role")


# -- SEC-IAM-005 -----------------------------------------------------------------------
@rule(
    id="SEC-IAM-005",
    name="policy-open-to-any-principal",
    subcategory="inadequate-iam-policies",
    severity="error",
    message="{what} is open to any principal (`*`) with no condition narrowing it",
    remediation="Name the principals (an account, a role, a service with an `aws:SourceArn` condition) "
                "or add a condition such as `aws:PrincipalOrgID` or `aws:SourceAccount`",
    references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",),
)
def policy_open_to_any_principal(f, ctx):
    """
    ## What it does
    Finds resource policies, trust policies and grants that allow `AnyPrincipal`,
    `StarPrincipal`, `ArnPrincipal('*')` or a JSON `"Principal": "*"` / `{"AWS": "*"}`
    with no condition other than `aws:SecureTransport`: `addToResourcePolicy` statements,
    bucket, queue and topic policies, `grant*(new iam.AnyPrincipal())`,
    `addPermission` without a source, and roles `assumedBy` anyone. `Deny` statements
    and VPC endpoint policies (where `*` principals are the norm) are not reported.

    ## Why is this bad?
    `*` in a resource policy means every AWS account in the world, authenticated or not:
    a queue anyone can write to, a key anyone can use, a role anyone can assume.

    ## Example
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack } from 'aws-cdk-lib';

    export class EventsStack extends Stack {
      build() {
        const queue = new sqs.Queue(this, 'Events');
        queue.addToResourcePolicy(new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()], // <-- SEC-IAM-005
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
        }));
      }
    }
    ```

    ## Use instead
    ```ts
    import * as iam from 'aws-cdk-lib/aws-iam';
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack } from 'aws-cdk-lib';

    export class EventsStack extends Stack {
      build(topicArn: string) {
        const queue = new sqs.Queue(this, 'Events');
        queue.addToResourcePolicy(new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': topicArn } },
        }));
      }
    }
    ```
    """
    for stmt in iam.statements(f):
        if (stmt.allows and stmt.resource_policy and stmt.restricting_condition is False
                and (node := stmt.principals.node_of(lambda kind: kind == "any")) is not None):
            yield Hit(node, {"what": "Policy statement"})
    for c in f.constructs:
        if c.fqn == "aws_iam.Role" and iam.principal_kind(c.prop("assumedBy")) == "any":
            yield Hit(c.prop_node("assumedBy"), {"what": f"{label(c)} trust policy"})
    for call in f.method_calls:
        if call.name.startswith("grant") and call.args and iam.principal_kind(call.args[0]) == "any":
            yield Hit(call.node, {"what": f"`{call.name}` on {_name(call.construct)}"})
        elif call.name == "addPermission" and len(call.args) > 1 and _public_permission(call.args[1]):
            yield Hit(call.node, {"what": f"Invoke permission on {_name(call.construct)}"})


def _public_permission(permission: v.Value) -> bool:
    """A Lambda permission for anyone with no source account/ARN/organization to narrow it."""
    if not isinstance(permission, v.Obj) or permission.open:
        return False
    narrowing = ("sourceArn", "sourceAccount", "principalOrgId")
    return (iam.principal_kind(permission.get("principal")) == "any"
            and all(permission.get(k) is None for k in narrowing))
