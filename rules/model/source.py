"""One parsed TypeScript file and everything the model knows about it."""
from __future__ import annotations

from collections.abc import Callable
from functools import cache, cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar

from rules.model import values as v
from rules.model.classes import ClassDecl
from rules.model.constructs import CallSiteConstruct, Construct, MethodCall, attr_path
from rules.model.evaluate import Evaluator
from rules.model.functions import Frame
from rules.model.imports import ImportBinding, ImportStatement, collect_imports
from rules.model.placement import enclosing_function
from rules.model.scopes import CLASS_TYPES, FUNCTION_TYPES, SCOPE_TYPES, STATEMENT_TYPES, Scopes
from rules.parsing import Node, Tree, captures, first_error, language, parse, query, text

# Node types the model and rules look up, found by one C-side query (run on first use)
# instead of Python tree walks, which cost more than parsing itself. One query for them
# all: running a query costs a walk of the whole tree, whatever it captures.
INDEX_TYPES = (
    "new_expression", "call_expression", "member_expression", "comment", "class_declaration",
    "abstract_class_declaration", "class", "predefined_type", "assignment_expression",
    "augmented_assignment_expression", "update_expression", *sorted(SCOPE_TYPES - {"program"}),
    *sorted(FUNCTION_TYPES), *STATEMENT_TYPES,
    "identifier", "type_identifier", "shorthand_property_identifier", "export_specifier",
)
_INDEXED = frozenset(INDEX_TYPES)
_start_byte = attrgetter("start_byte")
T = TypeVar("T")


_SCOPE_ARG_NAMES = frozenset({"scope", "app", "parent", "stack", "construct", "self"})


@cache
def _index_query(tsx: bool) -> str:
    lang = language(tsx)
    return " ".join(f"({t}) @{t}" for t in INDEX_TYPES if lang.id_for_node_kind(t, True))


class SourceFile:
    def __init__(self, path: str, source: bytes, *, abspath: str | None = None,
                 project: "Project | None" = None, package_path: str | None = None):
        self.path = path                    # display path: relative, '/' separators
        self.abspath = abspath or path
        # Relative to the package (the nearest package.json/cdk.json) or the repository:
        # what says "test/" or "lib/" about the file, whatever directory the scan ran from.
        self.package_path = package_path or path
        self.source = source
        self.project = project
        self.tree: Tree = parse(source, tsx=path.endswith(".tsx"))
        self._constructs_by_node: dict[int, Construct | None] = {}
        self._index: dict[str, list[Node]] | None = None
        self._memo: dict[object, object] = {}

    def memo(self, compute: Callable[["SourceFile"], T]) -> T:
        """`compute(self)`, once per file: for indexes several rules share."""
        if compute not in self._memo:
            self._memo[compute] = compute(self)
        return self._memo[compute]  # type: ignore[return-value]

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def _indexed(self, node_type: str) -> list[Node]:
        if self._index is None:
            tsx = self.path.endswith(".tsx")
            self._index = captures(query(_index_query(tsx), tsx), self.root)
            for found in self._index.values():      # only the types the file has: most have few
                found.sort(key=_start_byte)
        if node_type not in _INDEXED:
            raise KeyError(f"{node_type} is not in INDEX_TYPES")
        return self._index.get(node_type, [])

    def nodes(self, *types: str) -> list[Node]:
        """Every node of the given types (see INDEX_TYPES), in source order."""
        if len(types) == 1:
            return self._indexed(types[0])
        return sorted((n for t in types for n in self._indexed(t)), key=_start_byte)

    def owns(self, node: Node) -> bool:
        """Whether `node` is in this file's syntax tree (values carry nodes of other files too)."""
        while node.parent is not None:
            node = node.parent
        return node.id == self.tree.root_node.id

    def eval(self, node: Node | None) -> v.Value:
        return self.evaluator.eval(node)

    @cached_property
    def evaluator(self) -> Evaluator:
        return Evaluator(self)

    @cached_property
    def scopes(self) -> Scopes:
        return Scopes(self)

    @cached_property
    def syntax_error(self) -> Node | None:
        return first_error(self.root)

    @cached_property
    def lines(self) -> list[str]:
        return self.source.decode("utf-8", "replace").splitlines()

    # -- imports ---------------------------------------------------------------------
    @cached_property
    def imports(self) -> list[ImportStatement]:
        return collect_imports(self.root)

    @cached_property
    def import_bindings(self) -> dict[str, ImportBinding]:
        return {b.local: b for stmt in self.imports for b in stmt.bindings}

    @cached_property
    def library_names(self) -> frozenset[str]:
        """Local names bound to aws-cdk-lib (or v1) imports: `ec2`, `cdk`, `Vpc`."""
        return frozenset(b.local for s in self.imports if s.ref.kind in ("cdk", "cdk-v1") for b in s.bindings)

    @cached_property
    def is_cdk(self) -> bool:
        return any(stmt.ref.is_cdk for stmt in self.imports)

    @cached_property
    def local_imports(self) -> list[str]:
        """Specifiers of the local modules this file imports or re-exports from."""
        specs = [s.ref.spec for s in self.imports if s.ref.kind == "local"]
        specs += [spec for _, spec, _ in self.reexports]
        return specs

    def import_value(self, binding: ImportBinding) -> v.Value:
        ref = binding.ref
        if ref.kind == "local":
            if self.project is None:
                return v.Unknown("local module", node=binding.node, file=self)
            if binding.imported is not None:
                return self.project.resolve_export(self, ref.spec, binding.imported)
            target = self.project.resolve_module(self, ref.spec)
            if target is None:
                return v.Unknown(f"module {ref.spec} not available", node=binding.node, file=self)
            if binding.node.type == "namespace_import":          # import * as config from './config'
                return v.LocalModule(target, node=binding.node, file=self)
            return self.project.export_of(target, "default")     # import config from './config'
        if ref.kind in ("cdk", "cdk-v1"):
            ns = v.Namespace(ref.module, v1=ref.kind == "cdk-v1", node=binding.node, file=self)
            if binding.imported is None:
                return ns
            return self.evaluator.member(ns, binding.imported, binding.node)
        ns = v.Namespace(ref.module, package=ref.spec, node=binding.node, file=self)
        if binding.imported is None:
            return ns
        return v.Symbol(f"{ref.module}.{binding.imported}", package=ref.spec, node=binding.node, file=self)

    @cached_property
    def reexports(self) -> list[tuple[str | None, str, str | None]]:
        """(exported name or None for `*`, module spec, original name) of `export ... from`."""
        out = []
        for stmt in self.root.named_children:
            if stmt.type != "export_statement":
                continue
            source = stmt.child_by_field_name("source")
            if source is None:
                continue
            spec = text(source)[1:-1]
            clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
            if clause is None:
                out.append((None, spec, None))
                continue
            for sp in clause.named_children:
                if sp.type == "export_specifier":
                    name, alias = sp.child_by_field_name("name"), sp.child_by_field_name("alias")
                    out.append((text(alias or name), spec, text(name)))
        return out

    def exported_value(self, name: str) -> v.Value | None:
        """The value this file exports under `name`, when it declares it itself."""
        if name == "default":
            return self._default_export()
        decl = self.scopes.lookup(self.root, name)
        if decl is None:
            return None
        return self.evaluator._declaration_value(decl)

    def _default_export(self) -> v.Value | None:
        """`export default { dbPort: 5432 }`, `export default class Config {...}`."""
        for stmt in self.root.named_children:
            if stmt.type != "export_statement" or not any(c.type == "default" for c in stmt.children):
                continue
            decl = stmt.child_by_field_name("declaration")
            if decl is not None:
                name = decl.child_by_field_name("name")
                return self.exported_value(text(name)) if name is not None else None
            value = stmt.child_by_field_name("value")
            return self.eval(value) if value is not None else None
        return None

    # -- constructs ------------------------------------------------------------------
    def construct_at(self, node: Node) -> Construct | None:
        """The construct a `new` expression creates, or None when it is a plain object."""
        if node.id in self._constructs_by_node:
            return self._constructs_by_node[node.id]
        self._constructs_by_node[node.id] = None      # guards recursion through the callee
        construct = self._make_construct(node)
        self._constructs_by_node[node.id] = construct
        return construct

    def _make_construct(self, node: Node) -> Construct | None:
        from rules.model.library import construct_props_index, is_construct_fqn, is_known_fqn
        callee = self.eval(node.child_by_field_name("constructor"))
        args_node = node.child_by_field_name("arguments")
        args = [a for a in args_node.named_children if a.type != "comment"] if args_node is not None else []
        looks_like = self._looks_like_construct_call(args)
        if isinstance(callee, v.Symbol):
            if is_known_fqn(callee.fqn):
                if not is_construct_fqn(callee.fqn):
                    return None
                return Construct(self, node, callee.fqn, None, construct_props_index(callee.fqn))
            return Construct(self, node, callee.fqn, None) if looks_like else None
        if isinstance(callee, v.LocalClass):
            decl = callee.decl_file.class_decl(callee.decl) if callee.decl_file else None
            if (decl is not None and decl.kind in ("stack", "stage", "construct")) or looks_like:
                return Construct(self, node, None, callee)
            return None
        return Construct(self, node, None, None) if looks_like else None

    def _looks_like_construct_call(self, args: list[Node]) -> bool:
        """`new X(this, 'Id', ...)`: the CDK construct calling convention."""
        if len(args) < 2:
            return False
        scope, ident = args[0], args[1]
        scope_ok = scope.type == "this" or (scope.type == "identifier" and text(scope) in _SCOPE_ARG_NAMES)
        return scope_ok and ident.type in ("string", "template_string", "identifier", "binary_expression")

    @cached_property
    def constructs(self) -> list[Construct]:
        """Every construct the file's code creates; one per call of the helper function or
        builder method it is created in, when the project calls that helper."""
        sites = self.project.memo(helper_call_sites) if self.project is not None else {}
        out: list[Construct] = []
        for n in self.nodes("new_expression"):
            c = self.construct_at(n)
            if c is None:
                continue
            helper = _enclosing_helper(n)
            calls = sites.get((self.abspath, helper.start_byte)) if helper is not None and c.fqn else None
            if calls:
                out.extend(CallSiteConstruct(self, n, c.fqn, c.local_class, c.props_index, c.calls, site=call,
                                             evaluator=Evaluator(self, Frame(helper, args, 1)))
                           for call, args in calls)
            else:
                out.append(c)
        for call in self.method_calls:
            if call.construct is not None:
                call.construct.calls.append(call)
        return out

    @cached_property
    def method_calls(self) -> list[MethodCall]:
        """Every `x.y.name(...)` call in the file with its evaluated receiver."""
        out = []
        for n in self.nodes("call_expression"):
            fn = n.child_by_field_name("function")
            if fn is None or fn.type != "member_expression":
                continue
            prop = fn.child_by_field_name("property")
            receiver = self.eval(fn.child_by_field_name("object"))
            construct, path = attr_path(receiver)
            out.append(MethodCall(self, n, text(prop), receiver, construct, path))
        return out

    # -- classes ---------------------------------------------------------------------
    @cached_property
    def classes(self) -> list[ClassDecl]:
        out = []
        for n in self.nodes(*CLASS_TYPES):
            name = n.child_by_field_name("name")
            out.append(ClassDecl(self, n, text(name) if name is not None else "<anonymous>"))
        return out

    def class_decl(self, node: Node) -> ClassDecl | None:
        return next((c for c in self.classes if c.node.id == node.id), None)

    def class_containing(self, node: Node) -> ClassDecl | None:
        """The innermost class around `node` (not `node` itself). Classes nest by byte range,
        so comparing ranges replaces a walk up the parents (each `.parent` builds a new node)."""
        start, end, node_id = node.start_byte, node.end_byte, node.id
        best: ClassDecl | None = None
        for c in self.classes:
            if (c.start_byte <= start and end <= c.end_byte and c.node.id != node_id
                    and (best is None or c.start_byte >= best.start_byte)):
                best = c
        return best

    @cached_property
    def comment_nodes(self) -> list[Node]:
        return self.nodes("comment")

    @cached_property
    def comments(self) -> list[tuple[int, str]]:
        """(1-based line, text) of every comment, for suppressions."""
        return [(n.start_point[0] + 1, text(n)) for n in self.comment_nodes]

    def __repr__(self) -> str:
        return f"<SourceFile {self.path}>"


_MAX_CALL_SITES = 16      # a helper called more often is judged once, on its own


_HELPER_TYPES = frozenset({"function_declaration", "method_definition", "arrow_function", "function_expression"})


def _enclosing_helper(node: Node) -> Node | None:
    """The function or method (not a constructor) whose body creates `node`, or None."""
    fn = enclosing_function(node)
    if fn is None or fn.type not in _HELPER_TYPES or (
            fn.type == "method_definition" and text(fn.child_by_field_name("name")) == "constructor"):
        return None
    return fn


def helper_call_sites(project) -> dict[tuple[str, int], list[tuple[Node, tuple[v.Value, ...]]]]:
    """(file, function start) of the app's own helper functions and builder methods -> the
    calls of them in the analysed code, each with its argument values. Tests are left out."""
    from rules.model.layout import is_test_file
    sites: dict[tuple[str, int], list[tuple[Node, tuple[v.Value, ...]]]] = {}
    for f in project.analysed:
        if is_test_file(f):
            continue
        for call in f.nodes("call_expression"):
            fn = call.child_by_field_name("function")
            if fn is None or fn.type not in ("identifier", "member_expression"):
                continue
            callee = f.eval(fn)
            if not isinstance(callee, v.FunctionRef) or callee.decl_file is None or callee.decl is None:
                continue
            args = call.child_by_field_name("arguments")
            values = tuple(f.eval(a) for a in args.named_children if a.type != "comment") if args is not None else ()
            sites.setdefault((callee.decl_file.abspath, callee.decl.start_byte), []).append((call, values))
    return {key: calls for key, calls in sites.items() if len(calls) <= _MAX_CALL_SITES}
