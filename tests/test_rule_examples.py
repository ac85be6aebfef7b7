"""Documentation is tested: every rule's bad example yields exactly the marked findings
(`// <-- RULE-ID` on the line), and its good example yields none."""
import re

import pytest

from rules.engine import analyse
from rules.registry import DOC_SECTIONS, ID_PATTERN, all_rules
from tests.helpers import project

RULES = all_rules()
MARK = re.compile(r"//\s*<--\s*((?:[A-Z]{3}-[A-Z0-9]+-\d{3}[ ,]*)+)")


def expected_lines(source: str, rule_id: str) -> set[int]:
    out = set()
    for number, line in enumerate(source.splitlines(), 1):
        m = MARK.search(line)
        if m and rule_id in re.split(r"[ ,]+", m.group(1).strip()):
            out.add(number)
    return out


def lines_found(source: str, rule) -> set[int]:
    p = project(**{"example.ts": source})
    result = analyse(p, rules=[rule])
    assert not [d for d in result.diagnostics if d.rule_id], result.diagnostics
    return {f.line for f in result.findings if f.rule_id == rule.id}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_bad_example_yields_exactly_the_marked_findings(rule):
    source = rule.bad_example
    expected = expected_lines(source, rule.id)
    assert expected, f"{rule.id}: the bad example marks no line with // <-- {rule.id}"
    found = lines_found(source, rule)
    assert found == expected, f"{rule.id}: missing {sorted(expected - found)}, noisy {sorted(found - expected)}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_good_example_yields_nothing(rule):
    assert lines_found(rule.good_example, rule) == set()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata(rule):
    assert ID_PATTERN.match(rule.id)
    assert list(rule.sections) == [s for s in DOC_SECTIONS if s in rule.sections], "sections out of order"
    assert rule.summary and not rule.summary.endswith(":")
    assert rule.message and rule.remediation
    assert all(ref.startswith("https://") for ref in rule.references)


def test_every_category_has_a_rule():
    from rules.taxonomy import Category
    assert {r.category for r in RULES} == set(Category)


def _with_suggestion(source: str, finding) -> str:
    lines = source.split("\n")
    lines[finding.line - 1:finding.end_line] = [finding.suggestion] if finding.suggestion else []
    return "\n".join(lines)


SUGGESTING = [r for r in RULES
              if any(f.suggestion is not None for f in analyse(project(**{"example.ts": r.bad_example}),
                                                               rules=[r]).findings)]


@pytest.mark.parametrize("rule", SUGGESTING, ids=lambda r: r.id)
def test_each_suggestion_applied_alone_fixes_its_finding_and_parses(rule):
    """A one-click fix must compile as far as the parser can tell and make its finding go away."""
    source = rule.bad_example
    for finding in analyse(project(**{"example.ts": source}), rules=[rule]).findings:
        if finding.suggestion is None:
            continue
        fixed = _with_suggestion(source, finding)
        result = analyse(project(**{"example.ts": fixed}), rules=[rule])
        where = f"{rule.id} line {finding.line}: {finding.suggestion!r}"
        assert not any(d.message.startswith("syntax error") for d in result.diagnostics), where
        assert not [f for f in result.findings
                    if (f.line, f.message) == (finding.line, finding.message)], where


def test_suggestions_are_tested():
    assert len(SUGGESTING) >= 10, [r.id for r in SUGGESTING]
