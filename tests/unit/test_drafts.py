"""Drafts in the store: replayed writes, the counter, lifetimes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from app.memory.drafts import DraftExpiredError, DraftRepository, Lifetimes
from app.memory.redis_store import RedisStore, redis_client
from app.memory.state import BudgetExceededError
from app.memory.store import KeyValueStore, SQLiteStore


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> KeyValueStore:
    """Every draft test runs on each session-memory backend."""
    if request.param == "sqlite":
        return SQLiteStore(tmp_path / "m.sqlite3")
    url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    return RedisStore(redis_client(url, timeout=2.0), prefix)


@pytest.fixture
def repo(store: KeyValueStore) -> DraftRepository:
    return DraftRepository(store, Lifetimes(60, 3600), 16 * 1024)


def test_two_requests_on_one_draft_keep_both_writes(repo: DraftRepository) -> None:
    draft_id = repo.create()
    first = repo.load(draft_id, memory_on=True, writer="employee")
    second = repo.load(draft_id, memory_on=True, writer="receipts")
    assert first and second
    first.memory.set("employee", {"full_name": "Ada"})
    second.memory.set("receipts", [{"id": "r1"}])
    repo.save(first)
    repo.save(second)  # loaded before first saved; must not roll it back
    again = repo.load(draft_id, memory_on=True, writer="review")
    assert again and again.memory.get("employee") == {"full_name": "Ada"}
    assert again.memory.get("receipts") == [{"id": "r1"}]


def test_many_concurrent_writers_on_one_draft_lose_nothing(repo: DraftRepository) -> None:
    draft_id = repo.create()
    barrier = threading.Barrier(6)

    def write(n: int) -> None:
        draft = repo.load(draft_id, memory_on=True, writer=f"tab{n}")
        assert draft
        draft.memory.set(f"key{n}", n)
        draft.note_typed([f"field{n}"])
        barrier.wait()
        repo.save(draft)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = repo.load(draft_id, memory_on=True, writer="check")
    assert final and sorted(final.memory) == [f"key{n}" for n in range(6)]
    assert final.typed == {f"field{n}": 1 for n in range(6)}


def test_counter_counts_typings_and_repeats(repo: DraftRepository) -> None:
    draft_id = repo.create()
    for _ in range(3):
        draft = repo.load(draft_id, memory_on=False, writer="employee")
        assert draft
        draft.note_typed(["employee.full_name"])
        repo.save(draft)
    draft = repo.load(draft_id, memory_on=False, writer="employee")
    assert draft and draft.typed == {"employee.full_name": 3} and draft.repeats == 2


def test_memory_off_writes_no_values(repo: DraftRepository) -> None:
    draft_id = repo.create()
    draft = repo.load(draft_id, memory_on=False, writer="employee")
    assert draft
    draft.memory.set("employee", {"full_name": "Ada"})
    repo.save(draft)
    on_again = repo.load(draft_id, memory_on=True, writer="employee")
    assert on_again and not on_again.memory.has("employee")


def test_discarding_memory_keeps_the_counter(repo: DraftRepository) -> None:
    draft_id = repo.create()
    draft = repo.load(draft_id, memory_on=True, writer="employee")
    assert draft
    draft.memory.set("employee", {"full_name": "Ada"})
    draft.note_typed(["employee.full_name"])
    repo.save(draft)
    repo.discard_memory([draft_id])
    after = repo.load(draft_id, memory_on=True, writer="employee")
    assert after and list(after.memory) == [] and after.typed == {"employee.full_name": 1}


def test_budget_is_checked_on_the_stored_copy(repo: DraftRepository) -> None:
    small = DraftRepository(repo.store, repo.lifetimes, budget=200)
    draft_id = small.create()
    one = small.load(draft_id, memory_on=True, writer="a")
    two = small.load(draft_id, memory_on=True, writer="b")
    assert one and two
    one.memory.set("a", "x" * 120)
    two.memory.set("b", "y" * 120)  # each fits alone
    small.save(one)
    with pytest.raises(BudgetExceededError):
        small.save(two)  # together they do not: refused, nothing dropped
    kept = small.load(draft_id, memory_on=True, writer="c")
    assert kept and kept.memory.get("a") == "x" * 120


def test_idle_drafts_expire(store: KeyValueStore) -> None:
    repo = DraftRepository(store, Lifetimes(0.1, 3600), 1024)
    draft_id = repo.create()
    time.sleep(0.15)
    assert repo.load(draft_id, memory_on=True, writer="x") is None


def test_activity_slides_the_idle_timeout(store: KeyValueStore) -> None:
    repo = DraftRepository(store, Lifetimes(0.3, 3600), 1024)
    draft_id = repo.create()
    for _ in range(4):
        time.sleep(0.1)
        assert repo.load(draft_id, memory_on=True, writer="x") is not None


def test_absolute_lifetime_ends_even_an_active_draft(store: KeyValueStore) -> None:
    repo = DraftRepository(store, Lifetimes(60, 0.2), 1024)
    draft_id = repo.create()
    assert repo.load(draft_id, memory_on=True, writer="x") is not None
    time.sleep(0.25)
    assert repo.load(draft_id, memory_on=True, writer="x") is None


def test_saving_an_expired_draft_says_so(store: KeyValueStore) -> None:
    repo = DraftRepository(store, Lifetimes(0.1, 3600), 1024)
    draft = repo.load(repo.create(), memory_on=True, writer="x")
    assert draft
    draft.memory.set("k", 1)
    time.sleep(0.15)
    with pytest.raises(DraftExpiredError):
        repo.save(draft)
