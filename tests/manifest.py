"""app.yml, read for the tests (the App manifest at the repository root)."""
from __future__ import annotations

from pathlib import Path

import yaml

APP_YML = Path(__file__).resolve().parent.parent / "app.yml"


def manifest() -> dict:
    return yaml.safe_load(APP_YML.read_text())


def manifest_permissions() -> dict[str, str]:
    return dict(manifest()["default_permissions"])


# Every GitHub endpoint the bot calls -> the App permission it needs ("jwt": the App's own
# JWT, no installation permission). Where GitHub accepts either of two permissions, the
# first is the one app.yml grants for it.
# https://docs.github.com/rest/authentication/permissions-required-for-github-apps
ENDPOINTS: list[tuple[str, str, tuple[str, str]]] = [
    ("GET", "/app", ("jwt", "")),
    ("POST", "/app/installations/*/access_tokens", ("jwt", "")),
    ("POST", "/repos/*/*/check-runs", ("checks", "write")),
    ("PATCH", "/repos/*/*/check-runs/*", ("checks", "write")),
    ("GET", "/repos/*/*/pulls", ("pull_requests", "read")),
    ("GET", "/repos/*/*/pulls/*", ("pull_requests", "read")),
    ("GET", "/repos/*/*/pulls/*/files", ("pull_requests", "read")),
    ("GET", "/repos/*/*/pulls/*/comments", ("pull_requests", "read")),
    ("GET", "/repos/*/*/pulls/*/reviews", ("pull_requests", "read")),
    ("POST", "/repos/*/*/pulls/*/reviews", ("pull_requests", "write")),
    ("DELETE", "/repos/*/*/pulls/*/reviews/*", ("pull_requests", "write")),
    ("PATCH", "/repos/*/*/pulls/comments/*", ("pull_requests", "write")),
    ("GET", "/repos/*/*/contents/*", ("contents", "read")),
    ("GET", "/repos/*/*/git/trees/*", ("contents", "read")),
    ("GET", "/repos/*/*/git/blobs/*", ("contents", "read")),
    ("GET", "/repos/*/*/collaborators/*/permission", ("metadata", "read")),
    ("POST", "/repos/*/*/issues/comments/*/reactions", ("issues", "write")),
    ("POST", "/repos/*/*/issues/*/comments", ("issues", "write")),
]
_LEVELS = {"read": 1, "write": 2, "admin": 3}


def _segments_match(pattern: str, path: str) -> bool:
    """'*' stands for exactly one path segment (a file path for contents/*)."""
    p, s = pattern.strip("/").split("/"), path.strip("/").split("/")
    if p[-1] == "*" and "contents" in p:
        return len(s) >= len(p) and all(a in ("*", b) for a, b in zip(p[:-1], s))
    return len(p) == len(s) and all(a in ("*", b) for a, b in zip(p, s))


def permission_for(method: str, path: str) -> tuple[str, str] | None:
    for m, pattern, perm in ENDPOINTS:
        if m == method and _segments_match(pattern, path):
            return perm
    return None


def granted(perm: tuple[str, str], permissions: dict[str, str]) -> bool:
    name, level = perm
    return name == "jwt" or _LEVELS.get(permissions.get(name, ""), 0) >= _LEVELS[level]
