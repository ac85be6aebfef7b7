"""GitHubEmulator: the server, the seeding helpers and the introspection tests use."""
from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_app
from .openapi import OpenAPI
from .shapes import ROLE_TO_PERMISSION, Shapes
from .state import Installation, IssueComment, PullRequest, Repo, State, now

DEFAULT_PERMISSIONS = {"checks": "write", "pull_requests": "write", "issues": "write", "contents": "read",
                       "metadata": "read"}
FAULT_KINDS = {"error": 502, "secondary_rate_limit": 403, "primary_rate_limit": 403, "drop": None}


@lru_cache(maxsize=1)
def _openapi() -> OpenAPI:
    return OpenAPI()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # keep test output clean
        pass


@dataclass
class Fault:
    kind: str
    method: str
    path: str
    remaining: int
    status: int | None
    retry_after: int | None
    reset_in: int
    after: bool = False


def _bytes(content: str | bytes) -> bytes:
    return content.encode() if isinstance(content, str) else content


def _public_pem(key: str | bytes) -> bytes:
    key = _bytes(key)
    if b"PRIVATE KEY" in key:
        private = serialization.load_pem_private_key(key, password=None, unsafe_skip_rsa_key_validation=True)
        return private.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    return key


class GitHubEmulator:
    """A local GitHub REST API for PyGithub: `Github(base_url=emu.url, ...)`.

    Use as a context manager or call start()/stop(). See README.md next to this file.
    """

    def __init__(self, *, api_prefix: str = "", token_ttl: int = 3600, validate_responses: bool = True) -> None:
        self.api_prefix = api_prefix.rstrip("/")
        self.token_ttl = token_ttl  # seconds an installation token lives (GitHub: 1 hour)
        self.clock_skew = 0  # seconds of JWT clock tolerance
        self.validate_responses = validate_responses
        self.state = State()
        self.openapi = _openapi()
        self.requests: list = []  # app.RequestRecord, in arrival order
        self.validation_failures: list[dict] = []  # request bodies/params that broke the schema (-> 422)
        self.response_violations: list[str] = []  # emulator responses that broke the schema (emulator bugs)
        self.server_errors: list[str] = []  # tracebacks of emulator crashes
        self._faults: list[Fault] = []
        self._server = self._thread = None
        self.server_url = ""
        self.shapes: Shapes | None = None

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> GitHubEmulator:
        self._server = make_server("127.0.0.1", 0, create_app(self), threaded=True, request_handler=_QuietHandler)
        self.server_url = f"http://127.0.0.1:{self._server.server_port}"
        self.shapes = Shapes(self.state, self.url, self.server_url)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="github-emulator",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def __enter__(self) -> GitHubEmulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The REST base URL: pass it as base_url / GITHUB_API_URL."""
        return self.server_url + self.api_prefix

    @property
    def patch_limits(self) -> tuple[int, int]:
        return self.shapes.patch_limits

    @patch_limits.setter
    def patch_limits(self, value: tuple[int, int]) -> None:
        self.shapes.patch_limits = value

    # --- seeding ----------------------------------------------------------------------------------
    def add_installation(self, app_id: int, key: str | bytes, *, account: str = "octo",
                         installation_id: int | None = None, slug: str = "cdk-review",
                         permissions: dict | None = None, repositories: list[str] | None = None) -> Installation:
        """Install App `app_id` (key: its private or public PEM) on `account` (all its repos,
        or only `repositories`). The App acts as user `<slug>[bot]`."""
        with self.state.lock:
            iid = installation_id or self.state.next_id("installation", 40001)
            inst = Installation(iid, app_id, _public_pem(key), account, slug,
                                dict(permissions or DEFAULT_PERMISSIONS), repositories)
            self.state.installations[iid] = inst
            self.state.user_id(inst.bot_login)
            return inst

    def add_repo(self, full_name: str, default_branch: str = "main", files: dict | None = None,
                 private: bool = True) -> Repo:
        owner, name = full_name.split("/")
        with self.state.lock:
            repo = Repo(self.state.next_id("repo", 7001), owner, name, default_branch, private)
            self.state.repos[full_name.lower()] = repo
            self.state.user_id(owner)
            snapshot = {p: _bytes(c) for p, c in (files or {}).items()}
            repo.branches[default_branch] = self.state.store_commit(repo, snapshot, [], "Initial commit")
            return repo

    def _repo(self, repo: str | Repo) -> Repo:
        return repo if isinstance(repo, Repo) else self.state.repos[repo.lower()]

    def commit(self, repo: str | Repo, branch: str, files_changed: dict, message: str | None = None,
               from_branch: str | None = None) -> str:
        """Commit {path: text | bytes | None (delete)} on `branch` (created from `from_branch`
        or the default branch when new). Open pull requests from that branch move with it."""
        with self.state.lock:
            r = self._repo(repo)
            refs = r.fork_branches if branch in r.fork_branches else r.branches
            parent = refs.get(branch) or r.branches[from_branch or r.default_branch]
            files = dict(r.commits[parent].files)
            for path, content in files_changed.items():
                if content is None:
                    files.pop(path, None)
                else:
                    files[path] = _bytes(content)
            sha = self.state.store_commit(r, files, [parent], message or f"Update {branch}")
            refs[branch] = sha
            for pr in self.state.pulls_of(r):
                if pr.head_ref == branch and pr.fork == (refs is r.fork_branches):
                    r.branches[f"refs/pull/{pr.number}/head"] = sha
            return sha

    def open_pull_request(self, repo: str | Repo, head_branch: str, base_branch: str | None = None, *,
                          number: int | None = None, draft: bool = False, fork: bool = False,
                          title: str | None = None, body: str = "", user: str = "alice") -> PullRequest:
        """Open a PR. With fork=True the head branch becomes a branch of `user`'s fork: it is
        no longer reachable by name in the base repo, only by sha or refs/pull/N/head."""
        with self.state.lock:
            r = self._repo(repo)
            if number is not None and (r.full_name.lower(), number) in self.state.pulls:
                raise ValueError(f"{r.full_name} already has #{number}")
            while number is None or (r.full_name.lower(), number) in self.state.pulls:
                number = self.state.next_id(f"issue:{r.id}")
            if fork:
                r.fork_branches[head_branch] = r.branches.pop(head_branch)
                head = r.fork_branches[head_branch]
            else:
                head = r.branches[head_branch]
            r.branches[f"refs/pull/{number}/head"] = head
            self.state.user_id(user)
            pr = PullRequest(r, number, self.state.next_id("pull", 1500001), head_branch,
                             base_branch or r.default_branch, title or f"Change {head_branch}", body, user,
                             draft=draft, fork=fork)
            self.state.pulls[(r.full_name.lower(), number)] = pr
            return pr

    def set_permission(self, repo: str | Repo, user: str, role: str) -> None:
        """role: admin | maintain | write | triage | read | none."""
        assert role in ROLE_TO_PERMISSION or role == "none", role
        with self.state.lock:
            self.state.user_id(user)
            self._repo(repo).roles[user] = role

    def add_issue_comment(self, repo: str | Repo, number: int, body: str, user: str = "alice") -> IssueComment:
        """A comment written by a person on the PR's conversation (e.g. a slash command)."""
        with self.state.lock:
            pr = self.state.pulls[(self._repo(repo).full_name.lower(), number)]
            self.state.user_id(user)
            c = IssueComment(self.state.next_id("issue_comment", 900001), pr, user, body)
            self.state.issue_comments[c.id] = c
            return c

    def create_token(self, installation_id: int, permissions: dict | None = None) -> str:
        """An installation token without the JWT dance (for tests of other layers)."""
        with self.state.lock:
            inst = self.state.installations[installation_id]
            return self.state.new_token(inst, self.token_ttl, permissions or inst.permissions).value

    def expire_tokens(self) -> None:
        """Make every token issued so far expired (requests with them get 401)."""
        with self.state.lock:
            for tok in self.state.tokens.values():
                tok.expires_at = now() - timedelta(seconds=1)

    # --- fault injection -----------------------------------------------------------------------------
    def inject_fault(self, kind: str, *, method: str = "*", path: str = "*", times: int = 1,
                     status: int | None = None, retry_after: int | None = 1, reset_in: int = 1,
                     after: bool = False) -> Fault:
        """The next `times` requests matching `method` and the glob `path` (relative to the API
        prefix, e.g. "/repos/*/pulls/*/files") fail with:
        - "error": a 5xx (status, default 502);
        - "secondary_rate_limit": 403 (or `status`) with Retry-After and GitHub's message;
        - "primary_rate_limit": 403 "API rate limit exceeded...", x-ratelimit-remaining 0,
          x-ratelimit-reset `reset_in` seconds ahead;
        - "drop": the connection is closed without any response.
        after=True: the request is processed first (a comment is created, a check run
        updated...) and only its response is lost, as when GitHub times out mid-way; a
        client that retries such a POST creates a duplicate."""
        assert kind in FAULT_KINDS, kind
        f = Fault(kind, method.upper(), path, times, status or FAULT_KINDS[kind], retry_after, reset_in, after)
        with self.state.lock:
            self._faults.append(f)
        return f

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.state.lock:
            for f in self._faults:
                if f.remaining > 0 and f.method in ("*", method) and fnmatch.fnmatchcase(path, f.path):
                    f.remaining -= 1
                    return f
        return None

    # --- introspection -----------------------------------------------------------------------------------
    def calls(self, method: str = "*", path: str = "*", status: int | None = None) -> list:
        """Recorded requests matching method, path glob and status."""
        return [r for r in list(self.requests) if method in ("*", r.method) and fnmatch.fnmatchcase(r.path, path)
                and (status is None or r.status == status)]

    def count(self, method: str = "*", path: str = "*", status: int | None = None) -> int:
        return len(self.calls(method, path, status))

    def assert_clean(self) -> None:
        """No request broke the OpenAPI schemas, no response broke them, nothing crashed."""
        problems = ([f"invalid request: {v}" for v in self.validation_failures]
                    + [f"invalid response: {v}" for v in self.response_violations]
                    + [f"emulator crash: {t}" for t in self.server_errors])
        assert not problems, "\n".join(problems)

    def check_runs(self, repo: str | Repo | None = None, head_sha: str | None = None, name: str | None = None):
        with self.state.lock:
            return [r for r in self.state.check_runs.values() if (repo is None or r.repo is self._repo(repo))
                    and head_sha in (None, r.head_sha) and name in (None, r.name)]

    def _of_pr(self, items, repo, number):
        r = self._repo(repo)
        return [x for x in items if x.pr.repo is r and x.pr.number == number]

    def reviews(self, repo: str | Repo, number: int):
        with self.state.lock:
            return self._of_pr(self.state.reviews.values(), repo, number)

    def review_comments(self, repo: str | Repo, number: int):
        with self.state.lock:
            return self._of_pr(self.state.review_comments.values(), repo, number)

    def issue_comments(self, repo: str | Repo, number: int):
        with self.state.lock:
            return self._of_pr(self.state.issue_comments.values(), repo, number)

    def reactions(self, comment_id: int):
        with self.state.lock:
            return [r for r in self.state.reactions.values() if r.comment_id == comment_id]
