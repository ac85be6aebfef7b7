"""Inline suppression comments: where they apply, what they match, and the notices for
malformed ones (no reason, unknown id)."""
from __future__ import annotations

from rules.findings import Diagnostic, Finding
from rules.suppressions import Suppressions, apply_suppressions, parse_suppressions
from rules.taxonomy import Severity, Subcategory

KNOWN = {"SEC-SG-001", "SEC-SG-002", "SEC-IAM-001", "OPS-BAK-001"}
PATH = "lib/stack.ts"


def f(rule_id: str, line: int, path: str = PATH) -> Finding:
    sub = {"SEC-SG-001": Subcategory.OVERLY_PERMISSIVE_SECURITY_GROUPS,
           "SEC-SG-002": Subcategory.OVERLY_PERMISSIVE_SECURITY_GROUPS,
           "SEC-IAM-001": Subcategory.INADEQUATE_IAM_POLICIES,
           "OPS-BAK-001": Subcategory.INADEQUATE_BACKUPS}[rule_id]
    return Finding(rule_id, sub, Severity.ERROR, path, line, line + 2, 5, "message", "remediation")


def sup(*comments: tuple[int, str], path: str = PATH) -> Suppressions:
    return parse_suppressions(list(comments), path, known_ids=KNOWN)


def kept(s: Suppressions, *findings: Finding) -> set[tuple[str, int]]:
    return {(x.rule_id, x.line) for x in findings if not s.suppresses(x)}


def test_comment_on_the_line_or_the_line_above():
    s = sup((10, "// cdk-review-ignore SEC-SG-001: public ALB must accept the internet"))
    assert kept(s, f("SEC-SG-001", 9), f("SEC-SG-001", 10), f("SEC-SG-001", 11), f("SEC-SG-001", 12)) == \
        {("SEC-SG-001", 9), ("SEC-SG-001", 12)}
    assert s.diagnostics == ()


def test_trailing_comment_on_the_offending_line():
    s = sup((20, "// cdk-review-ignore SEC-SG-001: bastion, locked down by NACL"))
    assert kept(s, f("SEC-SG-001", 20)) == set()


def test_only_named_rules_are_suppressed():
    s = sup((4, "// cdk-review-ignore SEC-SG-001: reason"))
    assert kept(s, f("SEC-SG-001", 5), f("SEC-SG-002", 5), f("OPS-BAK-001", 5)) == \
        {("SEC-SG-002", 5), ("OPS-BAK-001", 5)}


def test_several_ids_with_commas_or_spaces():
    s = sup((4, "// cdk-review-ignore SEC-SG-001, OPS-BAK-001 SEC-IAM-001: scratch stack, deleted nightly"))
    assert kept(s, f("SEC-SG-001", 5), f("SEC-SG-002", 5), f("OPS-BAK-001", 5), f("SEC-IAM-001", 5)) == \
        {("SEC-SG-002", 5)}


def test_subcategory_and_category_slugs():
    by_sub = sup((4, "// cdk-review-ignore overly-permissive-security-groups: demo"))
    assert kept(by_sub, f("SEC-SG-001", 5), f("SEC-SG-002", 5), f("SEC-IAM-001", 5)) == {("SEC-IAM-001", 5)}
    by_cat = sup((4, "// cdk-review-ignore security: demo"))
    assert kept(by_cat, f("SEC-SG-001", 5), f("SEC-IAM-001", 5), f("OPS-BAK-001", 5)) == {("OPS-BAK-001", 5)}


def test_block_comment_forms():
    s = sup((3, "/* cdk-review-ignore SEC-SG-001: reason */"),
            (10, "/**\n * cdk-review-ignore OPS-BAK-001: cache table,\n * rebuilt on deploy\n */"))
    # the block comment spans lines 10-13, so it covers lines 10..14
    assert kept(s, f("SEC-SG-001", 4), f("OPS-BAK-001", 14), f("OPS-BAK-001", 15)) == {("OPS-BAK-001", 15)}
    assert [d.reason for d in s.directives] == ["reason", "cache table, rebuilt on deploy"]
    assert s.diagnostics == ()


def test_missing_reason_does_not_suppress_and_is_reported():
    s = sup((4, "// cdk-review-ignore SEC-SG-001"),
            (8, "// cdk-review-ignore SEC-SG-001:   "),
            (12, "// cdk-review-ignore SEC-SG-001 public ALB"))
    assert kept(s, f("SEC-SG-001", 5), f("SEC-SG-001", 9), f("SEC-SG-001", 13)) == \
        {("SEC-SG-001", 5), ("SEC-SG-001", 9), ("SEC-SG-001", 13)}
    assert s.diagnostics == (
        Diagnostic(PATH, 4, "cdk-review-ignore needs a reason: write "
                   "`// cdk-review-ignore SEC-SG-001: <why this is acceptable>`; nothing suppressed"),
        Diagnostic(PATH, 8, "cdk-review-ignore needs a reason: write "
                   "`// cdk-review-ignore SEC-SG-001: <why this is acceptable>`; nothing suppressed"),
        Diagnostic(PATH, 12, "cdk-review-ignore needs a reason: write "
                   "`// cdk-review-ignore SEC-SG-001: <why this is acceptable>`; nothing suppressed"),
    )
    assert {d.level for d in s.diagnostics} == {"notice"}


def test_unknown_ids_are_reported_and_known_ones_still_apply():
    s = sup((4, "// cdk-review-ignore SEC-SG-01, sec-sg-002, SEC-IAM-001, no-such-thing: reviewed"))
    assert kept(s, f("SEC-SG-001", 5), f("SEC-SG-002", 5), f("SEC-IAM-001", 5)) == \
        {("SEC-SG-001", 5), ("SEC-SG-002", 5)}
    assert [d.message for d in s.diagnostics] == [
        "cdk-review-ignore: unknown rule id or slug 'SEC-SG-01' (did you mean 'SEC-SG-001'?)",
        "cdk-review-ignore: unknown rule id or slug 'sec-sg-002' (did you mean 'SEC-SG-002'?)",
        "cdk-review-ignore: unknown rule id or slug 'no-such-thing'",
    ]


def test_no_ids():
    s = sup((4, "// cdk-review-ignore: because"), (6, "// cdk-review-ignore"))
    assert s.directives == ()
    assert [(d.line, d.message) for d in s.diagnostics] == [
        (4, "cdk-review-ignore names no rule id or slug: write "
            "`// cdk-review-ignore SEC-SG-001: why this is acceptable`; nothing suppressed"),
        (6, "cdk-review-ignore needs a reason: write "
            "`// cdk-review-ignore RULE-ID: <why this is acceptable>`; nothing suppressed"),
    ]


def test_comments_that_are_not_directives_are_ignored():
    s = sup((4, "// see cdk-review-ignore SEC-SG-001: in the docs"),
            (5, "// cdk-review-ignored SEC-SG-001: nope"),
            (6, "// TODO: tighten this security group"),
            (7, "/// cdk-review-ignore SEC-SG-002: triple slash works"))
    assert kept(s, f("SEC-SG-001", 5), f("SEC-SG-001", 6), f("SEC-SG-002", 8)) == \
        {("SEC-SG-001", 5), ("SEC-SG-001", 6)}
    assert s.diagnostics == ()


def test_other_files_are_not_affected():
    s = sup((4, "// cdk-review-ignore SEC-SG-001: reason"))
    assert s.suppresses(f("SEC-SG-001", 5, path="lib/other.ts")) is False


def test_apply_suppressions_across_files():
    a = sup((4, "// cdk-review-ignore SEC-SG-001: reason"), (9, "// cdk-review-ignore OPS-BAK-001"))
    b = sup((1, "// cdk-review-ignore security: sandbox account"), path="lib/sandbox.ts")
    findings = [f("SEC-SG-001", 5), f("OPS-BAK-001", 10), f("SEC-IAM-001", 2, "lib/sandbox.ts"),
                f("SEC-SG-001", 5, "lib/unrelated.ts")]
    kept_findings, diagnostics = apply_suppressions(findings, [a, b])
    assert {(x.path, x.rule_id, x.line) for x in kept_findings} == {
        (PATH, "OPS-BAK-001", 10), ("lib/unrelated.ts", "SEC-SG-001", 5)}
    assert [(d.path, d.line) for d in diagnostics] == [(PATH, 9)]


def test_apply_suppressions_with_a_single_file():
    s = sup((4, "// cdk-review-ignore SEC-SG-001: reason"))
    kept_findings, diagnostics = apply_suppressions([f("SEC-SG-001", 5), f("SEC-SG-002", 5)], s)
    assert [(x.rule_id, x.line) for x in kept_findings] == [("SEC-SG-002", 5)]
    assert diagnostics == []
