"""typescript-quality / import-statements."""
from __future__ import annotations

from bisect import bisect_right

from rules.model.cdk_versions import (
    CONSTRUCTS_MEMBERS, closest_member, closest_module, is_cdk_entry_point, is_cdk_module, module_spec,
    uses_cdk_v2, v2_spec,
)
from rules.model.edits import replace_on_line
from rules.model.imports import CDK_V2
from rules.model.library import module_has_member, module_of_member
from rules.model.references import names_by_spelling
from rules.parsing import text
from rules.registry import Hit, rule

CONSTRUCTS = "constructs"


@rule(
    id="TSQ-IMP-001",
    name="cdk-v1-import",
    subcategory="import-statements",
    severity="error",
    message="`{spec}` is a CDK v1 module (end of life since June 2023){mixed}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/migrating-v2.html",),
    in_tests=True,
)
def cdk_v1_import(f, ctx):
    """
    ## What it does
    Finds imports of the CDK v1 construct library (`@aws-cdk/core`, `@aws-cdk/aws-s3`,
    `@aws-cdk/pipelines`, ...), once per import statement. When the app also imports
    `aws-cdk-lib` the message says v1 and v2 are mixed; `Construct` imported from
    `@aws-cdk/core` is pointed to the `constructs` package, where it lives in v2.
    The `@aws-cdk/*-alpha` packages (v2's experimental modules) and v2-era helper
    packages of the scope (`@aws-cdk/asset-*`, `@aws-cdk/lambda-layer-kubectl-v31`)
    are not reported.

    ## Why is this bad?
    CDK v1 reached end of support on 2023-06-01: no fixes, no new AWS features. v1
    constructs cannot be mixed with v2 ones in one app: a v1 `Bucket` is not a
    construct of a v2 `Stack`, so the build fails with confusing type errors (or
    synthesis fails at run time).

    ## Example
    ```ts
    import * as cdk from 'aws-cdk-lib';
    import * as s3 from '@aws-cdk/aws-s3'; // <-- TSQ-IMP-001
    import { Construct } from '@aws-cdk/core'; // <-- TSQ-IMP-001
    import * as apigwv2 from '@aws-cdk/aws-apigatewayv2-alpha';
    ```

    ## Use instead
    ```ts
    import * as cdk from 'aws-cdk-lib';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Construct } from 'constructs';
    import * as apigwv2 from '@aws-cdk/aws-apigatewayv2-alpha';
    ```
    """
    mixed = uses_cdk_v2(f)
    for stmt in f.imports:
        if stmt.ref.kind != "cdk-v1":
            continue
        moved = [b for b in stmt.bindings if stmt.ref.module == "" and b.imported in CONSTRUCTS_MEMBERS]
        yield Hit(stmt.node, {"spec": stmt.ref.spec, "mixed": _mixed_note(mixed, moved),
                              "fix": _v1_fix(stmt, moved)},
                  suggestion=_on_line(f, stmt.node, _v2_import(stmt, moved)))


def _mixed_note(mixed: bool, moved) -> str:
    if moved and mixed:
        return f"; in this CDK v2 app `{moved[0].imported}` comes from the `constructs` package"
    if mixed:
        return "; this app also imports aws-cdk-lib (v2), and v1 and v2 constructs cannot be combined"
    return ""


def _v1_fix(stmt, moved) -> str:
    target = v2_spec(stmt.ref)
    if moved:
        names = ", ".join(b.imported for b in moved)
        rest = f" and the rest from `{target}`" if len(moved) < len(stmt.bindings) else ""
        return f"Import {names} from `constructs`{rest}"
    return f"Import from aws-cdk-lib instead: `{target}`"


def _v2_import(stmt, moved) -> str | None:
    """The statement rewritten for v2, when every name it imports exists in v2."""
    target = v2_spec(stmt.ref)
    line = text(stmt.node)
    kept = [b for b in stmt.bindings if b not in moved]
    if any(b.imported and module_has_member(stmt.ref.module, b.imported) is False for b in kept):
        return None
    if not moved:
        return line.replace(stmt.ref.spec, target, 1)
    named = next((n for n in _clause_parts(stmt.node) if n.type == "named_imports"), None)
    if named is None or len(_clause_parts(stmt.node)) != 1:
        return None
    statements = []
    for group, spec in ((kept, target), (moved, CONSTRUCTS)):
        if group:
            names = "{ " + ", ".join(text(b.node) for b in group) + " }"
            statements.append(line.replace(text(named), names, 1).replace(stmt.ref.spec, spec, 1))
    return "\n".join(statements)


def _on_line(f, node, new_text: str | None) -> str | None:
    """The node's line with the node rewritten (a suggestion), when there is a rewrite."""
    return replace_on_line(node, f.lines, new_text) if new_text is not None else None


def _clause_parts(statement) -> list:
    clause = next((c for c in statement.named_children if c.type == "import_clause"), None)
    return clause.named_children if clause is not None else []


@rule(
    id="TSQ-IMP-002",
    name="import-from-wrong-module",
    subcategory="import-statements",
    severity="error",
    message="`{name}` {problem}{hint}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-construct-library.html",),
    in_tests=True,
)
def import_from_wrong_module(f, ctx):
    """
    ## What it does
    Checks imports from aws-cdk-lib against its real exports (from aws-cdk-lib's API
    data): a named import the module does not export is reported with the module
    that does (`Key` lives in `aws-cdk-lib/aws-kms`, `Duration` in `aws-cdk-lib`,
    `Construct` in `constructs`), and so is a submodule aws-cdk-lib does not have
    (`aws-cdk-lib/aws-lambda-python` is the `@aws-cdk/aws-lambda-python-alpha` package).

    ## Why is this bad?
    The build fails, or with loose settings the import is `undefined` at run time.

    ## Example
    ```ts
    import { Key } from 'aws-cdk-lib/aws-iam'; // <-- TSQ-IMP-002
    import { Duration, Vpc } from 'aws-cdk-lib/aws-ec2'; // <-- TSQ-IMP-002
    import { Construct } from 'aws-cdk-lib'; // <-- TSQ-IMP-002
    import * as python from 'aws-cdk-lib/aws-lambda-python'; // <-- TSQ-IMP-002
    ```

    ## Use instead
    ```ts
    import { Key } from 'aws-cdk-lib/aws-kms';
    import { Vpc } from 'aws-cdk-lib/aws-ec2';
    import { Duration } from 'aws-cdk-lib';
    import { Construct } from 'constructs';
    import * as python from '@aws-cdk/aws-lambda-python-alpha';
    ```
    """
    for stmt in f.imports:
        if stmt.ref.kind != "cdk":
            continue
        if not is_cdk_module(stmt.ref.module):
            if not is_cdk_entry_point(stmt.ref.spec):
                yield Hit(stmt.node, _missing_module(stmt.ref.spec, stmt.ref.spec.removeprefix(CDK_V2 + "/")))
            continue
        for b in stmt.bindings:
            if b.imported is None or b.imported == "default":
                continue
            if stmt.ref.module == "" and b.imported[:1].islower():
                # `import { aws_ec2 as ec2 } from 'aws-cdk-lib'`
                if not is_cdk_module(b.imported):
                    yield Hit(b.node, _missing_module(b.imported, b.imported))
                continue
            if module_has_member(stmt.ref.module, b.imported) is not False:
                continue
            home = _home_of(b.imported)
            yield Hit(b.node, _wrong_module(b.imported, stmt.ref.spec, home, stmt.ref.module),
                      suggestion=_on_line(f, stmt.node, _moved_import(stmt, home)))


def _home_of(name: str) -> str | None:
    """The specifier of the one package exporting `name`, when there is exactly one."""
    home = module_of_member(name)
    if home is not None:
        return module_spec(home)
    return CONSTRUCTS if name in CONSTRUCTS_MEMBERS else None


def _wrong_module(name: str, spec: str, home: str | None, module: str) -> dict:
    problem = f"is not exported by `{spec}`"
    if home is None:
        guess = closest_member(module, name)
        return {"name": name, "problem": problem, "hint": f"; did you mean `{guess}`?" if guess else "",
                "fix": f"Import `{guess}`" if guess else
                "Use a name the module exports (see the aws-cdk-lib API reference)"}
    return {"name": name, "problem": problem, "hint": f"; it lives in `{home}`", "fix": f"Import it from `{home}`"}


def _missing_module(name: str, submodule: str) -> dict:
    """`name` as written (`aws-cdk-lib/aws-lambda-python`, `aws_foo`); `submodule` the part after the root."""
    guess = closest_module(submodule)
    spelled = guess if "_" in name else guess and module_spec(guess)
    if "/" in submodule and guess:
        hint = f"; aws-cdk-lib exports no deep paths, import `{spelled}`"
    else:
        alpha = "experimental modules are separate `@aws-cdk/<name>-alpha` packages"
        hint = f"; did you mean `{spelled}`? ({alpha})" if guess else f"; {alpha}"
    return {"name": name, "problem": "is not an aws-cdk-lib module", "hint": hint,
            "fix": "Import an existing aws-cdk-lib module, or the module's `@aws-cdk/<name>-alpha` package"}


def _moved_import(stmt, home: str | None) -> str | None:
    """A one-name import statement pointed at the module that exports the name."""
    if home is None or len(stmt.bindings) != 1:
        return None
    return text(stmt.node).replace(stmt.ref.spec, home, 1)


@rule(
    id="TSQ-IMP-003",
    name="unused-import",
    subcategory="import-statements",
    severity="notice",
    message="{names} {verb} imported but never used",
    remediation="Remove the unused import",
    references=("https://www.typescriptlang.org/tsconfig#noUnusedLocals",),
    in_tests=True,
)
def unused_import(f, ctx):
    """
    ## What it does
    Finds imported names that the file never uses: not in code, not in types
    (`ec2.IVpc`, `typeof X`), not re-exported (`export { X }`), not in decorators or
    JSX. Side-effect imports such as `import 'source-map-support/register'` bind no
    name and are not reported. One finding per import statement.

    ## Why is this bad?
    Dead imports mislead readers about what a stack depends on and fail builds that
    enable `noUnusedLocals`.

    ## Example
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import * as sns from 'aws-cdk-lib/aws-sns'; // <-- TSQ-IMP-003
    import { Duration, RemovalPolicy } from 'aws-cdk-lib'; // <-- TSQ-IMP-003

    export const bucketClass = s3.Bucket;
    export const retention = Duration.days(7);
    ```

    ## Use instead
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Duration } from 'aws-cdk-lib';

    export const bucketClass = s3.Bucket;
    export const retention = Duration.days(7);
    ```
    """
    used = _used_names(f)
    for stmt in f.imports:
        unused = [b for b in stmt.bindings if b.local not in used and not _jsx_factory(f, b)]
        if not unused:
            continue
        if len(unused) == len(stmt.bindings):
            yield Hit(stmt.node, _names(unused), suggestion=_deleted(f, stmt.node))
        else:
            yield Hit(unused[0].node, _names(unused), end_node=unused[-1].node,
                      suggestion=_on_line(f, stmt.node, _without(stmt, unused)))


def _used_names(f) -> set[str]:
    """Every name the file refers to outside its import statements."""
    starts = [stmt.node.start_byte for stmt in f.imports]
    ends = [stmt.node.end_byte for stmt in f.imports]

    def outside_imports(n) -> bool:
        i = bisect_right(starts, n.start_byte) - 1
        return not (i >= 0 and n.start_byte < ends[i])

    used = {name for name, nodes in names_by_spelling(f).items() if any(map(outside_imports, nodes))}
    used.update(text(n.child_by_field_name("name")) for n in f.nodes("export_specifier") if outside_imports(n))
    return used


def _jsx_factory(f, binding) -> bool:
    """`React` in a .tsx file: JSX compiles to `React.createElement` with the classic runtime."""
    return binding.local == "React" and f.path.endswith(".tsx")


def _names(bindings) -> dict:
    return {"names": ", ".join(f"`{b.local}`" for b in bindings), "verb": "are" if len(bindings) > 1 else "is"}


def _deleted(f, node) -> str | None:
    """An empty replacement (the lines go) when the statement fills its lines alone."""
    lines = f.lines[node.start_point[0]:node.end_point[0] + 1]
    return "" if "\n".join(lines).strip() == text(node) else None


def _without(stmt, unused) -> str | None:
    """The statement with the unused names dropped from its `{ ... }` list."""
    named = next((n for n in _clause_parts(stmt.node) if n.type == "named_imports"), None)
    if named is None or any(b.node.parent != named for b in unused):
        return None
    dropped = {b.node.id for b in unused}
    rest = [text(s) for s in named.named_children if s.type == "import_specifier" and s.id not in dropped]
    return text(stmt.node).replace(text(named), "{ " + ", ".join(rest) + " }", 1)
