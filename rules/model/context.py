"""What every rule gets besides the file: the project, the repo config, production awareness."""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from rules.config import words
from rules.model import values as v
from rules.model.layout import is_test_file
from rules.parsing import Node, text

if TYPE_CHECKING:
    from rules.model.classes import ClassDecl
    from rules.model.constructs import Construct
    from rules.model.project import Project

NON_PRODUCTION_WORDS = frozenset({
    "dev", "development", "test", "testing", "sandbox", "staging", "qa", "demo", "playground",
    "experiment", "experimental", "scratch", "local", "preview", "ephemeral", "nonprod", "uat",
})
# Props of a stack instance that name its environment: `new ApiStack(app, 'Api', { stage: 'prod' })`.
STAGE_PROPS = ("stage", "stageName", "environment", "environmentName", "env", "envName", "deployment")


class Context:
    def __init__(self, project: "Project", config):
        self.project = project
        self.config = config
        self._class_verdicts: dict[int, bool | None] = {}
        # Many rules ask about the same constructs and names: each verdict is worked out once.
        self._construct_verdicts: dict["Construct", bool | None] = {}
        self._name_verdicts: dict[str, bool | None] = {}

    # -- names -----------------------------------------------------------------------
    def name_is_production(self, name: str) -> bool | None:
        """True for 'ProdStack', False for 'DevSandbox', None when the name says neither."""
        if name not in self._name_verdicts:
            self._name_verdicts[name] = self._name_verdict(name)
        return self._name_verdicts[name]

    def _name_verdict(self, name: str) -> bool | None:
        if self.config.is_production(name):
            return True
        if NON_PRODUCTION_WORDS & {w.lower() for w in words(name)}:
            return False
        return None

    @staticmethod
    def _combine(verdicts) -> bool | None:
        """Production wins: code that is deployed to production once is production code."""
        verdicts = list(verdicts)
        if True in verdicts:
            return True
        if False in verdicts:
            return False
        return None

    # -- stacks ----------------------------------------------------------------------
    def is_production(self, construct: "Construct") -> bool | None:
        """Whether a construct is deployed to production, from what the source says.

        Signals, any of which saying production makes it production: the id of the
        construct, the name and doc comment of the class creating it, and every
        instantiation of that class in the project (its id and `stage`-like props).
        None when nothing says either way; rules document what they do then.
        """
        if construct not in self._construct_verdicts:
            self._construct_verdicts[construct] = self._construct_verdict(construct)
        return self._construct_verdicts[construct]

    def _construct_verdict(self, construct: "Construct") -> bool | None:
        verdicts = []
        ident = v.literal(construct.id)
        if isinstance(ident, str) and self.name_is_production(ident):
            verdicts.append(True)   # an id describes the resource ('TestArtifacts'): only 'prod' counts
        owner = construct.owner
        if owner is not None:
            verdicts.append(self.class_is_production(owner))
        elif (stack := _scope_stack(construct)) is not None:
            verdicts.append(self._instance_verdict(stack))     # `new s3.Bucket(devStack, ...)` in an entry point
        return self._combine(verdicts)

    def class_is_production(self, cls: "ClassDecl") -> bool | None:
        key = cls.node.id
        if key not in self._class_verdicts:
            self._class_verdicts[key] = None        # recursion guard
            verdicts = [self.name_is_production(cls.name), self._doc_verdict(cls)]
            verdicts += [self._instance_verdict(c) for c in self._instances_of(cls)]
            self._class_verdicts[key] = self._combine(verdicts)
        return self._class_verdicts[key]

    @cached_property
    def _instances_by_class(self) -> dict[tuple[str, int], list["Construct"]]:
        """Instantiations of local classes, indexed once: (file, class node id) -> constructs."""
        out: dict[tuple[str, int], list["Construct"]] = {}
        for f in self.project.analysed:
            if is_test_file(f):
                continue        # a test builds throw-away instances ('MyTestStack'): they say nothing
            for c in f.constructs:
                local = c.local_class
                if local is not None and local.decl is not None and local.decl_file is not None:
                    out.setdefault((local.decl_file.abspath, local.decl.id), []).append(c)
        return out

    def _instances_of(self, cls: "ClassDecl"):
        return self._instances_by_class.get((cls.file.abspath, cls.node.id), ())

    def _instance_verdict(self, instance: "Construct") -> bool | None:
        verdicts = []
        ident = instance.id
        for part in (ident.parts if isinstance(ident, v.Template) else [ident]):
            if isinstance(part, v.Lit) and isinstance(part.value, str):
                verdicts.append(self.name_is_production(part.value))
        for prop in STAGE_PROPS:
            for branch in v.branches(instance.prop(prop)):
                if isinstance(branch, v.Lit) and isinstance(branch.value, str):
                    verdicts.append(self.name_is_production(branch.value))
        if instance.owner is not None:      # a stack created inside a production stage
            verdicts.append(self.class_is_production(instance.owner))
        return self._combine(verdicts)

    def _doc_verdict(self, cls: "ClassDecl") -> bool | None:
        """The JSDoc right above the class: '/** Production network for ... */'."""
        node = cls.node.parent if cls.node.parent is not None and cls.node.parent.type == "export_statement" \
            else cls.node
        prev = node.prev_named_sibling
        if prev is None or prev.type != "comment" or not text(prev).startswith("/**"):
            return None
        # Prose describes the workload ("network for the test runners"): only a production word counts.
        return True if self.config.is_production(text(prev)) else None

    # -- values ----------------------------------------------------------------------
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


def _scope_stack(construct: "Construct") -> "Construct | None":
    """The bare `new Stack(app, 'Id')` a construct created outside any class is put in."""
    if not construct.arg_nodes:
        return None
    scope = construct.file.eval(construct.arg_nodes[0])
    if isinstance(scope, v.ConstructRef) and scope.construct.fqn == "Stack":
        return scope.construct
    return None
