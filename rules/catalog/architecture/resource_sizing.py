"""architecture / resource-sizing."""
from __future__ import annotations

from rules.model import values as v
from rules.model.compute import functions_behind_apis, is_bastion
from rules.model.defaults import default_of
from rules.model.labels import label
from rules.model.sizing import (RDS_MIN_STORAGE_GIB, SIZED_PROPS, family_and_size, instance_types,
                                is_small_burstable, rds_storage_type)
from rules.registry import Hit, rule


@rule(
    id="ARC-SIZE-001",
    name="small-burstable-instance-in-production",
    subcategory="resource-sizing",
    severity="warning",
    message="{construct} runs on {type}, a small burstable ({family}) type: under sustained load it runs out of CPU credits and is throttled (or billed for surplus credits)",
    remediation="Use a fixed-performance class sized for the load (e.g. m7g/m6i.large, db.m6g.large, cache.m6g.large, m6g.large.search); keep t-class sizes for dev and test",
    references=("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-performance-instances.html",
                "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Types.html"),
    production_aware=True,
    follows_values=True,
)
def small_burstable_instance_in_production(f, ctx):
    """
    ## What it does
    Finds nano, micro and small sizes of the burstable t2, t3, t3a and t4g classes
    on workloads: RDS instances and Aurora writers/readers, EC2 instances (bastion
    and jump hosts excepted), Auto Scaling groups and launch templates, ElastiCache
    nodes (`cacheNodeType: 'cache.t3.micro'`), DocumentDB and OpenSearch domains
    (`capacity.dataNodeInstanceType: 't3.small.search'`). Stacks whose name marks
    them as non-production are skipped and `isProd ? m5 : t3` is judged on its
    production branch; a stack that says neither is reported.

    ## Why is this bad?
    A t3.micro gets a baseline of 10% of a vCPU and 1 GiB of memory; credits
    earned while idle are spent at peak. Under sustained production load the
    instance is throttled to its baseline (or, in unlimited mode, billed for
    surplus credits), so latency spikes exactly when traffic is high. Small
    database and cache classes also cap connections and memory.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class ResultsDbStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'ResultsDb', {
          engine: rds.DatabaseInstanceEngine.POSTGRES,
          instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO), // <-- ARC-SIZE-001
          vpc,
          multiAz: true,
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class ResultsDbStack extends Stack {
      build(vpc: ec2.IVpc, isProd: boolean) {
        new rds.DatabaseInstance(this, 'ResultsDb', {
          engine: rds.DatabaseInstanceEngine.POSTGRES,
          instanceType: isProd
            ? ec2.InstanceType.of(ec2.InstanceClass.M6G, ec2.InstanceSize.LARGE)
            : ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
          vpc,
          multiAz: true,
        });
      }
    }
    ```
    """
    for c in f.constructs:
        if c.fqn not in SIZED_PROPS:
            continue
        small = [use for use in instance_types(c, ctx) if is_small_burstable(use.name)]
        if not small or is_bastion(c) or ctx.is_production(c) is False:
            continue            # the production question is the costly one: asked last
        for use in small:
            yield Hit(use.node or c.node, {"construct": label(c), "type": use.name,
                                           "family": family_and_size(use.name)[0]})


@rule(
    id="ARC-SIZE-002",
    name="default-lambda-memory-behind-api",
    subcategory="resource-sizing",
    severity="notice",
    message="Lambda {function} serves requests from {front} with {memory} MB of memory{default}: CPU is allocated in proportion to memory, so requests and cold starts are slow",
    remediation="Give API handlers more memory, e.g. `memorySize: 512`, and tune it with measurements (AWS Lambda Power Tuning)",
    references=("https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html",),
    production_aware=True,
    follows_values=True,
)
def default_lambda_memory_behind_api(f, ctx):
    """
    ## What it does
    Finds Lambda functions left at 128 MB of memory (`memorySize` not set: the
    default is 128, or set to 128 or less) that this file puts behind an API
    Gateway REST/HTTP/WebSocket API or an Application Load Balancer
    (`LambdaRestApi`, `LambdaIntegration`, `HttpLambdaIntegration`,
    `WebSocketLambdaIntegration`, `LambdaTarget`). Functions that serve no
    synchronous requests are not reported, nor stacks whose name marks them as
    non-production.

    ## Why is this bad?
    Lambda gives a function CPU in proportion to its memory: at 128 MB it gets a
    small fraction of a vCPU. A request handler that parses JSON, talks to a
    database or loads an SDK then adds hundreds of milliseconds to every request
    and much more to cold starts; more memory often costs the same because the
    function finishes sooner.

    ## Example
    ```ts
    import * as apigateway from 'aws-cdk-lib/aws-apigateway';
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build() {
        const handler = new lambda.Function(this, 'ApiHandler', { // <-- ARC-SIZE-002
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda/api'),
        });
        new apigateway.LambdaRestApi(this, 'Api', { handler });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as apigateway from 'aws-cdk-lib/aws-apigateway';
    import * as lambda from 'aws-cdk-lib/aws-lambda';
    import { Stack } from 'aws-cdk-lib';

    export class ApiStack extends Stack {
      build() {
        const handler = new lambda.Function(this, 'ApiHandler', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda/api'),
          memorySize: 512,
        });
        new apigateway.LambdaRestApi(this, 'Api', { handler });
        new lambda.Function(this, 'NightlyCleanup', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset('lambda/cleanup'),
        });
      }
    }
    ```
    """
    wired = None
    for fn in f.constructs:
        default = default_of(fn, "memorySize")
        if default is None:
            continue            # not a Lambda function: no memorySize default
        memory = _memory(fn, ctx, default.value)
        if memory is None or memory > default.value:
            continue
        if wired is None:
            wired = functions_behind_apis(f)
        front = wired.get(fn)
        if front is not None and ctx.is_production(fn) is not False:
            written = fn.prop("memorySize") is not None
            yield Hit(fn.prop_node("memorySize") if written else fn.node,
                      {"function": label(fn), "front": front, "memory": memory,
                       "default": "" if written else " (memorySize not set)"})


def _memory(fn, ctx, default: int) -> int | None:
    value = fn.prop("memorySize")
    if value is None:
        return default
    memory = v.literal(ctx.production_branch(value))
    return memory if isinstance(memory, int) and not isinstance(memory, bool) else None


@rule(
    id="ARC-SIZE-003",
    name="rds-storage-below-minimum",
    subcategory="resource-sizing",
    severity="error",
    message="{db} allocates {size} GiB of {storage} storage, below the {minimum} GiB minimum",
    remediation="Allocate at least {minimum} GiB (`allocatedStorage: {minimum}`), and set `maxAllocatedStorage` to let it grow",
    references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html",),
    follows_values=True,
)
def rds_storage_below_minimum(f, ctx):
    """
    ## What it does
    Finds `rds.DatabaseInstance`s whose `allocatedStorage` is below what RDS
    accepts for their storage type: 20 GiB for gp2 (the default) and gp3, 100 GiB
    for io1/io2, 5 GiB for magnetic. Every branch of a ternary is judged: each one
    is deployed somewhere.

    ## Why is this bad?
    RDS rejects the instance and the deployment fails (after the rest of the stack
    has been created and is rolled back). Storage that small would also leave no
    room for logs, temp files and growth.

    ## Example
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class ReportsStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Reports', {
          engine: rds.DatabaseInstanceEngine.POSTGRES,
          vpc,
          allocatedStorage: 10, // <-- ARC-SIZE-003
        });
      }
    }
    ```

    ## Use instead
    ```ts
    import * as ec2 from 'aws-cdk-lib/aws-ec2';
    import * as rds from 'aws-cdk-lib/aws-rds';
    import { Stack } from 'aws-cdk-lib';

    export class ReportsStack extends Stack {
      build(vpc: ec2.IVpc) {
        new rds.DatabaseInstance(this, 'Reports', {
          engine: rds.DatabaseInstanceEngine.POSTGRES,
          vpc,
          allocatedStorage: 20,
          maxAllocatedStorage: 200,
        });
      }
    }
    ```
    """
    for db in f.constructs:
        if db.fqn not in _RDS_INSTANCES or db.prop("allocatedStorage") is None:
            continue
        storage = rds_storage_type(db, ctx)
        minimum = RDS_MIN_STORAGE_GIB.get(storage or "")
        if minimum is None:
            continue
        sizes = [v.literal(b) for b in v.branches(db.prop("allocatedStorage"))]
        small = [s for s in sizes if isinstance(s, int) and not isinstance(s, bool) and s < minimum]
        if small:
            yield Hit(db.prop_node("allocatedStorage"), {"db": label(db), "size": min(small),
                                                          "storage": storage.lower(), "minimum": minimum})


_RDS_INSTANCES = ("aws_rds.DatabaseInstance", "aws_rds.DatabaseInstanceFromSnapshot")
