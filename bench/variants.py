"""The same app, built once per way of keeping session memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
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
from app.memory.places import Places
from app.memory.store import KeyValueStore

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


def with_store(instance: Path, store: KeyValueStore) -> Flask:
    """The app keeping session memory in store (its WIZARD_STORE_FACTORY setting)."""
    return build_app(instance, WIZARD_STORE_FACTORY=lambda app: store)


def _floor(instance: Path) -> Flask:
    """Live objects instead of a store; housekeeping still finds an (empty) store to clean."""
    app = with_store(instance, DictStore())
    memory = app.extensions["session_memory"]
    server = memory.places.default
    drafts = server.repository
    resident = replace(
        server, repository=ResidentDrafts(drafts.lifetimes, drafts.budget, drafts.store)
    )
    places = Places((resident, *memory.places.all[1:]))
    app.extensions["session_memory"] = replace(memory, places=places)
    app.session_interface = ResidentSessionInterface(app)
    return app


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the regenerate() the app calls on a submit and a
    memory switch (app/memory renew_session_id): a cookie has no id to renew, so it is only
    sent again."""

    def regenerate(self, session: SessionMixin) -> None:
        session.modified = True


def _cookie(instance: Path) -> Flask:
    app = with_store(instance, CookieStore())
    app.session_interface = CookieSessionInterface()
    return app


def _with_store(make: Callable[[Path], KeyValueStore]) -> Callable[[Path], Flask]:
    def build(instance: Path) -> Flask:
        return with_store(instance, make(instance))

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
