"""The Flask application: mounts the endpoint modules under the API prefix, stamps
GitHub's response headers, records every request, and checks each JSON response
against the OpenAPI description of its operation."""
from __future__ import annotations

import time
import traceback
import uuid
from dataclasses import dataclass, field

from flask import Blueprint, Flask, g, request
from werkzeug.exceptions import HTTPException

from . import api_checks, api_pulls, api_repos  # noqa: F401  (they register their routes)
from .pipeline import DOCS, ROUTES, gh_error, make_view


@dataclass
class RequestRecord:
    method: str
    path: str  # relative to the API prefix, without the query string
    query: dict
    status: int | None  # None: the connection was dropped on purpose
    body: object = None  # the request's JSON body
    response: object = field(default=None, repr=False)  # the response's JSON body
    operation: str | None = None  # OpenAPI operationId when the endpoint is in the subset


def create_app(emu) -> Flask:
    app = Flask("github_emulator")
    app.config["EMULATOR"] = emu
    bp = Blueprint("api", __name__, url_prefix=emu.api_prefix or None)
    for i, r in enumerate(ROUTES):
        bp.add_url_rule(r.rule, endpoint=f"{r.func.__name__}_{i}", view_func=make_view(r), methods=r.methods)
    app.register_blueprint(bp)

    @app.before_request
    def start():
        g.request_id = uuid.uuid4().hex[:16].upper()
        g.path = request.path[len(emu.api_prefix):] if request.path.startswith(emu.api_prefix) else request.path
        g.started = time.monotonic()

    @app.after_request
    def finish(resp):
        resp.headers["X-GitHub-Request-Id"] = g.request_id
        resp.headers["X-GitHub-Media-Type"] = "github.v3; format=json"
        resp.headers.setdefault("X-GitHub-Api-Version-Selected", "2022-11-28")
        tok = getattr(g, "token", None)
        if tok is not None and "x-ratelimit-remaining" not in resp.headers:
            resp.headers.update({"x-ratelimit-limit": "5000", "x-ratelimit-remaining": str(max(0, 5000 - tok.used)),
                                 "x-ratelimit-used": str(tok.used), "x-ratelimit-reset": str(int(time.time()) + 3600),
                                 "x-ratelimit-resource": "core"})
        payload = resp.get_json(silent=True) if resp.is_json else None
        op = getattr(g, "op", None)
        dropped = getattr(g, "dropped", False)
        emu.requests.append(RequestRecord(request.method, g.path, request.args.to_dict(),
                                          None if dropped else resp.status_code,
                                          getattr(g, "body", None) or request.get_json(silent=True), payload,
                                          op.id if op else None))
        if emu.validate_responses and op is not None and resp.is_json and resp.status_code < 300 and not dropped:
            emu.response_violations.extend(emu.openapi.validate_response(op, resp.status_code, payload))
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc):
        messages = {404: "Not Found", 405: "Not Found"}
        return gh_error(exc.code if exc.code != 405 else 404, messages.get(exc.code, exc.name), doc=DOCS)

    @app.errorhandler(Exception)
    def crash(exc):
        emu.server_errors.append(traceback.format_exc())
        return gh_error(500, "Emulator error: " + repr(exc), doc=DOCS)

    return app
