"""What the `.d.ts` files of aws-cdk-lib export, beyond what its jsii assembly records.

jsii describes classes, structs, interfaces and enums, one home module each. TypeScript
users also see what jsii leaves out: constants and functions (`cx-api`'s feature flags),
type aliases, type-only re-exports (`ResourceEnvironment` from `aws-cdk-lib`, whose jsii
home is `interfaces`) and enum members that alias another (`GENERAL_PURPOSE_SSD_GP3 =
GP3`, which jsii drops). Reading the declarations, with the same tree-sitter grammar the
analyser uses, closes those gaps so no valid name is reported as missing.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from rules.parsing import Node, parse, text

_NAMED_DECLARATIONS = ("class_declaration", "abstract_class_declaration", "interface_declaration",
                       "enum_declaration", "type_alias_declaration", "function_signature",
                       "function_declaration", "module", "internal_module")
_VARIABLE_DECLARATIONS = ("lexical_declaration", "variable_declaration")
_DEPRECATED = re.compile(r"@deprecated\b\s*(.*?)(?:\n\s*\*\s*@|\*/)", re.S)


class Surface:
    """The export graph of one extracted package directory."""

    def __init__(self, package_dir: Path):
        self.root = package_dir

    def module_exports(self, directory: str) -> frozenset[str]:
        """Names `import { X } from 'aws-cdk-lib/<directory>'` can take ('' for the package root)."""
        entry = self.root / directory / "index.d.ts" if directory else self.root / "index.d.ts"
        return self._exports(entry.resolve()) if entry.is_file() else frozenset()

    @cache
    def _exports(self, path: Path) -> frozenset[str]:
        names: set[str] = set()
        for stmt in _tree(path).named_children:
            if stmt.type != "export_statement":
                continue
            declaration = stmt.child_by_field_name("declaration")
            source = stmt.child_by_field_name("source")
            clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
            namespace = next((c for c in stmt.named_children if c.type == "namespace_export"), None)
            if declaration is not None:
                names.update(_declared_names(declaration))
            elif namespace is not None:                          # export * as aws_ec2 from './aws-ec2'
                names.update(text(c) for c in namespace.named_children if c.type == "identifier")
            elif clause is not None:                             # export { A, B as C } [from './x']
                for spec in clause.named_children:
                    if spec.type == "export_specifier":
                        named = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                        names.add(text(named))
            elif source is not None:                             # export * from './lib'
                target = self._resolve(path, text(source)[1:-1])
                if target is not None:
                    names |= self._exports(target)
        return frozenset(names)

    @staticmethod
    def _resolve(importer: Path, spec: str) -> Path | None:
        base = importer.parent / spec
        for candidate in (Path(f"{base}.d.ts"), base / "index.d.ts"):
            if candidate.is_file():
                return candidate.resolve()
        return None


def enum_members(declaration_file: Path, enum: str) -> dict[str, str | None]:
    """Every member of `export declare enum <enum>` in a .d.ts, aliases included, with the
    text of its `@deprecated` tag (None when not deprecated); empty when not found."""
    if not declaration_file.is_file():
        return {}
    for stmt in _tree(declaration_file.resolve()).named_children:
        declaration = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else None
        declaration = _unwrap(declaration) if declaration is not None else None
        if declaration is None or declaration.type != "enum_declaration":
            continue
        if text(declaration.child_by_field_name("name")) != enum:
            continue
        members: dict[str, str | None] = {}
        doc = ""
        for child in declaration.child_by_field_name("body").named_children:
            if child.type == "comment":
                doc = text(child)
                continue
            name = child.child_by_field_name("name") if child.type == "enum_assignment" else child
            if name is not None and name.type in ("property_identifier", "string"):
                found = _DEPRECATED.search(doc)
                members[text(name).strip("'\"")] = " ".join(found.group(1).replace("*", " ").split()) \
                    if found else None
            doc = ""
        return members
    return {}


@cache
def _tree(path: Path) -> Node:
    return parse(path.read_bytes()).root_node


def _unwrap(node: Node) -> Node:
    while node.type == "ambient_declaration" and node.named_children:
        node = node.named_children[0]
    return node


def _declared_names(declaration: Node) -> list[str]:
    node = _unwrap(declaration)
    if node.type in _NAMED_DECLARATIONS:
        name = node.child_by_field_name("name")
        return [text(name)] if name is not None else []
    if node.type in _VARIABLE_DECLARATIONS:
        return [text(d.child_by_field_name("name")) for d in node.named_children
                if d.type == "variable_declarator" and d.child_by_field_name("name") is not None]
    return []
