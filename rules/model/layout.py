"""How a CDK project is laid out: test and integration-test files, which build throw-away
apps and bare stacks on purpose and are not judged on structure."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rules.model.source import SourceFile

_TEST_DIRS = frozenset({"test", "tests", "__tests__", "spec", "integ", "integ-tests"})
_TEST_NAME = re.compile(r"(\.(test|spec)\.tsx?$)|(^integ\.)")
_TEST_MODULES = frozenset({"aws-cdk-lib/assertions", "@aws-cdk/assert", "@aws-cdk/assertions",
                           "@aws-cdk/integ-tests-alpha"})


def is_test_file(f: "SourceFile") -> bool:
    """A unit or integration test: by its path (`test/`, `*.test.ts`, `integ.*.ts`) or because it
    imports the CDK testing libraries. Worked out once per file: a dozen rules ask."""
    return f.memo(_is_test_file)


def _is_test_file(f: "SourceFile") -> bool:
    *dirs, name = f.package_path.split("/")
    if _TEST_NAME.search(name) or _TEST_DIRS.intersection(dirs):
        return True
    return any(stmt.ref.spec in _TEST_MODULES for stmt in f.imports)
