"""Key-value stores with expiry that hold browser sessions and draft memory."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Protocol

# An update function gets the stored bytes (None when absent) and returns the new
# bytes, or None to delete the entry.
Mutation = Callable[[bytes | None], bytes | None]


class StoreUnavailableError(RuntimeError):
    """The session store could not be reached or could not write."""


class KeyValueStore(Protocol):
    """What session memory needs from a store: expiring entries and atomic updates."""

    name: str

    def get(self, key: str) -> bytes | None: ...

    def get_touch(self, key: str, ttl: float) -> bytes | None: ...

    def put(self, key: str, value: bytes, ttl: float) -> None: ...

    def delete(self, key: str) -> None: ...

    def update(self, key: str, mutate: Mutation, ttl: float) -> bytes | None: ...

    def delete_expired(self) -> int: ...

    def count(self) -> int: ...

    def ping(self) -> None: ...


# A rowid table, not WITHOUT ROWID: a draft entry (1-5 KB) then stays in its own page
# instead of spilling into overflow pages (measured: 3.3x less disk and 2.4x faster reads
# at 100,000 drafts; bench/store_bench.py).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    value BLOB NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_expires ON entries (expires);
"""


def connect_wal(path: str, busy_timeout_ms: int) -> sqlite3.Connection:
    """A connection to a SQLite file shared by threads and processes: autocommit, WAL, and
    synchronous=NORMAL (survives a killed process, not a power cut)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    # The wait first: switching to WAL takes a lock another process may hold at start.
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    _switch_to_wal(conn, busy_timeout_ms / 1000)
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _switch_to_wal(conn: sqlite3.Connection, patience: float) -> None:
    """Two processes opening a new file at once: SQLite answers "database is locked" at
    once, without its busy handler, when their locks would deadlock (seen in
    tests/adversarial/test_store_faults.py's two processes), so try again within the wait."""
    deadline = time.monotonic() + patience
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class SQLiteStore:
    """An embedded store: one SQLite file in WAL mode, safe across threads and processes.

    WAL lets readers run beside one writer; synchronous=NORMAL survives a killed
    process (not a power cut) and makes a write cost tens of microseconds.
    Nothing is ever evicted: entries leave only when they expire or are deleted.
    """

    name = "SQLite (embedded)"

    def __init__(self, path: str | Path, busy_timeout_ms: int = 5000) -> None:
        self.path = str(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        # A connection of its own, closed at once: none may be inherited by forked workers.
        with closing(self._connect()) as conn:
            conn.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = connect_wal(self.path, self._busy_timeout_ms)
        # Reads through a memory map instead of a read() per page, and the indexes kept in
        # this connection's cache: a get with 100,000 live drafts cost 1.40-1.48x that with
        # 1,000, now 1.19-1.26x (bench/store_scale.py). An I/O error on a mapped page would
        # surface as SIGBUS, not an exception: acceptable for a file on a local disk.
        conn.execute("PRAGMA cache_size=-16384")  # KiB
        conn.execute("PRAGMA mmap_size=1073741824")
        return conn

    @property
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _run(self, sql: str, *params: object) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as e:
            raise StoreUnavailableError(f"The session store at {self.path} failed: {e}") from e

    def get(self, key: str) -> bytes | None:
        """Return the live value of key, or None."""
        row = self._run(
            "SELECT value FROM entries WHERE key = ? AND expires > ?", key, time.time()
        ).fetchone()
        return None if row is None else bytes(row[0])

    def get_touch(self, key: str, ttl: float) -> bytes | None:
        """Return the live value of key and slide its expiry to ttl from now, in one step."""
        now = time.time()
        row = self._run(
            "UPDATE entries SET expires = ? WHERE key = ? AND expires > ? RETURNING value",
            now + ttl,
            key,
            now,
        ).fetchone()
        return None if row is None else bytes(row[0])

    def put(self, key: str, value: bytes, ttl: float) -> None:
        """Write value under key, to expire after ttl seconds."""
        self._run(
            "INSERT INTO entries (key, value, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
            key,
            value,
            time.time() + ttl,
        )

    def delete(self, key: str) -> None:
        """Remove key; no error if it is absent."""
        self._run("DELETE FROM entries WHERE key = ?", key)

    def update(self, key: str, mutate: Mutation, ttl: float) -> bytes | None:
        """Read, change and write key in one transaction, so concurrent updates never clash."""
        self._run("BEGIN IMMEDIATE")
        try:
            new = mutate(self.get(key))
            if new is None:
                self.delete(key)
            else:
                self.put(key, new, ttl)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._run("COMMIT")
        return new

    def delete_expired(self) -> int:
        """Delete every expired entry and return how many went."""
        return self._run("DELETE FROM entries WHERE expires <= ?", time.time()).rowcount

    def ping(self) -> None:
        """Raise StoreUnavailableError unless the store answers."""
        self._run("SELECT 1")

    def count(self) -> int:
        """Return the number of live entries."""
        row = self._run("SELECT count(*) FROM entries WHERE expires > ?", time.time()).fetchone()
        return int(row[0])
