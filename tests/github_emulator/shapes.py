"""GitHub's JSON shapes for the emulator's objects.

Field names, nesting and nullability follow the OpenAPI schemas in
tests/fixtures/github-openapi-subset.json (the tests validate responses against them);
URLs point back at the emulator so that PyGithub can follow them.
"""
from __future__ import annotations

import base64
from urllib.parse import quote

from . import diffs
from .state import (CheckRun, Installation, IssueComment, PullRequest, Reaction, Repo, Review,
                    ReviewComment, State, Token, iso, now)

REPO_URL_TEMPLATES = {
    "archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}", "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}", "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}", "contributors_url": "/contributors",
    "deployments_url": "/deployments", "downloads_url": "/downloads", "events_url": "/events",
    "forks_url": "/forks", "git_commits_url": "/git/commits{/sha}", "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}", "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}", "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}", "keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}",
    "languages_url": "/languages", "merges_url": "/merges", "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}", "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags",
    "teams_url": "/teams", "trees_url": "/git/trees{/sha}",
}
ROLE_TO_PERMISSION = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}


def node_id(kind: str, id_: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{id_}".encode()).decode()


class Shapes:
    def __init__(self, state: State, api: str, web: str) -> None:
        self.s, self.api, self.web = state, api, web
        self.patch_limits = (20000, 500 * 1024)  # lines, bytes of one file's diff

    # --- people and apps -------------------------------------------------------------
    def user(self, login: str) -> dict:
        uid = self.s.user_id(login)
        u = f"{self.api}/users/{quote(login)}"
        return {
            "login": login, "id": uid, "node_id": node_id("User", uid),
            "avatar_url": f"{self.web}/avatars/{uid}", "gravatar_id": "", "url": u,
            "html_url": f"{self.web}/{quote(login)}", "followers_url": f"{u}/followers",
            "following_url": f"{u}/following{{/other_user}}", "gists_url": f"{u}/gists{{/gist_id}}",
            "starred_url": f"{u}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{u}/subscriptions",
            "organizations_url": f"{u}/orgs", "repos_url": f"{u}/repos", "events_url": f"{u}/events{{/privacy}}",
            "received_events_url": f"{u}/received_events",
            "type": "Bot" if login.endswith("[bot]") else "User", "site_admin": False,
        }

    def app(self, inst: Installation) -> dict:
        created = iso(now())
        return {
            "id": inst.app_id, "slug": inst.slug, "node_id": node_id("App", inst.app_id),
            "owner": self.user(inst.account), "name": inst.slug, "description": None,
            "external_url": f"{self.web}/apps/{inst.slug}", "html_url": f"{self.web}/apps/{inst.slug}",
            "created_at": created, "updated_at": created, "permissions": dict(inst.permissions),
            "events": ["pull_request", "check_run", "check_suite", "issue_comment"],
        }

    def app_of(self, app_id: int) -> dict | None:
        inst = next((i for i in self.s.installations.values() if i.app_id == app_id), None)
        return self.app(inst) if inst else None

    def installation(self, inst: Installation) -> dict:
        t = iso(now())
        return {
            "id": inst.id, "account": self.user(inst.account),
            "repository_selection": "all" if inst.repositories is None else "selected",
            "access_tokens_url": f"{self.api}/app/installations/{inst.id}/access_tokens",
            "repositories_url": f"{self.api}/installation/repositories",
            "html_url": f"{self.web}/settings/installations/{inst.id}", "app_id": inst.app_id,
            "target_id": self.s.user_id(inst.account), "target_type": "Organization",
            "permissions": dict(inst.permissions), "events": self.app(inst)["events"],
            "created_at": t, "updated_at": t, "single_file_name": None, "app_slug": inst.slug,
            "suspended_by": None, "suspended_at": None,
        }

    def token(self, tok: Token) -> dict:
        inst = tok.installation
        return {"token": tok.value, "expires_at": iso(tok.expires_at), "permissions": dict(tok.permissions),
                "repository_selection": "all" if inst.repositories is None else "selected"}

    def association(self, repo: Repo, login: str) -> str:
        if login.lower() == repo.owner.lower():
            return "OWNER"
        return "COLLABORATOR" if repo.roles.get(login, "none") != "none" else "NONE"

    def permission(self, repo: Repo, login: str) -> dict:
        role = repo.roles.get(login, "none")
        user = self.user(login) | {"role_name": role, "permissions": {
            "admin": role == "admin", "maintain": role in ("admin", "maintain"),
            "push": role in ("admin", "maintain", "write"), "triage": role != "read" and role != "none",
            "pull": role != "none"}}
        return {"permission": ROLE_TO_PERMISSION.get(role, "none"), "role_name": role, "user": user}

    # --- repositories and git objects -----------------------------------------------------
    def repo(self, repo: Repo, owner: str | None = None) -> dict:
        owner = owner or repo.owner
        full = f"{owner}/{repo.name}"
        u = f"{self.api}/repos/{full}"
        host = self.web.split("://", 1)[1]
        created = iso(next(iter(repo.commits.values())).date) if repo.commits else iso(now())
        out = {k: u + v for k, v in REPO_URL_TEMPLATES.items()}
        out.update({
            "id": repo.id + (500000 if owner != repo.owner else 0), "node_id": node_id("Repository", repo.id),
            "name": repo.name, "full_name": full, "owner": self.user(owner), "private": repo.private,
            "html_url": f"{self.web}/{full}", "description": None, "fork": owner != repo.owner, "url": u,
            "clone_url": f"{self.web}/{full}.git", "git_url": f"git://{host}/{full}.git",
            "ssh_url": f"git@{host}:{full}.git", "svn_url": f"{self.web}/{full}", "mirror_url": None,
            "homepage": None, "language": "TypeScript", "forks": 0, "forks_count": 0,
            "stargazers_count": 0, "watchers_count": 0, "watchers": 0, "size": 1, "open_issues": 0,
            "open_issues_count": 0, "default_branch": repo.default_branch, "has_issues": True,
            "has_projects": False, "has_wiki": False, "has_pages": False, "has_downloads": False,
            "archived": False, "disabled": False, "visibility": "private" if repo.private else "public",
            "license": None, "pushed_at": created, "created_at": created, "updated_at": created,
        })
        return out

    def git_user(self, commit) -> dict:
        return {"name": "Emulator", "email": "emu@example.com", "date": iso(commit.date)}

    def commit(self, repo: Repo, sha: str, files: list[diffs.FileDiff] | None = None) -> dict:
        c = repo.commits[sha]
        u = f"{self.api}/repos/{repo.full_name}"
        out = {
            "url": f"{u}/commits/{sha}", "sha": sha, "node_id": node_id("Commit", int(sha[:8], 16)),
            "html_url": f"{self.web}/{repo.full_name}/commit/{sha}", "comments_url": f"{u}/commits/{sha}/comments",
            "commit": {
                "url": f"{u}/git/commits/{sha}", "author": self.git_user(c), "committer": self.git_user(c),
                "message": c.message, "comment_count": 0,
                "tree": {"sha": c.tree, "url": f"{u}/git/trees/{c.tree}"},
                "verification": {"verified": False, "reason": "unsigned", "payload": None, "signature": None,
                                 "verified_at": None},
            },
            "author": None, "committer": None,
            "parents": [{"sha": p, "url": f"{u}/commits/{p}", "html_url": f"{self.web}/{repo.full_name}/commit/{p}"}
                        for p in c.parents],
        }
        if files is not None:
            adds, dels = sum(f.additions for f in files), sum(f.deletions for f in files)
            out["stats"] = {"additions": adds, "deletions": dels, "total": adds + dels}
            out["files"] = [self.diff_entry(repo, sha, f) for f in files]
        return out

    def diff_entry(self, repo: Repo, ref: str, fd: diffs.FileDiff) -> dict:
        """A file of GET /pulls/N/files, /commits/X and /compare: `patch` omitted for binary
        files and for diffs over 20,000 lines or 500 KB, GitHub's per-file diff limits
        (https://docs.github.com/repositories/creating-and-managing-repositories/repository-limits)."""
        path = quote(fd.filename)
        out = {
            "sha": fd.sha, "filename": fd.filename, "status": fd.status, "additions": fd.additions,
            "deletions": fd.deletions, "changes": fd.additions + fd.deletions,
            "blob_url": f"{self.web}/{repo.full_name}/blob/{ref}/{path}",
            "raw_url": f"{self.web}/{repo.full_name}/raw/{ref}/{path}",
            "contents_url": f"{self.api}/repos/{repo.full_name}/contents/{path}?ref={ref}",
        }
        patch = fd.patch
        max_lines, max_bytes = self.patch_limits
        if patch is not None and patch.count("\n") < max_lines and len(patch.encode()) <= max_bytes:
            out["patch"] = patch
        if fd.previous_filename:
            out["previous_filename"] = fd.previous_filename
        return out

    def content_file(self, repo: Repo, ref: str, path: str, data: bytes) -> dict:
        sha = diffs.blob_sha(data)
        u = f"{self.api}/repos/{repo.full_name}"
        links = {"self": f"{u}/contents/{quote(path)}?ref={ref}", "git": f"{u}/git/blobs/{sha}",
                 "html": f"{self.web}/{repo.full_name}/blob/{ref}/{quote(path)}"}
        encoded = base64.encodebytes(data).decode()  # GitHub wraps base64 at 60 chars per line
        return {"type": "file", "encoding": "base64", "size": len(data), "name": path.rsplit("/", 1)[-1],
                "path": path, "content": encoded, "sha": sha, "url": links["self"], "git_url": links["git"],
                "html_url": links["html"], "download_url": f"{self.web}/{repo.full_name}/raw/{ref}/{quote(path)}",
                "_links": links}

    def dir_entry(self, repo: Repo, ref: str, path: str, kind: str, sha: str, size: int) -> dict:
        u = f"{self.api}/repos/{repo.full_name}"
        git = f"{u}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
        links = {"self": f"{u}/contents/{quote(path)}?ref={ref}", "git": git,
                 "html": f"{self.web}/{repo.full_name}/{'blob' if kind == 'file' else 'tree'}/{ref}/{quote(path)}"}
        return {"type": kind, "size": size, "name": path.rsplit("/", 1)[-1], "path": path, "sha": sha,
                "url": links["self"], "git_url": git, "html_url": links["html"],
                "download_url": f"{self.web}/{repo.full_name}/raw/{ref}/{quote(path)}" if kind == "file" else None,
                "_links": links}

    def tree(self, repo: Repo, sha: str, recursive: bool) -> dict:
        u = f"{self.api}/repos/{repo.full_name}/git"
        entries = []

        def walk(tree_sha: str, prefix: str) -> None:
            for mode, kind, name, s in repo.trees[tree_sha]:
                e = {"path": prefix + name, "mode": mode, "type": kind, "sha": s,
                     "url": f"{u}/{'blobs' if kind == 'blob' else 'trees'}/{s}"}
                if kind == "blob":
                    e["size"] = len(repo.blobs[s])
                entries.append(e)
                if kind == "tree" and recursive:
                    walk(s, f"{prefix}{name}/")

        walk(sha, "")
        return {"sha": sha, "url": f"{u}/trees/{sha}", "tree": entries, "truncated": False}

    def blob(self, repo: Repo, sha: str) -> dict:
        data = repo.blobs[sha]
        return {"sha": sha, "node_id": node_id("Blob", int(sha[:8], 16)), "size": len(data),
                "url": f"{self.api}/repos/{repo.full_name}/git/blobs/{sha}",
                "content": base64.encodebytes(data).decode(), "encoding": "base64"}

    # --- pull requests -----------------------------------------------------------------------
    def _pr_urls(self, pr: PullRequest) -> dict:
        r = pr.repo.full_name
        return {"url": f"{self.api}/repos/{r}/pulls/{pr.number}", "html_url": f"{self.web}/{r}/pull/{pr.number}",
                "issue_url": f"{self.api}/repos/{r}/issues/{pr.number}"}

    def _ref(self, pr: PullRequest, head: bool) -> dict:
        fork_owner = f"{pr.user}" if pr.fork and head else None
        owner = fork_owner or pr.repo.owner
        ref = pr.head_ref if head else pr.base_ref
        return {"label": f"{owner}:{ref}", "ref": ref, "sha": pr.head_sha if head else pr.base_sha,
                "user": self.user(owner), "repo": self.repo(pr.repo, owner)}

    def pull(self, pr: PullRequest) -> dict:
        r = pr.repo.full_name
        urls = self._pr_urls(pr)
        files = pr.files()
        t = iso(pr.created_at)
        out = dict(urls)
        out.update({
            "id": pr.id, "node_id": node_id("PullRequest", pr.id), "number": pr.number, "state": pr.state,
            "locked": False, "title": pr.title, "user": self.user(pr.user), "body": pr.body or None,
            "diff_url": f"{urls['html_url']}.diff", "patch_url": f"{urls['html_url']}.patch",
            "commits_url": f"{urls['url']}/commits", "review_comments_url": f"{urls['url']}/comments",
            "review_comment_url": f"{self.api}/repos/{r}/pulls/comments{{/number}}",
            "comments_url": f"{urls['issue_url']}/comments",
            "statuses_url": f"{self.api}/repos/{r}/statuses/{pr.head_sha}",
            "labels": [], "milestone": None, "active_lock_reason": None, "created_at": t, "updated_at": t,
            "closed_at": None, "merged_at": None, "merge_commit_sha": None, "assignee": None, "assignees": [],
            "requested_reviewers": [], "requested_teams": [],
            "head": self._ref(pr, True), "base": self._ref(pr, False),
            "_links": {k: {"href": v} for k, v in {
                "self": urls["url"], "html": urls["html_url"], "issue": urls["issue_url"],
                "comments": f"{urls['issue_url']}/comments", "review_comments": f"{urls['url']}/comments",
                "review_comment": f"{self.api}/repos/{r}/pulls/comments{{/number}}",
                "commits": f"{urls['url']}/commits", "statuses": f"{self.api}/repos/{r}/statuses/{pr.head_sha}",
            }.items()},
            "author_association": self.association(pr.repo, pr.user), "auto_merge": None, "draft": pr.draft,
            "merged": False, "mergeable": True, "rebaseable": True, "mergeable_state": "draft" if pr.draft else "clean",
            "merged_by": None,
            "comments": sum(c.pr is pr for c in self.s.issue_comments.values()),
            "review_comments": sum(c.pr is pr for c in self.s.review_comments.values()),
            "maintainer_can_modify": False, "commits": len(pr.commits()),
            "additions": sum(f.additions for f in files), "deletions": sum(f.deletions for f in files),
            "changed_files": len(files),
        })
        return out

    def pull_minimal(self, pr: PullRequest) -> dict:
        def side(ref: str, sha: str) -> dict:
            return {"ref": ref, "sha": sha, "repo": {"id": pr.repo.id, "url": f"{self.api}/repos/{pr.repo.full_name}",
                                                    "name": pr.repo.name}}
        return {"id": pr.id, "number": pr.number, "url": self._pr_urls(pr)["url"],
                "head": side(pr.head_ref, pr.head_sha), "base": side(pr.base_ref, pr.base_sha)}

    def issue(self, pr: PullRequest) -> dict:
        urls = self._pr_urls(pr)
        u = urls["issue_url"]
        t = iso(pr.created_at)
        return {
            "id": pr.id + 700000, "node_id": node_id("Issue", pr.id), "url": u, "html_url": urls["html_url"],
            "repository_url": f"{self.api}/repos/{pr.repo.full_name}", "labels_url": f"{u}/labels{{/name}}",
            "comments_url": f"{u}/comments", "events_url": f"{u}/events", "number": pr.number, "state": pr.state,
            "title": pr.title, "body": pr.body or None, "user": self.user(pr.user), "labels": [], "assignee": None,
            "assignees": [], "milestone": None, "locked": False, "active_lock_reason": None,
            "comments": sum(c.pr is pr for c in self.s.issue_comments.values()), "closed_at": None,
            "created_at": t, "updated_at": t, "author_association": self.association(pr.repo, pr.user),
            "draft": pr.draft,
            "pull_request": {"url": urls["url"], "html_url": urls["html_url"], "diff_url": f"{urls['html_url']}.diff",
                             "patch_url": f"{urls['html_url']}.patch", "merged_at": None},
        }

    def reactions_rollup(self, url: str, comment_id: int | None) -> dict:
        counts = {k: 0 for k in ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")}
        for r in self.s.reactions.values():
            if r.comment_id == comment_id:
                counts[r.content] += 1
        return {"url": f"{url}/reactions", "total_count": sum(counts.values()), **counts}

    def review(self, rv: Review) -> dict:
        urls = self._pr_urls(rv.pr)
        html = f"{urls['html_url']}#pullrequestreview-{rv.id}"
        out = {"id": rv.id, "node_id": node_id("PullRequestReview", rv.id), "user": self.user(rv.user),
               "body": rv.body, "state": rv.state, "html_url": html, "pull_request_url": urls["url"],
               "_links": {"html": {"href": html}, "pull_request": {"href": urls["url"]}},
               "commit_id": rv.commit_id, "author_association": self.association(rv.pr.repo, rv.user)}
        if rv.submitted_at:
            out["submitted_at"] = iso(rv.submitted_at)
        return out

    def review_comment(self, c: ReviewComment) -> dict:
        urls = self._pr_urls(c.pr)
        u = f"{self.api}/repos/{c.pr.repo.full_name}/pulls/comments/{c.id}"
        html = f"{urls['html_url']}#discussion_r{c.id}"
        out = {
            "url": u, "pull_request_review_id": c.review_id, "id": c.id,
            "node_id": node_id("PullRequestReviewComment", c.id), "diff_hunk": c.diff_hunk, "path": c.path,
            "commit_id": c.commit_id, "original_commit_id": c.commit_id, "user": self.user(c.user), "body": c.body,
            "created_at": iso(c.created_at), "updated_at": iso(c.updated_at), "html_url": html,
            "pull_request_url": urls["url"], "author_association": self.association(c.pr.repo, c.user),
            "_links": {"self": {"href": u}, "html": {"href": html}, "pull_request": {"href": urls["url"]}},
            "start_line": c.start_line, "original_start_line": c.start_line, "start_side": c.start_side,
            "subject_type": c.subject_type, "reactions": self.reactions_rollup(u, None),
        }
        if c.line is not None:
            out.update(line=c.line, original_line=c.line, side=c.side)
        if c.position is not None:
            out.update(position=c.position, original_position=c.position)
        if c.in_reply_to:
            out["in_reply_to_id"] = c.in_reply_to
        return out

    def issue_comment(self, c: IssueComment) -> dict:
        r = c.pr.repo.full_name
        u = f"{self.api}/repos/{r}/issues/comments/{c.id}"
        out = {"id": c.id, "node_id": node_id("IssueComment", c.id), "url": u, "body": c.body,
               "html_url": f"{self.web}/{r}/pull/{c.pr.number}#issuecomment-{c.id}", "user": self.user(c.user),
               "created_at": iso(c.created_at), "updated_at": iso(c.updated_at),
               "issue_url": f"{self.api}/repos/{r}/issues/{c.pr.number}",
               "author_association": self.association(c.pr.repo, c.user),
               "reactions": self.reactions_rollup(u, c.id), "performed_via_github_app": None}
        if c.via_app is not None:
            out["performed_via_github_app"] = self.app_of(c.via_app)
        return out

    def reaction(self, r: Reaction) -> dict:
        return {"id": r.id, "node_id": node_id("Reaction", r.id), "user": self.user(r.user), "content": r.content,
                "created_at": iso(r.created_at)}

    # --- checks -----------------------------------------------------------------------------
    def check_run(self, run: CheckRun) -> dict:
        r = run.repo.full_name
        u = f"{self.api}/repos/{r}/check-runs/{run.id}"
        prs = [self.pull_minimal(p) for p in self.s.pulls_of(run.repo) if p.head_sha == run.head_sha and not p.fork]
        return {
            "id": run.id, "head_sha": run.head_sha, "node_id": node_id("CheckRun", run.id),
            "external_id": run.external_id or "", "url": u, "html_url": f"{self.web}/{r}/runs/{run.id}",
            "details_url": run.details_url or f"{self.web}/apps/{self.app_of(run.app_id)['slug']}",
            "status": run.status, "conclusion": run.conclusion, "started_at": iso(run.started_at),
            "completed_at": iso(run.completed_at), "name": run.name,
            "output": {"title": run.output.get("title"), "summary": run.output.get("summary"),
                       "text": run.output.get("text"), "annotations_count": len(run.annotations),
                       "annotations_url": f"{u}/annotations"},
            "check_suite": {"id": run.check_suite_id}, "app": self.app_of(run.app_id), "pull_requests": prs,
        }

    def annotation(self, run: CheckRun, a: dict) -> dict:
        return {"path": a["path"], "start_line": a["start_line"], "end_line": a["end_line"],
                "start_column": a.get("start_column"), "end_column": a.get("end_column"),
                "annotation_level": a["annotation_level"], "title": a.get("title") or "", "message": a["message"],
                "raw_details": a.get("raw_details") or "",
                "blob_href": f"{self.web}/{run.repo.full_name}/blob/{run.head_sha}/{quote(a['path'])}"}

    def comparison(self, repo: Repo, base: str, head: str, commits: list[str], ahead: int, behind: int,
                   files: list[diffs.FileDiff], ref_for_files: str) -> dict:
        r = repo.full_name
        mb = repo.merge_base(base, head) or base
        status = "identical" if base == head else "ahead" if behind == 0 else "behind" if ahead == 0 else "diverged"
        return {
            "url": f"{self.api}/repos/{r}/compare/{base}...{head}",
            "html_url": f"{self.web}/{r}/compare/{base}...{head}",
            "permalink_url": f"{self.web}/{r}/compare/{r.split('/')[0]}:{base[:7]}...{r.split('/')[0]}:{head[:7]}",
            "diff_url": f"{self.web}/{r}/compare/{base}...{head}.diff",
            "patch_url": f"{self.web}/{r}/compare/{base}...{head}.patch",
            "base_commit": self.commit(repo, base), "merge_base_commit": self.commit(repo, mb), "status": status,
            "ahead_by": ahead, "behind_by": behind, "total_commits": ahead,
            "commits": [self.commit(repo, s) for s in commits],
            "files": [self.diff_entry(repo, ref_for_files, f) for f in files],
        }
