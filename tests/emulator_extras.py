"""Two GitHub endpoints the bot calls that tests/github_emulator does not emulate yet,
registered through the emulator's own `route` decorator (no edit of its files). Import
this module before an emulator starts. To move into tests/github_emulator/api_pulls.py.

- GET /repos/{o}/{r}/pulls (state, sort=updated|created, direction; paginated): a fork
  PR's check_run/check_suite event lists no pull request, the bot finds it by head sha.
  https://docs.github.com/rest/pulls/pulls#list-pull-requests
- DELETE /repos/{o}/{r}/pulls/{n}/reviews/{id}: only a PENDING review of the caller,
  else 422 "Can not delete a non-pending pull request review" (GitHub's wording); its
  comments go with it. The bot deletes the pending reviews it creates to find which
  inline comment GitHub refuses.
  https://docs.github.com/rest/pulls/reviews#delete-a-pending-review-for-a-pull-request
"""
from __future__ import annotations

from flask import g, request

from tests.github_emulator.pipeline import ROUTES, emu, gh_error, gh_json, paginate, route, unprocessable

_PR_READ, _PR_WRITE = [("pull_requests", "read")], [("pull_requests", "write")]


def _registered(rule: str, method: str) -> bool:
    return any(r.rule == rule and method in r.methods for r in ROUTES)


def list_pulls():
    state = request.args.get("state", "open")
    pulls = [p for p in emu().state.pulls_of(g.repo) if state == "all" or p.state == state]
    # the emulator keeps no update time: "updated" orders like "created"
    pulls.sort(key=lambda p: (p.created_at, p.number), reverse=request.args.get("direction", "desc") == "desc")
    return paginate(pulls, shape=emu().shapes.pull)


def delete_pending_review(pull_number, review_id):
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


if not _registered("/repos/<owner>/<repo>/pulls", "GET"):
    route("/repos/<owner>/<repo>/pulls", perm=_PR_READ)(list_pulls)
if not _registered("/repos/<owner>/<repo>/pulls/<int:pull_number>/reviews/<int:review_id>", "DELETE"):
    route("/repos/<owner>/<repo>/pulls/<int:pull_number>/reviews/<int:review_id>", ["DELETE"],
          perm=_PR_WRITE)(delete_pending_review)
