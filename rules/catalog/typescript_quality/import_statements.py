"""typescript-quality / import-statements."""
from __future__ import annotations

from rules.model.library import module_of_member, module_has_member
from rules.parsing import text
from rules.registry import Hit, rule


@rule(
    id="TSQ-IMP-001",
    name="cdk-v1-import",
    subcategory="import-statements",
    severity="error",
    message="`{spec}` is a CDK v1 module (end of life since June 2023)",
    remediation="Import from aws-cdk-lib instead: `import * as {alias} from '{replacement}'`",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/migrating-v2.html",),
)
def cdk_v1_import(f, ctx):
    """
    ## What it does
    Finds imports of CDK v1 packages (`@aws-cdk/core`, `@aws-cdk/aws-s3`, ...).
    The `@aws-cdk/*-alpha` packages are CDK v2's experimental modules and are fine.

    ## Why is this bad?
    CDK v1 reached end of support on 2023-06-01: no fixes, no new AWS features. v1
    constructs cannot be mixed with v2 ones in one app; the build fails with
    confusing type errors.

    ## Example
    ```ts
    import * as s3 from '@aws-cdk/aws-s3'; // <-- TSQ-IMP-001
    import * as apigwv2 from '@aws-cdk/aws-apigatewayv2-alpha';
    ```

    ## Use instead
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import * as apigwv2 from '@aws-cdk/aws-apigatewayv2-alpha';
    ```
    """
    for stmt in f.imports:
        if stmt.ref.kind != "cdk-v1":
            continue
        module = stmt.ref.module
        replacement = "aws-cdk-lib" + (f"/{module.replace('_', '-')}" if module else "")
        alias = stmt.bindings[0].local if stmt.bindings else module or "cdk"
        yield Hit(stmt.node, {"spec": stmt.ref.spec, "alias": alias, "replacement": replacement},
                  suggestion=_replace_spec(stmt.node, stmt.ref.spec, replacement))


def _replace_spec(node, spec: str, replacement: str) -> str | None:
    line = text(node)
    if "\n" in line:
        return None
    return line.replace(spec, replacement, 1)


@rule(
    id="TSQ-IMP-002",
    name="import-from-wrong-module",
    subcategory="import-statements",
    severity="error",
    message="`{name}` is not exported by `{spec}`{hint}",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/cdk/api/v2/docs/aws-construct-library.html",),
)
def import_from_wrong_module(f, ctx):
    """
    ## What it does
    Checks named imports from aws-cdk-lib modules against the module's real exports
    (from aws-cdk-lib's API data) and names the module that does export it.

    ## Why is this bad?
    The build fails, or with loose settings the import is `undefined` at run time.

    ## Example
    ```ts
    import { Key } from 'aws-cdk-lib/aws-iam'; // <-- TSQ-IMP-002
    ```

    ## Use instead
    ```ts
    import { Key } from 'aws-cdk-lib/aws-kms';
    ```
    """
    for stmt in f.imports:
        if stmt.ref.kind != "cdk":
            continue
        for b in stmt.bindings:
            if b.imported is None or b.imported == "default":
                continue
            module = stmt.ref.module
            if module == "" and b.imported[:1].islower():
                continue      # `import { aws_ec2 as ec2 } from 'aws-cdk-lib'`
            if module_has_member(module, b.imported) is not False:
                continue
            home = module_of_member(b.imported)
            spec = "aws-cdk-lib" + (f"/{home.replace('_', '-')}" if home else "")
            if home is not None:
                hint, fix = f"; it lives in `{spec}`", f"Import it from `{spec}`"
            else:
                hint, fix = "", "Use a name the module exports (see the aws-cdk-lib API reference)"
            yield Hit(b.node, {"name": b.imported, "spec": stmt.ref.spec, "hint": hint, "fix": fix})


@rule(
    id="TSQ-IMP-003",
    name="unused-import",
    subcategory="import-statements",
    severity="notice",
    message="`{name}` is imported but never used",
    remediation="Remove the unused import",
    references=("https://www.typescriptlang.org/tsconfig#noUnusedLocals",),
)
def unused_import(f, ctx):
    """
    ## What it does
    Finds imported names that the file never uses (side-effect imports such as
    `import 'source-map-support/register'` are not names and are not reported).

    ## Why is this bad?
    Dead imports mislead readers about what a stack depends on and fail builds that
    enable `noUnusedLocals`.

    ## Example
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import * as sns from 'aws-cdk-lib/aws-sns'; // <-- TSQ-IMP-003

    export const bucketClass = s3.Bucket;
    ```

    ## Use instead
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';

    export const bucketClass = s3.Bucket;
    ```
    """
    import_ranges = [(stmt.node.start_byte, stmt.node.end_byte) for stmt in f.imports]
    used: set[str] = set()
    for n in f.nodes("identifier", "type_identifier", "shorthand_property_identifier", "export_specifier"):
        if any(lo <= n.start_byte < hi for lo, hi in import_ranges):
            continue
        if n.type == "export_specifier":
            name = n.child_by_field_name("name")
            used.add(text(name) if name is not None else "")
        else:
            used.add(text(n))
    for stmt in f.imports:
        for b in stmt.bindings:
            if b.local not in used:
                yield Hit(b.node if b.imported else stmt.node, {"name": b.local})
