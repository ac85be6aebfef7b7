#!/usr/bin/env python3
"""Scan throughput: full analysis (model + every rule) against tree-sitter parse-only.

    python bench/scan.py [--mb 5] [--dir PATH]

Generates N MB of CDK TypeScript in the style of real apps (stacks of several
services, constants, spreads, alarms, policies; a handful of defects; entry points
creating the stacks with the network stack they share) unless a directory is given,
then prints MB/s for parse-only, for a skeleton model (the least any model over the
Python bindings does) and for `analyse`, the ratio, and the peak resident memory of
the process. Not a test: figures, not assertions.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from rules.engine import analyse  # noqa: E402
from rules.model.project import Project  # noqa: E402
from rules.parsing import captures, parse, query  # noqa: E402

STACK = '''import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import {{ Construct }} from 'constructs';

const DB_PORT = {port};
const baseBucketProps: Partial<s3.BucketProps> = {{ versioned: true, enforceSSL: true }};

export interface {name}Props extends cdk.StackProps {{
  readonly vpc: ec2.IVpc;
  readonly stage: string;
}}

export class {name} extends cdk.Stack {{
  public readonly database: rds.DatabaseInstance;

  constructor(scope: Construct, id: string, props: {name}Props) {{
    super(scope, id, props);
    const isProd = props.stage === 'prod';
    const key = new kms.Key(this, 'Key{i}', {{ enableKeyRotation: true }});

    const sg = new ec2.SecurityGroup(this, 'DbSg{i}', {{ vpc: props.vpc, allowAllOutbound: false }});
    sg.addIngressRule({peer}, ec2.Port.tcp(DB_PORT), 'database');

    this.database = new rds.DatabaseInstance(this, 'Db{i}', {{
      engine: rds.DatabaseInstanceEngine.postgres({{ version: rds.PostgresEngineVersion.VER_16_4 }}),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.{cls}, ec2.InstanceSize.LARGE),
      vpc: props.vpc,
      vpcSubnets: {{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }},
      securityGroups: [sg],
      multiAz: isProd,
      storageEncrypted: {encrypted},
      storageEncryptionKey: key,
      backupRetention: cdk.Duration.days({days}),
      removalPolicy: isProd ? cdk.RemovalPolicy.RETAIN : cdk.RemovalPolicy.DESTROY,
    }});

    const bucket = new s3.Bucket(this, 'Data{i}', {{
      ...baseBucketProps,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      lifecycleRules: [{{ transitions: [{{ storageClass: s3.StorageClass.GLACIER, transitionAfter: cdk.Duration.days(90) }}] }}],
    }});

    const fn = new lambda.Function(this, 'Handler{i}', {{
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('lambda/handler{i}'),
      memorySize: {memory},
      timeout: cdk.Duration.seconds(30),
      environment: {{ BUCKET: bucket.bucketName }},
    }});
    bucket.grantRead(fn);

    const asg = new autoscaling.AutoScalingGroup(this, 'Workers{i}', {{
      vpc: props.vpc,
      instanceType: new ec2.InstanceType('m6i.large'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      minCapacity: 2,
      maxCapacity: {max},
    }});
    {scaling}

    fn.addToRolePolicy(new iam.PolicyStatement({{
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects('*')],
    }}));

    new cloudwatch.Alarm(this, 'Errors{i}', {{
      metric: fn.metricErrors(),
      threshold: 1,
      evaluationPeriods: 1,
    }});
  }}
}}
'''


NETWORK = '''import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {{ Construct }} from 'constructs';

export class Network{k}Stack extends cdk.Stack {{
  public readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props?: cdk.StackProps) {{
    super(scope, id, props);
    this.vpc = new ec2.Vpc(this, 'Vpc', {{
      maxAzs: 3,
      subnetConfiguration: [
        {{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }},
        {{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 }},
        {{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }},
      ],
    }});
  }}
}}
'''

APP = '''#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import {{ Network{k}Stack }} from '../lib/network-{k}-stack';
{imports}

const app = new cdk.App();
const stage: string = app.node.tryGetContext('stage') ?? 'dev';
const env = {{ account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }};

const network = new Network{k}Stack(app, `Network{k}-${{stage}}`, {{ env }});
{stacks}
'''

STACKS_PER_APP = 8      # a monorepo of apps, each an entry point with its network and services


def generate(megabytes: float, seed: int = 7) -> dict[str, bytes]:
    rnd = random.Random(seed)
    files: dict[str, bytes] = {}
    total, i, app_stacks = 0, 0, []
    while total < megabytes * 1_000_000:
        src = STACK.format(
            name=f"Service{i}Stack", i=i, port=rnd.choice([5432, 3306, 6379]),
            peer=rnd.choice(["ec2.Peer.ipv4('10.0.0.0/16')"] * 5 + ["ec2.Peer.anyIpv4()"]),
            cls=rnd.choice(["R6G", "M6I", "T3"]), encrypted=rnd.choice(["true", "true", "false"]),
            days=rnd.choice([7, 14, 0]), memory=rnd.choice([128, 512, 1024]), max=rnd.choice([4, 8, 2]),
            scaling=rnd.choice(["asg.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });", ""]),
        ).encode()
        files[f"lib/service-{i}-stack.ts"] = src
        total += len(src)
        app_stacks.append(i)
        i += 1
        if len(app_stacks) == STACKS_PER_APP or total >= megabytes * 1_000_000:
            total += _add_app(files, app_stacks[0] // STACKS_PER_APP, app_stacks)
            app_stacks = []
    return files


def _add_app(files: dict[str, bytes], k: int, stacks: list[int]) -> int:
    """The entry point creating `stacks` (and the network stack they share); returns its size."""
    imports = "\n".join(f"import {{ Service{i}Stack }} from '../lib/service-{i}-stack';" for i in stacks)
    lines = "\n".join(f"new Service{i}Stack(app, `Service{i}-${{stage}}`, {{ env, vpc: network.vpc, stage }});"
                      for i in stacks)
    network = NETWORK.format(k=k).encode()
    app = APP.format(k=k, imports=imports, stacks=lines).encode()
    files[f"lib/network-{k}-stack.ts"] = network
    files[f"bin/app-{k}.ts"] = app
    return len(network) + len(app)


def load_dir(path: str) -> dict[str, bytes]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if d not in ("node_modules", "cdk.out") and not d.startswith(".")]
        for name in filenames:
            if name.endswith(".ts") and not name.endswith(".d.ts"):
                full = os.path.join(dirpath, name)
                with open(full, "rb") as fh:
                    out[os.path.relpath(full, path)] = fh.read()
    return out


def skeleton_model(sources: dict[str, bytes]) -> int:
    """The least any CDK model does from Python: parse, one C-side query for `new`
    expressions, and each construct's prop names and value kinds read once. Its rate
    bounds what an analysis in Python over tree-sitter's bindings can reach."""
    props = 0
    for path, src in sources.items():
        tsx = path.endswith(".tsx")
        tree = parse(src, tsx=tsx)
        for node in captures(query("(new_expression) @new", tsx), tree.root_node).get("new", []):
            args = node.child_by_field_name("arguments")
            for arg in args.named_children if args is not None else ():
                for pair in arg.named_children if arg.type == "object" else ():
                    if pair.type == "pair":
                        props += bool(pair.child_by_field_name("key").text) + bool(
                            pair.child_by_field_name("value").type)
    return props


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=5.0, help="megabytes of generated code (default 5)")
    ap.add_argument("--dir", help="scan the .ts files of this directory instead of generated code")
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = ap.parse_args()

    sources = load_dir(args.dir) if args.dir else generate(args.mb)
    size_mb = sum(map(len, sources.values())) / 1_000_000
    analyse(Project.from_sources(dict(list(sources.items())[:2])))     # warm-up: knowledge, rules

    parse_times, skeleton_times, analyse_times, findings = [], [], [], 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        for path, src in sources.items():
            parse(src, tsx=path.endswith(".tsx"))
        parse_times.append(time.perf_counter() - start)

        start = time.perf_counter()
        skeleton_model(sources)
        skeleton_times.append(time.perf_counter() - start)

        start = time.perf_counter()
        result = analyse(Project.from_sources(sources))
        analyse_times.append(time.perf_counter() - start)
        findings = len(result.findings)

    parse_rate = size_mb / min(parse_times)
    skeleton_rate = size_mb / min(skeleton_times)
    analyse_rate = size_mb / min(analyse_times)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"input: {len(sources)} files, {size_mb:.2f} MB{' from ' + args.dir if args.dir else ' (generated)'}")
    print(f"parse only (tree-sitter): {parse_rate:8.2f} MB/s  ({min(parse_times):.2f} s)")
    print(f"skeleton model:           {skeleton_rate:8.2f} MB/s  ({min(skeleton_times):.2f} s, "
          f"{skeleton_rate / parse_rate:.0%} of parse-only: parse + one query + each prop read once)")
    print(f"full analysis:            {analyse_rate:8.2f} MB/s  ({min(analyse_times):.2f} s, {findings} findings)")
    print(f"analysis / parse-only:    {analyse_rate / parse_rate:8.1%}")
    print(f"peak memory (RSS):        {peak_mb:8.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
