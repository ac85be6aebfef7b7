"""bot.review (inline comments, review plan) and bot.check_run (summary, annotations)."""
import re
from types import SimpleNamespace

import pytest

from bot.check_run import (annotations, batched, check_summary, check_title, conclusion,
                           diagnostic_notes)
from bot.diff import FileChange
from bot.review import (ExistingComment, InlineComment, comment_body, is_resolved, marker_of,
                        placement, plan_review, resolved_body)
from rules.findings import Diagnostic, Finding
from rules.taxonomy import Severity, Subcategory

SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
DOCS = "https://github.com/acme/cdk-review/blob/main/docs/rules.md"

RULE = SimpleNamespace(id="OPS-BAK-001", name="destroy-removal-policy-on-data", sections={
    "Why is this bad?": "A stack deletion replaces the resource\nand deletes the data.\n\nSecond paragraph.",
})
REGISTRY = {"OPS-BAK-001": RULE}

SUB = {"OPS": Subcategory.INADEQUATE_BACKUPS, "SEC": Subcategory.OVERLY_PERMISSIVE_SECURITY_GROUPS,
       "TSQ": Subcategory.TYPE_DEFINITIONS, "ARC": Subcategory.SINGLE_POINT_OF_FAILURE}


def F(rule_id="OPS-BAK-001", line=10, *, end_line=None, severity="error", path="lib/data-stack.ts",
      message="Table holds data but is deleted with its stack (RemovalPolicy.DESTROY)",
      remediation="Keep the data: `removalPolicy: RemovalPolicy.RETAIN`", suggestion=None,
      snippet=None, column=7, name="destroy-removal-policy-on-data"):
    return Finding(rule_id, SUB[rule_id[:3]], Severity(severity), path, line, end_line or line, column,
                   message, remediation, suggestion, name,
                   snippet if snippet is not None else f"{rule_id}@{path}:{line}")


def change(path="lib/data-stack.ts", added=(), hunks=((1, 40),), **kw):
    return FileChange(path, kw.pop("status", "modified"), None, frozenset(added), kw.pop("patch_available", True),
                      tuple(hunks))


# --------------------------------------------------------------------------- comment body

def test_comment_body_golden():
    f = F(suggestion="      removalPolicy: RemovalPolicy.RETAIN,\n", snippet="removalPolicy: RemovalPolicy.DESTROY")
    assert comment_body(f, RULE, docs_url=DOCS) == (
        "**`OPS-BAK-001` · inadequate-backups** · error\n"
        "\n"
        "Table holds data but is deleted with its stack (RemovalPolicy.DESTROY)\n"
        "\n"
        "*Why:* A stack deletion replaces the resource and deletes the data.\n"
        "\n"
        "*Fix:* Keep the data: `removalPolicy: RemovalPolicy.RETAIN`\n"
        "\n"
        "```suggestion\n"
        "      removalPolicy: RemovalPolicy.RETAIN,\n"
        "```\n"
        "\n"
        "[OPS-BAK-001 destroy-removal-policy-on-data]"
        "(https://github.com/acme/cdk-review/blob/main/docs/rules.md#ops-bak-001)\n"
        "\n"
        f"<!-- cdk-review:{f.fingerprint} -->")


def test_comment_body_without_rule_docs_or_suggestion():
    f = F("SEC-SG-001", message="PostgreSQL port 5432 is open to 0.0.0.0/0", remediation="",
          name="ingress-open-to-the-internet", suggestion="x")
    body = comment_body(f, None, docs_url=DOCS, with_suggestion=False)
    assert body.split("\n\n")[:3] == ["**`SEC-SG-001` · overly-permissive-security-groups** · error",
                                      "PostgreSQL port 5432 is open to 0.0.0.0/0",
                                      "[SEC-SG-001 ingress-open-to-the-internet](" + DOCS + "#sec-sg-001)"]
    assert "suggestion" not in body and "*Why:*" not in body and "*Fix:*" not in body


def test_suggestion_with_backticks_gets_a_longer_fence():
    f = F(suggestion="const s = `\n```\n`;")
    body = comment_body(f, RULE)
    assert "````suggestion\nconst s = `\n```\n`;\n````" in body


def test_suggestion_that_deletes_the_lines():
    assert "```suggestion\n```" in comment_body(F(suggestion=""), RULE)


def test_marker_round_trip_and_forgery():
    f = F(message="id <!-- cdk-review:0000000000000000 --> `<b>` a & b")
    body = comment_body(f, RULE)
    assert marker_of(body) == f.fingerprint
    assert "id &lt;!-- cdk-review:0000000000000000 --&gt; `<b>` a &amp; b" in body   # code span kept as is
    assert marker_of("no marker") is None
    assert marker_of(f"<!-- cdk-review:{f.fingerprint} -->\n\nedited below by someone") is None
    assert marker_of(f"text\n<!-- cdk-review:{f.fingerprint} -->\n") == f.fingerprint


def test_resolved_body_keeps_the_marker_and_drops_the_suggestion():
    f = F(suggestion="      removalPolicy: RemovalPolicy.RETAIN,")
    body = resolved_body(comment_body(f, RULE, docs_url=DOCS), SHA)
    assert body == (
        f"✅ **Fixed** in {SHA}: cdk-review no longer finds this. "
        "~~**`OPS-BAK-001` · inadequate-backups** · error~~\n"
        "\n"
        "<details><summary>Original comment</summary>\n"
        "\n"
        "Table holds data but is deleted with its stack (RemovalPolicy.DESTROY)\n"
        "\n"
        "*Why:* A stack deletion replaces the resource and deletes the data.\n"
        "\n"
        "*Fix:* Keep the data: `removalPolicy: RemovalPolicy.RETAIN`\n"
        "\n"
        "[OPS-BAK-001 destroy-removal-policy-on-data](" + DOCS + "#ops-bak-001)\n"
        "\n"
        "</details>\n"
        "\n"
        f"<!-- cdk-review:{f.fingerprint} -->")
    assert marker_of(body) == f.fingerprint and is_resolved(body)


# --------------------------------------------------------------------------- placement

def test_multi_line_finding_with_a_one_line_suggestion_covers_the_whole_span():
    f = F(line=20, end_line=23, suggestion="    removalPolicy: RemovalPolicy.RETAIN,")
    c = change(added={20, 21, 22, 23}, hunks=((15, 30),))
    assert placement(f, c) == (23, 20, True)
    plan = plan_review([f], {f.path: c}, registry=REGISTRY)
    (comment,) = plan.comments
    assert (comment.start_line, comment.line) == (20, 23)
    assert comment.to_api() == {"path": f.path, "line": 23, "side": "RIGHT", "body": comment.body,
                                "start_line": 20, "start_side": "RIGHT"}


def test_multi_line_suggestion_across_hunks_falls_back_to_a_plain_comment():
    f = F(line=20, end_line=40, suggestion="x")
    c = change(added={20}, hunks=((15, 25), (35, 45)))
    assert placement(f, c) == (20, None, False)
    (comment,) = plan_review([f], {f.path: c}, registry=REGISTRY).comments
    assert "suggestion" not in comment.body and comment.to_api().keys() == {"path", "line", "side", "body"}


def test_multi_line_finding_without_suggestion_is_commented_on_its_first_line():
    f = F(line=20, end_line=30)
    assert placement(f, change(added={20}, hunks=((17, 23),))) == (20, None, False)


def test_finding_counts_only_when_its_first_line_was_added():
    inside = F(line=20, end_line=30)             # construct unchanged, a prop inside edited
    assert placement(inside, change(added={25}, hunks=((22, 28),))) is None
    assert plan_review([inside], {inside.path: change(added={25})}, registry=REGISTRY).on_changed_lines == 0


# --------------------------------------------------------------------------- plan

def _ids(plan):
    return [(c.path, c.line, marker_of(c.body)) for c in plan.comments]


def test_plan_keeps_added_lines_only_and_is_sorted_by_place():
    a = F("OPS-BAK-001", 12)
    b = F("SEC-SG-001", 5, name="ingress-open-to-the-internet", message="open")
    old = F("TSQ-TYP-001", 8, severity="warning", name="explicit-any", message="any")
    elsewhere = F("OPS-BAK-001", 3, path="lib/other.ts")       # file not in the PR
    plan = plan_review([a, b, old, elsewhere], {"lib/data-stack.ts": change(added={5, 12})}, registry=REGISTRY)
    assert _ids(plan) == [("lib/data-stack.ts", 5, b.fingerprint), ("lib/data-stack.ts", 12, a.fingerprint)]
    assert (plan.on_changed_lines, plan.previously_commented, plan.not_inline) == (2, 0, 0)
    assert plan.resolved == () and plan.should_post


def test_plan_skips_findings_already_commented_and_resolves_the_fixed_ones():
    still = F("OPS-BAK-001", 12)
    new = F("SEC-SG-001", 5, message="open")
    gone = F("TSQ-TYP-001", 9, severity="warning", message="any")
    existing = [ExistingComment(101, still.path, comment_body(still, RULE)),
                ExistingComment(102, gone.path, comment_body(gone, None)),
                ExistingComment(103, "README.md", "a human comment"),
                ExistingComment(104, gone.path, resolved_body(comment_body(F(line=1, snippet="x"), RULE), "abc"))]
    plan = plan_review([still, new], {still.path: change(added={5, 12})}, existing, head_sha=SHA,
                       registry=REGISTRY)
    assert _ids(plan) == [(new.path, 5, new.fingerprint)]
    assert [(e.comment_id, e.fingerprint) for e in plan.resolved] == [(102, gone.fingerprint)]
    assert plan.resolved[0].body.startswith(f"✅ **Fixed** in {SHA}: ")
    assert marker_of(plan.resolved[0].body) == gone.fingerprint
    assert plan.previously_commented == 1
    assert plan.body == ("**cdk-review**: 2 findings on lines changed by this pull request.\n"
                         "\n"
                         "- 1 new inline comment below\n"
                         "- 1 already commented on an earlier push\n"
                         "\n"
                         "All findings are in the **CDK Review** check run.")
    # the next push: nothing new, nothing to edit
    posted = existing + [ExistingComment(105, c.path, c.body) for c in plan.comments]
    posted[1] = ExistingComment(102, gone.path, plan.resolved[0].body)
    again = plan_review([still, new], {still.path: change(added={5, 12})}, posted, head_sha=SHA, registry=REGISTRY)
    assert again.comments == () and again.resolved == () and not again.should_post


def test_a_finding_that_comes_back_after_its_comment_was_resolved_is_posted_again():
    f = F(line=12)
    resolved = ExistingComment(7, f.path, resolved_body(comment_body(f, RULE), "abc"))
    plan = plan_review([f], {f.path: change(added={12})}, [resolved], registry=REGISTRY)
    assert _ids(plan) == [(f.path, 12, f.fingerprint)] and plan.resolved == ()


def test_a_finding_still_present_off_the_changed_lines_is_not_marked_fixed():
    f = F(line=30)
    plan = plan_review([f], {f.path: change(added={12})}, [ExistingComment(1, f.path, comment_body(f, RULE))],
                       registry=REGISTRY)
    assert plan.resolved == () and plan.comments == ()


def test_cap_takes_errors_then_warnings_then_notices_deterministically():
    findings = ([F("TSQ-TYP-001", n, severity="notice", message=f"n{n}") for n in (1, 2)]
                + [F("ARC-SPOF-001", n, severity="warning", message=f"w{n}") for n in (3, 4, 5)]
                + [F("SEC-SG-001", n, severity="error", message=f"e{n}") for n in (9, 8)])
    changes = {"lib/data-stack.ts": change(added=range(1, 10))}
    plan = plan_review(findings, changes, max_inline=4, registry=REGISTRY)
    assert [c.line for c in plan.comments] == [3, 4, 8, 9]     # 2 errors + the first 2 warnings, by line
    assert (plan.over_limit, plan.not_inline) == (3, 3)
    assert plan_review(list(reversed(findings)), changes, max_inline=4, registry=REGISTRY) == plan
    assert plan.body == ("**cdk-review**: 7 findings on lines changed by this pull request.\n"
                         "\n"
                         "- 4 new inline comments below\n"
                         "- 3 in the **CDK Review** check run but not inline "
                         "(a review carries at most 4 inline comments)\n"
                         "\n"
                         "All findings are in the **CDK Review** check run.")


def test_files_without_a_patch_go_to_the_check_run_only():
    f = F(line=3000, path="lib/generated-stack.ts")
    changes = {f.path: FileChange(f.path, "modified", None, frozenset(), False, ())}
    plan = plan_review([f], changes, registry=REGISTRY)
    assert plan.comments == () and (plan.on_changed_lines, plan.not_commentable) == (1, 1)
    assert "1 on lines GitHub cannot comment on" in plan.body


def test_twin_findings_share_one_comment():
    a, b = F(line=5, snippet="same"), F(line=7, snippet="same")
    assert a.fingerprint == b.fingerprint
    plan = plan_review([a, b], {a.path: change(added={5, 7})}, registry=REGISTRY)
    assert [c.line for c in plan.comments] == [5]


def test_without_drops_a_rejected_comment_and_recounts():
    a, b = F(line=5, message="a"), F(line=7, message="b")
    plan = plan_review([a, b], {a.path: change(added={5, 7})}, registry=REGISTRY)
    smaller = plan.without(a.fingerprint)
    assert [c.line for c in smaller.comments] == [7]
    assert smaller.not_commentable == 1 and "1 on lines GitHub cannot comment on" in smaller.body
    assert plan.without("ffffffffffffffff") == plan
    payload = smaller.to_api(SHA)
    assert payload == {"commit_id": SHA, "body": smaller.body, "event": "COMMENT",
                       "comments": [{"path": b.path, "line": 7, "side": "RIGHT", "body": smaller.comments[0].body}]}


def test_inline_comment_is_frozen_data():
    c = InlineComment("a.ts", 3, None, "RIGHT", "body", "fp")
    with pytest.raises(Exception):
        c.line = 4


# --------------------------------------------------------------------------- check run

def test_check_title():
    assert check_title([], cdk_files_changed=False) == "No CDK files changed"
    assert check_title([]) == "No findings on changed lines"
    found = [F(line=1), F("SEC-SG-001", 2), F("TSQ-TYP-001", 3, severity="notice")]
    assert check_title(found) == "3 findings on changed lines: 2 errors, 1 notice"


def test_check_summary_golden():
    findings = [F("SEC-SG-001", 19, message="PostgreSQL port 5432 is open to 0.0.0.0/0"),
                F("OPS-BAK-001", 26, end_line=27),
                F("TSQ-TYP-001", 46, severity="warning", message="`any` in a cast | Array<T>")]
    summary = check_summary(findings, files_reviewed=2, cdk_files_changed=2, head_sha=SHA,
                            notes=["lib/x.ts:3: syntax error <here>"], repo_url="https://github.com/octocat/Hello-World")
    blob = f"https://github.com/octocat/Hello-World/blob/{SHA}/lib/data-stack.ts"
    assert summary == (
        "Reviewed 2 changed CDK files at `6dcb09b`: **3 findings** on changed lines (2 errors, 1 warning).\n"
        "\n"
        "| category | errors | warnings | notices |\n"
        "|---|--:|--:|--:|\n"
        "| incomplete-implementation | 0 | 0 | 0 |\n"
        "| security | 1 | 0 | 0 |\n"
        "| architecture | 0 | 0 | 0 |\n"
        "| cdk-specific | 0 | 0 | 0 |\n"
        "| typescript-quality | 0 | 1 | 0 |\n"
        "| operational-excellence | 1 | 0 | 0 |\n"
        "| **total** | **2** | **1** | **0** |\n"
        "\n"
        "**Notes**\n"
        "\n"
        "- lib/x.ts:3: syntax error &lt;here&gt;\n"
        "\n"
        "<details><summary><b>overly-permissive-security-groups</b> · security · 1 finding</summary>\n"
        "\n"
        f"- [`lib/data-stack.ts:19`]({blob}#L19) · `SEC-SG-001` · error · PostgreSQL port 5432 is open to 0.0.0.0/0\n"
        "\n"
        "</details>\n"
        "\n"
        "<details><summary><b>type-definitions</b> · typescript-quality · 1 finding</summary>\n"
        "\n"
        f"- [`lib/data-stack.ts:46`]({blob}#L46) · `TSQ-TYP-001` · warning · `any` in a cast | Array&lt;T&gt;\n"
        "\n"
        "</details>\n"
        "\n"
        "<details><summary><b>inadequate-backups</b> · operational-excellence · 1 finding</summary>\n"
        "\n"
        f"- [`lib/data-stack.ts:26`]({blob}#L26-L27) · `OPS-BAK-001` · error · "
        "Table holds data but is deleted with its stack (RemovalPolicy.DESTROY)\n"
        "\n"
        "</details>")


def test_check_summary_without_cdk_files_and_without_links():
    assert check_summary([], files_reviewed=0, cdk_files_changed=0, head_sha=SHA) == \
        "No CDK TypeScript file changed at `6dcb09b`: nothing to review."
    text = check_summary([F(line=4)], files_reviewed=1, cdk_files_changed=1, head_sha="")
    assert "- `lib/data-stack.ts:4` · `OPS-BAK-001` · error · " in text


def _balanced(summary):
    return summary.count("<details>") == summary.count("</details>")


@pytest.mark.parametrize("limit", [1500, 2000, 3333, 65535])
def test_check_summary_is_cut_between_rows_within_the_limit(limit):
    findings = [F(["SEC-SG-001", "OPS-BAK-001", "TSQ-TYP-001"][n % 3], n + 1, message=f"message {n} " + "é" * 200)
                for n in range(600)]
    summary = check_summary(findings, files_reviewed=1, cdk_files_changed=1, head_sha=SHA,
                            repo_url="https://github.com/o/r", limit=limit)
    assert len(summary.encode()) <= limit and _balanced(summary)
    rows = [line for line in summary.splitlines() if line.startswith("- [")]
    assert all(line.endswith("é" * 20) or line.endswith("…") for line in rows)   # no row cut short
    note = summary.splitlines()[-1]
    assert note == (f"**{600 - len(rows)} of 600 findings not listed here** (the summary is limited to "
                    f"{limit} characters); all of them are in this check run's annotations.")


def test_check_summary_fits_exactly_when_everything_fits():
    findings = [F(line=n) for n in range(1, 4)]
    full = check_summary(findings, files_reviewed=1, cdk_files_changed=1, head_sha=SHA)
    assert check_summary(findings, files_reviewed=1, cdk_files_changed=1, head_sha=SHA,
                         limit=len(full.encode()) + 1) == full


def test_annotations_and_batches():
    one = F("SEC-SG-001", 19, message="open", column=5, snippet="dbSg.addIngressRule(x)", name="ingress-open-to-the-internet")
    span = F("OPS-BAK-001", 21, end_line=27, remediation="")
    assert annotations([span, one]) == [
        {"path": "lib/data-stack.ts", "start_line": 19, "end_line": 19, "annotation_level": "failure",
         "title": "SEC-SG-001 ingress-open-to-the-internet", "message": "open",
         "start_column": 5, "end_column": 26,
         "raw_details": "Keep the data: `removalPolicy: RemovalPolicy.RETAIN`"},
        {"path": "lib/data-stack.ts", "start_line": 21, "end_line": 27, "annotation_level": "failure",
         "title": "OPS-BAK-001 destroy-removal-policy-on-data",
         "message": "Table holds data but is deleted with its stack (RemovalPolicy.DESTROY)"},
    ]
    levels = [a["annotation_level"] for a in annotations([F(line=1, severity=s) for s in ("warning", "notice")])]
    assert sorted(levels) == ["notice", "warning"]
    assert [len(b) for b in batched(list(range(120)), 50)] == [50, 50, 20]
    assert list(batched([], 50)) == []


@pytest.mark.parametrize("severities, kwargs, expected", [
    (["error"], {"fail_on": "error", "cdk_files_changed": True}, "failure"),
    (["warning"], {"fail_on": "error", "cdk_files_changed": True}, "success"),
    (["warning"], {"fail_on": Severity.WARNING, "cdk_files_changed": True}, "failure"),
    (["notice"], {"fail_on": "warning", "cdk_files_changed": True}, "success"),
    (["error"], {"fail_on": "never", "cdk_files_changed": True}, "success"),
    ([], {"fail_on": "error", "cdk_files_changed": True}, "success"),
    ([], {"fail_on": "error", "cdk_files_changed": False}, "neutral"),
    (["error"], {"fail_on": "error", "cdk_files_changed": True, "draft": True}, "neutral"),
    (["error"], {"fail_on": "error", "cdk_files_changed": True, "draft": True,
                 "draft_conclusion": "normal"}, "failure"),
])
def test_conclusion(severities, kwargs, expected):
    assert conclusion([F(line=n, severity=s) for n, s in enumerate(severities, 1)], **kwargs) == expected


def test_diagnostic_notes():
    notes = diagnostic_notes([Diagnostic("lib/b.ts", 0, "rule X crashed", "error"),
                              Diagnostic("lib/a.ts", 3, "syntax error at line 3")])
    assert notes == ["lib/a.ts:3: syntax error at line 3", "lib/b.ts: rule X crashed"]


def test_summary_rows_never_contain_a_raw_newline_or_tag():
    f = F(message="two\nlines <script>")
    summary = check_summary([f], files_reviewed=1, cdk_files_changed=1, head_sha=SHA)
    assert "- `lib/data-stack.ts:10` · `OPS-BAK-001` · error · two lines &lt;script&gt;" in summary
    assert not re.search(r"<script>", summary)


def test_annotation_texts_are_cut_to_githubs_sizes():
    long = F(message="é" * 40000, remediation="x" * 70000, name="n" * 300)
    (a,) = annotations([long])
    assert len(a["message"].encode()) <= 65535 and a["message"] == "é" * 32767
    assert len(a["raw_details"]) == 65535 and len(a["title"]) == 255
