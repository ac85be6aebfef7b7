"""Every import style resolves a CDK name to the same FQN."""
import pytest

from rules.model import values as v
from rules.model.imports import module_ref
from tests.helpers import single

STYLES = {
    "namespace": ("import * as ec2 from 'aws-cdk-lib/aws-ec2';", "ec2.Port.tcp"),
    "root-submodule": ("import { aws_ec2 as ec2 } from 'aws-cdk-lib';", "ec2.Port.tcp"),
    "named": ("import { Port } from 'aws-cdk-lib/aws-ec2';", "Port.tcp"),
    "root-namespace": ("import * as cdk from 'aws-cdk-lib';", "cdk.aws_ec2.Port.tcp"),
    "v1": ("import * as ec2 from '@aws-cdk/aws-ec2';", "ec2.Port.tcp"),
    "require": ("const ec2 = require('aws-cdk-lib/aws-ec2');", "ec2.Port.tcp"),
    "require-destructured": ("const { Port } = require('aws-cdk-lib/aws-ec2');", "Port.tcp"),
    "import-equals": ("import ec2 = require('aws-cdk-lib/aws-ec2');", "ec2.Port.tcp"),
    "default": ("import ec2 from 'aws-cdk-lib/aws-ec2';", "ec2.Port.tcp"),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_import_style_resolves_to_the_same_fqn(style):
    header, expr = STYLES[style]
    f = single(f"{header}\nexport const port = {expr}(5432);\n")
    value = f.exported_value("port")
    assert isinstance(value, v.Call)
    assert value.fqn == "aws_ec2.Port.tcp"
    assert v.literal(value.args[0]) == 5432


def test_v1_symbols_are_marked():
    f = single("import * as s3 from '@aws-cdk/aws-s3';\nexport const c = s3.Bucket;\n")
    value = f.exported_value("c")
    assert isinstance(value, v.Symbol) and value.fqn == "aws_s3.Bucket" and value.v1


@pytest.mark.parametrize("spec,kind,module", [
    ("aws-cdk-lib", "cdk", ""),
    ("aws-cdk-lib/aws-ec2", "cdk", "aws_ec2"),
    ("aws-cdk-lib/aws-lambda-event-sources", "cdk", "aws_lambda_event_sources"),
    ("@aws-cdk/core", "cdk-v1", ""),
    ("@aws-cdk/aws-s3", "cdk-v1", "aws_s3"),
    ("@aws-cdk/aws-apigatewayv2-alpha", "alpha", "@aws-cdk/aws-apigatewayv2-alpha"),
    ("@aws-cdk/lambda-layer-kubectl-v34", "other", "@aws-cdk/lambda-layer-kubectl-v34"),
    ("@aws-cdk/pipelines", "cdk-v1", "pipelines"),
    ("constructs", "constructs", "constructs"),
    ("./lib/db-stack", "local", "./lib/db-stack"),
    ("path", "other", "path"),
])
def test_module_refs(spec, kind, module):
    ref = module_ref(spec)
    assert (ref.kind, ref.module) == (kind, module)


def test_local_import_of_a_constant_across_files():
    from tests.helpers import project
    p = project(**{
        "lib/constants.ts": "export const DB_PORT = 5432;\nexport const PORTS = { db: DB_PORT };\n",
        "lib/index.ts": "export * from './constants';\nexport { DB_PORT as PORT } from './constants';\n",
        "lib/stack.ts": "import { DB_PORT } from './constants';\nimport { PORT, PORTS } from '.';\n"
                        "export const a = DB_PORT;\nexport const b = PORT;\nexport const c = PORTS.db;\n",
    })
    f = p.files["lib/stack.ts"]
    assert [v.literal(f.exported_value(n)) for n in "abc"] == [5432, 5432, 5432]


def test_unresolvable_import_is_unknown():
    f = single("import { X } from './missing';\nexport const a = X;\n")
    assert isinstance(f.exported_value("a"), v.Unknown)
