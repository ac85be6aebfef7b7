"""POST /webhook, /healthz, /metrics with GitHub's published payloads, signed here, sent
through Flask's test client AND through a real HTTP server on loopback."""
from __future__ import annotations

import json
import logging
import threading

import pytest
import requests
from werkzeug.serving import make_server

from bot.app import create_app
from bot.jobs import Job
from bot.queue import make_queue
from bot.settings import Settings
from tests.bot_support import SECRET, new_delivery, payload, signed

PEM = "-----BEGIN RSA PRIVATE KEY-----\nnot-used-here\n-----END RSA PRIVATE KEY-----\n"


class _Client:
    """post(raw bytes, headers) -> (status, json) through the test client."""

    def __init__(self, app):
        self.client = app.test_client()

    def post(self, raw: bytes, headers: dict):
        r = self.client.post("/webhook", data=raw, headers=headers)
        return r.status_code, r.get_json(silent=True)

    def get(self, path: str):
        r = self.client.get(path)
        return r.status_code, r.data, r.headers.get("Content-Type")


class _Server:
    """The same through werkzeug's server on 127.0.0.1 (a real socket and HTTP parser)."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def post(self, raw: bytes, headers: dict):
        r = requests.post(self.url + "/webhook", data=raw, headers=headers, timeout=10)
        try:
            return r.status_code, r.json()
        except ValueError:
            return r.status_code, None

    def get(self, path: str):
        r = requests.get(self.url + path, timeout=10)
        return r.status_code, r.content, r.headers.get("Content-Type")

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def queue(tmp_path):
    """The real embedded queue (no workers: jobs stay queued for inspection)."""
    q = make_queue(Settings(app_id=1, private_key=PEM, data_dir=str(tmp_path)))
    yield q
    q.close()


@pytest.fixture
def app(queue):
    return create_app(Settings(app_id=29310, private_key=PEM, webhook_secret=SECRET), queue=queue)


@pytest.fixture(params=["test_client", "loopback"])
def http(request, app):
    transport = _Client(app) if request.param == "test_client" else _Server(app)
    yield transport
    if isinstance(transport, _Server):
        transport.close()


def queued(queue) -> list[Job]:
    return [Job.from_dict(t.args[0]) for t in queue.huey.pending()]


def body_of(name: str) -> bytes:
    return json.dumps(payload(name), indent=2).encode()


def event_of(name: str) -> str:
    return name.split(".")[0]


# --- signature ---------------------------------------------------------------------------------

def test_signed_pull_request_is_queued_with_202(http, queue):
    raw = body_of("pull_request.opened")
    status, answer = http.post(raw, signed(raw, "pull_request", "d-opened"))
    assert (status, answer) == (202, {"status": "accepted", "jobs": 1})
    [job] = queued(queue)
    assert (job.kind, job.repo, job.number, job.delivery, job.installation_id) == \
        ("review", "Codertocat/Hello-World", 2, "d-opened", 1)


def _tamper(headers: dict, **changes) -> dict:
    out = {k: v for k, v in headers.items() if k not in changes}
    out.update({k: v for k, v in changes.items() if v is not None})
    return out


@pytest.mark.parametrize("case", ["bad", "missing", "sha1_only", "other_secret", "body_changed"])
def test_bad_or_missing_signature_is_401_and_nothing_is_queued(http, queue, case):
    raw = body_of("pull_request.opened")
    headers = signed(raw, "pull_request")
    import hashlib
    import hmac
    if case == "bad":
        headers["X-Hub-Signature-256"] = "sha256=" + "0" * 64
    elif case == "missing":
        headers = _tamper(headers, **{"X-Hub-Signature-256": None})
    elif case == "sha1_only":
        headers = _tamper(headers, **{"X-Hub-Signature-256": None})
        headers["X-Hub-Signature"] = "sha1=" + hmac.new(SECRET.encode(), raw, hashlib.sha1).hexdigest()
    elif case == "other_secret":
        headers = signed(raw, "pull_request", secret="not-the-secret")
    elif case == "body_changed":
        raw = raw.replace(b'"opened"', b'"closed"')
    status, answer = http.post(raw, headers)
    assert status == 401 and answer["status"] == "bad_signature"
    assert queued(queue) == []


def test_signature_is_checked_before_parsing(http):
    status, _ = http.post(b"{not json", {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "x"})
    assert status == 401                        # not 400: unsigned garbage learns nothing


# --- malformed deliveries -------------------------------------------------------------------------

def test_malformed_json_is_400(http, queue):
    raw = b'{"action": "opened", '
    status, answer = http.post(raw, signed(raw, "pull_request"))
    assert status == 400 and answer == {"status": "malformed", "message": "the body is not valid JSON"}
    assert queued(queue) == []


@pytest.mark.parametrize("header", ["X-GitHub-Event", "X-GitHub-Delivery"])
def test_missing_event_headers_are_400(http, header):
    raw = body_of("pull_request.opened")
    headers = signed(raw, "pull_request")
    del headers[header]
    status, answer = http.post(raw, headers)
    assert status == 400 and answer["message"] == f"missing header {header}"


def test_payload_over_25_mb_is_413(http, queue):
    raw = b'{"pad": "' + b"x" * (25 * 1024 * 1024) + b'"}'
    status, _ = http.post(raw, signed(raw, "pull_request"))
    assert status == 413
    assert queued(queue) == []


# --- events --------------------------------------------------------------------------------------

def test_ping_is_200(http, queue):
    raw = body_of("ping")
    status, answer = http.post(raw, signed(raw, "ping"))
    assert status == 200 and answer["status"] == "pong" and answer["zen"]
    assert queued(queue) == []


@pytest.mark.parametrize("name,event", [("pull_request.closed", "pull_request"), ("pull_request.opened", "push"),
                                        ("installation.created", "installation"),
                                        ("issue_comment.created", "issue_comment")])
def test_unhandled_events_are_202_and_ignored(http, queue, name, event):
    raw = body_of(name)
    status, answer = http.post(raw, signed(raw, event))
    assert (status, answer) == (202, {"status": "ignored"})
    assert queued(queue) == []


@pytest.mark.parametrize("name", ["pull_request.synchronize", "pull_request.reopened",
                                  "pull_request.ready_for_review", "check_suite.rerequested"])
def test_handled_events_are_queued(http, queue, name):
    raw = body_of(name)
    status, _ = http.post(raw, signed(raw, event_of(name)))
    assert status == 202 and len(queued(queue)) == 1


def test_duplicate_delivery_is_accepted_once(http, queue):
    raw = body_of("pull_request.synchronize")
    delivery = new_delivery()
    first = http.post(raw, signed(raw, "pull_request", delivery))
    again = http.post(raw, signed(raw, "pull_request", delivery))
    other = http.post(raw, signed(raw, "pull_request"))
    assert first == (202, {"status": "accepted", "jobs": 1})
    assert again == (202, {"status": "duplicate"})
    assert other[1]["status"] == "accepted"
    assert [j.delivery for j in queued(queue)] == [delivery, other_delivery(queue, delivery)]


def other_delivery(queue, first: str) -> str:
    return next(j.delivery for j in queued(queue) if j.delivery != first)


def test_webhook_answers_in_milliseconds(http):
    import time
    raw = body_of("pull_request.opened")
    started = time.perf_counter()
    status, _ = http.post(raw, signed(raw, "pull_request"))
    assert status == 202 and time.perf_counter() - started < 1.0


# --- health and metrics --------------------------------------------------------------------------

def test_healthz_and_metrics(http):
    raw = body_of("pull_request.opened")
    http.post(raw, signed(raw, "pull_request"))
    http.post(raw, signed(raw, "pull_request", secret="wrong"))
    status, data, _ = http.get("/healthz")
    assert status == 200 and json.loads(data) == {"status": "ok", "queue": "embedded", "depth": 1}
    status, data, content_type = http.get("/metrics")
    text = data.decode()
    assert status == 200 and content_type.startswith("text/plain")
    assert 'cdk_review_webhook_deliveries_total{event="pull_request",outcome="accepted"} 1.0' in text
    assert 'cdk_review_webhook_deliveries_total{event="unknown",outcome="bad_signature"} 1.0' in text
    assert "cdk_review_queue_depth 1.0" in text
    for name in ("cdk_review_reviews_total", "cdk_review_review_duration_seconds", "cdk_review_findings_total",
                 "cdk_review_github_api_calls_total", "cdk_review_github_api_errors_total"):
        assert f"# TYPE {name.removesuffix('_total')}" in text


def test_each_app_has_its_own_registry(queue):
    settings = Settings(app_id=1, private_key=PEM, webhook_secret=SECRET)
    a, b = create_app(settings, queue=queue), create_app(settings, queue=queue)
    raw = body_of("ping")
    a.test_client().post("/webhook", data=raw, headers=signed(raw, "ping"))
    assert b'outcome="pong"} 1.0' in a.test_client().get("/metrics").data
    assert b'outcome="pong"' not in b.test_client().get("/metrics").data


def test_secrets_never_reach_the_logs(caplog, queue, app_private_key):
    caplog.set_level(logging.DEBUG)
    settings = Settings(app_id=1, private_key=app_private_key, webhook_secret=SECRET)
    app = create_app(settings, queue=queue)
    raw = body_of("pull_request.opened")
    client = app.test_client()
    client.post("/webhook", data=raw, headers=signed(raw, "pull_request"))
    client.post("/webhook", data=raw, headers=signed(raw, "pull_request", secret="x"))
    logged = caplog.text + repr(settings)
    assert SECRET not in logged and "PRIVATE KEY" not in logged
