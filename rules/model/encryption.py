"""Encryption questions: documented struct defaults, and what a bucket is used for.

`takers(construct, project)` answers "which constructs, classes and calls take this
construct" (a bucket given to `origins.S3BucketOrigin`, to an RDS instance's
`s3ExportBuckets`): computed once per project (one pass over every construct's props and
every method call), so rules that ask it for each bucket stay linear.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.storage import is_website_bucket

if TYPE_CHECKING:
    from rules.model.constructs import Construct
    from rules.model.project import Project


def struct_default(struct_fqn: str, prop: str) -> str | None:
    """The documented `@default` of a struct field (`aws_ec2.EbsDeviceOptions.encrypted` -> 'false')."""
    from rules.knowledge import knowledge
    struct = knowledge().struct(struct_fqn)
    info = struct.props.get(prop) if struct is not None else None
    return info.default if info is not None else None


_MAX_DEPTH = 6


def takers(construct: "Construct", project: "Project") -> list[str]:
    """FQNs of what the construct is passed to: constructs (through a prop), nested calls and
    classes (`aws_cloudfront_origins.S3BucketOrigin.withOriginAccessControl`), receivers of calls."""
    return project.memo(_index_takers).get(id(construct), [])


def _index_takers(project: "Project") -> dict[int, list[str]]:
    index: dict[int, list[str]] = {}
    for f in project.analysed:
        for c in f.constructs:
            if isinstance(c.props, v.Obj):
                for value in c.props.entries.values():
                    _collect(value, c.fqn, index, 0)
        for call in f.method_calls:
            by = call.construct.fqn if call.construct is not None else v.symbol_fqn(call.receiver)
            for arg in call.args:
                _collect(arg, by, index, 0)
    return index


def _collect(value: v.Value | None, by: str | None, index: dict[int, list[str]], depth: int) -> None:
    if value is None or depth > _MAX_DEPTH:
        return
    if isinstance(value, v.ConstructRef):
        if by is not None:
            index.setdefault(id(value.construct), []).append(by)
    elif isinstance(value, v.Obj):
        for item in value.entries.values():
            _collect(item, by, index, depth + 1)
    elif isinstance(value, v.Arr):
        for item in value.items:
            _collect(item, by, index, depth + 1)
    elif isinstance(value, (v.New, v.Call)):
        for arg in value.args:
            _collect(arg, value.fqn or by, index, depth + 1)
    elif isinstance(value, v.Cond):
        _collect(value.then, by, index, depth + 1)
        _collect(value.otherwise, by, index, depth + 1)


def serves_content(bucket: "Construct", project: "Project") -> bool:
    """A website, public or CloudFront-origin bucket: content served to users, often SSE-S3 on purpose."""
    if is_website_bucket(bucket) or v.literal(bucket.prop("publicReadAccess")) is True:
        return True
    return any(by.startswith("aws_cloudfront") for by in takers(bucket, project))


def fed_by_database(bucket: "Construct", project: "Project") -> bool:
    """A bucket a database exports to or imports from (snapshots, dumps): database data."""
    return any(by.startswith(("aws_rds.", "aws_redshift.")) for by in takers(bucket, project))
