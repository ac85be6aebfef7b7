"""operational-excellence / cost-optimization."""
from __future__ import annotations

from rules.model import values as v
from rules.model.autoscaling import ASG_FQN, capacity, has_scaling_policy
from rules.registry import Hit, rule


@rule(
    id="OPS-COST-001",
    name="asg-without-scaling-policy",
    subcategory="cost-optimization",
    severity="warning",
    message="Auto Scaling group {name} ({low}..{high} instances) has no scaling policy",
    remediation="Add a policy, e.g. `{target}.scaleOnCpuUtilization('CpuScaling', {{ targetUtilizationPercent: 60 }})`",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_autoscaling.AutoScalingGroup.html",),
)
def asg_without_scaling_policy(f, ctx):
    """
    ## What it does
    Finds `autoscaling.AutoScalingGroup`s whose capacity may vary (max above min) but
    that get no scaling policy: no `scaleOnCpuUtilization`, `scaleOnRequestCount`,
    `scaleOnIncomingBytes`, `scaleOnOutgoingBytes`, `scaleOnMetric`, `scaleOnSchedule`,
    `scaleToTrackMetric` call and no scaling-policy construct aimed at it in the stack.

    ## Why is this bad?
    Without a policy the group stays at its desired (or minimum) capacity forever: it
    pays for idle instances at night and falls over at peak. The range given to it
    is never used.

    ## Example
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class WebStack extends Stack {
      build(vpc: ec2.IVpc) {
        new autoscaling.AutoScalingGroup(this, 'Web', { // <-- OPS-COST-001
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
          minCapacity: 2,
          maxCapacity: 10,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class WebStack extends Stack {
      build(vpc: ec2.IVpc) {
        const asg = new autoscaling.AutoScalingGroup(this, 'Web', {
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
          minCapacity: 2,
          maxCapacity: 10,
        });
        asg.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
      }
    }
    ```

    ## Known problems
    A group handed to code the analyser cannot follow (another module's function)
    may get its policy there; such groups are not reported.
    """
    for asg in f.constructs:
        if asg.fqn != ASG_FQN:
            continue
        low, high = capacity(asg, ctx)
        if low is None or high is None or high <= low:
            continue          # unknown or fixed-size: nothing to scale
        if has_scaling_policy(asg, ctx.project) is not False:
            continue
        yield Hit(asg.node, {"name": _label(asg), "low": low, "high": high,
                             "target": asg.binding.removeprefix("this.") if asg.binding else "asg"})


def _label(construct) -> str:
    ident = v.literal(construct.id)
    return f"'{ident}'" if isinstance(ident, str) else construct.name
