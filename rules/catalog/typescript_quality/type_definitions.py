"""typescript-quality / type-definitions."""
from __future__ import annotations

import re

from rules.model.edits import prefix_each
from rules.model.references import names_by_spelling
from rules.model.scopes import FUNCTION_TYPES
from rules.model.type_decls import (
    CDK_CLASS_KINDS, PARAM_TYPES, declared_fields, interfaces, is_readonly, param_name, param_type,
    props_interface_keys, props_param, resolve_interface, type_name, type_qualifier,
)
from rules.parsing import text
from rules.registry import Hit, rule


@rule(
    id="TSQ-TYP-001",
    name="explicit-any",
    subcategory="type-definitions",
    severity="warning",
    message="`any` {where} switches off type checking",
    remediation="Give it a real type{suggest}",
    references=("https://www.typescriptlang.org/tsconfig#noImplicitAny",),
)
def explicit_any(f, ctx):
    """
    ## What it does
    Finds `any` in CDK code: annotations (`props: any`), casts (`x as any`,
    `<any>x`), generic arguments (`Record<string, any>`) and arrays (`any[]`).
    One finding per line. Test files are not reported.

    ## Why is this bad?
    With `any` the compiler stops checking props, so a misspelled or missing
    required prop reaches `cdk synth` or production unnoticed. In CDK code the
    types are the documentation of what a construct needs.

    ## Example
    ```ts
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class WorkerStack extends Stack {
      constructor(scope: Construct, id: string, props: any) { // <-- TSQ-TYP-001
        super(scope, id, props);
        const tags: Record<string, any> = { team: 'jobs' }; // <-- TSQ-TYP-001
        new sqs.Queue(this, 'Queue', props.queue as any); // <-- TSQ-TYP-001
      }
    }
    ```

    ## Use instead
    ```ts
    import * as sqs from 'aws-cdk-lib/aws-sqs';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export interface WorkerStackProps extends StackProps {
      readonly queue?: sqs.QueueProps;
    }

    export class WorkerStack extends Stack {
      constructor(scope: Construct, id: string, props: WorkerStackProps) {
        super(scope, id, props);
        const tags: Record<string, string> = { team: 'jobs' };
        new sqs.Queue(this, 'Queue', props.queue);
      }
    }
    ```
    """
    seen_lines: set[int] = set()
    for n in f.nodes("predefined_type"):
        if text(n) != "any":
            continue
        line = n.start_point[0]
        if line in seen_lines:
            continue
        seen_lines.add(line)
        where, suggest = _where_any(n)
        yield Hit(n, {"where": where, "suggest": suggest})


def _where_any(node) -> tuple[str, str]:
    """(where the `any` is, a remediation hint) for the message."""
    parent = node.parent
    kind = parent.type if parent is not None else ""
    if kind == "type_annotation":
        owner = parent.parent
        if owner is not None and owner.type in PARAM_TYPES:
            name = param_name(owner)
            if name.lower().endswith("props"):
                return (f"on parameter `{name}`",
                        ": an interface extending `StackProps` (or the construct's `...Props`)")
            return f"on parameter `{name}`", ""
        named = owner.child_by_field_name("name") if owner is not None else None
        if owner is not None and owner.child_by_field_name("return_type") == parent:
            return (f"as the return type of `{text(named)}`" if named is not None else "as a return type"), ""
        if named is not None:
            return f"on `{text(named)}`", ""
        return "in a type annotation", ""
    if kind == "as_expression" or (kind == "type_arguments" and parent.parent is not None
                                   and parent.parent.type == "type_assertion"):
        return "in a cast", ": cast to the real type, or fix the value so no cast is needed"
    if kind == "type_arguments" and parent.parent is not None:
        return f"in `{_short(parent.parent)}`", ", or `unknown` where any value is accepted"
    if kind == "array_type":
        return "in `any[]`", ": an array of the element type"
    return "in a type", ""


def _short(node) -> str:
    source = " ".join(text(node).split())
    return source if len(source) <= 40 else source[:37] + "..."


@rule(
    id="TSQ-TYP-002",
    name="inline-props-type",
    subcategory="type-definitions",
    severity="warning",
    message="{kind} {name} types its props inline (`{typed}`) instead of with a named interface",
    remediation="Declare `export interface {interface} {extends}{{ readonly ... }}` and type `{param}` with it",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/constructs.html#constructs_author",),
)
def inline_props_type(f, ctx):
    """
    ## What it does
    Finds stack and construct constructors whose props parameter is typed with an
    inline object type (`props: { vpc: ec2.IVpc }` or `StackProps & { vpc: ec2.IVpc }`)
    instead of a named, exported interface.

    ## Why is this bad?
    Callers (the app entry point, other stacks, tests) cannot name the props type,
    so they cannot build props objects, document them or reuse them; the shape is
    repeated wherever it is needed and drifts. CDK's own convention is one exported
    `XxxProps` interface per construct.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class AppStack extends Stack {
      constructor(scope: Construct, id: string, props: StackProps & { vpc: ec2.IVpc }) { // <-- TSQ-TYP-002
        super(scope, id, props);
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export interface AppStackProps extends StackProps {
      readonly vpc: ec2.IVpc;
    }

    export class AppStack extends Stack {
      constructor(scope: Construct, id: string, props: AppStackProps) {
        super(scope, id, props);
      }
    }
    ```
    """
    for cls in f.classes:
        if cls.kind not in CDK_CLASS_KINDS:
            continue
        param = props_param(cls)
        typ = param_type(param) if param is not None else None
        if typ is None or not _is_inline(typ):
            continue
        bases = [type_name(t) for t in typ.named_children if t.type != "object_type"] \
            if typ.type == "intersection_type" else []
        base = next((b for b in bases if b), None) or _default_base(cls.kind)
        yield Hit(param, {"kind": cls.kind.capitalize(), "name": cls.name, "typed": _short(typ),
                          "interface": f"{cls.name}Props", "extends": f"extends {base} " if base else "",
                          "param": param_name(param)})


def _is_inline(typ) -> bool:
    if typ.type == "object_type":
        return True
    return typ.type == "intersection_type" and any(t.type == "object_type" for t in typ.named_children)


def _default_base(kind: str) -> str | None:
    return {"stack": "StackProps", "stage": "StageProps"}.get(kind)


@rule(
    id="TSQ-TYP-003",
    name="untyped-parameter",
    subcategory="type-definitions",
    severity="warning",
    message="{where} parameter{s} {params} {have} no type (implicitly `any`)",
    remediation="Annotate {them}{example}",
    references=("https://www.typescriptlang.org/tsconfig#noImplicitAny",),
)
def untyped_parameter(f, ctx):
    """
    ## What it does
    Finds parameters that have neither a type annotation nor a default value where
    TypeScript cannot infer one: stack and construct constructors
    (`constructor(scope, id, props)`), class methods, function declarations and
    functions assigned to untyped variables. Callbacks passed as arguments
    (`items.forEach(item => ...)`) take their types from the call and are not
    reported. One finding per function, at its first untyped parameter.

    ## Why is this bad?
    An untyped parameter is implicitly `any`: nothing checks that callers pass a
    construct scope, a string id or the props the stack reads, and `strict` builds
    fail with TS7006.

    ## Example
    ```ts
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      constructor(scope, id, props) { // <-- TSQ-TYP-003
        super(scope, id, props);
      }
    }

    function queueName(stage, suffix = 'jobs') { // <-- TSQ-TYP-003
      return `${stage}-${suffix}`;
    }
    ```

    ## Use instead
    ```ts
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class ApiStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
      }
    }

    function queueName(stage: string, suffix = 'jobs') {
      return `${stage}-${suffix}`;
    }

    export const names = ['a', 'b'].map(stage => queueName(stage));
    ```
    """
    for fn in f.nodes(*FUNCTION_TYPES):
        if not _needs_annotations(fn):
            continue
        untyped = [p for p in _params(fn) if p.type not in PARAM_TYPES
                   or (p.child_by_field_name("type") is None and p.child_by_field_name("value") is None)]
        if not untyped:
            continue
        names = [param_name(p) if p.type in PARAM_TYPES else text(p) for p in untyped]
        owner, cdk_constructor = _function_owner(f, fn)
        yield Hit(untyped[0], {"where": owner, "s": "s" if len(names) > 1 else "",
                               "params": ", ".join(f"`{n}`" for n in names),
                               "have": "have" if len(names) > 1 else "has",
                               "them": "them" if len(names) > 1 else "it",
                               "example": f": `{_typed_signature(cdk_constructor)}`" if cdk_constructor
                               else f" with {'their types' if len(names) > 1 else 'its type'} (`name: Type`)"})


def _needs_annotations(fn) -> bool:
    """Does TypeScript need annotations on this function's parameters (no contextual type)?"""
    parent = fn.parent
    if fn.type == "method_definition":
        return parent is not None and parent.type == "class_body" and \
            not any(c.type in ("get", "set") for c in fn.children)
    if fn.type in ("function_declaration", "generator_function_declaration"):
        return True
    # a function expression only when stored in a variable without a type
    return parent is not None and parent.type == "variable_declarator" and parent.child_by_field_name("type") is None


def _params(fn) -> list:
    """Parameter nodes; the bare identifier of `x => ...` included."""
    single = fn.child_by_field_name("parameter")
    if single is not None:
        return [single]
    params = fn.child_by_field_name("parameters")
    return [p for p in params.named_children if p.type in PARAM_TYPES] if params is not None else []


def _function_owner(f, fn):
    """(how to name the function in a message, its CDK class when it is a stack/construct constructor)."""
    if fn.type == "method_definition":
        method = text(fn.child_by_field_name("name"))
        cls = f.class_containing(fn)
        cls_name = cls.name if cls is not None else "the class"
        if method == "constructor":
            if cls is not None and cls.kind in CDK_CLASS_KINDS:
                return f"{cls.kind.capitalize()} {cls_name}'s constructor", cls
            return f"{cls_name}'s constructor", None
        return f"Method {cls_name}.{method}()", None
    name = fn.child_by_field_name("name") or (fn.parent.child_by_field_name("name")
                                              if fn.parent.type == "variable_declarator" else None)
    return f"Function {text(name)}()", None


_SCOPE_ID_TYPES = ("Construct", "string")


def _typed_signature(cls) -> str:
    """`constructor(scope: Construct, id: string, props?: StackProps)` with the class's names."""
    parts = []
    for index, p in enumerate(cls.constructor_params):
        name = param_name(p) + ("?" if p.type == "optional_parameter" else "")
        typ = param_type(p)
        if typ is not None:
            parts.append(f"{name}: {_short(typ)}")
        elif index < len(_SCOPE_ID_TYPES):
            parts.append(f"{name}: {_SCOPE_ID_TYPES[index]}")
        else:
            parts.append(f"{name}: {cls.name}Props")
    return f"constructor({', '.join(parts)})"


_DIRECTIVE = re.compile(r"^(?://|/\*)\s*@ts-(ignore|nocheck|expect-error)\b(.*)", re.S)
_EXPLANATION = re.compile(r"[A-Za-z0-9]")


@rule(
    id="TSQ-TYP-004",
    name="unexplained-ts-ignore",
    subcategory="type-definitions",
    severity="warning",
    message="`@ts-{directive}` without an explanation hides a type error in CDK code",
    remediation="Fix the type error; if it must stay, use `// @ts-expect-error <why>` so the reason is on record",
    references=("https://www.typescriptlang.org/docs/handbook/release-notes/typescript-3-9.html"
                "#-ts-expect-error-comments",),
    in_tests=True,
)
def unexplained_ts_ignore(f, ctx):
    """
    ## What it does
    Finds `// @ts-ignore`, `// @ts-nocheck` and `// @ts-expect-error` comments that
    say nothing about why: no text after the directive and no comment on the line
    just above it.

    ## Why is this bad?
    In CDK code a suppressed type error is usually a prop that does not exist or has
    the wrong type: CloudFormation gets a value CDK never checked, or the prop is
    silently ignored. Without a reason nobody can tell whether it is still needed.

    ## Example
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack } from 'aws-cdk-lib';

    export class LogsStack extends Stack {
      build() {
        /* @ts-ignore */ // <-- TSQ-TYP-004
        new s3.Bucket(this, 'Logs', { retention: 30 });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Stack, Duration } from 'aws-cdk-lib';

    export class LogsStack extends Stack {
      build() {
        new s3.Bucket(this, 'Logs', { lifecycleRules: [{ expiration: Duration.days(30) }] });
        // @ts-expect-error: the CDK typings lag behind the new CloudFormation property
        new s3.Bucket(this, 'Next', { futureProp: true });
      }
    }
    ```
    """
    previous_end = -2
    previous_is_prose = False
    for node in f.comment_nodes:
        match = _DIRECTIVE.match(text(node))
        explained_above = previous_is_prose and previous_end == node.start_point[0] - 1
        previous_end, previous_is_prose = node.end_point[0], match is None
        if match is None or explained_above:
            continue
        if _EXPLANATION.search(match.group(2).removesuffix("*/")):
            continue
        yield Hit(node, {"directive": match.group(1)})


@rule(
    id="TSQ-TYP-005",
    name="mutable-props-interface",
    subcategory="type-definitions",
    severity="notice",
    message="Props interface {name} has mutable propert{ies} {props}",
    remediation="Mark every prop `readonly`, e.g. `readonly {first}`",
    references=("https://github.com/aws/aws-cdk/blob/main/docs/DESIGN_GUIDELINES.md#props",),
)
def mutable_props_interface(f, ctx):
    """
    ## What it does
    Finds props interfaces with properties not marked `readonly`. A props interface
    is one that types a stack or construct constructor's props parameter (in any
    file of the app), or one named `...Props` that extends another props interface
    (`StackProps`, `BucketProps`...). One finding per interface, at its first
    mutable property.

    ## Why is this bad?
    Props are read once, in the constructor; a construct that keeps the props object
    and reads it later sees whatever a caller changed meanwhile, and a caller that
    reuses one props object for two stacks can change both. CDK's design guidelines
    make every props field `readonly`, and the jsii tooling rejects mutable ones.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export interface ApiStackProps extends StackProps {
      readonly vpc: ec2.IVpc;
      domainName: string; // <-- TSQ-TYP-005
      certificateArn?: string;
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export interface ApiStackProps extends StackProps {
      readonly vpc: ec2.IVpc;
      readonly domainName: string;
      readonly certificateArn?: string;
    }
    ```
    """
    used = props_interface_keys(ctx.project)
    for decl in interfaces(f):
        named_props = decl.name.endswith("Props") and any(b.endswith("Props") for b in decl.bases)
        if not named_props and (f.abspath, decl.name) not in used:
            continue
        mutable = [p for p in decl.properties if not is_readonly(p)]
        if not mutable:
            continue
        first, last = mutable[0], mutable[-1]
        names = [text(p.child_by_field_name("name")) for p in mutable]
        args = {"name": decl.name, "ies": "ies" if len(names) > 1 else "y",
                "props": ", ".join(f"`{n}`" for n in names[:5]) + (", ..." if len(names) > 5 else ""),
                "first": " ".join(text(first).split())}
        # the finding spans first..last start line, so one click marks them all
        yield Hit(first, args, end_node=last, suggestion=prefix_each(mutable, f.lines, "readonly "))


@rule(
    id="TSQ-TYP-006",
    name="props-field-not-declared",
    subcategory="type-definitions",
    severity="error",
    message="{kind} {name} reads `{param}.{field}`, but its props type `{typed}` declares no `{field}`",
    remediation="{fix}",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/constructs.html#constructs_author",),
    in_tests=True,
)
def props_field_not_declared(f, ctx):
    """
    ## What it does
    Finds stack and construct constructors that read a field of their props
    parameter that the props type does not declare, e.g. `props.domainName` with
    `props: StackProps`. The fields are collected from local interfaces (across
    files, with the interfaces they extend), aws-cdk-lib structs, inline object types
    and intersections; when any part of the type cannot be seen nothing is reported.
    One finding per field and class.

    ## Why is this bad?
    The stack needs configuration its interface does not describe: `tsc` rejects the
    code, and where type checking is loose the value is silently `undefined` at
    synthesis (a record named `undefined.example.com`, a missing alarm email). The
    props interface is the contract of what the app entry point must pass.

    ## Example
    ```ts
    import * as route53 from 'aws-cdk-lib/aws-route53';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export class DnsStack extends Stack {
      constructor(scope: Construct, id: string, props: StackProps) {
        super(scope, id, props);
        new route53.PublicHostedZone(this, 'Zone', {
          zoneName: props.domainName, // <-- TSQ-TYP-006
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as route53 from 'aws-cdk-lib/aws-route53';
    import { Stack, StackProps } from 'aws-cdk-lib';
    import { Construct } from 'constructs';

    export interface DnsStackProps extends StackProps {
      readonly domainName: string;
    }

    export class DnsStack extends Stack {
      constructor(scope: Construct, id: string, props: DnsStackProps) {
        super(scope, id, props);
        new route53.PublicHostedZone(this, 'Zone', { zoneName: props.domainName });
      }
    }
    ```
    """
    for cls in f.classes:
        body = cls.constructor_body
        param = props_param(cls) if cls.kind in CDK_CLASS_KINDS else None
        if param is None or body is None:
            continue
        typ = param_type(param)
        fields = declared_fields(f, typ)
        if fields is None:
            continue
        reported: set[str] = set()
        for access, field in _field_reads(f, body, param):
            if field in fields or field in reported:
                continue
            reported.add(field)
            yield Hit(access, {"kind": cls.kind.capitalize(), "name": cls.name, "param": param_name(param),
                               "field": field, "typed": _short(typ), "fix": _declare_fix(f, cls, typ, field)})


def _field_reads(f, body, param):
    """(node, field) for every `props.field` / `props?.field` / `props!.field` in the body that
    reads the parameter itself (not a shadowing local of the same name)."""
    name = param_name(param)
    for ident in names_by_spelling(f).get(name, ()):
        if ident.type != "identifier" or not body.start_byte <= ident.start_byte < body.end_byte:
            continue
        access = _member_access_on(ident)
        if access is None:
            continue
        decl = f.scopes.lookup(ident, name)
        if decl is None or decl.kind != "param" or decl.node.parent != param:
            continue
        yield access, text(access.child_by_field_name("property"))


def _member_access_on(ident):
    """`ident.x` or `ident!.x` around an identifier, else None."""
    obj, parent = ident, ident.parent
    if parent is not None and parent.type == "non_null_expression":
        obj, parent = parent, parent.parent
    if parent is None or parent.type != "member_expression":
        return None
    target = parent.child_by_field_name("object")
    return parent if target is not None and target.id == obj.id else None


def _declare_fix(f, cls, typ, field: str) -> str:
    local = resolve_interface(f, type_name(typ), type_qualifier(typ)) if type_name(typ) else None
    if local is not None:
        return f"Add `readonly {field}: <type>;` to interface {local.name}"
    return (f"Declare `export interface {cls.name}Props extends {_short(typ)} {{ readonly {field}: <type> }}` "
            f"and type the parameter with it")
