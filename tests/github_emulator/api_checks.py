"""Check runs. https://docs.github.com/rest/checks/runs

- `head_sha` must be a commit of the repository (422 "No commit found for SHA: ...").
- `output.annotations`: at most 50 per request (schema maxItems -> 422 "No more than 50
  items are allowed; N were supplied."); each PATCH appends to the run's annotations.
- `output.summary` / `output.text`: at most 65535 characters (schema maxLength -> 422
  "Only 65535 characters are allowed; N were supplied.") and 65535 bytes (422 "summary
  exceeds a maximum bytesize of 65535", github/docs#35252).
- `conclusion` is required with `status: completed` or `completed_at`; giving a conclusion
  completes the run; `stale` is GitHub's own; only the App that created a run may update it.
"""
from __future__ import annotations

from datetime import datetime

from flask import g, request

from .pipeline import emu, gh_error, gh_json, paginate, route, validation_failed
from .state import CheckRun, now

WRITE, READ = [("checks", "write")], [("checks", "read")]


def _apply(run: CheckRun, body: dict):
    """Validate and apply a create/update body; returns an error response or None."""
    for field in ("summary", "text"):
        value = (body.get("output") or {}).get(field)
        if value is not None and len(value.encode()) > 65535:
            return validation_failed("CheckRun", [{"code": "custom", "field": field,
                                                   "message": f"{field} exceeds a maximum bytesize of 65535"}])
    conclusion = body.get("conclusion")
    if conclusion == "stale":
        return validation_failed("CheckRun", [{"code": "invalid", "field": "conclusion"}])
    if (body.get("status") == "completed" or body.get("completed_at")) and not conclusion:
        return validation_failed("CheckRun", [{"code": "missing_field", "field": "conclusion"}])
    for key in ("name", "details_url", "external_id"):
        if key in body:
            setattr(run, key, body[key])
    for key in ("started_at", "completed_at"):
        if body.get(key):
            setattr(run, key, datetime.fromisoformat(body[key].replace("Z", "+00:00")))
    if "status" in body:
        run.status = body["status"]
    if conclusion:
        run.status, run.conclusion = "completed", conclusion
    if run.status == "completed" and run.completed_at is None:
        run.completed_at = now()
    if run.status != "queued" and run.started_at is None:
        run.started_at = now()
    output = body.get("output")
    if output:
        run.output.update({k: output[k] for k in ("title", "summary", "text") if k in output})
        run.annotations.extend(output.get("annotations", []))
    return None


@route("/repos/<owner>/<repo>/check-runs", ["POST"], perm=WRITE)
def create_check_run():
    st, body = emu().state, g.body
    if body["head_sha"] not in g.repo.commits:
        return gh_error(422, f"No commit found for SHA: {body['head_sha']}")
    suite_key = (g.repo.id, body["head_sha"], g.installation.app_id)  # one suite per commit and App
    if suite_key not in st.check_suites:
        st.check_suites[suite_key] = st.next_id("check_suite", 5000001)
    run = CheckRun(st.next_id("check_run", 4000001), g.repo, body["name"], body["head_sha"],
                   g.installation.app_id, check_suite_id=st.check_suites[suite_key], started_at=now())
    err = _apply(run, body)
    if err:
        return err
    st.check_runs[run.id] = run
    return gh_json(emu().shapes.check_run(run), 201)


def _run(check_run_id: int):
    run = emu().state.check_runs.get(check_run_id)
    return run, (None if run and run.repo is g.repo else gh_error(404, "Not Found"))


@route("/repos/<owner>/<repo>/check-runs/<int:check_run_id>", ["GET", "PATCH"], perm=READ)
def check_run(check_run_id):
    run, err = _run(check_run_id)
    if err:
        return err
    if request.method == "PATCH":
        if g.token.permissions.get("checks") not in ("write", "admin"):
            return gh_error(403, "Resource not accessible by integration")
        if run.app_id != g.installation.app_id:
            return gh_error(403, f"Invalid app_id `{g.installation.app_id}` - check run can only be modified by "
                                 "the GitHub App that created it.")
        # validate on a copy so that a refused update changes nothing
        trial = CheckRun(**{**run.__dict__, "output": dict(run.output), "annotations": list(run.annotations)})
        err = _apply(trial, g.body or {})
        if err:
            return err
        run.__dict__.update(trial.__dict__)
    return gh_json(emu().shapes.check_run(run))


@route("/repos/<owner>/<repo>/check-runs/<int:check_run_id>/annotations", perm=READ)
def list_annotations(check_run_id):
    run, err = _run(check_run_id)
    if err:
        return err
    return paginate(run.annotations, shape=lambda a: emu().shapes.annotation(run, a))


@route("/repos/<owner>/<repo>/commits/<path:ref>/check-runs", perm=READ)
def list_for_ref(ref):
    """Filters: check_name, status, app_id, filter=latest (default: newest run per name) | all."""
    sha = g.repo.resolve(ref)
    if sha is None:
        return gh_error(422, f"No commit found for SHA: {ref}")
    runs = [r for r in emu().state.check_runs.values() if r.repo is g.repo and r.head_sha == sha]
    args = request.args
    runs = [r for r in runs if args.get("check_name") in (None, r.name) and args.get("status") in (None, r.status)
            and args.get("app_id") in (None, str(r.app_id))]
    if args.get("filter", "latest") == "latest":
        newest = {}
        for r in runs:
            newest[(r.name, r.app_id)] = r
        runs = list(newest.values())
    runs.sort(key=lambda r: -r.id)
    return paginate(runs, wrap="check_runs", shape=emu().shapes.check_run)
