"""CDK major versions: v1 to v2 module names, whether an app uses v2, which modules exist."""
from __future__ import annotations

import weakref
from functools import cache
from typing import TYPE_CHECKING

from rules.model.imports import CDK_V2, ModuleRef

if TYPE_CHECKING:
    from rules.model.project import Project

# The `constructs` members that v1 re-exported from @aws-cdk/core.
CONSTRUCTS_MEMBERS = frozenset({"Construct", "IConstruct", "Node", "IDependable", "Dependable",
                                "ConstructOrder", "DependencyGroup", "IValidation", "MetadataEntry"})


@cache
def _modules() -> frozenset[str]:
    from rules.knowledge import knowledge
    return frozenset(knowledge().modules())


def v2_spec(ref: ModuleRef) -> str:
    """The aws-cdk-lib specifier replacing a v1 module (`@aws-cdk/aws-s3` -> `aws-cdk-lib/aws-s3`)."""
    return module_spec(ref.module)


def module_spec(module: str) -> str:
    """How to import an aws-cdk-lib module: `aws-cdk-lib/aws-s3` for `aws_s3`, `aws-cdk-lib` for ''."""
    return CDK_V2 + (f"/{module.replace('_', '-')}" if module else "")


_USES_V2: "weakref.WeakKeyDictionary[Project, bool]" = weakref.WeakKeyDictionary()


def uses_cdk_v2(project: "Project") -> bool:
    """Does any analysed file of the app import aws-cdk-lib? Computed once per project."""
    found = _USES_V2.get(project)
    if found is None:
        found = _USES_V2[project] = any(stmt.ref.kind == "cdk" for f in project.analysed for stmt in f.imports)
    return found


def is_cdk_module(module: str) -> bool:
    """Is `aws_ec2` (an import's FQN prefix, '' for the root) a module of aws-cdk-lib?"""
    return module in _modules()


def closest_module(name: str) -> str | None:
    """The aws-cdk-lib module (`aws_s3`) a wrong submodule name most likely meant: the existing
    module of a deep path (`aws-s3/lib/bucket`), else the closest spelling."""
    from rules.knowledge import knowledge
    module = name.replace("-", "_")
    head = module.split("/", 1)[0]
    if "/" in module and head in _modules():
        return head
    return knowledge().closest(module, sorted(m for m in _modules() if m and "." not in m))


def closest_member(module: str, name: str) -> str | None:
    """The export of an aws-cdk-lib module closest to a misspelled name (`BucketEncrypton`)."""
    from rules.knowledge import knowledge
    k = knowledge()
    return k.closest(name, k.module_members(module))
