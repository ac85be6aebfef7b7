"""AWS service families and architectural layers of constructs, to judge and split big stacks.

A service family is the aws-cdk-lib module of a construct with its helper modules folded in
(`aws_lambda_nodejs` -> lambda, `aws_ecs_patterns` -> ecs). Cross-cutting modules (IAM, KMS,
logs, metrics, event targets...) serve every layer, so they form no family of their own.
"""
from __future__ import annotations

from rules.model.imports import V1_PREFIX

CROSS_CUTTING = frozenset({
    "", "aws_iam", "aws_kms", "aws_logs", "aws_logs_destinations", "aws_cloudwatch",
    "aws_cloudwatch_actions", "aws_ssm", "aws_secretsmanager", "custom_resources", "triggers",
    "aws_lambda_event_sources", "aws_lambda_destinations", "aws_events_targets",
    "aws_scheduler_targets", "aws_sns_subscriptions", "aws_s3_notifications",
    "aws_route53_targets", "aws_elasticloadbalancingv2_targets", "aws_elasticloadbalancingv2_actions",
    "aws_autoscaling_hooktargets", "aws_globalaccelerator_endpoints", "aws_s3_assets",
    "aws_ecr_assets", "assets", "aws_codepipeline_actions", "aws_stepfunctions_tasks",
    "aws_apigatewayv2_integrations", "aws_apigatewayv2_authorizers", "aws_cloudfront_origins",
})

_FAMILY_OF_MODULE = {
    "aws_lambda_nodejs": "lambda", "aws_lambda_python": "lambda", "aws_lambda_go": "lambda",
    "aws_ecs_patterns": "ecs", "aws_eks_v2": "eks", "aws_s3_deployment": "s3",
    "aws_apigatewayv2": "apigateway", "aws_elasticloadbalancingv2": "elbv2",
    "aws_elasticloadbalancing": "elb", "aws_certificatemanager": "acm", "aws_opensearchservice": "opensearch",
    "aws_cognito_identitypool": "cognito", "aws_kinesisfirehose": "firehose",
    "aws_route53_patterns": "route53",
}

_LAYER_OF_FAMILY = {
    "network": ("ec2", "route53", "route53resolver", "servicediscovery", "networkfirewall",
                "globalaccelerator", "directconnect", "vpclattice", "networkmanager"),
    "edge": ("apigateway", "appsync", "cloudfront", "elbv2", "elb", "acm", "wafv2", "waf", "amplify"),
    "compute": ("lambda", "ecs", "eks", "autoscaling", "batch", "apprunner", "elasticbeanstalk",
                "stepfunctions", "ecr", "imagebuilder"),
    "data": ("s3", "dynamodb", "rds", "docdb", "neptune", "elasticache", "memorydb", "efs", "fsx",
             "opensearch", "redshift", "backup", "timestream", "dax", "s3tables", "qldb"),
    "messaging": ("sqs", "sns", "events", "kinesis", "firehose", "msk", "amazonmq", "pipes", "scheduler",
                  "ses"),
    "identity": ("cognito", "verifiedpermissions"),
    "pipeline": ("codepipeline", "codebuild", "codecommit", "codedeploy", "codeartifact"),
    "analytics": ("glue", "athena", "emr", "emrserverless", "mwaa", "lakeformation", "quicksight",
                  "kinesisanalyticsv2", "osis"),
    "ml": ("sagemaker", "bedrock", "bedrockagentcore"),
}
LAYER_OF = {family: layer for layer, families in _LAYER_OF_FAMILY.items() for family in families}
LAYER_ORDER = tuple(_LAYER_OF_FAMILY)

# aws_ec2 spans layers: instances compute, volumes data, the rest is network.
_EC2_COMPUTE = ("Instance", "BastionHostLinux", "LaunchTemplate", "CfnInstance", "CfnLaunchTemplate",
                "CfnSpotFleet", "CfnEC2Fleet")
_EC2_DATA = ("Volume", "CfnVolume")
# Security groups belong with what they guard (a web tier has its own), not to a network layer.
_EC2_GUARDS = ("SecurityGroup", "CfnSecurityGroup", "CfnSecurityGroupIngress", "CfnSecurityGroupEgress")


def module_of(fqn: str) -> str:
    """'aws_ec2' for 'aws_ec2.Vpc', '' for core, 'aws_lambda_python' for the alpha package."""
    head = fqn.split(".", 1)[0] if "." in fqn else ""
    if head.startswith(V1_PREFIX):
        head = head[len(V1_PREFIX):].removesuffix("-alpha").replace("-", "_")
    return head


def service_family(fqn: str | None) -> str | None:
    """'lambda' for 'aws_lambda_nodejs.NodejsFunction'; None for cross-cutting or non-AWS classes."""
    if not fqn:
        return None
    module = module_of(fqn)
    if module in CROSS_CUTTING or not module.startswith("aws_"):
        return None
    return _FAMILY_OF_MODULE.get(module, module.removeprefix("aws_"))


def layer_of(fqn: str) -> str | None:
    """The architectural layer a construct belongs to ('network', 'data'...); its family when
    no layer is known; None for cross-cutting classes."""
    family = service_family(fqn)
    if family is None:
        return None
    if family == "ec2":
        name = fqn.rpartition(".")[2]
        if name in _EC2_COMPUTE:
            return "compute"
        if name in _EC2_DATA:
            return "data"
        if name in _EC2_GUARDS:
            return None
    return LAYER_OF.get(family, family)


def stack_name(layer: str) -> str:
    """'DataStack' for 'data'."""
    return "".join(part.capitalize() for part in layer.split("_")) + "Stack"
