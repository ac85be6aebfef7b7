"""Repository configuration (.github/cdk-review.yml): parsing, strict errors, precedence,
path globs and production-name detection."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from rules.config import (CONFIG_PATH, DEFAULT_INCLUDE, NEVER, Config, ConfigError, load_config,
                          parse_config)
from rules.findings import Finding
from rules.taxonomy import Severity, Subcategory

KNOWN = {"SEC-SG-001", "SEC-SG-002", "ARC-SPF-001", "OPS-BAK-001"}
SRC = ".github/cdk-review.yml"


@dataclass(frozen=True)
class StubRule:
    id: str
    subcategory: Subcategory
    severity: Severity


SG1 = StubRule("SEC-SG-001", Subcategory.OVERLY_PERMISSIVE_SECURITY_GROUPS, Severity.ERROR)
SG2 = StubRule("SEC-SG-002", Subcategory.OVERLY_PERMISSIVE_SECURITY_GROUPS, Severity.WARNING)
KMS = StubRule("SEC-KMS-001", Subcategory.MISSING_KMS_ENCRYPTION, Severity.WARNING)
SPF = StubRule("ARC-SPF-001", Subcategory.SINGLE_POINT_OF_FAILURE, Severity.ERROR)
BAK = StubRule("OPS-BAK-001", Subcategory.INADEQUATE_BACKUPS, Severity.NOTICE)


def parse(text: str) -> Config:
    return parse_config(text, source=SRC, known_rule_ids=KNOWN)


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse(text)
    return str(info.value)


# --------------------------------------------------------------------------- parsing

def test_defaults():
    for cfg in (Config(), parse(""), parse("# only a comment\n"), load_config(None, known_rule_ids=KNOWN)):
        assert cfg == Config()
        assert (cfg.fail_on, cfg.include, cfg.exclude, dict(cfg.rules), cfg.production_hint,
                cfg.max_inline_comments, cfg.draft_conclusion) == (
            Severity.ERROR, ("**/*.ts",), ("**/node_modules/**", "**/cdk.out/**", "**/*.d.ts"), {},
            ("prod", "production"), 30, "neutral")
    assert CONFIG_PATH == ".github/cdk-review.yml"


def test_contract_example_parses():
    cfg = parse("""\
fail_on: error            # error | warning | notice | never
paths:
  include: ["**/*.ts"]
  exclude: ["**/node_modules/**", "**/cdk.out/**", "**/*.d.ts"]
rules:
  SEC-SG-001: off         # a rule id, a subcategory slug or a category slug
  architecture: warning   # change the severity of a whole category
production_hint: ["prod", "production"]   # names that mark a stack/stage as production
""")
    assert cfg == Config(rules=cfg.rules)
    assert dict(cfg.rules) == {"SEC-SG-001": "off", "architecture": "warning"}   # YAML's `off` (False) -> 'off'


def test_all_settings():
    cfg = parse("""\
fail_on: never
paths: {include: ["lib/**"], exclude: []}
rules: {OPS-BAK-001: "off", inadequate-backups: notice, security: error}
production_hint: [live]
max_inline_comments: 0
draft_conclusion: normal
""")
    assert (cfg.fail_on, cfg.include, cfg.exclude, dict(cfg.rules), cfg.production_hint,
            cfg.max_inline_comments, cfg.draft_conclusion) == (
        NEVER, ("lib/**",), (), {"OPS-BAK-001": "off", "inadequate-backups": "notice", "security": "error"},
        ("live",), 0, "normal")


def test_given_path_lists_replace_the_defaults():
    cfg = parse("paths: {exclude: ['test/**']}")
    assert (cfg.include, cfg.exclude) == (DEFAULT_INCLUDE, ("test/**",))


def test_config_is_immutable():
    cfg = parse("rules: {security: warning}")
    with pytest.raises(AttributeError):
        cfg.fail_on = Severity.NOTICE
    with pytest.raises(TypeError):
        cfg.rules["security"] = "off"


def test_config_built_in_code_accepts_lists_and_dicts():
    cfg = Config(include=["lib/**"], exclude=[], rules={"security": "off"}, production_hint=["live"])
    assert (cfg.include, cfg.exclude, cfg.production_hint) == (("lib/**",), (), ("live",))
    assert cfg.path_included("lib/a.ts") and cfg.is_production("LiveStack")
    assert cfg.severity_for(SG1) is None


def test_load_config_reads_file(tmp_path: Path):
    path = tmp_path / "cdk-review.yml"
    path.write_text("fail_on: warning\n")
    assert load_config(str(path), known_rule_ids=KNOWN) == Config(fail_on=Severity.WARNING)


def test_load_config_missing_file(tmp_path: Path):
    missing = str(tmp_path / "nope.yml")
    with pytest.raises(ConfigError) as info:
        load_config(missing, known_rule_ids=KNOWN)
    assert str(info.value) == f"{missing}: file not found"


def test_config_schema_is_valid():
    schema = json.loads((Path(__file__).parent.parent / "rules/schemas/config.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("text, message", [
    ("failon: error",
     f"{SRC}: unknown key 'failon' (did you mean 'fail_on'?); allowed keys: fail_on, paths, rules, "
     "production_hint, max_inline_comments, draft_conclusion"),
    ("paths: {includes: ['**/*.ts']}",
     f"{SRC}: unknown key 'includes' under 'paths' (did you mean 'include'?); allowed keys: include, exclude"),
    ("fail_on: fatal",
     f"{SRC}: fail_on: a string ('fatal') is not one of: error, warning, notice, never"),
    ("fail_on: off",
     f"{SRC}: fail_on: a boolean (false) is not one of: error, warning, notice, never "
     "(YAML reads unquoted on/off/yes/no/true/false as booleans)"),
    ("rules: {security: on}",
     f"{SRC}: rules.security: a boolean (true) is not one of: off, error, warning, notice "
     "(YAML reads unquoted on/off/yes/no/true/false as booleans)"),
    ("rules: {security: critical}",
     f"{SRC}: rules.security: a string ('critical') is not one of: off, error, warning, notice"),
    ("rules: {SEC-SG-01: off}",
     f"{SRC}: rules.SEC-SG-01: unknown rule id, subcategory or category (did you mean 'SEC-SG-001'?)"),
    ("rules: {sec-sg-001: off}",
     f"{SRC}: rules.sec-sg-001: unknown rule id, subcategory or category (did you mean 'SEC-SG-001'?)"),
    ("rules: {backups: off}",
     f"{SRC}: rules.backups: unknown rule id, subcategory or category"),
    ("rules: [SEC-SG-001]", f"{SRC}: rules: expected a mapping, got a list"),
    ("paths: {include: '**/*.ts'}", f"{SRC}: paths.include: expected a list, got a string ('**/*.ts')"),
    ("production_hint: [prod, 1]", f"{SRC}: production_hint[1]: expected a string, got an integer (1)"),
    ("production_hint: ['']", f"{SRC}: production_hint[0]: must not be empty"),
    ("max_inline_comments: -1", f"{SRC}: max_inline_comments: must be at least 0, got -1"),
    ("max_inline_comments: yes", f"{SRC}: max_inline_comments: expected an integer, got a boolean (true)"),
    ("draft_conclusion: skip", f"{SRC}: draft_conclusion: a string ('skip') is not one of: neutral, normal"),
    ("on: error", f"{SRC}: key true must be a string: quote it "
                  "(YAML reads unquoted on/off/yes/no/true/false as booleans)"),
    ("rules: {1: off}", f"{SRC}: rules: key 1 must be a string: quote it"),
    ("- fail_on: error", f"{SRC}: the top level must be a mapping of settings, got a list"),
    ("fail_on: error\nfail_on: never\n", f"{SRC}: invalid YAML (line 2, column 1): duplicate key 'fail_on'"),
    ("rules: {a: [", f"{SRC}: invalid YAML (line 1, column 13): expected the node content, but found '<stream end>'"),
])
def test_bad_config_messages(text, message):
    assert error_of(text) == message


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as info:
        parse("fail_on: fatal\nrules: {ARC-SPF-01: off, security: loud}\nverbose: true\n")
    assert info.value.source == SRC
    assert info.value.problems == [
        "unknown key 'verbose'; allowed keys: fail_on, paths, rules, production_hint, max_inline_comments, "
        "draft_conclusion",
        "fail_on: a string ('fatal') is not one of: error, warning, notice, never",
        "rules.security: a string ('loud') is not one of: off, error, warning, notice",
        "rules.ARC-SPF-01: unknown rule id, subcategory or category (did you mean 'ARC-SPF-001'?)",
    ]
    assert str(info.value) == "\n".join(f"{SRC}: {p}" for p in info.value.problems)


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


# --------------------------------------------------------------------------- severities

def test_severity_precedence_rule_id_over_subcategory_over_category_over_default():
    cfg = parse("""\
rules:
  security: notice
  overly-permissive-security-groups: warning
  SEC-SG-001: error
  architecture: off
""")
    assert cfg.severity_for(SG1) is Severity.ERROR        # rule id
    assert cfg.severity_for(SG2) is Severity.WARNING      # subcategory
    assert cfg.severity_for(KMS) is Severity.NOTICE       # category
    assert cfg.severity_for(SPF) is None                  # category off
    assert cfg.severity_for(BAK) is Severity.NOTICE       # rule default


def test_rule_id_can_switch_a_rule_back_on_inside_a_disabled_category():
    cfg = parse("rules: {security: off, SEC-SG-002: warning}")
    assert (cfg.severity_for(SG1), cfg.severity_for(SG2)) == (None, Severity.WARNING)


def test_severity_for_accepts_plain_string_enums_on_rules():
    rule = StubRule("SEC-SG-001", "overly-permissive-security-groups", "warning")
    assert Config().severity_for(rule) is Severity.WARNING
    assert parse("rules: {security: error}").severity_for(rule) is Severity.ERROR


def test_adjust_finding():
    finding = Finding("SEC-SG-002", Subcategory.OVERLY_PERMISSIVE_SECURITY_GROUPS, Severity.ERROR,
                      "lib/a.ts", 1, 1, 1, "m", "r")
    assert Config().adjust(finding, SG2) is finding        # no override: the finding's own severity stands
    assert parse("rules: {security: notice}").adjust(finding, SG2).severity is Severity.NOTICE
    assert parse("rules: {SEC-SG-002: off}").adjust(finding, SG2) is None


@pytest.mark.parametrize("fail_on, failing", [
    ("error", {Severity.ERROR}),
    ("warning", {Severity.ERROR, Severity.WARNING}),
    ("notice", {Severity.ERROR, Severity.WARNING, Severity.NOTICE}),
    ("never", set()),
])
def test_fails(fail_on, failing):
    cfg = parse(f"fail_on: {fail_on}")
    assert {s for s in Severity if cfg.fails(s)} == failing


# --------------------------------------------------------------------------- paths

@pytest.mark.parametrize("path, included", [
    ("app.ts", True),
    ("lib/stack.ts", True),
    ("./lib/stack.ts", True),
    ("lib\\deep\\stack.ts", True),
    ("lib/stack.js", False),
    ("lib/stack.d.ts", False),
    ("node_modules/aws-cdk-lib/index.ts", False),
    ("packages/infra/node_modules/x/y.ts", False),
    ("cdk.out/asset.ts", False),
    ("lib/node_modules_backup/x.ts", True),     # '**/node_modules/**' is a whole directory name
    ("lib/my.cdk.out.ts", True),
])
def test_default_paths(path, included):
    assert Config().path_included(path) is included


@pytest.mark.parametrize("pattern, path, matches", [
    ("**/*.ts", "a.ts", True),                  # '**/' is zero or more directories
    ("**/*.ts", "a/b/c.ts", True),
    ("*.ts", "a.ts", True),                     # '*' stays within one segment
    ("*.ts", "lib/a.ts", False),
    ("lib/*.ts", "lib/a/b.ts", False),
    ("lib/**/*.ts", "lib/a.ts", True),
    ("lib/**/*.ts", "lib/a/b/c.ts", True),
    ("lib/**/*.ts", "libx/a.ts", False),
    ("lib/**", "lib/a/b.ts", True),
    ("lib/", "lib/a/b.ts", True),               # trailing '/' = everything under it
    ("lib/**", "library/a.ts", False),
    ("**", "any/thing.ts", True),
    ("lib/?.ts", "lib/a.ts", True),
    ("lib/?.ts", "lib/ab.ts", False),
    ("lib/[ab].ts", "lib/b.ts", True),
    ("lib/[!ab].ts", "lib/c.ts", True),
    ("lib/[!ab].ts", "lib/a.ts", False),
    ("**/*.{ts,tsx}", "src/x.tsx", True),
    ("**/*.{ts,tsx}", "src/x.js", False),
    ("lib/a+b(1).ts", "lib/a+b(1).ts", True),   # regex metacharacters are literal
    ("lib/a+b(1).ts", "lib/aab1.ts", False),
    ("./lib/*.ts", "lib/a.ts", True),
    ("bin/app.ts", "bin/app.tsx", False),       # anchored at both ends
])
def test_glob_semantics(pattern, path, matches):
    cfg = Config(include=(pattern,), exclude=())
    assert cfg.path_included(path) is matches


def test_empty_include_matches_nothing():
    assert Config(include=()).path_included("a.ts") is False


# --------------------------------------------------------------------------- production

@pytest.mark.parametrize("name, production", [
    ("ProdStack", True),
    ("my-production-db", True),
    ("TapProd", True),
    ("PRODStack", True),
    ("prod", True),
    ("Prod2", True),
    ("app_PROD_eu", True),
    ("MyAppProduction", True),
    ("product-catalog", False),
    ("reproduce", False),
    ("ProductionLineStack", True),              # 'Production' is its own word here
    ("Products", False),
    ("prodstack", False),                       # no word boundary to see
    ("NonProd", False),
    ("non-prod", False),
    ("pre-prod", False),
    ("PreProd", False),
    ("dev", False),
    ("", False),
])
def test_is_production_default_hints(name, production):
    assert Config().is_production(name) is production


def test_is_production_custom_and_multi_word_hints():
    cfg = parse("production_hint: [live, main-account]")
    assert [n for n in ("LiveStack", "MainAccountStack", "main_account", "MainStack", "prod", "delivery")
            if cfg.is_production(n)] == ["LiveStack", "MainAccountStack", "main_account"]
