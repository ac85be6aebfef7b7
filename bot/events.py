"""Webhook deliveries as data: signature check and parsing (pure, no Flask).

GitHub signs the raw request body with HMAC-SHA256 and the webhook secret and sends
`X-Hub-Signature-256: sha256=<hex>`. The check runs on the raw bytes BEFORE anything
parses them, compares in constant time, and accepts nothing else (no SHA-1
`X-Hub-Signature`, no unsigned delivery).
https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature-256"
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
_PREFIX = "sha256="


def signature(secret: str | bytes, body: bytes) -> str:
    """The X-Hub-Signature-256 value GitHub sends for `body`."""
    key = secret.encode() if isinstance(secret, str) else secret
    return _PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_signature(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """True only for a well-formed sha256 signature of `body` made with `secret`."""
    if not secret or not header or not header.startswith(_PREFIX):
        return False
    return hmac.compare_digest(signature(secret, body).encode(), header.strip().encode())


class EventError(ValueError):
    """A delivery that cannot be parsed: the webhook answers 400 with this message."""


@dataclass(frozen=True)
class Event:
    name: str                   # X-GitHub-Event: pull_request, check_run, ...
    delivery: str               # X-GitHub-Delivery: a GUID, unique per delivery (kept on redelivery)
    payload: dict[str, Any]

    @property
    def action(self) -> str | None:
        action = self.payload.get("action")
        return action if isinstance(action, str) else None

    @property
    def installation_id(self) -> int | None:
        inst = self.payload.get("installation")
        value = inst.get("id") if isinstance(inst, dict) else None
        return value if isinstance(value, int) else None

    @property
    def repo(self) -> str | None:
        repo = self.payload.get("repository")
        name = repo.get("full_name") if isinstance(repo, dict) else None
        return name if isinstance(name, str) else None

    @classmethod
    def from_http(cls, headers: Mapping[str, str], body: bytes) -> "Event":
        """Parse a (signature-checked) delivery. Raises EventError."""
        name = (headers.get(EVENT_HEADER) or "").strip()
        delivery = (headers.get(DELIVERY_HEADER) or "").strip()
        missing = [h for h, v in ((EVENT_HEADER, name), (DELIVERY_HEADER, delivery)) if not v]
        if missing:
            raise EventError(f"missing header {', '.join(missing)}")
        if len(delivery) > 100 or len(name) > 100:
            raise EventError("header value too long")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise EventError("the body is not valid JSON") from None
        if not isinstance(payload, dict):
            raise EventError("the body must be a JSON object")
        return cls(name, delivery, payload)
