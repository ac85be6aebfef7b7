"""The request pipeline every emulated endpoint goes through, in GitHub's order:
fault injection -> authentication (401) -> repository access (404) -> App permission
(403) -> request validation against the OpenAPI description (422) -> the handler.

Endpoint modules register handlers with `@route(...)`; `app.create_app` mounts them.
"""
from __future__ import annotations

import json
import math
import re
import socket
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

import jwt
from flask import Response, current_app, g, request

from .state import now

DOCS = "https://docs.github.com/rest"
RATE_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
LEVELS = {"none": 0, "read": 1, "write": 2, "admin": 3}


@dataclass
class Route:
    rule: str
    methods: list[str]
    func: object
    auth: str  # "jwt" (the App itself) or "token" (an installation token)
    perm: tuple  # alternatives: (("issues", "write"), ("pull_requests", "write"))
    op: str | None  # OpenAPI path template when it differs from the Flask rule


ROUTES: list[Route] = []


def route(rule: str, methods=("GET",), *, auth: str = "token", perm=(), op: str | None = None):
    """Register a handler. `perm`: (permission, level) pairs, any one of which suffices."""
    def deco(func):
        ROUTES.append(Route(rule, list(methods), func, auth, tuple(perm), op))
        return func
    return deco


def emu():
    return current_app.config["EMULATOR"]


def gh_json(data, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(data), status=status, headers=headers or {}, mimetype="application/json")


def gh_error(status: int, message: str, errors=None, doc: str | None = None, headers=None) -> Response:
    """GitHub's error body: message, optional errors, documentation_url, status (a string)."""
    body = {"message": message}
    if errors is not None:
        body["errors"] = errors
    body["documentation_url"] = doc or (g.op.docs_url if getattr(g, "op", None) else DOCS)
    body["status"] = str(status)
    return gh_json(body, status, headers)


def validation_failed(resource: str, errors: list[dict]) -> Response:
    """Rails-style 422 `Validation Failed` with per-field errors."""
    return gh_error(422, "Validation Failed", [{"resource": resource, **e} for e in errors])


def unprocessable(*reasons: str) -> Response:
    """422 `Unprocessable Entity`; several reasons are joined like Rails' to_sentence,
    which is how GitHub reports them (one string in `errors`)."""
    r = list(dict.fromkeys(reasons))
    sentence = r[0] if len(r) == 1 else f"{r[0]} and {r[1]}" if len(r) == 2 else ", ".join(r[:-1]) + f", and {r[-1]}"
    return gh_error(422, "Unprocessable Entity", [sentence])


def page_of(items: list, cap: int | None = None) -> tuple[list, str | None]:
    """GitHub pagination: `per_page` (default 30, max 100) and `page`; returns the page and
    a Link header with rel="next"/"last" (and "prev"/"first" after page 1).
    https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api"""
    def arg(name: str, default: int) -> int:
        try:
            return max(1, int(request.args.get(name, default)))
        except ValueError:
            return default
    per_page, page = min(arg("per_page", 30), 100), arg("page", 1)
    if cap is not None:
        items = items[:cap]
    last = max(1, math.ceil(len(items) / per_page))

    def url(p: int) -> str:
        args = {**request.args.to_dict(), "per_page": per_page, "page": p}
        return f"{emu().server_url}{request.path}?{urlencode(args)}"
    links = [f'<{url(min(page - 1, last))}>; rel="prev"'] if page > 1 else []
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links += [f'<{url(1)}>; rel="first"']
    return items[(page - 1) * per_page: page * per_page], ", ".join(links) or None


def paginate(items: list, wrap: str | None = None, cap: int | None = None, shape=None) -> Response:
    """A paginated list response; `wrap` names the list inside {"total_count", wrap: [...]}."""
    chunk, link = page_of(items, cap)
    chunk = [shape(x) for x in chunk] if shape else chunk
    body = {"total_count": len(items if cap is None else items[:cap]), wrap: chunk} if wrap else chunk
    return gh_json(body, headers={"Link": link} if link else None)


# --- authentication ------------------------------------------------------------------------

def _credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return (scheme.lower(), value.strip()) if value else None


def verify_app_jwt() -> tuple[object | None, str | None]:
    """The App's JWT: RS256, signed by the App's key, `iss` = app id, `iat` not in the
    future, `exp` in the future, at most 10 minutes after `iat` and after now.
    https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
    Returns (installation of that app, None) or (None, GitHub's error message)."""
    cred = _credentials()
    if not cred or cred[0] != "bearer" or cred[1].count(".") != 2:
        return None, "A JSON web token could not be decoded"
    token = cred[1]
    try:
        header, claims = jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None, "A JSON web token could not be decoded"
    apps = [i for i in emu().state.installations.values() if str(i.app_id) == str(claims.get("iss"))]
    if header.get("alg") != "RS256" or not apps:
        return None, "A JSON web token could not be decoded"
    try:
        jwt.decode(token, apps[0].public_key_pem, algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False})
    except jwt.PyJWTError:
        return None, "A JSON web token could not be decoded"
    t = int(now().timestamp())
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or iat > t + emu().clock_skew:
        return None, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
    if not isinstance(exp, (int, float)) or exp <= t:
        return None, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
    if exp - iat > 600 or exp > t + 600 + emu().clock_skew:
        return None, "'Expiration time' claim ('exp') is too far in the future"
    return apps[0], None


def verify_token():
    """An installation access token (`token X` or `Bearer X`) issued here and not expired."""
    cred = _credentials()
    if not cred:
        return None, "Requires authentication"
    tok = emu().state.tokens.get(cred[1]) if cred[0] in ("token", "bearer") else None
    if tok is None or tok.expires_at <= now():
        return None, "Bad credentials"
    return tok, None


def allows(granted: dict, perm: tuple) -> bool:
    return not perm or any(LEVELS[granted.get(name, "none")] >= LEVELS[level] for name, level in perm)


# --- faults -------------------------------------------------------------------------------

def fault_response(fault, installation_id: int | None) -> Response | None:
    if fault.kind == "drop":
        request.get_data()  # read the body so the client sees a clean close, not a reset
        sock = request.environ.get("werkzeug.socket")
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        return Response(b"", status=500)  # never reaches the client
    if fault.kind == "error":
        msg = {500: "Server Error", 502: "Server Error", 503: "Service Unavailable", 504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."}
        return gh_error(fault.status, msg.get(fault.status, "Server Error"), doc=DOCS)
    if fault.kind == "secondary_rate_limit":
        return gh_error(fault.status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                        f"If you reach out to GitHub Support for help, please include the request ID {g.request_id}.",
                        doc=f"{RATE_DOCS}#about-secondary-rate-limits",
                        headers={"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None)
    if fault.kind == "primary_rate_limit":
        reset = int(now().timestamp()) + fault.reset_in
        return gh_error(fault.status, f"API rate limit exceeded for installation ID {installation_id or 0}.", doc=RATE_DOCS,
                        headers={"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000",
                                 "x-ratelimit-reset": str(reset), "x-ratelimit-resource": "core"})
    raise ValueError(fault.kind)


# --- the pipeline -------------------------------------------------------------------------

def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def handle(r: Route, kwargs: dict) -> Response:
    """Faults first (or, with `after`, once the request has done its work), then the rest."""
    e = emu()
    g.op = e.openapi.operation(request.method, r.op or openapi_path(r.rule))
    fault = e._take_fault(request.method, g.path)
    if fault and not fault.after:
        return _fault(fault, r)
    resp = _authorized(e, r, kwargs)
    return _fault(fault, r) if fault else resp


def _fault(fault, r: Route) -> Response:
    g.dropped = fault.kind == "drop"
    tok = verify_token()[0] if r.auth == "token" else None
    return fault_response(fault, tok.installation.id if tok else None)


def _authorized(e, r: Route, kwargs: dict) -> Response:
    if r.auth == "jwt":
        g.installation, err = verify_app_jwt()
        if err:
            return gh_error(401, err, doc=DOCS)
        g.token = None
    else:
        g.token, err = verify_token()
        if err:
            return gh_error(401, err, doc=DOCS)
        g.installation = g.token.installation
    st = e.state
    with st.lock:
        if g.token is not None:
            g.token.used += 1
        g.actor = g.installation.bot_login
        if "owner" in kwargs:
            g.repo = st.repo(kwargs.pop("owner"), kwargs.pop("repo"))
            if g.repo is None or (g.token is not None and not g.installation.covers(g.repo)):
                return gh_error(404, "Not Found")
            if g.token is not None and not allows(g.token.permissions, r.perm):
                return gh_error(403, "Resource not accessible by integration")
        raw = request.get_data()
        try:
            g.body = json.loads(raw) if raw.strip() else None
        except ValueError:
            return gh_error(400, "Problems parsing JSON")
        if g.op is not None:
            reasons = e.openapi.validate_query(g.op, request.args.to_dict())
            if request.method in ("POST", "PATCH", "PUT"):
                reasons += e.openapi.validate_body(g.op, g.body)
            if reasons:
                e.validation_failures.append({"operation": g.op.id, "method": request.method, "path": g.path,
                                              "reasons": reasons, "body": g.body})
                return gh_error(422, "Invalid request.\n\n" + "\n".join(reasons), reasons)
        return r.func(**kwargs)


def make_view(r: Route):
    @wraps(r.func)
    def view(**kwargs):
        return handle(r, kwargs)
    return view
