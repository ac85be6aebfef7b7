"""The Flask app factory.

    app = create_app(Settings.from_env())           # embedded queue + worker threads
    app = create_app(settings, queue=my_queue)       # tests: any object with the queue API

With no `queue`, the app builds the one CDK_REVIEW_QUEUE names; with the embedded queue
it also starts its worker threads (`cdk-review serve`, or each gunicorn worker process);
with Redis it only enqueues and `cdk-review worker` processes do the work.
`wsgi()` is the gunicorn entry point (deploy/gunicorn.conf.py).
"""
from __future__ import annotations

import atexit
import logging
from dataclasses import dataclass

from flask import Flask

from bot.handlers import HandlerContext, router
from bot.metrics import Metrics
from bot.routing import Router
from bot.settings import Settings

MAX_PAYLOAD = 25 * 1024 * 1024          # GitHub caps webhook payloads at 25 MB


@dataclass
class AppContext:
    settings: Settings
    queue: object
    router: Router
    metrics: Metrics
    handler_context: HandlerContext
    github: object = None
    owns_queue: bool = False

    def close(self) -> None:
        """Stop the worker threads this app started and release the queue."""
        if self.owns_queue:
            self.queue.close()
            self.owns_queue = False
        if self.github is not None and hasattr(self.github, "close"):
            self.github.close()


def create_app(settings: Settings, *, queue=None, github=None, start_workers: bool = True) -> Flask:
    app = Flask("cdk_review")
    app.config["MAX_CONTENT_LENGTH"] = MAX_PAYLOAD
    metrics = Metrics()
    owns = queue is None
    if queue is None:
        from bot.github import GitHubApp
        from bot.queue import make_queue
        from bot.worker import Worker
        queue = make_queue(settings)
        github = github or GitHubApp(settings, metrics=metrics)
        queue.bind(Worker(settings, github, queue, metrics))
        if start_workers and not settings.redis:
            queue.start(settings.workers)
    metrics.track_queue(queue.depth)
    ctx = AppContext(settings, queue, router, metrics, HandlerContext(settings.app_id), github, owns)
    app.extensions["cdk_review"] = ctx

    from bot.webhook import bp
    app.register_blueprint(bp)
    return app


def wsgi() -> Flask:
    """gunicorn: `bot.app:wsgi()` — settings from the environment."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(Settings.from_env())
    atexit.register(app.extensions["cdk_review"].close)
    return app
