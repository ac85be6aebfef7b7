"""Output renderers: CONTRACT.md JSON, SARIF 2.1.0 (validated against the official
schema) and terminal text (golden strings, with and without colour)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest

from rules.findings import Diagnostic, Finding
from rules.output import (FINGERPRINT_KEY, INFORMATION_URI, SARIF_SCHEMA_URI, render_json, render_sarif,
                          render_text, tool_version)
from rules.taxonomy import Category, Severity, Subcategory

FIXTURES = Path(__file__).parent / "fixtures"
OUTPUT_SCHEMA = Path(__file__).parent.parent / "rules" / "schemas" / "findings-output.schema.json"


@dataclass(frozen=True)
class StubRule:
    id: str
    name: str
    subcategory: Subcategory
    severity: Severity
    summary: str
    docs: str = ""
    references: list[str] = field(default_factory=list)


RULES = [
    StubRule("SEC-SG-001", "database-port-open-to-world", Subcategory.OVERLY_PERMISSIVE_SECURITY_GROUPS,
             Severity.ERROR, "Database port open to the internet",
             "## What it does\n\nFlags ingress from 0.0.0.0/0 to a database port.\n\n## Why is this bad?\n\nExposure.",
             ["https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html"]),
    StubRule("OPS-BAK-001", "stateful-resource-destroyed", Subcategory.INADEQUATE_BACKUPS, Severity.WARNING,
             "Stateful resource is deleted with its stack"),
    StubRule("ARC-SPF-001", "single-nat-gateway", Subcategory.SINGLE_POINT_OF_FAILURE, Severity.NOTICE,
             "One NAT gateway for all AZs", "One NAT gateway is a single point of failure."),
]

SG = Finding("SEC-SG-001", Subcategory.OVERLY_PERMISSIVE_SECURITY_GROUPS, Severity.ERROR,
             "lib/database-stack.ts", 42, 46, 5, "PostgreSQL port 5432 is open to 0.0.0.0/0",
             "Allow only the application security group: db.connections.allowDefaultPortFrom(appSg)",
             snippet="sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(5432))")
BAK = Finding("OPS-BAK-001", Subcategory.INADEQUATE_BACKUPS, Severity.WARNING,
              "lib/database-stack.ts", 7, 7, 3, "Table is destroyed with the stack",
              "Keep the data: removalPolicy: RemovalPolicy.RETAIN",
              suggestion="  removalPolicy: RemovalPolicy.RETAIN,\n")
NAT = Finding("ARC-SPF-001", Subcategory.SINGLE_POINT_OF_FAILURE, Severity.NOTICE,
              "bin/my app.ts", 3, 3, 1, "One NAT gateway serves every AZ", "Set natGateways to maxAzs")
DIAGS = [
    Diagnostic("lib/broken.ts", 7, "could not parse: unexpected token", level="warning"),
    Diagnostic("lib/database-stack.ts", 40, "cdk-review-ignore: unknown rule id or slug 'SEC-XX-1'"),
    Diagnostic("lib/x.ts", 0, "rule crashed", level="error", rule_id="SEC-SG-001"),
]


def _sarif_validator():
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    return jsonschema.validators.validator_for(schema)(schema)


def _output_validator():
    schema = json.loads(OUTPUT_SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# --------------------------------------------------------------------------- JSON

def test_json_matches_contract_exactly():
    doc = json.loads(render_json([SG, NAT, BAK], files=3, diagnostics=DIAGS[:1]))
    assert doc == {
        "version": 1,
        "tool": {"name": "cdk-review", "version": tool_version()},
        "findings": [
            {"rule_id": "ARC-SPF-001", "category": "architecture", "subcategory": "single-point-of-failure",
             "severity": "notice", "path": "bin/my app.ts", "line": 3, "end_line": 3, "column": 1,
             "message": "One NAT gateway serves every AZ", "remediation": "Set natGateways to maxAzs",
             "suggestion": None},
            {"rule_id": "OPS-BAK-001", "category": "operational-excellence", "subcategory": "inadequate-backups",
             "severity": "warning", "path": "lib/database-stack.ts", "line": 7, "end_line": 7, "column": 3,
             "message": "Table is destroyed with the stack",
             "remediation": "Keep the data: removalPolicy: RemovalPolicy.RETAIN",
             "suggestion": "  removalPolicy: RemovalPolicy.RETAIN,\n"},
            {"rule_id": "SEC-SG-001", "category": "security", "subcategory": "overly-permissive-security-groups",
             "severity": "error", "path": "lib/database-stack.ts", "line": 42, "end_line": 46, "column": 5,
             "message": "PostgreSQL port 5432 is open to 0.0.0.0/0",
             "remediation": "Allow only the application security group: db.connections.allowDefaultPortFrom(appSg)",
             "suggestion": None},
        ],
        "summary": {"files": 3, "findings": 3,
                    "by_category": {"security": 1, "architecture": 1, "operational-excellence": 1}},
        "diagnostics": [{"path": "lib/broken.ts", "line": 7, "level": "warning",
                         "message": "could not parse: unexpected token", "rule_id": None}],
    }


def test_json_key_order_is_the_contracts():
    doc = json.loads(render_json([SG], files=1))
    assert list(doc) == ["version", "tool", "findings", "summary", "diagnostics"]
    assert list(doc["findings"][0]) == ["rule_id", "category", "subcategory", "severity", "path", "line",
                                        "end_line", "column", "message", "remediation", "suggestion"]
    assert list(doc["summary"]) == ["files", "findings", "by_category"]


def test_json_is_deterministic_whatever_the_input_order():
    assert render_json([SG, BAK, NAT], files=2, diagnostics=DIAGS) == \
        render_json([NAT, SG, BAK], files=2, diagnostics=list(reversed(DIAGS)))


def test_json_validates_against_output_schema():
    validator = _output_validator()
    validator.validate(json.loads(render_json([SG, BAK, NAT], files=3, diagnostics=DIAGS)))
    validator.validate(json.loads(render_json([], files=0)))


def test_json_empty_run():
    doc = json.loads(render_json([], files=5))
    assert doc["findings"] == [] and doc["diagnostics"] == []
    assert doc["summary"] == {"files": 5, "findings": 0, "by_category": {}}


def test_output_schema_enums_match_taxonomy():
    schema = json.loads(OUTPUT_SCHEMA.read_text())
    props = schema["$defs"]["finding"]["properties"]
    assert props["category"]["enum"] == [c.value for c in Category]
    assert props["subcategory"]["enum"] == [s.value for s in Subcategory]
    pairs = {(b["if"]["properties"]["category"]["const"], s)
             for b in schema["$defs"]["finding"]["allOf"]
             for s in b["then"]["properties"]["subcategory"]["enum"]}
    assert pairs == {(s.category.value, s.value) for s in Subcategory}


@pytest.mark.parametrize("change, bad_path", [
    ({"path": "./lib/a.ts"}, ["findings", 0, "path"]),
    ({"path": "lib\\a.ts"}, ["findings", 0, "path"]),
    ({"category": "architecture"}, ["findings", 0, "subcategory"]),   # subcategory not in that category
    ({"severity": "info"}, ["findings", 0, "severity"]),
    ({"line": 0}, ["findings", 0, "line"]),
    ({"extra": 1}, ["findings", 0]),
])
def test_output_schema_rejects_contract_violations(change, bad_path):
    doc = json.loads(render_json([SG], files=1))
    doc["findings"][0].update(change)
    errors = list(_output_validator().iter_errors(doc))
    assert [list(e.absolute_path) for e in errors] == [bad_path]


# --------------------------------------------------------------------------- SARIF

def test_vendored_sarif_schema_is_the_official_one():
    # From github.com/oasis-tcs/sarif-spec @ e0583813964ec43cea53b6b531b402866095ed1f,
    # sarif-2.1/schema/sarif-schema-2.1.0.json (the OASIS 2.1.0 errata01 schema), byte for byte.
    raw = (FIXTURES / "sarif-schema-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
    schema = json.loads(raw)
    assert schema["id"] == SARIF_SCHEMA_URI
    jsonschema.Draft4Validator.check_schema(schema)


def test_sarif_validates_against_official_schema():
    validator = _sarif_validator()
    validator.validate(json.loads(render_sarif([SG, BAK, NAT], rules=RULES, diagnostics=DIAGS)))
    validator.validate(json.loads(render_sarif([], rules=[])))


def test_sarif_schema_validation_is_not_vacuous():
    doc = json.loads(render_sarif([SG], rules=RULES))
    doc["runs"][0]["results"][0]["level"] = "notice"          # SARIF spells it 'note'
    assert [list(e.absolute_path) for e in _sarif_validator().iter_errors(doc)] == \
        [["runs", 0, "results", 0, "level"]]


def test_sarif_driver_and_rules():
    doc = json.loads(render_sarif([SG], rules=RULES))
    assert doc["$schema"] == SARIF_SCHEMA_URI and doc["version"] == "2.1.0"
    driver = doc["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["informationUri"]) == \
        ("cdk-review", tool_version(), INFORMATION_URI)
    # every given rule, sorted by id, even those without results
    assert [r["id"] for r in driver["rules"]] == ["ARC-SPF-001", "OPS-BAK-001", "SEC-SG-001"]
    assert driver["rules"][2] == {
        "id": "SEC-SG-001",
        "name": "database-port-open-to-world",
        "shortDescription": {"text": "Database port open to the internet"},
        "fullDescription": {"text": "Flags ingress from 0.0.0.0/0 to a database port."},
        "help": {"text": RULES[0].docs, "markdown": RULES[0].docs},
        "defaultConfiguration": {"level": "error"},
        "properties": {"category": "security", "subcategory": "overly-permissive-security-groups",
                       "tags": ["security", "overly-permissive-security-groups"], "security-severity": "8.0"},
        "helpUri": "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html",
    }
    # no docs: help falls back to the summary; notice maps to SARIF 'note'; no helpUri without references
    assert driver["rules"][1]["help"] == {"text": "Stateful resource is deleted with its stack",
                                          "markdown": "Stateful resource is deleted with its stack"}
    assert driver["rules"][0]["defaultConfiguration"] == {"level": "note"}
    assert "helpUri" not in driver["rules"][1]
    assert "security-severity" not in driver["rules"][1]["properties"]


def test_sarif_results():
    doc = json.loads(render_sarif([SG, BAK, NAT], rules=RULES))
    results = doc["runs"][0]["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("ARC-SPF-001", 0, "note"), ("OPS-BAK-001", 1, "warning"), ("SEC-SG-001", 2, "error")]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"] == \
        {"uri": "bin/my%20app.ts", "uriBaseId": "%SRCROOT%"}
    sg = results[2]
    assert sg["message"] == {"text": "PostgreSQL port 5432 is open to 0.0.0.0/0"}
    assert sg["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "lib/database-stack.ts", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 42, "endLine": 46, "startColumn": 5}}}]
    assert sg["partialFingerprints"] == {FINGERPRINT_KEY: SG.fingerprint}
    assert "fixes" not in sg
    assert results[1]["fixes"] == [{
        "description": {"text": "Keep the data: removalPolicy: RemovalPolicy.RETAIN"},
        "artifactChanges": [{
            "artifactLocation": {"uri": "lib/database-stack.ts", "uriBaseId": "%SRCROOT%"},
            "replacements": [{"deletedRegion": {"startLine": 7, "endLine": 7},
                              "insertedContent": {"text": "  removalPolicy: RemovalPolicy.RETAIN,"}}],
        }],
    }]


def test_sarif_result_for_unregistered_rule_has_no_rule_index():
    doc = json.loads(render_sarif([SG], rules=RULES[1:]))
    result = doc["runs"][0]["results"][0]
    assert result["ruleId"] == "SEC-SG-001" and "ruleIndex" not in result


def test_sarif_diagnostics_are_tool_execution_notifications():
    doc = json.loads(render_sarif([], rules=RULES, diagnostics=DIAGS))
    assert doc["runs"][0]["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": [
        {"message": {"text": "could not parse: unexpected token"}, "level": "warning",
         "locations": [{"physicalLocation": {
             "artifactLocation": {"uri": "lib/broken.ts", "uriBaseId": "%SRCROOT%"},
             "region": {"startLine": 7}}}]},
        {"message": {"text": "cdk-review-ignore: unknown rule id or slug 'SEC-XX-1'"}, "level": "note",
         "locations": [{"physicalLocation": {
             "artifactLocation": {"uri": "lib/database-stack.ts", "uriBaseId": "%SRCROOT%"},
             "region": {"startLine": 40}}}]},
        {"message": {"text": "rule crashed"}, "level": "error",
         "locations": [{"physicalLocation": {
             "artifactLocation": {"uri": "lib/x.ts", "uriBaseId": "%SRCROOT%"}}}],
         "associatedRule": {"id": "SEC-SG-001", "index": 2}},
    ]}]


def test_sarif_rejects_duplicate_rule_ids():
    with pytest.raises(ValueError, match="duplicate rule ids"):
        render_sarif([], rules=[RULES[0], RULES[0]])


# --------------------------------------------------------------------------- text

GOLDEN_PLAIN = """\
bin/my app.ts (1 finding)
bin/my app.ts:3:1  ARC-SPF-001  notice  One NAT gateway serves every AZ
    fix: Set natGateways to maxAzs

lib/database-stack.ts (2 findings)
lib/database-stack.ts:7:3   OPS-BAK-001  warning  Table is destroyed with the stack
    fix: Keep the data: removalPolicy: RemovalPolicy.RETAIN
lib/database-stack.ts:42:5  SEC-SG-001   error    PostgreSQL port 5432 is open to 0.0.0.0/0
    fix: Allow only the application security group: db.connections.allowDefaultPortFrom(appSg)

diagnostics (3)
lib/broken.ts:7  warning  could not parse: unexpected token
lib/database-stack.ts:40  notice  cdk-review-ignore: unknown rule id or slug 'SEC-XX-1'
lib/x.ts  error  rule crashed (SEC-SG-001)

3 findings (1 error, 1 warning, 1 notice) in 12 files"""


def test_text_golden_plain():
    assert render_text([SG, BAK, NAT], files=12, diagnostics=DIAGS, color=False) == GOLDEN_PLAIN


def test_text_golden_colour():
    out = render_text([SG, BAK], files=2, color=True)
    B, R = "\x1b[1m", "\x1b[0m"
    assert out == (
        f"\x1b[1;4mlib/database-stack.ts (2 findings){R}\n"
        f"{B}lib/database-stack.ts:7:3{R}   \x1b[2mOPS-BAK-001{R}  \x1b[33mwarning{R}  Table is destroyed with the stack\n"
        f"    \x1b[2mfix: Keep the data: removalPolicy: RemovalPolicy.RETAIN{R}\n"
        f"{B}lib/database-stack.ts:42:5{R}  \x1b[2mSEC-SG-001{R}   \x1b[1;31merror{R}    "
        "PostgreSQL port 5432 is open to 0.0.0.0/0\n"
        f"    \x1b[2mfix: Allow only the application security group: db.connections.allowDefaultPortFrom(appSg){R}\n"
        "\n"
        f"\x1b[1;31m2 findings (1 error, 1 warning) in 2 files{R}"
    )


def test_text_without_colour_has_no_escape_codes():
    assert "\x1b" not in render_text([SG, BAK, NAT], files=3, diagnostics=DIAGS, color=False)


def test_text_no_findings():
    assert render_text([], files=12, color=False) == "No findings in 12 files."
    assert render_text([], files=1, color=True) == "\x1b[32mNo findings in 1 file.\x1b[0m"


def test_text_diagnostics_only():
    assert render_text([], files=1, diagnostics=DIAGS[:1], color=False) == (
        "diagnostics (1)\n"
        "lib/broken.ts:7  warning  could not parse: unexpected token\n"
        "\n"
        "No findings in 1 file.")


def test_text_singular_and_plural_totals():
    two_warnings = [BAK, Finding("OPS-BAK-001", Subcategory.INADEQUATE_BACKUPS, Severity.WARNING,
                                 "lib/a.ts", 1, 1, 1, "m", "")]
    assert render_text(two_warnings, files=1, color=False) == (
        "lib/a.ts (1 finding)\n"
        "lib/a.ts:1:1  OPS-BAK-001  warning  m\n"          # empty remediation: no 'fix:' line
        "\n"
        "lib/database-stack.ts (1 finding)\n"
        "lib/database-stack.ts:7:3  OPS-BAK-001  warning  Table is destroyed with the stack\n"
        "    fix: Keep the data: removalPolicy: RemovalPolicy.RETAIN\n"
        "\n"
        "2 findings (2 warnings) in 1 file")


def test_text_neutralises_control_characters():
    evil = Finding("SEC-SG-001", Subcategory.OVERLY_PERMISSIVE_SECURITY_GROUPS, Severity.ERROR,
                   "lib/a.ts", 1, 1, 1, "bad \x1b[2J name", "first line\nsecond line")
    assert render_text([evil], files=1, color=False) == (
        "lib/a.ts (1 finding)\n"
        "lib/a.ts:1:1  SEC-SG-001  error  bad \\x1b[2J name\n"
        "    fix: first line\n"
        "         second line\n"
        "\n"
        "1 finding (1 error) in 1 file")
