"""The emulator's data: repositories as real git-like object stores, pull requests,
check runs, reviews, comments, reactions, installations and tokens.

Everything lives in memory and is guarded by `State.lock` (the server is threaded).
Ids come from one counter per kind, like GitHub's database ids; timestamps are UTC.
"""
from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from . import diffs


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(t: datetime | None) -> str | None:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


@dataclass
class Commit:
    sha: str
    tree: str  # root tree sha
    parents: list[str]
    message: str
    files: dict[str, bytes]  # the full snapshot: path -> content
    date: datetime = field(default_factory=now)


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    default_branch: str
    private: bool = True
    branches: dict[str, str] = field(default_factory=dict)  # name -> commit sha
    fork_branches: dict[str, str] = field(default_factory=dict)  # head branches of fork PRs
    commits: dict[str, Commit] = field(default_factory=dict)
    trees: dict[str, list] = field(default_factory=dict)  # tree sha -> entries
    blobs: dict[str, bytes] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # login -> role name
    diff_cache: dict = field(default_factory=dict, repr=False)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def resolve(self, ref: str) -> str | None:
        """A commit sha for a branch name, `refs/heads/x`, `heads/x`, `refs/pull/N/head`,
        a full sha or an unambiguous sha prefix (>= 7 chars); None when unknown."""
        for prefix in ("refs/heads/", "heads/"):
            if ref.startswith(prefix) and ref[len(prefix):] in self.branches:
                return self.branches[ref[len(prefix):]]
        if ref in self.branches:
            return self.branches[ref]
        if ref in self.commits:
            return ref
        if len(ref) >= 7:
            hits = [s for s in self.commits if s.startswith(ref.lower())]
            if len(hits) == 1:
                return hits[0]
        return None

    def ancestors(self, sha: str) -> list[str]:
        """sha and all its ancestors, nearest first (first-parent order, then others)."""
        seen, order, todo = set(), [], [sha]
        while todo:
            s = todo.pop(0)
            if s in seen or s not in self.commits:
                continue
            seen.add(s)
            order.append(s)
            todo.extend(self.commits[s].parents)
        return order

    def merge_base(self, a: str, b: str) -> str | None:
        in_a = set(self.ancestors(a))
        return next((s for s in self.ancestors(b) if s in in_a), None)


@dataclass
class PullRequest:
    repo: Repo
    number: int
    id: int
    head_ref: str
    base_ref: str
    title: str
    body: str
    user: str
    draft: bool = False
    fork: bool = False
    state: str = "open"
    created_at: datetime = field(default_factory=now)

    @property
    def head_sha(self) -> str:
        return self.repo.branches[f"refs/pull/{self.number}/head"]

    @property
    def base_sha(self) -> str:
        return self.repo.branches[self.base_ref]

    def merge_base(self) -> str:
        return self.repo.merge_base(self.base_sha, self.head_sha) or self.base_sha

    def commits(self) -> list[str]:
        """Commits on head not on base, oldest first (what GET /pulls/N/commits lists)."""
        base = set(self.repo.ancestors(self.base_sha))
        return [s for s in reversed(self.repo.ancestors(self.head_sha)) if s not in base]

    def files(self, head_sha: str | None = None) -> list[diffs.FileDiff]:
        """GitHub's three-dot diff: merge base of base and head -> head."""
        r = self.repo
        return diffs_between(r, self.merge_base(), head_sha or self.head_sha)


def diffs_between(repo: Repo, base_sha: str, head_sha: str) -> list[diffs.FileDiff]:
    key = (base_sha, head_sha)
    if key not in repo.diff_cache:
        repo.diff_cache[key] = diffs.diff_trees(repo.commits[base_sha].files, repo.commits[head_sha].files)
    return repo.diff_cache[key]


@dataclass
class CheckRun:
    id: int
    repo: Repo
    name: str
    head_sha: str
    app_id: int
    status: str = "queued"
    conclusion: str | None = None
    details_url: str | None = None
    external_id: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    output: dict = field(default_factory=dict)  # title, summary, text
    annotations: list[dict] = field(default_factory=list)
    check_suite_id: int = 0


@dataclass
class ReviewComment:
    id: int
    pr: PullRequest
    review_id: int | None
    user: str
    body: str
    path: str
    commit_id: str
    side: str | None
    line: int | None
    start_line: int | None
    start_side: str | None
    position: int | None
    diff_hunk: str
    subject_type: str = "line"
    in_reply_to: int | None = None
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)


@dataclass
class Review:
    id: int
    pr: PullRequest
    user: str
    body: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | PENDING
    commit_id: str
    submitted_at: datetime | None = field(default_factory=now)


@dataclass
class IssueComment:
    id: int
    pr: PullRequest
    user: str
    body: str
    via_app: int | None = None  # app id when created with an installation token
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)


@dataclass
class Reaction:
    id: int
    comment_id: int
    user: str
    content: str
    created_at: datetime = field(default_factory=now)


@dataclass
class Installation:
    id: int
    app_id: int
    public_key_pem: bytes
    account: str
    slug: str
    permissions: dict[str, str]
    repositories: list[str] | None  # None = all repositories of the account

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"

    def covers(self, repo: Repo) -> bool:
        if self.repositories is not None:
            return repo.full_name in self.repositories
        return repo.owner.lower() == self.account.lower()


@dataclass
class Token:
    value: str
    installation: Installation
    expires_at: datetime
    permissions: dict[str, str]
    used: int = 0


class State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ids = {}
        self.repos: dict[str, Repo] = {}  # lower-case full name -> repo
        self.pulls: dict[tuple[str, int], PullRequest] = {}
        self.check_runs: dict[int, CheckRun] = {}
        self.check_suites: dict[tuple, int] = {}  # (repo id, head sha, app id) -> suite id
        self.reviews: dict[int, Review] = {}
        self.review_comments: dict[int, ReviewComment] = {}
        self.issue_comments: dict[int, IssueComment] = {}
        self.reactions: dict[int, Reaction] = {}
        self.installations: dict[int, Installation] = {}
        self.tokens: dict[str, Token] = {}
        self.users: dict[str, int] = {}  # login -> id

    def next_id(self, kind: str, start: int = 1) -> int:
        if kind not in self._ids:
            self._ids[kind] = itertools.count(start)
        return next(self._ids[kind])

    def user_id(self, login: str) -> int:
        if login not in self.users:
            self.users[login] = self.next_id("user", 1001)
        return self.users[login]

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def store_commit(self, repo: Repo, files: dict[str, bytes], parents: list[str], message: str) -> str:
        tree, trees = diffs.build_trees(files)
        repo.trees.update(trees)
        for data in files.values():
            repo.blobs[diffs.blob_sha(data)] = data
        date = now()
        raw = f"tree {tree}\n" + "".join(f"parent {p}\n" for p in parents)
        raw += f"author Emulator <emu@example.com> {int(date.timestamp())} +0000\n"
        raw += f"committer Emulator <emu@example.com> {int(date.timestamp())} +0000\n\n{message}\n"
        sha = diffs.git_sha("commit", raw.encode())
        repo.commits[sha] = Commit(sha, tree, parents, message, dict(files), date)
        return sha

    def new_token(self, installation: Installation, ttl: int, permissions: dict) -> Token:
        """An installation access token (`ghs_...`) valid for `ttl` seconds."""
        value = "ghs_" + secrets.token_urlsafe(27)[:36]
        tok = self.tokens[value] = Token(value, installation, now() + timedelta(seconds=ttl), dict(permissions))
        return tok

    def pulls_of(self, repo: Repo) -> list[PullRequest]:
        return [p for (name, _), p in self.pulls.items() if name == repo.full_name.lower()]
