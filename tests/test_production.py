"""Production awareness: which stacks are production, and the production branch of ternaries."""
import pytest

from rules.config import Config
from rules.model.context import Context
from tests.helpers import project

LIB = """import * as cdk from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {{ Construct }} from 'constructs';
{doc}
export class {name} extends cdk.Stack {{
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {{
    super(scope, id, props);
    new s3.Bucket(this, 'Data');
  }}
}}
"""


def verdict(files: dict[str, str], path: str):
    p = project(**files)
    ctx = Context(p, Config())
    [bucket] = [c for c in p.files[path].constructs if c.fqn == "aws_s3.Bucket"]
    return ctx.is_production(bucket)


@pytest.mark.parametrize("name,doc,expected", [
    ("ProdDataStack", "", True),
    ("DataStack", "/** Production data tier for orders. */", True),
    ("DevSandboxStack", "", False),
    ("DataStack", "/** Per-stage data; non-production stages are scaled down. */", None),
    ("DataStack", "/** Data for the test runners. */", None),
    ("ProductCatalogStack", "", None),
    ("DataStack", "", None),
])
def test_class_names_and_doc_comments(name, doc, expected):
    assert verdict({"lib/s.ts": LIB.format(name=name, doc=doc)}, "lib/s.ts") is expected


@pytest.mark.parametrize("instantiation,expected", [
    ("new DataStack(app, 'OrdersProd');", True),
    ("new DataStack(app, `Orders-${region}`, { stage: 'production' });", True),
    ("new DataStack(app, 'OrdersDev', { stage: 'dev' });", False),
    ("new DataStack(app, 'OrdersDev');\nnew DataStack(app, 'OrdersProd');", True),
    ("new DataStack(app, 'Orders');", None),
])
def test_instances_in_the_app_entry_point(instantiation, expected):
    files = {
        "lib/s.ts": LIB.format(name="DataStack", doc=""),
        "bin/app.ts": "import * as cdk from 'aws-cdk-lib';\nimport { DataStack } from '../lib/s';\n"
                      "declare const region: string;\nconst app = new cdk.App();\n" + instantiation + "\n",
    }
    assert verdict(files, "lib/s.ts") is expected


def test_production_hint_from_config():
    p = project(**{"lib/s.ts": LIB.format(name="LiveDataStack", doc="")})
    ctx = Context(p, Config(production_hint=("live",)))
    [bucket] = [c for c in p.files["lib/s.ts"].constructs if c.fqn == "aws_s3.Bucket"]
    assert ctx.is_production(bucket) is True


@pytest.mark.parametrize("expr,expected", [
    ("isProd ? 3 : 1", 3),
    ("!isProd ? 1 : 3", 3),
    ("props.stage === 'prod' ? 3 : 1", 3),
    ("stage !== 'production' ? 1 : 3", 3),
    ("isDev ? 1 : 3", 3),
])
def test_production_branch(expr, expected):
    from rules.model import values as v
    src = f"declare const isProd: boolean, isDev: boolean, stage: string, props: any;\nexport const x = {expr};\n"
    p = project(**{"a.ts": "import * as cdk from 'aws-cdk-lib';\n" + src})
    ctx = Context(p, Config())
    value = p.files["a.ts"].exported_value("x")
    assert v.literal(ctx.production_branch(value)) == expected


def test_condition_that_does_not_name_production_keeps_both_branches():
    from rules.model import values as v
    p = project(**{"a.ts": "import * as cdk from 'aws-cdk-lib';\ndeclare const big: boolean;\n"
                           "export const x = big ? 3 : 1;\n"})
    value = Context(p, Config()).production_branch(p.files["a.ts"].exported_value("x"))
    assert isinstance(value, v.Cond)
