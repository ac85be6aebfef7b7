"""L1 (`Cfn*`) constructs and the L2 constructs that wrap the same CloudFormation resource.

aws-cdk-lib's API data does not say which L2 wraps which L1, so the pairing is by name in
the same module (`aws_sqs.CfnQueue` -> `aws_sqs.Queue`, `aws_ec2.CfnVPC` -> `aws_ec2.Vpc`),
plus the few L2s named differently. Whether an L2 can say what an L1 says is judged prop by
prop on the words of their names: the same words, or one word more on either side
(`kmsMasterKeyId` ~ `encryptionMasterKey`, `messageRetentionPeriod` ~ `retentionPeriod`);
a prop with no counterpart means the L1 may be needed, and the caller stays silent.
"""
from __future__ import annotations

import re
from functools import cache

from rules.knowledge import knowledge

# L2s whose name is not the L1's without `Cfn` (aws-rds/lib/instance.ts, aws-rds/lib/cluster.ts).
_RENAMED = {
    "aws_rds.CfnDBInstance": "aws_rds.DatabaseInstance",
    "aws_rds.CfnDBCluster": "aws_rds.DatabaseCluster",
}
# Words that say how a value is passed or in which unit, not what it is
# (`kmsKeyId` ~ `encryptionKey`, `delaySeconds` ~ `deliveryDelay`).
_NOISE = frozenset({"kms", "id", "ids", "arn", "arns", "configuration", "configurations", "config",
                    "specification", "spec", "settings", "properties", "property", "enabled",
                    "in", "seconds", "minutes", "hours", "days", "bytes", "mib", "gib"})
_SHORT = {"maximum": "max", "minimum": "min"}
# Set on any construct through `Tags.of(...)`, so never a reason to stay on L1.
_ALWAYS_COVERED = frozenset({"tags"})
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


@cache
def l2_for(l1_fqn: str) -> str | None:
    """The L2 construct that wraps the same CloudFormation resource as an L1, if any."""
    k = knowledge()
    l1 = k.cls(l1_fqn)
    if l1 is None or "CfnResource" not in l1.bases:
        return None
    if l1_fqn in _RENAMED:
        return _RENAMED[l1_fqn]
    module, _, name = l1_fqn.rpartition(".")
    if not name.startswith("Cfn"):
        return None
    wanted = name[3:].lower()
    for member in sorted(k.module_members(module)):
        fqn = f"{module}.{member}" if module else member
        info = k.cls(fqn) if member.lower() == wanted else None
        if info is not None and info.is_construct and not info.abstract and info.props_fqn:
            return fqn
    return None


def l2_counterparts(l1_keys, l2_fqn: str) -> dict[str, str] | None:
    """{L1 prop: L2 prop} when the L2 has a counterpart for every L1 prop; None otherwise."""
    l2_props = knowledge().props_of(l2_fqn).props
    l2_words = {name: _words(name) for name, prop in l2_props.items() if not prop.deprecated}
    out: dict[str, str] = {}
    for key in l1_keys:
        if key in _ALWAYS_COVERED:
            continue
        match = _counterpart(key, l2_words)
        if match is None:
            return None
        out[key] = match
    return out


def _counterpart(l1_key: str, l2_words: dict[str, frozenset[str]]) -> str | None:
    if l1_key in l2_words:
        return l1_key
    words = _words(l1_key)
    if not words:
        return None
    head = _significant(l1_key)[-1]     # the last word names the thing: keyPolicy is a policy
    related = [(len(theirs ^ words), head not in theirs, name) for name, theirs in l2_words.items()
               if theirs and (theirs <= words or words <= theirs) and len(theirs ^ words) <= 1]
    return min(related)[2] if related else None     # the closest: same words first, then same head


@cache
def _words(name: str) -> frozenset[str]:
    """Significant, roughly stemmed words of a camelCase name: 'versioningConfiguration' -> {'version'}."""
    return frozenset(_significant(name))


def _significant(name: str) -> tuple[str, ...]:
    """The words of `_words`, in order."""
    words = (_SHORT.get(w, w) for w in (w.lower() for w in _WORD.findall(name)))
    return tuple(_stem(w) for w in words if w not in _NOISE)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word
