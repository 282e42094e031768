"""Memory off discards a draft's memory wherever it lives: what the stored draft keeps
afterwards holds no trace of the answers, neither the values nor which step wrote each one
and when (SPEC §4 "every draft's memory ... is discarded at once"); the counter stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from app.memory.drafts import KEY_PREFIX, DraftChangedError, DraftRepository, Lifetimes
from app.memory.ledger import DraftLedger
from app.memory.store import SQLiteStore
from tests.unit.carriers import ALL, CLIENT, Strategy, strategy


@pytest.fixture(params=ALL)
def memory(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Strategy:
    return strategy(request.param, request, tmp_path, monkeypatch)


@pytest.fixture
def repo(memory: Strategy, tmp_path: Path) -> DraftRepository:
    """A repository as the app makes one: a ledger on the server; a draft the browser
    carries is wiped there and the copy it sends back is emptied when read."""
    lifetimes = Lifetimes(60, 3600)
    ledger = DraftLedger(SQLiteStore(tmp_path / "ledger.sqlite3"), lifetimes.absolute)
    carried = memory.name in CLIENT
    return DraftRepository(
        memory.open(lifetimes.idle), lifetimes, 16 * 1024, ledger=ledger, carried=carried
    )


def stored(repo: DraftRepository, draft_id: str) -> dict[str, Any]:
    data = repo.store.get(KEY_PREFIX + draft_id)
    assert data is not None
    record: dict[str, Any] = msgspec.msgpack.decode(data)
    return record


def test_memory_off_leaves_no_trace_of_the_answers_in_the_stored_draft(
    repo: DraftRepository,
) -> None:
    draft_id = repo.create()
    draft = repo.load(draft_id, memory_on=True, writer="employee")
    assert draft
    draft.memory.set("employee", {"full_name": "Ada Lovelace"})
    draft.note_accepted([("employee.full_name", True)], memory_on=True)
    repo.save(draft)
    assert stored(repo, draft_id)["meta"]  # who wrote it, and when
    repo.discard_memory([draft_id])
    after = repo.load(draft_id, memory_on=True, writer="receipts")  # the copy sent back
    assert after and list(after.memory) == [] and after.typed == {"employee.full_name": 1}
    record = stored(repo, draft_id)
    assert record["values"] == {} and record["meta"] == {}
    assert "Ada" not in repr(record)


@pytest.mark.parametrize("revision", [0, 1], ids=["a new draft", "a draft saved before"])
def test_two_tabs_saving_the_same_answer_at_once_the_second_is_refused(
    repo: DraftRepository, revision: int
) -> None:
    """Both loaded the draft before either saved: the second's guarded save must not replace
    the first's answer unseen (it is refused; the page then says so and keeps its input)."""
    draft_id = repo.create()
    if revision:
        earlier = repo.load(draft_id, memory_on=True, writer="receipts")
        assert earlier
        earlier.memory.set("receipts", [{"id": "r1"}])
        repo.save(earlier)
    first = repo.load(draft_id, memory_on=True, writer="employee")
    second = repo.load(draft_id, memory_on=True, writer="employee")
    assert first and second
    first.memory.set("employee", {"full_name": "Ada Lovelace"})
    second.memory.set("employee", {"full_name": "Ada King"})
    repo.save(first, guarded=True)
    with pytest.raises(DraftChangedError):
        repo.save(second, guarded=True)
    kept = repo.load(draft_id, memory_on=True, writer="review")
    assert kept and kept.memory.get("employee") == {"full_name": "Ada Lovelace"}
