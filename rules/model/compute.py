"""What role compute plays: bastion hosts, functions that serve API requests."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.context import words

if TYPE_CHECKING:
    from rules.model.constructs import Construct
    from rules.model.source import SourceFile

INSTANCE_FQN = "aws_ec2.Instance"
_BASTION_WORDS = frozenset({"bastion", "jump", "jumpbox", "jumphost"})
# Constructs and integration objects that put a Lambda function behind an HTTP endpoint.
_API_CONSTRUCT_HANDLER_PROPS = {"aws_apigateway.LambdaRestApi": "handler"}
_API_INTEGRATIONS = frozenset({
    "aws_apigateway.LambdaIntegration",
    "aws_apigatewayv2_integrations.HttpLambdaIntegration",
    "aws_apigatewayv2_integrations.WebSocketLambdaIntegration",
    "aws_elasticloadbalancingv2_targets.LambdaTarget",
})
_FUNCTION_TYPE = "aws_lambda.IFunction"


def is_bastion(construct: "Construct") -> bool:
    """An admin/jump host by its id or variable name (`Bastion`, `jumpHost`)."""
    names = [construct.binding.removeprefix("this.")] if construct.binding else []
    ident = v.literal(construct.id)
    if isinstance(ident, str):
        names.append(ident)
    return any(_BASTION_WORDS & {w.lower() for w in words(n)} for n in names)


def functions_behind_apis(f: "SourceFile") -> dict["Construct", str]:
    """Lambda functions this file wires to an API Gateway API or a load balancer, each with
    the class that fronts it (`LambdaRestApi`, `HttpLambdaIntegration`...)."""
    wired: dict[Construct, str] = {}
    for c in f.constructs:
        prop = _API_CONSTRUCT_HANDLER_PROPS.get(c.fqn or "")
        if prop is not None:
            _add(wired, c.prop(prop), c.name)
    for node in f.nodes("new_expression"):
        if f.construct_at(node) is not None:
            continue
        value = f.eval(node)
        if isinstance(value, v.New) and value.fqn in _API_INTEGRATIONS:
            index = _handler_index(value.fqn)
            if index is not None and index < len(value.args):
                _add(wired, value.args[index], value.fqn.rsplit(".", 1)[-1])
    return wired


def _add(wired: dict["Construct", str], value: v.Value | None, front: str) -> None:
    if isinstance(value, v.ConstructRef):
        wired.setdefault(value.construct, front)


@cache
def _handler_index(fqn: str) -> int | None:
    """Which constructor argument takes the function (`HttpLambdaIntegration(id, handler)`)."""
    from rules.knowledge import knowledge
    info = knowledge().cls(fqn)
    params = info.init_params if info else None
    return next((i for i, p in enumerate(params or ()) if p.type == _FUNCTION_TYPE), None)
