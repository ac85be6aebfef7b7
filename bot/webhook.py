"""HTTP endpoints: POST /webhook, GET /healthz, GET /metrics.

/webhook does only what must happen before answering: check the signature on the raw
bytes (401), parse (400), route to jobs, de-duplicate the delivery id, enqueue, and
answer 202 — in milliseconds; the review runs in the queue. Bodies over 25 MB (GitHub's
own cap on payloads) are refused with 413 by Flask before they are read.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, request

from bot.events import SIGNATURE_HEADER, Event, EventError, verify_signature

log = logging.getLogger(__name__)
bp = Blueprint("cdk_review", __name__)


def _ctx():
    return current_app.extensions["cdk_review"]


def _answer(status: int, event: str, outcome: str, **extra) -> tuple[Response, int]:
    _ctx().metrics.deliveries.labels(event, outcome).inc()
    return jsonify(status=outcome, **extra), status


@bp.post("/webhook")
def webhook():
    ctx = _ctx()
    body = request.get_data(cache=False)             # raw bytes: what GitHub signed
    event_name = (request.headers.get("X-GitHub-Event") or "unknown")[:64]
    if not verify_signature(ctx.settings.webhook_secret, body, request.headers.get(SIGNATURE_HEADER)):
        log.warning("delivery %s: missing or bad %s", request.headers.get("X-GitHub-Delivery", "?")[:64],
                    SIGNATURE_HEADER)
        return _answer(401, "unknown", "bad_signature", message="bad or missing X-Hub-Signature-256")
    try:
        event = Event.from_http(request.headers, body)
    except EventError as exc:
        return _answer(400, event_name, "malformed", message=str(exc))
    if event.name == "ping":
        return _answer(200, "ping", "pong", zen=str(event.payload.get("zen", "")))
    if not ctx.router.handles(event):
        return _answer(202, event.name, "ignored")
    jobs = ctx.router.dispatch(event, ctx.handler_context)
    if not jobs:
        return _answer(202, event.name, "ignored")
    if not ctx.queue.claim_delivery(event.delivery):
        log.info("delivery %s (%s): seen before, ignored", event.delivery, event.name)
        return _answer(202, event.name, "duplicate")
    try:
        for job in jobs:
            ctx.queue.enqueue(job)
    except Exception:
        ctx.queue.release_delivery(event.delivery)  # let a redelivery try again
        log.exception("delivery %s: could not enqueue", event.delivery)
        return _answer(503, event.name, "queue_unavailable")
    log.info("delivery %s (%s.%s, %s): %d job(s) queued", event.delivery, event.name, event.action,
             event.repo, len(jobs))
    return _answer(202, event.name, "accepted", jobs=len(jobs))


@bp.app_errorhandler(413)
def too_large(exc):
    return _answer(413, (request.headers.get("X-GitHub-Event") or "unknown")[:64], "too_large",
                   message="payload too large")


@bp.get("/healthz")
def healthz():
    ctx = _ctx()
    try:
        depth = ctx.queue.depth()
    except Exception as exc:                         # e.g. Redis down: not healthy
        return jsonify(status="error", queue=ctx.queue.backend, error=type(exc).__name__), 503
    return jsonify(status="ok", queue=ctx.queue.backend, depth=depth)


@bp.get("/metrics")
def metrics():
    ctx = _ctx()
    return Response(ctx.metrics.render(), mimetype=None, content_type=ctx.metrics.content_type)
