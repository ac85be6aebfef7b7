"""The pull-request review: inline comment bodies and what to post, edit or skip.

Pure functions over data. The GitHub layer lists the PR files (-> bot.diff), the
existing review comments (-> ExistingComment), runs the analysis, calls
`plan_review`, and then posts `plan.to_api(head_sha)` as one review and PATCHes every
`plan.resolved` comment. Nothing here talks to GitHub.

Decisions (see also InlineComment):
- A finding is "on a changed line" when its first line (`finding.line`) was added by
  the pull request (reviewdog's `added` filter). A construct that merely contains an
  edited property is not reported again: rules point at the offending property when
  there is one, so what a change introduces lands on an added line.
- A finding without a suggestion is commented on its first line only (a 30-line
  construct is not highlighted as a whole). A finding with a suggestion is commented
  on exactly the lines the suggestion replaces, `line..end_line` (start_line=line,
  line=end_line) when it spans several; when that range is not inside one hunk GitHub
  would reject it, so the comment goes on the first line without the suggestion block.
- Every comment body ends with `<!-- cdk-review:FINGERPRINT -->`. A finding whose
  fingerprint is in an existing (not yet resolved) comment is not posted again; an
  existing comment whose fingerprint is no longer found anywhere in the analysis is
  edited to say it was fixed ("✅ **Fixed** in <sha>", the header struck through, the
  rest folded, the marker kept at the end); a fixed comment is left alone afterwards,
  and if its finding comes back a new comment is posted.
- At most `max_inline` new comments per review: errors first, then warnings, then
  notices, each by path, line, column, rule id (deterministic); the rest are in the
  check run, and the review body says how many.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.check_run import CHECK_RUN_NAME
from bot.diff import FileChange
from bot.markdown import fence_for, inline, plural
from rules.findings import Finding
from rules.output import INFORMATION_URI

# The rules reference in the repository; the bot's settings may point elsewhere (a fork, GHE).
DOCS_URL = f"{INFORMATION_URI}/blob/main/docs/rules.md"
RESOLVED_PREFIX = "✅ **Fixed**"
_MARKER = "<!-- cdk-review:{} -->"
# Only the marker that closes the body counts: a message that quotes source text can
# not forge one (and inline() escapes `<` anyway).
_MARKER_RE = re.compile(r"<!-- cdk-review:([0-9a-f]{8,64}) -->\s*\Z")
_SUGGESTION_RE = re.compile(r"^(`{3,})suggestion[ \t]*\n.*?^\1[ \t]*(?:\n|\Z)", re.M | re.S)


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class InlineComment:
    """One review comment, in GitHub's line-based form (side RIGHT = the new file).

    `start_line` is None for a single-line comment; otherwise the comment covers
    start_line..line (GitHub shows it under `line`), which is how a suggestion that
    replaces a multi-line finding is posted: start_line = finding.line,
    line = finding.end_line, whatever the number of lines in the suggestion itself.
    """
    path: str
    line: int
    start_line: int | None
    side: str
    body: str
    fingerprint: str

    def to_api(self) -> dict:
        """The entry of `comments` in POST /repos/{o}/{r}/pulls/{n}/reviews."""
        out = {"path": self.path, "line": self.line, "side": self.side, "body": self.body}
        if self.start_line is not None:
            out["start_line"] = self.start_line
            out["start_side"] = self.side
        return out


@dataclass(frozen=True)
class ExistingComment:
    """A review comment already on the pull request (id, path, body from the API).
    Pass only the bot's own comments (filter by author): a marker is just text."""
    id: int
    path: str
    body: str


@dataclass(frozen=True)
class CommentEdit:
    """PATCH /repos/{o}/{r}/pulls/comments/{comment_id} with this body."""
    comment_id: int
    body: str
    fingerprint: str


@dataclass(frozen=True)
class ReviewPlan:
    comments: tuple[InlineComment, ...]   # new inline comments by path, line, then severity
    resolved: tuple[CommentEdit, ...]     # existing comments to mark fixed
    on_changed_lines: int                 # findings on changed lines (all of them)
    previously_commented: int             # ... already in a comment from an earlier push
    over_limit: int                       # ... left out by max_inline
    not_commentable: int                  # ... on lines GitHub takes no comment on
    max_inline: int

    @property
    def not_inline(self) -> int:
        return self.over_limit + self.not_commentable

    @property
    def should_post(self) -> bool:
        """Post a review only when it has new comments (no empty reviews on re-runs)."""
        return bool(self.comments)

    @property
    def body(self) -> str:
        lines = [f"**cdk-review**: {plural(self.on_changed_lines, 'finding')} on lines changed by "
                 "this pull request.", ""]
        lines.append(f"- {plural(len(self.comments), 'new inline comment')} below")
        if self.previously_commented:
            lines.append(f"- {self.previously_commented} already commented on an earlier push")
        if self.not_inline:
            reasons = []
            if self.over_limit:
                reasons.append(f"a review carries at most {self.max_inline} inline comments")
            if self.not_commentable:
                reasons.append(f"{self.not_commentable} on lines GitHub cannot comment on")
            lines.append(f"- {self.not_inline} in the **{CHECK_RUN_NAME}** check run but not inline "
                         f"({'; '.join(reasons)})")
        lines += ["", f"All findings are in the **{CHECK_RUN_NAME}** check run."]
        return "\n".join(lines)

    def without(self, fingerprint: str) -> "ReviewPlan":
        """The plan minus the comment with this fingerprint (GitHub rejected it with
        422): the caller re-posts the review without it; it stays in the check run."""
        kept = tuple(c for c in self.comments if c.fingerprint != fingerprint)
        dropped = len(self.comments) - len(kept)
        return dataclasses.replace(self, comments=kept, not_commentable=self.not_commentable + dropped)

    def to_api(self, commit_id: str) -> dict:
        """The body of POST /repos/{o}/{r}/pulls/{n}/reviews."""
        return {"commit_id": commit_id, "body": self.body, "event": "COMMENT",
                "comments": [c.to_api() for c in self.comments]}


# --------------------------------------------------------------------------- bodies

def marker(fingerprint: str) -> str:
    return _MARKER.format(fingerprint)


def marker_of(body: str) -> str | None:
    """The fingerprint in the marker that ends a comment body, if any."""
    m = _MARKER_RE.search(body or "")
    return m.group(1) if m else None


def is_resolved(body: str) -> bool:
    return (body or "").startswith(RESOLVED_PREFIX)


def why_of(rule) -> str:
    """First paragraph of the rule's "Why is this bad?" section, on one line."""
    if rule is None:
        return ""
    section = (getattr(rule, "sections", None) or {}).get("Why is this bad?", "")
    return " ".join(section.strip().split("\n\n")[0].split())


def docs_link(rule_id: str, docs_url: str = DOCS_URL) -> str:
    """The rule's entry in docs/rules.md (headings `### RULE-ID` -> anchor `#rule-id`)."""
    return f"{docs_url}#{rule_id.lower()}"


def suggestion_block(suggestion: str) -> str:
    """A ```suggestion block replacing the commented lines with `suggestion`."""
    text = suggestion[:-1] if suggestion.endswith("\n") else suggestion
    fence = fence_for(text)
    return f"{fence}suggestion\n{text}\n{fence}" if text else f"{fence}suggestion\n{fence}"


def comment_body(finding: Finding, rule=None, *, docs_url: str = DOCS_URL,
                 with_suggestion: bool = True) -> str:
    """The markdown of one inline comment (`rule`: its registry entry, for *Why*)."""
    name = finding.rule_name or getattr(rule, "name", "") or finding.rule_id
    parts = [f"**`{finding.rule_id}` · {finding.subcategory.value}** · {finding.severity.value}",
             inline(finding.message)]
    why = why_of(rule)
    if why:
        parts.append(f"*Why:* {inline(why)}")
    if finding.remediation:
        parts.append(f"*Fix:* {inline(finding.remediation)}")
    if with_suggestion and finding.suggestion is not None:
        parts.append(suggestion_block(finding.suggestion))
    parts.append(f"[{finding.rule_id} {name}]({docs_link(finding.rule_id, docs_url)})")
    parts.append(marker(finding.fingerprint))
    return "\n\n".join(parts)


def resolved_body(body: str, head_sha: str) -> str:
    """An existing comment's body marked fixed: prefix, struck-through header, the
    original text folded (its suggestion block removed: nothing left to apply), marker."""
    fingerprint = marker_of(body)
    original = _MARKER_RE.sub("", body).rstrip()
    original = _SUGGESTION_RE.sub("", original)
    original = re.sub(r"\n{3,}", "\n\n", original).strip()
    header, _, rest = original.partition("\n")
    where = f" in {head_sha}" if head_sha else ""
    out = [f"{RESOLVED_PREFIX}{where}: cdk-review no longer finds this. ~~{header.strip()}~~"]
    if rest.strip():
        out.append(f"<details><summary>Original comment</summary>\n\n{rest.strip()}\n\n</details>")
    if fingerprint:
        out.append(marker(fingerprint))
    return "\n\n".join(out)


# --------------------------------------------------------------------------- planning

def findings_on_changed_lines(findings: Iterable[Finding],
                              changes: Mapping[str, FileChange]) -> list[Finding]:
    """The findings whose first line the change added (sorted): the check run's and
    the review's findings. A file without a usable patch counts as changed throughout."""
    kept = [f for f in findings if (c := changes.get(f.path)) is not None and c.is_added(f.line)]
    return sorted(kept, key=Finding.sort_key)


def placement(finding: Finding, change: FileChange | None) -> tuple[int, int | None, bool] | None:
    """(line, start_line, with_suggestion) for a comment on this finding, or None when
    GitHub would take no comment there. See the module docstring for the rules."""
    if change is None or not change.is_added(finding.line) or not change.commentable(finding.line):
        return None
    if finding.suggestion is None:
        return (finding.line, None, False)
    if finding.end_line <= finding.line:
        return (finding.line, None, True)
    if change.commentable(finding.line, finding.end_line):
        return (finding.end_line, finding.line, True)
    return (finding.line, None, False)


def _priority(f: Finding):
    return (-f.severity.rank, *f.sort_key())


def plan_review(findings: Sequence[Finding], changes: Mapping[str, FileChange],
                existing: Iterable[ExistingComment] = (), *, max_inline: int = 30,
                head_sha: str = "", registry: Mapping | None = None,
                docs_url: str = DOCS_URL) -> ReviewPlan:
    """What to post for this head commit.

    `findings`: ALL findings of the analysis (not only those on changed lines): an
    existing comment is marked fixed only when its fingerprint is found nowhere.
    `existing`: the bot's comments on the pull request; `head_sha`: named in the
    "Fixed in" text; `registry`: rule id -> Rule (default: rules.registry), for *Why*.
    """
    if registry is None:
        from rules.registry import REGISTRY, all_rules
        all_rules()
        registry = REGISTRY
    current = {f.fingerprint for f in findings}
    active: set[str] = set()
    resolved: dict[int, CommentEdit] = {}
    for comment in sorted(existing, key=lambda c: c.id):
        fp = marker_of(comment.body)
        if fp is None or is_resolved(comment.body):
            continue
        if fp in current:
            active.add(fp)
        else:
            resolved[comment.id] = CommentEdit(comment.id, resolved_body(comment.body, head_sha), fp)

    kept = findings_on_changed_lines(findings, changes)
    previously = sum(1 for f in kept if f.fingerprint in active)
    candidates: list[tuple[Finding, tuple[int, int | None, bool]]] = []
    seen: set[str] = set(active)
    not_commentable = 0
    for f in sorted(kept, key=_priority):
        if f.fingerprint in seen:      # commented before, or a twin of a finding in this plan
            continue
        seen.add(f.fingerprint)
        where = placement(f, changes.get(f.path))
        if where is None:
            not_commentable += 1
        else:
            candidates.append((f, where))
    limit = max(0, max_inline)
    chosen = sorted(candidates[:limit], key=lambda c: (c[0].path, c[1][1] or c[1][0], c[1][0], _priority(c[0])))
    comments = tuple(InlineComment(
        path=f.path, line=line, start_line=start, side="RIGHT",
        body=comment_body(f, registry.get(f.rule_id), docs_url=docs_url, with_suggestion=suggest),
        fingerprint=f.fingerprint) for f, (line, start, suggest) in chosen)
    return ReviewPlan(comments, tuple(resolved.values()), len(kept), previously,
                      len(candidates) - len(chosen), not_commentable, limit)
