"""CDK major versions: v1 to v2 module names, whether an app uses v2, which modules exist."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from rules.model.cdk_json import app_root
from rules.model.imports import CDK_V2, ModuleRef

if TYPE_CHECKING:
    from rules.model.project import Project
    from rules.model.source import SourceFile

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


def uses_cdk_v2(f: "SourceFile") -> bool:
    """Does any analysed file of the file's app import aws-cdk-lib? In a repository of several
    apps (each with its own cdk.json) only the file's own app counts."""
    return app_root(f) in f.project.memo(_apps_using_v2) if f.project is not None else False


def _apps_using_v2(project: "Project") -> frozenset[str | None]:
    """The app roots (`cdk.json` directories; None for files outside any) importing aws-cdk-lib."""
    return frozenset(app_root(f) for f in project.analysed if any(stmt.ref.kind == "cdk" for stmt in f.imports))


def is_cdk_module(module: str) -> bool:
    """Is `aws_ec2` (an import's FQN prefix, '' for the root) a module of aws-cdk-lib?"""
    return module in _modules()


def is_cdk_entry_point(spec: str) -> bool:
    """Can `aws-cdk-lib/<subpath>` be imported (a module, or a deep entry such as
    `aws-cdk-lib/core/lib/helpers-internal` that the package exports)?"""
    from rules.knowledge import knowledge
    return spec.startswith(CDK_V2 + "/") and spec[len(CDK_V2) + 1:] in knowledge().entry_points()


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
