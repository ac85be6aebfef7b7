"""Props aws-cdk-lib requires at construction time although its types mark them optional.

jsii can only say "required" or "optional"; these constructs throw in their constructor
when a combination of optional props is missing. Each entry quotes the error the
constructor throws, read in aws-cdk-lib 2.276.0's compiled source (`source`, the .ts file
whose compiled .js holds the check).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    struct: str                    # the props (or options) struct the check applies to
    any_of: tuple[str, ...]        # at least one of these must be set ...
    unless: tuple[str, ...]        # ... unless one of these is set
    error: str                     # the message the constructor throws, verbatim
    source: str                    # aws-cdk-lib file

    def missing(self, present: set[str]) -> bool:
        return not (present & set(self.any_of)) and not (present & set(self.unless))


_ASG_INSTANCE_SOURCES = ("launchTemplate", "mixedInstancesPolicy")

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("aws_autoscaling.AutoScalingGroupProps", ("instanceType",), _ASG_INSTANCE_SOURCES,
                "Setting 'instanceType' is required when 'launchTemplate' and 'mixedInstancesPolicy' is not set",
                "aws-autoscaling/lib/auto-scaling-group.ts"),
    Requirement("aws_autoscaling.AutoScalingGroupProps", ("machineImage",), _ASG_INSTANCE_SOURCES,
                "Setting 'machineImage' is required when 'launchTemplate' and 'mixedInstancesPolicy' is not set",
                "aws-autoscaling/lib/auto-scaling-group.ts"),
    Requirement("aws_dynamodb.TableProps", ("partitionKey",), (),
                "partitionKey is required for Table", "aws-dynamodb/lib/table.ts"),
    # Skipped for Aurora Limitless clusters, which have no instances.
    Requirement("aws_rds.DatabaseClusterProps", ("writer", "instanceProps"),
                ("clusterScalabilityType", "clusterScailabilityType"),
                "writer must be provided", "aws-rds/lib/cluster.ts"),
    Requirement("aws_secretsmanager.RotationScheduleProps", ("rotationLambda", "hostedRotation"), (),
                "One of `rotationLambda` or `hostedRotation` must be specified.",
                "aws-secretsmanager/lib/rotation-schedule.ts"),
    Requirement("aws_secretsmanager.RotationScheduleOptions", ("rotationLambda", "hostedRotation"), (),
                "One of `rotationLambda` or `hostedRotation` must be specified.",
                "aws-secretsmanager/lib/rotation-schedule.ts"),
)


def requirements_for(struct_fqn: str) -> list[Requirement]:
    return [r for r in REQUIREMENTS if r.struct == struct_fqn]
