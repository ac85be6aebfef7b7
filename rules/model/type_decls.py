"""Type declarations: interfaces, the props parameter of stack/construct classes, and which
interfaces are used as props types across the project's files."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rules.parsing import Node, text

if TYPE_CHECKING:
    from rules.model.classes import ClassDecl
    from rules.model.project import Project
    from rules.model.source import SourceFile

CDK_CLASS_KINDS = ("stack", "stage", "construct")
PARAM_TYPES = ("required_parameter", "optional_parameter")
_PROPS_INDEX = 2          # constructor(scope, id, props): the CDK convention
_REEXPORT_HOPS = 5


@dataclass(frozen=True)
class InterfaceDecl:
    file: "SourceFile"
    node: Node              # the interface_declaration
    name: str
    base_nodes: tuple[Node, ...]  # the extended types (`cdk.StackProps`, `BaseProps`)

    @property
    def bases(self) -> tuple[str, ...]:
        """The extended types' own names: 'StackProps' for `cdk.StackProps`."""
        return tuple(n for n in map(type_name, self.base_nodes) if n)

    @property
    def members(self) -> list[Node]:
        body = self.node.child_by_field_name("body")
        return [m for m in body.named_children if m.type != "comment"] if body is not None else []

    @property
    def properties(self) -> list[Node]:
        """The property signatures (methods and index signatures are not props)."""
        return [m for m in self.members if m.type == "property_signature"]


def is_readonly(prop: Node) -> bool:
    return any(c.type == "readonly" for c in prop.children)


def interfaces(f: "SourceFile") -> list[InterfaceDecl]:
    """The file's top-level interfaces (exported or not), found once per file."""
    return f.memo(_interfaces)


def _interfaces(f: "SourceFile") -> list[InterfaceDecl]:
    out = []
    for stmt in f.root.named_children:
        decl = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
        if decl is not None and decl.type == "interface_declaration":
            out.append(InterfaceDecl(f, decl, text(decl.child_by_field_name("name")), _base_nodes(decl)))
    return out


def _base_nodes(decl: Node) -> tuple[Node, ...]:
    clause = next((c for c in decl.named_children if c.type == "extends_type_clause"), None)
    return tuple(clause.named_children) if clause is not None else ()


def type_name(node: Node | None) -> str | None:
    """'FooProps' for `FooProps`, `types.FooProps` and `FooProps<T>`; None for other types."""
    if node is None:
        return None
    if node.type == "generic_type":
        node = node.child_by_field_name("name")
    if node is not None and node.type == "nested_type_identifier":
        node = node.child_by_field_name("name")
    return text(node) if node is not None and node.type == "type_identifier" else None


def type_qualifier(node: Node | None) -> str | None:
    """'types' for `types.FooProps`: the namespace a type name is read from."""
    if node is not None and node.type == "generic_type":
        node = node.child_by_field_name("name")
    if node is None or node.type != "nested_type_identifier":
        return None
    module = node.child_by_field_name("module")
    return text(module) if module is not None and module.type == "identifier" else None


# -- parameters ----------------------------------------------------------------------------
def param_name(param: Node) -> str:
    return text(param.child_by_field_name("pattern"))


def param_type(param: Node) -> Node | None:
    """The type node of `name: Type`; None when the parameter has no annotation."""
    annotation = param.child_by_field_name("type")
    if annotation is None:
        return None
    return annotation.named_children[0] if annotation.named_children else None


def props_param(cls: "ClassDecl") -> Node | None:
    """The constructor parameter carrying props: one named `props`/`...Props`, else the third."""
    params = cls.constructor_params
    named = [p for p in params if param_name(p).lower().endswith("props")]
    if named:
        return named[0]
    return params[_PROPS_INDEX] if len(params) > _PROPS_INDEX else None


# -- resolution across files ------------------------------------------------------------------
def resolve_interface(f: "SourceFile", name: str, qualifier: str | None = None) -> InterfaceDecl | None:
    """The interface `name` (or `qualifier.name`) refers to in `f`: declared there, or imported
    from a local module (following `export ... from` re-exports)."""
    if qualifier is None:
        local = next((i for i in interfaces(f) if i.name == name), None)
        if local is not None:
            return local
    binding = f.import_bindings.get(qualifier or name)
    if binding is None or binding.ref.kind != "local" or f.project is None:
        return None
    exported = name if qualifier is not None else binding.imported
    if exported is None:
        return None
    target = f.project.resolve_module(f, binding.ref.spec)
    return _exported_interface(target, exported, _REEXPORT_HOPS) if target is not None else None


def _exported_interface(module: "SourceFile", name: str, hops: int) -> InterfaceDecl | None:
    found = next((i for i in interfaces(module) if i.name == name), None)
    if found is not None or hops == 0 or module.project is None:
        return found
    for exported, spec, original in module.reexports:
        if exported in (name, None):
            target = module.project.resolve_module(module, spec)
            if target is not None:
                found = _exported_interface(target, original or name, hops - 1)
                if found is not None:
                    return found
    return None


def props_interface_keys(project: "Project") -> frozenset[tuple[str, str]]:
    """(file abspath, interface name) of every interface typing a stack/construct/stage props
    parameter somewhere in the project; computed once per project."""
    return project.memo(_props_interface_keys)


def _props_interface_keys(project: "Project") -> frozenset[tuple[str, str]]:
    found = set()
    for f in project.analysed:
        for cls in f.classes:
            decl = _props_interface(cls)
            if decl is not None:
                found.add((decl.file.abspath, decl.name))
    return frozenset(found)


def _props_interface(cls: "ClassDecl") -> InterfaceDecl | None:
    if cls.kind not in CDK_CLASS_KINDS:
        return None
    param = props_param(cls)
    typ = param_type(param) if param is not None else None
    name = type_name(typ)
    return resolve_interface(cls.file, name, type_qualifier(typ)) if name else None


# -- the fields a props type declares ---------------------------------------------------------
_MAX_TYPE_DEPTH = 8


def declared_fields(f: "SourceFile", typ: Node | None, depth: int = 0) -> frozenset[str] | None:
    """Every field name the type `typ` (written in `f`) declares, inherited ones included: a
    local interface, an aws-cdk-lib struct (`cdk.StackProps`), an inline object type or an
    intersection of those. None when any part cannot be known (an index signature, a type
    alias, a module that is not available), so a rule asking stays silent."""
    if typ is None or depth > _MAX_TYPE_DEPTH:
        return None
    if typ.type == "intersection_type":
        parts = [declared_fields(f, t, depth + 1) for t in typ.named_children]
        return None if any(p is None for p in parts) else frozenset().union(*parts)
    if typ.type == "object_type":
        return _member_names(m for m in typ.named_children if m.type != "comment")
    name = type_name(typ)
    if name is None:
        return None
    qualifier = type_qualifier(typ)
    struct = _library_struct(f, name, qualifier)
    if struct is not None:
        return frozenset(struct.props)
    decl = resolve_interface(f, name, qualifier)
    if decl is None:
        return None
    own = _member_names(decl.members)
    inherited = [declared_fields(decl.file, b, depth + 1) for b in decl.base_nodes]
    if own is None or any(i is None for i in inherited):
        return None
    return own.union(*inherited)


def _member_names(members) -> frozenset[str] | None:
    names = set()
    for m in members:
        if m.type not in ("property_signature", "method_signature"):
            return None            # index signatures, call signatures: any key may be valid
        names.add(text(m.child_by_field_name("name")))
    return frozenset(names)


def _library_struct(f: "SourceFile", name: str, qualifier: str | None):
    """The aws-cdk-lib struct `name` / `qualifier.name` refers to through the file's imports."""
    from rules.knowledge import knowledge
    binding = f.import_bindings.get(qualifier or name)
    if binding is None or binding.ref.kind != "cdk":
        return None
    module = binding.ref.module
    if qualifier is None:
        if binding.imported is None:
            return None
        return knowledge().struct(f"{module}.{binding.imported}" if module else binding.imported)
    if binding.imported is not None:       # `import { aws_s3 as s3 } from 'aws-cdk-lib'`
        module = binding.imported
    return knowledge().struct(f"{module}.{name}" if module else name)
