"""The command line as users and CI call it: exit codes, formats, errors."""
import json
import os
import subprocess
import sys

import jsonschema
import pytest

from bot.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "shop-app")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")


def run(capsys, *argv, cwd=None):
    old = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    return code, out, err


def test_scan_example_json_matches_the_contract(capsys):
    code, out, err = run(capsys, "scan", "--format", "json", "examples/shop-app")
    assert code == 1, err
    data = json.loads(out)
    with open(os.path.join(ROOT, "rules", "schemas", "findings-output.schema.json")) as fh:
        jsonschema.validate(data, json.load(fh))
    found = {(f["rule_id"], f["path"], f["line"]) for f in data["findings"]}
    assert ("SEC-SG-001", "examples/shop-app/lib/data-stack.ts", 19) in found
    assert ("OPS-BAK-001", "examples/shop-app/lib/data-stack.ts", 26) in found
    assert data["summary"]["files"] == 4
    assert data["diagnostics"] == []


def test_scan_example_sarif_is_valid_sarif_2_1_0(capsys):
    code, out, _ = run(capsys, "scan", "--format", "sarif", "examples/shop-app")
    assert code == 1
    with open(os.path.join(FIXTURES, "sarif-schema-2.1.0.json")) as fh:
        schema = json.load(fh)
    sarif = json.loads(out)
    jsonschema.Draft7Validator(schema).validate(sarif)
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {res["ruleId"] for res in sarif["runs"][0]["results"]} <= rule_ids


def test_text_output_is_plain_when_not_a_tty(capsys):
    code, out, _ = run(capsys, "scan", "examples/shop-app")
    assert code == 1
    assert "\x1b[" not in out
    assert "examples/shop-app/lib/data-stack.ts:19:5" in out
    assert out.rstrip().splitlines()[-1].endswith("in 4 files")


def test_fail_on_never_exits_zero(capsys):
    code, _, _ = run(capsys, "scan", "--fail-on", "never", "--format", "json", "examples/shop-app")
    assert code == 0


def test_clean_file_exits_zero(tmp_path, capsys):
    (tmp_path / "ok.ts").write_text("import { Stack } from 'aws-cdk-lib';\nexport const s = Stack;\n")
    code, out, _ = run(capsys, "scan", "ok.ts", cwd=tmp_path)
    assert code == 0
    assert "No findings in 1 file" in out


def test_nonexistent_path_is_a_usage_error(capsys):
    code, out, err = run(capsys, "scan", "no/such/dir")
    assert code == 2
    assert out == ""
    assert err.strip() == "cdk-review: no/such/dir: no such file or directory"


def test_bad_config_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "cfg.yml").write_text("fail_on: error\nrulez: {}\n")
    (tmp_path / "a.ts").write_text("import * as cdk from 'aws-cdk-lib';\n")
    code, out, err = run(capsys, "scan", "--config", "cfg.yml", "a.ts", cwd=tmp_path)
    assert code == 2 and out == ""
    assert "cfg.yml" in err and "rulez" in err


def test_config_switches_a_rule_off_and_changes_fail_on(tmp_path, capsys):
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "cdk-review.yml").write_text(
        "fail_on: never\nrules:\n  typescript-quality: off\n")
    (tmp_path / "a.ts").write_text("import * as s3 from '@aws-cdk/aws-s3';\nexport const b = s3.Bucket;\n")
    code, out, _ = run(capsys, "scan", "--format", "json", "a.ts", cwd=tmp_path)
    assert code == 0
    assert json.loads(out)["findings"] == []


def test_syntax_error_is_a_notice_and_other_files_still_run(tmp_path, capsys):
    (tmp_path / "broken.ts").write_text("import * as s3 from 'aws-cdk-lib/aws-s3';\nconst x = {{{;\n")
    (tmp_path / "v1.ts").write_text("import * as s3 from '@aws-cdk/aws-s3';\nexport const b = s3.Bucket;\n")
    code, out, _ = run(capsys, "scan", "--format", "json", ".", cwd=tmp_path)
    data = json.loads(out)
    assert {(f["rule_id"], f["path"]) for f in data["findings"]} >= {("TSQ-IMP-001", "v1.ts")}
    assert [(d["path"], d["level"]) for d in data["diagnostics"]] == [("broken.ts", "notice")]


def test_non_cdk_files_and_skipped_dirs_are_not_analysed(tmp_path, capsys):
    (tmp_path / "util.ts").write_text("export const x: any = 1;\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "m.ts").write_text("import * as s3 from '@aws-cdk/aws-s3';\n")
    (tmp_path / "types.d.ts").write_text("import * as s3 from '@aws-cdk/aws-s3';\n")
    code, out, _ = run(capsys, "scan", "--format", "json", ".", cwd=tmp_path)
    data = json.loads(out)
    assert data["findings"] == [] and data["summary"]["files"] == 0


def test_rules_command_formats(capsys):
    code, out, _ = run(capsys, "rules", "--format", "json")
    assert code == 0
    ids = [r["id"] for r in json.loads(out)["rules"]]
    assert ids == sorted(ids) and "SEC-SG-001" in ids
    code, out, _ = run(capsys, "rules")
    assert code == 0 and out.rstrip().endswith(f"{len(ids)} rules")


def test_docs_rules_md_is_up_to_date(capsys):
    code, out, _ = run(capsys, "rules", "--format", "markdown")
    with open(os.path.join(ROOT, "docs", "rules.md"), encoding="utf-8") as fh:
        committed = fh.read()
    assert committed == out, "docs/rules.md is stale: run `cdk-review rules --format markdown > docs/rules.md`"


def test_console_script_is_installed():
    exe = os.path.join(os.path.dirname(sys.executable), "cdk-review")
    result = subprocess.run([exe, "scan", "--format", "json", "--fail-on", "never", EXAMPLE],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["version"] == 1
