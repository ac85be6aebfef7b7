"""Files of the reviewed commit, read through the API on demand and cached.

Changed files come by the blob sha the PR files list gives; any other file (an imported
module, cdk.json, the app entry point) is looked up in the commit's tree, fetched once
and only when first needed, so a file that does not exist costs no request. When GitHub
truncates the tree, unlisted paths are asked for through the contents API.

Everything is read through the BASE repository by commit sha, fork PRs included: GitHub
keeps the head commit reachable there (refs/pull/N/head), and the installation's token
covers the base repository, not necessarily the fork.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.github import RepoApi, Tree


class HeadFiles:
    def __init__(self, api: RepoApi, sha: str, known: Mapping[str, str] | None = None):
        self.api, self.sha = api, sha
        self._known = dict(known or {})        # path -> blob sha (from the PR files list)
        self._tree: Tree | None = None
        self._cache: dict[str, bytes | None] = {}
        self.fetched = 0                       # file contents requested

    @classmethod
    def for_pull(cls, api: RepoApi, sha: str, files: Iterable[Mapping]) -> "HeadFiles":
        known = {f["filename"]: f["sha"] for f in files
                 if f.get("status") != "removed" and isinstance(f.get("sha"), str) and f.get("sha").strip("0")}
        return cls(api, sha, known)

    def read(self, path: str) -> bytes | None:
        if path not in self._cache:
            self._cache[path] = self._fetch(path)
        return self._cache[path]

    def _fetch(self, path: str) -> bytes | None:
        blob = self._known.get(path)
        if blob is None:
            tree = self._tree_listing()
            blob = tree.blobs.get(path)
            if blob is None:
                if not tree.truncated:
                    return None
                self.fetched += 1
                return self.api.file(path, self.sha)
        self.fetched += 1
        return self.api.blob(blob)

    def _tree_listing(self) -> Tree:
        if self._tree is None:
            self._tree = self.api.tree(self.sha)
        return self._tree
