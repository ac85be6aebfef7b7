"""Inline suppressions: `// cdk-review-ignore ID-or-slug[, ID-or-slug...]: reason`.

The comment goes on the offending line or the line above it (`/* ... */` works too).
A reason is required: without one nothing is suppressed and a notice says why, so that
every silenced finding carries its justification in the code. This module sees only
comment text and line numbers; the parser layer finds the comments.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rules.config import did_you_mean
from rules.findings import Diagnostic, Finding
from rules.taxonomy import Category, Subcategory

DIRECTIVE = "cdk-review-ignore"
_SLUGS = frozenset(s.value for s in Subcategory) | frozenset(c.value for c in Category)
# The directive must open the comment (so prose that mentions it is not one) and be a whole word.
_DIRECTIVE_RE = re.compile(rf"{DIRECTIVE}(?![\w-])(?P<rest>.*)\Z", re.DOTALL)
_EXAMPLE = "// cdk-review-ignore SEC-SG-001: why this is acceptable"


@dataclass(frozen=True)
class Directive:
    first_line: int            # first and last line of the comment itself
    last_line: int
    targets: frozenset[str]    # rule ids and slugs, all known
    reason: str

    def covers(self, line: int) -> bool:
        # the comment's own lines (trailing comment) or the line right after it
        return self.first_line <= line <= self.last_line + 1


@dataclass(frozen=True)
class Suppressions:
    path: str
    directives: tuple[Directive, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()

    def suppresses(self, finding: Finding) -> bool:
        if finding.path != self.path:
            return False
        keys = {finding.rule_id, finding.subcategory.value, finding.category.value}
        return any(d.covers(finding.line) and keys & d.targets for d in self.directives)


def parse_suppressions(comments: Iterable[tuple[int, str]], path: str, *,
                       known_ids: Iterable[str]) -> Suppressions:
    """comments: (1-based start line, raw comment text including `//` or `/* */`) for the
    file at `path`; known_ids: every registered rule id (slugs are added here)."""
    known = frozenset(known_ids) | _SLUGS
    directives: list[Directive] = []
    diagnostics: list[Diagnostic] = []
    for line, text in sorted(comments):
        m = _DIRECTIVE_RE.match(_comment_body(text))
        if not m:
            continue
        last_line = line + text.count("\n")
        ids_part, colon, reason = m.group("rest").partition(":")
        tokens = [t for t in re.split(r"[\s,]+", ids_part) if t]
        reason = " ".join(reason.split())
        if not colon:
            # Without the colon the ids cannot be told apart from the reason.
            named = ", ".join(t for t in tokens if t in known) or "RULE-ID"
            diagnostics.append(_notice(path, line, f"{DIRECTIVE} needs a reason: write "
                                       f"`// {DIRECTIVE} {named}: <why this is acceptable>`; nothing suppressed"))
            continue
        if not tokens:
            diagnostics.append(_notice(path, line, f"{DIRECTIVE} names no rule id or slug: write `{_EXAMPLE}`; "
                                       "nothing suppressed"))
            continue
        for token in tokens:
            if token not in known:
                diagnostics.append(_notice(path, line, f"{DIRECTIVE}: unknown rule id or slug '{token}'"
                                           f"{did_you_mean(token, sorted(known))}"))
        targets = frozenset(t for t in tokens if t in known)
        if not reason:
            diagnostics.append(_notice(path, line, f"{DIRECTIVE} needs a reason: write "
                                       f"`// {DIRECTIVE} {', '.join(tokens)}: <why this is acceptable>`; "
                                       "nothing suppressed"))
            continue
        if targets:
            directives.append(Directive(line, last_line, targets, reason))
    return Suppressions(path, tuple(directives), tuple(diagnostics))


def apply_suppressions(findings: Iterable[Finding],
                       suppressions: Suppressions | Iterable[Suppressions]) -> tuple[list[Finding], list[Diagnostic]]:
    """Drop suppressed findings; return (kept findings, every suppression diagnostic)."""
    sups: Sequence[Suppressions] = [suppressions] if isinstance(suppressions, Suppressions) else list(suppressions)
    by_path = {s.path: s for s in sups}
    kept = [f for f in findings if not (f.path in by_path and by_path[f.path].suppresses(f))]
    diagnostics = [d for s in sups for d in s.diagnostics]
    return kept, diagnostics


def _comment_body(text: str) -> str:
    body = text.strip()
    if body.startswith("//"):
        return body.lstrip("/").strip()
    if body.startswith("/*"):
        body = body[2:]
        if body.endswith("*/"):
            body = body[:-2]
        # drop the ` * ` decoration of block/JSDoc comment lines
        return "\n".join(re.sub(r"^\s*\*+\s?", "", ln) for ln in body.split("\n")).strip()
    return body


def _notice(path: str, line: int, message: str) -> Diagnostic:
    return Diagnostic(path=path, line=line, message=message, level="notice")
