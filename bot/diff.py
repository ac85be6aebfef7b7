"""Which lines a change added: from GitHub's PR files list or from a local `git diff`.

Pure functions over data (no GitHub client, no git): the worker passes the JSON entries
of `GET /repos/{o}/{r}/pulls/{n}/files`, `cdk-review diff` passes the text of
`git diff base head`. Both give `{path: FileChange}`.

Only ADDED lines (right side) count as changed: a finding is reported on a pull
request when its line was added by it (reviewdog's `added` filter). Context lines are
on the right side of a hunk too, so they may be part of a multi-line comment range,
which GitHub accepts only when every line of the range is in one hunk (`same_hunk`).
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

STATUSES = ("added", "removed", "modified", "renamed", "copied", "changed", "unchanged")
_DEV_NULL = "/dev/null"


@dataclass(frozen=True)
class FileChange:
    """One changed file of a pull request (or of a local diff).

    `added_lines`: 1-based line numbers in the new file that the change added.
    `hunks`: (first, last) new-file line ranges of the hunks (added + context lines),
    the lines GitHub shows and accepts review comments on.
    `patch_available`: False when GitHub sent no (usable) patch although lines changed
    (very large diffs): then the added lines are unknown, every line of the file counts
    as changed (`is_added`) so the check run still reports on it, and nothing in the file
    can be commented on inline (`commentable`).
    """
    path: str
    status: str
    previous_path: str | None = None
    added_lines: frozenset[int] = frozenset()
    patch_available: bool = True
    hunks: tuple[tuple[int, int], ...] = ()

    @property
    def removed(self) -> bool:
        return self.status == "removed"

    def is_added(self, line: int) -> bool:
        """Did the change add this line (or may it have: patch unavailable)?"""
        if self.removed:
            return False
        return line in self.added_lines if self.patch_available else True

    def hunk_of(self, line: int) -> tuple[int, int] | None:
        for first, last in self.hunks:
            if first <= line <= last:
                return (first, last)
        return None

    def commentable(self, first: int, last: int | None = None) -> bool:
        """Can a review comment cover lines first..last (RIGHT side)? GitHub requires
        the lines to be in the diff, and all of a multi-line range in one hunk."""
        if not self.patch_available or self.removed:
            return False
        hunk = self.hunk_of(first)
        return hunk is not None and (last is None or hunk[0] <= last <= hunk[1])


def paths_to_review(changes: Mapping[str, FileChange], included: Callable[[str], bool]) -> list[str]:
    """The changed files to analyse (sorted): TypeScript (not .d.ts), not removed, and
    included by the repository config (`Config.path_included`). Files they import are
    loaded on demand through the Project's reader, as context, and not reported on."""
    from rules.model.project import is_typescript
    return sorted(p for p, c in changes.items() if not c.removed and is_typescript(p) and included(p))


# --------------------------------------------------------------------------- GitHub

def changes_from_github(entries: Iterable[Mapping]) -> dict[str, FileChange]:
    """`{path: FileChange}` from the entries of GitHub's "list pull request files"."""
    out: dict[str, FileChange] = {}
    for entry in entries:
        change = change_from_github(entry)
        out[change.path] = change
    return out


def change_from_github(entry: Mapping) -> FileChange:
    """One entry of the PR files list. GitHub's `patch` holds only the hunks (no
    `---`/`+++` lines) and is absent for binary files, pure renames and very large diffs."""
    path = entry["filename"]
    status = entry.get("status", "modified")
    previous = entry.get("previous_filename") or None
    patch = entry.get("patch")
    if isinstance(patch, str):
        parsed = _parse_hunks(_with_headers(patch, status))
        if parsed is not None:
            added, hunks = parsed
            return FileChange(path, status, previous, added, True, hunks)
    # No usable patch. When GitHub counts no changed lines (binary file, pure rename,
    # mode change) there is nothing added to know; otherwise the lines are unknown.
    known_empty = entry.get("additions") == 0 and entry.get("deletions", 0) == 0
    if status == "removed":
        known_empty = True
    return FileChange(path, status, previous, frozenset(), known_empty, ())


def _with_headers(patch: str, status: str) -> list[str]:
    """The lines unidiff wants: file headers added; split on '\\n' only (a TypeScript
    line may hold a form feed or U+2028, which str.splitlines would split at)."""
    old = _DEV_NULL if status == "added" else "a/file"
    new = _DEV_NULL if status == "removed" else "b/file"
    body = patch[:-1] if patch.endswith("\n") else patch
    lines = [f"--- {old}\n", f"+++ {new}\n"]
    if body:
        lines += [line + "\n" for line in body.split("\n")]
    return lines


def _parse_hunks(lines: list[str]):
    try:
        patched = PatchSet(lines)
    except UnidiffParseError:
        return None
    if len(patched) > 1:   # a line in the patch looked like a new file header: not ours
        return None
    return _lines_of(patched[0]) if patched else (frozenset(), ())


def _lines_of(patched_file) -> tuple[frozenset[int], tuple[tuple[int, int], ...]]:
    added: set[int] = set()
    hunks: list[tuple[int, int]] = []
    for hunk in patched_file:
        if hunk.target_length:
            hunks.append((hunk.target_start, hunk.target_start + hunk.target_length - 1))
        added.update(line.target_line_no for line in hunk if line.is_added)
    return frozenset(added), tuple(hunks)


# --------------------------------------------------------------------------- git diff

def changes_from_git_diff(text: str) -> dict[str, FileChange]:
    """`{path: FileChange}` from `git diff` output (run it with `--src-prefix=a/
    --dst-prefix=b/ --no-ext-diff --no-textconv -c core.quotePath=false`)."""
    body = text[:-1] if text.endswith("\n") else text
    if not body:
        return {}
    try:
        patch = PatchSet([line + "\n" for line in body.split("\n")])
    except UnidiffParseError as exc:
        raise ValueError(f"cannot parse the diff: {exc}") from None
    out: dict[str, FileChange] = {}
    for pf in patch:
        source, target = _strip(pf.source_file), _strip(pf.target_file)
        if pf.is_removed_file or target == _DEV_NULL:
            status, path, previous = "removed", source, None
        elif pf.source_file == _DEV_NULL:
            status, path, previous = "added", target, None
        elif source != target:
            status, path, previous = "renamed", target, source
        else:
            status, path, previous = "modified", target, None
        added, hunks = _lines_of(pf)
        out[path] = FileChange(path, status, previous, added, True, hunks)
    return out


def _strip(name: str | None) -> str:
    if name in (None, _DEV_NULL):
        return _DEV_NULL
    name = _unquote(name)
    return name[2:] if name[:2] in ("a/", "b/") else name


_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
            '"': '"', "\\": "\\"}


def _unquote(name: str) -> str:
    """Undo git's C-style quoting of unusual file names ("a/tab\\there.ts", octal bytes)."""
    if not (len(name) >= 2 and name.startswith('"') and name.endswith('"')):
        return name
    raw = bytearray()
    body, i = name[1:-1], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
                raw.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            raw += _ESCAPES.get(nxt, nxt).encode()
            i += 2
            continue
        raw += c.encode()
        i += 1
    return raw.decode("utf-8", errors="surrogateescape")


# --------------------------------------------------------------------------- contents

def change_from_contents(path: str, status: str, old: str | None, new: str, *,
                         previous_path: str | None = None) -> FileChange:
    """Added lines by comparing two versions of a file, for when GitHub sends no patch
    (diff too large): exact added lines for the check run, still not commentable."""
    new_lines = new.splitlines()
    if old is None:
        added = frozenset(range(1, len(new_lines) + 1))
    else:
        matcher = difflib.SequenceMatcher(None, old.splitlines(), new_lines, autojunk=False)
        added = frozenset(j + 1 for tag, _i1, _i2, j1, j2 in matcher.get_opcodes()
                          if tag in ("insert", "replace") for j in range(j1, j2))
    return FileChange(path, status, previous_path, added, True, ())


def added_file(path: str, content: bytes | str) -> FileChange:
    """A new file (an untracked file in the working tree): every line added, one hunk."""
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    n = len(text.split("\n")) - (1 if text.endswith("\n") else 0) if text else 0
    return FileChange(path, "added", None, frozenset(range(1, n + 1)), True, ((1, n),) if n else ())
