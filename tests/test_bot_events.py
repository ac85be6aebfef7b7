"""Pure parts of the App: signatures, event parsing, routing, handlers, slash commands."""
from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from bot.commands import HELP, RECHECK, may_run_commands, parse_commands
from bot.events import Event, EventError, signature, verify_signature
from bot.handlers import HandlerContext, router
from bot.jobs import COMMAND, REVIEW, Job
from bot.routing import Router
from tests.bot_support import payload

CTX = HandlerContext(app_id=29310)


def event(name: str, body: dict, delivery: str = "d-1") -> Event:
    return Event(name, delivery, body)


# --- signatures ---------------------------------------------------------------------------------

def test_signature_matches_githubs_documented_example():
    # https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature("It's a Secret to Everybody", b"Hello, World!") == expected
    assert verify_signature("It's a Secret to Everybody", b"Hello, World!", expected)


@pytest.mark.parametrize("header", [
    None, "", "sha256=", "sha256=00", "sha1=" + hmac.new(b"s", b"{}", hashlib.sha1).hexdigest(),
    hmac.new(b"s", b"{}", hashlib.sha256).hexdigest(),             # no "sha256=" prefix
    "sha256=" + hmac.new(b"other", b"{}", hashlib.sha256).hexdigest(),
])
def test_bad_signatures_are_refused(header):
    assert not verify_signature("s", b"{}", header)


def test_signature_covers_every_byte_and_needs_a_secret():
    sig = signature("s", b'{"a": 1}')
    assert verify_signature("s", b'{"a": 1}', sig)
    assert not verify_signature("s", b'{"a":1}', sig)
    assert not verify_signature("", b'{"a": 1}', signature("", b'{"a": 1}'))


# --- parsing ------------------------------------------------------------------------------------

def test_event_from_http():
    body = json.dumps(payload("pull_request.opened")).encode()
    e = Event.from_http({"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "abc"}, body)
    assert (e.name, e.delivery, e.action, e.repo, e.installation_id) == \
        ("pull_request", "abc", "opened", "Codertocat/Hello-World", 1)


@pytest.mark.parametrize("headers,body,message", [
    ({"X-GitHub-Delivery": "a"}, b"{}", "missing header X-GitHub-Event"),
    ({"X-GitHub-Event": "push"}, b"{}", "missing header X-GitHub-Delivery"),
    ({"X-GitHub-Event": "push", "X-GitHub-Delivery": "a"}, b"{not json", "not valid JSON"),
    ({"X-GitHub-Event": "push", "X-GitHub-Delivery": "a"}, b"[1]", "must be a JSON object"),
    ({"X-GitHub-Event": "push", "X-GitHub-Delivery": "a"}, b"\xff\xfe", "not valid JSON"),
])
def test_event_errors(headers, body, message):
    with pytest.raises(EventError, match=message):
        Event.from_http(headers, body)


# --- routing --------------------------------------------------------------------------------

def test_router_dispatches_by_event_and_action():
    r = Router()
    seen = []

    @r.register("pull_request", action="opened")
    def opened(ev, ctx):
        seen.append("opened")
        return "job-a"

    @r.register("pull_request")
    def any_action(ev, ctx):
        seen.append("any")
        return ["job-b", "job-c"]

    assert r.dispatch(event("pull_request", {"action": "opened"})) == ["job-b", "job-c", "job-a"]
    assert r.dispatch(event("pull_request", {"action": "closed"})) == ["job-b", "job-c"]
    assert not r.handles(event("push", {}))
    assert r.routes == [("pull_request", None), ("pull_request", "opened")]


def test_the_bots_routes_match_the_contract():
    assert router.routes == [
        ("check_run", "rerequested"), ("check_suite", "rerequested"), ("installation", None),
        ("issue_comment", "created"), ("pull_request", "opened"), ("pull_request", "ready_for_review"),
        ("pull_request", "reopened"), ("pull_request", "synchronize")]


# --- handlers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened",
                                  "pull_request.ready_for_review"])
def test_pull_request_events_become_review_jobs_with_the_pr_snapshot(name):
    body = payload(name)
    [job] = router.dispatch(event("pull_request", body), CTX)
    pr = body["pull_request"]
    assert job == Job(REVIEW, "Codertocat/Hello-World", body["installation"]["id"], "d-1", name,
                      number=pr["number"], head_sha=pr["head"]["sha"], base_ref=pr["base"]["ref"],
                      base_sha=pr["base"]["sha"], draft=pr["draft"])
    assert job.has_pull_snapshot and job.supersedes_older
    assert Job.from_dict(json.loads(json.dumps(job.to_dict()))) == job


def test_closed_pull_requests_and_other_actions_make_no_job():
    assert router.dispatch(event("pull_request", payload("pull_request.closed")), CTX) == []
    opened = payload("pull_request.opened")
    assert router.dispatch(event("pull_request", {**opened, "action": "labeled"}), CTX) == []


def test_draft_pull_requests_are_reviewed_too():
    body = payload("pull_request.opened")
    body["pull_request"]["draft"] = True
    [job] = router.dispatch(event("pull_request", body), CTX)
    assert job.draft is True


def test_check_run_rerequested_for_our_app_only_and_fork_style_without_prs():
    body = payload("check_run.rerequested")            # app id 2, pull_requests empty
    body["check_run"]["name"] = "CDK Review"
    assert router.dispatch(event("check_run", body), CTX) == []               # not our app
    [job] = router.dispatch(event("check_run", body), HandlerContext(app_id=2))
    assert (job.kind, job.number, job.head_sha, job.reason) == \
        (REVIEW, None, body["check_run"]["head_sha"], "check_run.rerequested")
    assert not job.supersedes_older and not job.has_pull_snapshot
    body["check_run"]["name"] = "another check"
    assert router.dispatch(event("check_run", body), HandlerContext(app_id=2)) == []


def test_check_suite_rerequested_lists_its_pull_requests():
    body = payload("check_suite.rerequested")          # app 29310, PR #2
    [job] = router.dispatch(event("check_suite", body), CTX)
    assert (job.number, job.head_sha, job.reason) == (2, body["check_suite"]["head_sha"], "check_suite.rerequested")
    assert router.dispatch(event("check_suite", body), HandlerContext(app_id=1)) == []


def test_issue_comment_with_a_command_on_a_pull_request():
    body = payload("issue_comment.created.on-pull-request.derived")
    assert router.dispatch(event("issue_comment", body), CTX) == []           # no command in it
    body["comment"]["body"] = "Thanks!\n/CDK-Review Recheck\n"
    [job] = router.dispatch(event("issue_comment", body), CTX)
    assert (job.kind, job.number, job.comment_id, job.commenter, job.commands) == \
        (COMMAND, 2, body["comment"]["id"], "Codertocat", (RECHECK,))


def test_issue_comments_on_issues_and_from_bots_are_ignored():
    on_issue = payload("issue_comment.created")
    on_issue["comment"]["body"] = "/cdk-review recheck"
    assert router.dispatch(event("issue_comment", on_issue), CTX) == []
    body = payload("issue_comment.created.on-pull-request.derived")
    body["comment"]["body"] = "/cdk-review help"
    bot = json.loads(json.dumps(body))
    bot["comment"]["user"].update(login="cdk-review[bot]", type="Bot")
    assert router.dispatch(event("issue_comment", bot), CTX) == []
    via_us = json.loads(json.dumps(body))
    via_us["comment"]["performed_via_github_app"] = {"id": CTX.app_id}
    assert router.dispatch(event("issue_comment", via_us), CTX) == []


def test_installation_events_are_logged_not_queued(caplog):
    caplog.set_level("INFO")
    assert router.dispatch(event("installation", payload("installation.created")), CTX) == []
    assert "installation 957387: created" in caplog.text


# --- slash commands -------------------------------------------------------------------------------

@pytest.mark.parametrize("body,expected", [
    ("/cdk-review recheck", (RECHECK,)),
    ("LGTM but\n  /CDK-REVIEW RECHECK  \nthanks", (RECHECK,)),
    ("/cdk-review help\n/cdk-review recheck\n/cdk-review help", (HELP, RECHECK)),
    ("/cdk-review", (HELP,)),
    ("/cdk-review frobnicate", (HELP,)),
    ("please run /cdk-review recheck", ()),                 # not at the start of a line
    ("> /cdk-review recheck", ()),                          # quoted in a reply
    ("```\n/cdk-review recheck\n```", ()),                  # inside a code block
    ("/cdk-reviewer recheck", ()),
    ("/cdk-review recheck please", ()),                      # one word only
    ("", ()), (None, ()),
])
def test_parse_commands(body, expected):
    assert parse_commands(body) == expected


@pytest.mark.parametrize("permission,allowed", [("admin", True), ("maintain", True), ("write", True),
                                                ("triage", False), ("read", False), ("none", False), (None, False)])
def test_who_may_run_commands(permission, allowed):
    assert may_run_commands(permission) is allowed
