"""The ledger (what happened to a draft, kept where no older page can undo it): a write that
failed gives back its claim without undoing a newer one; a wipe keeps that the draft ended
and where it went; an entry that cannot be read counts as ended (fail closed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.memory.ledger import DraftLedger
from app.memory.store import SQLiteStore


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "memory.sqlite3")


@pytest.fixture
def ledger(store: SQLiteStore) -> DraftLedger:
    return DraftLedger(store, 3600)


def test_a_failed_write_gives_its_copy_back_so_the_same_tab_can_write_at_once(
    ledger: DraftLedger,
) -> None:
    """A cookie draft's write claimed copy 1 and failed (too large, say): the browser still
    holds copy 0, and its next write must not be taken for another tab's."""
    claimed = ledger.claim_copy("c.draft", held=0)
    assert claimed is not None
    assert ledger.claim_copy("c.draft", held=0) is None  # in flight: another tab is refused
    ledger.release_copy("c.draft", claimed, held=0)
    assert ledger.claim_copy("c.draft", held=0) is not None


def test_giving_back_a_copy_never_undoes_a_newer_write(ledger: DraftLedger) -> None:
    first = ledger.claim_copy("c.draft", held=0)
    assert first is not None
    newer = ledger.claim_copy("c.draft", held=first)  # written from the first copy, later
    assert newer is not None
    ledger.release_copy("c.draft", first, held=0)  # the first write's failure, told late
    assert ledger.claim_copy("c.draft", held=0) is None  # the newer copy is still in flight
    assert ledger.claim_copy("c.draft", held=newer) is not None


def test_giving_back_a_copy_keeps_that_the_draft_ended(ledger: DraftLedger) -> None:
    claimed = ledger.claim_copy("c.draft", held=0)
    assert claimed is not None and ledger.end("c.draft", deleted=True)
    ledger.release_copy("c.draft", claimed + 1, held=claimed)  # not the latest claim
    assert ledger.has_ended("c.draft") and ledger.fate("c.draft").deleted


def test_a_wipe_keeps_that_the_draft_ended_and_where_it_moved(ledger: DraftLedger) -> None:
    """Memory switched off after a draft moved: an older page of it must still be led to
    where it went, not revived."""
    assert ledger.end("f.draft", moved_to="draft.moved")
    ledger.wipe("f.draft")
    fate = ledger.fate("f.draft")
    assert fate.ended and fate.moved_to == "draft.moved" and fate.wiped > 0


def test_a_wipe_keeps_that_the_draft_was_deleted(ledger: DraftLedger) -> None:
    assert ledger.end("c.draft", deleted=True)
    ledger.wipe("c.draft")
    assert ledger.has_ended("c.draft") and ledger.fate("c.draft").deleted


def test_an_entry_that_cannot_be_read_counts_as_ended(
    store: SQLiteStore, ledger: DraftLedger
) -> None:
    store.put("fate:f.draft", b"\xc1 not msgpack", 3600)
    assert ledger.has_ended("f.draft")


def test_ending_an_ended_draft_again_changes_nothing_of_how_it_ended(
    ledger: DraftLedger,
) -> None:
    """A second click, or another tab, ends a draft that already ended: the first end and
    what it said (deleted, or moved to where) stand."""
    assert ledger.end("deleted", deleted=True)
    assert ledger.end("moved", moved_to="moved.next")
    assert not ledger.end("deleted") and not ledger.end("moved", deleted=True)
    assert ledger.fate("deleted").deleted and ledger.fate("deleted").moved_to == ""
    assert ledger.fate("moved").moved_to == "moved.next" and not ledger.fate("moved").deleted
