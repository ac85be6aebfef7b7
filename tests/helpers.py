"""Small helpers for tests: build in-memory projects and run rules on them."""
from __future__ import annotations

import textwrap

from rules.config import Config
from rules.engine import analyse
from rules.model.project import Project
from rules.registry import all_rules


def project(**files: str) -> Project:
    """project(**{'lib/a.ts': '...'}) with dedented sources; keys may use '/'."""
    return Project.from_sources({path: textwrap.dedent(src).encode() for path, src in files.items()})


def single(src: str, path: str = "stack.ts"):
    """The SourceFile of a one-file project."""
    p = project(**{path: src})
    return p.files[path]


def hits(src_or_project, *rule_ids: str, config: Config | None = None) -> set[tuple[str, int]]:
    """{(rule_id, line)} that the given rules (all when none) report."""
    p = src_or_project if isinstance(src_or_project, Project) else project(**{"stack.ts": src_or_project})
    chosen = [r for r in all_rules() if not rule_ids or r.id in rule_ids]
    return {(f.rule_id, f.line) for f in analyse(p, config, rules=chosen).findings}
