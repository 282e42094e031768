"""Where Flask-Limiter counts, and how it fails: shared by every process, with timeouts.

Limits count where session memory lives, so that every process (every gunicorn worker) counts
one client alike: in the same Redis with SESSION_TYPE=redis, otherwise in the embedded store's
SQLite file (Flask-Limiter's memory:// counts per process). The `limits` library has no storage
on a local file, so SQLiteStorage below is a small one of our own, registered as sqlite://.

A limiter that cannot count fails closed, with the same 503 as the session store: every
limited request (a new draft, an upload, a write of the HTTP API) writes to that same store
next, so letting it through would only fail a timeout later, and unlimited writes are what a
full store least needs.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from flask import Flask
from flask_limiter import Limiter
from limits.storage import Storage
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from .memory.store import connect_wal

_REDIS_SCHEMES = ("redis", "rediss", "redis+unix")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_limits (
    key TEXT PRIMARY KEY,
    hits INTEGER NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_limits_expires ON rate_limits (expires);
"""
# One statement, so concurrent processes cannot lose a hit: a window that has run out
# starts again at this hit.
_INCR = """
INSERT INTO rate_limits (key, hits, expires) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN expires <= :now THEN :amount ELSE hits + :amount END,
    expires = CASE WHEN expires <= :now THEN :now + :expiry ELSE expires END
RETURNING hits
"""


def check_only_limited_views(app: Flask, limiter: Limiter) -> None:
    """Drop Flask-Limiter's check before every request. This app sets no default or
    application-wide limits: only decorated views are limited, and their decorator checks
    them; the check before every other request found nothing to count, at a cost every page
    paid (`python -m bench http`)."""
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return  # limits on every request, configured by hand: they need the check
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if hook != limiter._check_request_limit]


def configure(app: Flask) -> None:
    """Count where session memory lives unless configured; give Redis the store's timeouts."""
    config = app.config
    if not config["RATELIMIT_STORAGE_URI"]:
        config["RATELIMIT_STORAGE_URI"] = (
            config["REDIS_URL"] if config["SESSION_TYPE"] == "redis" else _sqlite_uri(app)
        )
    options: dict[str, Any] = {"wrap_exceptions": True}  # raised as limits' StorageError
    uri = str(config["RATELIMIT_STORAGE_URI"])
    if urlparse(uri).scheme in _REDIS_SCHEMES:
        options.update(_redis_options(float(config["REDIS_TIMEOUT"])))
    config["RATELIMIT_STORAGE_OPTIONS"] = {
        **options,
        **(config.get("RATELIMIT_STORAGE_OPTIONS") or {}),
    }


def _redis_options(timeout: float) -> dict[str, Any]:
    """Without timeouts redis-py waits for a paused Redis as long as it is paused. A call
    that timed out is not retried (a counter may have counted it; the 503 comes after one
    timeout); a dropped pooled connection is, once."""
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": Retry(NoBackoff(), retries=1, supported_errors=(RedisConnectionError,)),
    }


def _sqlite_uri(app: Flask) -> str:
    path = app.config["WIZARD_SQLITE_STORE"] or Path(app.instance_path) / "memory.sqlite3"
    return f"sqlite:///{Path(path).resolve()}"


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite file, shared by every process that opens it."""

    STORAGE_SCHEME = ["sqlite"]  # noqa: RUF012  (limits registers the schemes of a list)

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = urlparse(uri).path
        self._busy_timeout_ms = int(options.get("busy_timeout_ms", 5000))
        self._local = threading.local()
        connection = self._connect()  # closed at once: forked workers must open their own
        try:
            connection.executescript(_SCHEMA)
        finally:
            connection.close()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connect(self) -> sqlite3.Connection:
        return connect_wal(self.path, self._busy_timeout_ms)

    @property
    def _conn(self) -> sqlite3.Connection:
        # One connection per thread and process: a forked worker never uses its parent's.
        if getattr(self._local, "pid", None) != os.getpid():
            self._local.conn, self._local.pid = self._connect(), os.getpid()
        conn: sqlite3.Connection = self._local.conn
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add amount to key's window, starting a new one of expiry seconds if it ran out."""
        now = time.time()
        params = {"key": key, "amount": amount, "now": now, "expiry": expiry}
        hits = int(self._conn.execute(_INCR, params).fetchone()[0])
        if hits == amount:  # a new window: a moment to let ended ones go
            self._conn.execute("DELETE FROM rate_limits WHERE expires <= ?", (now,))
        return hits

    def get(self, key: str) -> int:
        """The hits in key's current window (0 when it has none)."""
        query = "SELECT hits FROM rate_limits WHERE key = ? AND expires > ?"
        row = self._conn.execute(query, (key, time.time())).fetchone()
        return 0 if row is None else int(row[0])

    def get_expiry(self, key: str) -> float:
        """When key's current window ends (now when it has none)."""
        now = time.time()
        query = "SELECT expires FROM rate_limits WHERE key = ? AND expires > ?"
        row = self._conn.execute(query, (key, now)).fetchone()
        return now if row is None else float(row[0])

    def check(self) -> bool:
        """Whether the file answers."""
        try:
            self._conn.execute("SELECT 1 FROM rate_limits LIMIT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; say how many went."""
        return int(self._conn.execute("DELETE FROM rate_limits").rowcount)

    def clear(self, key: str) -> None:
        """Forget key's counter."""
        self._conn.execute("DELETE FROM rate_limits WHERE key = ?", (key,))
