"""`cdk-review diff`: review what a branch changed, exactly as the bot would on its PR.

The thin shell is `Git` (a few git plumbing commands with fixed arguments, never a
shell, nothing from the repository executed: no external diff, no textconv, no
fsmonitor); everything else is the bot's own pure core: bot.diff for the changed
lines, rules.analyse, bot.review / bot.check_run for what would be posted.

- base: the merge-base of the head with `--base REF` (default: the default branch,
  origin/HEAD, else main, else master): the three-dot diff a pull request shows.
- head: `--head REF`, or by default the working tree (staged, unstaged and untracked
  files not ignored by .gitignore).
- config: `.github/cdk-review.yml` as committed on the base ref (a change cannot
  switch off the checks it is judged by), defaults when there is none.
- paths are relative to the repository root, as on GitHub.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

from bot.check_run import CHECK_RUN_NAME, check_summary, check_title, conclusion, diagnostic_notes
from bot.diff import FileChange, added_file, changes_from_git_diff
from bot.review import ReviewPlan, findings_on_changed_lines, plan_review
from bot.selection import config_source, read_config, select
from rules.config import CONFIG_PATH, Config, ConfigError
from rules.engine import Analysis, analyse
from rules.findings import Finding
from rules.model.project import SKIP_DIRS, is_typescript

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
WORKING_TREE = "working tree"
_DEFAULT_BRANCHES = ("refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master",
                     "refs/remotes/origin/main", "refs/remotes/origin/master")


class DiffError(Exception):
    """A problem the user must fix (not a repository, unknown ref): one line, exit 2."""


# --------------------------------------------------------------------------- git

class Git:
    """Read-only git plumbing in one repository."""

    _CONFIG = ("-c", "core.quotePath=false", "-c", "core.fsmonitor=false")

    def __init__(self, root: str):
        self.root = root

    @classmethod
    def open(cls, directory: str) -> "Git":
        if not os.path.isdir(directory):
            raise DiffError(f"{directory}: no such directory")
        proc = _git(["-C", directory, "rev-parse", "--show-toplevel"])
        top = proc.stdout.decode("utf-8", "surrogateescape").strip()
        if proc.returncode != 0 or not top:
            raise DiffError(f"not a git repository: {directory}")
        return cls(os.path.realpath(top))

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = _git(["-C", self.root, *self._CONFIG, *args])
        if check and proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise DiffError(f"git {args[0]} failed: {message[-1] if message else f'exit {proc.returncode}'}")
        return proc

    def commit(self, ref: str) -> str | None:
        """The commit a ref names, or None."""
        if not ref or ref.startswith("-"):
            return None
        proc = self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and sha else None

    def default_branch(self) -> str | None:
        for ref in _DEFAULT_BRANCHES:
            if self.commit(ref):
                if ref.endswith("/HEAD"):   # name the branch origin/HEAD points at
                    proc = self._run("symbolic-ref", "-q", "--short", ref, check=False)
                    target = proc.stdout.decode().strip()
                    if proc.returncode == 0 and target and self.commit(target):
                        return target
                return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
        return None

    def merge_base(self, a: str, b: str) -> str | None:
        proc = self._run("merge-base", a, b, check=False)
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and sha else None

    def diff(self, base: str, head: str | None) -> str:
        args = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/",
                "--dst-prefix=b/", "--unified=3", "--inter-hunk-context=0", "-M", base]
        if head is not None:
            args.append(head)
        return self._run(*args, "--").stdout.decode("utf-8", "surrogateescape")

    def untracked(self) -> list[str]:
        out = self._run("ls-files", "-z", "--others", "--exclude-standard", "--full-name").stdout
        return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]

    def files(self, commit: str) -> frozenset[str]:
        """Paths of the regular files in a commit."""
        out = self._run("ls-tree", "-r", "-z", "--full-tree", commit).stdout
        paths = set()
        for entry in out.decode("utf-8", "surrogateescape").split("\0"):
            meta, _, path = entry.partition("\t")
            if path and meta.split(" ")[0] in ("100644", "100755"):
                paths.add(path)
        return frozenset(paths)

    def blob(self, commit: str, path: str) -> bytes | None:
        proc = self._run("cat-file", "blob", f"{commit}:{path}", check=False)
        return proc.stdout if proc.returncode == 0 else None


def _git(args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    try:
        return subprocess.run(["git", *args], capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise DiffError("git not found: install git to use `cdk-review diff`") from None


# --------------------------------------------------------------------------- contents

class _Tree:
    """The head side: a commit, or the working tree. Paths are repo-relative."""

    def __init__(self, git: Git, commit: str | None):
        self.git, self.commit = git, commit
        self._files = git.files(commit) if commit else None

    def read(self, rel: str) -> bytes | None:
        if any(part in SKIP_DIRS for part in rel.split("/")):
            return None
        if self.commit is not None:
            return self.git.blob(self.commit, rel) if rel in self._files else None
        full = os.path.realpath(os.path.join(self.git.root, rel))
        if not full.startswith(self.git.root + os.sep) or not os.path.isfile(full):
            return None
        try:
            with open(full, "rb") as fh:
                return fh.read()
        except OSError:
            return None


# --------------------------------------------------------------------------- review

@dataclass
class LocalReview:
    base: str                  # the merge-base commit
    base_ref: str              # the ref the config was read from
    head: str | None           # the head commit, None for the working tree
    config: Config
    changes: dict[str, FileChange]
    analysis: Analysis
    kept: list[Finding]        # findings on changed lines
    cdk_files_changed: int

    def plan(self) -> ReviewPlan:
        return plan_review(self.analysis.findings, self.changes, [],
                           max_inline=self.config.max_inline_comments, head_sha=self.head or "")


def review(repo: str, base_ref: str | None = None, head_ref: str | None = None) -> LocalReview:
    git = Git.open(repo)
    head = None
    if head_ref is not None:
        head = git.commit(head_ref)
        if head is None:
            raise DiffError(f"unknown ref '{head_ref}' in {git.root}")
    tip = head or git.commit("HEAD")
    if tip is None:
        raise DiffError(f"{git.root} has no commits yet")
    if base_ref is None:
        base_ref = git.default_branch()
        if base_ref is None:
            raise DiffError("cannot find the default branch (no origin/HEAD, main or master): pass --base REF")
    base_tip = git.commit(base_ref)
    if base_tip is None:
        raise DiffError(f"unknown ref '{base_ref}' in {git.root}")
    base = git.merge_base(base_tip, tip)
    if base is None:
        raise DiffError(f"'{base_ref}' and '{head_ref or 'HEAD'}' have no common ancestor")

    config = _config_at(git, base_tip, base_ref)
    changes = changes_from_git_diff(git.diff(base, head))
    tree = _Tree(git, head)
    if head is None:
        for rel in git.untracked():
            if rel not in changes and is_typescript(rel) and (content := tree.read(rel)) is not None:
                changes[rel] = added_file(rel, content)

    # The same selection as the App's (bot/selection.py): reviewed files, cdk.json entry points.
    selection = select(changes, config, tree.read, root=git.root)
    analysis = analyse(selection.project, config)
    kept = findings_on_changed_lines(analysis.findings, changes)
    return LocalReview(base, base_ref, head, config, changes, analysis, kept, selection.cdk_files_changed)


def _config_at(git: Git, commit: str, ref: str) -> Config:
    return read_config(git.blob(commit, CONFIG_PATH), config_source(ref))


# --------------------------------------------------------------------------- output

def render_markdown(r: LocalReview) -> str:
    """The inline comments the bot would post (by file, with their lines), the review
    body, then the check run: conclusion, title and summary."""
    plan = r.plan()
    short = r.head[:7] if r.head else WORKING_TREE
    out = [f"# cdk-review diff: {r.base_ref} ({r.base[:7]}) → {short}", "",
           f"## Inline comments ({len(plan.comments)})", ""]
    path = None
    for c in plan.comments:
        if c.path != path:
            path = c.path
            out += [f"### {path}", ""]
        where = f"Lines {c.start_line}–{c.line}" if c.start_line is not None else f"Line {c.line}"
        out += [f"#### {where}", "", c.body, ""]
    if not plan.comments:
        out += ["None.", ""]
    out += ["## Review body", "", plan.body if plan.should_post else "(no review: nothing new to comment on)", ""]
    changed = r.cdk_files_changed
    result = conclusion(r.kept, fail_on=r.config.fail_on, cdk_files_changed=bool(changed))
    out += [f"## Check run `{CHECK_RUN_NAME}`: {result}", "",
            f"**{check_title(r.kept, cdk_files_changed=bool(changed))}**", "",
            check_summary(r.kept, files_reviewed=changed, cdk_files_changed=changed,
                          head_sha=r.head or "", notes=diagnostic_notes(r.analysis.diagnostics))]
    return "\n".join(out)


def render(r: LocalReview, fmt: str, *, color: bool = False) -> str:
    from rules import output
    from rules.registry import all_rules
    diagnostics = r.analysis.diagnostics
    if fmt == "markdown":
        return render_markdown(r)
    if fmt == "json":
        return output.render_json(r.kept, files=r.analysis.files, diagnostics=diagnostics)
    if fmt == "sarif":
        return output.render_sarif(r.kept, rules=all_rules(), diagnostics=diagnostics)
    return output.render_text(r.kept, files=r.analysis.files, diagnostics=diagnostics, color=color)


def run(args) -> int:
    """The `cdk-review diff` command (args: repo, base, head, format)."""
    try:
        result = review(args.repo, args.base, args.head)
    except (DiffError, ConfigError) as exc:
        print(f"cdk-review: {exc}", file=sys.stderr)
        return EXIT_USAGE
    color = args.format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    rendered = render(result, args.format, color=color)
    sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
    return EXIT_FINDINGS if any(result.config.fails(f.severity) for f in result.kept) else EXIT_OK
