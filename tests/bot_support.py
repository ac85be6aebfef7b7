"""Helpers for the GitHub App tests: published payloads, signing, waiting on conditions,
and a harness that runs the real app (Flask + embedded queue + worker threads) against
the GitHub emulator."""
from __future__ import annotations

import copy
import itertools
import json
import time
from pathlib import Path

from bot.app import create_app
from bot.events import signature
from bot.settings import Settings

WEBHOOKS = Path(__file__).parent / "fixtures" / "webhooks"
SECRET = "test-webhook-secret"
_deliveries = itertools.count(1)


def payload(name: str) -> dict:
    """A published example payload (tests/fixtures/webhooks/<name>.json)."""
    return json.loads((WEBHOOKS / f"{name}.json").read_text())


def signed(body: bytes, event: str, delivery: str | None = None, secret: str = SECRET) -> dict:
    return {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery or new_delivery(),
            "X-Hub-Signature-256": signature(secret, body), "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/test"}


def new_delivery() -> str:
    return f"00000000-0000-4000-8000-{next(_deliveries):012d}"


def wait_for(condition, timeout: float = 30.0, interval: float = 0.02, message: str = "condition"):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


# --- payloads re-pointed at the emulator ------------------------------------------------------

def _repo_fields(p: dict, repo: str, installation_id: int) -> None:
    owner, name = repo.split("/")
    p["repository"].update(full_name=repo, name=name)
    p["repository"]["owner"]["login"] = owner
    p["installation"] = {"id": installation_id, "node_id": "MDIz"}


def pull_request_event(action: str, pr, installation_id: int) -> dict:
    """pull_request.<action> for an emulator PullRequest."""
    name = {"opened": "pull_request.opened", "synchronize": "pull_request.synchronize",
            "reopened": "pull_request.reopened", "ready_for_review": "pull_request.ready_for_review",
            "closed": "pull_request.closed"}[action]
    p = copy.deepcopy(payload(name))
    _repo_fields(p, pr.repo.full_name, installation_id)
    p["number"] = pr.number
    body = p["pull_request"]
    body.update(number=pr.number, draft=pr.draft, state="closed" if action == "closed" else "open")
    body["head"].update(sha=pr.head_sha, ref=pr.head_ref)
    body["base"].update(sha=pr.base_sha, ref=pr.base_ref)
    return p


def check_run_rerequested(pr, installation_id: int, app_id: int, *, fork_style: bool = False,
                          name: str = "CDK Review") -> dict:
    p = copy.deepcopy(payload("check_run.rerequested"))
    _repo_fields(p, pr.repo.full_name, installation_id)
    run = p["check_run"]
    run.update(name=name, head_sha=pr.head_sha)
    run["app"]["id"] = app_id
    listed = [] if fork_style else [{"number": pr.number, "id": pr.id, "url": "",
                                     "head": {"ref": pr.head_ref, "sha": pr.head_sha, "repo": {}},
                                     "base": {"ref": pr.base_ref, "sha": pr.base_sha, "repo": {}}}]
    run["pull_requests"] = listed
    run["check_suite"].update(head_sha=pr.head_sha, pull_requests=listed)
    return p


def check_suite_rerequested(pr, installation_id: int, app_id: int) -> dict:
    p = copy.deepcopy(payload("check_suite.rerequested"))
    _repo_fields(p, pr.repo.full_name, installation_id)
    suite = p["check_suite"]
    suite.update(head_sha=pr.head_sha)
    suite["app"]["id"] = app_id
    suite["pull_requests"][0].update(number=pr.number)
    suite["pull_requests"][0]["head"]["sha"] = pr.head_sha
    return p


def pr_comment_event(pr, installation_id: int, comment, *, user_type: str = "User") -> dict:
    """issue_comment.created on a PR for an emulator IssueComment."""
    p = copy.deepcopy(payload("issue_comment.created.on-pull-request.derived"))
    _repo_fields(p, pr.repo.full_name, installation_id)
    p["issue"]["number"] = pr.number
    p["comment"].update(id=comment.id, body=comment.body)
    p["comment"]["user"].update(login=comment.user, type=user_type)
    return p


# --- the app against the emulator --------------------------------------------------------------

class Bot:
    """The real app with its embedded queue and worker threads, pointed at the emulator."""

    def __init__(self, github_app, data_dir: str, **settings):
        self.emu = github_app.emulator
        self.github_app = github_app
        self.settings = Settings(app_id=github_app.app_id, private_key=github_app.private_key,
                                 webhook_secret=SECRET, api_url=self.emu.url, data_dir=str(data_dir),
                                 workers=2, seconds_between_writes=0, **settings)
        self.app = create_app(self.settings)
        self.ctx = self.app.extensions["cdk_review"]
        self.client = self.app.test_client()

    def deliver(self, event: str, body: dict, delivery: str | None = None):
        raw = json.dumps(body).encode()
        return self.client.post("/webhook", data=raw, headers=signed(raw, event, delivery))

    def settle(self, timeout: float = 60) -> None:
        """Wait until every job the app accepted has run."""
        assert self.ctx.queue.wait_idle(timeout), "jobs still running"

    def opened(self, pr, **kwargs):
        return self.deliver("pull_request", pull_request_event("opened", pr, self.github_app.installation_id), **kwargs)

    def close(self) -> None:
        self.ctx.close()
