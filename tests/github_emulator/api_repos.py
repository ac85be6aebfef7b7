"""Apps, repositories, contents, git trees/blobs, commits, compare, permissions."""
from __future__ import annotations

from flask import Response, g, request

from .pipeline import LEVELS, emu, gh_error, gh_json, page_of, route
from .state import diffs_between

RAW_TYPES = ("application/vnd.github.raw", "application/vnd.github.v3.raw")


def _accepts(*types: str) -> bool:
    accept = request.headers.get("Accept", "")
    return any(t in accept for t in types)


# --- the App (JWT) ----------------------------------------------------------------------------

@route("/app", auth="jwt")
def get_app():
    return gh_json(emu().shapes.app(g.installation))


@route("/app/installations/<int:installation_id>", auth="jwt")
def get_installation(installation_id):
    inst = emu().state.installations.get(installation_id)
    if inst is None or inst.app_id != g.installation.app_id:
        return gh_error(404, "Not Found")
    return gh_json(emu().shapes.installation(inst))


@route("/app/installations/<int:installation_id>/access_tokens", ["POST"], auth="jwt")
def create_access_token(installation_id):
    """Installation tokens expire after 1 hour (emulator: `token_ttl`); requested
    permissions must be a subset of the installation's.
    https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"""
    inst = emu().state.installations.get(installation_id)
    if inst is None or inst.app_id != g.installation.app_id:
        return gh_error(404, "Not Found")
    wanted = (g.body or {}).get("permissions") or dict(inst.permissions)
    for name, level in wanted.items():
        if LEVELS.get(inst.permissions.get(name, "none"), 0) < LEVELS.get(level, 99):
            return gh_error(422, "The permissions requested are not granted to this installation.")
    return gh_json(emu().shapes.token(emu().state.new_token(inst, emu().token_ttl, wanted)), 201)


@route("/repos/<owner>/<repo>/installation", auth="jwt")
def get_repo_installation():
    inst = next((i for i in emu().state.installations.values()
                 if i.app_id == g.installation.app_id and i.covers(g.repo)), None)
    if inst is None:
        return gh_error(404, "Not Found")
    return gh_json(emu().shapes.installation(inst))


# --- repository --------------------------------------------------------------------------

@route("/repos/<owner>/<repo>", perm=[("metadata", "read")])
def get_repo():
    return gh_json(emu().shapes.repo(g.repo))


@route("/repos/<owner>/<repo>/collaborators/<username>/permission", perm=[("metadata", "read")])
def get_permission(username):
    """`permission` is admin/write/read/none (maintain -> write, triage -> read),
    `role_name` the role itself. Unknown users: 404."""
    if username not in emu().state.users:
        return gh_error(404, "Not Found")
    return gh_json(emu().shapes.permission(g.repo, username))


def _commit_or_422(ref: str):
    sha = g.repo.resolve(ref)
    if sha is None:
        return None, gh_error(422, f"No commit found for SHA: {ref}")
    return sha, None


@route("/repos/<owner>/<repo>/commits/<path:ref>", perm=[("contents", "read")])
def get_commit(ref):
    sha, err = _commit_or_422(ref)
    if err:
        return err
    c = g.repo.commits[sha]
    files = diffs_between(g.repo, c.parents[0], sha) if c.parents else []
    return gh_json(emu().shapes.commit(g.repo, sha, files[:300]))


@route("/repos/<owner>/<repo>/compare/<path:basehead>", perm=[("contents", "read")],
       op="/repos/{owner}/{repo}/compare/{base}...{head}")
def compare(basehead):
    """Three-dot comparison; at most 300 files (GitHub's diff limit), commits paginated."""
    base_ref, sep, head_ref = basehead.partition("...")
    if not sep:
        return gh_error(404, "Not Found")
    base, head = g.repo.resolve(base_ref), g.repo.resolve(head_ref)
    if base is None or head is None:
        return gh_error(404, f"No commit found for the ref {base_ref if base is None else head_ref}")
    in_base, in_head = set(g.repo.ancestors(base)), g.repo.ancestors(head)
    commits = [s for s in reversed(in_head) if s not in in_base]
    behind = len(in_base - set(in_head))
    mb = g.repo.merge_base(base, head) or base
    files = diffs_between(g.repo, mb, head)[:300]
    link = None
    if "page" in request.args or "per_page" in request.args:
        shown, link = page_of(commits)
    else:
        shown = commits[-250:]
    data = emu().shapes.comparison(g.repo, base, head, shown, len(commits), behind, files, head)
    return gh_json(data, headers={"Link": link} if link else None)


# --- contents and git objects --------------------------------------------------------------

@route("/repos/<owner>/<repo>/contents/", perm=[("contents", "read")], op="/repos/{owner}/{repo}/contents/{path}")
@route("/repos/<owner>/<repo>/contents/<path:path>", perm=[("contents", "read")])
def get_contents(path=""):
    """A file (base64, or raw with application/vnd.github.raw) or a directory listing at
    `ref` (branch, sha, or the default branch). Files over 1 MB come back with
    encoding "none" and empty content, as on GitHub.
    https://docs.github.com/rest/repos/contents#get-repository-content"""
    ref = request.args.get("ref") or g.repo.default_branch
    sha = g.repo.resolve(ref)
    if sha is None:
        return gh_error(404, f"No commit found for the ref {ref}")
    files = g.repo.commits[sha].files
    path = path.strip("/")
    sh = emu().shapes
    if path in files:
        data = files[path]
        if _accepts(*RAW_TYPES):
            return Response(data, mimetype="application/vnd.github.raw")
        out = sh.content_file(g.repo, ref, path, data)
        if len(data) > 1024 * 1024:
            out.update(content="", encoding="none")
        return gh_json(out)
    prefix = f"{path}/" if path else ""
    entries = {}
    for p, data in files.items():
        if p.startswith(prefix):
            name, sep, _ = p[len(prefix):].partition("/")
            entries[name] = ("dir", None) if sep else ("file", data)
    if not entries:
        return gh_error(404, "Not Found")
    tree_entries = _tree_at(g.repo, g.repo.commits[sha].tree, path)
    out = []
    for name, (kind, data) in sorted(entries.items()):
        sub_sha = next(s for _, _, n, s in tree_entries if n == name)
        out.append(sh.dir_entry(g.repo, ref, prefix + name, kind, sub_sha, len(data) if data is not None else 0))
    return gh_json(out)


def _tree_at(repo, tree_sha: str, path: str):
    entries = repo.trees[tree_sha]
    for part in filter(None, path.split("/")):
        tree_sha = next(s for _, kind, n, s in entries if n == part and kind == "tree")
        entries = repo.trees[tree_sha]
    return entries


@route("/repos/<owner>/<repo>/git/trees/<path:tree_sha>", perm=[("contents", "read")])
def get_tree(tree_sha):
    """A tree by tree sha, commit sha or branch; `recursive` set to any value recurses."""
    sha = tree_sha if tree_sha in g.repo.trees else None
    if sha is None:
        commit = g.repo.resolve(tree_sha)
        if commit is None:
            return gh_error(404, "Not Found")
        sha = g.repo.commits[commit].tree
    return gh_json(emu().shapes.tree(g.repo, sha, "recursive" in request.args))


@route("/repos/<owner>/<repo>/git/blobs/<file_sha>", perm=[("contents", "read")])
def get_blob(file_sha):
    if file_sha not in g.repo.blobs:
        return gh_error(404, "Not Found")
    if _accepts(*RAW_TYPES):
        return Response(g.repo.blobs[file_sha], mimetype="application/vnd.github.raw")
    return gh_json(emu().shapes.blob(g.repo, file_sha))
