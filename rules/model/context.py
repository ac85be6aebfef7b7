"""What every rule gets besides the file: the project, the repo config, production awareness."""
from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING

from rules.model import values as v
from rules.parsing import Node, text

if TYPE_CHECKING:
    from rules.model.constructs import Construct
    from rules.model.project import Project

_NON_PROD = ("dev", "development", "test", "testing", "sandbox", "staging", "stage", "qa", "demo",
             "playground", "experiment", "scratch", "local", "preview", "ephemeral", "nonprod")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def words(name: str) -> list[str]:
    """'TapProdDatabase' -> ['tap', 'prod', 'database']; 'my-dev_stack' -> ['my', 'dev', 'stack']."""
    return [w.lower() for w in _WORD_SPLIT.split(name) if w]


class Context:
    def __init__(self, project: "Project", config):
        self.project = project
        self.config = config

    @cached_property
    def production_hints(self) -> tuple[str, ...]:
        return tuple(h.lower() for h in self.config.production_hint)

    def name_is_production(self, name: str) -> bool | None:
        """True for 'ProdStack', False for 'DevSandbox', None when the name says neither."""
        ws = words(name)
        if any(w in self.production_hints for w in ws):
            return True
        if any(w in _NON_PROD for w in ws):
            return False
        return None

    def is_production(self, construct: "Construct") -> bool | None:
        """Whether the stack a construct lives in is a production one, when the names say so."""
        owner = construct.owner
        names = [owner.name] if owner is not None else []
        ident = construct.id
        if isinstance(ident, v.Lit) and isinstance(ident.value, str):
            names.append(ident.value)
        verdicts = [self.name_is_production(n) for n in names]
        if True in verdicts:
            return True
        if False in verdicts:
            return False
        return None

    def production_branch(self, value: v.Value | None) -> v.Value | None:
        """For `isProd ? a : b` the production branch; other values as they are.

        When the condition does not name production, both branches stay (the Cond),
        so a rule judges every branch.
        """
        while isinstance(value, v.Cond):
            side = self._test_means_production(value.test)
            if side is None:
                return value
            value = value.then if side else value.otherwise
        return value

    def _test_means_production(self, test: Node) -> bool | None:
        """True when `test` is true in production, False when it is true outside it."""
        src = text(test)
        negated = src.lstrip("(").startswith("!") or "!==" in src or "!=" in src
        verdict = self.name_is_production(src.replace("!", " ").replace("=", " "))
        if verdict is None:
            return None
        return verdict != negated
