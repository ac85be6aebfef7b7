"""architecture / single-point-of-failure."""
from __future__ import annotations

from rules.model.autoscaling import ASG_FQN, capacity
from rules.registry import Hit, rule


@rule(
    id="ARC-SPOF-001",
    name="single-instance-auto-scaling-group",
    subcategory="single-point-of-failure",
    severity="warning",
    message="Auto Scaling group can never run more than one instance (maxCapacity {high})",
    remediation="Run at least two instances across Availability Zones: `minCapacity: 2, maxCapacity: 4`",
    references=("https://docs.aws.amazon.com/autoscaling/ec2/userguide/auto-scaling-benefits.html",),
    production_aware=True,
)
def single_instance_auto_scaling_group(f, ctx):
    """
    ## What it does
    Finds `autoscaling.AutoScalingGroup`s whose maximum capacity is 1, written out or
    by default (no `minCapacity`/`maxCapacity` means one instance). Stacks whose name
    marks them as non-production (dev, test, sandbox...) are skipped; in
    `isProd ? 2 : 1` the production branch is judged.

    ## Why is this bad?
    One instance in one Availability Zone: an instance failure or an AZ outage takes
    the service down until a replacement boots, and deployments cause downtime.

    ## Example
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build(vpc: ec2.IVpc) {
        new autoscaling.AutoScalingGroup(this, 'Api', { // <-- ARC-SPOF-001
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build(vpc: ec2.IVpc) {
        const asg = new autoscaling.AutoScalingGroup(this, 'Api', {
          vpc,
          instanceType: new ec2.InstanceType('m6i.large'),
          machineImage: ec2.MachineImage.latestAmazonLinux2023(),
          minCapacity: 2,
          maxCapacity: 6,
        });
        asg.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
      }
    }
    ```
    """
    for asg in f.constructs:
        if asg.fqn != ASG_FQN or ctx.is_production(asg) is False:
            continue
        low, high = capacity(asg, ctx)
        if high == 1:
            node = asg.prop_node("maxCapacity")
            yield Hit(node, {"high": high})
