"""Load a project from the filesystem for `cdk-review scan`."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from rules.model.project import SKIP_DIRS, Project, gc_paused, is_typescript


class InputError(Exception):
    """A path that cannot be scanned: the CLI exits 2 with this message."""


def _read(path: str) -> bytes | None:
    if any(part in SKIP_DIRS for part in path.split(os.sep)) or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def discover(paths: Iterable[str], *, included: Callable[[str], bool] = lambda rel: True,
             cwd: str | None = None) -> list[str]:
    """Absolute paths of the TypeScript files under `paths` (sorted, de-duplicated)."""
    cwd = cwd or os.getcwd()
    found: set[str] = set()
    for given in paths:
        path = os.path.abspath(os.path.join(cwd, given))
        if not os.path.exists(path):
            raise InputError(f"{given}: no such file or directory")
        if os.path.isfile(path):
            found.add(path)       # a file named explicitly is scanned whatever its name
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for name in filenames:
                full = os.path.join(dirpath, name)
                if is_typescript(name) and included(_display(full, cwd)):
                    found.add(full)
    return sorted(found)


def _display(abspath: str, cwd: str) -> str:
    rel = os.path.relpath(abspath, cwd)
    return rel.replace(os.sep, "/")


_PACKAGE_MARKERS = ("package.json", "cdk.json")


def package_locator(cwd: str) -> Callable[[str], str]:
    """abspath -> its path within the nearest directory above it holding a package.json
    or cdk.json (the display path when there is none): `test/` then means the package's
    tests, not a directory the scan happened to run under."""
    roots: dict[str, str | None] = {}

    def root_of(directory: str) -> str | None:
        if directory not in roots:
            if any(os.path.isfile(os.path.join(directory, m)) for m in _PACKAGE_MARKERS):
                roots[directory] = directory
            else:
                parent = os.path.dirname(directory)
                roots[directory] = root_of(parent) if parent != directory else None
        return roots[directory]

    def package_path(abspath: str) -> str:
        root = root_of(os.path.dirname(abspath))
        return _display(abspath, root) if root is not None else _display(abspath, cwd)

    return package_path


@gc_paused()
def load_project(paths: Iterable[str], *, included: Callable[[str], bool] = lambda rel: True,
                 cwd: str | None = None) -> Project:
    cwd = cwd or os.getcwd()
    files = discover(paths, included=included, cwd=cwd)
    project = Project(display=lambda p: _display(p, cwd), reader=_read, package_path=package_locator(cwd))
    given = []
    for path in files:
        content = _read(path)
        if content is None:
            raise InputError(f"{_display(path, cwd)}: cannot be read")
        given.append(project.add(path, content))
    project.select_analysed(given)
    return project
