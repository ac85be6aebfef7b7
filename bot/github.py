"""The few GitHub REST calls the bot makes, over PyGithub.

PyGithub provides the App authentication (JWT -> installation token, cached by
`Auth.AppInstallationAuth` until 20 s before it expires, shared by the threads), the
HTTP session (one per thread), and the
retries (`GithubRetry`: 5xx, dropped connections, secondary rate limits with
`Retry-After`, primary limits until the reset). Calls go through its Requester and
return plain JSON, which is what the pure core (bot/diff.py, bot/review.py) consumes;
one choke point (`_Client.request`) counts every HTTP request and error for /metrics,
and no lazy object ever makes a call nobody sees. Lists follow `Link: rel="next"` with
`per_page=100`.

Retries are on for GET, POST, PATCH and DELETE. A POST retried after GitHub processed it
but lost the answer can duplicate (a second review); GitHub offers no idempotency key.
"""
from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from github import Auth, Github, GithubException, GithubRetry
from urllib3.util import Retry

from bot.metrics import Metrics
from bot.settings import Settings

log = logging.getLogger(__name__)
PER_PAGE = 100
MAX_PR_FILES = 3000           # GitHub lists at most 3000 files of a pull request


class GitHubError(Exception):
    """A failed call. `status` None: no answer (connection, retries exhausted)."""

    def __init__(self, status: int | None, message: str, data=None):
        super().__init__(f"{status or 'no response'}: {message}")
        self.status, self.message, self.data = status, message, data

    @property
    def errors(self) -> list:
        errors = (self.data or {}).get("errors") if isinstance(self.data, dict) else None
        return errors if isinstance(errors, list) else []


def make_retry() -> Retry:
    return GithubRetry(total=6, backoff_factor=0.5, backoff_max=30,
                       allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH", "DELETE"})


def _signer(private_key: str):
    """Sign JWTs with a key parsed once (PyGithub would parse the PEM for every JWT)."""
    key = serialization.load_pem_private_key(private_key.encode(), password=None)

    def sign(payload: dict) -> str:
        return jwt.encode(payload, key, algorithm="RS256")
    return sign


class _Client:
    """One PyGithub Requester (one auth) plus the call accounting."""

    def __init__(self, gh: Github, metrics: Metrics | None):
        self.gh, self.metrics = gh, metrics

    def request(self, method: str, endpoint: str, path: str, *, params: dict | None = None,
                body: dict | None = None) -> tuple[dict, object]:
        """`endpoint`: the path template, for metrics (no ids in labels)."""
        if self.metrics:
            self.metrics.api_calls.labels(method, endpoint).inc()
        try:
            return self.gh.requester.requestJsonAndCheck(method, path, parameters=params, input=body)
        except GithubException as exc:
            self._error(method, endpoint, str(exc.status))
            data = exc.data if isinstance(exc.data, dict) else {}
            raise GitHubError(exc.status, str(data.get("message") or exc), data) from None
        except (requests.exceptions.RetryError, requests.exceptions.ConnectionError,
                requests.exceptions.Timeout) as exc:
            self._error(method, endpoint, "none")
            raise GitHubError(None, type(exc).__name__) from None

    def _error(self, method: str, endpoint: str, status: str) -> None:
        if self.metrics:
            self.metrics.api_errors.labels(method, endpoint, status).inc()

    def pages(self, endpoint: str, path: str, params: dict | None = None, *, limit: int | None = None) -> Iterator:
        params = {**(params or {}), "per_page": PER_PAGE}
        url: str | None = path
        seen = 0
        while url:
            headers, data = self.request("GET", endpoint, url, params=params)
            items = data if isinstance(data, list) else []
            for item in items:
                yield item
                seen += 1
                if limit is not None and seen >= limit:
                    return
            url, params = _next_link(headers.get("link")), None    # the link carries the query


_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


def _next_link(header: str | None) -> str | None:
    m = _LINK.search(header or "")
    return m.group(1) if m else None


class _SharedInstallationAuth(Auth.AppInstallationAuth):
    """One installation token for all the threads of a process: PyGithub caches it in the
    auth object; the lock makes a renewal happen once, not once per thread."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock = threading.RLock()

    @property
    def token(self) -> str:
        with self.lock:
            return super().token


class GitHubApp:
    """The App: a JWT client for /app, and per installation one shared token (auth
    object) with one HTTP client per thread (PyGithub's Requester keeps per-request
    state on its connection, so threads must not share one)."""

    def __init__(self, settings: Settings, *, metrics: Metrics | None = None):
        self.settings = settings
        self.metrics = metrics
        self._auth = Auth.AppAuth(settings.app_id, sign_func=_signer(settings.private_key))
        self._auths: dict[int, _SharedInstallationAuth] = {}
        self._local = threading.local()
        self._all: list[_Client] = []
        self._lock = threading.Lock()
        self._bot_login: str | None = None

    def _github(self, auth) -> Github:
        s = self.settings
        return Github(auth=auth, base_url=s.api_url, retry=make_retry(), per_page=PER_PAGE, timeout=30,
                      seconds_between_requests=s.seconds_between_requests or None,
                      seconds_between_writes=s.seconds_between_writes or None)

    def installation(self, installation_id: int) -> _Client:
        clients = self._local.__dict__.setdefault("clients", {})
        client = clients.get(installation_id)
        if client is None:
            with self._lock:
                auth = self._auths.get(installation_id)
                if auth is None:
                    auth = self._auths[installation_id] = _SharedInstallationAuth(self._auth, installation_id)
            with auth.lock:                    # attaching a requester touches the shared auth
                client = clients[installation_id] = _Client(self._github(auth), self.metrics)
            with self._lock:
                self._all.append(client)
        return client

    def repo(self, installation_id: int, full_name: str) -> "RepoApi":
        return RepoApi(self.installation(installation_id), full_name)

    def bot_login(self) -> str:
        """`<slug>[bot]`, the author of the App's comments (GET /app once per process)."""
        with self._lock:
            if self._bot_login is None:
                _, app = _Client(self._github(self._auth), self.metrics).request("GET", "/app", "/app")
                self._bot_login = f"{app['slug']}[bot]"
            return self._bot_login

    def close(self) -> None:
        with self._lock:
            for client in self._all:
                client.gh.close()
            self._all.clear()


@dataclass
class Tree:
    """A commit's files: path -> blob sha (and size). `truncated`: GitHub cut the listing
    (over 100,000 entries / 7 MB): a path not listed may still exist."""
    blobs: dict[str, str]
    truncated: bool


class RepoApi:
    """The calls on one repository, with one installation's token."""

    def __init__(self, client: _Client, full_name: str):
        self.client = client
        self.full_name = full_name
        self.base = "/repos/" + "/".join(quote(part, safe="") for part in full_name.split("/", 1))

    def _req(self, method: str, endpoint: str, path: str = "", **kwargs):
        return self.client.request(method, "/repos/{owner}/{repo}" + endpoint, self.base + path, **kwargs)[1]

    # -- pull requests ------------------------------------------------------------
    def pull(self, number: int) -> dict:
        return self._req("GET", "/pulls/{number}", f"/pulls/{number}")

    def pull_files(self, number: int) -> list[dict]:
        """Every file of the PR (the paginated endpoint, never the diff media type,
        which GitHub refuses with 406 beyond 300 files or 20,000 lines)."""
        return list(self.client.pages("/repos/{owner}/{repo}/pulls/{number}/files",
                                      f"{self.base}/pulls/{number}/files", limit=MAX_PR_FILES))

    def open_pulls(self) -> Iterator[dict]:
        return self.client.pages("/repos/{owner}/{repo}/pulls", f"{self.base}/pulls",
                                 {"state": "open", "sort": "updated", "direction": "desc"})

    def find_pull_by_head(self, head_sha: str) -> dict | None:
        """The open PR whose head is this commit (a fork PR's check run lists none)."""
        return next((p for p in self.open_pulls() if (p.get("head") or {}).get("sha") == head_sha), None)

    def review_comments(self, number: int) -> list[dict]:
        return list(self.client.pages("/repos/{owner}/{repo}/pulls/{number}/comments",
                                      f"{self.base}/pulls/{number}/comments"))

    def create_review(self, number: int, body: dict) -> dict:
        return self._req("POST", "/pulls/{number}/reviews", f"/pulls/{number}/reviews", body=body)

    def reviews(self, number: int) -> list[dict]:
        return list(self.client.pages("/repos/{owner}/{repo}/pulls/{number}/reviews",
                                      f"{self.base}/pulls/{number}/reviews"))

    def delete_pending_review(self, number: int, review_id: int) -> None:
        self._req("DELETE", "/pulls/{number}/reviews/{id}", f"/pulls/{number}/reviews/{review_id}")

    def edit_review_comment(self, comment_id: int, body: str) -> None:
        self._req("PATCH", "/pulls/comments/{id}", f"/pulls/comments/{comment_id}", body={"body": body})

    # -- contents ---------------------------------------------------------------------
    def file(self, path: str, ref: str) -> bytes | None:
        """A file at a ref (branch or sha), None when it does not exist there."""
        try:
            data = self._req("GET", "/contents/{path}", "/contents/" + quote(path), params={"ref": ref})
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(data, dict) or data.get("type") != "file":
            return None
        if data.get("encoding") == "base64":
            return base64.b64decode(data.get("content") or "")
        return self.blob(data["sha"])          # over 1 MB: the contents API sends no content

    def tree(self, commit: str) -> Tree:
        data = self._req("GET", "/git/trees/{sha}", f"/git/trees/{quote(commit)}", params={"recursive": "1"})
        blobs = {e["path"]: e["sha"] for e in data.get("tree", []) if e.get("type") == "blob"}
        return Tree(blobs, bool(data.get("truncated")))

    def blob(self, sha: str) -> bytes:
        data = self._req("GET", "/git/blobs/{sha}", f"/git/blobs/{sha}")
        return base64.b64decode(data.get("content") or "") if data.get("encoding") == "base64" \
            else (data.get("content") or "").encode()

    # -- checks -------------------------------------------------------------------------
    def create_check_run(self, body: dict) -> dict:
        return self._req("POST", "/check-runs", "/check-runs", body=body)

    def update_check_run(self, check_run_id: int, body: dict) -> dict:
        return self._req("PATCH", "/check-runs/{id}", f"/check-runs/{check_run_id}", body=body)

    # -- people and conversation ---------------------------------------------------------
    def permission(self, user: str) -> dict:
        """{'permission': admin|write|read|none, 'role_name': ...}; none for unknown users."""
        try:
            return self._req("GET", "/collaborators/{user}/permission",
                             f"/collaborators/{quote(user, safe='')}/permission")
        except GitHubError as exc:
            if exc.status == 404:
                return {"permission": "none", "role_name": "none"}
            raise

    def add_reaction(self, comment_id: int, content: str) -> None:
        self._req("POST", "/issues/comments/{id}/reactions", f"/issues/comments/{comment_id}/reactions",
                  body={"content": content})

    def create_issue_comment(self, number: int, body: str) -> dict:
        return self._req("POST", "/issues/{number}/comments", f"/issues/{number}/comments", body={"body": body})
