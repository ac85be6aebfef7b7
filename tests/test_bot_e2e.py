"""End to end: signed webhook deliveries -> the real app (Flask, embedded queue, worker
threads, PyGithub) -> the GitHub emulator, which enforces GitHub's rules. Every request
the bot makes here is logged for tests/test_app_manifest.py's permission check."""
from __future__ import annotations

import json
import math

import pytest

from bot.check_run import CHECK_RUN_NAME
from bot.commands import HELP_TEXT
from bot.diff import changes_from_github
from tests.bot_support import (Bot, check_run_rerequested, check_suite_rerequested, pr_comment_event,
                               pull_request_event)
from tests.conftest import TEST_APP_ID, GitHubApp
from tests.manifest import manifest_permissions

REPO = "octo/shop"
STACK = "lib/data-stack.ts"

CDK_JSON = json.dumps({"app": "npx ts-node --prefer-ts-exts bin/app.ts"})
APP_TS = """#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { DataStack } from '../lib/data-stack';

const app = new cdk.App();
new DataStack(app, 'ShopProdData', { env: { account: '111111111111', region: 'eu-west-1' } });
"""
CONSTANTS_TS = "export const DB_PORT = 5432;\n"
BASE_STACK = """import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DB_PORT } from './constants';

export class DataStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2 });
    const dbSg = new ec2.SecurityGroup(this, 'DbSg', { vpc });
    dbSg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(DB_PORT), 'from the VPC');

    new s3.Bucket(this, 'Reports', { versioned: true });
  }
}
"""
# The base already has defects (lines 11, 12, 15): they are on unchanged lines.
BASE_DEFECT_LINES = {11, 12, 15}
# v1: the security group is opened to the world (line 13; the port comes from constants.ts).
V1_STACK = BASE_STACK.replace("ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(DB_PORT), 'from the VPC'",
                              "ec2.Peer.anyIpv4(), ec2.Port.tcp(DB_PORT), 'temporary'")
# v2: line 13 fixed again; a database deleted with its stack (line 26) and without alarms (line 18).
V2_STACK = BASE_STACK.replace("import * as s3", "import * as rds from 'aws-cdk-lib/aws-rds';\nimport * as s3").replace(
    "    new s3.Bucket(this, 'Reports', { versioned: true });\n",
    """    new s3.Bucket(this, 'Reports', { versioned: true });

    new rds.DatabaseInstance(this, 'Orders', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
      vpc,
      securityGroups: [dbSg],
      multiAz: true, cloudwatchLogsExports: ['postgresql'],
      storageEncrypted: true,
      backupRetention: cdk.Duration.days(7),
      deletionProtection: true,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
""")
BASE_FILES = {"cdk.json": CDK_JSON, "bin/app.ts": APP_TS, "lib/constants.ts": CONSTANTS_TS, STACK: BASE_STACK,
              "README.md": "# shop\n"}

LOGGED: list[tuple[str, str, int | None, str]] = []  # (method, path, status, message) of every e2e request


@pytest.fixture
def github_app(github_emulator, app_private_key):
    """The App installed with exactly the permissions app.yml asks for: a call outside
    them gets 403 from the emulator."""
    inst = github_emulator.add_installation(TEST_APP_ID, app_private_key, account="octo",
                                            permissions=manifest_permissions())
    yield GitHubApp(github_emulator, TEST_APP_ID, app_private_key, inst.id)
    LOGGED.extend((r.method, r.path, r.status, (r.response or {}).get("message", "") if isinstance(r.response, dict)
                   else "") for r in github_emulator.requests)
    github_emulator.assert_clean()


@pytest.fixture
def bot(github_app, tmp_path):
    b = Bot(github_app, tmp_path / "data")
    yield b
    b.close()


@pytest.fixture
def repo(github_app):
    return github_app.emulator.add_repo(REPO, files=BASE_FILES)


def open_pr(emu, branch: str, files: dict, **kwargs):
    emu.commit(REPO, branch, files)
    return emu.open_pull_request(REPO, branch, **kwargs)


def deliver_pr(bot, action: str, pr, delivery: str | None = None):
    r = bot.deliver("pull_request", pull_request_event(action, pr, bot.github_app.installation_id), delivery)
    assert r.status_code == 202, r.get_json()
    return r


def runs(emu, sha: str):
    return emu.check_runs(REPO, head_sha=sha, name=CHECK_RUN_NAME)


def annotated(run) -> set[tuple[str, int, str]]:
    return {(a["path"], a["start_line"], a["title"].split()[0]) for a in run.annotations}


def commented(emu, number: int) -> set[tuple[str, int, str]]:
    return {(c.path, c.line, c.body.split("`")[1]) for c in emu.review_comments(REPO, number)}


def added_lines(pr) -> dict[str, frozenset[int]]:
    """What GitHub says the PR added (from the emulator's own diff)."""
    entries = [{"filename": f.filename, "status": f.status, "patch": f.patch, "additions": f.additions,
                "deletions": f.deletions} for f in pr.files()]
    return {p: c.added_lines for p, c in changes_from_github(entries).items()}


# --- opening, redelivery, new pushes -------------------------------------------------------------

def test_opened_pr_gets_one_completed_check_run_and_one_review_on_changed_lines(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK})
    deliver_pr(bot, "opened", pr)
    bot.settle()

    [run] = runs(emu, pr.head_sha)
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert run.output["title"] == "1 finding on changed lines: 1 error"
    assert annotated(run) == {(STACK, 13, "SEC-SG-001")}
    assert "PostgreSQL port 5432 is open to 0.0.0.0/0" in run.annotations[0]["message"]   # constants.ts was read
    [review] = emu.reviews(REPO, pr.number)
    assert (review.state, review.user, review.commit_id) == ("COMMENTED", "cdk-review[bot]", pr.head_sha)
    comments = emu.review_comments(REPO, pr.number)
    assert commented(emu, pr.number) == {(STACK, 13, "SEC-SG-001")}
    changed = added_lines(pr)
    assert all(c.line in changed[c.path] and c.review_id == review.id for c in comments)
    assert "<!-- cdk-review:" in comments[0].body


def test_defects_on_unchanged_lines_are_not_reported(bot, repo):
    emu = bot.emu
    # the PR only touches a comment line; the base's defects stay where they were
    pr = open_pr(emu, "docs", {STACK: BASE_STACK.replace("    super(scope, id, props);\n",
                                                         "    super(scope, id, props);\n    // reviewed\n")})
    deliver_pr(bot, "opened", pr)
    bot.settle()
    [run] = runs(emu, pr.head_sha)
    assert (run.conclusion, run.output["title"], run.annotations) == ("success", "No findings on changed lines", [])
    assert emu.reviews(REPO, pr.number) == [] and emu.review_comments(REPO, pr.number) == []


def test_the_same_delivery_again_changes_nothing(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK})
    first = deliver_pr(bot, "opened", pr, delivery="same-delivery")
    bot.settle()
    before = len(emu.requests)
    again = deliver_pr(bot, "opened", pr, delivery="same-delivery")
    bot.settle()
    assert first.get_json()["status"] == "accepted" and again.get_json() == {"status": "duplicate"}
    assert len(emu.requests) == before                           # not a single GitHub call
    assert len(runs(emu, pr.head_sha)) == 1 and len(emu.reviews(REPO, pr.number)) == 1


def test_synchronize_with_a_fix_and_a_new_defect(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "evolve", {STACK: V1_STACK})
    first_head = pr.head_sha
    deliver_pr(bot, "opened", pr)
    bot.settle()
    [old_comment] = emu.review_comments(REPO, pr.number)

    emu.commit(REPO, "evolve", {STACK: V2_STACK})               # fixes line 13, adds a database
    deliver_pr(bot, "synchronize", pr)
    bot.settle()

    assert pr.head_sha != first_head
    [old_run] = runs(emu, first_head)
    [new_run] = runs(emu, pr.head_sha)
    assert old_run.id != new_run.id and new_run.conclusion == "failure"
    assert annotated(new_run) == {(STACK, 18, "OPS-MON-001"), (STACK, 26, "OPS-BAK-001")}
    fixed = next(c for c in emu.review_comments(REPO, pr.number) if c.id == old_comment.id)
    assert fixed.body.startswith(f"✅ **Fixed** in {pr.head_sha}") and "~~" in fixed.body
    new = [c for c in emu.review_comments(REPO, pr.number) if c.id != old_comment.id]
    assert {(c.path, c.line, c.body.split("`")[1]) for c in new} == {(STACK, 18, "OPS-MON-001"),
                                                                      (STACK, 26, "OPS-BAK-001")}
    assert "```suggestion" in next(c.body for c in new if c.line == 26)
    assert len(emu.reviews(REPO, pr.number)) == 2


def test_a_job_for_an_older_head_is_dropped_when_a_newer_one_is_queued(github_app, repo, tmp_path):
    emu = github_app.emulator
    pr = open_pr(emu, "race", {STACK: V1_STACK})
    older = pull_request_event("opened", pr, github_app.installation_id)
    emu.commit(REPO, "race", {STACK: V2_STACK})
    newer = pull_request_event("synchronize", pr, github_app.installation_id)
    bot = Bot(github_app, tmp_path / "data")
    try:
        bot.ctx.queue.stop()                                    # hold the workers while both arrive
        assert bot.deliver("pull_request", older).status_code == 202
        assert bot.deliver("pull_request", newer).status_code == 202
        bot.ctx.queue.start(2)
        bot.settle()
    finally:
        bot.close()
    assert [r.head_sha for r in emu.check_runs(REPO, name=CHECK_RUN_NAME)] == [pr.head_sha]
    assert b'outcome="superseded"} 1.0' in bot.client.get("/metrics").data


# --- slash commands and re-runs ----------------------------------------------------------------

def _comment(bot, pr, body: str, user: str, role: str | None):
    emu = bot.emu
    if role:
        emu.set_permission(REPO, user, role)
    c = emu.add_issue_comment(REPO, pr.number, body, user=user)
    r = bot.deliver("issue_comment", pr_comment_event(pr, bot.github_app.installation_id, c))
    assert r.status_code == 202
    bot.settle()
    return c


def test_recheck_from_a_writer_runs_the_review_again(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK})
    deliver_pr(bot, "opened", pr)
    bot.settle()
    c = _comment(bot, pr, "Please look again\n/cdk-review recheck", "writer", "write")
    first, second = sorted(runs(emu, pr.head_sha), key=lambda r: r.id)
    assert second.status == "completed" and annotated(second) == annotated(first)
    assert {(r.user, r.content) for r in emu.reactions(c.id)} == {("cdk-review[bot]", "eyes"),
                                                                  ("cdk-review[bot]", "rocket")}
    assert len(emu.review_comments(REPO, pr.number)) == 1       # nothing posted twice
    assert len(emu.reviews(REPO, pr.number)) == 1


@pytest.mark.parametrize("role", ["read", "triage", None])
def test_recheck_from_someone_without_write_access_is_ignored(bot, repo, role):
    emu = bot.emu
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK})
    deliver_pr(bot, "opened", pr)
    bot.settle()
    c = _comment(bot, pr, "/cdk-review recheck", "reader", role)
    assert len(runs(emu, pr.head_sha)) == 1
    assert emu.reactions(c.id) == []


def test_help_answers_with_the_commands(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK})
    c = _comment(bot, pr, "/cdk-review help", "maintainer", "maintain")
    [answer] = [x for x in emu.issue_comments(REPO, pr.number) if x.user == "cdk-review[bot]"]
    assert answer.body == HELP_TEXT and "/cdk-review recheck" in answer.body
    assert [r.content for r in sorted(emu.reactions(c.id), key=lambda r: r.id)] == ["eyes", "rocket"]
    assert runs(emu, pr.head_sha) == []


def test_check_run_rerequested_runs_again(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK})
    deliver_pr(bot, "opened", pr)
    bot.settle()
    r = bot.deliver("check_run", check_run_rerequested(pr, bot.github_app.installation_id, TEST_APP_ID))
    assert r.get_json()["status"] == "accepted"
    bot.settle()
    assert [x.status for x in runs(emu, pr.head_sha)] == ["completed", "completed"]


def test_check_run_rerequested_on_a_fork_pr_finds_the_pr_by_head_sha(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "from-fork", {STACK: V1_STACK}, fork=True, user="outsider")
    other = open_pr(emu, "unrelated", {"README.md": "# shop!\n"})      # listed too, not matching
    body = check_run_rerequested(pr, bot.github_app.installation_id, TEST_APP_ID, fork_style=True)
    assert body["check_run"]["pull_requests"] == [] and body["check_run"]["check_suite"]["pull_requests"] == []
    bot.deliver("check_run", body)
    bot.settle()
    [run] = runs(emu, pr.head_sha)
    assert run.conclusion == "failure" and annotated(run) == {(STACK, 13, "SEC-SG-001")}
    assert commented(emu, pr.number) == {(STACK, 13, "SEC-SG-001")}
    assert emu.review_comments(REPO, other.number) == []
    assert emu.count("GET", f"/repos/{REPO}/pulls") == 1


def test_check_run_rerequested_for_another_apps_check_is_ignored(bot, repo):
    pr = open_pr(bot.emu, "open-sg", {STACK: V1_STACK})
    body = check_run_rerequested(pr, bot.github_app.installation_id, app_id=999)
    assert bot.deliver("check_run", body).get_json() == {"status": "ignored"}


def test_check_suite_rerequested_runs_again(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK})
    bot.deliver("check_suite", check_suite_rerequested(pr, bot.github_app.installation_id, TEST_APP_ID))
    bot.settle()
    [run] = runs(emu, pr.head_sha)
    assert run.conclusion == "failure"


# --- the entry point, and the local twin ----------------------------------------------------------

LOOKUP_APP = """import * as cdk from 'aws-cdk-lib';
import { DbStack } from '../lib/db-stack';
const app = new cdk.App();
new DbStack(app, 'Db');
"""
LOOKUP_BASE = """import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export class DbStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc');
    new ec2.SecurityGroup(this, 'Sg', { vpc, allowAllOutbound: false });
  }
}
"""
# The lookup needs an env, which only the entry point (found through cdk.json) shows is missing.
LOOKUP_HEAD = LOOKUP_BASE.replace("new ec2.Vpc(this, 'Vpc');", "ec2.Vpc.fromLookup(this, 'Vpc', { isDefault: true });")
LOOKUP_FILES = {"cdk.json": CDK_JSON, "bin/app.ts": LOOKUP_APP, "lib/db-stack.ts": LOOKUP_BASE}


def _git(cwd, *args):
    import subprocess
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _write(root, files: dict) -> None:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


def test_the_cdk_json_entry_point_is_read_and_cdk_review_diff_agrees(bot, tmp_path):
    import shutil
    from bot.local_diff import review
    emu = bot.emu
    emu.add_repo(REPO, files=LOOKUP_FILES)
    pr = open_pr(emu, "lookup", {"lib/db-stack.ts": LOOKUP_HEAD})
    deliver_pr(bot, "opened", pr)
    bot.settle()
    [run] = runs(emu, pr.head_sha)
    assert annotated(run) == {("lib/db-stack.ts", 8, "CDK-USE-002")}
    assert "created without `env` (bin/app.ts:4)" in run.annotations[0]["message"]
    assert emu.count("GET", f"/repos/{REPO}/git/trees/*") == 1

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    local = tmp_path / "clone"
    local.mkdir()
    _git(local, "init", "-q", "-b", "main")
    _write(local, LOOKUP_FILES)
    _git(local, "add", "-A")
    _git(local, "commit", "-q", "-m", "base")
    _git(local, "checkout", "-q", "-b", "lookup")
    _write(local, {"lib/db-stack.ts": LOOKUP_HEAD})
    _git(local, "commit", "-q", "-am", "lookup")
    twin = review(str(local), "main", "lookup")
    assert {(f.path, f.line, f.rule_id) for f in twin.kept} == annotated(run)
    assert [(c.path, c.line, c.body) for c in twin.plan().comments] == \
        [(c.path, c.line, c.body) for c in emu.review_comments(REPO, pr.number)]


# --- sizes, neutral, drafts, config --------------------------------------------------------------

def _many_buckets(n: int) -> str:
    body = "".join(f"    new s3.Bucket(this, 'Bucket{i}', {{ versioned: true }});\n" for i in range(n))
    return ("import * as cdk from 'aws-cdk-lib';\nimport * as s3 from 'aws-cdk-lib/aws-s3';\n"
            "import { Construct } from 'constructs';\n\nexport class ManyStack extends cdk.Stack {\n"
            "  constructor(scope: Construct, id: string) {\n    super(scope, id);\n" + body + "  }\n}\n")


def test_a_pr_with_120_findings_gets_every_annotation_50_at_a_time(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "many", {"lib/many-stack.ts": _many_buckets(30)})      # 4 findings per bucket
    deliver_pr(bot, "opened", pr)
    bot.settle()
    [run] = runs(emu, pr.head_sha)
    expected = {("lib/many-stack.ts", 8 + i, rule) for i in range(30)
                for rule in ("OPS-COST-003", "OPS-MON-003", "SEC-KMS-001", "SEC-KMS-011")}
    assert len(expected) == 120 and annotated(run) == expected and len(run.annotations) == 120
    sent = [len((r.body.get("output") or {}).get("annotations", []))
            for r in emu.calls(path=f"/repos/{REPO}/check-runs*") if r.body]
    assert max(sent) == 50 and sum(sent) == 120
    assert emu.count("PATCH", f"/repos/{REPO}/check-runs/*") == math.ceil(120 / 50)
    assert len(emu.review_comments(REPO, pr.number)) == 30                 # max_inline_comments
    [review] = emu.reviews(REPO, pr.number)
    assert "90 in the **CDK Review** check run but not inline" in review.body


def test_a_pr_with_250_files_is_read_page_by_page(bot, repo):
    emu = bot.emu
    files = {f"docs/page-{i:03}.md": f"page {i}\n" for i in range(245)}
    files.update({f"lib/bucket-{i}-stack.ts": _many_buckets(1) for i in range(5)})
    pr = open_pr(emu, "big", files)
    deliver_pr(bot, "opened", pr)
    bot.settle()
    pages = emu.calls("GET", f"/repos/{REPO}/pulls/{pr.number}/files")
    assert [r.query.get("page", "1") for r in pages] == ["1", "2", "3"]
    assert {r.query["per_page"] for r in pages} == {"100"}
    assert emu.count("GET", f"/repos/{REPO}/pulls/{pr.number}") == 0       # never the diff media type
    [run] = runs(emu, pr.head_sha)
    assert {p for p, _, _ in annotated(run)} == {f"lib/bucket-{i}-stack.ts" for i in range(5)}
    assert len(run.annotations) == 20


def test_a_pr_without_cdk_changes_is_neutral(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "docs-only", {"README.md": "# shop\n\nMore words.\n", "docs/x.ts.md": "no\n"})
    deliver_pr(bot, "opened", pr)
    bot.settle()
    [run] = runs(emu, pr.head_sha)
    assert (run.conclusion, run.output["title"]) == ("neutral", "No CDK files changed")
    assert emu.reviews(REPO, pr.number) == [] and emu.review_comments(REPO, pr.number) == []


def test_draft_prs_are_reviewed_with_a_neutral_conclusion_until_ready(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "wip", {STACK: V1_STACK}, draft=True)
    deliver_pr(bot, "opened", pr)
    bot.settle()
    [draft_run] = runs(emu, pr.head_sha)
    assert draft_run.conclusion == "neutral" and annotated(draft_run) == {(STACK, 13, "SEC-SG-001")}
    assert "Draft pull request" in draft_run.output["summary"]
    assert len(emu.review_comments(REPO, pr.number)) == 1
    pr.draft = False
    deliver_pr(bot, "ready_for_review", pr)
    bot.settle()
    ready = max(runs(emu, pr.head_sha), key=lambda r: r.id)
    assert ready.conclusion == "failure" and len(emu.review_comments(REPO, pr.number)) == 1


def test_a_bad_config_on_the_base_branch_fails_the_check_with_the_problem_named(bot, repo):
    emu = bot.emu
    emu.commit(REPO, "main", {".github/cdk-review.yml": "fail_on: errors\nrules:\n  SEC-SG-01: off\n"})
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK})
    deliver_pr(bot, "opened", pr)
    bot.settle()
    [run] = runs(emu, pr.head_sha)
    assert (run.conclusion, run.output["title"]) == ("failure", "Configuration error in .github/cdk-review.yml")
    summary = run.output["summary"]
    assert "main:.github/cdk-review.yml" in summary and "fail_on" in summary and "SEC-SG-01" in summary
    assert "did you mean 'SEC-SG-001'?" in summary
    assert emu.reviews(REPO, pr.number) == []


def test_the_config_comes_from_the_base_branch_not_the_pr(bot, repo):
    emu = bot.emu
    emu.commit(REPO, "main", {".github/cdk-review.yml": "fail_on: never\n"})
    pr = open_pr(emu, "sneaky", {STACK: V1_STACK, ".github/cdk-review.yml": "rules:\n  security: off\n"})
    deliver_pr(bot, "opened", pr)
    bot.settle()
    [run] = runs(emu, pr.head_sha)
    assert run.conclusion == "success" and annotated(run) == {(STACK, 13, "SEC-SG-001")}


# --- GitHub misbehaving -------------------------------------------------------------------------

def test_a_comment_github_refuses_is_left_out_and_kept_in_the_check_run(bot, repo, monkeypatch):
    """GitHub and the bot disagree about the diff of one line (simulated by widening the
    bot's view of the diff to a defect far from the change): GitHub refuses the review
    with 422; the bot finds the comments by bisection and posts the review without them."""
    import bot.worker as worker
    from bot.diff import FileChange
    legacy = "lib/legacy-stack.ts"
    real = worker.changes_from_github

    def widened(entries):
        changes = real(entries)
        c = changes[legacy]                                     # GitHub's hunk: lines 1-4
        changes[legacy] = FileChange(c.path, c.status, c.previous_path, c.added_lines | {9}, True,
                                     c.hunks + ((9, 9),))
        return changes
    monkeypatch.setattr(worker, "changes_from_github", widened)

    emu = bot.emu
    emu.commit(REPO, "main", {legacy: _many_buckets(1)})         # its bucket (line 8) has 4 findings
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK, legacy: "// legacy\n" + _many_buckets(1)})
    deliver_pr(bot, "opened", pr)
    bot.settle()

    refused = emu.calls("POST", f"/repos/{REPO}/pulls/{pr.number}/reviews", status=422)
    assert refused and refused[0].response["errors"] == ["Line could not be resolved"]
    [review] = emu.reviews(REPO, pr.number)                       # the probes were deleted
    assert review.state == "COMMENTED"
    assert commented(emu, pr.number) == {(STACK, 13, "SEC-SG-001")}
    [run] = runs(emu, pr.head_sha)
    bucket = {(legacy, 9, r) for r in ("OPS-COST-003", "OPS-MON-003", "SEC-KMS-001", "SEC-KMS-011")}
    assert annotated(run) == {(STACK, 13, "SEC-SG-001")} | bucket
    assert "GitHub refused 4 inline comment(s)" in run.output["summary"]
    assert "4 on lines GitHub cannot comment on" in review.body
    probes = emu.calls("DELETE", f"/repos/{REPO}/pulls/{pr.number}/reviews/*", status=200)
    assert 1 <= len(probes) <= 4


def test_502_and_a_secondary_rate_limit_are_retried(bot, repo):
    emu = bot.emu
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK})
    emu.inject_fault("error", method="GET", path=f"/repos/{REPO}/pulls/*/files", times=2)
    emu.inject_fault("secondary_rate_limit", method="POST", path=f"/repos/{REPO}/pulls/*/reviews", retry_after=1)
    emu.inject_fault("error", method="PATCH", path=f"/repos/{REPO}/check-runs/*", status=503)
    deliver_pr(bot, "opened", pr)
    bot.settle()
    [run] = runs(emu, pr.head_sha)
    assert run.conclusion == "failure" and annotated(run) == {(STACK, 13, "SEC-SG-001")}
    assert emu.count("GET", f"/repos/{REPO}/pulls/*/files", status=502) == 2
    assert emu.count("POST", f"/repos/{REPO}/pulls/*/reviews", status=403) == 1
    assert emu.count("PATCH", f"/repos/{REPO}/check-runs/*", status=503) == 1
    assert len(emu.reviews(REPO, pr.number)) == 1 and len(emu.review_comments(REPO, pr.number)) == 1
    assert b'cdk_review_github_api_errors_total{endpoint="/repos/{owner}/{repo}/pulls/{number}/files"' \
        not in bot.client.get("/metrics").data                 # retried inside PyGithub: no error surfaced


def test_when_github_keeps_failing_the_check_run_says_so(github_app, repo, tmp_path, monkeypatch):
    from github import GithubRetry
    monkeypatch.setattr("bot.queue.RETRY_DELAY", 0)
    monkeypatch.setattr("bot.github.make_retry", lambda: GithubRetry(total=1, backoff_factor=0))
    emu = github_app.emulator
    pr = open_pr(emu, "open-sg", {STACK: V1_STACK})
    emu.inject_fault("error", method="GET", path=f"/repos/{REPO}/pulls/*/files", times=100)
    bot = Bot(github_app, tmp_path / "data")
    try:
        deliver_pr(bot, "opened", pr)
        bot.settle()
    finally:
        bot.close()
    [run] = runs(emu, pr.head_sha)                                 # three attempts, one check run
    assert (run.status, run.conclusion, run.output["title"]) == ("completed", "failure", "cdk-review could not finish")
    assert "/cdk-review recheck" in run.output["summary"]


def test_the_installation_token_is_reused_between_reviews(bot, repo):
    emu = bot.emu
    for branch in ("one", "two"):
        pr = open_pr(emu, branch, {STACK: V1_STACK})
        deliver_pr(bot, "opened", pr)
        bot.settle()
    assert emu.count("POST", "/app/installations/*/access_tokens") == 1
    assert emu.count("GET", "/app") == 1


def test_concurrent_reviews_in_several_threads(github_app, repo, tmp_path):
    """Worker threads share the installation's token, not an HTTP connection."""
    emu = github_app.emulator
    prs = [open_pr(emu, f"parallel-{i}", {STACK: V1_STACK if i % 2 else V2_STACK}) for i in range(8)]
    bot = Bot(github_app, tmp_path / "data", )
    try:
        bot.ctx.queue.stop()
        for pr in prs:
            deliver_pr(bot, "opened", pr)
        bot.ctx.queue.start(4)
        bot.settle()
    finally:
        bot.close()
    for i, pr in enumerate(prs):
        [run] = runs(emu, pr.head_sha)
        expected = {(STACK, 13, "SEC-SG-001")} if i % 2 else {(STACK, 18, "OPS-MON-001"), (STACK, 26, "OPS-BAK-001")}
        assert annotated(run) == expected and commented(emu, pr.number) == expected
    assert emu.count("POST", "/app/installations/*/access_tokens") == 1


def test_an_expiring_token_is_renewed(github_app, repo, tmp_path):
    emu = github_app.emulator
    emu.token_ttl = 15                          # under PyGithub's 20 s margin: renewed on every use
    bot = Bot(github_app, tmp_path / "data")
    try:
        pr = open_pr(emu, "one", {STACK: V1_STACK})
        deliver_pr(bot, "opened", pr)
        bot.settle()
    finally:
        bot.close()
    [run] = runs(emu, pr.head_sha)
    assert run.conclusion == "failure"
    assert emu.count("POST", "/app/installations/*/access_tokens") > 5
    assert emu.count(status=401) == 0


def test_api_calls_per_review_stay_within_budget(bot, repo):
    """6 + files read + ceil(annotations / 50), once the token and the App slug are cached."""
    emu = bot.emu
    warm = open_pr(emu, "warm", {STACK: V1_STACK})
    deliver_pr(bot, "opened", warm)
    bot.settle()
    pr = open_pr(emu, "measured", {STACK: V2_STACK})
    start = len(emu.requests)
    deliver_pr(bot, "opened", pr)
    bot.settle()
    calls = [(r.method, r.path) for r in emu.requests[start:]]
    blobs = sum(1 for _, p in calls if "/git/blobs/" in p)
    [run] = runs(emu, pr.head_sha)
    assert blobs == 4          # the stack, its import constants.ts, cdk.json, the entry point bin/app.ts
    assert len(calls) <= 6 + blobs + math.ceil(len(run.annotations) / 50)


def test_github_enterprise_style_api_prefix(app_private_key, tmp_path):
    """GITHUB_API_URL = https://HOST/api/v3: every path, pagination link and token URL
    keeps the prefix."""
    from tests.github_emulator import GitHubEmulator
    from bot.worker import web_url
    with GitHubEmulator(api_prefix="/api/v3") as emu:
        inst = emu.add_installation(TEST_APP_ID, app_private_key, permissions=manifest_permissions())
        app = GitHubApp(emu, TEST_APP_ID, app_private_key, inst.id)
        emu.add_repo(REPO, files=BASE_FILES)
        files = {f"docs/p{i}.md": "x\n" for i in range(120)}
        pr = open_pr(emu, "ghe", {STACK: V1_STACK, **files})
        bot = Bot(app, tmp_path / "data")
        try:
            assert bot.settings.api_url.endswith("/api/v3")
            deliver_pr(bot, "opened", pr)
            bot.settle()
        finally:
            bot.close()
        [run] = runs(emu, pr.head_sha)
        assert run.conclusion == "failure" and annotated(run) == {(STACK, 13, "SEC-SG-001")}
        assert emu.count("GET", f"/repos/{REPO}/pulls/{pr.number}/files") == 2
        emu.assert_clean()
    assert web_url("https://api.github.com") == "https://github.com"
    assert web_url("https://ghe.example.com/api/v3") == "https://ghe.example.com"


def test_every_call_made_in_these_tests_is_covered_by_app_yml():
    """Runs last in this module: the requests of all the tests above (tests/manifest.py
    has the endpoint -> permission table; tests/test_app_manifest.py drives its own run)."""
    from tests.manifest import granted, permission_for
    if not LOGGED:
        pytest.skip("run with the rest of this module")
    permissions = manifest_permissions()
    calls = {(m, p) for m, p, _, _ in LOGGED}
    uncovered = sorted(c for c in calls if permission_for(*c) is None)
    assert uncovered == [], "calls missing from tests/manifest.py ENDPOINTS"
    assert all(granted(permission_for(*c), permissions) for c in calls)
    refused = [c for c in LOGGED if c[3] == "Resource not accessible by integration"]
    assert refused == []                                    # the emulator refused nothing for permissions
