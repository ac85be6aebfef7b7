#!/usr/bin/env python3
"""Review latency and GitHub API calls of the App, on the GitHub emulator.

    python bench/review.py [--deliveries 300] [--reviews 5] [--files 20]

1. webhook -> 202: signed pull_request deliveries POSTed over HTTP to the app on a real
   loopback server (werkzeug, threaded) while the workers are held: p50/p99 of the
   answer time (signature check, parse, dedupe, durable enqueue in SQLite).
2. webhook -> check run completed: one PR of `--files` changed CDK files at a time, the
   embedded queue's worker threads running, until the emulator shows the check run
   completed (first review includes importing the rules; then warm).
3. GitHub API calls per (warm) review, by endpoint, against the target
   6 + files read + ceil(annotations / 50).
Not a test: figures, not assertions. PyGithub's 1 s between writes (GitHub's advice,
CDK_REVIEW_GITHUB_WRITE_INTERVAL) is off here; in production add about 1 s per write
(a review makes 3: check run, review, check run completion).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import requests  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

import tests.emulator_extras  # noqa: E402,F401
from bot.app import create_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.bot_support import SECRET, new_delivery, pull_request_event, signed  # noqa: E402
from tests.github_emulator import GitHubEmulator  # noqa: E402
from tests.test_bot_e2e import CDK_JSON, CONSTANTS_TS  # noqa: E402

APP_ID = 12345
REPO = "octo/bench"

STACK = """import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {{ Construct }} from 'constructs';
import {{ DB_PORT }} from './constants';

export interface Service{i}Props extends cdk.StackProps {{
  readonly vpc: ec2.IVpc;
}}

export class Service{i}Stack extends cdk.Stack {{
  constructor(scope: Construct, id: string, props: Service{i}Props) {{
    super(scope, id, props);
    const sg = new ec2.SecurityGroup(this, 'DbSg', {{ vpc: props.vpc }});
    sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(DB_PORT), 'from the VPC');
    new rds.DatabaseInstance(this, 'Db', {{
      engine: rds.DatabaseInstanceEngine.postgres({{ version: rds.PostgresEngineVersion.VER_16_4 }}),
      vpc: props.vpc,
      securityGroups: [sg],
      multiAz: true,
      storageEncrypted: true,
      deletionProtection: true,
    }});
    new s3.Bucket(this, 'Data', {{ versioned: true, enforceSSL: true, encryption: s3.BucketEncryption.KMS_MANAGED }});
  }}
}}
"""
# The PR's change to each stack: the port opened to the world, one more bucket.
CHANGE = ("ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(DB_PORT), 'from the VPC'",
          "ec2.Peer.anyIpv4(), ec2.Port.tcp(DB_PORT), 'migration'")
EXTRA = "    new s3.Bucket(this, 'Scratch');\n  }\n}\n"


def app_ts(n: int) -> str:
    imports = "".join(f"import {{ Service{i}Stack }} from '../lib/service-{i}-stack';\n" for i in range(n))
    stacks = "".join(f"new Service{i}Stack(app, 'ProdService{i}', {{ env, vpc: network.vpc }});\n" for i in range(n))
    return ("import * as cdk from 'aws-cdk-lib';\nimport * as ec2 from 'aws-cdk-lib/aws-ec2';\n" + imports +
            "const app = new cdk.App();\nconst env = { account: '111111111111', region: 'eu-west-1' };\n"
            "class NetworkStack extends cdk.Stack {\n  readonly vpc: ec2.Vpc;\n"
            "  constructor(scope: cdk.App, id: string, props: cdk.StackProps) {\n    super(scope, id, props);\n"
            "    this.vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2 });\n  }\n}\n"
            "const network = new NetworkStack(app, 'ProdNetwork', { env });\n" + stacks)


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deliveries", type=int, default=300)
    ap.add_argument("--reviews", type=int, default=5)
    ap.add_argument("--files", type=int, default=20)
    args = ap.parse_args()

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode()
    emu = GitHubEmulator(validate_responses=False).start()
    inst = emu.add_installation(APP_ID, key)
    base = {"cdk.json": CDK_JSON, "bin/app.ts": app_ts(args.files), "lib/constants.ts": CONSTANTS_TS}
    base.update({f"lib/service-{i}-stack.ts": STACK.format(i=i) for i in range(args.files)})
    emu.add_repo(REPO, files=base)

    data = tempfile.mkdtemp(prefix="cdk-review-bench-")
    settings = Settings(app_id=APP_ID, private_key=key, webhook_secret=SECRET, api_url=emu.url, data_dir=data,
                        workers=2, seconds_between_writes=0)
    app = create_app(settings)
    ctx = app.extensions["cdk_review"]
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/webhook"
    http = requests.Session()

    def pr_with_changes(branch: str):
        changed = {f"lib/service-{i}-stack.ts": STACK.format(i=i).replace(*CHANGE).replace("  }\n}\n", EXTRA)
                   for i in range(args.files)}
        emu.commit(REPO, branch, changed)
        return emu.open_pull_request(REPO, branch)

    # 1. webhook -> 202, workers held (jobs stay queued, then are dropped)
    ctx.queue.stop()
    probe_pr = pr_with_changes("latency")
    body = json.dumps(pull_request_event("opened", probe_pr, inst.id)).encode()
    for _ in range(20):                                                  # warm the connection and caches
        http.post(url, data=body, headers=signed(body, "pull_request"))
    answers = []
    for _ in range(args.deliveries):
        headers = signed(body, "pull_request", new_delivery())
        t = time.perf_counter()
        r = http.post(url, data=body, headers=headers)
        answers.append(time.perf_counter() - t)
        assert r.status_code == 202, r.text
    ctx.queue.huey.flush()

    # 2. webhook -> check run completed, one PR at a time
    ctx.queue.start(settings.workers)
    timings, measured = [], None
    for n in range(args.reviews):
        pr = pr_with_changes(f"review-{n}")
        payload = json.dumps(pull_request_event("opened", pr, inst.id)).encode()
        start_index = len(emu.requests)
        t = time.perf_counter()
        http.post(url, data=payload, headers=signed(payload, "pull_request"))
        while not any(r.status == "completed" for r in emu.check_runs(REPO, head_sha=pr.head_sha)):
            time.sleep(0.005)
        timings.append(time.perf_counter() - t)
        measured = (pr, emu.requests[start_index:])

    # 3. API calls of the last review
    pr, calls = measured
    [run] = emu.check_runs(REPO, head_sha=pr.head_sha)
    by_endpoint = Counter(f"{r.method} {_template(r.path)}" for r in calls)
    files_read = sum(1 for r in calls if "/git/blobs/" in r.path or ("/contents/" in r.path and ".github/" not in r.path))
    target = 6 + files_read + math.ceil(len(run.annotations) / 50)

    print(f"PR of {args.files} changed CDK files, {len(run.annotations)} findings on changed lines "
          f"({len(emu.review_comments(REPO, pr.number))} inline comments), emulator on loopback")
    print(f"webhook -> 202         p50 {percentile(answers, 50) * 1000:.1f} ms   p99 "
          f"{percentile(answers, 99) * 1000:.1f} ms   ({args.deliveries} deliveries over HTTP)")
    warm = timings[1:] or timings
    print(f"webhook -> completed   first {timings[0]:.2f} s (imports the rules)   then median "
          f"{statistics.median(warm):.2f} s, max {max(warm):.2f} s   ({len(warm)} reviews)")
    print(f"GitHub API calls       {len(calls)} per review (target <= 6 + {files_read} files read + "
          f"ceil({len(run.annotations)}/50) = {target}){'' if len(calls) <= target else '  OVER TARGET'}")
    for name, count in sorted(by_endpoint.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {count:3}  {name}")
    print(f"    (once per process, not counted: the installation token POST and GET /app: "
          f"{emu.count('POST', '/app/installations/*/access_tokens')} + {emu.count('GET', '/app')})")

    server.shutdown()
    ctx.close()
    emu.stop()
    return 0


def _template(path: str) -> str:
    parts = path.split("/")
    out = []
    for i, part in enumerate(parts):
        prev = parts[i - 1] if i else ""
        if prev in ("blobs", "trees", "check-runs", "comments") or (prev == "pulls" and part.isdigit()) \
                or (i == 2 and prev == "repos") or (i == 3 and parts[1] == "repos"):
            out.append("{" + ("sha" if prev in ("blobs", "trees") else "id" if not (i in (2, 3)) else
                              ("owner" if i == 2 else "repo")) + "}")
        elif prev == "contents":
            out.append("{path}")
            break
        else:
            out.append(part)
    return "/".join(out)


if __name__ == "__main__":
    sys.exit(main())
