"""bot.diff: added lines and hunks from GitHub's PR files list and from `git diff`."""
import json
import os

import pytest

from bot.diff import (FileChange, added_file, change_from_contents, change_from_github,
                      changes_from_git_diff, changes_from_github, paths_to_review)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def _load(*parts):
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as fh:
        return fh.read()


@pytest.fixture(scope="module")
def pr_files():
    return json.loads(_load("github", "pull_files.json"))


def _shape(changes):
    return {p: (c.status, c.previous_path, sorted(c.added_lines), c.patch_available, c.hunks)
            for p, c in changes.items()}


EXPECTED = {
    "assets/logo.png": ("modified", None, [], True, ()),                  # binary: no patch, 0 lines
    "bin/app.ts": ("added", None, [1, 2, 3, 4, 5, 6], True, ((1, 6),)),
    "lib/constants.ts": ("renamed", "lib/moved.ts", [], True, ()),        # pure rename: no patch
    "lib/data-stack.ts": ("modified", None, [4, 16, 22, 24], True, ((1, 7), (13, 27))),
    "lib/legacy-stack.ts": ("removed", None, [], True, ()),
    "lib/new-name.ts": ("renamed", "lib/old-name.ts", [3], True, ((1, 5),)),
    "lib/no-newline.ts": ("added", None, [1], True, ((1, 1),)),
    "lib/version.ts": ("modified", None, [1, 2], True, ((1, 2),)),
}


def test_github_files_list(pr_files):
    changes = changes_from_github(pr_files)
    assert _shape(changes) == {**EXPECTED, "lib/generated-stack.ts": ("modified", None, [], False, ())}


def test_git_diff_of_the_same_change_gives_the_same_structure():
    changes = changes_from_git_diff(_load("git", "pr.diff"))
    assert _shape(changes) == EXPECTED


def test_multiple_hunks_and_comment_ranges(pr_files):
    c = changes_from_github(pr_files)["lib/data-stack.ts"]
    assert [line for line in range(1, 30) if c.is_added(line)] == [4, 16, 22, 24]
    assert c.commentable(4) and c.commentable(1) and c.commentable(27)   # context lines are in the diff
    assert not c.commentable(8) and not c.commentable(12) and not c.commentable(28)
    assert c.commentable(16, 24)                          # one hunk
    assert not c.commentable(4, 16)                       # spans two hunks: GitHub says 422
    assert not c.commentable(24, 28)                      # runs past the hunk
    assert c.hunk_of(20) == (13, 27) and c.hunk_of(10) is None


def test_removed_file_has_nothing_to_comment_on(pr_files):
    c = changes_from_github(pr_files)["lib/legacy-stack.ts"]
    assert c.removed and not c.is_added(1) and not c.commentable(1)


def test_no_newline_marker_is_not_a_line(pr_files):
    changes = changes_from_github(pr_files)
    assert changes["lib/version.ts"].added_lines == {1, 2}   # old last line changed under the marker
    assert changes["lib/no-newline.ts"].added_lines == {1}


def test_missing_patch_for_a_large_diff_counts_every_line_but_allows_no_comment(pr_files):
    c = changes_from_github(pr_files)["lib/generated-stack.ts"]
    assert not c.patch_available
    assert c.is_added(1) and c.is_added(4000)
    assert not c.commentable(1)


def test_the_openapi_example_patch_is_not_usable():
    # components.examples.diff-entry-items of GitHub's OpenAPI description: hunk headers, no lines
    entry = {
        "sha": "bbcd538c8e72b8c175046e27cc8f907076331401", "filename": "file1.txt", "status": "added",
        "additions": 103, "deletions": 21, "changes": 124,
        "blob_url": "https://github.com/octocat/Hello-World/blob/6dcb09b5b57875f334f61aebed695e2e4193db5e/file1.txt",
        "raw_url": "https://github.com/octocat/Hello-World/raw/6dcb09b5b57875f334f61aebed695e2e4193db5e/file1.txt",
        "contents_url": "https://api.github.com/repos/octocat/Hello-World/contents/file1.txt?ref=6dcb09b5b57875f334f61aebed695e2e4193db5e",
        "patch": "@@ -132,7 +132,7 @@ module Test @@ -1000,7 +1000,7 @@ module Test",
    }
    c = change_from_github(entry)
    assert (c.path, c.status, c.patch_available, c.added_lines) == ("file1.txt", "added", False, frozenset())


def test_empty_patch_and_mode_change():
    c = change_from_github({"filename": "a.ts", "status": "renamed", "previous_filename": "b.ts",
                            "additions": 0, "deletions": 0, "changes": 0, "patch": ""})
    assert (c.patch_available, c.added_lines, c.hunks, c.previous_path) == (True, frozenset(), (), "b.ts")
    c = change_from_github({"filename": "run.sh", "status": "changed", "additions": 0, "deletions": 0})
    assert c.patch_available and not c.added_lines


def test_missing_patch_with_unknown_counts_is_unavailable():
    assert not change_from_github({"filename": "x.ts", "status": "modified"}).patch_available


def test_lines_that_look_like_headers_and_odd_characters_stay_in_their_hunk():
    patch = ("@@ -1,4 +1,5 @@\n"
             "--- a comment line that started with '-- '\n"
             "+++ an added line starting with '++ '\n"
             " const a = 'form\x0cfeed and line\u2028separator';\n"
             "+const b = 2;\r\n"
             " \n"
             "-\n"
             "+// last\n")
    c = change_from_github({"filename": "x.ts", "status": "modified", "additions": 3, "deletions": 2,
                            "patch": patch})
    assert c.patch_available
    assert c.added_lines == {1, 3, 5}
    assert c.hunks == ((1, 5),)


def test_git_diff_quoted_and_spaced_paths():
    text = ('diff --git "a/lib/\\303\\251t\\303\\251 \\"x\\".ts" "b/lib/\\303\\251t\\303\\251 \\"x\\".ts"\n'
            'new file mode 100644\n'
            'index 0000000..f5323dd\n'
            '--- /dev/null\n'
            '+++ "b/lib/\\303\\251t\\303\\251 \\"x\\".ts"\n'
            '@@ -0,0 +1,2 @@\n'
            '+export const X = 1;\n'
            '+export const Y = 2;\n'
            'diff --git a/lib/my stack.ts b/lib/my stack.ts\n'
            'index 1111111..2222222 100644\n'
            '--- a/lib/my stack.ts\t\n'
            '+++ b/lib/my stack.ts\t\n'
            '@@ -2,0 +3 @@\n'
            '+new Thing();\n')
    changes = changes_from_git_diff(text)
    assert _shape(changes) == {
        'lib/été "x".ts': ("added", None, [1, 2], True, ((1, 2),)),
        "lib/my stack.ts": ("modified", None, [3], True, ((3, 3),)),
    }


def test_empty_and_broken_git_diff():
    assert changes_from_git_diff("") == {}
    with pytest.raises(ValueError):
        changes_from_git_diff("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n x\n")


def test_change_from_contents_finds_inserted_and_replaced_lines():
    old = "a\nb\nc\nd\n"
    new = "a\nB\nc\nnew\nd\n"
    c = change_from_contents("x.ts", "modified", old, new)
    assert c.added_lines == {2, 4} and c.patch_available and not c.commentable(2)
    assert change_from_contents("y.ts", "added", None, "1\n2\n").added_lines == {1, 2}


def test_added_file_counts_lines_with_and_without_final_newline():
    assert added_file("a.ts", b"x\ny\n") == FileChange("a.ts", "added", None, frozenset({1, 2}), True, ((1, 2),))
    assert added_file("a.ts", b"x\ny").added_lines == {1, 2}
    assert added_file("a.ts", b"").hunks == ()


def test_paths_to_review(pr_files):
    from rules.config import Config
    changes = changes_from_github(pr_files)
    assert paths_to_review(changes, Config().path_included) == [
        "bin/app.ts", "lib/constants.ts", "lib/data-stack.ts", "lib/generated-stack.ts", "lib/new-name.ts",
        "lib/no-newline.ts", "lib/version.ts"]
    assert paths_to_review(changes, Config(exclude=("bin/**",)).path_included)[0] == "lib/constants.ts"
