"""`cdk-review serve` and `cdk-review worker`: settings from the environment, then the
development web server (with the embedded queue's worker threads) or a Redis consumer."""
from __future__ import annotations

import logging
import sys

from bot.settings import Settings, SettingsError

EXIT_USAGE = 2


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _fail(message: str) -> int:
    print(f"cdk-review: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_serve(args) -> int:
    from werkzeug.serving import run_simple

    from bot.app import create_app
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        return _fail(str(exc))
    _logging()
    app = create_app(settings)
    ctx = app.extensions["cdk_review"]
    where = "embedded, workers in this process" if not settings.redis else "redis, run `cdk-review worker` to consume"
    logging.getLogger("bot.serve").info("cdk-review listening on http://%s:%s (queue: %s)", args.host, args.port, where)
    try:
        run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    finally:
        ctx.close()
    return 0


def run_worker(args) -> int:
    from bot.github import GitHubApp
    from bot.metrics import Metrics
    from bot.queue import make_queue
    from bot.worker import Worker
    try:
        settings = Settings.from_env(webhook=False)
    except SettingsError as exc:
        return _fail(str(exc))
    if not settings.redis:
        return _fail("CDK_REVIEW_QUEUE is 'embedded': its workers run inside `cdk-review serve` (threads of the "
                     "web process). `cdk-review worker` consumes a distributed queue: set "
                     "CDK_REVIEW_QUEUE=redis://HOST:PORT/DB for both serve and worker.")
    _logging()
    metrics = Metrics()
    queue = make_queue(settings)
    queue.bind(Worker(settings, GitHubApp(settings, metrics=metrics), queue, metrics))
    logging.getLogger("bot.serve").info("cdk-review worker: %d threads on the Redis queue", settings.workers)
    queue.run_forever(settings.workers)
    return 0
