"""A finding: one defect at one place, keyed to the taxonomy."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rules.taxonomy import Severity, Subcategory


@dataclass(frozen=True)
class Finding:
    rule_id: str
    subcategory: Subcategory
    severity: Severity
    path: str            # relative, '/' separators, no leading './'
    line: int            # 1-based
    end_line: int
    column: int          # 1-based
    message: str
    remediation: str
    suggestion: str | None = None
    rule_name: str = ""
    # normalised source of the flagged node: keeps the fingerprint stable across pushes
    snippet: str = field(default="", compare=False)

    @property
    def category(self):
        return self.subcategory.category

    @property
    def fingerprint(self) -> str:
        basis = "\x1f".join((self.rule_id, self.path, " ".join(self.snippet.split()), self.message))
        return hashlib.sha256(basis.encode()).hexdigest()[:16]

    def sort_key(self):
        return (self.path, self.line, self.column, self.rule_id, self.message)


@dataclass(frozen=True)
class Diagnostic:
    """Something about the analysis itself (syntax error, rule crash, bad suppression)."""
    path: str
    line: int
    message: str
    level: str = "notice"     # notice | warning | error
    rule_id: str | None = None
