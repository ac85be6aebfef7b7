"""Git objects and unified diffs, the way git and GitHub compute them.

- Object ids are real git SHA-1s (`blob <len>\\0...`, trees sorted git's way), so a blob
  sha from the emulator equals `git hash-object` of the same bytes.
- Hunks use 3 lines of context and git's header convention (`@@ -l,s +l,s @@`, `,1`
  omitted, `-0,0` for an empty side); hunks closer than 2*context lines are merged, as
  git does; a missing final newline gets `\\ No newline at end of file`.
- `FileDiff.patch` is what GitHub puts in a pull request file's `patch` field: the hunks
  only, no `diff --git`/`---`/`+++` header, no trailing newline.
  https://docs.github.com/rest/pulls/pulls#list-pull-requests-files
- Which lines a review comment may target: RIGHT = added or context lines (new file
  numbers), LEFT = deleted or context lines (old file numbers), all inside a hunk.
  https://docs.github.com/rest/pulls/comments#create-a-review-comment-for-a-pull-request
"""
from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field

CONTEXT = 3
NO_NEWLINE = "\\ No newline at end of file"
RENAME_SIMILARITY = 0.5  # git's default -M50%


def git_sha(kind: str, data: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data).hexdigest()


def blob_sha(data: bytes) -> str:
    return git_sha("blob", data)


def is_binary(data: bytes) -> bool:
    """git's heuristic: a NUL byte in the first 8000 bytes."""
    return b"\0" in data[:8000]


def build_trees(files: dict[str, bytes]) -> tuple[str, dict[str, list[tuple[str, str, str, str]]]]:
    """Hash the directory trees of `files`. Returns (root tree sha, {tree sha: entries}),
    entries being (mode, type, name, sha) in git's order (directories sort as 'name/')."""
    trees: dict[str, list[tuple[str, str, str, str]]] = {}

    def build(prefix: str) -> str:
        names: dict[str, str] = {}
        for path in files:
            if path.startswith(prefix):
                head, sep, _ = path[len(prefix):].partition("/")
                names[head] = "tree" if sep else "blob"
        entries = []
        for name, kind in names.items():
            if kind == "tree":
                entries.append(("040000", "tree", name, build(f"{prefix}{name}/")))
            else:
                entries.append(("100644", "blob", name, blob_sha(files[prefix + name])))
        entries.sort(key=lambda e: e[2] + ("/" if e[1] == "tree" else ""))
        raw = b"".join(f"{m.lstrip('0')} {n}".encode() + b"\0" + bytes.fromhex(s) for m, _, n, s in entries)
        sha = git_sha("tree", raw)
        trees[sha] = entries
        return sha

    return build(""), trees


@dataclass
class DiffLine:
    kind: str  # ' ', '-', '+', or '\\' (no newline marker)
    text: str
    old: int | None  # 1-based line number in the old file
    new: int | None  # 1-based line number in the new file


@dataclass
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def header(self) -> str:
        def rng(start: int, length: int) -> str:
            return str(start) if length == 1 else f"{start},{length}"
        return f"@@ -{rng(self.old_start, self.old_len)} +{rng(self.new_start, self.new_len)} @@"

    def text(self) -> str:
        return "\n".join([self.header] + [ln.kind + ln.text if ln.kind != "\\" else ln.text for ln in self.lines])


def _split(data: bytes | None) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines(keepends=True) if data else []


def diff_hunks(old: bytes | None, new: bytes | None, context: int = CONTEXT) -> list[Hunk]:
    """Unified-diff hunks between two file contents (None = file absent)."""
    a, b = _split(old), _split(new)
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        hunk = Hunk(i1 + 1 if i2 > i1 else i1, i2 - i1, j1 + 1 if j2 > j1 else j1, j2 - j1)

        def emit(kind: str, line: str, o: int | None, n: int | None) -> None:
            hunk.lines.append(DiffLine(kind, line.rstrip("\n"), o, n))
            if not line.endswith("\n"):
                hunk.lines.append(DiffLine("\\", NO_NEWLINE, None, None))

        for tag, p1, p2, q1, q2 in group:
            if tag == "equal":
                for k in range(p2 - p1):
                    emit(" ", a[p1 + k], p1 + k + 1, q1 + k + 1)
                continue
            for k in range(p1, p2):
                emit("-", a[k], k + 1, None)
            for k in range(q1, q2):
                emit("+", b[k], None, k + 1)
        hunks.append(hunk)
    return hunks


@dataclass
class FileDiff:
    """One entry of a pull request's file list."""
    filename: str
    status: str  # added | removed | modified | renamed
    old_data: bytes | None
    new_data: bytes | None
    previous_filename: str | None = None
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def binary(self) -> bool:
        return any(d is not None and is_binary(d) for d in (self.old_data, self.new_data))

    @property
    def sha(self) -> str:
        data = self.new_data if self.new_data is not None else self.old_data
        return blob_sha(data or b"")

    @property
    def additions(self) -> int:
        return sum(ln.kind == "+" for h in self.hunks for ln in h.lines)

    @property
    def deletions(self) -> int:
        return sum(ln.kind == "-" for h in self.hunks for ln in h.lines)

    @property
    def patch(self) -> str | None:
        return "\n".join(h.text() for h in self.hunks) if self.hunks and not self.binary else None

    def locate(self, side: str, line: int) -> tuple[int, int] | None:
        """(hunk index, index of the line inside the hunk) of a commentable line, or None."""
        for hi, hunk in enumerate(self.hunks):
            for li, ln in enumerate(hunk.lines):
                if side == "RIGHT" and ln.kind in " +" and ln.new == line:
                    return hi, li
                if side == "LEFT" and ln.kind in " -" and ln.old == line:
                    return hi, li
        return None

    def position_of(self, hunk_index: int, line_index: int) -> int:
        """GitHub's legacy `position`: lines below the first @@ header, later headers counted."""
        return sum(len(h.lines) + 1 for h in self.hunks[:hunk_index]) + line_index + 1

    def at_position(self, position: int) -> tuple[int, int] | None:
        """Inverse of position_of; None when the position is a header, a marker or outside."""
        for hi, hunk in enumerate(self.hunks):
            if 1 <= position <= len(hunk.lines):
                return (hi, position - 1) if hunk.lines[position - 1].kind != "\\" else None
            position -= len(hunk.lines) + 1
            if position == 0:
                return None
        return None

    def diff_hunk_up_to(self, hunk_index: int, line_index: int) -> str:
        """A review comment's `diff_hunk`: its hunk's header and lines up to the target."""
        hunk = self.hunks[hunk_index]
        lines = [hunk.header] + [ln.kind + ln.text if ln.kind != "\\" else ln.text for ln in hunk.lines[: line_index + 1]]
        return "\n".join(lines)

    def git_text(self) -> str:
        """This file as it appears in `git diff` / GitHub's application/vnd.github.diff."""
        old_name = self.previous_filename or self.filename
        out = [f"diff --git a/{old_name} b/{self.filename}"]
        if self.status == "added":
            out.append("new file mode 100644")
        elif self.status == "removed":
            out.append("deleted file mode 100644")
        elif self.status == "renamed":
            out += [f"rename from {old_name}", f"rename to {self.filename}"]
        old_id = blob_sha(self.old_data)[:7] if self.old_data is not None else "0000000"
        new_id = blob_sha(self.new_data)[:7] if self.new_data is not None else "0000000"
        if self.hunks or self.status != "renamed":
            out.append(f"index {old_id}..{new_id}" + (" 100644" if self.status in ("modified", "renamed") else ""))
        if self.binary:
            out.append(f"Binary files a/{old_name} and b/{self.filename} differ")
        elif self.hunks:
            out.append("--- " + ("/dev/null" if self.old_data is None else f"a/{old_name}"))
            out.append("+++ " + ("/dev/null" if self.new_data is None else f"b/{self.filename}"))
            out += [h.text() for h in self.hunks]
        return "\n".join(out) + "\n"


def _diff(name: str, status: str, old: bytes | None, new: bytes | None, previous: str | None = None) -> FileDiff:
    fd = FileDiff(name, status, old, new, previous)
    if not fd.binary:
        fd.hunks = diff_hunks(old, new)
    return fd


def diff_trees(base: dict[str, bytes], head: dict[str, bytes]) -> list[FileDiff]:
    """Files changed from `base` to `head` (path -> bytes), sorted by path, with git-style
    rename detection (identical content first, then >= 50% similar)."""
    removed = sorted(p for p in base if p not in head)
    added = sorted(p for p in head if p not in base)
    renames: dict[str, str] = {}  # new path -> old path
    by_sha: dict[str, list[str]] = {}
    for p in removed:
        by_sha.setdefault(blob_sha(base[p]), []).append(p)
    for p in added:
        candidates = by_sha.get(blob_sha(head[p]))
        if candidates:
            renames[p] = candidates.pop(0)
    left = [p for p in removed if p not in renames.values()]
    if left and len(left) * len(added) <= 10_000:
        for p in (p for p in added if p not in renames):
            if is_binary(head[p]):
                continue
            best, best_ratio = None, RENAME_SIMILARITY
            for q in left:
                if is_binary(base[q]):
                    continue
                m = difflib.SequenceMatcher(None, _split(base[q]), _split(head[p]), autojunk=False)
                if m.real_quick_ratio() >= best_ratio and m.quick_ratio() >= best_ratio and m.ratio() >= best_ratio:
                    best, best_ratio = q, m.ratio()
            if best:
                renames[p] = best
                left.remove(best)
    out = []
    for p in sorted(set(base) | set(head)):
        if p in renames:
            out.append(_diff(p, "renamed", base[renames[p]], head[p], renames[p]))
        elif p in renames.values():
            continue
        elif p not in head:
            out.append(_diff(p, "removed", base[p], None))
        elif p not in base:
            out.append(_diff(p, "added", None, head[p]))
        elif base[p] != head[p]:
            out.append(_diff(p, "modified", base[p], head[p]))
    return out
