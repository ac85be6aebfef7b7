"""How a construct is used by others: as a log destination, attached, granted, ..."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import values as v
from rules.config import words

if TYPE_CHECKING:
    from rules.model.constructs import Construct
    from rules.model.project import Project

_LOG_WORDS = frozenset({"log", "logs", "logging", "accesslogs", "accesslog"})


def _refers_to(value: v.Value | None, target: "Construct") -> bool:
    if isinstance(value, v.ConstructRef):
        return value.construct is target
    if isinstance(value, v.Arr):
        return any(_refers_to(i, target) for i in value.items)
    if isinstance(value, v.Obj):
        return any(_refers_to(e, target) for e in value.entries.values())
    return False


def is_log_destination(bucket: "Construct", project: "Project") -> bool:
    """A bucket that receives access logs (SSE-KMS is not supported for those)."""
    ident = v.literal(bucket.id)
    if isinstance(ident, str) and _LOG_WORDS & {w.lower() for w in words(ident)}:
        return True
    if bucket.binding and _LOG_WORDS & {w.lower() for w in words(bucket.binding.removeprefix("this."))}:
        return True
    for f in project.analysed:
        for c in f.constructs:
            props = c.props
            if isinstance(props, v.Obj):
                for key, value in props.entries.items():
                    if "log" in key.lower() and _refers_to(value, bucket):
                        return True
        for call in f.method_calls:
            if "log" in call.name.lower() and any(_refers_to(a, bucket) for a in call.args):
                return True
    return False
