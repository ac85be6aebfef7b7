"""What a review analyses, and under which configuration: one definition for the App
(bot/worker.py, files read through the GitHub API) and `cdk-review diff` (bot/local_diff.py,
files read from git), so that the local twin reviews exactly what the bot reviews.

- config: `.github/cdk-review.yml` as it is on the BASE side (a change cannot switch off
  the checks it is judged by); absent -> defaults; unusable -> ConfigError.
- reviewed files: the changed TypeScript files the config includes (bot.diff.paths_to_review).
- context files, analysed but never reported on unless changed: the app entry point(s)
  named by the `app` command of the nearest `cdk.json` above a reviewed file (the
  project-wide rules need the stack instances it creates), and every local module a
  reviewed file imports (loaded on demand by the Project's reader).

`read(relpath) -> bytes | None` is the only I/O: repo-relative '/' paths, None when the
file does not exist on the head side.
"""
from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bot.diff import FileChange, paths_to_review
from rules.config import CONFIG_PATH, Config, ConfigError, parse_config
from rules.model.project import SKIP_DIRS, Project, is_typescript

Reader = Callable[[str], "bytes | None"]


def read_config(data: bytes | None, source: str) -> Config:
    """The repository config from the bytes of `.github/cdk-review.yml` (None: no file)."""
    from rules.registry import all_rules
    if data is None:
        return Config()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(source, ["cannot read: not UTF-8 text"]) from None
    return parse_config(text, source=source, known_rule_ids={r.id for r in all_rules()})


def config_source(ref: str) -> str:
    """How a config problem names the file: `main:.github/cdk-review.yml`."""
    return f"{ref}:{CONFIG_PATH}"


def entry_points_of(cdk_json: bytes, directory: str) -> list[str]:
    """Repo-relative TypeScript files named by cdk.json's `app` command
    (`npx ts-node --prefer-ts-exts bin/app.ts` -> `bin/app.ts`; a compiled `bin/app.js`
    -> `bin/app.ts`). Nothing is executed; an unreadable cdk.json gives []."""
    try:
        app = json.loads(cdk_json.decode("utf-8")).get("app")
        words = shlex.split(app) if isinstance(app, str) else []
    except (ValueError, AttributeError, UnicodeDecodeError):
        return []
    out = []
    for word in words:
        if word.endswith(".js"):
            word = word[:-3] + ".ts"
        if is_typescript(word) and not word.startswith(("-", "/")):
            path = posixpath.normpath(posixpath.join(directory, word))
            if not path.startswith("../"):
                out.append(path)
    return out


def _ancestors(path: str) -> list[str]:
    """'infra/lib/a.ts' -> ['infra/lib', 'infra', ''] (nearest first)."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), -1, -1)]


@dataclass
class Selection:
    project: Project
    reviewed: list[str]        # changed files given for review (sorted)
    context: list[str]         # entry points added for the project-wide rules

    @property
    def cdk_files_changed(self) -> int:
        """Reviewed files that are CDK code (the analyser keeps only those)."""
        reviewed = set(self.reviewed)
        return sum(1 for f in self.project.analysed if f.path in reviewed)

    @property
    def files_reviewed(self) -> int:
        return self.cdk_files_changed


def select(changes: Mapping[str, FileChange], config: Config, read: Reader, *, root: str) -> Selection:
    """The Project to analyse. `root` is an absolute directory the repo-relative paths are
    placed under (the checkout for `cdk-review diff`, a virtual root for the App)."""
    root = root.rstrip("/") or "/"

    def rel(abspath: str) -> str:
        return posixpath.relpath(abspath, root)

    def guarded(relpath: str) -> bytes | None:
        if relpath.startswith("../") or any(part in SKIP_DIRS for part in relpath.split("/")):
            return None
        return read(relpath)

    project = Project(display=rel, reader=lambda abspath: guarded(rel(abspath)))
    reviewed = paths_to_review(changes, config.path_included)
    given = []
    for path in reviewed:
        content = guarded(path)
        if content is not None:
            given.append(project.add(posixpath.join(root, path), content))
    context = []
    if given:
        for path in _entry_points(reviewed, guarded):
            if path in changes or not config.path_included(path):
                continue            # a changed entry point is reviewed (or excluded) already
            content = guarded(path)
            if content is not None:
                context.append(path)
                given.append(project.add(posixpath.join(root, path), content))
    project.select_analysed(given)
    return Selection(project, reviewed, context)


def _entry_points(paths: Iterable[str], read: Reader) -> list[str]:
    """The entry points of the nearest cdk.json above each path (each directory probed once)."""
    probed: dict[str, list[str] | None] = {}     # directory -> entry points, None: no cdk.json
    found: list[str] = []
    for path in paths:
        for directory in _ancestors(path):
            if directory not in probed:
                data = read(posixpath.join(directory, "cdk.json") if directory else "cdk.json")
                probed[directory] = None if data is None else entry_points_of(data, directory)
            entries = probed[directory]
            if entries is not None:             # the nearest cdk.json decides
                found += [p for p in entries if p not in found]
                break
    return found
