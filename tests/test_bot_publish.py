"""bot/publish.py against a fake repository API: bisection of refused comments, the
annotation batches, resuming after a partial send."""
from __future__ import annotations

import math

import pytest

from bot.github import GitHubError
from bot.publish import complete_check_run, first_rejected, post_review
from bot.review import InlineComment, ReviewPlan


def comment(i: int) -> InlineComment:
    return InlineComment(f"lib/s{i:02}.ts", i + 1, None, "RIGHT", f"body {i}", f"{i:016x}")


def plan(n: int) -> ReviewPlan:
    return ReviewPlan(tuple(comment(i) for i in range(n)), (), n, 0, 0, 0, 30)


class Probe:
    def __init__(self, bad: set[int], budget: int = 1000):
        self.bad, self.calls, self.budget = bad, [], budget

    def __call__(self, subset):
        if len(self.calls) >= self.budget:
            return None
        self.calls.append([c.line - 1 for c in subset])
        return not any(c.line - 1 in self.bad for c in subset)


@pytest.mark.parametrize("n,bad", [(1, 0), (2, 1), (2, 0), (30, 17), (30, 0), (30, 29), (7, 3)])
def test_first_rejected_finds_the_refused_comment(n, bad):
    probe = Probe({bad})
    assert first_rejected([comment(i) for i in range(n)], probe) == bad
    assert len(probe.calls) <= math.ceil(math.log2(n)) if n > 1 else probe.calls == []


def test_first_rejected_with_several_refused_finds_one_of_them():
    assert first_rejected([comment(i) for i in range(8)], Probe({2, 5})) in (2, 5)


def test_an_exhausted_budget_gives_up():
    assert first_rejected([comment(i) for i in range(8)], Probe({3}, budget=1)) is None


class FakeApi:
    """Accepts a review unless it holds a comment on a `bad` line; records every call."""

    def __init__(self, bad_lines=(), pending_left_behind: bool = False):
        self.bad = set(bad_lines)
        self.calls: list[tuple] = []
        self.pending = {1} if pending_left_behind else set()
        self.next_id = 100

    def create_review(self, number, body):
        lines = [c["line"] for c in body["comments"]]
        self.calls.append(("POST", body.get("event"), lines))
        if "event" not in body and self.pending:
            raise GitHubError(422, "Unprocessable Entity",
                              {"errors": ["User can only have one pending review per pull request"]})
        if self.bad & set(lines):
            raise GitHubError(422, "Unprocessable Entity", {"errors": ["Line could not be resolved"]})
        self.next_id += 1
        if "event" not in body:
            self.pending.add(self.next_id)
        return {"id": self.next_id}

    def delete_pending_review(self, number, review_id):
        self.calls.append(("DELETE", review_id))
        self.pending.discard(review_id)

    def reviews(self, number):
        self.calls.append(("GET reviews",))
        return [{"id": i, "state": "PENDING", "user": {"login": "cdk-review[bot]"}} for i in self.pending]

    def update_check_run(self, check_run_id, body):
        self.calls.append(("PATCH", check_run_id, body))


def test_post_review_without_the_refused_comment():
    api = FakeApi(bad_lines={4})
    posted = post_review(api, 1, plan(6), "abc", bot_login="cdk-review[bot]")
    assert [c.line for c in posted.rejected] == [4]
    assert [c.line for c in posted.plan.comments] == [1, 2, 3, 5, 6]
    assert api.calls[0] == ("POST", "COMMENT", [1, 2, 3, 4, 5, 6]) and api.calls[-1] == ("POST", "COMMENT", [1, 2, 3, 5, 6])
    assert api.pending == set()                                  # every probe deleted
    assert "1 on lines GitHub cannot comment on" in posted.plan.body


def test_post_review_cleans_up_a_pending_review_left_behind():
    api = FakeApi(bad_lines={2}, pending_left_behind=True)
    posted = post_review(api, 1, plan(3), "abc", bot_login="cdk-review[bot]")
    assert [c.line for c in posted.rejected] == [2] and ("DELETE", 1) in api.calls
    assert api.pending == set()


def test_post_review_when_every_comment_is_refused():
    api = FakeApi(bad_lines={1, 2})
    posted = post_review(api, 1, plan(2), "abc")
    assert posted.plan is None and [c.line for c in posted.rejected] == [1, 2]
    assert [c for c in api.calls if c[:2] == ("POST", "COMMENT")] == [("POST", "COMMENT", [1, 2]),
                                                                      ("POST", "COMMENT", [2])]


def test_post_review_with_two_refused_comments_posts_one_review():
    api = FakeApi(bad_lines={3, 9})
    posted = post_review(api, 1, plan(10), "abc")
    assert sorted(c.line for c in posted.rejected) == [3, 9]
    assert [c for c in api.calls if c[:2] == ("POST", "COMMENT")][-1] == ("POST", "COMMENT", [1, 2, 4, 5, 6, 7, 8, 10])
    assert api.pending == set()


def test_post_review_gives_up_when_the_probe_budget_is_spent():
    api = FakeApi(bad_lines={4})
    posted = post_review(api, 1, plan(30), "abc", budget=2)
    assert posted.plan is None and len(posted.rejected) == 30


def test_other_errors_are_raised_for_a_retry():
    class Down(FakeApi):
        def create_review(self, number, body):
            raise GitHubError(None, "ConnectionError")
    with pytest.raises(GitHubError):
        post_review(Down(), 1, plan(2), "abc")


def test_nothing_new_means_no_review():
    api = FakeApi()
    assert post_review(api, 1, plan(0), "abc").plan is None and api.calls == []


def _annotations(n: int) -> list[dict]:
    return [{"path": "a.ts", "start_line": i + 1, "end_line": i + 1, "annotation_level": "warning",
             "message": str(i)} for i in range(n)]


@pytest.mark.parametrize("n,sizes", [(0, [0]), (1, [1]), (50, [50]), (51, [50, 1]), (120, [50, 50, 20])])
def test_annotations_go_50_at_a_time_and_the_last_request_completes(n, sizes):
    api = FakeApi()
    requests = complete_check_run(api, 9, conclusion="failure", title="t", summary="s", annotations=_annotations(n))
    bodies = [c[2] for c in api.calls]
    assert requests == len(sizes) and [len(b["output"].get("annotations", [])) for b in bodies] == sizes
    assert [b.get("conclusion") for b in bodies] == [None] * (len(sizes) - 1) + ["failure"]
    assert all(b["output"]["summary"] == "s" for b in bodies)


def test_a_retry_sends_only_the_annotations_not_yet_sent():
    api, progress = FakeApi(), []
    complete_check_run(api, 9, conclusion="success", title="t", summary="s", annotations=_annotations(120),
                       already_sent=100, progress=progress.append)
    [body] = [c[2] for c in api.calls]
    assert [a["message"] for a in body["output"]["annotations"]] == [str(i) for i in range(100, 120)]
    assert progress == [120]
