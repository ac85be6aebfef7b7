"""app.yml: least privilege that still covers every call the bot makes, and every event
it handles. The calls are those the emulator logged while the bot ran each of its paths
(review, fixed comment, rejected comment, fork re-run, slash commands)."""
from __future__ import annotations

import pytest

from bot.handlers import router
from tests.bot_support import Bot, check_run_rerequested, pr_comment_event, pull_request_event
from tests.conftest import TEST_APP_ID, GitHubApp
from tests.manifest import ENDPOINTS, granted, manifest, manifest_permissions, permission_for
from tests.test_bot_e2e import BASE_FILES, REPO, STACK, V1_STACK, V2_STACK, _many_buckets

ALWAYS_DELIVERED = {"installation", "ping"}      # GitHub sends these to every App, unsubscribed


def test_manifest_shape():
    m = manifest()
    assert m["public"] is False and m["hook_attributes"]["url"].endswith("/webhook")
    assert m["default_permissions"] == {"checks": "write", "pull_requests": "write", "contents": "read",
                                        "issues": "write", "metadata": "read"}
    assert {"name", "url", "description", "hook_attributes", "default_events", "default_permissions"} <= set(m)


def test_every_handled_event_is_subscribed_and_nothing_more():
    handled = {event for event, _ in router.routes} - ALWAYS_DELIVERED
    assert set(manifest()["default_events"]) == handled


def test_every_table_permission_is_granted_by_the_manifest():
    permissions = manifest_permissions()
    assert [e for e in ENDPOINTS if not granted(e[2], permissions)] == []
    used = {name for _, _, (name, _) in ENDPOINTS} - {"jwt"}
    assert used == set(permissions)                 # and no permission is asked for without a use


@pytest.fixture
def installed(github_emulator, app_private_key):
    inst = github_emulator.add_installation(TEST_APP_ID, app_private_key, permissions=manifest_permissions())
    return GitHubApp(github_emulator, TEST_APP_ID, app_private_key, inst.id)


def test_every_call_of_every_path_is_covered(installed, tmp_path, monkeypatch):
    import bot.worker as worker
    from bot.diff import FileChange
    emu, iid = installed.emulator, installed.installation_id
    emu.add_repo(REPO, files={**BASE_FILES, "lib/legacy-stack.ts": _many_buckets(1)})
    real = worker.changes_from_github

    def widened(entries):                          # one comment GitHub will refuse (see the e2e test)
        changes = real(entries)
        c = changes.get("lib/legacy-stack.ts")
        if c is not None:
            changes[c.path] = FileChange(c.path, c.status, None, c.added_lines | {9}, True, c.hunks + ((9, 9),))
        return changes
    monkeypatch.setattr(worker, "changes_from_github", widened)

    bot = Bot(installed, tmp_path / "data")
    try:
        emu.commit(REPO, "feature", {STACK: V1_STACK, "lib/legacy-stack.ts": "// x\n" + _many_buckets(1)})
        pr = emu.open_pull_request(REPO, "feature")
        bot.deliver("pull_request", pull_request_event("opened", pr, iid))
        bot.settle()
        emu.commit(REPO, "feature", {STACK: V2_STACK})
        bot.deliver("pull_request", pull_request_event("synchronize", pr, iid))
        bot.settle()
        emu.set_permission(REPO, "writer", "write")
        for body in ("/cdk-review recheck", "/cdk-review help"):
            c = emu.add_issue_comment(REPO, pr.number, body, user="writer")
            bot.deliver("issue_comment", pr_comment_event(pr, iid, c))
            bot.settle()
        emu.commit(REPO, "forked", {STACK: V1_STACK})
        fork = emu.open_pull_request(REPO, "forked", fork=True, user="outsider")
        bot.deliver("check_run", check_run_rerequested(fork, iid, TEST_APP_ID, fork_style=True))
        bot.settle()
    finally:
        bot.close()
    emu.assert_clean()

    calls = {(r.method, r.path) for r in emu.requests}
    assert sorted(c for c in calls if permission_for(*c) is None) == []
    permissions = manifest_permissions()
    assert all(granted(permission_for(*c), permissions) for c in calls)
    assert not [r for r in emu.requests if r.status == 403]
    # the table is not stale: every entry but the stale-pending-review cleanup was used
    used = {(m, pattern) for m, pattern, _ in ENDPOINTS if any(permission_for(*c) is not None and
                                                               _matches(m, pattern, c) for c in calls)}
    unused = {(m, p) for m, p, _ in ENDPOINTS} - used
    assert unused == {("GET", "/repos/*/*/pulls/*/reviews")}


def _matches(method: str, pattern: str, call: tuple[str, str]) -> bool:
    from tests.manifest import _segments_match
    return call[0] == method and _segments_match(pattern, call[1])
