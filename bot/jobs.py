"""The one job type the queue carries: plain data, serialisable as a dict (so a job
written by one process can be run by any worker on any machine)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

REVIEW = "review"       # review a pull request (at a head sha, or its current head)
COMMAND = "command"     # slash commands in a pull-request comment


@dataclass(frozen=True)
class Job:
    kind: str
    repo: str                              # owner/name
    installation_id: int
    delivery: str                          # X-GitHub-Delivery of the event that made it
    reason: str                            # "pull_request.opened", "check_run.rerequested", ...
    seq: int = 0                           # index among the jobs of one delivery
    number: int | None = None              # the pull request, when known
    head_sha: str | None = None            # the commit to review, when known
    # What the pull_request event already tells (saves a GET of the pull request):
    base_ref: str | None = None
    base_sha: str | None = None
    draft: bool | None = None
    # Slash commands:
    comment_id: int | None = None
    commenter: str | None = None
    commands: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """Stable across retries of this job, distinct between deliveries."""
        return f"{self.delivery}:{self.seq}"

    @property
    def pr_key(self) -> str | None:
        return f"{self.repo.lower()}#{self.number}" if self.number is not None else None

    @property
    def has_pull_snapshot(self) -> bool:
        """Does the job carry all it needs about the pull request (no GET needed)?"""
        return None not in (self.number, self.head_sha, self.base_ref, self.base_sha, self.draft)

    @property
    def supersedes_older(self) -> bool:
        """A new push: jobs for older head shas of the same PR become obsolete."""
        return self.kind == REVIEW and self.reason.startswith("pull_request.") and self.head_sha is not None \
            and self.number is not None

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["commands"] = list(self.commands)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Job":
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["commands"] = tuple(values.get("commands") or ())
        return cls(**values)
