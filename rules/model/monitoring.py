"""Which resources are watched by CloudWatch alarms, and which stacks do any alarming at all.

"Monitored" is judged per deployment unit, a *root*: the stack class a resource is created
in (a construct class counts for every stack that instantiates it), or the file for
top-level code (`const stack = new Stack(app, ...)`). A root is watched when

- an alarm is created in it: `new cloudwatch.Alarm(...)`, `metric.createAlarm(...)`,
  a composite or L1 alarm;
- a metric of one of its resources is taken anywhere (`fn.metricErrors()`,
  `alb.metrics.httpCodeElb(...)`), which feeds an alarm, a dashboard or an alarm helper;
- an alarm elsewhere refers to one of its resources: `new cloudwatch.Metric({ dimensionsMap:
  { AutoScalingGroupName: asg.autoScalingGroupName } })`, a target group whose targets are
  the resource, or a monitoring stack/construct that receives the resource in its props
  (`new AlertsStack(app, 'Alerts', { database: data.db })` with alarms on `props.database`);
- a third-party monitoring construct (cdk-monitoring-constructs, Watchful...) is created in it;
- it calls a helper that creates alarms in the scope it is given
  (`alarmOn(this, fn)` with `function alarmOn(scope: Construct, fn: IFunction) {...}`).

A resource handed to code that cannot be read (a third-party construct, a class from a file
outside the project) may be monitored there, and a resource created for a caller's scope
(`function make(scope) { new Function(scope, ...) }`) belongs to a stack that cannot be
known: for both the answer is None.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.library import base_fqns, is_known_fqn
from rules.model.placement import enclosing_function
from rules.parsing import text

if TYPE_CHECKING:
    from rules.model.classes import ClassDecl
    from rules.model.constructs import Construct
    from rules.model.project import Project
    from rules.model.source import SourceFile
    from rules.parsing import Node

# Compute and data kinds that should have alarms, with how messages name them.
WATCHED_KINDS = {
    "aws_lambda.Function": "Lambda function",
    "aws_lambda.SingletonFunction": "Lambda function",
    "aws_autoscaling.AutoScalingGroup": "Auto Scaling group",
    "aws_ec2.Instance": "EC2 instance",
    "aws_ecs.BaseService": "ECS service",
    "aws_ecs_patterns.ApplicationLoadBalancedServiceBase": "ECS service",
    "aws_ecs_patterns.NetworkLoadBalancedServiceBase": "ECS service",
    "aws_rds.DatabaseInstanceBase": "RDS instance",
    "aws_rds.DatabaseClusterBase": "RDS cluster",
    "aws_rds.ServerlessCluster": "Aurora Serverless cluster",
    "aws_dynamodb.Table": "DynamoDB table",
    "aws_dynamodb.TableV2": "DynamoDB table",
    "aws_elasticloadbalancingv2.ApplicationLoadBalancer": "Application Load Balancer",
    "aws_apigateway.RestApiBase": "API Gateway REST API",
    "aws_elasticache.CfnReplicationGroup": "ElastiCache replication group",
    "aws_elasticache.CfnCacheCluster": "ElastiCache cluster",
    "aws_elasticache.CfnServerlessCache": "ElastiCache serverless cache",
}
_ALARM_BASES = frozenset({"aws_cloudwatch.AlarmBase", "aws_cloudwatch.CfnAlarm", "aws_cloudwatch.CfnCompositeAlarm"})
# Third-party constructs that create alarms themselves (cdk-monitoring-constructs'
# MonitoringFacade, cdk-watchful's Watchful, Datadog/New Relic integrations...).
_MONITORING_NAME = re.compile(r"monitor|alarm|watchful|datadog|newrelic", re.I)
_MAX_DEPTH = 12

@cache
def watched_kind(fqn: str | None) -> str | None:
    """'Lambda function' for `aws_lambda.Function` and its subclasses; None for other kinds."""
    if fqn is None:
        return None
    for family in (fqn, *base_fqns(fqn)):
        if family in WATCHED_KINDS:
            return WATCHED_KINDS[family]
    return None


def is_watched(construct: "Construct", project: "Project") -> bool | None:
    """True when the resource's stack alarms (see the module doc); None when it cannot be known."""
    return _coverage(project).is_watched(construct)


def _coverage(project: "Project") -> "AlarmCoverage":
    return project.memo(AlarmCoverage)


class AlarmCoverage:
    """One pass over a project's alarms, metrics and opaque constructs."""

    def __init__(self, project: "Project"):
        self._instances: dict[tuple[str, int], list[Construct]] = {}
        self._helpers: set[str] = set()           # functions that create alarms in a caller's scope
        self.watched_roots: set = set()
        self.escaped: set[int] = set()            # id() of constructs handed to opaque code
        for f in project.analysed:
            for c in f.constructs:
                if c.local_class is not None and c.local_class.decl_file is not None:
                    key = (c.local_class.decl_file.abspath, c.local_class.decl.start_byte)
                    self._instances.setdefault(key, []).append(c)
        for f in project.analysed:
            self._scan(f)
        if self._helpers:
            for f in project.analysed:
                self._watch_helper_callers(f)

    # -- questions ---------------------------------------------------------------------
    def is_watched(self, construct: "Construct") -> bool | None:
        if id(construct) in self.escaped:
            return None
        roots = self.roots(construct)
        if roots is None:
            return None
        return bool(roots & self.watched_roots)

    def roots(self, construct: "Construct") -> frozenset | None:
        scope = construct.file.eval(construct.arg_nodes[0]) if construct.arg_nodes else None
        return self._roots_at(construct.file, construct.node, scope)

    # -- building ----------------------------------------------------------------------
    def _scan(self, f: "SourceFile") -> None:
        for c in f.constructs:
            if _is_alarm(c.fqn):
                self._watch_site(f, c.node, self.roots(c))
                self._watch_referenced(c.props, c.owner)
            elif _is_opaque(c):
                self._escape(c.props)
                if _MONITORING_NAME.search(c.name):
                    self._watch(self.roots(c))
        for call in f.method_calls:
            if call.name == "createAlarm":
                self._watch_site(f, call.node, self._roots_at(f, call.node, call.args[0] if call.args else None))
                self._watch_referenced(call.receiver, f.class_containing(call.node))
            elif call.construct is not None and (call.name.startswith("metric") or "metrics" in call.path):
                self._watch(self.roots(call.construct))
                self._watch(self._roots_at(f, call.node, None))
            elif call.construct is not None and _is_opaque(call.construct):
                for arg in call.args:
                    self._escape(arg)

    def _watch(self, roots: frozenset | None) -> None:
        if roots:
            self.watched_roots |= roots

    def _watch_site(self, f: "SourceFile", node: "Node", roots: frozenset | None) -> None:
        """An alarm: its stack is watched; made for a caller's scope, its helper's callers are."""
        if roots is None:
            name = _helper_name(node)
            if name is not None:
                self._helpers.add(name)
        self._watch(roots)

    def _watch_helper_callers(self, f: "SourceFile") -> None:
        """`alarmOn(this, fn)` where `alarmOn(scope, ...)` creates alarms: the caller's stack alarms."""
        for call in f.nodes("call_expression"):
            callee = call.child_by_field_name("function")
            if callee is not None and callee.type == "member_expression":
                callee = callee.child_by_field_name("property")
            if callee is not None and text(callee) in self._helpers:
                self._watch(self._roots_at(f, call, None))

    def _escape(self, value: v.Value | None) -> None:
        for construct in self._constructs_in(value, None, 0):
            self.escaped.add(id(construct))

    def _watch_referenced(self, value: v.Value | None, owner: "ClassDecl | None") -> None:
        for construct in self._constructs_in(value, owner, 0):
            self._watch(self.roots(construct))

    def _constructs_in(self, value: v.Value | None, owner: "ClassDecl | None", depth: int) -> Iterator["Construct"]:
        """Constructs a value refers to: directly, through a stack's fields (`data.table`), and
        through the props a class receives (`props.table`) at each place it is instantiated."""
        if value is None or depth > _MAX_DEPTH:
            return
        if isinstance(value, v.ConstructRef):
            yield value.construct
        elif isinstance(value, v.Param):
            yield from self._passed_in(value, None, owner, depth)
        elif isinstance(value, v.Attr):
            base = value.base
            if isinstance(base, v.ConstructRef):
                yield from self._fields(base.construct, value.name)
            if isinstance(base, v.Param):
                yield from self._passed_in(base, value.name, owner, depth)
            else:
                yield from self._constructs_in(base, owner, depth + 1)
        else:
            for part in _parts(value):
                yield from self._constructs_in(part, owner, depth + 1)

    def _passed_in(self, param: v.Param, key: str | None, owner: "ClassDecl | None",
                   depth: int) -> Iterator["Construct"]:
        """What the instantiations of `owner` pass for its constructor parameter (or its `key`)."""
        if owner is None or not _is_constructor_param(param, owner):
            return
        for instance in self._instances.get((owner.file.abspath, owner.node.start_byte), ()):
            if len(instance.arg_nodes) <= param.index:
                continue
            arg = instance.file.eval(instance.arg_nodes[param.index])
            if key is not None and isinstance(arg, v.Obj):
                arg = arg.get(key)
            yield from self._constructs_in(arg, instance.owner, depth + 1)

    def _fields(self, construct: "Construct", name: str) -> list["Construct"]:
        """The constructs a local class instance keeps in `this.<name>` (`data.table`)."""
        local = construct.local_class
        if local is None or local.decl_file is None:
            return []
        decl = local.decl_file.class_decl(local.decl)
        return [c for c in local.decl_file.constructs if c.owner is decl and c.binding == f"this.{name}"]

    def _roots_at(self, file: "SourceFile", node: "Node", scope: v.Value | None,
                  seen: frozenset = frozenset()) -> frozenset | None:
        """The roots of code at `node` that creates things in `scope`."""
        if isinstance(scope, v.Param):
            return None              # created for a caller's scope: which stack is unknown
        owner = file.class_containing(node)
        return frozenset({file}) if owner is None else self._class_roots(owner, seen)

    def _class_roots(self, cls: "ClassDecl", seen: frozenset) -> frozenset | None:
        if cls.kind in ("stack", "stage"):
            return frozenset({cls})
        key = (cls.file.abspath, cls.node.start_byte)
        instances = self._instances.get(key)
        if not instances or key in seen:
            return None              # a construct class nobody here instantiates
        roots: set = set()
        for instance in instances:
            scope = instance.file.eval(instance.arg_nodes[0]) if instance.arg_nodes else None
            found = self._roots_at(instance.file, instance.node, scope, seen | {key})
            if found is None:
                return None
            roots |= found
        return frozenset(roots)


def _helper_name(node: "Node") -> str | None:
    """The nearest named function around `node` (`function alarmOn(...)`, `const alarmOn = (...) =>`)."""
    fn = enclosing_function(node)
    while fn is not None:
        name = fn.child_by_field_name("name")
        if name is None and fn.parent is not None and fn.parent.type == "variable_declarator":
            name = fn.parent.child_by_field_name("name")
        if name is not None:
            return text(name)
        fn = enclosing_function(fn)
    return None


def _is_alarm(fqn: str | None) -> bool:
    return fqn is not None and bool(_ALARM_BASES & {fqn, *base_fqns(fqn)})


def _is_opaque(construct: "Construct") -> bool:
    """A construct whose code cannot be read: third-party, or a class from outside the project."""
    if construct.fqn is not None:
        return not is_known_fqn(construct.fqn)
    local = construct.local_class
    return local is None or local.decl_file is None


def _is_constructor_param(param: v.Param, owner: "ClassDecl") -> bool:
    ctor = owner.constructor
    if ctor is None or param.node is None or param.file is not owner.file:
        return False
    params = ctor.child_by_field_name("parameters")
    return params is not None and params.start_byte <= param.node.start_byte < params.end_byte


def _parts(value: v.Value) -> Iterable[v.Value | None]:
    if isinstance(value, v.Call):
        return [value.callee, *value.args]
    if isinstance(value, v.New):
        return value.args
    if isinstance(value, v.Obj):
        return value.entries.values()
    if isinstance(value, v.Arr):
        return value.items
    if isinstance(value, v.Cond):
        return [value.then, value.otherwise]
    if isinstance(value, v.Template):
        return value.parts
    return ()
