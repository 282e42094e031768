"""The contract every session-memory store keeps (run against each backend)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.memory.redis_store import RedisStore, redis_client
from app.memory.store import KeyValueStore, SQLiteStore

StoreFactory = Callable[[], KeyValueStore]


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """A factory for each backend, so a test can open the same store twice (a restart)."""
    if request.param == "sqlite":
        return lambda: SQLiteStore(tmp_path / "memory.sqlite3")
    url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    return lambda: RedisStore(redis_client(url, timeout=2.0), prefix)


def test_put_get_delete(make_store: StoreFactory) -> None:
    store = make_store()
    store.put("k", b"v", ttl=60)
    assert store.get("k") == b"v"
    store.delete("k")
    store.delete("k")  # absent: no error
    assert store.get("k") is None


def test_entries_expire_after_their_ttl(make_store: StoreFactory) -> None:
    store = make_store()
    store.put("short", b"v", ttl=0.05)
    store.put("long", b"v", ttl=60)
    time.sleep(0.1)
    assert store.get("short") is None
    assert store.get_touch("short", ttl=60) is None  # an expired key is not revived
    assert store.get("long") == b"v"
    store.delete_expired()
    assert store.count() == 1  # expired entries are gone, not just hidden


def test_get_touch_slides_the_expiry(make_store: StoreFactory) -> None:
    store = make_store()
    store.put("k", b"v", ttl=0.2)
    time.sleep(0.1)
    assert store.get_touch("k", ttl=0.3) == b"v"
    time.sleep(0.15)
    assert store.get("k") == b"v"  # would have expired without the touch


def test_update_writes_and_deletes(make_store: StoreFactory) -> None:
    store = make_store()
    assert store.update("k", lambda old: b"1" if old is None else old + b"1", ttl=60) == b"1"
    store.update("k", lambda old: (old or b"") + b"2", ttl=60)
    assert store.get("k") == b"12"
    store.update("k", lambda old: None, ttl=60)
    assert store.get("k") is None


def test_update_that_fails_changes_nothing(make_store: StoreFactory) -> None:
    store = make_store()
    store.put("k", b"before", ttl=60)

    def broken(old: bytes | None) -> bytes:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        store.update("k", broken, ttl=60)
    assert store.get("k") == b"before"
    store.put("other", b"still works", ttl=60)
    assert store.get("other") == b"still works"


def test_concurrent_updates_lose_nothing(make_store: StoreFactory) -> None:
    store = make_store()
    store.put("counter", b"0", ttl=60)
    start = threading.Barrier(8)

    def add_ones() -> None:
        start.wait()
        for _ in range(25):
            store.update("counter", lambda old: str(int(old or b"0") + 1).encode(), ttl=60)

    threads = [threading.Thread(target=add_ones) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("counter") == b"200"


def test_entries_survive_a_restart(make_store: StoreFactory) -> None:
    make_store().put("k", b"kept", ttl=60)
    assert make_store().get("k") == b"kept"


def test_keeps_100000_live_entries_without_evicting_any(make_store: StoreFactory) -> None:
    store = make_store()
    for i in range(100_000):
        store.put(f"draft:{i}", b"x" * 100, ttl=3600)
    assert store.count() == 100_000
    reopened = make_store()
    assert reopened.get("draft:0") == b"x" * 100  # the oldest is still there
    assert reopened.get("draft:99999") == b"x" * 100
