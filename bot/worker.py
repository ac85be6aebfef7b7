"""Running jobs: the review of a pull request (`run_review`) and slash commands.

The review, in GitHub calls (a 20-file PR: 6 + files read + ⌈annotations/50⌉):
  1. POST check run `CDK Review` in_progress on the head sha
  2. GET the PR files (paginated, 100 a page, up to 3000)
  3. GET `.github/cdk-review.yml` at the BASE branch (a bad config completes the check
     run with the problem named, conclusion failure)
  4. GET the head commit's tree once, then the blobs of the files the analysis reads:
     the changed CDK files, their local imports, cdk.json and the app entry point
  5. analyse; keep findings on added lines; plan the review (bot/review.py)
  6. GET the review comments (the App's own: dedupe by fingerprint marker), POST one
     review, PATCH comments whose finding is gone, PATCH the check run with the
     annotations (50 a request), completing it.
A job for a PR event whose head is no longer the latest is dropped before step 1.
Jobs are idempotent: a retry reuses the check run the first attempt created and
skips the annotations it already sent; comments are deduplicated by their markers.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

from bot.check_run import CHECK_RUN_NAME, annotations, check_summary, check_title, conclusion, diagnostic_notes
from bot.commands import HELP, HELP_TEXT, RECHECK, may_run_commands
from bot.diff import FileChange, change_from_contents, changes_from_github
from bot.github import GitHubApp, GitHubError, RepoApi
from bot.head_files import HeadFiles
from bot.jobs import COMMAND, REVIEW, Job
from bot.metrics import Metrics
from bot.publish import complete_check_run, mark_resolved, post_review, rejected_note, start_check_run
from bot.queue import JobQueue
from bot.review import ExistingComment, findings_on_changed_lines, plan_review
from bot.selection import config_source, read_config, select
from bot.settings import Settings
from rules.config import CONFIG_PATH, ConfigError

log = logging.getLogger(__name__)
VIRTUAL_ROOT = "/repo"                  # where the Project places repo-relative paths
_MEMO_TTL = 2 * 24 * 3600


@dataclass(frozen=True)
class PullInfo:
    number: int
    head_sha: str
    base_ref: str
    base_sha: str
    draft: bool

    @classmethod
    def from_api(cls, pr: dict) -> "PullInfo":
        return cls(pr["number"], pr["head"]["sha"], pr["base"]["ref"], pr["base"]["sha"], bool(pr.get("draft")))


def web_url(api_url: str) -> str:
    """https://api.github.com -> https://github.com; GHE https://h/api/v3 -> https://h."""
    if api_url.rstrip("/") == "https://api.github.com":
        return "https://github.com"
    return api_url.rstrip("/").removesuffix("/api/v3")


class Worker:
    """The queue's runner: `worker(job, last_attempt=...)` -> an outcome string."""

    def __init__(self, settings: Settings, github: GitHubApp, queue: JobQueue, metrics: Metrics | None = None):
        self.settings, self.github, self.queue = settings, github, queue
        self.metrics = metrics or Metrics()

    def __call__(self, job: Job, *, last_attempt: bool = True) -> str:
        try:
            if job.kind == REVIEW:
                outcome = self.run_review(job, last_attempt=last_attempt)
            elif job.kind == COMMAND:
                outcome = self.run_command(job, last_attempt=last_attempt)
            else:
                outcome = "unknown_kind"
        except Exception:
            self.metrics.jobs.labels(job.kind, "error").inc()
            raise
        self.metrics.jobs.labels(job.kind, outcome).inc()
        log.info("job %s (%s %s#%s): %s", job.id, job.reason, job.repo, job.number, outcome)
        return outcome

    # -- review ---------------------------------------------------------------------------
    def run_review(self, job: Job, *, last_attempt: bool = True) -> str:
        api = self.github.repo(job.installation_id, job.repo)
        pr = self._pull_for(api, job)
        if pr is None:
            return "no_pull_request"
        if job.head_sha and job.head_sha != pr.head_sha:
            return "superseded"                           # the PR has moved on
        if job.supersedes_older:
            latest = self.queue.latest_head(job.pr_key)
            if latest is not None and latest != job.head_sha:
                return "superseded"                       # a newer push is queued
        started = time.monotonic()
        check_id = self._check_run(api, job, pr.head_sha)
        try:
            result = self._review(api, job, pr, check_id)
        except Exception as exc:
            if last_attempt:
                self._fail_check_run(api, check_id, exc)
            raise
        self.metrics.reviews.labels(result).inc()
        self.metrics.review_seconds.observe(time.monotonic() - started)
        return f"reviewed:{result}"

    def _pull_for(self, api: RepoApi, job: Job) -> PullInfo | None:
        if job.has_pull_snapshot:
            return PullInfo(job.number, job.head_sha, job.base_ref, job.base_sha, job.draft)
        if job.number is not None:
            pr = api.pull(job.number)
        elif job.head_sha:
            pr = api.find_pull_by_head(job.head_sha)
        else:
            return None
        if pr is None or pr.get("state") != "open":
            return None
        return PullInfo.from_api(pr)

    def _memo(self, job: Job, what: str) -> str:
        return f"job:{job.id}:{what}"

    def _check_run(self, api: RepoApi, job: Job, head_sha: str) -> int:
        """The check run of this job: created once, reused by a retry of the same job."""
        store = self.queue.store
        known = store.get(self._memo(job, "check_run"))
        if known is not None:
            run_id, _, sha = known.partition("@")
            if sha == head_sha:
                return int(run_id)
        run_id = start_check_run(api, name=CHECK_RUN_NAME, head_sha=head_sha, external_id=job.id)
        store.put(self._memo(job, "check_run"), f"{run_id}@{head_sha}", _MEMO_TTL)
        return run_id

    def _review(self, api: RepoApi, job: Job, pr: PullInfo, check_id: int) -> str:
        files = api.pull_files(pr.number)
        changes = changes_from_github(files)
        try:
            config = read_config(api.file(CONFIG_PATH, pr.base_ref), config_source(pr.base_ref))
        except ConfigError as exc:
            return self._config_failure(api, check_id, exc, pr)

        head = HeadFiles.for_pull(api, pr.head_sha, files)
        selection = select(changes, config, head.read, root=VIRTUAL_ROOT)
        changed = selection.cdk_files_changed
        if not changed:
            summary = check_summary([], files_reviewed=0, cdk_files_changed=0, head_sha=pr.head_sha)
            complete_check_run(api, check_id, conclusion="neutral",
                               title=check_title([], cdk_files_changed=False), summary=summary)
            return "neutral"

        from rules.engine import analyse
        changes = self._exact_changes(api, pr, changes, selection.reviewed, head)
        analysis = analyse(selection.project, config)
        kept = findings_on_changed_lines(analysis.findings, changes)
        bot_login = self.github.bot_login()
        existing = [ExistingComment(c["id"], c["path"], c.get("body") or "") for c in api.review_comments(pr.number)
                    if (c.get("user") or {}).get("login") == bot_login]
        plan = plan_review(analysis.findings, changes, existing, max_inline=config.max_inline_comments,
                           head_sha=pr.head_sha)

        posted = post_review(api, pr.number, plan, pr.head_sha, bot_login=bot_login)
        mark_resolved(api, plan)
        result = conclusion(kept, fail_on=config.fail_on, cdk_files_changed=True, draft=pr.draft,
                            draft_conclusion=config.draft_conclusion)
        notes = diagnostic_notes(analysis.diagnostics) + rejected_note(posted.rejected)
        if pr.draft and result == "neutral":
            notes.insert(0, "Draft pull request: the conclusion is neutral until it is ready for review "
                            "(`draft_conclusion: normal` in the config changes that).")
        summary = check_summary(kept, files_reviewed=selection.files_reviewed, cdk_files_changed=changed,
                                head_sha=pr.head_sha, notes=notes,
                                repo_url=f"{web_url(self.settings.api_url)}/{job.repo}")
        store, memo = self.queue.store, self._memo(job, "annotations")
        complete_check_run(api, check_id, conclusion=result, title=check_title(kept), summary=summary,
                           annotations=annotations(kept), already_sent=int(store.get(memo) or 0),
                           progress=lambda n: store.put(memo, str(n), _MEMO_TTL))
        for f in kept:
            self.metrics.findings.labels(f.category.value).inc()
        log.info("reviewed %s#%s at %s: %s, %d findings on changed lines, %d comments (%d rejected), %d fixed",
                 job.repo, pr.number, pr.head_sha[:7], result, len(kept),
                 len(posted.plan.comments) if posted.plan else 0, len(posted.rejected), len(plan.resolved))
        return result

    def _exact_changes(self, api: RepoApi, pr: PullInfo, changes: dict[str, FileChange],
                       reviewed: list[str], head: HeadFiles) -> dict[str, FileChange]:
        """Files GitHub sent no patch for (too large): added lines by comparing contents
        (exact for the check run; still not commentable)."""
        out = dict(changes)
        for path in reviewed:
            change = changes[path]
            if change.patch_available:
                continue
            new = head.read(path)
            if new is None:
                continue
            old = None if change.status == "added" else api.file(change.previous_path or path, pr.base_sha)
            out[path] = change_from_contents(path, change.status, _text(old) if old is not None else None,
                                             _text(new), previous_path=change.previous_path)
        return out

    def _config_failure(self, api: RepoApi, check_id: int, exc: ConfigError, pr: PullInfo) -> str:
        problems = "\n".join(f"- {p}" for p in exc.problems)
        summary = (f"cdk-review cannot use the repository configuration `{exc.source}`:\n\n{problems}\n\n"
                   f"Fix `{CONFIG_PATH}` on the base branch `{pr.base_ref}` (the configuration is always read "
                   "from the base branch, so that a pull request cannot change the checks it is judged by), "
                   "then re-run this check or comment `/cdk-review recheck`.")
        complete_check_run(api, check_id, conclusion="failure",
                           title=f"Configuration error in {CONFIG_PATH}", summary=summary)
        return "config_error"

    def _fail_check_run(self, api: RepoApi, check_id: int, exc: Exception) -> None:
        """The last attempt failed: say so on the check run instead of leaving it spinning."""
        reason = f"GitHub API error {exc.status}: {exc.message}" if isinstance(exc, GitHubError) \
            else f"internal error ({type(exc).__name__})"
        try:
            complete_check_run(api, check_id, conclusion="failure", title="cdk-review could not finish",
                               summary=f"The review stopped: {reason}.\n\nRe-run this check or comment "
                                       "`/cdk-review recheck` to try again.")
        except Exception:
            log.exception("could not mark check run %s as failed", check_id)

    # -- slash commands ---------------------------------------------------------------
    def run_command(self, job: Job, *, last_attempt: bool = True) -> str:
        api = self.github.repo(job.installation_id, job.repo)
        if not job.commenter or job.commenter == self.github.bot_login():
            return "ignored"
        access = api.permission(job.commenter)
        if not (may_run_commands(access.get("permission")) or may_run_commands(access.get("role_name"))):
            log.info("%s has no write access to %s: slash command ignored", job.commenter, job.repo)
            return "not_allowed"
        store = self.queue.store
        api.add_reaction(job.comment_id, "eyes")
        for command in job.commands:
            memo = self._memo(job, command)
            if store.get(memo):
                continue                                   # a retry: done already
            if command == HELP:
                api.create_issue_comment(job.number, HELP_TEXT)
            elif command == RECHECK:
                self.run_review(dataclasses.replace(job, kind=REVIEW, head_sha=None), last_attempt=last_attempt)
            store.put(memo, "1", _MEMO_TTL)
        api.add_reaction(job.comment_id, "rocket")
        return "+".join(job.commands)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
