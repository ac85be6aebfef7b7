"""Facts about AWS itself (not aws-cdk-lib) that rules check names against: the AWS managed
IAM policies and the Lambda runtime deprecation calendar. Each comes from a data file under
rules/knowledge/ whose header names its public source and date; loaded on first use."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from rules.knowledge import knowledge
from rules.strict_yaml import DataLoader

POLICIES_FILE = "aws_managed_policies.yml"
RUNTIMES_FILE = "lambda_runtimes.yml"
_POLICY_ARN_MARK = ":iam::aws:policy/"


def _load(name: str) -> dict:
    text = resources.files("rules.knowledge").joinpath(name).read_text()
    return yaml.load(text, Loader=DataLoader)  # noqa: S506 - a SafeLoader


# -- AWS managed policies ------------------------------------------------------------------
@dataclass(frozen=True)
class PolicyVerdict:
    """What is wrong with a managed policy name: `correct` is the real name when known."""
    problem: str            # 'unknown' | 'path' | 'retired'
    correct: str | None


@cache
def _policies() -> tuple[dict[str, str], frozenset[str]]:
    data = _load(POLICIES_FILE)
    by_bare = {full.rsplit("/", 1)[-1]: full for full in data["policies"]}
    return by_bare, frozenset(data["retired"])


def managed_policy_problem(name: str) -> PolicyVerdict | None:
    """None when `name` (as given to `fromAwsManagedPolicyName`, path included) is a real,
    attachable AWS managed policy."""
    by_bare, retired = _policies()
    bare = name.rsplit("/", 1)[-1]
    full = by_bare.get(bare)
    if full == name:
        return None
    if full is not None:
        return PolicyVerdict("path", full)
    if bare in retired:
        return PolicyVerdict("retired", None)
    nearest = knowledge().closest(bare, by_bare, cutoff=0.75)
    return PolicyVerdict("unknown", by_bare[nearest] if nearest else None)


def policy_name_in_arn(arn: str) -> str | None:
    """`service-role/X` of `arn:aws:iam::aws:policy/service-role/X`; None for other ARNs."""
    _, mark, name = arn.partition(_POLICY_ARN_MARK)
    return name if mark and name else None


# -- Lambda runtimes -----------------------------------------------------------------------
@dataclass(frozen=True)
class RuntimeLifecycle:
    name: str                      # 'nodejs20.x'
    deprecated: datetime.date      # AWS stops patching it (deprecation policy)
    successor: str | None


@cache
def _runtimes() -> tuple[dict[str, RuntimeLifecycle], dict[str, str]]:
    data = _load(RUNTIMES_FILE)
    lifecycles = {name: RuntimeLifecycle(name, info["deprecated"], info.get("successor"))
                  for name, info in data["runtimes"].items()}
    return lifecycles, dict(data["cdk_members"])


def deprecated_runtime(name: str) -> RuntimeLifecycle | None:
    """The AWS calendar of a runtime identifier ('nodejs20.x'), when AWS has deprecated it by today."""
    lifecycle = _runtimes()[0].get(name)
    return lifecycle if lifecycle is not None and lifecycle.deprecated <= today() else None


def runtime_of_member(member: str) -> str | None:
    """'nodejs20.x' for aws-cdk-lib's `Runtime.NODEJS_20_X`."""
    return _runtimes()[1].get(member)


def member_of_runtime(name: str) -> str | None:
    """'NODEJS_24_X' for 'nodejs24.x' (never the moving `*_LATEST` alias)."""
    return next((m for m, n in sorted(_runtimes()[1].items()) if n == name and not m.endswith("LATEST")), None)


def today() -> datetime.date:
    """The date deprecations are judged against (a function so tests can pin it)."""
    return datetime.date.today()
