"""Security-group ingress however it is written: L2 ports (incl. `Port.SSH`-style constants)
and the L1 `CfnSecurityGroup` / `CfnSecurityGroupIngress` rule objects."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from rules.model import values as v
from rules.model.cdk import ANY_IPV4, ANY_IPV6, ALL_PORTS, PortRange

if TYPE_CHECKING:
    from rules.model.source import SourceFile
    from rules.parsing import Node

# CloudFormation IpProtocol values: names or IANA numbers; -1 is every protocol.
_PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "-1": "all", "all": "all"}


@dataclass(frozen=True)
class CfnIngress:
    """One L1 ingress rule: `{ ipProtocol, fromPort, toPort, cidrIp | cidrIpv6 }`."""
    node: "Node"                    # where to point: the rule object, or its construct
    peer: str | None                # '0.0.0.0/0' / '::/0' when open to the internet, else None
    ports: PortRange | None         # None for ICMP or when it cannot be known


def cfn_ingress_rules(f: "SourceFile") -> Iterator[CfnIngress]:
    """Ingress rules of `CfnSecurityGroup.securityGroupIngress` and `CfnSecurityGroupIngress`."""
    for c in f.constructs:
        if c.fqn == "aws_ec2.CfnSecurityGroupIngress" and isinstance(c.props, v.Obj):
            yield _cfn_rule(c.props, c.node)
        elif c.fqn == "aws_ec2.CfnSecurityGroup":
            entries = c.prop("securityGroupIngress")
            for branch in v.branches(entries):
                for item in branch.items if isinstance(branch, v.Arr) else ():
                    if isinstance(item, v.Obj):
                        here = item.file is f and item.node is not None
                        yield _cfn_rule(item, item.node if here else c.prop_node("securityGroupIngress"))


def _cfn_rule(rule: v.Obj, node: "Node") -> CfnIngress:
    return CfnIngress(node, _cfn_peer(rule), _cfn_ports(rule))


def _cfn_peer(rule: v.Obj) -> str | None:
    for key, anywhere in (("cidrIp", ANY_IPV4), ("cidrIpv6", ANY_IPV6)):
        cidr = v.literal(rule.get(key))
        if isinstance(cidr, str) and cidr.replace(" ", "") in (ANY_IPV4, ANY_IPV6, "::0/0"):
            return anywhere
    return None


def _cfn_ports(rule: v.Obj) -> PortRange | None:
    protocol = _PROTOCOLS.get(str(v.literal(rule.get("ipProtocol"), "")).lower())
    if protocol == "all":
        return PortRange(*ALL_PORTS, "all")
    if protocol is None:
        return None             # ICMP, another protocol, or unknown
    low, high = v.literal(rule.get("fromPort")), v.literal(rule.get("toPort"))
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in (low, high)):
        return None
    if low == -1 or (low <= 0 and high >= 65535):
        return PortRange(*ALL_PORTS, protocol)
    return PortRange(low, high, protocol)
