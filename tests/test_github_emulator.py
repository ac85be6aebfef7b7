"""The GitHub emulator, driven by the real PyGithub client."""
from __future__ import annotations

import time

import github
import jwt
import pytest
import requests
import unidiff
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github import Auth, GithubException, GithubIntegration, GithubRetry
from urllib3.util import Retry

from tests.github_emulator import GitHubEmulator, diffs

FAST = {"seconds_between_requests": None, "seconds_between_writes": None}  # PyGithub throttles writes by 1 s
STACK = "".join(f"line {i}\n" for i in range(1, 31))  # 30 lines


def client(app, **kwargs) -> github.Github:
    """An installation client exactly as the bot builds one: App JWT -> installation token."""
    gi = GithubIntegration(auth=Auth.AppAuth(app.app_id, app.private_key), base_url=app.emulator.url,
                           **{**FAST, **kwargs})
    return gi.get_github_for_installation(app.installation_id)


@pytest.fixture
def pr(github_app):
    """octo/app PR #1: lib/stack.ts line 10 changed, line 25 deleted; lib/new.ts added."""
    emu = github_app.emulator
    emu.add_repo("octo/app", files={"lib/stack.ts": STACK, "README.md": "hello\n"})
    changed = STACK.replace("line 10\n", "line ten\n").replace("line 25\n", "")
    emu.commit("octo/app", "feature", {"lib/stack.ts": changed, "lib/new.ts": "export const x = 1;\n"})
    return emu.open_pull_request("octo/app", "feature")


# --- authentication ---------------------------------------------------------------------------

def test_app_jwt_then_installation_token_then_api_call(github_app, pr):
    gh = client(github_app)
    assert gh.get_repo("octo/app").get_pull(1).head.sha == pr.head_sha
    emu = github_app.emulator
    assert [(r.method, r.path, r.status) for r in emu.requests[:3]] == [
        ("POST", f"/app/installations/{github_app.installation_id}/access_tokens", 201),
        ("GET", "/repos/octo/app", 200), ("GET", "/repos/octo/app/pulls/1", 200)]
    assert emu.requests[0].response["token"].startswith("ghs_")
    emu.assert_clean()


def test_bad_or_missing_credentials_get_401(github_app, pr):
    with pytest.raises(github.BadCredentialsException) as exc:
        github.Github(auth=Auth.Token("ghs_not-a-token"), base_url=github_app.emulator.url, **FAST).get_repo("octo/app")
    assert exc.value.status == 401 and exc.value.data["message"] == "Bad credentials"
    assert exc.value.data["documentation_url"].startswith("https://docs.github.com/")
    with pytest.raises(GithubException) as exc:
        github.Github(base_url=github_app.emulator.url, **FAST).get_repo("octo/app")
    assert exc.value.status == 401 and exc.value.data["message"] == "Requires authentication"


def _raw(emu, method, path, token, **kwargs):
    return requests.request(method, emu.url + path, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_app_endpoints_check_the_jwt(github_app, app_private_key):
    emu, now = github_app.emulator, int(time.time())
    path = f"/app/installations/{github_app.installation_id}/access_tokens"
    key = serialization.load_pem_private_key(app_private_key.encode(), None)

    def sign(claims, key=key):
        return jwt.encode({"iss": str(github_app.app_id), "iat": now - 60, "exp": now + 300, **claims}, key, "RS256")
    assert _raw(emu, "POST", path, sign({})).status_code == 201
    cases = {
        "A JSON web token could not be decoded": [emu.create_token(github_app.installation_id), sign({"iss": "999"}),
                                                  sign({}, _other_key())],
        "'Expiration time' claim ('exp') is too far in the future": [sign({"exp": now + 700})],
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the "
        "assertion expires": [sign({"iat": now - 700, "exp": now - 100})],
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued":
            [sign({"iat": now + 120})],
    }
    for message, tokens in cases.items():
        for token in tokens:
            resp = _raw(emu, "POST", path, token)
            assert (resp.status_code, resp.json()["message"]) == (401, message)


def _other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_expired_tokens_are_refused_and_pygithub_refreshes_them(github_app, pr):
    emu = github_app.emulator
    token = emu.create_token(github_app.installation_id)
    emu.expire_tokens()
    assert _raw(emu, "GET", "/repos/octo/app", token).status_code == 401
    emu.token_ttl = 20  # PyGithub renews tokens 20 s before expires_at: every use renews
    repo = client(github_app).get_repo("octo/app")
    repo.get_pull(1)
    assert emu.count("POST", "/app/installations/*/access_tokens") == 2


def test_installation_scope_and_permissions(github_app, app_private_key, pr):
    emu = github_app.emulator
    emu.add_repo("someone-else/app")
    gh = client(github_app)
    with pytest.raises(github.UnknownObjectException):
        gh.get_repo("someone-else/app")
    readonly = emu.add_installation(777, app_private_key, account="octo", permissions={"metadata": "read",
                                                                                       "pull_requests": "read"})
    gh = github.Github(auth=Auth.Token(emu.create_token(readonly.id)), base_url=emu.url, **FAST)
    with pytest.raises(GithubException) as exc:
        gh.get_repo("octo/app").create_check_run("CDK Review", pr.head_sha)
    assert exc.value.status == 403 and exc.value.data["message"] == "Resource not accessible by integration"


# --- pull request files and pagination -----------------------------------------------------------

def test_pull_files_paginate_with_link_headers(github_app):
    emu = github_app.emulator
    emu.add_repo("octo/app", files={"README.md": "x\n"})
    emu.commit("octo/app", "many", {f"lib/f{i:03}.ts": f"export const v{i} = {i};\n" for i in range(250)})
    emu.open_pull_request("octo/app", "many")
    pull = client(github_app).get_repo("octo/app").get_pull(1)
    assert pull.changed_files == 250
    names = [f.filename for f in pull.get_files()]
    assert names == [f"lib/f{i:03}.ts" for i in range(250)]
    pages = emu.calls("GET", "/repos/octo/app/pulls/1/files")
    assert len(pages) == 9  # 30 per page by default
    first = requests.get(emu.url + "/repos/octo/app/pulls/1/files", params={"per_page": 500},
                         headers={"Authorization": f"token {emu.create_token(github_app.installation_id)}"})
    assert len(first.json()) == 100  # per_page is capped at 100
    assert first.links["next"]["url"].endswith("per_page=100&page=2")
    assert first.links["last"]["url"].endswith("per_page=100&page=3")
    assert client(github_app, per_page=100).get_repo("octo/app").get_pull(1).get_files().totalCount == 250
    emu.assert_clean()


def test_pull_files_stop_at_3000(github_app):
    emu = github_app.emulator
    emu.add_repo("octo/big")
    emu.commit("octo/big", "huge", {f"f{i:04}.txt": "x\n" for i in range(3005)})
    emu.open_pull_request("octo/big", "huge")
    assert len(list(client(github_app, per_page=100).get_repo("octo/big").get_pull(1).get_files())) == 3000


def test_file_entries_have_githubs_shape(github_app, pr):
    emu = github_app.emulator
    emu.commit("octo/app", "feature", {"README.md": None, "docs/readme.md": "hello\n", "logo.png": b"\x89PNG\0\1",
                                       "big.txt": "".join(f"{i}\n" for i in range(5000))})
    emu.patch_limits = (1000, 500 * 1024)  # GitHub: 20,000 lines / 500 KB per file
    files = {f.filename: f for f in client(github_app).get_repo("octo/app").get_pull(1).get_files()}
    assert {n: f.status for n, f in files.items()} == {
        "big.txt": "added", "docs/readme.md": "renamed", "lib/new.ts": "added", "lib/stack.ts": "modified",
        "logo.png": "added"}
    assert files["docs/readme.md"].previous_filename == "README.md"
    stack = files["lib/stack.ts"]
    assert (stack.additions, stack.deletions, stack.changes) == (1, 2, 3)
    assert stack.patch == ("@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n"
                           " line 13\n@@ -22,7 +22,6 @@\n line 22\n line 23\n line 24\n-line 25\n line 26\n line 27\n"
                           " line 28")
    assert files["logo.png"].patch is None and files["big.txt"].patch is None
    assert stack.sha == diffs.blob_sha(STACK.replace("line 10\n", "line ten\n").replace("line 25\n", "").encode())
    assert stack.contents_url.startswith(emu.url + "/repos/octo/app/contents/lib/stack.ts?ref=")
    emu.assert_clean()


def test_full_diff_media_type_parses_with_unidiff_and_has_limits(github_app, pr):
    gh = client(github_app)
    status, _, text = gh.requester.requestJson("GET", "/repos/octo/app/pulls/1",
                                               headers={"Accept": "application/vnd.github.diff"})
    assert status == 200
    patch = unidiff.PatchSet(text)
    assert [(f.path, f.added, f.removed) for f in patch] == [("lib/new.ts", 1, 0), ("lib/stack.ts", 1, 2)]
    github_app.emulator.commit("octo/app", "feature", {f"gen/{i}.ts": "x\n" for i in range(300)})
    status, _, text = gh.requester.requestJson("GET", "/repos/octo/app/pulls/1",
                                               headers={"Accept": "application/vnd.github.diff"})
    assert status == 406 and "maximum number of files (300)" in text


# --- reviews --------------------------------------------------------------------------------------

def test_review_comments_must_be_on_lines_of_the_diff(github_app, pr):
    emu = github_app.emulator
    pull = client(github_app).get_repo("octo/app").get_pull(1)
    ok = [{"path": "lib/stack.ts", "line": 10, "body": "added line"},
          {"path": "lib/stack.ts", "line": 8, "body": "context line"},
          {"path": "lib/stack.ts", "line": 25, "side": "LEFT", "body": "deleted line"},
          {"path": "lib/stack.ts", "start_line": 8, "line": 10, "body": "multi-line"},
          {"path": "lib/new.ts", "position": 1, "body": "legacy position"}]
    pull.create_review(body="CDK Review", event="COMMENT", comments=ok)
    stored = [(c.path, c.line, c.side, c.position) for c in pull.get_review_comments()]
    assert stored == [("lib/stack.ts", 10, "RIGHT", 5), ("lib/stack.ts", 8, "RIGHT", 2),
                      ("lib/stack.ts", 25, "LEFT", 13), ("lib/stack.ts", 10, "RIGHT", 5), ("lib/new.ts", 1, "RIGHT", 1)]
    bad = {"Line could not be resolved": [{"line": 2}, {"line": 28}, {"line": 14, "side": "LEFT"}, {"position": 9},
                                          {"path": "README.md", "line": 1}],
           "Pull request review thread start line must be part of the same hunk as the line.":
               [{"start_line": 10, "line": 24}],
           "Pull request review thread start line must precede the end line.": [{"start_line": 10, "line": 10}]}
    for reason, anchors in bad.items():
        for anchor in anchors:
            comment = {"path": "lib/stack.ts", "body": "x", **anchor}
            with pytest.raises(GithubException) as exc:
                pull.create_review(body="CDK Review", event="COMMENT", comments=[ok[0], comment])
            assert exc.value.status == 422, anchor
            assert exc.value.data["message"] == "Unprocessable Entity" and exc.value.data["errors"] == [reason], anchor
    assert len(emu.reviews("octo/app", 1)) == 1 and len(emu.review_comments("octo/app", 1)) == 5
    emu.assert_clean()


def test_list_pulls_by_state_and_delete_only_pending_reviews(github_app, pr):
    emu = github_app.emulator
    emu.commit("octo/app", "second", {"lib/other.ts": "export const y = 2;\n"})
    second = emu.open_pull_request("octo/app", "second")
    repo = client(github_app).get_repo("octo/app")
    assert [(p.number, p.head.sha) for p in repo.get_pulls()] == [(2, second.head_sha), (1, pr.head_sha)]
    assert [p.number for p in repo.get_pulls(state="all", direction="asc")] == [1, 2]
    assert [p.number for p in repo.get_pulls(state="closed")] == []
    with pytest.raises(GithubException) as exc:
        repo.get_pulls(state="merged").get_page(0)
    assert exc.value.status == 422
    assert [f["reasons"] for f in emu.validation_failures] == [
        ['For \'properties/state\', "merged" is not one of ["open", "closed", "all"].']]
    emu.validation_failures.clear()

    pull = repo.get_pull(1)
    pending = pull.create_review(body="draft", comments=[{"path": "lib/stack.ts", "line": 10, "body": "x"}])
    assert pending.state == "PENDING" and len(emu.review_comments("octo/app", 1)) == 1
    pending.delete()
    assert emu.reviews("octo/app", 1) == [] and emu.review_comments("octo/app", 1) == []
    submitted = pull.create_review(body="done", event="COMMENT")
    with pytest.raises(GithubException) as exc:
        submitted.delete()
    assert exc.value.status == 422
    assert exc.value.data["errors"] == ["Can not delete a non-pending pull request review"]
    emu.assert_clean()


def test_single_review_comment_outside_the_diff(github_app, pr):
    pull = client(github_app).get_repo("octo/app").get_pull(1)
    head = pull.head.sha
    with pytest.raises(GithubException) as exc:
        pull.create_review_comment("x", head, "lib/stack.ts", line=2, side="RIGHT")
    assert exc.value.status == 422 and exc.value.data["message"] == "Validation Failed"
    assert exc.value.data["errors"][0]["message"] == "pull_request_review_thread.line must be part of the diff"
    c = pull.create_review_comment("on the diff", head, "lib/stack.ts", line=10, side="RIGHT")
    assert c.diff_hunk.endswith("+line ten") and c.user.login == "cdk-review[bot]"
    c.edit("fixed <!-- cdk-review:abc -->")
    assert pull.get_review_comment(c.id).body.startswith("fixed")
    c.delete()
    assert pull.get_review_comments().totalCount == 0


# --- check runs -----------------------------------------------------------------------------------

def _annotations(n, start=1):
    return [{"path": "lib/stack.ts", "start_line": i, "end_line": i, "annotation_level": "warning",
             "message": f"finding {i}"} for i in range(start, start + n)]


def test_check_run_annotations_batches_of_50_accumulate(github_app, pr):
    emu = github_app.emulator
    repo = client(github_app).get_repo("octo/app")
    run = repo.create_check_run("CDK Review", pr.head_sha, status="in_progress")
    with pytest.raises(GithubException) as exc:
        run.edit(output={"title": "t", "summary": "s", "annotations": _annotations(51)})
    assert exc.value.status == 422
    assert exc.value.data["message"] == "Invalid request.\n\nNo more than 50 items are allowed; 51 were supplied."
    assert [f["operation"] for f in emu.validation_failures] == ["checks/update"]
    emu.validation_failures.clear()
    run.edit(output={"title": "t", "summary": "s", "annotations": _annotations(50)})
    run.edit(conclusion="failure", output={"title": "t", "summary": "s", "annotations": _annotations(50, 51)})
    run = repo.get_check_run(run.id)
    assert (run.status, run.conclusion, run.output.annotations_count) == ("completed", "failure", 100)
    assert len(list(run.get_annotations())) == 100
    emu.assert_clean()


def test_check_run_summary_limits_and_rules(github_app, pr):
    emu = github_app.emulator
    repo = client(github_app).get_repo("octo/app")
    too_long = {"title": "t", "summary": "x" * 65536}
    too_many_bytes = {"title": "t", "summary": "é" * 40000}  # 40,000 characters, 80,000 bytes
    for output, message in ((too_long, "Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied."),
                            (too_many_bytes, "Validation Failed")):
        with pytest.raises(GithubException) as exc:
            repo.create_check_run("CDK Review", pr.head_sha, output=output)
        assert (exc.value.status, exc.value.data["message"]) == (422, message)
    repo.create_check_run("CDK Review", pr.head_sha, output={"title": "t", "summary": "x" * 65535})
    with pytest.raises(GithubException) as exc:
        repo.create_check_run("CDK Review", pr.head_sha, status="completed")
    assert exc.value.status == 422 and exc.value.data["errors"][0]["field"] == "conclusion"
    with pytest.raises(GithubException) as exc:
        repo.create_check_run("CDK Review", "0" * 40)
    assert exc.value.data["message"] == "No commit found for SHA: " + "0" * 40
    newest = repo.create_check_run("CDK Review", pr.head_sha, conclusion="success")
    repo.create_check_run("other", pr.head_sha)
    runs = repo.get_commit(pr.head_sha).get_check_runs(check_name="CDK Review")
    assert [r.id for r in runs] == [newest.id]  # filter=latest: the newest run per name
    assert [r.number for r in newest.pull_requests] == [1]


# --- request validation -------------------------------------------------------------------------

def test_request_bodies_are_validated_against_the_openapi_description(github_app, pr):
    emu = github_app.emulator
    comment = client(github_app).get_repo("octo/app").get_pull(1).create_issue_comment("hi")
    with pytest.raises(GithubException) as exc:
        comment.create_reaction("thumbsup")
    assert exc.value.status == 422 and exc.value.data["message"].startswith("Invalid request.\n\nFor 'properties/content'")
    assert emu.validation_failures[0]["operation"] == "reactions/create-for-issue-comment"
    with pytest.raises(AssertionError):
        emu.assert_clean()


# --- fault injection and PyGithub's retry ----------------------------------------------------------

def test_5xx_is_retried_with_githubretry(github_app, pr):
    emu = github_app.emulator
    emu.inject_fault("error", method="GET", path="/repos/octo/app/pulls/1", times=2)
    assert client(github_app, retry=GithubRetry(total=3)).get_repo("octo/app").get_pull(1).number == 1
    assert [r.status for r in emu.calls("GET", "/repos/octo/app/pulls/1")] == [502, 502, 200]
    emu.inject_fault("error", method="GET", path="/repos/octo/app/pulls/1", status=503)
    with pytest.raises(GithubException) as exc:
        client(github_app).get_repo("octo/app").get_pull(1)  # GithubIntegration's default: retry=None
    assert exc.value.status == 503


def test_patch_is_not_retried_unless_allowed(github_app, pr):
    emu = github_app.emulator
    run = client(github_app, retry=GithubRetry(total=3)).get_repo("octo/app").create_check_run("CDK Review", pr.head_sha)
    emu.inject_fault("error", method="PATCH", path="/repos/octo/app/check-runs/*")
    with pytest.raises(GithubException):
        run.edit(status="in_progress")  # GithubRetry retries GET/POST/PUT/DELETE..., not PATCH
    retry = GithubRetry(total=3, allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"})
    run = client(github_app, retry=retry).get_repo("octo/app").get_check_run(run.id)
    emu.inject_fault("error", method="PATCH", path="/repos/octo/app/check-runs/*")
    run.edit(status="in_progress")
    assert [r.status for r in emu.calls("PATCH")] == [502, 502, 200]


def test_secondary_rate_limit_waits_retry_after(github_app, pr):
    emu = github_app.emulator
    emu.inject_fault("secondary_rate_limit", method="POST", path="/repos/*/issues/*/comments", retry_after=1)
    pull = client(github_app, retry=GithubRetry(total=3)).get_repo("octo/app").get_pull(1)
    started = time.monotonic()
    pull.create_issue_comment("hello")
    assert time.monotonic() - started >= 1
    calls = emu.calls("POST", "/repos/*/issues/*/comments")
    assert [c.status for c in calls] == [403, 201]
    assert calls[0].response["message"].startswith("You have exceeded a secondary rate limit")


def test_primary_rate_limit(github_app, pr):
    emu = github_app.emulator
    emu.inject_fault("primary_rate_limit", path="/repos/octo/app/pulls/1", reset_in=0)
    assert client(github_app, retry=GithubRetry(total=3)).get_repo("octo/app").get_pull(1).number == 1
    emu.inject_fault("primary_rate_limit", path="/repos/octo/app/pulls/1", reset_in=3600)
    with pytest.raises(github.RateLimitExceededException):
        client(github_app, retry=GithubRetry(total=3, max_rate_limit_wait=10)).get_repo("octo/app").get_pull(1)


def test_dropped_connection(github_app, pr):
    emu = github_app.emulator
    emu.inject_fault("drop", method="GET", path="/repos/octo/app/pulls/1")
    assert client(github_app, retry=GithubRetry(total=3)).get_repo("octo/app").get_pull(1).number == 1
    # the threaded server may log the dropped request after the retried one
    assert sorted((r.status for r in emu.calls("GET", "/repos/octo/app/pulls/1")), key=lambda s: s or 0) == [None, 200]
    emu.inject_fault("drop", method="GET", path="/repos/octo/app/pulls/1")
    with pytest.raises(requests.exceptions.ConnectionError):  # not a GithubException
        client(github_app).get_repo("octo/app").get_pull(1)
    # the response is lost after the comment was created: a retried POST duplicates it
    emu.inject_fault("drop", method="POST", path="/repos/octo/app/issues/1/comments", after=True)
    client(github_app, retry=GithubRetry(total=3)).get_repo("octo/app").get_pull(1).create_issue_comment("once")
    assert [c.body for c in emu.issue_comments("octo/app", 1)] == ["once", "once"]


# --- contents, git, comments, permissions -----------------------------------------------------------

def test_contents_trees_blobs_and_fork_heads(github_app, pr):
    emu = github_app.emulator
    repo = client(github_app).get_repo("octo/app")
    assert repo.get_contents("lib/stack.ts", ref="feature").decoded_content.startswith(b"line 1\n")
    assert repo.get_contents("lib/stack.ts", ref=pr.base_sha).decoded_content == STACK.encode()
    assert sorted(c.path for c in repo.get_contents("lib", ref=pr.head_sha)) == ["lib/new.ts", "lib/stack.ts"]
    with pytest.raises(github.UnknownObjectException):
        repo.get_contents("lib/new.ts", ref="main")
    with pytest.raises(GithubException) as exc:
        repo.get_contents("lib/stack.ts", ref="no-such-branch")
    assert exc.value.status == 404 and exc.value.data["message"] == "No commit found for the ref no-such-branch"
    tree = repo.get_git_tree(pr.head_sha, recursive=True)
    assert [(e.path, e.type) for e in tree.tree] == [("README.md", "blob"), ("lib", "tree"), ("lib/new.ts", "blob"),
                                                     ("lib/stack.ts", "blob")]
    assert tree.tree[0].sha == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object of "hello\n"
    assert repo.get_git_blob(tree.tree[0].sha).content.replace("\n", "") == "aGVsbG8K"
    emu.commit("octo/app", "from-fork", {"lib/stack.ts": "forked\n"})
    fork_pr = emu.open_pull_request("octo/app", "from-fork", fork=True, user="mallory")
    pull = repo.get_pull(fork_pr.number)
    assert pull.head.repo.full_name == "mallory/app" and pull.head.label == "mallory:from-fork"
    with pytest.raises(GithubException, match="No commit found for the ref from-fork"):
        repo.get_contents("lib/stack.ts", ref="from-fork")  # the branch lives in the fork
    assert repo.get_contents("lib/stack.ts", ref=pull.head.sha).decoded_content == b"forked\n"
    assert repo.compare("main", pull.head.sha).ahead_by == 1
    emu.assert_clean()


def test_issue_comments_reactions_and_permissions(github_app, pr):
    emu = github_app.emulator
    emu.set_permission("octo/app", "alice", "maintain")
    emu.set_permission("octo/app", "bob", "triage")
    command = emu.add_issue_comment("octo/app", 1, "/cdk-review recheck", user="alice")
    emu.add_issue_comment("octo/app", 1, "/cdk-review recheck", user="mallory")  # no role on the repo
    repo = client(github_app).get_repo("octo/app")
    assert [c.user.login for c in repo.get_pull(1).get_issue_comments()] == ["alice", "mallory"]
    assert [repo.get_collaborator_permission(u) for u in ("alice", "bob", "mallory")] == ["write", "read", "none"]
    with pytest.raises(github.UnknownObjectException):
        repo.get_collaborator_permission("nobody")
    comment = repo.get_pull(1).get_issue_comment(command.id)
    comment.create_reaction("eyes")
    comment.create_reaction("eyes")  # GitHub answers 200 with the existing reaction
    assert [r.content for r in emu.reactions(command.id)] == ["eyes"]
    assert [c.status for c in emu.calls("POST", "/repos/octo/app/issues/comments/*/reactions")] == [201, 200]
    reply = repo.get_pull(1).create_issue_comment("Re-running the review")
    reply.edit("Done")
    assert [c.body for c in emu.issue_comments("octo/app", 1)][-1] == "Done"
    with pytest.raises(GithubException) as exc:
        repo.get_pull(1).create_issue_comment("x" * 65537)
    assert exc.value.status == 422
    emu.assert_clean()


def test_ghe_style_api_prefix(app_private_key):
    with GitHubEmulator(api_prefix="/api/v3") as emu:
        inst = emu.add_installation(1, app_private_key, account="octo")
        emu.add_repo("octo/app")
        gi = GithubIntegration(auth=Auth.AppAuth(1, app_private_key), base_url=emu.url, **FAST)
        assert emu.url.endswith("/api/v3")
        assert gi.get_github_for_installation(inst.id).get_repo("octo/app").default_branch == "main"
        emu.assert_clean()


# --- the diff helper -----------------------------------------------------------------------------

def test_hunks_follow_git_conventions():
    lines = [f"{i}\n" for i in range(1, 21)]
    old = "".join(lines).encode()
    lines[4], lines[10], lines[19] = "five\n", "eleven\n", "20"
    new = "".join(lines).encode()
    hunks = diffs.diff_hunks(old, new)
    assert [h.header for h in hunks] == ["@@ -2,13 +2,13 @@", "@@ -17,4 +17,4 @@"]  # changes 6 apart merge
    assert hunks[1].text().endswith("-20\n+20\n\\ No newline at end of file")
    assert diffs.diff_hunks(None, b"a\n")[0].header == "@@ -0,0 +1 @@"
    assert diffs.diff_hunks(b"a\nb\n", None)[0].header == "@@ -1,2 +0,0 @@"
    renamed = diffs.diff_trees({"a.ts": old}, {"b.ts": new})
    assert [(f.filename, f.status, f.previous_filename) for f in renamed] == [("b.ts", "renamed", "a.ts")]
