"""security / overly-permissive-security-groups."""
from __future__ import annotations

from rules.model import values as v
from rules.model.cdk import PortRange, peer_anywhere, port_range
from rules.model.ingress import cfn_ingress_rules
from rules.model.library import default_port, port_service
from rules.registry import Hit, rule

WEB_PORTS = frozenset({80, 443})
_LOAD_BALANCERS = frozenset({
    "aws_elasticloadbalancingv2.ApplicationLoadBalancer", "aws_elasticloadbalancingv2.NetworkLoadBalancer",
    "aws_elasticloadbalancing.LoadBalancer",
})


def describe_port(ports: PortRange) -> str:
    if ports.low == ports.high and ports.protocol != "all":
        service = port_service(ports.low)
        return f"{service} port {ports.low}" if service else f"{ports.protocol.upper()} port {ports.low}"
    return ports.describe()


def _target_name(call) -> str:
    """`dbSg` for `dbSg.addIngressRule(...)` or `this.dbSg.connections.allowFrom(...)`."""
    if call.construct is not None and call.construct.binding:
        return call.construct.binding
    source = call.receiver_source.removesuffix(".connections")
    return source if source and "(" not in source and "\n" not in source else "resource"


def _verb(ports: PortRange) -> str:
    return "are" if ports.is_all else "is"      # "all ports are", "SSH port 22 is", "TCP 8000-8100 is"


def _is_web_only(ports: PortRange) -> bool:
    return ports.protocol != "all" and ports.low == ports.high and ports.low in WEB_PORTS


@rule(
    id="SEC-SG-001",
    name="ingress-open-to-the-internet",
    subcategory="overly-permissive-security-groups",
    severity="error",
    message="{what} {verb} open to {peer}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
                "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.Connections.html"),
)
def ingress_open_to_the_internet(f, ctx):
    """
    ## What it does
    Finds security-group ingress from anywhere (`Peer.anyIpv4()`, `Peer.anyIpv6()`,
    `Peer.ipv4('0.0.0.0/0')`, `::/0`) to any port other than 80 and 443, however it is
    written: `addIngressRule`, `connections.allowFrom`, `allowFromAnyIpv4`,
    `allowDefaultPortFromAnyIpv4`, `allowSshAccessFrom`, with the port as a literal, a
    constant, a range, `Port.allTcp()`/`allTraffic()` or a `Port.SSH`-style member; and
    the L1 forms, `CfnSecurityGroup.securityGroupIngress` entries and
    `CfnSecurityGroupIngress`, with `cidrIp: '0.0.0.0/0'` or `cidrIpv6: '::/0'`.
    `allowAllOutbound` (egress) is not reported.

    ## Why is this bad?
    A database, cache or admin port reachable from the whole internet is scanned
    within minutes of deployment; one weak password or unpatched engine and the data
    is gone. Only web listeners (80/443) are meant to face the internet.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    const DB_PORT = 5432;

    export class DbStack extends Stack {
      constructor(scope: Construct, id: string, vpc: ec2.IVpc) {
        super(scope, id);
        const sg = new ec2.SecurityGroup(this, 'DbSg', { vpc });
        sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(DB_PORT), 'postgres'); // <-- SEC-SG-001
        sg.connections.allowFrom(ec2.Peer.ipv4('0.0.0.0/0'), ec2.Port.tcp(22)); // <-- SEC-SG-001
        new ec2.CfnSecurityGroup(this, 'AdminSg', {
          groupDescription: 'admin',
          vpcId: vpc.vpcId,
          securityGroupIngress: [{ ipProtocol: '-1', cidrIp: '0.0.0.0/0' }], // <-- SEC-SG-001
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class DbStack extends Stack {
      constructor(scope: Construct, id: string, vpc: ec2.IVpc, appSg: ec2.ISecurityGroup) {
        super(scope, id);
        const sg = new ec2.SecurityGroup(this, 'DbSg', { vpc });
        sg.addIngressRule(appSg, ec2.Port.tcp(5432), 'postgres from the app tier');
        sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'public HTTPS');
      }
    }
    ```

    ## Known problems
    80/443 from anywhere is accepted on every security group, not only on a load
    balancer's public side: web servers, API gateways behind an NLB and CloudFront
    origins take them directly, so reporting them would mostly be noise. A port or peer
    held in a value the analyser cannot follow is not reported.

    ## References
    - https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
    """
    for call in f.method_calls:
        opened = _opened_by_call(call, ctx)
        if opened is None:
            continue
        peers, open_ranges = opened
        wide = next((ports for ports in open_ranges if not _is_web_only(ports)), None)
        if wide is None:
            continue
        target = _target_name(call)
        port_code = f"ec2.Port.tcp({wide.low})" if wide.low == wide.high else "port"
        yield Hit(call.node, {
            "what": describe_port(wide), "verb": _verb(wide), "peer": " and ".join(sorted(peers)),
            "fix": f"Allow only the peer that needs it, e.g. `{target}.connections"
                   f".allowFrom(appSecurityGroup, {port_code})`, and delete the rule from anywhere"})
    for ingress in cfn_ingress_rules(f):
        if ingress.peer is None or ingress.ports is None or _is_web_only(ingress.ports):
            continue
        key = "cidrIp" if ingress.peer == "0.0.0.0/0" else "cidrIpv6"
        yield Hit(ingress.node, {
            "what": describe_port(ingress.ports), "verb": _verb(ingress.ports), "peer": ingress.peer,
            "fix": f"Replace `{key}: '{ingress.peer}'` with the peer that needs it: "
                   "`sourceSecurityGroupId` of the client tier, or a narrow CIDR"})


def _opened_by_call(call, ctx) -> tuple[set[str], list[PortRange]] | None:
    """(internet peers, port ranges) an ingress call opens, when both are known."""
    args = call.args
    if call.name in ("addIngressRule", "allowFrom") and len(args) >= 2:
        peer_values, port_value = [args[0]], args[1]
    elif call.name == "allowFromAnyIpv4" and args:
        peer_values, port_value = [_ANY_IPV4_PEER], args[0]
    elif call.name == "allowDefaultPortFromAnyIpv4":
        peer_values, port_value = [_ANY_IPV4_PEER], None
    elif call.name == "allowDefaultPortFrom" and args:
        peer_values, port_value = [args[0]], None
    elif call.name == "allowSshAccessFrom":          # BastionHostLinux: port 22 from each peer
        peer_values, port_value = args, _SSH
    else:
        return None
    peers = {p for value in peer_values for p in map(peer_anywhere, v.branches(ctx.production_branch(value))) if p}
    if not peers:
        return None
    if port_value is None:
        ports = _default_port_of(call.construct)
        return (peers, [ports]) if ports is not None else None
    open_ranges = [port_range(b) for b in v.branches(ctx.production_branch(port_value))]
    if any(r is None for r in open_ranges):
        return None
    return peers, open_ranges


_ANY_IPV4_PEER = v.Call(v.Unknown(), [], "aws_ec2.Peer.anyIpv4")
_SSH = v.Symbol("aws_ec2.Port.SSH")


def _default_port_of(construct) -> PortRange | None:
    """The port `allowDefaultPort*` opens, for a construct whose kind we know."""
    if construct is None or construct.fqn is None or construct.fqn in _LOAD_BALANCERS:
        return None
    port = default_port(construct)
    if port is None:
        return None
    return PortRange(port, port, "tcp")
