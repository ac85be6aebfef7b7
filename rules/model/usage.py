"""How a construct is used by others: as a log destination, attached, granted, ..."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import values as v
from rules.config import words

if TYPE_CHECKING:
    from rules.model.constructs import Construct
    from rules.model.project import Project

_LOG_WORDS = frozenset({"log", "logs", "logging", "accesslogs", "accesslog"})


def is_log_destination(bucket: "Construct", project: "Project") -> bool:
    """A bucket that receives access logs (SSE-KMS is not supported for those)."""
    ident = v.literal(bucket.id)
    if isinstance(ident, str) and _LOG_WORDS & {w.lower() for w in words(ident)}:
        return True
    if bucket.binding and _LOG_WORDS & {w.lower() for w in words(bucket.binding.removeprefix("this."))}:
        return True
    return id(bucket) in project.memo(_log_destinations)


def _log_destinations(project: "Project") -> frozenset[int]:
    """Constructs given to a `...Log...` prop or method anywhere in the project, found in one pass."""
    found: set[int] = set()
    for f in project.analysed:
        for c in f.constructs:
            if isinstance(c.props, v.Obj):
                for key, value in c.props.entries.items():
                    if "log" in key.lower():
                        _collect_constructs(value, found)
        for call in f.method_calls:
            if "log" in call.name.lower():
                for arg in call.args:
                    _collect_constructs(arg, found)
    return frozenset(found)


def _collect_constructs(value: v.Value | None, into: set[int]) -> None:
    if isinstance(value, v.ConstructRef):
        into.add(id(value.construct))
    elif isinstance(value, v.Arr):
        for item in value.items:
            _collect_constructs(item, into)
    elif isinstance(value, v.Obj):
        for item in value.entries.values():
            _collect_constructs(item, into)
