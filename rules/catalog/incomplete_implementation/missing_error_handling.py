"""incomplete-implementation / missing-error-handling."""
from __future__ import annotations

from collections.abc import Iterator

from rules.model import values as v
from rules.model.app import StackInstance, app_model
from rules.model.cdk_json import sets_context
from rules.model.guards import Read, Use, declaration_statement, env_entry, in_try_block, read, unwrap
from rules.model.references import names_by_spelling
from rules.parsing import Node, text
from rules.registry import Hit, rule

# Set by the CDK CLI for every synth: reading them bare (into `env`) is the documented idiom.
_CLI_VARIABLES = frozenset({"CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION"})
_PARSERS = frozenset({"parse", "load", "safeLoad"})
_COMPARISONS = frozenset({"===", "!==", "==", "!="})
_STRING_METHODS = frozenset({"startsWith", "endsWith", "includes", "split", "substring", "substr", "slice",
                             "toLowerCase", "toUpperCase", "replace", "charAt", "indexOf", "match", "trim"})
_MEMBERSHIP = frozenset({"includes", "indexOf", "has"})
_PSEUDO_PARAMETERS = {"Aws.REGION": "region", "Aws.ACCOUNT_ID": "account"}
_EFFECTS = {Use.CRASH: ", which the code dereferences (TypeError) or renders as 'undefined'",
            Use.PASSED: ", which is passed on unchecked"}


def _guard_suggestion(f, r: Read, message: str) -> tuple[Node | None, str | None]:
    """`const x = <read>;` plus `if (!x) throw new Error(...)`: (end node, replacement lines)."""
    if r.variable is None or r.variable.type != "identifier":
        return None, None
    statement = declaration_statement(r.variable)
    if statement is None or statement.start_point[0] != r.node.start_point[0]:
        return None, None
    first, last = statement.start_point[0], statement.end_point[0]
    original = f.lines[first:last + 1]
    indent = original[0][: len(original[0]) - len(original[0].lstrip())]
    guard = f"{indent}if (!{text(r.variable)}) throw new Error('{message}');"
    return statement, "\n".join([*original, guard])


@rule(
    id="INC-ERR-001",
    name="unchecked-context-value",
    subcategory="missing-error-handling",
    severity="warning",
    message="Context value {key} is used without a check or default: without `-c {name}=...` it is `undefined`{effect}",
    remediation="Fail synthesis with a clear message (`if (!{var}) throw new Error('Missing context value {name}')`) "
                "or give a default with `??`",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/context.html",),
)
def unchecked_context_value(f, ctx):
    """
    ## What it does
    Finds `node.tryGetContext('key')` whose result is used with no default and no
    check: dereferenced (`stage.charAt(0)`), put into a string or passed on into
    props, while nothing tests it (`if (!stage) throw ...`, `stage ?? 'dev'`,
    `switch (stage)`, a validator such as `assertStage(stage)`). A bound `const` is
    judged by all its uses: one check anywhere is enough. `env: { account, region }`
    entries are fine (an undefined account or region makes the stack env-agnostic).
    A key that the app's `cdk.json` sets in its `context` is not reported.

    ## Why is this bad?
    `tryGetContext` returns `undefined` when the value was not passed (`-c stage=prod`)
    or set in `cdk.json`, and its type is `any`, so the compiler does not help. The
    synth then crashes with a bare `TypeError: Cannot read properties of undefined`, or
    worse, succeeds and deploys resources named `tap-undefined-vpc`.

    ## Example
    ```ts
    import { App, Stack } from 'aws-cdk-lib';

    const app = new App();
    const stage: string = app.node.tryGetContext('stage'); // <-- INC-ERR-001
    new Stack(app, `Api-${stage.toLowerCase()}`);
    ```

    ## Use instead
    ```ts
    import { App, Stack } from 'aws-cdk-lib';

    const app = new App();
    const stage: string = app.node.tryGetContext('stage');
    if (!stage) throw new Error('Missing context value "stage": pass -c stage=<dev|prod>');
    new Stack(app, `Api-${stage.toLowerCase()}`);
    ```

    ## Known problems
    Any test of the value counts as a check, even one that does not rule out
    `undefined` (`if (stage === 'prod')`).

    ## References
    - https://docs.aws.amazon.com/cdk/v2/guide/context.html
    """
    for call in f.method_calls:
        if call.name != "tryGetContext" or not call.args:
            continue
        name = v.literal(call.args[0])
        if isinstance(name, str) and sets_context(f, name):
            continue          # the app's cdk.json gives it a value
        r = read(f, call.node)
        if r.use not in (Use.CRASH, Use.PASSED) or env_entry(r.outer) is not None:
            continue
        label = name if isinstance(name, str) else "key"
        var = text(r.variable) if r.variable is not None and r.variable.type == "identifier" else "value"
        end, suggestion = _guard_suggestion(
            f, r, f'Missing context value "{label}": pass -c {label}=... or set it in cdk.json')
        effect = _EFFECTS[r.use]
        yield Hit(call.node, {"key": f"'{label}'", "name": label, "var": var, "effect": effect},
                  end_node=end, suggestion=suggestion)


@rule(
    id="INC-ERR-002",
    name="unchecked-environment-variable",
    subcategory="missing-error-handling",
    severity="warning",
    message="`process.env.{name}` is {how} without a check: when it is unset the app gets `undefined`{effect}",
    remediation="Check it once and fail with a clear message (`if (!{var}) throw new Error('Set {name}')`), "
                "or give a default with `??`",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/environments.html",),
)
def unchecked_environment_variable(f, ctx):
    """
    ## What it does
    Finds `process.env.X` forced to a string (`process.env.X!`, `process.env.X as string`)
    with no check, and `process.env.X` dereferenced or put into a string
    (`${process.env.PREFIX}-data`) with no check. A `const` holding it is judged by all
    its uses; `?? 'default'`, `|| 'x'` and `if (!x) throw` count as checks.
    `env: { account: process.env.CDK_DEFAULT_ACCOUNT }` is fine: the CLI sets those
    two, and an undefined account or region makes the stack env-agnostic.

    ## Why is this bad?
    `!` and `as string` only silence the compiler. When the variable is not set (a new
    CI job, a colleague's shell) the synth succeeds and deploys `undefined`: an email
    subscription to "undefined", a bucket named `undefined-data`, or it crashes later
    with an error that does not name the variable.

    ## Example
    ```ts
    import * as sns from 'aws-cdk-lib/aws-sns';
    import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
    import { Stack } from 'aws-cdk-lib';

    export class AlertsStack extends Stack {
      build(topic: sns.Topic) {
        topic.addSubscription(new subscriptions.EmailSubscription(process.env.ALERT_EMAIL!)); // <-- INC-ERR-002
      }
    }
    ```

    ## Use instead
    ```ts
    import * as sns from 'aws-cdk-lib/aws-sns';
    import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
    import { Stack } from 'aws-cdk-lib';

    export class AlertsStack extends Stack {
      build(topic: sns.Topic) {
        const alertEmail = process.env.ALERT_EMAIL;
        if (!alertEmail) throw new Error('Set ALERT_EMAIL to the on-call address');
        topic.addSubscription(new subscriptions.EmailSubscription(alertEmail));
      }
    }
    ```

    ## Known problems
    A bare `process.env.X` handed to a prop is not reported: the compiler only accepts
    that for optional props, where `undefined` is a legitimate value.

    ## References
    - https://docs.aws.amazon.com/cdk/v2/guide/environments.html
    """
    for node in _env_variable_reads(f):
        name = text(node.child_by_field_name("property"))
        if name in _CLI_VARIABLES:
            continue
        r = read(f, node)
        if env_entry(r.outer) is not None or r.use is Use.CHECKED or not (r.forced or r.use is Use.CRASH):
            continue
        var = text(r.variable) if r.variable is not None and r.variable.type == "identifier" else "value"
        how = "asserted to be set" if r.forced else "used"
        effect = _EFFECTS.get(r.use, "")
        end, suggestion = _guard_suggestion(f, r, f"Set the {name} environment variable")
        yield Hit(node, {"name": name, "how": how, "effect": effect, "var": var},
                  end_node=end, suggestion=suggestion)


def _env_variable_reads(f) -> Iterator[Node]:
    """Every `process.env.X`, found from the file's few `process` identifiers rather than
    from all its member expressions."""
    for ident in names_by_spelling(f).get("process", ()):
        env = ident.parent
        if (env is None or env.type != "member_expression" or not _is_object_of(ident, env)
                or text(env).replace(" ", "") != "process.env"):
            continue
        read = env.parent
        if read is not None and read.type == "member_expression" and _is_object_of(env, read):
            yield read


def _is_object_of(node: Node, member: Node) -> bool:
    obj = member.child_by_field_name("object")
    return obj is not None and obj.id == node.id


@rule(
    id="INC-ERR-003",
    name="unvalidated-config-file",
    subcategory="missing-error-handling",
    severity="warning",
    message="A configuration file is read and parsed with no try/catch and no validation",
    remediation="Wrap the read in try/catch with a message naming the file, and check the required keys "
                "(`if (!config.account) throw new Error(...)`) or parse it with a schema",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/best-practices.html#best-practices-apps",),
)
def unvalidated_config_file(f, ctx):
    """
    ## What it does
    Finds a file read with `fs.readFileSync` and parsed (`JSON.parse`, `yaml.load`,
    `YAML.parse`) outside any `try` block, whose result nothing checks: no key of it
    is tested (`if (!config.account) ...`), and it is not handed to a validator
    (`validateConfig(config)`, `ConfigSchema.parse(...)`).

    ## Why is this bad?
    A missing file or a syntax error stops synthesis with a bare `ENOENT` or
    `Unexpected token` stack trace, and a missing key deploys `undefined` into account
    ids, names and email subscriptions. A check that names the file and the key turns
    that into a one-line fix for whoever runs the pipeline.

    ## Example
    ```ts
    import { App, Stack } from 'aws-cdk-lib';
    import * as fs from 'fs';

    const config = JSON.parse(fs.readFileSync('config/prod.json', 'utf8')); // <-- INC-ERR-003
    const app = new App();
    new Stack(app, 'Api', { env: { account: config.account, region: config.region } });
    ```

    ## Use instead
    ```ts
    import { App, Stack } from 'aws-cdk-lib';
    import * as fs from 'fs';

    const config = JSON.parse(fs.readFileSync('config/prod.json', 'utf8'));
    if (!config.account || !config.region) {
      throw new Error('config/prod.json must define "account" and "region"');
    }
    const app = new App();
    new Stack(app, 'Api', { env: { account: config.account, region: config.region } });
    ```

    ## References
    - https://docs.aws.amazon.com/cdk/v2/guide/best-practices.html#best-practices-apps
    """
    for call in f.method_calls:
        if call.name not in _PARSERS or not call.args or not _reads_file(call.args[0]):
            continue
        if in_try_block(call.node) or read(f, call.node).use is Use.CHECKED:
            continue
        yield Hit(call.node)


def _reads_file(value: v.Value | None) -> bool:
    """`fs.readFileSync(...)`, also behind `.toString()`."""
    while isinstance(value, v.Call):
        if value.fqn is not None and value.fqn.rsplit(".", 1)[-1] == "readFileSync":
            return True
        value = value.callee.base if isinstance(value.callee, v.Attr) else None
    return False


@rule(
    id="INC-ERR-004",
    name="account-or-region-logic-on-a-token",
    subcategory="missing-error-handling",
    severity="warning",
    scope="project",
    message="`{code}` is used in a {operation}, but {why}: at synth time it is a token, so the {operation} "
            "never sees the real {attr}",
    remediation="Give the stack an explicit `env: {{ account, region }}` so `{attr}` is a concrete value, "
                "or decide at deploy time with `CfnCondition`/`Fn.conditionIf`",
    references=("https://docs.aws.amazon.com/cdk/v2/guide/environments.html",
                "https://docs.aws.amazon.com/cdk/v2/guide/tokens.html"),
)
def account_or_region_logic_on_a_token(project, ctx):
    """
    ## What it does
    Finds `this.region`, `this.account`, `Stack.of(this).region/account` compared,
    switched on, used as a lookup key or in string operations (`startsWith`, `split`)
    in a stack that an entry point creates without an `env` (or without that field of
    it), and `Aws.REGION` / `Aws.ACCOUNT_ID` used that way anywhere.

    ## Why is this bad?
    In an env-agnostic stack the region and account are CloudFormation tokens
    (`${Token[AWS.Region.9]}`) during synthesis. `this.region === 'us-east-1'` is always
    false, `REGION_CONFIG[this.region]` is always undefined: the code silently takes
    the wrong branch in every region.

    ## Example
    ```ts
    import { App, Stack, StackProps } from 'aws-cdk-lib';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Construct } from 'constructs';

    class EdgeStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        if (this.region === 'us-east-1') { // <-- INC-ERR-004
          new s3.Bucket(this, 'EdgeLogs');
        }
      }
    }

    const app = new App();
    new EdgeStack(app, 'Edge');
    ```

    ## Use instead
    ```ts
    import { App, Stack, StackProps } from 'aws-cdk-lib';
    import * as s3 from 'aws-cdk-lib/aws-s3';
    import { Construct } from 'constructs';

    class EdgeStack extends Stack {
      constructor(scope: Construct, id: string, props?: StackProps) {
        super(scope, id, props);
        if (this.region === 'us-east-1') {
          new s3.Bucket(this, 'EdgeLogs');
        }
      }
    }

    const app = new App();
    new EdgeStack(app, 'Edge', { env: { account: '123456789012', region: 'us-east-1' } });
    ```

    ## Known problems
    A stack class whose constructor sets `env` itself in the `super(...)` call is
    treated by its instantiations only. Stacks no scanned entry point creates are not
    judged.

    ## References
    - https://docs.aws.amazon.com/cdk/v2/guide/environments.html
    """
    model = app_model(project)
    for f in project.analysed:
        for node in f.nodes("member_expression"):
            attr = text(node.child_by_field_name("property"))
            if attr not in ("region", "account", "REGION", "ACCOUNT_ID"):
                continue
            operation = _logic_operation(unwrap(node)[0])
            if operation is None:
                continue
            value = f.eval(node)
            if isinstance(value, v.Symbol) and value.fqn in _PSEUDO_PARAMETERS:
                attr, why = _PSEUDO_PARAMETERS[value.fqn], f"`{text(node)}` is always a deploy-time value"
            elif attr in ("region", "account"):
                why = _env_agnostic(model, f, value, attr)
            else:
                continue
            if why is not None:
                yield Hit(node, {"code": text(node), "operation": operation, "why": why, "attr": attr}, file=f)


def _logic_operation(node: Node) -> str | None:
    """'comparison', 'string operation', 'switch', 'lookup key' when a value decides something."""
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "binary_expression" and text(parent.child_by_field_name("operator")) in _COMPARISONS:
        return "comparison"
    if parent.type == "member_expression" and text(parent.child_by_field_name("property")) in _STRING_METHODS \
            and parent.parent is not None and parent.parent.type == "call_expression":
        return "string operation"
    if parent.type == "switch_statement":
        return "switch"
    index = parent.child_by_field_name("index") if parent.type == "subscript_expression" else None
    if index is not None and index.id == node.id:
        return "lookup key"
    if parent.type == "arguments" and parent.parent is not None:
        fn = parent.parent.child_by_field_name("function")
        method = text(fn.child_by_field_name("property")) if fn is not None and fn.type == "member_expression" else ""
        if method in _MEMBERSHIP:
            return "membership test"
    return None


def _env_agnostic(model, f, value: v.Value, attr: str) -> str | None:
    """Why `value` (a stack's region/account) is a token, when its stack is surely env-agnostic."""
    if not isinstance(value, v.Attr):
        return None
    base = value.base
    if isinstance(base, v.ConstructRef):
        stacks = [s for u in model.units for s in u.stacks if s.construct is base.construct]
    elif isinstance(base, v.This) and base.class_node is not None:
        decl = f.class_decl(base.class_node)
        stacks = model.instances_of(decl) if decl is not None and decl.kind == "stack" else []
    elif isinstance(base, v.Call) and base.fqn == "Stack.of" and value.node is not None:
        stacks = [s for decl in model.owners_of(f, value.node) for s in model.instances_of(decl)]
    else:
        return None
    for stack in stacks:
        reason = _missing_env(stack, attr)
        if reason is not None:
            return reason
    return None


def _missing_env(stack: StackInstance, attr: str) -> str | None:
    env = stack.env
    ident = v.literal(stack.construct.id, stack.variable)
    where = f"{stack.name} ('{ident}') is created without an `env`"
    if env is None:
        return where
    if isinstance(env, v.Obj) and not env.open and env.get(attr) is None:
        return f"{stack.name} ('{ident}') is created with an `env` that has no {attr}"
    return None
