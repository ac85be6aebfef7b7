"""What well-known CDK values mean: peers, ports, instance types, durations, enum members.

Each helper returns None when the value is not (or not knowably) of its kind, so a
rule built on them stays silent on Unknown.
"""
from __future__ import annotations

from dataclasses import dataclass

from rules.model import values as v

ANY_IPV4, ANY_IPV6 = "0.0.0.0/0", "::/0"
ALL_PORTS = (0, 65535)


def enum_member(value: v.Value | None, enum_fqn: str) -> str | None:
    """'PUBLIC' for `ec2.SubnetType.PUBLIC` when enum_fqn is 'aws_ec2.SubnetType'."""
    if isinstance(value, v.Symbol) and value.fqn.startswith(enum_fqn + "."):
        member = value.fqn[len(enum_fqn) + 1:]
        return member if "." not in member else None
    return None


def peer_anywhere(value: v.Value | None) -> str | None:
    """'0.0.0.0/0' or '::/0' when the peer is the whole internet."""
    if isinstance(value, v.Call):
        if value.fqn == "aws_ec2.Peer.anyIpv4":
            return ANY_IPV4
        if value.fqn == "aws_ec2.Peer.anyIpv6":
            return ANY_IPV6
        if value.fqn in ("aws_ec2.Peer.ipv4", "aws_ec2.Peer.ipv6") and value.args:
            cidr = v.literal(value.args[0])
            if isinstance(cidr, str) and cidr.replace(" ", "") in (ANY_IPV4, ANY_IPV6, "::0/0"):
                return cidr.strip()
    return None


@dataclass(frozen=True)
class PortRange:
    low: int
    high: int
    protocol: str = "tcp"

    @property
    def is_all(self) -> bool:
        return self.low <= 0 and self.high >= 65535

    def contains(self, port: int) -> bool:
        return self.low <= port <= self.high

    def describe(self) -> str:
        if self.is_all:
            return f"all {self.protocol.upper()} ports" if self.protocol != "all" else "all ports"
        if self.low == self.high:
            return f"{self.protocol.upper()} {self.low}"
        return f"{self.protocol.upper()} {self.low}-{self.high}"


# The static `Port` members of aws-ec2/lib/port.ts ("Well-known SSH port (TCP 22)", ...).
_NAMED_PORTS = {
    "SSH": (22, "tcp"), "SMTP": (25, "tcp"), "DNS_UDP": (53, "udp"), "DNS_TCP": (53, "tcp"),
    "HTTP": (80, "tcp"), "POP3": (110, "tcp"), "IMAP": (143, "tcp"), "LDAP": (389, "tcp"),
    "HTTPS": (443, "tcp"), "SMB": (445, "tcp"), "IMAPS": (993, "tcp"), "POP3S": (995, "tcp"),
    "MSSQL": (1433, "tcp"), "NFS": (2049, "tcp"), "MYSQL_AURORA": (3306, "tcp"), "RDP": (3389, "tcp"),
    "POSTGRES": (5432, "tcp"),
}
def port_range(value: v.Value | None) -> PortRange | None:
    """The port range of `ec2.Port.tcp(5432)`, `Port.allTcp()`, `Port.tcpRange(a, b)`, `Port.SSH`..."""
    if isinstance(value, v.Symbol) and value.fqn.startswith("aws_ec2.Port."):
        named = _NAMED_PORTS.get(value.fqn.rsplit(".", 1)[1])
        return PortRange(named[0], named[0], named[1]) if named else None
    if isinstance(value, v.Call) and value.fqn and value.fqn.startswith("aws_ec2.Port."):
        method = value.fqn.rsplit(".", 1)[1]
        nums = [v.literal(a) for a in value.args]
        if method in ("tcp", "udp") and nums and isinstance(nums[0], int):
            return PortRange(nums[0], nums[0], method)
        if method in ("tcpRange", "udpRange") and len(nums) >= 2 and all(isinstance(n, int) for n in nums[:2]):
            return PortRange(nums[0], nums[1], method[:3])
        if method == "allTcp":
            return PortRange(*ALL_PORTS, "tcp")
        if method == "allUdp":
            return PortRange(*ALL_PORTS, "udp")
        if method == "allTraffic":
            return PortRange(*ALL_PORTS, "all")
    if isinstance(value, v.New) and value.fqn == "aws_ec2.Port" and value.args:
        props = value.args[0]
        if isinstance(props, v.Obj):
            low, high = v.literal(props.get("fromPort")), v.literal(props.get("toPort"))
            if isinstance(low, int):
                return PortRange(low, high if isinstance(high, int) else low, "tcp")
    return None


def instance_type(value: v.Value | None) -> str | None:
    """'t3.micro' for `InstanceType.of(InstanceClass.T3, InstanceSize.MICRO)` or `new InstanceType('t3.micro')`."""
    if isinstance(value, v.Lit) and isinstance(value.value, str):
        return value.value.removeprefix("db.").removeprefix("cache.")
    if isinstance(value, v.New) and value.fqn == "aws_ec2.InstanceType" and value.args:
        raw = v.literal(value.args[0])
        return raw.removeprefix("db.") if isinstance(raw, str) else None
    if isinstance(value, v.Call) and value.fqn == "aws_ec2.InstanceType.of" and len(value.args) >= 2:
        cls = enum_member(value.args[0], "aws_ec2.InstanceClass")
        size = enum_member(value.args[1], "aws_ec2.InstanceSize")
        if cls and size:
            return f"{_instance_class_name(cls)}.{size.lower().replace('_', '')}"
    return None


# InstanceClass has long aliases (BURSTABLE3 = T3); these are the ones rules care about.
_CLASS_ALIASES = {
    "BURSTABLE2": "t2", "BURSTABLE3": "t3", "BURSTABLE3_AMD": "t3a", "BURSTABLE4_GRAVITON": "t4g",
    "STANDARD5": "m5", "STANDARD6_INTEL": "m6i", "STANDARD6_GRAVITON": "m6g", "MEMORY5": "r5",
    "MEMORY6_GRAVITON": "r6g", "COMPUTE5": "c5", "COMPUTE6_GRAVITON2": "c6g",
}


def _instance_class_name(member: str) -> str:
    return _CLASS_ALIASES.get(member, member.lower().replace("_", ""))


_DURATION_SECONDS = {"millis": 0.001, "seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def duration_seconds(value: v.Value | None) -> float | None:
    """Seconds of `Duration.days(7)` and friends."""
    if isinstance(value, v.Call) and value.fqn and value.fqn.startswith("Duration."):
        unit = value.fqn.rsplit(".", 1)[1]
        amount = v.literal(value.args[0]) if value.args else None
        if unit in _DURATION_SECONDS and isinstance(amount, (int, float)) and not isinstance(amount, bool):
            return amount * _DURATION_SECONDS[unit]
    return None
