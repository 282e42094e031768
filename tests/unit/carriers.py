"""The places session memory can live, each as a KeyValueStore the contract suites can drive.

A server store (sqlite, redis) is the store itself. A client-held store (cookie, form) works
only inside a request and keeps nothing between requests: a ClientCarrier makes it look like a
store by running each operation as a request of one Browser. The browser sends what it holds
(its cookies, the memory_state field of the page it shows) and keeps what the answer hands
back (the response's Set-Cookie headers, the state the answer's forms carry), as a browser does.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from flask import Flask, g

from app.memory.client_store import (
    COOKIE_LIMIT,
    FORM_FIELD,
    ClientHeldStore,
    CookieStore,
    passed_state,
)
from app.memory.drafts import DraftRepository, Lifetimes
from app.memory.redis_store import RedisStore, redis_client
from app.memory.store import KeyValueStore, Mutation, SQLiteStore
from tests.clock import MovableClock
from tests.conftest import make_app

SERVER = ["sqlite", "redis"]
CLIENT = ["cookie", "form"]
ALL = SERVER + CLIENT
KEYED = [*SERVER, "cookie"]  # keep several entries side by side; a page's form carries one

# The idle lifetime the timing tests use. Redis times its entries itself, in real time: a
# second, so that a test that steps a twelfth of it before checking an entry is still there
# has eleven steps of margin (a busy machine may hold a test up for a while). Every other
# place reads time.time(), so it runs on a clock the tests move on (tests/clock.py), with
# the default idle timeout of 30 minutes (SPEC §5).
REDIS_IDLE = 1.0
CLOCK_IDLE = 30 * 60

T = TypeVar("T")


class Browser:
    """What one browser holds between requests: its cookie jar and the page it shows."""

    def __init__(self) -> None:
        self.cookies: dict[str, tuple[str, float]] = {}  # name -> (value, expires at)
        self.form_state: str | None = None  # the memory_state field of the page's forms
        self.last_set_cookies: list[str] = []  # the Set-Cookie headers of the last answer

    def cookie_header(self) -> str:
        """The Cookie header of the next request: live cookies only."""
        now = time.time()
        self.cookies = {name: kept for name, kept in self.cookies.items() if kept[1] > now}
        return "; ".join(f"{name}={value}" for name, (value, _) in self.cookies.items())

    def receive(self, set_cookies: list[str]) -> None:
        """Keep what an answer's Set-Cookie headers say, as RFC 6265 browsers do."""
        self.last_set_cookies = set_cookies
        for header in set_cookies:
            self._receive_cookie(header)

    def _receive_cookie(self, header: str) -> None:
        pair, *attributes = header.split(";")
        name, _, value = pair.strip().partition("=")
        max_age = math.inf  # a session cookie
        for attribute in attributes:
            key, _, number = attribute.strip().partition("=")
            if key.lower() == "max-age":
                max_age = int(number)
        if max_age <= 0:
            self.cookies.pop(name, None)
        elif len(name) + len(value) <= COOKIE_LIMIT:  # a browser ignores a larger one
            self.cookies[name] = (value, time.time() + max_age)

    def keep(self, name: str, value: str) -> None:
        """Hold a cookie whatever its Max-Age said (a browser kept it, or someone planted it)."""
        self.cookies[name] = (value, math.inf)


class ClientCarrier:
    """A client-held store as a KeyValueStore: each operation is one request of the browser."""

    def __init__(self, app: Flask, kind: str, browser: Browser) -> None:
        self.app = app
        self.browser = browser
        self.store: ClientHeldStore = (
            app.extensions["session_memory"].places.named(kind).repository.store
        )
        self.name = self.store.name

    @contextmanager
    def request(self) -> Iterator[ClientHeldStore]:
        """One request: send what the browser holds, keep what the answer hands back."""
        cookies = self.browser.cookie_header()
        headers = {"Cookie": cookies} if cookies else {}
        state = self.browser.form_state
        data = {FORM_FIELD: state} if state is not None else {}
        with self.app.test_request_context("/", method="POST", headers=headers, data=data):
            try:
                yield self.store
            finally:
                self._answer()

    def _answer(self) -> None:
        # Flask runs the after_request functions on an error page too, so even a request
        # that failed sends what it wrote before failing.
        response = self.app.process_response(self.app.response_class())
        self.browser.receive(response.headers.getlist("Set-Cookie"))
        # The answer's forms carry the state it wrote. One that wrote nothing (it only
        # read) leaves the browser with the state it had; in the app every page of a draft
        # writes it, since loading a draft touches its entry.
        if "passed_state" in g:
            self.browser.form_state = passed_state()

    def _one(self, operation: Callable[[ClientHeldStore], T]) -> T:
        with self.request() as store:
            return operation(store)

    def get(self, key: str) -> bytes | None:
        return self._one(lambda store: store.get(key))

    def get_touch(self, key: str, ttl: float) -> bytes | None:
        return self._one(lambda store: store.get_touch(key, ttl))

    def put(self, key: str, value: bytes, ttl: float) -> None:
        self._one(lambda store: store.put(key, value, ttl))

    def delete(self, key: str) -> None:
        self._one(lambda store: store.delete(key))

    def update(self, key: str, mutate: Mutation, ttl: float) -> bytes | None:
        return self._one(lambda store: store.update(key, mutate, ttl))

    def delete_expired(self) -> int:
        return self._one(lambda store: store.delete_expired())

    def count(self) -> int:
        return self._one(lambda store: store.count())

    def ping(self) -> None:
        self._one(lambda store: store.ping())

    def carried_as(self, key: str) -> str:
        """The name of the cookie or form field that carries key's entry."""
        with self.app.test_request_context():
            return self.store.carrier(key)[0]

    def held(self, key: str) -> str | None:
        """The signed text the browser now holds for key."""
        if isinstance(self.store, CookieStore):
            kept = self.browser.cookies.get(self.carried_as(key))
            return None if kept is None else kept[0]
        return self.browser.form_state

    def hold(self, key: str, signed: str) -> None:
        """Make the browser send this signed text for key from now on."""
        if isinstance(self.store, CookieStore):
            self.browser.keep(self.carried_as(key), signed)
        else:
            self.browser.form_state = signed


def client_carrier(
    kind: str, instance: Path, browser: Browser | None = None, **config: object
) -> ClientCarrier:
    """A browser's requests to an app on this instance folder (its secret key)."""
    return ClientCarrier(make_app(instance, **config), kind, browser or Browser())


@dataclass
class Strategy:
    """One place memory can live, opened as a store (again: after a restart)."""

    name: str
    idle: float  # the idle lifetime timing tests use, in this strategy's time
    sleep: Callable[[float], None]
    _open: Callable[[float], KeyValueStore]

    def open(self, idle: float | None = None) -> KeyValueStore:
        """The store; a client-held one checks signatures against this idle timeout."""
        return self._open(self.idle if idle is None else idle)

    def carrier(self) -> ClientCarrier:
        """The store, for tests of client-held memory only."""
        store = self.open()
        assert isinstance(store, ClientCarrier), f"{self.name} memory is not client-held"
        return store

    def repo(self, lifetimes: Lifetimes, budget: int) -> DraftRepository:
        """A draft repository on this strategy, its store timing out as the drafts do."""
        return DraftRepository(self.open(lifetimes.idle), lifetimes, budget)


def strategy(
    name: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Strategy:
    """Open the named strategy for one test."""
    if name == "redis":
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        return Strategy(
            name, REDIS_IDLE, time.sleep, lambda idle: RedisStore(redis_client(url, 2.0), prefix)
        )
    clock = MovableClock(monkeypatch)
    if name == "sqlite":
        path = tmp_path / "memory.sqlite3"
        return Strategy(name, CLOCK_IDLE, clock.sleep, lambda idle: SQLiteStore(path))
    browser, instance = Browser(), tmp_path / "instance"

    def open_carrier(idle: float) -> KeyValueStore:
        return client_carrier(name, instance, browser, WIZARD_IDLE_TIMEOUT=idle)

    return Strategy(name, CLOCK_IDLE, clock.sleep, open_carrier)
