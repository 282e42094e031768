"""Candidate session stores, each behind the app's KeyValueStore protocol.

Every adapter keeps the protocol's promises where its backend can: values expire,
update() reads, changes and writes one key, and a failed write raises
StoreUnavailableError. Where a backend cannot (cachelib has no transactions),
the docstring says so.
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from cachelib import FileSystemCache
from flask import session
from sqlalchemy import Engine, LargeBinary, String, create_engine, delete, event, func, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from app.memory.store import Mutation, StoreUnavailableError

KEY_PREFIXES = ("draft:", "session:")  # what the app keeps in a store


class DictStore:
    """Bytes in a Python dict: the app's encoding and session code, with no I/O at all."""

    name = "in-process dict"

    def __init__(self) -> None:
        self._dict: dict[str, Any] = {}

    def _entries(self) -> MutableMapping[str, Any]:
        return self._dict

    def _live(self) -> list[tuple[str, float]]:
        return [(k, v[1]) for k, v in self._entries().items() if k.startswith(KEY_PREFIXES)]

    def get(self, key: str) -> bytes | None:
        entry = self._entries().get(key)
        return bytes(entry[0]) if entry and entry[1] > time.time() else None

    def get_touch(self, key: str, ttl: float) -> bytes | None:
        value = self.get(key)
        if value is not None:
            self.put(key, value, ttl)
        return value

    def put(self, key: str, value: bytes, ttl: float) -> None:
        self._entries()[key] = (value, time.time() + ttl)

    def delete(self, key: str) -> None:
        self._entries().pop(key, None)

    def touch(self, key: str, ttl: float) -> None:
        self.get_touch(key, ttl)

    def update(self, key: str, mutate: Mutation, ttl: float) -> bytes | None:
        return _update(self, key, mutate, ttl)

    def delete_expired(self) -> int:
        now = time.time()
        expired = [key for key, expires in self._live() if expires <= now]
        for key in expired:
            self.delete(key)
        return len(expired)

    def count(self) -> int:
        now = time.time()
        return sum(1 for _, expires in self._live() if expires > now)


class CookieStore(DictStore):
    """Entries kept in flask.session: with Flask's own session, inside the signed cookie.

    Only usable inside a request. Each write reassigns a top-level key, so Flask
    re-signs and re-sends the cookie.
    """

    name = "signed cookie"

    def _entries(self) -> MutableMapping[str, Any]:
        return session


class CachelibStore:
    """Flask-Session's filesystem store: cachelib FileSystemCache, one pickled file per key.

    threshold=0, because any threshold evicts live sessions. cachelib has no touch and
    no transactions: get_touch rewrites the file, update is read-then-write (not atomic
    across processes), and expiry has whole-second resolution.
    """

    name = "cachelib FileSystemCache"

    def __init__(self, path: str | Path, threshold: int = 0) -> None:
        self.path = str(path)
        self.cache = FileSystemCache(self.path, threshold=threshold, default_timeout=0)

    def get(self, key: str) -> bytes | None:
        value: bytes | None = self.cache.get(key)
        return value

    def get_touch(self, key: str, ttl: float) -> bytes | None:
        value = self.get(key)
        if value is not None:
            self.put(key, value, ttl)
        return value

    def put(self, key: str, value: bytes, ttl: float) -> None:
        if not self.cache.set(key, value, timeout=max(1, round(ttl))):
            raise StoreUnavailableError(f"cachelib could not write {key}")

    def delete(self, key: str) -> None:
        self.cache.delete(key)

    def touch(self, key: str, ttl: float) -> None:
        self.get_touch(key, ttl)

    def update(self, key: str, mutate: Mutation, ttl: float) -> bytes | None:
        return _update(self, key, mutate, ttl)

    def delete_expired(self) -> int:
        before = self.count()
        self.cache._remove_expired(time.time())
        return before - self.count()

    def count(self) -> int:
        """Live files, read from each file's expiry header (cachelib keeps no key list)."""
        now = time.time()
        live = 0
        for name in os.listdir(self.path):
            if name.endswith(FileSystemCache._fs_transaction_suffix):
                continue
            with open(os.path.join(self.path, name), "rb") as f:
                expires = struct.unpack("I", f.read(4))[0]
            live += expires == 0 or expires >= now
        return live


def _update(store: Any, key: str, mutate: Mutation, ttl: float) -> bytes | None:
    new = mutate(store.get(key))
    if new is None:
        store.delete(key)
    else:
        store.put(key, new, ttl)
    return new


class _Base(DeclarativeBase):
    pass


class Entry(_Base):
    __tablename__ = "kv"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    expires: Mapped[float] = mapped_column(index=True)


def sqlite_engine(path: str | Path) -> Engine:
    """An engine on one SQLite file tuned as SQLiteStore is: WAL, synchronous=NORMAL,
    autocommit for single statements, BEGIN IMMEDIATE for read-modify-write (pysqlite's
    own transactions would begin only at the write, too late to make update() atomic)."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        if conn.info.pop("write", False):  # reads and single writes run in autocommit
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    _Base.metadata.create_all(engine)
    return engine


class SQLAlchemyCoreStore:
    """SQLite through SQLAlchemy Core statements (its connection pool, compiled SQL)."""

    name = "SQLAlchemy Core on SQLite"

    def __init__(self, path: str | Path) -> None:
        self.engine = sqlite_engine(path)
        self.table = Entry.__table__

    def get(self, key: str) -> bytes | None:
        with self.engine.connect() as conn:
            value: bytes | None = conn.scalar(
                select(Entry.value).where(Entry.key == key, Entry.expires > time.time())
            )
        return value

    def get_touch(self, key: str, ttl: float) -> bytes | None:
        now = time.time()
        stmt = (
            sql_update(Entry)
            .where(Entry.key == key, Entry.expires > now)
            .values(expires=now + ttl)
            .returning(Entry.value)
        )
        with self.engine.begin() as conn:
            value: bytes | None = conn.scalar(stmt)
        return value

    def put(self, key: str, value: bytes, ttl: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(_upsert(key, value, ttl))

    def delete(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(Entry).where(Entry.key == key))

    def touch(self, key: str, ttl: float) -> None:
        self.get_touch(key, ttl)

    def update(self, key: str, mutate: Mutation, ttl: float) -> bytes | None:
        with self.engine.connect() as conn:
            conn.info["write"] = True
            with conn.begin():
                old = conn.scalar(
                    select(Entry.value).where(Entry.key == key, Entry.expires > time.time())
                )
                new = mutate(old)
                if new is None:
                    conn.execute(delete(Entry).where(Entry.key == key))
                else:
                    conn.execute(_upsert(key, new, ttl))
        return new

    def delete_expired(self) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(Entry).where(Entry.expires <= time.time())).rowcount

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).where(Entry.expires > time.time())) or 0)


def _upsert(key: str, value: bytes, ttl: float) -> Any:
    expires = time.time() + ttl
    stmt = insert(Entry).values(key=key, value=value, expires=expires)
    return stmt.on_conflict_do_update(
        index_elements=[Entry.key], set_={"value": value, "expires": expires}
    )


class SQLAlchemyORMStore(SQLAlchemyCoreStore):
    """SQLite through the SQLAlchemy ORM, the way Flask-Session's SQLAlchemy store works:
    a Session per operation, load the row object, change it, commit."""

    name = "SQLAlchemy ORM on SQLite"

    def get(self, key: str) -> bytes | None:
        with Session(self.engine) as db:
            entry = db.get(Entry, key)
            return entry.value if entry and entry.expires > time.time() else None

    def get_touch(self, key: str, ttl: float) -> bytes | None:
        with Session(self.engine) as db:
            entry = db.get(Entry, key)
            if entry is None or entry.expires <= time.time():
                return None
            entry.expires = time.time() + ttl
            value = entry.value
            db.commit()
            return value

    def put(self, key: str, value: bytes, ttl: float) -> None:
        with Session(self.engine) as db:
            db.merge(Entry(key=key, value=value, expires=time.time() + ttl))
            db.commit()

    def update(self, key: str, mutate: Mutation, ttl: float) -> bytes | None:
        with self.engine.connect() as conn:
            conn.info["write"] = True
            with Session(bind=conn) as db:
                entry = db.get(Entry, key)
                live = entry is not None and entry.expires > time.time()
                new = mutate(entry.value if entry and live else None)
                if new is None:
                    if entry is not None:
                        db.delete(entry)
                else:
                    db.merge(Entry(key=key, value=new, expires=time.time() + ttl))
                db.commit()
        return new
