"""A project: the CDK files of a scan or a pull request, parsed once, resolved across files."""
from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from rules.model import values as v
from rules.model.source import SourceFile

if TYPE_CHECKING:
    from rules.model.constructs import Construct

T = TypeVar("T")
SKIP_DIRS = frozenset({"node_modules", "cdk.out", ".git", ".venv", "__pycache__"})
_EXTENSIONS = (".ts", ".tsx")
_RESOLVE_SUFFIXES = ("", ".ts", ".tsx", "/index.ts", "/index.tsx")


def is_typescript(path: str) -> bool:
    return path.endswith(_EXTENSIONS) and not path.endswith(".d.ts")


@contextmanager
def gc_paused():
    """Building a project and analysing it allocate many objects and no garbage cycles
    worth chasing mid-run; the cyclic collector's repeated passes over the live model and
    the knowledge table cost a tenth to a quarter of the run time, so it waits until the
    work is over. Also a decorator."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class LoadProblem:
    path: str
    message: str


class Project:
    """Files keyed by absolute path. `analysed` are the ones rules report on.

    `reader(abspath) -> bytes | None` loads a file that is imported but was not
    given (a constant module next to a scanned stack, say); those files lend their
    values but are not reported on. `package_path(abspath)` is the path within the
    file's package (see SourceFile.package_path); the display path when not given.
    """

    def __init__(self, *, display: Callable[[str], str], reader: Callable[[str], bytes | None] | None = None,
                 package_path: Callable[[str], str] | None = None):
        self.files: dict[str, SourceFile] = {}
        self.analysed: list[SourceFile] = []
        self.problems: list[LoadProblem] = []
        self._display = display
        self._reader = reader
        self._package_path = package_path or display
        self._resolving: set[tuple[str, str]] = set()
        self._memo: dict[object, object] = {}

    def memo(self, compute: Callable[["Project"], "T"]) -> "T":
        """`compute(self)`, once per project: for indexes several rules share."""
        if compute not in self._memo:
            self._memo[compute] = compute(self)
        return self._memo[compute]  # type: ignore[return-value]

    def analysed_file_of(self, node) -> SourceFile | None:
        """The analysed file whose syntax tree holds `node` (values carry nodes of other files)."""
        while node.parent is not None:
            node = node.parent
        return self.memo(_analysed_by_root).get(node.id)

    # -- building --------------------------------------------------------------------
    def add(self, abspath: str, source: bytes) -> SourceFile:
        sf = SourceFile(self._display(abspath), source, abspath=abspath, project=self,
                        package_path=self._package_path(abspath))
        self.files[abspath] = sf
        return sf

    def select_analysed(self, given: Iterable[SourceFile]) -> None:
        """Keep the CDK files and the local modules they reach (constants, helpers)."""
        given = list(given)
        given_ids = {id(f) for f in given}
        reached: dict[str, SourceFile] = {}
        queue = [f for f in given if f.is_cdk]
        while queue:
            f = queue.pop()
            if f.abspath in reached:
                continue
            reached[f.abspath] = f
            for spec in f.local_imports:
                target = self.resolve_module(f, spec)
                if target is not None and target.abspath not in reached:
                    queue.append(target)
        self.analysed = sorted((f for f in reached.values() if id(f) in given_ids), key=lambda f: f.path)

    @classmethod
    @gc_paused()
    def from_sources(cls, sources: dict[str, bytes]) -> "Project":
        """An in-memory project (tests, rule examples, the bot): path -> content. Files that
        are not TypeScript (a `cdk.json`) are there for `read_file`."""
        others = {path: content for path, content in sources.items() if not is_typescript(path)}
        project = cls(display=lambda p: p, reader=others.get)
        for path, content in sorted(sources.items()):
            if path not in others:
                project.add(path, content)
        project.select_analysed(project.files.values())
        return project

    def read_file(self, abspath: str) -> bytes | None:
        """Another file of the project's tree (a `cdk.json`), through the reader; None if absent."""
        return self._reader(abspath) if self._reader is not None else None

    # -- cross-file resolution ----------------------------------------------------
    def resolve_module(self, importer: SourceFile, spec: str) -> SourceFile | None:
        base = os.path.normpath(os.path.join(os.path.dirname(importer.abspath), spec))
        for suffix in _RESOLVE_SUFFIXES:
            candidate = base + suffix
            if candidate in self.files:
                return self.files[candidate]
        if self._reader is None:
            return None
        for suffix in _RESOLVE_SUFFIXES[1:]:
            candidate = base + suffix
            content = self._reader(candidate)
            if content is not None:
                return self.add(candidate, content)
        return None

    def resolve_export(self, importer: SourceFile, spec: str, name: str) -> v.Value:
        target = self.resolve_module(importer, spec)
        if target is None:
            return v.Unknown(f"module {spec} not available")
        return self.export_of(target, name)

    def export_of(self, module: SourceFile, name: str) -> v.Value:
        key = (module.abspath, name)
        if key in self._resolving:
            return v.Unknown("circular re-export")
        self._resolving.add(key)
        try:
            value = module.exported_value(name)
            if value is not None:
                return value
            for exported, spec, original in module.reexports:
                if exported == name or exported is None:
                    target = self.resolve_module(module, spec)
                    if target is None:
                        continue
                    value = self.export_of(target, original or name)
                    if not isinstance(value, v.Unknown) or exported == name:
                        return value
            return v.Unknown(f"{name} is not exported by {module.path}")
        finally:
            self._resolving.discard(key)

    # -- queries -------------------------------------------------------------------
    def constructs(self, *fqns: str):
        """Every construct in the analysed files, optionally of the given FQNs, in source order."""
        if not fqns:
            for f in self.analysed:
                yield from f.constructs
            return
        # Indexed: rules ask this once per construct they judge, which would otherwise
        # rescan the whole project each time.
        index = self.memo(_constructs_by_fqn)
        for _, c in sorted(entry for fqn in set(fqns) for entry in index.get(fqn, ())):
            yield c


def _constructs_by_fqn(project: Project) -> dict[str | None, list[tuple[int, "Construct"]]]:
    """FQN -> (position in the project, construct) of every construct in the analysed files."""
    index: dict[str | None, list[tuple[int, "Construct"]]] = {}
    for position, c in enumerate(c for f in project.analysed for c in f.constructs):
        index.setdefault(c.fqn, []).append((position, c))
    return index


def _analysed_by_root(project: Project) -> dict[int, SourceFile]:
    return {f.tree.root_node.id: f for f in project.analysed}
