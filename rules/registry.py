"""The rule registry: `@rule(...)` declares a check with its metadata, docs and examples."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rules.parsing import Node
from rules.taxonomy import Category, Severity, Subcategory

ID_PATTERN = re.compile(r"^(SEC|ARC|CDK|TSQ|OPS|INC)-[A-Z0-9]{2,6}-\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PREFIX_CATEGORY = {
    "SEC": Category.SECURITY, "ARC": Category.ARCHITECTURE, "CDK": Category.CDK_SPECIFIC,
    "TSQ": Category.TYPESCRIPT_QUALITY, "OPS": Category.OPERATIONAL_EXCELLENCE,
    "INC": Category.INCOMPLETE_IMPLEMENTATION,
}
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Known problems", "References")
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
_SECTION_RE = re.compile(r"^## (.+?)\s*$", re.M)
_CODE_RE = re.compile(r"```(?:ts|typescript)\n(.*?)```", re.S)


class RuleDefinitionError(Exception):
    pass


@dataclass
class Hit:
    """What a rule reports: the node to point at and the values for its message."""
    node: Node
    args: dict[str, Any] = field(default_factory=dict)
    file: Any = None                  # SourceFile; defaults to the file being checked
    end_node: Node | None = None
    suggestion: str | None = None
    severity: Severity | None = None  # a rule may lower/raise one hit (e.g. production only)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    subcategory: Subcategory
    severity: Severity
    message: str
    remediation: str
    references: tuple[str, ...]
    scope: str                         # 'file' | 'project'
    check: Callable[..., Iterable[Hit]]
    sections: dict[str, str]
    confidence: str = "high"
    production_aware: bool = False
    in_tests: bool = False             # also reported in test files (see rules/model/layout.py)
    follows_values: bool = False       # a hit on a prop is also reported where its value is set

    @property
    def category(self) -> Category:
        return self.subcategory.category

    @property
    def summary(self) -> str:
        paragraph = self.sections["What it does"].strip().split("\n\n")[0].replace("\n", " ")
        return _first_sentence(paragraph)

    @property
    def docs(self) -> str:
        """The documentation as markdown (sections in fixed order)."""
        out = []
        for title in DOC_SECTIONS:
            if title in self.sections:
                out.append(f"### {title}\n\n{self.sections[title].strip()}\n")
        return "\n".join(out)

    @property
    def bad_example(self) -> str:
        return _code(self.sections["Example"])

    @property
    def good_example(self) -> str:
        return _code(self.sections["Use instead"])

    def format(self, template: str, args: dict[str, Any]) -> str:
        try:
            return template.format(**args)
        except (KeyError, IndexError) as exc:
            raise RuleDefinitionError(f"{self.id}: message needs {exc}") from exc


REGISTRY: dict[str, Rule] = {}
_SENTENCE_END = re.compile(r"(?<=[a-z0-9`)])[.:](\s|$)")


def _first_sentence(paragraph: str) -> str:
    """'Finds X (a, b). Stacks ...' -> 'Finds X (a, b)' for one-line listings."""
    match = _SENTENCE_END.search(paragraph)
    return paragraph[:match.start()] if match else paragraph.rstrip(".")


def _code(section: str) -> str:
    blocks = _CODE_RE.findall(section)
    return "\n".join(blocks)


def parse_sections(doc: str) -> dict[str, str]:
    doc = _dedent(doc)
    parts = _SECTION_RE.split(doc)
    return {parts[i].strip(): parts[i + 1].strip("\n") for i in range(1, len(parts) - 1, 2)}


def _dedent(doc: str) -> str:
    import inspect
    return inspect.cleandoc(doc)


def rule(*, id: str, name: str, subcategory: Subcategory | str, severity: Severity | str,
         message: str, remediation: str, references: Iterable[str] = (), scope: str = "file",
         confidence: str = "high", production_aware: bool = False, in_tests: bool = False,
         follows_values: bool = False):
    """Register the decorated function as a rule; errors surface at import time.

    Test files build throw-away resources on purpose (an unencrypted bucket to test a
    construct), so rules skip them unless `in_tests`: for mistakes that break a test as
    surely as the app (an API that does not exist, a v1 import, a missing required prop).

    `follows_values`: the rule's hits on a `key: value` prop are about the value, so when
    the value comes from a constant or a config entry written elsewhere, the finding is
    repeated there (rules/model/origins.py)."""
    def decorate(fn: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        if not ID_PATTERN.match(id):
            raise RuleDefinitionError(f"rule id {id!r} does not match {ID_PATTERN.pattern}")
        if id in REGISTRY:
            raise RuleDefinitionError(f"duplicate rule id {id}")
        if not NAME_PATTERN.match(name):
            raise RuleDefinitionError(f"{id}: name {name!r} is not kebab-case")
        if any(r.name == name for r in REGISTRY.values()):
            raise RuleDefinitionError(f"{id}: duplicate rule name {name}")
        try:
            sub = Subcategory(subcategory)
            sev = Severity(severity)
        except ValueError as exc:
            raise RuleDefinitionError(f"{id}: {exc} (see TAXONOMY.md)") from exc
        if PREFIX_CATEGORY[id[:3]] != sub.category:
            raise RuleDefinitionError(f"{id}: prefix {id[:3]} does not belong to category {sub.category.value}")
        if scope not in ("file", "project"):
            raise RuleDefinitionError(f"{id}: scope must be 'file' or 'project'")
        sections = parse_sections(fn.__doc__ or "")
        missing = [s for s in REQUIRED_SECTIONS if s not in sections]
        unknown = [s for s in sections if s not in DOC_SECTIONS]
        if missing or unknown:
            raise RuleDefinitionError(f"{id}: docstring sections missing {missing} / unknown {unknown}")
        if not _code(sections["Example"]) or not _code(sections["Use instead"]):
            raise RuleDefinitionError(f"{id}: Example and Use instead need a ```ts block")
        REGISTRY[id] = Rule(id, name, sub, sev, message, remediation, tuple(references), scope, fn,
                            sections, confidence, production_aware, in_tests, follows_values)
        return fn
    return decorate


def all_rules() -> list[Rule]:
    import rules.catalog  # noqa: F401  (registers the catalogue)
    return sorted(REGISTRY.values(), key=lambda r: r.id)
