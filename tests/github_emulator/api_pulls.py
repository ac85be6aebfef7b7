"""Pull requests, files, reviews, review comments, issue comments and reactions.

Review comments must sit on lines of the pull request's diff (RIGHT: added/context lines
of the new file, LEFT: deleted/context lines of the old file; multi-line: start line in the
same hunk, before the end line). GitHub's answers, as observed in the wild:
- POST /pulls/N/reviews: 422 {"message": "Unprocessable Entity", "errors": ["Line could not
  be resolved"]} and the whole review is rejected (max-sixty/tend#252, 2026); multi-line
  problems: "Pull request review thread start line must precede the end line." and "... must
  be part of the same hunk as the line." (ubuntu/WSL#244, parkerbxyz/suggest-changes#64).
- POST /pulls/N/comments: 422 "Validation Failed" with `pull_request_review_thread.line must
  be part of the diff` + missing `pull_request_review_thread.diff_hunk` (cli/cli#5746);
  a commit outside the PR: `end_commit_oid is not part of the pull request` (octokit.rb#1131).
https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request
"""
from __future__ import annotations

from flask import Response, g, request

from .pipeline import emu, gh_error, gh_json, paginate, route, unprocessable, validation_failed
from .state import IssueComment, Reaction, Review, ReviewComment, now

LINE_NOT_IN_DIFF = "Line could not be resolved"
START_SAME_HUNK = "Pull request review thread start line must be part of the same hunk as the line."
START_PRECEDES = "Pull request review thread start line must precede the end line."
PENDING_EXISTS = "User can only have one pending review per pull request"
NOT_IN_PR = "Pull request review thread end commit oid is not part of the pull request"  # derived wording
BODY_LIMIT = 65536  # "Body is too long (maximum is 65536 characters)"
PR_WRITE, PR_READ = [("pull_requests", "write")], [("pull_requests", "read")]
COMMENT_WRITE = [("issues", "write"), ("pull_requests", "write")]
COMMENT_READ = [("issues", "read"), ("pull_requests", "read")]
DIFF_TYPES = ("application/vnd.github.diff", "application/vnd.github.v3.diff")


def _pr(number: int):
    pr = emu().state.pulls.get((g.repo.full_name.lower(), number))
    return pr, (None if pr else gh_error(404, "Not Found"))


def _too_long(resource: str, body: str | None) -> Response | None:
    if body is not None and len(body) > BODY_LIMIT:
        return validation_failed(resource, [{"code": "custom", "field": "body",
                                             "message": f"body is too long (maximum is {BODY_LIMIT} characters)"}])
    return None


def anchor(files: dict, c: dict) -> tuple[dict | None, list[str]]:
    """Resolve a comment's path/line/side/start_line/position against the diff."""
    fd = files.get(c.get("path"))
    if fd is None:
        return None, [LINE_NOT_IN_DIFF]
    if c.get("subject_type") == "file":
        return {"path": fd.filename, "line": None, "side": None, "start_line": None, "start_side": None,
                "position": None, "diff_hunk": fd.hunks[0].header if fd.hunks else "", "subject_type": "file"}, []
    if c.get("line") is not None:
        side, line = c.get("side") or "RIGHT", c["line"]
        loc = fd.locate(side, line)
    elif c.get("position") is not None:
        loc = fd.at_position(c["position"])
        if loc:
            ln = fd.hunks[loc[0]].lines[loc[1]]
            side, line = ("LEFT", ln.old) if ln.kind == "-" else ("RIGHT", ln.new)
    else:
        loc = None
    if loc is None:
        return None, [LINE_NOT_IN_DIFF]
    start_line, start_side = c.get("start_line"), None
    if start_line is not None:
        start_side = c.get("start_side") or side
        sloc = fd.locate(start_side, start_line)
        if sloc is None or sloc[0] != loc[0]:
            return None, [START_SAME_HUNK]
        if sloc[1] >= loc[1]:
            return None, [START_PRECEDES]
    return {"path": fd.filename, "line": line, "side": side, "start_line": start_line, "start_side": start_side,
            "position": fd.position_of(*loc), "diff_hunk": fd.diff_hunk_up_to(*loc), "subject_type": "line"}, []


def _commit_of(pr, commit_id: str | None) -> str | None:
    sha = commit_id or pr.head_sha
    return sha if sha in pr.commits() or sha == pr.head_sha else None


# --- pull requests ---------------------------------------------------------------------------

@route("/repos/<owner>/<repo>/pulls/<int:pull_number>", perm=PR_READ)
def get_pull(pull_number):
    """JSON by default; the unified diff with Accept: application/vnd.github.diff, refused
    (406) beyond 300 files or 20,000 lines like GitHub."""
    pr, err = _pr(pull_number)
    if err:
        return err
    if any(t in request.headers.get("Accept", "") for t in DIFF_TYPES):
        files = pr.files()
        text = "".join(f.git_text() for f in files)
        for what, limit, count in (("files", 300, len(files)), ("lines", 20000, text.count("\n"))):
            if count > limit:
                return gh_error(406, f"Sorry, the diff exceeded the maximum number of {what} ({limit}). Consider using "
                                "'List pull requests files' API or locally cloning the repository instead.",
                                [{"resource": "PullRequest", "field": "diff", "code": "too_large"}])
        return Response(text, mimetype="application/vnd.github.diff")
    return gh_json(emu().shapes.pull(pr))


@route("/repos/<owner>/<repo>/pulls", perm=PR_READ)
def list_pulls():
    """Filtered by `state` (default open), newest first unless `direction=asc`; the bot
    finds a fork PR by head sha (its check_run events list no pull request).
    https://docs.github.com/rest/pulls/pulls#list-pull-requests"""
    state = request.args.get("state", "open")
    pulls = [p for p in emu().state.pulls_of(g.repo) if state == "all" or p.state == state]
    # the emulator keeps no update time: sort=updated orders like created
    pulls.sort(key=lambda p: (p.created_at, p.number), reverse=request.args.get("direction", "desc") == "desc")
    return paginate(pulls, shape=emu().shapes.pull)


@route("/repos/<owner>/<repo>/pulls/<int:pull_number>/files", perm=PR_READ)
def list_files(pull_number):
    """At most 3000 files in total, paginated (default 30, max 100 per page).
    https://docs.github.com/rest/pulls/pulls#list-pull-requests-files"""
    pr, err = _pr(pull_number)
    if err:
        return err
    return paginate(pr.files(), cap=3000, shape=lambda f: emu().shapes.diff_entry(g.repo, pr.head_sha, f))


@route("/repos/<owner>/<repo>/pulls/<int:pull_number>/commits", perm=PR_READ)
def list_commits(pull_number):
    pr, err = _pr(pull_number)
    if err:
        return err
    return paginate(pr.commits(), cap=250, shape=lambda s: emu().shapes.commit(g.repo, s))


@route("/repos/<owner>/<repo>/issues/<int:issue_number>", perm=COMMENT_READ)
def get_issue(issue_number):
    pr, err = _pr(issue_number)
    return err or gh_json(emu().shapes.issue(pr))


# --- reviews ---------------------------------------------------------------------------------

@route("/repos/<owner>/<repo>/pulls/<int:pull_number>/reviews", ["POST"], perm=PR_WRITE)
def create_review(pull_number):
    """All comments must resolve or the whole review is refused (nothing is stored)."""
    pr, err = _pr(pull_number)
    if err:
        return err
    st, body = emu().state, g.body or {}
    commit = _commit_of(pr, body.get("commit_id"))
    if commit is None:
        return unprocessable(NOT_IN_PR)
    event = body.get("event")
    if not event and any(r.pr is pr and r.user == g.actor and r.state == "PENDING" for r in st.reviews.values()):
        return unprocessable(PENDING_EXISTS)
    files = {f.filename: f for f in pr.files(commit)}
    resolved, reasons = [], []
    for c in body.get("comments", []):
        a, why = anchor(files, c)
        reasons += why
        resolved.append((c, a))
    if reasons:
        return unprocessable(*reasons)
    state = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}.get(event, "PENDING")
    rv = Review(st.next_id("review", 80001), pr, g.actor, body.get("body", ""), state, commit,
                None if state == "PENDING" else now())
    st.reviews[rv.id] = rv
    for c, a in resolved:
        cid = st.next_id("review_comment", 600001)
        st.review_comments[cid] = ReviewComment(cid, pr, rv.id, g.actor, c["body"], commit_id=commit, **a)
    return gh_json(emu().shapes.review(rv))


@route("/repos/<owner>/<repo>/pulls/<int:pull_number>/reviews", perm=PR_READ)
def list_reviews(pull_number):
    pr, err = _pr(pull_number)
    if err:
        return err
    reviews = [r for r in emu().state.reviews.values() if r.pr is pr and (r.state != "PENDING" or r.user == g.actor)]
    return paginate(reviews, shape=emu().shapes.review)


@route("/repos/<owner>/<repo>/pulls/<int:pull_number>/reviews/<int:review_id>", perm=PR_READ)
def get_review(pull_number, review_id):
    rv = emu().state.reviews.get(review_id)
    if rv is None or rv.pr.repo is not g.repo or rv.pr.number != pull_number:
        return gh_error(404, "Not Found")
    return gh_json(emu().shapes.review(rv))


@route("/repos/<owner>/<repo>/pulls/<int:pull_number>/reviews/<int:review_id>", ["DELETE"], perm=PR_WRITE)
def delete_pending_review(pull_number, review_id):
    """Only the caller's PENDING review; its comments go with it.
    https://docs.github.com/rest/pulls/reviews#delete-a-pending-review-for-a-pull-request"""
    st = emu().state
    rv = st.reviews.get(review_id)
    if rv is None or rv.pr.repo is not g.repo or rv.pr.number != pull_number or rv.user != g.actor:
        return gh_error(404, "Not Found")
    if rv.state != "PENDING":
        return unprocessable("Can not delete a non-pending pull request review")
    shape = emu().shapes.review(rv)
    for cid in [c.id for c in st.review_comments.values() if c.review_id == review_id]:
        del st.review_comments[cid]
    del st.reviews[review_id]
    return gh_json(shape)


@route("/repos/<owner>/<repo>/pulls/<int:pull_number>/reviews/<int:review_id>/comments", perm=PR_READ)
def list_review_comments_of_review(pull_number, review_id):
    comments = [c for c in emu().state.review_comments.values() if c.review_id == review_id]
    return paginate(comments, shape=emu().shapes.review_comment)


# --- review comments -----------------------------------------------------------------------------

@route("/repos/<owner>/<repo>/pulls/<int:pull_number>/comments", ["POST"], perm=PR_WRITE)
def create_review_comment(pull_number):
    pr, err = _pr(pull_number)
    if err:
        return err
    st, body = emu().state, g.body
    err = _too_long("PullRequestReviewComment", body["body"])
    if err:
        return err
    if body.get("in_reply_to") is not None:
        return _reply(pr, body["in_reply_to"], body["body"])
    commit = _commit_of(pr, body.get("commit_id"))
    if commit is None:
        return validation_failed("PullRequestReviewComment", [
            {"code": "custom", "field": "end_commit_oid", "message": "end_commit_oid is not part of the pull request"}])
    a, reasons = anchor({f.filename: f for f in pr.files(commit)}, body)
    if reasons:
        field = "line" if reasons == [LINE_NOT_IN_DIFF] else "start_line"
        message = {LINE_NOT_IN_DIFF: "must be part of the diff", START_SAME_HUNK: "must be part of the same hunk as the line.",
                   START_PRECEDES: "must precede the end line."}[reasons[0]]
        errors = [{"code": "custom", "field": f"pull_request_review_thread.{field}",
                   "message": f"pull_request_review_thread.{field} {message}"}]
        if field == "line":
            errors.append({"code": "missing_field", "field": "pull_request_review_thread.diff_hunk"})
        return validation_failed("PullRequestReviewComment", errors)
    cid = st.next_id("review_comment", 600001)
    rid = st.next_id("review", 80001)
    st.reviews[rid] = Review(rid, pr, g.actor, "", "COMMENTED", commit)
    c = st.review_comments[cid] = ReviewComment(cid, pr, rid, g.actor, body["body"], commit_id=commit, **a)
    return gh_json(emu().shapes.review_comment(c), 201)


def _reply(pr, to_id: int, text: str) -> Response:
    st = emu().state
    parent = st.review_comments.get(to_id)
    if parent is None or parent.pr is not pr:
        return gh_error(404, "Not Found")
    cid, rid = st.next_id("review_comment", 600001), st.next_id("review", 80001)
    st.reviews[rid] = Review(rid, pr, g.actor, "", "COMMENTED", parent.commit_id)
    c = ReviewComment(cid, pr, rid, g.actor, text, parent.path, parent.commit_id, parent.side, parent.line,
                      parent.start_line, parent.start_side, parent.position, parent.diff_hunk,
                      parent.subject_type, in_reply_to=parent.in_reply_to or parent.id)
    st.review_comments[cid] = c
    return gh_json(emu().shapes.review_comment(c), 201)


@route("/repos/<owner>/<repo>/pulls/<int:pull_number>/comments/<int:comment_id>/replies", ["POST"], perm=PR_WRITE)
def reply_review_comment(pull_number, comment_id):
    pr, err = _pr(pull_number)
    if err:
        return err
    if not isinstance((g.body or {}).get("body"), str):
        return gh_error(422, 'Invalid request.\n\n"body" wasn\'t supplied.', ['"body" wasn\'t supplied.'])
    return _too_long("PullRequestReviewComment", g.body["body"]) or _reply(pr, comment_id, g.body["body"])


@route("/repos/<owner>/<repo>/pulls/<int:pull_number>/comments", perm=PR_READ)
def list_review_comments(pull_number):
    pr, err = _pr(pull_number)
    if err:
        return err
    comments = [c for c in emu().state.review_comments.values() if c.pr is pr
                and not (emu().state.reviews.get(c.review_id) and emu().state.reviews[c.review_id].state == "PENDING")]
    if request.args.get("direction") == "desc":
        comments.reverse()
    return paginate(comments, shape=emu().shapes.review_comment)


def _review_comment(comment_id: int):
    c = emu().state.review_comments.get(comment_id)
    return c, (None if c and c.pr.repo is g.repo else gh_error(404, "Not Found"))


@route("/repos/<owner>/<repo>/pulls/comments/<int:comment_id>", ["GET", "PATCH", "DELETE"],
       perm=PR_READ)
def review_comment(comment_id):
    c, err = _review_comment(comment_id)
    if err:
        return err
    if request.method != "GET" and g.token.permissions.get("pull_requests") not in ("write", "admin"):
        return gh_error(403, "Resource not accessible by integration")
    if request.method == "DELETE":
        del emu().state.review_comments[comment_id]
        return Response(status=204)
    if request.method == "PATCH":
        err = _too_long("PullRequestReviewComment", g.body["body"])
        if err:
            return err
        c.body, c.updated_at = g.body["body"], now()
    return gh_json(emu().shapes.review_comment(c))


# --- issue comments and reactions ----------------------------------------------------------------

@route("/repos/<owner>/<repo>/issues/<int:issue_number>/comments", ["POST"], perm=COMMENT_WRITE)
def create_issue_comment(issue_number):
    pr, err = _pr(issue_number)
    if err:
        return err
    err = _too_long("IssueComment", g.body["body"])
    if err:
        return err
    st = emu().state
    c = IssueComment(st.next_id("issue_comment", 900001), pr, g.actor, g.body["body"], g.installation.app_id)
    st.issue_comments[c.id] = c
    return gh_json(emu().shapes.issue_comment(c), 201)


@route("/repos/<owner>/<repo>/issues/<int:issue_number>/comments", perm=COMMENT_READ)
def list_issue_comments(issue_number):
    pr, err = _pr(issue_number)
    if err:
        return err
    return paginate([c for c in emu().state.issue_comments.values() if c.pr is pr], shape=emu().shapes.issue_comment)


def _issue_comment(comment_id: int):
    c = emu().state.issue_comments.get(comment_id)
    return c, (None if c and c.pr.repo is g.repo else gh_error(404, "Not Found"))


@route("/repos/<owner>/<repo>/issues/comments/<int:comment_id>", ["GET", "PATCH", "DELETE"], perm=COMMENT_READ)
def issue_comment(comment_id):
    c, err = _issue_comment(comment_id)
    if err:
        return err
    if request.method != "GET" and not any(g.token.permissions.get(p) in ("write", "admin") for p, _ in COMMENT_WRITE):
        return gh_error(403, "Resource not accessible by integration")
    if request.method == "DELETE":
        del emu().state.issue_comments[comment_id]
        return Response(status=204)
    if request.method == "PATCH":
        err = _too_long("IssueComment", g.body["body"])
        if err:
            return err
        c.body, c.updated_at = g.body["body"], now()
    return gh_json(emu().shapes.issue_comment(c))


@route("/repos/<owner>/<repo>/issues/comments/<int:comment_id>/reactions", ["POST"], perm=COMMENT_WRITE)
def create_reaction(comment_id):
    """201 for a new reaction, 200 with the existing one when this user already reacted so."""
    _, err = _issue_comment(comment_id)
    if err:
        return err
    st = emu().state
    same = next((r for r in st.reactions.values() if r.comment_id == comment_id and r.user == g.actor
                 and r.content == g.body["content"]), None)
    if same:
        return gh_json(emu().shapes.reaction(same), 200)
    r = Reaction(st.next_id("reaction", 300001), comment_id, g.actor, g.body["content"])
    st.reactions[r.id] = r
    return gh_json(emu().shapes.reaction(r), 201)


@route("/repos/<owner>/<repo>/issues/comments/<int:comment_id>/reactions", perm=COMMENT_READ)
def list_reactions(comment_id):
    _, err = _issue_comment(comment_id)
    if err:
        return err
    content = request.args.get("content")
    found = [r for r in emu().state.reactions.values() if r.comment_id == comment_id and content in (None, r.content)]
    return paginate(found, shape=emu().shapes.reaction)


@route("/repos/<owner>/<repo>/issues/comments/<int:comment_id>/reactions/<int:reaction_id>", ["DELETE"],
       perm=COMMENT_WRITE)
def delete_reaction(comment_id, reaction_id):
    r = emu().state.reactions.get(reaction_id)
    if r is None or r.comment_id != comment_id:
        return gh_error(404, "Not Found")
    del emu().state.reactions[reaction_id]
    return Response(status=204)
