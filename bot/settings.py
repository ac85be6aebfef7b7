"""The App's settings: one frozen object, built once from the environment (and an
optional YAML file) and passed to whatever needs it. Nothing reads the environment at
import time; the private key and the webhook secret never appear in a repr or a log.

Variables (CONTRACT.md): GITHUB_APP_ID, GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH,
GITHUB_WEBHOOK_SECRET, GITHUB_API_URL, CDK_REVIEW_QUEUE, CDK_REVIEW_DATA_DIR; tuning:
CDK_REVIEW_WORKERS (job threads per process), CDK_REVIEW_GITHUB_WRITE_INTERVAL (seconds
between write requests, GitHub's advice against secondary rate limits: 1).
The config file (CDK_REVIEW_CONFIG=path) is a YAML mapping with the same names as keys;
the environment wins over it.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

DEFAULT_API_URL = "https://api.github.com"
EMBEDDED = "embedded"
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_KEYS = ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_PRIVATE_KEY_PATH", "GITHUB_WEBHOOK_SECRET",
         "GITHUB_API_URL", "CDK_REVIEW_QUEUE", "CDK_REVIEW_DATA_DIR", "CDK_REVIEW_WORKERS",
         "CDK_REVIEW_GITHUB_WRITE_INTERVAL")


class SettingsError(ValueError):
    """Settings that cannot be used; str() is the message for the operator."""


@dataclass(frozen=True)
class Settings:
    app_id: int
    private_key: str = field(repr=False)
    webhook_secret: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    queue: str = EMBEDDED
    data_dir: str = "./.cdk-review"
    workers: int = 2
    # PyGithub's defaults: reads back to back, writes 1 s apart (GitHub's advice).
    seconds_between_requests: float = 0.0
    seconds_between_writes: float = 1.0
    delivery_ttl: int = 7 * 24 * 3600      # GitHub redelivers up to 3 days back

    @property
    def redis(self) -> bool:
        return self.queue != EMBEDDED

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, config_file: str | None = None,
                 webhook: bool = True) -> "Settings":
        """Settings from `environ` (default os.environ) over the YAML file named by
        `config_file` or CDK_REVIEW_CONFIG. `webhook=False` (the `worker` command) does not
        require GITHUB_WEBHOOK_SECRET."""
        environ = os.environ if environ is None else environ
        values = _file_values(config_file or environ.get("CDK_REVIEW_CONFIG"))
        values.update({k: environ[k] for k in _KEYS if environ.get(k, "") != ""})

        missing = [k for k in ("GITHUB_APP_ID",) if k not in values]
        if "GITHUB_PRIVATE_KEY" not in values and "GITHUB_PRIVATE_KEY_PATH" not in values:
            missing.append("GITHUB_PRIVATE_KEY (or GITHUB_PRIVATE_KEY_PATH)")
        if webhook and "GITHUB_WEBHOOK_SECRET" not in values:
            missing.append("GITHUB_WEBHOOK_SECRET")
        if missing:
            raise SettingsError("missing settings: " + ", ".join(missing)
                                + " (set them in the environment or in the CDK_REVIEW_CONFIG file)")
        return cls(
            app_id=_int(values, "GITHUB_APP_ID", minimum=1),
            private_key=_private_key(values),
            webhook_secret=str(values.get("GITHUB_WEBHOOK_SECRET", "")),
            api_url=_api_url(str(values.get("GITHUB_API_URL", DEFAULT_API_URL))),
            queue=_queue(str(values.get("CDK_REVIEW_QUEUE", EMBEDDED))),
            data_dir=str(values.get("CDK_REVIEW_DATA_DIR", "./.cdk-review")),
            workers=_int(values, "CDK_REVIEW_WORKERS", minimum=1, default=2),
            seconds_between_writes=_float(values, "CDK_REVIEW_GITHUB_WRITE_INTERVAL", default=1.0),
        )


def _file_values(path: str | None) -> dict:
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except OSError as exc:
        raise SettingsError(f"cannot read the config file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: invalid YAML ({type(exc).__name__})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a mapping of settings")
    unknown = sorted(str(k) for k in data if k not in _KEYS)
    if unknown:
        raise SettingsError(f"{path}: unknown settings {', '.join(unknown)}; known: {', '.join(_KEYS)}")
    return {k: v for k, v in data.items() if v is not None and v != ""}


def _int(values: dict, key: str, *, minimum: int, default: int | None = None) -> int:
    raw = values.get(key, default)
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise SettingsError(f"{key} must be an integer, got {str(raw)[:40]!r}") from None
    if value < minimum:
        raise SettingsError(f"{key} must be at least {minimum}, got {value}")
    return value


def _float(values: dict, key: str, *, default: float) -> float:
    raw = values.get(key, default)
    try:
        value = float(str(raw).strip())
    except ValueError:
        raise SettingsError(f"{key} must be a number of seconds, got {str(raw)[:40]!r}") from None
    if value < 0:
        raise SettingsError(f"{key} must not be negative")
    return value


def _private_key(values: dict) -> str:
    if "GITHUB_PRIVATE_KEY" in values:
        key, where = str(values["GITHUB_PRIVATE_KEY"]), "GITHUB_PRIVATE_KEY"
        if "\n" not in key.strip() and "\\n" in key:
            key = key.replace("\\n", "\n")       # a PEM squeezed onto one line (.env files)
    else:
        path = str(values["GITHUB_PRIVATE_KEY_PATH"])
        where = f"GITHUB_PRIVATE_KEY_PATH ({path})"
        try:
            with open(path, encoding="utf-8") as fh:
                key = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"cannot read the private key file {path}: "
                                f"{getattr(exc, 'strerror', None) or type(exc).__name__}") from None
    if "-----BEGIN" not in key or "PRIVATE KEY-----" not in key:
        # never echo the value: it may be a real key pasted wrongly
        raise SettingsError(f"{where} is not a PEM private key (expected '-----BEGIN ... PRIVATE KEY-----')")
    return key.strip() + "\n"


def _api_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise SettingsError(f"GITHUB_API_URL must be an http(s) URL, got {url[:80]!r}")
    return url


def _queue(queue: str) -> str:
    queue = queue.strip()
    if queue == EMBEDDED or queue.startswith(_REDIS_SCHEMES):
        return queue
    raise SettingsError(f"CDK_REVIEW_QUEUE must be 'embedded' or a redis:// URL, got {queue[:80]!r}")
