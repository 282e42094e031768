"""The same app, built once per way of keeping session memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters import (
    CachelibStore,
    CookieStore,
    DictStore,
    SQLAlchemyCoreStore,
    SQLAlchemyORMStore,
)
from flask import Flask
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from floor import ResidentDrafts, ResidentSessionInterface
from rate_limits import CONFIG as LIFTED_LIMITS

from app import create_app
from app.memory.store import KeyValueStore, SQLiteStore

DEFAULT = "sqlite"
FLOOR = "floor"
REDIS = "redis"


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    app: Flask


def build_app(instance: Path, **config: Any) -> Flask:
    """The app as it runs in production (not TESTING), on its own instance folder, with the
    per-client limits on new drafts and uploads lifted (bench/rate_limits.py)."""
    return create_app({"TESTING": False, **LIFTED_LIMITS, **config}, instance_path=str(instance))


def use_store(app: Flask, store: KeyValueStore) -> None:
    """Put store wherever app/memory/__init__.py wired the SQLiteStore it made.

    Three places hold it: the browser session interface (app.session_interface.store),
    the draft repository (app.extensions["drafts"].store, through which app/housekeeping.py
    also deletes expired entries) and app.extensions["memory_store"] (read by the tests).
    The replaced SQLiteStore is closed.
    """
    old = app.extensions["memory_store"]
    app.session_interface.store = store
    app.extensions["drafts"].store = store
    app.extensions["memory_store"] = store
    if isinstance(old, SQLiteStore):
        old.close()


def _floor(instance: Path) -> Flask:
    """Live objects instead of a store; housekeeping still finds an (empty) store to clean."""
    app = build_app(instance)
    use_store(app, DictStore())
    drafts = app.extensions["drafts"]
    app.session_interface = ResidentSessionInterface(app)
    app.extensions["drafts"] = ResidentDrafts(drafts.lifetimes, drafts.budget, drafts.store)
    return app


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the regenerate() the app calls on a submit and a
    memory switch (app/memory renew_session_id): a cookie has no id to renew, so it is only
    sent again."""

    def regenerate(self, session: SessionMixin) -> None:
        session.modified = True


def _cookie(instance: Path) -> Flask:
    app = build_app(instance)
    use_store(app, CookieStore())
    app.session_interface = CookieSessionInterface()
    return app


def _with_store(make: Callable[[Path], KeyValueStore]) -> Callable[[Path], Flask]:
    def build(instance: Path) -> Flask:
        app = build_app(instance)
        use_store(app, make(instance))
        return app

    return build


BUILDERS: dict[str, tuple[str, Callable[[Path], Flask]]] = {
    FLOOR: ("no session memory (floor)", _floor),
    "dict": ("in-process dict of encoded bytes (no I/O)", _with_store(lambda _: DictStore())),
    "cookie": ("Flask signed-cookie session (draft in the cookie)", _cookie),
    DEFAULT: ("**SQLiteStore, embedded (the default)**", build_app),
    "cachelib": (
        "cachelib FileSystemCache, threshold=0",
        _with_store(lambda i: CachelibStore(i / "cachelib")),
    ),
    "sa_core": (
        "SQLAlchemy Core on SQLite (WAL)",
        _with_store(lambda i: SQLAlchemyCoreStore(i / "memory-core.sqlite3")),
    ),
    "sa_orm": (
        "SQLAlchemy ORM on SQLite (WAL)",
        _with_store(lambda i: SQLAlchemyORMStore(i / "memory-orm.sqlite3")),
    ),
}


def build_variants(root: Path, keys: Iterable[str] = BUILDERS) -> list[Variant]:
    """One app per variant (all, or those keys), each on its own instance folder under root."""
    return [Variant(key, BUILDERS[key][0], BUILDERS[key][1](root / key)) for key in keys]


def redis_variant(root: Path, url: str, key_prefix: str) -> Variant:
    """The app configured for Redis (SESSION_TYPE=redis), its keys under key_prefix. As in
    production, its rate limiter counts in the same Redis."""
    app = build_app(root / REDIS, SESSION_TYPE="redis", REDIS_URL=url, REDIS_KEY_PREFIX=key_prefix)
    return Variant(REDIS, "RedisStore (SESSION_TYPE=redis)", app)
