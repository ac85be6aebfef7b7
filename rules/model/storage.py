"""S3 bucket questions shared by the backup and cost rules: what a bucket is for, how it ages data."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rules.model import values as v
from rules.model.usage import is_log_destination

if TYPE_CHECKING:
    from rules.model.constructs import Construct
    from rules.model.project import Project

_WEBSITE_PROPS = ("websiteIndexDocument", "websiteRedirect", "websiteRoutingRules")


def is_website_bucket(bucket: "Construct") -> bool:
    """Static website hosting: the content is a build output, redeployed from source."""
    return any(bucket.prop(p) is not None for p in _WEBSITE_PROPS)


def is_data_bucket(bucket: "Construct", project: "Project") -> bool:
    """A bucket whose objects are the only copy of something: not a log sink, not a website."""
    return not is_website_bucket(bucket) and not is_log_destination(bucket, project)


def ages_objects(bucket: "Construct") -> bool | None:
    """Does anything move or expire the bucket's objects: `lifecycleRules`, `addLifecycleRule`,
    `intelligentTieringConfigurations`? None when a prop that may hold one cannot be seen."""
    if bucket.method_calls("addLifecycleRule"):
        return True
    verdicts = [_non_empty(bucket.prop(p)) for p in ("lifecycleRules", "intelligentTieringConfigurations")]
    if True in verdicts:
        return True
    return None if None in verdicts else False


def _non_empty(value: v.Value | None) -> bool | None:
    if value is None:
        return False
    if isinstance(value, v.Arr):
        return True if value.items else (None if value.open else False)
    return None
