"""bot/selection.py: what a review analyses, shared by the App and `cdk-review diff`."""
from __future__ import annotations

import json

import pytest

from bot.diff import FileChange
from bot.selection import entry_points_of, read_config, select
from rules.config import Config, ConfigError
from rules.engine import analyse

STACK = """import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { DB_PORT } from './constants';

export class DbStack extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { isDefault: true });
    const sg = new ec2.SecurityGroup(this, 'Sg', { vpc });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(DB_PORT));
  }
}
"""
APP = """import * as cdk from 'aws-cdk-lib';
import { DbStack } from '../lib/db-stack';
const app = new cdk.App();
new DbStack(app, 'ProdDb');
"""


@pytest.mark.parametrize("app,directory,expected", [
    ("npx ts-node --prefer-ts-exts bin/app.ts", "", ["bin/app.ts"]),
    ("npx ts-node bin/app.ts", "infra", ["infra/bin/app.ts"]),
    ("node bin/app.js", "", ["bin/app.ts"]),
    ("npx ts-node ../outside.ts", "", []),
    ("python app.py", "", []),
    ("npx ts-node /abs/app.ts", "", []),
    (None, "", []),
])
def test_entry_points_of(app, directory, expected):
    assert entry_points_of(json.dumps({"app": app}).encode(), directory) == expected


def test_entry_points_of_garbage():
    assert entry_points_of(b"{not json", "") == [] and entry_points_of(b"[1]", "") == []
    assert entry_points_of(b'{"app": "npx ts-node \\"bin/app.ts"}', "") == []          # unbalanced quote


def _changed(*paths: str) -> dict[str, FileChange]:
    return {p: FileChange(p, "modified", None, frozenset({11}), True, ((8, 14),)) for p in paths}


def test_select_reads_imports_and_the_nearest_cdk_json_entry_point():
    files = {"infra/cdk.json": json.dumps({"app": "npx ts-node bin/app.ts"}).encode(),
             "cdk.json": json.dumps({"app": "npx ts-node other.ts"}).encode(),
             "infra/bin/app.ts": APP.encode(), "infra/lib/db-stack.ts": STACK.encode(),
             "infra/lib/constants.ts": b"export const DB_PORT = 5432;\n"}
    reads = []

    def read(path):
        reads.append(path)
        return files.get(path)
    sel = select(_changed("infra/lib/db-stack.ts", "README.md"), Config(), read, root="/repo")
    assert sel.reviewed == ["infra/lib/db-stack.ts"] and sel.context == ["infra/bin/app.ts"]
    assert [f.path for f in sel.project.analysed] == ["infra/bin/app.ts", "infra/lib/db-stack.ts"]
    assert sel.cdk_files_changed == 1
    assert "cdk.json" not in reads                         # the nearest cdk.json (infra/) decided
    assert reads.count("infra/lib/cdk.json") == 1 and "infra/lib/constants.ts" in reads
    findings = analyse(sel.project, Config()).findings
    assert ("SEC-SG-001", "infra/lib/db-stack.ts", 11) in {(f.rule_id, f.path, f.line) for f in findings}


def test_select_skips_excluded_and_vendored_paths():
    files = {"node_modules/x/index.ts": STACK.encode(), "lib/db-stack.ts": STACK.encode()}
    sel = select(_changed("node_modules/x/index.ts", "lib/db-stack.ts", "lib/gen.d.ts"),
                 Config(exclude=("**/node_modules/**", "**/*.d.ts", "lib/**")), files.get, root="/r")
    assert sel.reviewed == [] and sel.cdk_files_changed == 0


def test_nothing_to_review_reads_nothing():
    sel = select(_changed("docs/readme.md"), Config(), lambda p: pytest.fail(f"read {p}"), root="/r")
    assert sel.reviewed == [] and sel.context == []


def test_read_config():
    assert read_config(None, "main:.github/cdk-review.yml") == Config()
    assert read_config(b"fail_on: warning\n", "main:x").fail_on.value == "warning"
    with pytest.raises(ConfigError) as exc:
        read_config(b"\xff\xfe", "main:.github/cdk-review.yml")
    assert str(exc.value) == "main:.github/cdk-review.yml: cannot read: not UTF-8 text"
