"""The `cdk.json` an app is synthesised with: which app a file belongs to, its context values
and feature flags.

The CDK CLI runs an app from the directory of its `cdk.json`, and the `context` object
there is what `node.tryGetContext(key)` and `FeatureFlags.of(scope).isEnabled(flag)` read
(`cdk init` writes every recommended feature flag into it). For a source file, the
`cdk.json` that applies is the nearest one in its directory or above. It is read through
the project's reader (the checkout for `cdk-review scan`, the pull request's head commit
for the bot), once per directory. Where none can be read, every answer is None: the
caller keeps to what the source alone says.

Not seen: `-c key=value` on the command line, `~/.cdk.json` and context set in code
(`new App({ context })`, `node.setContext`).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rules.knowledge.overlay import FeatureFlag
    from rules.model.project import Project
    from rules.model.source import SourceFile

CDK_JSON = "cdk.json"
PACKAGE_JSON = "package.json"


@dataclass(frozen=True)
class CdkJson:
    directory: str                      # the app's directory, as the project spells paths
    context: dict[str, Any] | None      # None when the file is not a JSON object with an object `context`


def cdk_json_of(f: "SourceFile") -> CdkJson | None:
    """The nearest `cdk.json` at or above the file's directory; None when there is none."""
    directory = _nearest(f, CDK_JSON, _cdk_json_directories)
    if directory is None:
        return None
    configs = f.project.memo(_configs_by_directory)
    if directory not in configs:
        content = f.project.read_file(os.path.join(directory, CDK_JSON))
        configs[directory] = CdkJson(directory, _context(content) if content is not None else None)
    return configs[directory]


def app_root(f: "SourceFile") -> str | None:
    """The directory of the app the file belongs to: its `cdk.json`'s, else (an app run with
    `cdk --app ...` from a package script) its nearest `package.json`'s; None when unknown."""
    config = cdk_json_of(f)
    if config is not None:
        return config.directory
    return _nearest(f, PACKAGE_JSON, _packages_by_directory)


def _nearest(f: "SourceFile", name: str, memo) -> str | None:
    """The nearest directory at or above the file's holding a file `name`, read once per directory."""
    if f.project is None or not f.abspath:
        return None
    found = f.project.memo(memo)
    directory, probed = os.path.dirname(f.abspath), []
    while directory not in found:
        probed.append(directory)
        if f.project.read_file(os.path.join(directory, name)) is not None:
            found[directory] = directory
            break
        parent = os.path.dirname(directory)
        if parent == directory:
            found[directory] = None
            break
        directory = parent
    for d in probed:
        found.setdefault(d, found[directory])
    return found[directory]


def _packages_by_directory(project: "Project") -> dict[str, str | None]:
    return {}


def feature_flag(f: "SourceFile", flag: "FeatureFlag") -> bool | None:
    """Whether a feature flag is on for the file's app; an unset flag behaves as `v2_unset`.
    None when the app's `cdk.json` cannot be read."""
    config = cdk_json_of(f)
    if config is None or config.context is None:
        return None
    value = config.context.get(flag.name)
    if value is None:
        return flag.v2_unset
    if isinstance(value, str):          # the CLI's `-c flag=true` style also appears in cdk.json
        return value.strip().lower() == "true"
    return bool(value)


def sets_context(f: "SourceFile", key: str) -> bool:
    """Whether the app's `cdk.json` gives the context key a value."""
    config = cdk_json_of(f)
    return config is not None and config.context is not None and config.context.get(key) is not None


def _cdk_json_directories(project: "Project") -> dict[str, str | None]:
    return {}


def _configs_by_directory(project: "Project") -> dict[str, CdkJson]:
    return {}


def _context(content: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    context = data.get("context", {})
    return context if isinstance(context, dict) else None
