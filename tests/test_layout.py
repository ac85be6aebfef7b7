"""Which files are tests: judged within their package, not by where the scan ran from."""
import json
import os

from bot.cli import main
from rules.loader import load_project, package_locator
from rules.model.layout import is_test_file
from rules.model.project import Project

STACK_WITH_ANY = b"""import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export class ApiStack extends Stack {
  constructor(scope: Construct, id: string, props: any) {
    super(scope, id, props);
  }
}
"""


def _write(root, rel, content=b"{}"):
    path = os.path.join(root, *rel.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(content)


def _package_under_a_test_dir(tmp_path):
    """`<tmp>/test/myapp` is an ordinary CDK package that happens to live under `test/`."""
    _write(str(tmp_path), "test/myapp/package.json")
    _write(str(tmp_path), "test/myapp/lib/api-stack.ts", STACK_WITH_ANY)
    _write(str(tmp_path), "test/myapp/test/api-stack.test.ts", STACK_WITH_ANY)
    return tmp_path


def test_in_memory_paths_are_judged_as_given():
    project = Project.from_sources({"lib/api-stack.ts": STACK_WITH_ANY, "test/api.test.ts": STACK_WITH_ANY,
                                    "integ/integ.api.ts": STACK_WITH_ANY})
    verdicts = {f.path: is_test_file(f) for f in project.analysed}
    assert verdicts == {"lib/api-stack.ts": False, "test/api.test.ts": True, "integ/integ.api.ts": True}


def test_a_package_inside_a_directory_named_test_is_not_test_code(tmp_path):
    root = _package_under_a_test_dir(tmp_path)
    project = load_project(["test/myapp"], cwd=str(root))
    verdicts = {f.path: (f.package_path, is_test_file(f)) for f in project.analysed}
    assert verdicts == {
        "test/myapp/lib/api-stack.ts": ("lib/api-stack.ts", False),
        "test/myapp/test/api-stack.test.ts": ("test/api-stack.test.ts", True),
    }


def test_without_a_package_file_the_path_from_the_working_directory_counts(tmp_path):
    _write(str(tmp_path), "infra/test/helpers.ts", STACK_WITH_ANY)
    locate = package_locator(str(tmp_path / "infra"))
    assert locate(str(tmp_path / "infra" / "test" / "helpers.ts")) == "test/helpers.ts"


def test_scan_reports_any_in_the_package_code_and_not_in_its_tests(tmp_path, capsys):
    root = _package_under_a_test_dir(tmp_path)
    old = os.getcwd()
    os.chdir(root)
    try:
        code = main(["scan", "--format", "json", "--fail-on", "never", "test/myapp"])
    finally:
        os.chdir(old)
    assert code == 0
    found = {(f["rule_id"], f["path"]) for f in json.loads(capsys.readouterr().out)["findings"]}
    assert ("TSQ-TYP-001", "test/myapp/lib/api-stack.ts") in found
    assert ("TSQ-TYP-001", "test/myapp/test/api-stack.test.ts") not in found
