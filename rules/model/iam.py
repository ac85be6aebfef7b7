"""IAM policies as the model sees them: statements (L2 and JSON), principals, managed policies.

A statement is gathered from wherever it is written: `new iam.PolicyStatement({...})` and the
`addActions` / `addResources` / `addCondition`... calls made on it, `PolicyStatement.fromJson`,
`PolicyDocument.fromJson` and the JSON `policyDocument` of L1 (`Cfn*`) resources. Every list
keeps the strings it can know and `None` for items it cannot, so rules stay silent on Unknown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.aws_catalogs import policy_name_in_arn
from rules.parsing import Node

if TYPE_CHECKING:
    from rules.model.constructs import Construct, MethodCall
    from rules.model.source import SourceFile

STATEMENT_FQN = "aws_iam.PolicyStatement"
MANAGED_POLICY_FQN = "aws_iam.ManagedPolicy"
_PLACEHOLDER = "${}"          # an unknown part of a template string

# Methods that attach a statement to an identity (role, user, group, function...).
IDENTITY_ATTACH = frozenset({"addToPolicy", "addToPrincipalPolicy", "addToRolePolicy"})
# Where `addToPolicy` means a VPC endpoint policy, in which `*` principals are the norm.
_ENDPOINT_FQNS = frozenset({"aws_ec2.GatewayVpcEndpoint", "aws_ec2.InterfaceVpcEndpoint",
                            "aws_ec2.CfnVPCEndpoint"})
# L1 props holding a policy document; `policies` holds [{policyName, policyDocument}].
_CFN_DOCUMENT_PROPS = ("policyDocument", "keyPolicy", "assumeRolePolicyDocument")


@dataclass(eq=False)
class Field:
    """One list of a statement (actions, resources...): each item's string (None when it cannot
    be known) with the node where it is written (the `key: value` pair or the `add*` call)."""
    entries: list[tuple[str | None, Node]] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return bool(self.entries)

    @property
    def known(self) -> list[str]:
        return [s for s, _ in self.entries if s is not None]

    @property
    def complete(self) -> bool:
        return all(s is not None for s, _ in self.entries)

    def node_of(self, wanted) -> Node | None:
        """Where the first item satisfying `wanted` is written."""
        return next((node for s, node in self.entries if s is not None and wanted(s)), None)

    def add(self, value: v.Value | None, node: Node, render) -> None:
        for item in _flatten(value):
            self.entries.append((render(item), node))


@dataclass(eq=False)
class Statement:
    file: "SourceFile"
    node: Node                      # `new iam.PolicyStatement(` or the JSON statement object
    effect: str | None = "Allow"    # 'Allow', 'Deny', None when unknown
    actions: Field = field(default_factory=Field)
    not_actions: Field = field(default_factory=Field)
    resources: Field = field(default_factory=Field)
    not_resources: Field = field(default_factory=Field)
    principals: Field = field(default_factory=Field)      # 'any', 'other' or None
    not_principals: bool = False
    condition_keys: set[str] | None = field(default_factory=set)   # None: cannot be known
    in_endpoint: bool = False       # part of an L1 VPC endpoint's policy document
    attached_by: list["MethodCall"] = field(default_factory=list)

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def has_condition(self) -> bool | None:
        return None if self.condition_keys is None else bool(self.condition_keys)

    @property
    def restricting_condition(self) -> bool | None:
        """A condition that narrows who may act (source ARN/account, org, VPC...), not only TLS."""
        if self.condition_keys is None:
            return None
        return bool(self.condition_keys - {"aws:securetransport"})

    @property
    def identity_policy(self) -> bool:
        """No principals: the statement grants rights to whoever it is attached to."""
        return not self.principals.present and not self.not_principals

    @property
    def resource_policy(self) -> bool:
        """Names principals and is not an identity or VPC endpoint policy (where `*` principals
        are the norm: `addToPolicy` on a role cannot take principals, on an endpoint it can)."""
        if self.identity_policy or self.in_endpoint:
            return False
        return not any(c.name in IDENTITY_ATTACH or (c.construct is not None and c.construct.fqn in _ENDPOINT_FQNS)
                       for c in self.attached_by)

    @property
    def grantee(self) -> "Construct | None":
        """The role, user or function the statement is attached to, when known."""
        return next((c.construct for c in self.attached_by
                     if c.name in IDENTITY_ATTACH and c.construct is not None), None)


# -- strings -------------------------------------------------------------------------
def _flatten(value: v.Value | None):
    """Items of a list-or-scalar value; both branches of a conditional."""
    for branch in v.branches(value):
        if isinstance(branch, v.Arr):
            yield from branch.items
            if branch.open:
                yield v.Unknown("spread")
        else:
            yield branch


def _render(value: v.Value) -> str | None:
    """A string with `${}` for the parts that cannot be known; None when nothing is known."""
    if isinstance(value, v.Lit) and isinstance(value.value, str):
        return value.value
    if isinstance(value, v.Template):
        parts = [p.value if isinstance(p, v.Lit) and isinstance(p.value, (str, int)) else _PLACEHOLDER
                 for p in value.parts]
        return "".join(str(p) for p in parts)
    return None


def shown(rendered: str) -> str:
    """A rendered string for a message: the unknown parts of a template as `${…}`."""
    return rendered.replace(_PLACEHOLDER, "${…}")


def _render_action(value: v.Value) -> str | None:
    """An action as a string; None when any part is unknown, except `${service}:*`: all
    actions of whichever service it is (a helper granting `<service>:*` for each caller)."""
    rendered = _render(value)
    if rendered is not None and rendered.endswith(":*") and rendered[:-2] == _PLACEHOLDER:
        return shown(rendered)
    return None if rendered is None or _PLACEHOLDER in rendered else rendered


def principal_kind(value: v.Value | None) -> str | None:
    """'any' for a principal that is everyone, 'other' for a named one, None when unknown."""
    if isinstance(value, v.New) and value.fqn:
        if value.fqn in ("aws_iam.AnyPrincipal", "aws_iam.StarPrincipal"):
            return "any"
        if value.fqn in ("aws_iam.ArnPrincipal", "aws_iam.AccountPrincipal") and value.args:
            arg = v.literal(value.args[0])
            return None if arg is None and not value.args[0].known else ("any" if arg == "*" else "other")
        if value.fqn == "aws_iam.CompositePrincipal":
            kinds = {principal_kind(a) for a in value.args}
            return "any" if "any" in kinds else (None if None in kinds else "other")
        return "other" if value.fqn.startswith("aws_iam.") else None
    if isinstance(value, v.Call) and value.method == "withConditions":
        base = principal_kind(value.callee.base)
        conditions = _condition_keys(value.args[0] if value.args else None)
        if base != "any" or conditions is None:
            return base if conditions is not None else None
        return "other" if conditions - {"aws:securetransport"} else "any"
    if isinstance(value, v.ConstructRef):
        return "other"          # a role, user or account construct
    return None


def _json_principal_kind(value: v.Value) -> str | None:
    if v.literal(value) == "*":
        return "any"
    if isinstance(value, v.Obj):
        if value.open:
            return None
        kinds = {("any" if s == "*" else "other") if s is not None else None
                 for entry in value.entries.values() for s in map(_render, _flatten(entry))}
        return "any" if "any" in kinds else (None if None in kinds else "other")
    return None if not isinstance(value, v.Lit) else "other"


def _condition_keys(value: v.Value | None) -> set[str] | None:
    """Lower-cased condition keys of `{ StringEquals: { 'aws:SourceAccount': ... } }`."""
    if value is None or (isinstance(value, v.Lit) and value.value is None):
        return set()
    if not isinstance(value, v.Obj) or value.open:
        return None
    keys: set[str] = set()
    for operator in value.entries.values():
        if not isinstance(operator, v.Obj) or operator.open:
            return None
        keys |= {k.lower() for k in operator.entries}
    return keys


# -- gathering -----------------------------------------------------------------------
def statements(f: "SourceFile") -> list[Statement]:
    """Every policy statement written in the file (computed once per file)."""
    return f.memo(_statements)


def _statements(f: "SourceFile") -> list[Statement]:
    return [*_l2_statements(f), *_json_statements(f)]


def _l2_statements(f: "SourceFile") -> list[Statement]:
    found: dict[int, Statement] = {}
    for node in f.nodes("new_expression"):
        if f.construct_at(node) is not None:
            continue
        callee = f.eval(node.child_by_field_name("constructor"))
        if not v.is_symbol(callee, STATEMENT_FQN):
            continue
        value = f.eval(node)
        stmt = Statement(f, node)
        props = value.args[0] if isinstance(value, v.New) and value.args else None
        _read_l2_props(stmt, props, node)
        found[id(value)] = stmt
    for call in f.method_calls:
        stmt = found.get(id(call.receiver))
        if stmt is not None:
            _apply_l2_call(stmt, call)
        for arg in call.args:
            target = found.get(id(arg))
            if target is not None:
                target.attached_by.append(call)
    return list(found.values())


def _read_parts(stmt: Statement, source: v.Obj, where, keys: tuple[str, str, str, str]) -> None:
    """Actions, NotActions, Resources, NotResources under the L2 (`actions`) or JSON (`Action`) keys."""
    parts = ((stmt.actions, _render_action), (stmt.not_actions, _render_action),
             (stmt.resources, _render), (stmt.not_resources, _render))
    for key, (part, render) in zip(keys, parts):
        value = source.get(key)
        if value is not None:
            part.add(value, where(key), render)


def _read_l2_props(stmt: Statement, props: v.Value | None, fallback: Node) -> None:
    if props is None:
        return
    if not isinstance(props, v.Obj) or props.open:
        stmt.effect = None      # props the analyser cannot see: judge nothing
        return

    def where(key: str) -> Node:
        return _written_inside(props.key_nodes.get(key), fallback) if props.file is stmt.file else fallback

    effect = props.get("effect")
    if effect is not None:
        stmt.effect = {"aws_iam.Effect.ALLOW": "Allow", "aws_iam.Effect.DENY": "Deny"}.get(
            v.symbol_fqn(effect) or "", None)
    _read_parts(stmt, props, where, ("actions", "notActions", "resources", "notResources"))
    principals = props.get("principals")
    if principals is not None:
        for item in _flatten(principals):
            stmt.principals.entries.append((principal_kind(item), where("principals")))
    stmt.not_principals = props.get("notPrincipals") is not None
    stmt.condition_keys = _condition_keys(props.get("conditions"))


_PRINCIPAL_ADDERS = {"addAnyPrincipal": "any", "addServicePrincipal": "other", "addAccountRootPrincipal": "other",
                     "addAwsAccountPrincipal": "other", "addCanonicalUserPrincipal": "other",
                     "addFederatedPrincipal": "other"}
# Conditions these helpers add always narrow the caller (sts:ExternalId, aws:SourceAccount/Arn).
_CONDITION_ADDERS = {"addAccountCondition": "sts:externalid", "addSourceAccountCondition": "aws:sourceaccount",
                     "addSourceArnCondition": "aws:sourcearn"}


def _apply_l2_call(stmt: Statement, call: "MethodCall") -> None:
    name, args = call.name, call.args
    if name in ("addActions", "addNotActions"):
        part = stmt.actions if name == "addActions" else stmt.not_actions
        for arg in args:
            part.add(arg, call.node, _render_action)
    elif name in ("addResources", "addNotResources"):
        part = stmt.resources if name == "addResources" else stmt.not_resources
        for arg in args:
            part.add(arg, call.node, _render)
    elif name == "addAllResources":
        stmt.resources.entries.append(("*", call.node))
    elif name == "addPrincipals":
        for arg in args:
            stmt.principals.entries.append((principal_kind(arg), call.node))
    elif name == "addArnPrincipal" and args:
        arn = v.literal(args[0])
        stmt.principals.entries.append(("any" if arn == "*" else ("other" if arn or args[0].known else None),
                                        call.node))
    elif name in _PRINCIPAL_ADDERS:
        stmt.principals.entries.append((_PRINCIPAL_ADDERS[name], call.node))
    elif name == "addNotPrincipals":
        stmt.not_principals = True
    elif name in ("addCondition", "addConditions", *_CONDITION_ADDERS):
        _add_condition(stmt, call)


def _add_condition(stmt: Statement, call: "MethodCall") -> None:
    if stmt.condition_keys is None:
        return
    if call.name in _CONDITION_ADDERS:
        stmt.condition_keys.add(_CONDITION_ADDERS[call.name])
        return
    if call.name == "addConditions":
        keys = _condition_keys(call.args[0] if call.args else None)
    else:
        keys = _condition_keys(v.Obj({"_": call.args[1]}) if len(call.args) > 1 else None)
    if keys is None:
        stmt.condition_keys = None
    else:
        stmt.condition_keys |= keys or {"?"}    # a condition whose keys are not visible still narrows


def _json_statements(f: "SourceFile") -> list[Statement]:
    out: list[Statement] = []
    for call in f.method_calls:
        if call.name != "fromJson" or not call.args:
            continue
        if v.is_symbol(call.receiver, STATEMENT_FQN):
            out += _json_statement(f, call.args[0], call.node)
        elif v.is_symbol(call.receiver, "aws_iam.PolicyDocument"):
            out += _json_document(f, call.args[0], call.node)
    for c in f.constructs:
        if not (c.fqn and c.fqn.rsplit(".", 1)[-1].startswith("Cfn")):
            continue
        found: list[Statement] = []
        for key in _CFN_DOCUMENT_PROPS:
            doc = c.prop(key)
            if doc is not None:
                found += _json_document(f, doc, c.prop_node(key))
        for policy in _flatten(c.prop("policies")):
            if isinstance(policy, v.Obj):
                found += _json_document(f, policy.get("policyDocument"), c.prop_node("policies"))
        for stmt in found:
            stmt.in_endpoint = c.fqn in _ENDPOINT_FQNS
        out += found
    return out


def _written_inside(pair: Node | None, statement: Node) -> Node:
    """The `key: value` pair when it is written in the statement itself; the statement when the
    key comes from a spread constant defined elsewhere (the statement is what a reviewer sees)."""
    if pair is not None and statement.start_byte <= pair.start_byte and pair.end_byte <= statement.end_byte:
        return pair
    return statement


def _json_document(f, doc: v.Value | None, fallback: Node) -> list[Statement]:
    if not isinstance(doc, v.Obj):
        return []
    body = doc.get("Statement")
    return [s for item in _flatten(body) for s in _json_statement(f, item, fallback)]


def _json_statement(f, obj: v.Value, fallback: Node) -> list[Statement]:
    if not isinstance(obj, v.Obj):
        return []
    node = obj.node if obj.file is f and obj.node is not None else fallback

    def where(key: str) -> Node:
        return _written_inside(obj.key_nodes.get(key), node) if obj.file is f else node

    stmt = Statement(f, node)
    effect = v.literal(obj.get("Effect"))
    stmt.effect = effect if effect in ("Allow", "Deny") and not obj.open else None
    _read_parts(stmt, obj, where, ("Action", "NotAction", "Resource", "NotResource"))
    principal = obj.get("Principal")
    if principal is not None:
        stmt.principals.entries.append((_json_principal_kind(principal), where("Principal")))
    stmt.not_principals = obj.get("NotPrincipal") is not None
    stmt.condition_keys = _condition_keys(obj.get("Condition"))
    return [stmt]


# -- what actions and resources mean ---------------------------------------------------
def is_any_action(action: str) -> bool:
    return action.strip() == "*"


def is_service_wildcard(action: str) -> bool:
    """`dynamodb:*`: every action of one service."""
    service, _, name = action.partition(":")
    return bool(service) and name.strip() == "*"


def is_any_resource(resource: str) -> bool:
    """`*`, or an ARN whose resource part is only a wildcard: `arn:aws:s3:::*`, `...:table/*`
    (for S3 the part is `bucket/key`, so `arn:aws:s3:::data/*` is one bucket)."""
    resource = resource.strip()
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or _PLACEHOLDER in parts[5]:
        return False
    rest = parts[5]
    if parts[2] == "s3":
        return rest in ("*", "*/*")
    _, sep, ident = rest.partition("/")
    if not sep:
        _, sep, ident = rest.partition(":")
    return (ident if sep else rest) == "*"


# Actions that act on no particular resource (IAM only accepts `*` for them) or only read
# metadata; granting them on `*` is how they are meant to be written.
_RESOURCE_LESS = frozenset({
    "cloudwatch:putmetricdata", "cloudwatch:getmetricdata", "cloudwatch:getmetricstatistics",
    "xray:puttracesegments", "xray:puttelemetryrecords", "xray:getsamplingrules",
    "xray:getsamplingtargets", "xray:getsamplingstatisticsummaries",
    "ecr:getauthorizationtoken", "sts:getcalleridentity", "tag:getresources",
    "ec2:createnetworkinterface", "ec2:deletenetworkinterface",
    "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses",
    "ssmmessages:createcontrolchannel", "ssmmessages:createdatachannel",
    "ssmmessages:opencontrolchannel", "ssmmessages:opendatachannel",
    "secretsmanager:getrandompassword", "kms:generaterandom", "translate:translatetext",
})
_METADATA_VERBS = ("describe", "list", "detect")
# Verbs that only read; used to pick between a read and a read-write grant.
_READ_VERBS = ("get", "list", "describe", "query", "scan", "batchget", "receive", "head", "select")


def fine_on_any_resource(action: str) -> bool:
    lowered = action.strip().lower()
    _, _, name = lowered.partition(":")
    return lowered in _RESOURCE_LESS or name.startswith(_METADATA_VERBS)


def is_read_action(action: str) -> bool:
    _, _, name = action.strip().lower().partition(":")
    return name.startswith(_READ_VERBS) or name.startswith(_METADATA_VERBS)


def is_pass_role(action: str) -> bool:
    lowered = action.strip().lower()
    return lowered in ("iam:passrole", "iam:pass*", "iam:p*")


# -- managed policies ----------------------------------------------------------------
_ADMIN_POLICIES = frozenset({"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"})
_BROAD_POLICIES = frozenset({"SecretsManagerReadWrite", "job-function/SystemAdministrator",
                             "job-function/NetworkAdministrator", "job-function/DatabaseAdministrator"})


def managed_policy_breadth(name: str) -> str | None:
    """'admin' for administrator-like AWS managed policies, 'broad' for a service's full access."""
    if name in _ADMIN_POLICIES or name.startswith("AdministratorAccess-"):
        return "admin"
    if name.endswith("FullAccess") or name in _BROAD_POLICIES:
        return "broad"
    return None


@dataclass(eq=False)
class ManagedPolicyUse:
    name: str
    node: Node                      # the call, or the ARN string of an L1 resource
    value: v.Value


def aws_managed_policies(f: "SourceFile") -> list[ManagedPolicyUse]:
    """Every AWS managed policy named in the file, by name or by ARN."""
    out = []
    for call in f.method_calls:
        if not v.is_symbol(call.receiver, MANAGED_POLICY_FQN):
            continue
        if call.name == "fromAwsManagedPolicyName" and call.args:
            name = _render(call.args[0])
        elif call.name == "fromManagedPolicyArn" and len(call.args) > 2:
            name = _policy_name(call.args[2])
        else:
            continue
        if name is not None and _PLACEHOLDER not in name:
            out.append(ManagedPolicyUse(name, call.node, f.eval(call.node)))
    for c in f.constructs:
        if c.fqn not in ("aws_iam.CfnRole", "aws_iam.CfnUser", "aws_iam.CfnGroup"):
            continue
        for item in _flatten(c.prop("managedPolicyArns")):
            name = _policy_name(item)
            if name is not None and _PLACEHOLDER not in name:
                node = item.node if item.file is f and item.node is not None else c.prop_node("managedPolicyArns")
                out.append(ManagedPolicyUse(name, node, item))
    return out


def _policy_name(arn: v.Value) -> str | None:
    rendered = _render(arn)
    return policy_name_in_arn(rendered) if rendered is not None else None


def managed_policy_grantee(use: ManagedPolicyUse, f: "SourceFile") -> "Construct | None":
    """The role (or user, group) a managed policy is given to, when the file shows it."""
    for c in f.constructs:
        for item in _flatten(c.prop("managedPolicies")):
            if item is use.value:
                return c
    for call in f.method_calls:
        if call.name == "addManagedPolicy" and call.args and call.args[0] is use.value:
            return call.construct
    return None


# -- grants that replace broad rights -------------------------------------------------
@dataclass(frozen=True)
class ServiceGrant:
    fqns: tuple[str, ...]
    noun: str                       # placeholder name when no construct is in sight
    read: str
    write: str


SERVICE_GRANTS = {
    "s3": ServiceGrant(("aws_s3.Bucket",), "bucket", "grantRead", "grantReadWrite"),
    "dynamodb": ServiceGrant(("aws_dynamodb.Table", "aws_dynamodb.TableV2"), "table",
                             "grantReadData", "grantReadWriteData"),
    "sqs": ServiceGrant(("aws_sqs.Queue",), "queue", "grantConsumeMessages", "grantSendMessages"),
    "sns": ServiceGrant(("aws_sns.Topic",), "topic", "grantPublish", "grantPublish"),
    "kinesis": ServiceGrant(("aws_kinesis.Stream",), "stream", "grantRead", "grantReadWrite"),
    "secretsmanager": ServiceGrant(("aws_secretsmanager.Secret",), "secret", "grantRead", "grantWrite"),
    "kms": ServiceGrant(("aws_kms.Key",), "key", "grantDecrypt", "grantEncryptDecrypt"),
    "lambda": ServiceGrant(("aws_lambda.Function",), "fn", "grantInvoke", "grantInvoke"),
    "logs": ServiceGrant(("aws_logs.LogGroup",), "logGroup", "grantRead", "grantWrite"),
    "ssm": ServiceGrant(("aws_ssm.StringParameter",), "parameter", "grantRead", "grantWrite"),
    "ecr": ServiceGrant(("aws_ecr.Repository",), "repository", "grantPull", "grantPullPush"),
    "states": ServiceGrant(("aws_stepfunctions.StateMachine",), "stateMachine", "grantRead",
                           "grantStartExecution"),
}
# The service an AWS managed "full access" policy covers.
MANAGED_POLICY_SERVICE = {
    "AmazonS3FullAccess": "s3", "AmazonDynamoDBFullAccess": "dynamodb", "AmazonDynamoDBFullAccess_v2": "dynamodb",
    "AmazonSQSFullAccess": "sqs", "AmazonSNSFullAccess": "sns", "AmazonKinesisFullAccess": "kinesis",
    "SecretsManagerReadWrite": "secretsmanager", "AWSLambda_FullAccess": "lambda", "AWSLambdaFullAccess": "lambda",
    "CloudWatchLogsFullAccess": "logs", "AmazonSSMFullAccess": "ssm",
    "AmazonEC2ContainerRegistryFullAccess": "ecr", "AWSStepFunctionsFullAccess": "states",
}


def grant_call(service: str | None, write: bool, grantee: "Construct | None", f: "SourceFile") -> str | None:
    """`table.grantReadWriteData(role)`: the grant that replaces a broad right, with the names in
    the file when there is exactly one such resource next to the grantee."""
    grant = SERVICE_GRANTS.get(service or "")
    if grant is None:
        return None
    owner = grantee.owner if grantee is not None else None
    candidates = [c for c in f.constructs if c.fqn in grant.fqns and c.binding
                  and (owner is None or c.owner is owner)]
    resource = candidates[0].binding if len(candidates) == 1 else grant.noun
    who = grantee.binding if grantee is not None and grantee.binding else "role"
    return f"{resource}.{grant.write if write else grant.read}({who})"
