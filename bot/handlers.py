"""Events -> jobs. Pure: handlers read the payload and never call GitHub; anything that
needs the API (the PR of a fork's check run, the commenter's permission) is the job's work.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.commands import parse_commands
from bot.events import Event
from bot.jobs import COMMAND, REVIEW, Job
from bot.routing import Router

log = logging.getLogger(__name__)
router = Router()

PULL_REQUEST_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")


@dataclass(frozen=True)
class HandlerContext:
    app_id: int


def _base(event: Event, kind: str, **fields) -> Job | None:
    if event.repo is None or event.installation_id is None:
        log.info("delivery %s (%s): no repository or installation, ignored", event.delivery, event.name)
        return None
    reason = f"{event.name}.{event.action}" if event.action else event.name
    return Job(kind=kind, repo=event.repo, installation_id=event.installation_id, delivery=event.delivery,
               reason=reason, **fields)


def _pull_request_job(event: Event, ctx) -> Job | None:
    pr = event.payload.get("pull_request") or {}
    if pr.get("state", "open") != "open":
        return None
    head, base = pr.get("head") or {}, pr.get("base") or {}
    return _base(event, REVIEW, number=pr.get("number") or event.payload.get("number"),
                 head_sha=head.get("sha"), base_ref=base.get("ref"), base_sha=base.get("sha"),
                 draft=bool(pr.get("draft", False)))


for _action in PULL_REQUEST_ACTIONS:
    router.register("pull_request", action=_action)(_pull_request_job)


def _ours(app: dict | None, ctx: HandlerContext) -> bool:
    return isinstance(app, dict) and app.get("id") == ctx.app_id


def _rerequested(event: Event, ctx: HandlerContext, suite: dict, head_sha: str | None) -> list[Job] | None:
    """One job per pull request of the suite; with none listed (fork PRs: GitHub sends an
    empty `pull_requests`), one job that finds the PR by head sha."""
    if not head_sha:
        return None
    numbers = sorted({p.get("number") for p in suite.get("pull_requests") or [] if isinstance(p.get("number"), int)})
    jobs = [_base(event, REVIEW, seq=i, number=n, head_sha=head_sha) for i, n in enumerate(numbers)] \
        or [_base(event, REVIEW, head_sha=head_sha)]
    return [j for j in jobs if j is not None] or None


@router.register("check_run", action="rerequested")
def on_check_run_rerequested(event: Event, ctx: HandlerContext):
    run = event.payload.get("check_run") or {}
    from bot.check_run import CHECK_RUN_NAME
    if not _ours(run.get("app"), ctx) or run.get("name") != CHECK_RUN_NAME:
        return None
    suite = run.get("check_suite") or {}
    prs = run.get("pull_requests") or suite.get("pull_requests") or []
    return _rerequested(event, ctx, {"pull_requests": prs}, run.get("head_sha"))


@router.register("check_suite", action="rerequested")
def on_check_suite_rerequested(event: Event, ctx: HandlerContext):
    suite = event.payload.get("check_suite") or {}
    if not _ours(suite.get("app"), ctx):
        return None
    return _rerequested(event, ctx, suite, suite.get("head_sha"))


@router.register("issue_comment", action="created")
def on_issue_comment(event: Event, ctx: HandlerContext):
    issue, comment = event.payload.get("issue") or {}, event.payload.get("comment") or {}
    if not issue.get("pull_request"):
        return None                                  # a comment on an issue, not on a PR
    user = comment.get("user") or {}
    login = user.get("login") or ""
    if user.get("type") == "Bot" or login.endswith("[bot]") or _ours(comment.get("performed_via_github_app"), ctx):
        return None                                  # bots (this App included) cannot command it
    commands = parse_commands(comment.get("body"))
    if not commands:
        return None
    return _base(event, COMMAND, number=issue.get("number"), comment_id=comment.get("id"),
                 commenter=login, commands=commands)


@router.register("installation")
def on_installation(event: Event, ctx: HandlerContext):
    inst = event.payload.get("installation") or {}
    account = (inst.get("account") or {}).get("login")
    repos = [r.get("full_name") for r in event.payload.get("repositories") or []]
    log.info("installation %s: %s on %s (%d repositories)", inst.get("id"), event.action, account, len(repos))
    return None
