"""The job queue: one interface, two Huey backends chosen by CDK_REVIEW_QUEUE.

- `embedded` (default): SqliteHuey in CDK_REVIEW_DATA_DIR/queue.db; a job accepted with
  202 is on disk before the answer, so it survives a restart of the process; worker
  threads run inside the web process (`start()`).
- `redis://...`: RedisHuey; any number of `cdk-review worker` processes on any number
  of machines consume it (`run_forever()`); the web process only enqueues.

Beside the queue, in the same storage (bot/store.py): delivery ids already accepted
(with an expiry), the latest head sha per pull request (a job for an older sha is
dropped when it runs), and the check run a job created (retries reuse it).

Jobs are retried by Huey (`RETRIES` times, `RETRY_DELAY` apart) when they raise; the
runner is told when an attempt is the last so it can close its check run.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer

from bot.jobs import Job
from bot.settings import Settings
from bot.store import RedisStore, SqliteStore, Store

log = logging.getLogger(__name__)

TASK_NAME = "cdk_review.run_job"
RETRIES = 2
RETRY_DELAY = 5            # seconds
LATEST_TTL = 30 * 24 * 3600

Runner = Callable[..., object]      # runner(job, last_attempt=bool)


class _InProcessConsumer(Consumer):
    """Huey's consumer without signal handlers: it runs beside a web server (threads)."""

    def _set_signal_handlers(self):
        pass


class JobQueue:
    def __init__(self, huey, store: Store, *, backend: str, delivery_ttl: int = 7 * 24 * 3600):
        self.huey, self.store, self.backend = huey, store, backend
        self.delivery_ttl = delivery_ttl
        self._runner: Runner | None = None
        # Jobs this process enqueued / finished (last attempt over): `idle` for tests and bench.
        self._enqueued = self._finished = self._running = 0
        self._changed = threading.Condition()
        self._consumer: Consumer | None = None
        self._task = huey.task(name=TASK_NAME, retries=RETRIES, retry_delay=RETRY_DELAY, context=True)(self._execute)

    # -- producer side ---------------------------------------------------------------
    def claim_delivery(self, delivery: str) -> bool:
        """False when this delivery id was accepted before (a redelivery or a replay)."""
        return self.store.claim(f"delivery:{delivery}", "1", self.delivery_ttl)

    def release_delivery(self, delivery: str) -> None:
        self.store.delete(f"delivery:{delivery}")

    def enqueue(self, job: Job) -> None:
        if job.supersedes_older:
            self.store.put(f"latest:{job.pr_key}", job.head_sha, LATEST_TTL)
        self._task(job.to_dict())
        with self._changed:
            self._enqueued += 1

    def latest_head(self, pr_key: str) -> str | None:
        return self.store.get(f"latest:{pr_key}")

    def depth(self) -> int:
        """Jobs waiting (queued, or scheduled for a retry)."""
        return self.huey.pending_count() + self.huey.scheduled_count()

    def idle(self) -> bool:
        """Every job this process enqueued has finished, and nothing is waiting."""
        with self._changed:
            done = self._finished >= self._enqueued and self._running == 0
        return done and self.depth() == 0

    def wait_idle(self, timeout: float) -> bool:
        """Block until `idle()` (checked on every finished job, and every 50 ms)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self.idle():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.05))
        return True

    # -- consumer side ---------------------------------------------------------------
    def bind(self, runner: Runner) -> "JobQueue":
        self._runner = runner
        return self

    def _execute(self, payload: dict, task=None):
        if self._runner is None:
            raise RuntimeError("no job runner bound to this queue")
        job = Job.from_dict(payload)
        last = task is None or not task.retries
        over = last
        with self._changed:
            self._running += 1
        try:
            result = self._runner(job, last_attempt=last)
            over = True
            return result
        finally:
            with self._changed:
                self._running -= 1
                self._finished += 1 if over else 0
                self._changed.notify_all()

    def _consumer_options(self, workers: int) -> dict:
        # SQLite is polled: keep the idle delay short so a job starts within ~0.25 s.
        return dict(workers=workers, worker_type="thread", periodic=False, initial_delay=0.05,
                    backoff=1.5, max_delay=0.25, shutdown_timeout=60)

    def start(self, workers: int) -> None:
        """Worker threads in this process (the embedded setup; tests use it with Redis too)."""
        if self._consumer is None:
            self._consumer = _InProcessConsumer(self.huey, **self._consumer_options(workers))
            self._consumer.start()

    def stop(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None

    def run_forever(self, workers: int) -> None:
        """`cdk-review worker`: Huey's consumer in the foreground (SIGINT/SIGTERM stop it)."""
        self.huey.create_consumer(**self._consumer_options(workers)).run()

    def close(self) -> None:
        self.stop()
        self.store.close()
        close = getattr(self.huey.storage, "close", None)
        if close is not None and self.backend == "embedded":
            close()


def make_queue(settings: Settings) -> JobQueue:
    if settings.redis:
        huey = RedisHuey("cdk-review", url=settings.queue, results=False, blocking=True, read_timeout=1)
        return JobQueue(huey, RedisStore(huey.storage.conn), backend="redis", delivery_ttl=settings.delivery_ttl)
    os.makedirs(settings.data_dir, exist_ok=True)
    path = os.path.join(settings.data_dir, "queue.db")
    huey = SqliteHuey("cdk-review", filename=path, results=False)
    return JobQueue(huey, SqliteStore(path), backend="embedded", delivery_ttl=settings.delivery_ttl)
