"""`cdk-review diff` on real git repositories built in tmp_path, through bot.cli.main."""
import json
import os
import re
import shutil
import subprocess
import textwrap

import jsonschema
import pytest

from bot.cli import main
from rules.registry import REGISTRY, all_rules

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
DATE = "2024-05-01T12:00:00+00:00"
# Pin the rule set: everything off but the rules this test is about (most specific key wins).
CONFIG = """\
rules:
  incomplete-implementation: off
  security: off
  architecture: off
  cdk-specific: off
  typescript-quality: off
  operational-excellence: off
  SEC-SG-001: error
  OPS-BAK-001: error
  TSQ-TYP-001: warning
  ARC-SPOF-004: warning
"""
WATCHED = {"SEC-SG-001", "OPS-BAK-001", "TSQ-TYP-001", "ARC-SPOF-004"}

APP = """\
#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { DataStack } from '../lib/data-stack';

const app = new cdk.App();
new DataStack(app, 'Data', { vpc: undefined as unknown as cdk.aws_ec2.IVpc });
"""

HEAD_STACK = """\
import * as cdk from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { DB_PORT } from './constants';

export interface DataStackProps extends cdk.StackProps {
  readonly vpc: ec2.IVpc;
}

export class DataStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);

    const sg = new ec2.SecurityGroup(this, 'DbSg', { vpc: props.vpc });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'ssh');
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(DB_PORT), 'migration');

    new rds.DatabaseInstance(this, 'Orders', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
      vpc: props.vpc,
      securityGroups: [sg],
      multiAz: true,
      storageEncrypted: true,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });

    new dynamodb.Table(this, 'Carts', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    const meta: any = { owner: 'shop' };
  }
}
"""
_ADDED_BY_FEATURE = (
    "    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(DB_PORT), 'migration');\n",
    """
    new dynamodb.Table(this, 'Carts', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    const meta: any = { owner: 'shop' };
""")
BASE_STACK = HEAD_STACK.replace(_ADDED_BY_FEATURE[0], "").replace(_ADDED_BY_FEATURE[1], "")
# lines of HEAD_STACK: 17 ssh ingress (base), 18 DB_PORT ingress (feature), 24 multiAz,
# 26 DESTROY on the database (base), 31 DESTROY on the table (feature), 33 `any` (feature)


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch, tmp_path):
    """No user or system git config, fixed identity and dates (same commit ids every run)."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "test@example.com")
        monkeypatch.setenv(f"GIT_{who}_DATE", DATE)


def git(repo, *args) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def write(repo, files: dict[str, str]):
    for rel, content in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def make_repo(path):
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    write(path, {".github/cdk-review.yml": CONFIG, "bin/app.ts": APP, "lib/constants.ts": "export const DB_PORT = 5432;\n",
                 "lib/data-stack.ts": BASE_STACK, "README.md": "# shop\n"})
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "base")
    git(path, "checkout", "-q", "-b", "feature")
    # the branch also tries to switch off the check it is judged by: must have no effect
    write(path, {"lib/data-stack.ts": HEAD_STACK, "README.md": "# shop\n\nNow with carts.\n",
                 ".github/cdk-review.yml": CONFIG.replace("SEC-SG-001: error", "SEC-SG-001: off")})
    git(path, "commit", "-q", "-am", "carts")
    return path


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "shop")


def run(capsys, *argv):
    try:
        code = main(["diff", *argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def found(out: str) -> set[tuple[str, str, int]]:
    return {(f["rule_id"], f["path"], f["line"]) for f in json.loads(out)["findings"]}


def added_lines(repo, base, head=None) -> dict[str, set[int]]:
    from bot.diff import changes_from_git_diff
    diff = git(repo, "diff", "--src-prefix=a/", "--dst-prefix=b/", base, *([head] if head else []))
    return {p: set(c.added_lines) for p, c in changes_from_git_diff(diff).items()}


# --------------------------------------------------------------------------- findings

def test_only_findings_on_added_lines_are_reported(repo, capsys):
    code, out, err = run(capsys, "--repo", str(repo), "--base", "main", "--head", "feature", "--format", "json")
    assert code == 1, err
    # 18: DB_PORT comes from lib/constants.ts, unchanged, read at the head through the import
    assert found(out) == {("SEC-SG-001", "lib/data-stack.ts", 18), ("OPS-BAK-001", "lib/data-stack.ts", 31),
                          ("TSQ-TYP-001", "lib/data-stack.ts", 33)}
    messages = {f["line"]: f["message"] for f in json.loads(out)["findings"]}
    assert "5432" in messages[18]
    # the same defects on unchanged lines (ssh ingress at 17, DESTROY on the database at 26) are not
    assert json.loads(out)["summary"]["files"] == 1


def test_defaults_diff_the_working_tree_against_the_merge_base_with_main(repo, capsys):
    write(repo, {"lib/data-stack.ts": HEAD_STACK.replace("multiAz: true", "multiAz: false"),
                 "lib/constants.ts": "export const DB_PORT = 3306;\n",
                 "lib/cache-stack.ts": textwrap.dedent("""\
                     import * as cdk from 'aws-cdk-lib';
                     import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
                     import { Construct } from 'constructs';

                     export class CacheStack extends cdk.Stack {
                       constructor(scope: Construct, id: string) {
                         super(scope, id);
                         new dynamodb.Table(this, 'Sessions', {
                           partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
                           removalPolicy: cdk.RemovalPolicy.DESTROY,
                         });
                       }
                     }
                     """),
                 "node_modules/x/index.ts": "export const y: any = 1;\n"})
    (repo / ".gitignore").write_text("node_modules/\n")
    old = os.getcwd()
    os.chdir(repo / "lib")                      # --repo defaults to '.', any directory of the repo
    try:
        code, out, err = run(capsys, "--format", "json")
    finally:
        os.chdir(old)
    assert code == 1, err
    assert found(out) == {("SEC-SG-001", "lib/data-stack.ts", 18), ("ARC-SPOF-004", "lib/data-stack.ts", 24),
                          ("OPS-BAK-001", "lib/data-stack.ts", 31), ("TSQ-TYP-001", "lib/data-stack.ts", 33),
                          ("OPS-BAK-001", "lib/cache-stack.ts", 10)}
    assert "3306" in {f["line"]: f["message"] for f in json.loads(out)["findings"]}[18]


def test_head_ref_reads_the_commit_not_the_working_tree(repo, capsys):
    write(repo, {"lib/data-stack.ts": HEAD_STACK.replace("multiAz: true", "multiAz: false"),
                 "lib/constants.ts": "export const DB_PORT = 3306;\n"})
    code, out, _ = run(capsys, "--repo", str(repo), "--head", "feature", "--format", "json")
    assert code == 1
    assert {(r, line) for r, _, line in found(out)} == {("SEC-SG-001", 18), ("OPS-BAK-001", 31), ("TSQ-TYP-001", 33)}
    assert "5432" in json.loads(out)["findings"][0]["message"]


def test_every_reported_line_was_added(repo, capsys):
    write(repo, {"lib/data-stack.ts": HEAD_STACK.replace("multiAz: true", "multiAz: false")})
    _, out, _ = run(capsys, "--repo", str(repo), "--format", "json")
    added = added_lines(repo, "main")
    assert found(out) and all(line in added[path] for _, path, line in found(out))


def test_base_ahead_of_the_branch_point_is_diffed_from_the_merge_base(repo, capsys):
    git(repo, "checkout", "-q", "main")
    write(repo, {"lib/other.ts": "export const Z = 1;\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "main moves on")
    git(repo, "checkout", "-q", "feature")
    _, out, _ = run(capsys, "--repo", str(repo), "--head", "feature", "--format", "json")
    assert {(r, line) for r, _, line in found(out)} == {("SEC-SG-001", 18), ("OPS-BAK-001", 31), ("TSQ-TYP-001", 33)}


def test_the_config_is_read_from_the_base(repo, capsys):
    # on main, switch the `any` rule off: the branch is judged by it
    git(repo, "checkout", "-q", "main")
    write(repo, {".github/cdk-review.yml": CONFIG.replace("TSQ-TYP-001: warning", "TSQ-TYP-001: off")
                 + "fail_on: never\n"})
    git(repo, "commit", "-q", "-am", "relax")
    git(repo, "checkout", "-q", "feature")
    code, out, _ = run(capsys, "--repo", str(repo), "--head", "feature", "--format", "json")
    assert code == 0                                   # fail_on: never, from main
    assert {r for r, _, _ in found(out)} == {"SEC-SG-001", "OPS-BAK-001"}


def test_default_base_from_origin_head(repo, tmp_path, capsys):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True, capture_output=True)
    git(clone, "remote", "set-head", "origin", "main")
    assert git(clone, "branch", "--list").split() == ["*", "feature"]   # no local main: origin/HEAD is used
    code, out, err = run(capsys, "--repo", str(clone), "--format", "json")
    assert code == 1, err
    assert {(r, line) for r, _, line in found(out)} == {("SEC-SG-001", 18), ("OPS-BAK-001", 31), ("TSQ-TYP-001", 33)}
    _, out, _ = run(capsys, "--repo", str(clone), "--format", "markdown")
    assert out.startswith("# cdk-review diff: origin/main (")


def test_no_change_means_no_findings_and_exit_0(repo, capsys):
    code, out, _ = run(capsys, "--repo", str(repo), "--base", "feature", "--head", "feature")
    assert code == 0
    assert out == "No findings in 0 files.\n"


def test_sarif_and_text(repo, capsys):
    code, out, _ = run(capsys, "--repo", str(repo), "--head", "feature", "--format", "sarif")
    assert code == 1
    with open(os.path.join(FIXTURES, "sarif-schema-2.1.0.json")) as fh:
        jsonschema.Draft7Validator(json.load(fh)).validate(json.loads(out))
    assert {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in json.loads(out)["runs"][0]["results"]} == {("SEC-SG-001", 18), ("OPS-BAK-001", 31),
                                                                ("TSQ-TYP-001", 33)}
    code, out, _ = run(capsys, "--repo", str(repo), "--head", "feature")
    assert code == 1 and "lib/data-stack.ts:18:5" in out and out.endswith("3 findings (2 errors, 1 warning) in 1 file\n")


# --------------------------------------------------------------------------- markdown

def _why(rule_id):
    from bot.review import why_of
    all_rules()
    return why_of(REGISTRY[rule_id])


def test_markdown_is_what_the_bot_would_post(repo, capsys):
    code, out, err = run(capsys, "--repo", str(repo), "--head", "feature", "--format", "markdown")
    assert code == 1, err
    head = git(repo, "rev-parse", "feature").strip()
    base = git(repo, "rev-parse", "main").strip()
    _, sarif, _ = run(capsys, "--repo", str(repo), "--head", "feature", "--format", "sarif")
    fingerprints = {r["partialFingerprints"]["cdkReviewFingerprint/v1"] for r in json.loads(sarif)["runs"][0]["results"]}
    assert set(re.findall(r"<!-- cdk-review:([0-9a-f]{16}) -->", out)) == fingerprints
    text = re.sub(r"<!-- cdk-review:[0-9a-f]{16} -->", "<!-- cdk-review:FP -->", out)
    text = text.replace(head[:7], "HEAD").replace(base[:7], "BASE")
    # The texts the rules own (message, fix, why, suggestion) come from the rules; every
    # other character is what this test pins down.
    _, data, _ = run(capsys, "--repo", str(repo), "--head", "feature", "--format", "json")
    by_line = {f["line"]: f for f in json.loads(data)["findings"]}
    msg = {n: f["message"] for n, f in by_line.items()}
    fix = {n: f["remediation"] for n, f in by_line.items()}
    assert "5432" in msg[18] and by_line[31]["suggestion"] == "      removalPolicy: cdk.RemovalPolicy.RETAIN,"
    docs = "https://github.com/cdk-review/cdk-review/blob/main/docs/rules.md"
    assert text == f"""\
# cdk-review diff: main (BASE) → HEAD

## Inline comments (3)

### lib/data-stack.ts

#### Line 18

**`SEC-SG-001` · overly-permissive-security-groups** · error

{msg[18]}

*Why:* {_why("SEC-SG-001")}

*Fix:* {fix[18]}

[SEC-SG-001 ingress-open-to-the-internet]({docs}#sec-sg-001)

<!-- cdk-review:FP -->

#### Line 31

**`OPS-BAK-001` · inadequate-backups** · error

{msg[31]}

*Why:* {_why("OPS-BAK-001")}

*Fix:* {fix[31]}

```suggestion
      removalPolicy: cdk.RemovalPolicy.RETAIN,
```

[OPS-BAK-001 destroy-removal-policy-on-data]({docs}#ops-bak-001)

<!-- cdk-review:FP -->

#### Line 33

**`TSQ-TYP-001` · type-definitions** · warning

{msg[33]}

*Why:* {_why("TSQ-TYP-001")}

*Fix:* {fix[33]}

[TSQ-TYP-001 explicit-any]({docs}#tsq-typ-001)

<!-- cdk-review:FP -->

## Review body

**cdk-review**: 3 findings on lines changed by this pull request.

- 3 new inline comments below

All findings are in the **CDK Review** check run.

## Check run `CDK Review`: failure

**3 findings on changed lines: 2 errors, 1 warning**

Reviewed 1 changed CDK file at `HEAD`: **3 findings** on changed lines (2 errors, 1 warning).

| category | errors | warnings | notices |
|---|--:|--:|--:|
| incomplete-implementation | 0 | 0 | 0 |
| security | 1 | 0 | 0 |
| architecture | 0 | 0 | 0 |
| cdk-specific | 0 | 0 | 0 |
| typescript-quality | 0 | 1 | 0 |
| operational-excellence | 1 | 0 | 0 |
| **total** | **2** | **1** | **0** |

<details><summary><b>overly-permissive-security-groups</b> · security · 1 finding</summary>

- `lib/data-stack.ts:18` · `SEC-SG-001` · error · {msg[18]}

</details>

<details><summary><b>type-definitions</b> · typescript-quality · 1 finding</summary>

- `lib/data-stack.ts:33` · `TSQ-TYP-001` · warning · {msg[33]}

</details>

<details><summary><b>inadequate-backups</b> · operational-excellence · 1 finding</summary>

- `lib/data-stack.ts:31` · `OPS-BAK-001` · error · {msg[31]}

</details>
"""


def test_markdown_when_no_cdk_file_changed(repo, capsys):
    git(repo, "checkout", "-q", "-b", "docs", "main")
    write(repo, {"README.md": "# shop\n\nDocs only.\n"})
    git(repo, "commit", "-q", "-am", "docs")
    code, out, _ = run(capsys, "--repo", str(repo), "--format", "markdown")
    assert code == 0
    assert out.endswith("## Inline comments (0)\n\nNone.\n\n"
                        "## Review body\n\n(no review: nothing new to comment on)\n\n"
                        "## Check run `CDK Review`: neutral\n\n"
                        "**No CDK files changed**\n\n"
                        "No CDK TypeScript file changed: nothing to review.\n")


# --------------------------------------------------------------------------- errors

def test_not_a_git_repository(tmp_path, capsys):
    plain = tmp_path / "plain"
    plain.mkdir()
    code, out, err = run(capsys, "--repo", str(plain))
    assert (code, out) == (2, "")
    assert err == f"cdk-review: not a git repository: {plain}\n"


def test_missing_directory(tmp_path, capsys):
    code, _, err = run(capsys, "--repo", str(tmp_path / "nope"))
    assert code == 2 and err == f"cdk-review: {tmp_path / 'nope'}: no such directory\n"


@pytest.mark.parametrize("option", ["--base", "--head"])
@pytest.mark.parametrize("ref", ["no-such-branch", "--output=/tmp/x", "main:README.md"])
def test_unknown_ref(repo, capsys, option, ref):
    code, out, err = run(capsys, "--repo", str(repo), f"{option}={ref}")
    assert (code, out) == (2, "")
    assert err == f"cdk-review: unknown ref '{ref}' in {os.path.realpath(repo)}\n"


def test_no_default_branch(tmp_path, capsys):
    repo = tmp_path / "trunk"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "trunk")
    write(repo, {"a.ts": "export const A = 1;\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a")
    code, _, err = run(capsys, "--repo", str(repo))
    assert code == 2
    assert err == "cdk-review: cannot find the default branch (no origin/HEAD, main or master): pass --base REF\n"
    code, out, _ = run(capsys, "--repo", str(repo), "--base", "trunk")
    assert code == 0 and out == "No findings in 0 files.\n"


def test_invalid_config_on_the_base_is_a_usage_error(repo, capsys):
    git(repo, "checkout", "-q", "main")
    write(repo, {".github/cdk-review.yml": "fail_on: sometimes\n"})
    git(repo, "commit", "-q", "-am", "oops")
    code, out, err = run(capsys, "--repo", str(repo), "--head", "feature")
    assert (code, out) == (2, "")
    assert err.startswith("cdk-review: main:.github/cdk-review.yml: fail_on: ")


def test_repository_without_commits(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")
    code, _, err = run(capsys, "--repo", str(empty))
    assert code == 2 and err == f"cdk-review: {os.path.realpath(empty)} has no commits yet\n"
