"""Auto Scaling group questions shared by the sizing, availability and cost rules."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import values as v

if TYPE_CHECKING:
    from rules.model.constructs import Construct
    from rules.model.project import Project

ASG_FQN = "aws_autoscaling.AutoScalingGroup"
SCALING_METHODS = frozenset({
    "scaleOnCpuUtilization", "scaleOnRequestCount", "scaleOnIncomingBytes", "scaleOnOutgoingBytes",
    "scaleOnMetric", "scaleOnSchedule", "scaleToTrackMetric",
})
SCALING_POLICY_FQNS = frozenset({
    "aws_autoscaling.TargetTrackingScalingPolicy", "aws_autoscaling.StepScalingPolicy",
    "aws_autoscaling.ScheduledAction", "aws_autoscaling.CfnScalingPolicy",
    "aws_autoscaling.CfnScheduledAction",
})


def _int(value: v.Value | None) -> int | None | str:
    """An integer, None when absent, 'unknown' when it cannot be known."""
    if value is None:
        return None
    lit = v.literal(value, default="unknown")
    if isinstance(lit, bool) or (lit is not None and not isinstance(lit, int)):
        return "unknown"
    return lit


def capacity(asg: "Construct", ctx) -> tuple[int | None, int | None]:
    """(min, max) instances, defaults applied (min 1, max = max(min, 1)); None when unknown."""
    if not asg.props_known and not isinstance(asg.props, v.Obj):
        return None, None
    low = _int(ctx.production_branch(asg.prop("minCapacity")))
    high = _int(ctx.production_branch(asg.prop("maxCapacity")))
    if low == "unknown" or high == "unknown":
        return None, None
    low = 1 if low is None else low
    high = max(low, 1) if high is None else high
    return low, high


def has_scaling_policy(asg: "Construct", project: "Project") -> bool | None:
    """True/False, or None when the group escapes to code we cannot follow."""
    if any(call.name in SCALING_METHODS for call in asg.calls):
        return True
    for other in project.constructs(*SCALING_POLICY_FQNS):
        target = other.prop("autoScalingGroup") or other.prop("autoScalingGroupName")
        if isinstance(target, v.ConstructRef) and target.construct is asg:
            return True
        if target is not None and not target.known:
            return None
    return False
