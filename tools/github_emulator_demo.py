"""Try the App locally, offline: start the test GitHub emulator with a repository and an
open pull request, write the environment and a webhook payload for it, then print what
the bot posts (check runs, review comments) as it happens. README "Running the GitHub App".

    python tools/github_emulator_demo.py --dir /tmp/cdk-review-demo
    # in another shell:
    . /tmp/cdk-review-demo/env.sh && cdk-review serve --port 8080
    # and send /tmp/cdk-review-demo/pull_request.opened.json, signed, with curl

Development tool only: it imports tests/github_emulator (run it from the repository root).
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

import tests.emulator_extras  # noqa: E402,F401
from tests.bot_support import pull_request_event  # noqa: E402
from tests.github_emulator import GitHubEmulator  # noqa: E402
from tests.test_bot_e2e import BASE_FILES, REPO, STACK, V1_STACK  # noqa: E402

APP_ID = 12345


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="/tmp/cdk-review-demo", help="where to write env.sh, the key and the payload")
    args = parser.parse_args()
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode()
    (out / "app.pem").write_text(key)
    os.chmod(out / "app.pem", 0o600)
    secret = secrets.token_hex(16)

    emu = GitHubEmulator().start()
    inst = emu.add_installation(APP_ID, key, account="octo")
    emu.add_repo(REPO, files=BASE_FILES)
    emu.commit(REPO, "open-db-port", {STACK: V1_STACK})
    pr = emu.open_pull_request(REPO, "open-db-port", title="Open the database port for the migration")

    (out / "pull_request.opened.json").write_text(json.dumps(pull_request_event("opened", pr, inst.id)))
    (out / "env.sh").write_text(
        f"export GITHUB_API_URL={emu.url}\nexport GITHUB_APP_ID={APP_ID}\n"
        f"export GITHUB_PRIVATE_KEY_PATH={out / 'app.pem'}\nexport GITHUB_WEBHOOK_SECRET={secret}\n"
        f"export CDK_REVIEW_DATA_DIR={out / 'data'}\nexport CDK_REVIEW_GITHUB_WRITE_INTERVAL=0\n")
    print(f"GitHub emulator on {emu.url}: {REPO} pull request #{pr.number} (head {pr.head_sha[:7]})", flush=True)
    print(f"wrote {out}/env.sh, {out}/app.pem, {out}/pull_request.opened.json", flush=True)

    seen: set[tuple] = set()
    try:
        while True:
            for run in emu.check_runs():
                state = ("run", run.id, run.status)
                if state not in seen:
                    seen.add(state)
                    print(f"check run {run.name!r} on {run.head_sha[:7]}: {run.status} {run.conclusion or ''} "
                          f"{run.output.get('title') or ''} ({len(run.annotations)} annotations)", flush=True)
            for c in emu.review_comments(REPO, pr.number):
                if ("comment", c.id) not in seen:
                    seen.add(("comment", c.id))
                    print(f"review comment on {c.path}:{c.line}: {c.body.splitlines()[0]}", flush=True)
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
