"""The job queue on both backends: the embedded one (SQLite on disk, worker threads in
the process) and Redis (a real redis-server started here, several consumers)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import threading

import pytest

from bot.jobs import Job
from bot.queue import make_queue
from bot.settings import Settings
from bot.store import SqliteStore
from tests.bot_support import wait_for

PEM = "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n"


def job(delivery: str, number: int = 1, sha: str = "a" * 40, reason: str = "pull_request.synchronize") -> Job:
    return Job("review", "octo/app", 7, delivery, reason, number=number, head_sha=sha, base_ref="main",
               base_sha="b" * 40, draft=False)


class Recorder:
    """A runner that records what it ran (thread-safe), optionally failing first."""

    def __init__(self, fail_times: int = 0):
        self.ran: list[tuple[str, bool]] = []
        self.fail_times = fail_times
        self.lock = threading.Lock()

    def __call__(self, j: Job, *, last_attempt: bool):
        with self.lock:
            self.ran.append((j.id, last_attempt))
            if self.fail_times:
                self.fail_times -= 1
                raise RuntimeError("transient")
        return "ok"

    def ids(self) -> list[str]:
        with self.lock:
            return [i for i, _ in self.ran]


def embedded(data_dir) -> Settings:
    return Settings(app_id=1, private_key=PEM, data_dir=str(data_dir))


# --- embedded --------------------------------------------------------------------------------

def test_embedded_job_survives_a_restart(tmp_path):
    first = make_queue(embedded(tmp_path))                 # the web process accepts the job...
    first.enqueue(job("d-1"))
    assert first.depth() == 1
    first.close()                                          # ...and dies before running it

    runner = Recorder()
    second = make_queue(embedded(tmp_path)).bind(runner)   # a new process on the same data dir
    try:
        assert second.depth() == 1
        second.start(workers=2)
        wait_for(lambda: runner.ids() == ["d-1:0"], timeout=10, message="the job to run after the restart")
        assert second.wait_idle(10) and second.depth() == 0
    finally:
        second.close()


def test_embedded_retries_a_failed_job(tmp_path, monkeypatch):
    monkeypatch.setattr("bot.queue.RETRY_DELAY", 0)        # read when the queue registers its task
    runner = Recorder(fail_times=1)
    q = make_queue(embedded(tmp_path)).bind(runner)
    try:
        q.start(workers=1)
        q.enqueue(job("d-2"))
        assert q.wait_idle(20)
        assert runner.ran == [("d-2:0", False), ("d-2:0", False)]     # failed once, then succeeded
    finally:
        q.close()


def test_last_attempt_is_flagged(tmp_path, monkeypatch):
    monkeypatch.setattr("bot.queue.RETRY_DELAY", 0)
    runner = Recorder(fail_times=99)
    q = make_queue(embedded(tmp_path)).bind(runner)
    try:
        q.start(workers=1)
        q.enqueue(job("d-3"))
        assert q.wait_idle(30)
        assert runner.ran == [("d-3:0", False), ("d-3:0", False), ("d-3:0", True)]   # RETRIES = 2
    finally:
        q.close()


def test_deliveries_and_latest_sha_live_in_the_same_file(tmp_path):
    q = make_queue(embedded(tmp_path))
    assert q.claim_delivery("x") and not q.claim_delivery("x")
    q.enqueue(job("d-1", sha="1" * 40))
    q.enqueue(job("d-2", sha="2" * 40))
    q.enqueue(job("d-3", number=2, sha="3" * 40))
    q.enqueue(job("d-4", sha="9" * 40, reason="check_run.rerequested"))   # not a push: no effect
    assert q.latest_head("octo/app#1") == "2" * 40 and q.latest_head("octo/app#2") == "3" * 40
    q.close()
    again = make_queue(embedded(tmp_path))
    try:
        assert not again.claim_delivery("x")                             # remembered across restarts
        assert again.latest_head("octo/app#1") == "2" * 40
    finally:
        again.close()


def test_seen_deliveries_expire(tmp_path):
    now = [1000.0]
    store = SqliteStore(str(tmp_path / "kv.db"), clock=lambda: now[0])
    assert store.claim("delivery:a", "1", ttl=60)
    now[0] += 59
    assert not store.claim("delivery:a", "1", ttl=60) and store.get("delivery:a") == "1"
    now[0] += 2
    assert store.get("delivery:a") is None
    assert store.claim("delivery:a", "1", ttl=60)
    store.close()


def test_concurrent_claims_have_one_winner(tmp_path):
    q = make_queue(embedded(tmp_path))
    wins = []
    threads = [threading.Thread(target=lambda: wins.append(q.claim_delivery("same"))) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q.close()
    assert sorted(wins) == [False] * 15 + [True]


# --- redis ---------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A private redis-server on a free port, without persistence, stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server); .ci/run installs it")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis
    client = redis.Redis(port=port)
    try:
        wait_for(lambda: _pings(client), timeout=10, message="redis-server to start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        proc.terminate()
        proc.wait(10)


def _pings(client) -> bool:
    import redis
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


def redis_settings(url: str) -> Settings:
    return Settings(app_id=1, private_key=PEM, queue=url)


def test_redis_jobs_are_shared_by_many_workers(redis_url):
    producer = make_queue(redis_settings(redis_url))        # the web process: enqueue only
    runners = [Recorder(), Recorder()]
    workers = [make_queue(redis_settings(redis_url)).bind(r) for r in runners]   # two `cdk-review worker`s
    try:
        for i in range(20):
            producer.enqueue(job(f"d-{i}", number=i + 1))
        assert producer.depth() == 20
        for w in workers:
            w.start(workers=2)
        wait_for(lambda: len(runners[0].ids()) + len(runners[1].ids()) == 20, timeout=20,
                 message="20 jobs to run")
        done = runners[0].ids() + runners[1].ids()
        assert sorted(done) == sorted(f"d-{i}:0" for i in range(20))      # each job exactly once
        assert producer.depth() == 0
    finally:
        for w in workers:
            w.close()
        producer.close()


def test_redis_dedupe_and_latest_sha_are_shared(redis_url):
    a, b = make_queue(redis_settings(redis_url)), make_queue(redis_settings(redis_url))
    try:
        assert a.claim_delivery("d") and not b.claim_delivery("d")
        a.enqueue(job("d-1", sha="1" * 40))
        b.enqueue(job("d-2", sha="2" * 40))
        assert a.latest_head("octo/app#1") == b.latest_head("octo/app#1") == "2" * 40
        a.release_delivery("d")
        assert b.claim_delivery("d")
        ttl = b.store._conn.ttl("cdk-review:delivery:d")
        assert 0 < ttl <= b.delivery_ttl
    finally:
        a.close()
        b.close()


def test_redis_job_survives_a_worker_that_was_not_running(redis_url):
    make_queue(redis_settings(redis_url)).enqueue(job("d-late"))
    runner = Recorder()
    late = make_queue(redis_settings(redis_url)).bind(runner)
    try:
        late.start(workers=1)
        wait_for(lambda: runner.ids() == ["d-late:0"], timeout=10, message="the queued job")
    finally:
        late.close()


def test_worker_command_explains_the_embedded_queue(capsys, monkeypatch, tmp_path):
    from bot.cli import main
    monkeypatch.setenv("GITHUB_APP_ID", "1")
    monkeypatch.setenv("GITHUB_PRIVATE_KEY", PEM)
    monkeypatch.delenv("CDK_REVIEW_QUEUE", raising=False)
    assert main(["worker"]) == 2
    assert "workers run inside `cdk-review serve`" in capsys.readouterr().err
