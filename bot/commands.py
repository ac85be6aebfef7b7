"""Slash commands in pull-request comments (pure).

`/cdk-review recheck` and `/cdk-review help`, case-insensitive, each at the start of a
line (leading spaces allowed) anywhere in the comment. Lines inside fenced code blocks
and quoted lines (`> /cdk-review recheck`, as in a reply) are not commands.
"""
from __future__ import annotations

import re

from bot.check_run import CHECK_RUN_NAME

RECHECK, HELP = "recheck", "help"
COMMANDS = (RECHECK, HELP)
_COMMAND = re.compile(r"^[ \t]*/cdk-review(?:[ \t]+(\S+))?[ \t]*$", re.I)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})

HELP_TEXT = f"""**cdk-review** reviews the AWS CDK TypeScript this pull request changes: the \
**{CHECK_RUN_NAME}** check run lists every finding on a changed line, and inline comments \
point at them.

Commands (in a comment of their own line, from people with write access to this repository):

| command | what it does |
|---|---|
| `/cdk-review recheck` | run the review again on the current head commit |
| `/cdk-review help` | show this message |

Configuration: `.github/cdk-review.yml` on the base branch (`fail_on`, `paths`, `rules`). \
To accept a finding on purpose, add `// cdk-review-ignore RULE-ID: reason` on the line or the line above."""


def parse_commands(body: str | None) -> tuple[str, ...]:
    """The commands in a comment, in order, without repeats. An unknown or missing
    subcommand (`/cdk-review`, `/cdk-review foo`) asks for help."""
    found: list[str] = []
    fence: str | None = None
    for line in (body or "").splitlines():
        m = _FENCE.match(line)
        if m:
            marker = m.group(1)[0] * 3
            if fence is None:
                fence = marker
            elif marker == fence:
                fence = None
            continue
        if fence is not None:
            continue
        m = _COMMAND.match(line)
        if m:
            word = (m.group(1) or "").lower()
            command = word if word in COMMANDS else HELP
            if command not in found:
                found.append(command)
    return tuple(found)


def may_run_commands(permission: str | None) -> bool:
    """Collaborator permission (the `permission`/`role_name` of the permission API)."""
    return (permission or "").lower() in WRITE_PERMISSIONS
