"""Posting a review's results: the review with its inline comments, the edits of fixed
comments, and the check run's completion with every annotation.

Refused comments (422). GitHub refuses a whole review when one comment does not sit on
the diff ("Line could not be resolved") and does not say which one. The bot then finds
it by binary search with PENDING reviews, which only their author (the App) can see: a
probe creates a pending review with the first half of the suspects and deletes it at
once; if GitHub accepts that half, the culprit is in the other half, else in this one.
The culprit is dropped and the review posted again (one review in the end; if another
comment is refused, the search repeats). Dropped comments' findings stay in the check
run (annotations and summary), so nothing is lost, and the summary says how many
comments GitHub refused. One refused comment among 30 costs 5 probes (at most 5
deletes) and one more POST; a probe budget bounds the work, and when it runs out the
review is not posted (the check run still has every finding).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.check_run import batched
from bot.github import GitHubError, RepoApi
from bot.review import InlineComment, ReviewPlan

log = logging.getLogger(__name__)
PROBE_BUDGET = 40
_PENDING_EXISTS = "pending review"


# --------------------------------------------------------------------------- binary search (pure)

def first_rejected(comments: Sequence[InlineComment],
                   accepts: Callable[[Sequence[InlineComment]], bool | None]) -> int | None:
    """Index of a comment GitHub refuses, in `comments` which GitHub refused as a whole.
    `accepts(subset)`: True accepted, False refused, None no more probes allowed (-> None).
    Assumes one comment suffices to be refused (GitHub validates each on its own)."""
    lo, hi = 0, len(comments)
    if hi == 0:
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        ok = accepts(comments[lo:mid])
        if ok is None:
            return None
        if ok:
            lo = mid            # the first half is fine: the culprit is in the second
        else:
            hi = mid
    return lo


class _PendingProbe:
    """accepts(subset) via a pending review that is deleted right away."""

    def __init__(self, api: RepoApi, number: int, head_sha: str, budget: int = PROBE_BUDGET,
                 bot_login: str | None = None):
        self.api, self.number, self.head_sha = api, number, head_sha
        self.left, self.bot_login = budget, bot_login
        self._cleaned = False

    def __call__(self, comments: Sequence[InlineComment]) -> bool | None:
        if self.left <= 0:
            return None
        self.left -= 1
        body = {"commit_id": self.head_sha, "comments": [c.to_api() for c in comments]}   # no event: PENDING
        try:
            review = self.api.create_review(self.number, body)
        except GitHubError as exc:
            if exc.status != 422:
                raise
            if _PENDING_EXISTS in " ".join(map(str, exc.errors)).lower() and not self._cleaned:
                self._cleaned = True            # a probe of a crashed run was left behind
                self._delete_stale_pending()
                self.left += 1
                return self(comments)
            return False
        self.api.delete_pending_review(self.number, review["id"])
        return True

    def _delete_stale_pending(self) -> None:
        for review in self.api.reviews(self.number):
            if review.get("state") == "PENDING" and (self.bot_login is None
                                                      or (review.get("user") or {}).get("login") == self.bot_login):
                self.api.delete_pending_review(self.number, review["id"])


# --------------------------------------------------------------------------- the review

@dataclass
class Posted:
    plan: ReviewPlan | None             # the review as posted (None: no review)
    rejected: list[InlineComment]       # comments GitHub refused (their findings stay in the check run)


def post_review(api: RepoApi, number: int, plan: ReviewPlan, head_sha: str, *,
                bot_login: str | None = None, budget: int = PROBE_BUDGET) -> Posted:
    """Post the plan as one review; on 422, drop the refused comments one at a time."""
    rejected: list[InlineComment] = []
    probe = _PendingProbe(api, number, head_sha, budget, bot_login)
    while plan.should_post:
        try:
            api.create_review(number, plan.to_api(head_sha))
            return Posted(plan, rejected)
        except GitHubError as exc:
            if exc.status != 422:
                raise
            log.warning("review on #%s refused (%s): looking for the comment GitHub rejects", number,
                        exc.errors or exc.message)
        index = first_rejected(plan.comments, probe)
        if index is None:                          # out of probes: post nothing more
            log.warning("review on #%s: probe budget spent, %d comments left out", number, len(plan.comments))
            return Posted(None, rejected + list(plan.comments))
        culprit = plan.comments[index]
        rejected.append(culprit)
        plan = plan.without(culprit.fingerprint)
    return Posted(None, rejected)


def mark_resolved(api: RepoApi, plan: ReviewPlan) -> int:
    """Edit the comments whose finding is gone; a comment deleted meanwhile is skipped."""
    edited = 0
    for edit in plan.resolved:
        try:
            api.edit_review_comment(edit.comment_id, edit.body)
            edited += 1
        except GitHubError as exc:
            if exc.status != 404:
                raise
    return edited


def rejected_note(rejected: Sequence[InlineComment]) -> list[str]:
    if not rejected:
        return []
    where = ", ".join(f"{c.path}:{c.start_line or c.line}" for c in rejected[:10])
    more = f" and {len(rejected) - 10} more" if len(rejected) > 10 else ""
    return [f"GitHub refused {len(rejected)} inline comment(s) ({where}{more}); "
            "their findings are listed here and in the annotations."]


# --------------------------------------------------------------------------- the check run

def start_check_run(api: RepoApi, *, name: str, head_sha: str, external_id: str) -> int:
    run = api.create_check_run({"name": name, "head_sha": head_sha, "status": "in_progress",
                                "external_id": external_id,
                                "output": {"title": "Reviewing…",
                                           "summary": "cdk-review is reviewing the CDK code this pull request changes."}})
    return run["id"]


def complete_check_run(api: RepoApi, check_run_id: int, *, conclusion: str, title: str, summary: str,
                       annotations: Sequence[dict] = (), already_sent: int = 0,
                       progress: Callable[[int], None] | None = None) -> int:
    """Send the annotations 50 per request (GitHub's limit), the last request completing
    the run. `already_sent`: annotations a previous attempt delivered (not sent again);
    `progress(n)` is told after each batch. Returns the number of requests."""
    rest = list(annotations)[already_sent:]
    batches = list(batched(rest)) or [[]]
    sent = already_sent
    for i, batch in enumerate(batches):
        output = {"title": title, "summary": summary}
        if batch:
            output["annotations"] = batch
        body: dict = {"output": output}
        if i == len(batches) - 1:
            body.update(status="completed", conclusion=conclusion)
        api.update_check_run(check_run_id, body)
        sent += len(batch)
        if progress is not None:
            progress(sent)
    return len(batches)
