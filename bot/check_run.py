"""The `CDK Review` check run: title, summary, annotations, conclusion (pure rendering).

Pass the findings on changed lines (`bot.review.findings_on_changed_lines`).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar
from urllib.parse import quote

from bot.markdown import code, inline, plural
from rules.findings import Finding
from rules.taxonomy import Category, Severity, Subcategory

CHECK_RUN_NAME = "CDK Review"
SUMMARY_LIMIT = 65535           # GitHub's maxLength for output.summary (we count UTF-8 bytes)
ANNOTATIONS_PER_REQUEST = 50
_TEXT_LIMIT = 64 * 1024 - 1     # annotation message / raw_details (bytes)
_TITLE_LIMIT = 255              # annotation title
_MESSAGE_IN_SUMMARY = 300
_MAX_NOTES = 20
_LEVEL = {"error": "failure", "warning": "warning", "notice": "notice"}
_SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.NOTICE)

T = TypeVar("T")


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def _counts(findings: Sequence[Finding]) -> str:
    by = Counter(f.severity.value for f in findings)
    return ", ".join(plural(by[s.value], s.value) for s in _SEVERITIES if by[s.value])


# --------------------------------------------------------------------------- conclusion

def conclusion(findings: Iterable[Finding], *, fail_on, cdk_files_changed: bool,
               draft: bool = False, draft_conclusion: str = "neutral") -> str:
    """'success' | 'failure' | 'neutral' (CONTRACT.md): neutral when no CDK file
    changed, and for draft pull requests unless the config says
    `draft_conclusion: normal`; failure when a finding is at/above `fail_on`
    (a Severity, 'error'|'warning'|'notice', or 'never')."""
    if not cdk_files_changed:
        return "neutral"
    if draft and draft_conclusion != "normal":
        return "neutral"
    fail_on = getattr(fail_on, "value", fail_on)
    if fail_on == "never":
        return "success"
    threshold = Severity(fail_on).rank
    return "failure" if any(f.severity.rank >= threshold for f in findings) else "success"


# --------------------------------------------------------------------------- title

def check_title(findings: Sequence[Finding], *, cdk_files_changed: bool = True) -> str:
    if not cdk_files_changed:
        return "No CDK files changed"
    if not findings:
        return "No findings on changed lines"
    return f"{plural(len(findings), 'finding')} on changed lines: {_counts(findings)}"


# --------------------------------------------------------------------------- summary

def _short(sha: str) -> str:
    is_sha = len(sha) >= 7 and all(c in "0123456789abcdef" for c in sha.lower())
    return code(sha[:7]) if is_sha else sha


def _size(lines: Iterable[str]) -> int:
    return sum(len(line.encode()) + 1 for line in lines)


def _location(f: Finding, repo_url: str | None, head_sha: str) -> str:
    text = code(f"{f.path}:{f.line}")
    if not repo_url or not head_sha:
        return text
    anchor = f"#L{f.line}" + (f"-L{f.end_line}" if f.end_line > f.line else "")
    return f"[{text}]({repo_url.rstrip('/')}/blob/{head_sha}/{quote(f.path)}{anchor})"


def _row(f: Finding, repo_url: str | None, head_sha: str) -> str:
    return (f"- {_location(f, repo_url, head_sha)} · `{f.rule_id}` · {f.severity.value} · "
            f"{inline(f.message, limit=_MESSAGE_IN_SUMMARY)}")


def _table(findings: Sequence[Finding]) -> list[str]:
    counts = Counter((f.category, f.severity) for f in findings)
    lines = ["| category | errors | warnings | notices |", "|---|--:|--:|--:|"]
    for c in Category:
        lines.append(f"| {c.value} | " + " | ".join(str(counts[(c, s)]) for s in _SEVERITIES) + " |")
    totals = Counter(f.severity for f in findings)
    lines.append("| **total** | " + " | ".join(f"**{totals[s]}**" for s in _SEVERITIES) + " |")
    return lines


def _notes(notes: Sequence[str]) -> list[str]:
    if not notes:
        return []
    lines = ["**Notes**", ""]
    lines += [f"- {inline(n, limit=500)}" for n in notes[:_MAX_NOTES]]
    if len(notes) > _MAX_NOTES:
        lines.append(f"- … and {len(notes) - _MAX_NOTES} more")
    return lines + [""]


def check_summary(findings: Sequence[Finding], *, files_reviewed: int, cdk_files_changed: int,
                  head_sha: str, notes: Sequence[str] = (), repo_url: str | None = None,
                  limit: int = SUMMARY_LIMIT) -> str:
    """Markdown for output.summary: counts by category x severity (all 6 categories),
    notes, then per subcategory (TAXONOMY order) a <details> list of the findings, each
    linking to its lines at `head_sha` when `repo_url` (https://github.com/o/r) is given.
    Cut between list items, never inside one, to stay within `limit` UTF-8 bytes; the
    cut says how many findings are left out (all are in the annotations)."""
    items = _sorted(findings)
    at = f" at {_short(head_sha)}" if head_sha else ""
    if not cdk_files_changed:
        head = [f"No CDK TypeScript file changed{at}: nothing to review.", ""] + _notes(notes)
        return "\n".join(head).rstrip("\n")
    head = [f"Reviewed {plural(files_reviewed, 'changed CDK file')}{at}: "
            f"**{plural(len(items), 'finding')}** on changed lines"
            + (f" ({_counts(items)})." if items else "."), ""]
    head += _table(items) + [""] + _notes(notes)

    blocks = []
    for sub in Subcategory:
        group = [f for f in items if f.subcategory == sub]
        if group:
            opening = [f"<details><summary><b>{sub.value}</b> · {sub.category.value} · "
                       f"{plural(len(group), 'finding')}</summary>", ""]
            blocks.append((opening, [_row(f, repo_url, head_sha) for f in group], ["", "</details>", ""]))

    everything = head + [line for opening, rows, closing in blocks for line in opening + rows + closing]
    if _size(everything) - 2 <= limit:
        return "\n".join(everything).rstrip("\n")
    # It does not fit: fill up while leaving room for the note that says what is left out.
    total = len(items)
    note_room = _size([_cut_note(total, total, limit)])
    out, used, shown = list(head), _size(head), 0
    for opening, rows, closing in blocks:
        room = limit - used - _size(opening) - _size(closing) - note_room
        fit = 0
        for row in rows:
            room -= _size([row])
            if room < 0:
                break
            fit += 1
        if fit:
            out += opening + rows[:fit] + closing
            used += _size(opening) + _size(rows[:fit]) + _size(closing)
            shown += fit
        if fit < len(rows):
            break
    if shown < total:
        out.append(_cut_note(total - shown, total, limit))
    return "\n".join(out).rstrip("\n")


def _cut_note(omitted: int, total: int, limit: int) -> str:
    return (f"**{omitted} of {plural(total, 'finding')} not listed here** (the summary is limited to "
            f"{limit} characters); all of them are in this check run's annotations.")


def diagnostic_notes(diagnostics: Iterable) -> list[str]:
    """Notes for the summary from the analysis' diagnostics (syntax errors, rule crashes)."""
    out = []
    for d in sorted(diagnostics, key=lambda d: (d.path, d.line, d.message)):
        where = f"{d.path}:{d.line}" if d.path and d.line >= 1 else (d.path or "analysis")
        out.append(f"{where}: {d.message}")
    return out


# --------------------------------------------------------------------------- annotations

def annotations(findings: Iterable[Finding]) -> list[dict]:
    """Check-run annotations in GitHub's shape, one per finding (sorted)."""
    out = []
    for f in _sorted(findings):
        title = f"{f.rule_id} {f.rule_name}".strip()
        a = {"path": f.path, "start_line": f.line, "end_line": max(f.end_line, f.line),
             "annotation_level": _LEVEL[f.severity.value],
             "title": _cut(title, _TITLE_LIMIT), "message": _cut(f.message, _TEXT_LIMIT) or f.rule_id}
        if f.end_line <= f.line:
            first = f.snippet.split("\n", 1)[0] if f.snippet else ""
            a["start_column"] = f.column
            a["end_column"] = f.column + max(len(first) - 1, 0)
        if f.remediation:
            a["raw_details"] = _cut(f.remediation, _TEXT_LIMIT)
        out.append(a)
    return out


def _cut(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, cut at a character boundary."""
    data = text.encode()
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def batched(items: Sequence[T], size: int = ANNOTATIONS_PER_REQUEST) -> Iterator[list[T]]:
    """Consecutive chunks of at most `size` items (annotations: 50 per request)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    for i in range(0, len(items), size):
        yield list(items[i:i + size])
