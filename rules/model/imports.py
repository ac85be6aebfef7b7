"""Import resolution: every way a TypeScript file can name a CDK module, mapped to FQNs.

Five styles resolve alike (`Vpc` -> `aws_ec2.Vpc`):
  import * as ec2 from 'aws-cdk-lib/aws-ec2'          (namespace)
  import { aws_ec2 as ec2 } from 'aws-cdk-lib'         (submodule from the root)
  import { Vpc } from 'aws-cdk-lib/aws-ec2'            (named)
  cdk.aws_ec2.Vpc  with  import * as cdk from 'aws-cdk-lib'
  import * as ec2 from '@aws-cdk/aws-ec2'              (CDK v1)
plus `require(...)`, `import x = require(...)` and default imports.
"""
from __future__ import annotations

from dataclasses import dataclass

from rules.parsing import Node, text

CDK_V2 = "aws-cdk-lib"
V1_PREFIX = "@aws-cdk/"


@dataclass(frozen=True)
class ModuleRef:
    """What an import specifier points at."""
    spec: str
    kind: str        # cdk | cdk-v1 | constructs | alpha | local | other
    module: str      # FQN prefix: 'aws_ec2', '' (CDK root/core), 'constructs', or the spec

    @property
    def is_cdk(self) -> bool:
        return self.kind in ("cdk", "cdk-v1", "constructs", "alpha")


def module_ref(spec: str) -> ModuleRef:
    if spec == CDK_V2:
        return ModuleRef(spec, "cdk", "")
    if spec.startswith(CDK_V2 + "/"):
        sub = spec[len(CDK_V2) + 1:]
        return ModuleRef(spec, "cdk", "" if sub == "core" else sub.replace("-", "_"))
    if spec.startswith(V1_PREFIX):
        sub = spec[len(V1_PREFIX):]
        if sub.endswith("-alpha"):
            # v2's experimental modules (@aws-cdk/aws-apigatewayv2-alpha), not CDK v1
            return ModuleRef(spec, "alpha", spec)
        module = "" if sub == "core" else sub.replace("-", "_")
        if module == "" or _is_v2_module(module):
            return ModuleRef(spec, "cdk-v1", module)
        # @aws-cdk/lambda-layer-kubectl-v34, @aws-cdk/asset-awscli-v1...: v2-era helper packages
        return ModuleRef(spec, "other", spec)
    if spec == "constructs":
        return ModuleRef(spec, "constructs", "constructs")
    if spec.startswith("."):
        return ModuleRef(spec, "local", spec)
    return ModuleRef(spec, "other", spec)


def _is_v2_module(module: str) -> bool:
    """A v1 package is one whose module aws-cdk-lib took over (aws-s3 -> aws_s3)."""
    from rules.knowledge import knowledge
    return module in knowledge().modules()


@dataclass(frozen=True)
class ImportBinding:
    """One local name an import introduces."""
    local: str
    imported: str | None       # the exported name; None for a namespace/default import
    ref: ModuleRef
    node: Node                 # the specifier (or the whole statement for namespaces)
    statement: Node


@dataclass(frozen=True)
class ImportStatement:
    ref: ModuleRef
    node: Node
    bindings: tuple[ImportBinding, ...]


def _string_value(node: Node | None) -> str | None:
    if node is None or node.type != "string":
        return None
    return text(node)[1:-1]


def _require_spec(node: Node | None) -> str | None:
    """'x' of `require('x')`, else None."""
    if node is None or node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "identifier" or text(fn) != "require":
        return None
    args = node.child_by_field_name("arguments")
    if args is None or args.named_child_count != 1:
        return None
    return _string_value(args.named_children[0])


def collect_imports(program: Node) -> list[ImportStatement]:
    out: list[ImportStatement] = []
    for stmt in program.named_children:
        if stmt.type == "import_statement":
            parsed = _import_statement(stmt)
        elif stmt.type in ("lexical_declaration", "variable_declaration"):
            parsed = _require_declaration(stmt)
        else:
            parsed = None
        if parsed is not None:
            out.append(parsed)
    return out


def _import_statement(stmt: Node) -> ImportStatement | None:
    spec = _string_value(stmt.child_by_field_name("source"))
    bindings: list[ImportBinding] = []
    clause = next((c for c in stmt.named_children if c.type in ("import_clause", "import_require_clause")), None)
    if clause is not None and clause.type == "import_require_clause":
        # import ec2 = require('aws-cdk-lib/aws-ec2')
        ident = clause.named_children[0]
        spec = spec or _string_value(clause.child_by_field_name("source"))
        if spec is None:
            return None
        ref = module_ref(spec)
        return ImportStatement(ref, stmt, (ImportBinding(text(ident), None, ref, ident, stmt),))
    if spec is None:
        return None
    ref = module_ref(spec)
    if clause is not None:
        for part in clause.named_children:
            if part.type == "identifier":                      # default import
                bindings.append(ImportBinding(text(part), None, ref, part, stmt))
            elif part.type == "namespace_import":
                ident = part.named_children[0]
                bindings.append(ImportBinding(text(ident), None, ref, part, stmt))
            elif part.type == "named_imports":
                for spec_node in part.named_children:
                    if spec_node.type != "import_specifier":
                        continue
                    name = spec_node.child_by_field_name("name")
                    alias = spec_node.child_by_field_name("alias")
                    bindings.append(ImportBinding(text(alias or name), text(name), ref, spec_node, stmt))
    return ImportStatement(ref, stmt, tuple(bindings))


def _require_declaration(stmt: Node) -> ImportStatement | None:
    """const ec2 = require('aws-cdk-lib/aws-ec2'); const { Vpc } = require(...)."""
    for decl in stmt.named_children:
        if decl.type != "variable_declarator":
            continue
        spec = _require_spec(decl.child_by_field_name("value"))
        if spec is None:
            continue
        ref = module_ref(spec)
        name = decl.child_by_field_name("name")
        if name is None:
            continue
        if name.type == "identifier":
            return ImportStatement(ref, stmt, (ImportBinding(text(name), None, ref, decl, stmt),))
        if name.type == "object_pattern":
            bindings = []
            for prop in name.named_children:
                if prop.type == "shorthand_property_identifier_pattern":
                    bindings.append(ImportBinding(text(prop), text(prop), ref, prop, stmt))
                elif prop.type == "pair_pattern":
                    key, val = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                    if key is not None and val is not None and val.type == "identifier":
                        bindings.append(ImportBinding(text(val), text(key), ref, prop, stmt))
            return ImportStatement(ref, stmt, tuple(bindings))
    return None
