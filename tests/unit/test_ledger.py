"""The ledger's claims hold when the store runs a mutation again (Redis does, when the key
changed between its read and its write): each run decides afresh from what it read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.memory.ledger import DraftLedger
from app.memory.store import Mutation, SQLiteStore


class RetriedStore(SQLiteStore):
    """A store whose next update runs the mutation once on what it read, lets another
    request write meanwhile, and runs it again on the fresh value (the one kept)."""

    meanwhile: Callable[[], object] | None = None

    def update(self, key: str, mutate: Mutation, ttl: float) -> bytes | None:
        if self.meanwhile is not None:
            mutate(self.get(key))
            other, self.meanwhile = self.meanwhile, None
            other()
        return super().update(key, mutate, ttl)


def ledgers(tmp_path: Path) -> tuple[RetriedStore, DraftLedger, DraftLedger]:
    """A request's ledger on a retrying store, and another request's on the same file."""
    store = RetriedStore(tmp_path / "memory.sqlite3")
    other = DraftLedger(SQLiteStore(tmp_path / "memory.sqlite3"), 3600)
    return store, DraftLedger(store, 3600), other


def test_a_copy_another_request_claimed_before_the_write_is_not_claimed_twice(
    tmp_path: Path,
) -> None:
    store, ledger, other = ledgers(tmp_path)
    assert ledger.claim_copy("c.draft", held=1) == 2
    store.meanwhile = lambda: other.claim_copy("c.draft", held=2)
    assert ledger.claim_copy("c.draft", held=2) is None
    assert other.fate("c.draft").copy == 3


def test_an_end_another_request_claimed_before_the_write_is_not_claimed_twice(
    tmp_path: Path,
) -> None:
    store, ledger, other = ledgers(tmp_path)
    store.meanwhile = lambda: other.end("draft")
    assert ledger.end("draft") is False
