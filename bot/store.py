"""Small facts with an expiry, kept next to the queue (same SQLite file / same Redis):
deliveries already accepted, the latest head sha per pull request, the check run a job
created (so a retried job updates it instead of opening a second one).

Two implementations of one interface; keys and values are short strings.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from typing import Protocol


class Store(Protocol):
    def claim(self, key: str, value: str, ttl: int) -> bool:
        """Set `key` unless it is set and unexpired; True when this call set it (atomic)."""

    def put(self, key: str, value: str, ttl: int) -> None: ...

    def get(self, key: str) -> str | None: ...

    def delete(self, key: str) -> None: ...


class SqliteStore:
    """A table in the embedded queue's SQLite file (WAL: readers don't block the writer)."""

    _DDL = ("create table if not exists cdk_review_kv (key text primary key, value text not null, "
            "expires real not null)",
            "create index if not exists cdk_review_kv_expires on cdk_review_kv (expires)")

    def __init__(self, filename: str, *, clock=time.time):
        self._clock = clock
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(filename, timeout=10, check_same_thread=False, isolation_level=None)
        self._conn.execute("pragma journal_mode=wal")
        for ddl in self._DDL:
            self._conn.execute(ddl)
        self._writes = 0

    def claim(self, key: str, value: str, ttl: int) -> bool:
        now = self._clock()
        with self._lock:
            cur = self._conn.execute(
                "insert into cdk_review_kv (key, value, expires) values (?, ?, ?) on conflict (key) do update "
                "set value = excluded.value, expires = excluded.expires where cdk_review_kv.expires <= ?",
                (key, value, now + ttl, now))
            self._maybe_purge(now)
            return cur.rowcount == 1

    def put(self, key: str, value: str, ttl: int) -> None:
        now = self._clock()
        with self._lock:
            self._conn.execute("insert or replace into cdk_review_kv (key, value, expires) values (?, ?, ?)",
                               (key, value, now + ttl))
            self._maybe_purge(now)

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("select value from cdk_review_kv where key = ? and expires > ?",
                                     (key, self._clock())).fetchone()
        return row[0] if row else None

    def delete(self, key: str) -> None:
        with self._lock:
            self._conn.execute("delete from cdk_review_kv where key = ?", (key,))

    def _maybe_purge(self, now: float) -> None:
        self._writes += 1
        if self._writes % 100 == 0:         # expired rows are invisible anyway; sweep now and then
            self._conn.execute("delete from cdk_review_kv where expires <= ?", (now,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class RedisStore:
    """Plain keys with TTLs in the queue's Redis (SET NX EX is the atomic claim)."""

    def __init__(self, conn, prefix: str = "cdk-review:"):
        self._conn = conn
        self._prefix = prefix

    def claim(self, key: str, value: str, ttl: int) -> bool:
        return bool(self._conn.set(self._prefix + key, value, nx=True, ex=max(1, int(ttl))))

    def put(self, key: str, value: str, ttl: int) -> None:
        self._conn.set(self._prefix + key, value, ex=max(1, int(ttl)))

    def get(self, key: str) -> str | None:
        value = self._conn.get(self._prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    def delete(self, key: str) -> None:
        self._conn.delete(self._prefix + key)

    def close(self) -> None:
        pass
