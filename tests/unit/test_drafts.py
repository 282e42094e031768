"""Drafts in the store: replayed writes, the counter, lifetimes, the budget.

Each runs wherever memory can live (sqlite, redis, cookie, form); on the cookie and the
form, every repository call is a request of one browser. Writers in threads with no
browser between them are the server's alone.
"""

from __future__ import annotations

import random
import string
import threading
import time
from pathlib import Path

import msgspec
import pytest

from app.memory.client_store import TamperedStateError, TooLargeForCookieError
from app.memory.drafts import KEY_PREFIX, DraftExpiredError, DraftRepository, Lifetimes
from app.memory.state import BudgetExceededError
from tests.unit.carriers import ALL, SERVER, Strategy, strategy

every_strategy = pytest.mark.parametrize("memory", ALL, indirect=True)
server_stores = pytest.mark.parametrize("memory", SERVER, indirect=True)


@pytest.fixture
def memory(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Strategy:
    """The strategy a test is parametrized with, opened for it."""
    return strategy(request.param, request, tmp_path, monkeypatch)


@pytest.fixture
def repo(memory: Strategy) -> DraftRepository:
    return memory.repo(Lifetimes(60, 3600), 16 * 1024)


@every_strategy
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


@server_stores
def test_many_concurrent_writers_on_one_draft_lose_nothing(repo: DraftRepository) -> None:
    draft_id = repo.create()
    barrier = threading.Barrier(6)

    def write(n: int) -> None:
        draft = repo.load(draft_id, memory_on=True, writer=f"tab{n}")
        assert draft
        draft.memory.set(f"key{n}", n)
        draft.note_accepted([(f"field{n}", True), ("shared", True)], memory_on=True)
        barrier.wait()
        repo.save(draft)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = repo.load(draft_id, memory_on=True, writer="check")
    assert final and sorted(final.memory) == [f"key{n}" for n in range(6)]
    assert final.typed == {**{f"field{n}": 1 for n in range(6)}, "shared": 6}
    assert final.repeats == 5 and final.counted.pages_on == 6  # replayed, none lost


@every_strategy
def test_counter_counts_typings_and_repeats(repo: DraftRepository) -> None:
    draft_id = repo.create()
    for _ in range(3):
        draft = repo.load(draft_id, memory_on=False, writer="employee")
        assert draft
        draft.note_accepted([("employee.full_name", True)], memory_on=False)
        repo.save(draft)
    draft = repo.load(draft_id, memory_on=False, writer="employee")
    assert draft and draft.typed == {"employee.full_name": 3} and draft.repeats == 2
    assert draft.counter().memory_use == "off"


@every_strategy
def test_a_correction_of_what_memory_had_is_typed_but_not_a_repeat(repo: DraftRepository) -> None:
    draft_id = repo.create()
    for asked in (True, False, False):  # typed once, then corrected twice (Change, Back)
        draft = repo.load(draft_id, memory_on=True, writer="employee")
        assert draft
        draft.note_accepted([("employee.full_name", asked)], memory_on=True)
        repo.save(draft)
    draft = repo.load(draft_id, memory_on=True, writer="employee")
    assert draft and draft.typed == {"employee.full_name": 3} and draft.repeats == 0
    assert draft.counter().memory_use == "on"


@every_strategy
def test_the_counter_records_whether_memory_was_on_for_each_page(repo: DraftRepository) -> None:
    draft_id = repo.create()
    for on in (True, False):
        draft = repo.load(draft_id, memory_on=on, writer="employee")
        assert draft
        draft.note_accepted([], memory_on=on)
        repo.save(draft)
    draft = repo.load(draft_id, memory_on=True, writer="review")
    assert draft and draft.counter().memory_use == "part"
    assert (draft.counted.pages_on, draft.counted.pages_off) == (1, 1)


@server_stores
def test_a_counter_stored_before_repeats_were_kept_reads_as_it_was_shown(
    repo: DraftRepository,
) -> None:
    """A live draft written by the previous version: every typing after the first was a
    repeat then, and its pages showed that number; it goes on from there."""
    old = {"created": time.time(), "values": {}, "meta": {}, "typed": {"employee": {"a": 3}}}
    draft_id = "old-draft"
    repo.store.put(KEY_PREFIX + draft_id, msgspec.msgpack.encode(old), 60)
    draft = repo.load(draft_id, memory_on=False, writer="employee")
    assert draft and draft.repeats == 2 and draft.typed == {"employee.a": 3}
    draft.note_accepted([("employee.a", True)], memory_on=False)
    repo.save(draft)
    again = repo.load(draft_id, memory_on=False, writer="employee")
    assert again and again.repeats == 3 and again.counter().memory_use == "off"


@every_strategy
def test_memory_off_writes_no_values(repo: DraftRepository) -> None:
    draft_id = repo.create()
    draft = repo.load(draft_id, memory_on=False, writer="employee")
    assert draft
    draft.memory.set("employee", {"full_name": "Ada"})
    draft.note_accepted([("employee.full_name", True)], memory_on=False)
    repo.save(draft)  # the counter is written, the value is not
    on_again = repo.load(draft_id, memory_on=True, writer="employee")
    assert on_again and not on_again.memory.has("employee")
    assert on_again.typed == {"employee.full_name": 1}


@every_strategy
def test_discarding_memory_keeps_the_counter(repo: DraftRepository) -> None:
    draft_id = repo.create()
    draft = repo.load(draft_id, memory_on=True, writer="employee")
    assert draft
    draft.memory.set("employee", {"full_name": "Ada"})
    draft.note_accepted([("employee.full_name", True)], memory_on=True)
    repo.save(draft)
    repo.discard_memory([draft_id])
    after = repo.load(draft_id, memory_on=True, writer="employee")
    assert after and list(after.memory) == [] and after.typed == {"employee.full_name": 1}


@every_strategy
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
    assert kept and kept.memory.get("a") == "x" * 120 and not kept.memory.has("b")


@every_strategy
def test_a_deleted_draft_is_gone(repo: DraftRepository) -> None:
    draft_id = repo.create()
    assert repo.exists(draft_id)
    repo.delete(draft_id)
    assert not repo.exists(draft_id)
    assert repo.load(draft_id, memory_on=True, writer="x") is None


# The timing tests step in twelfths of a lifetime: a draft is checked still there at most a
# twelfth after it was last loaded, eleven twelfths before it would end (on Redis, in real
# time). Checks that it has gone come after the lifetime has passed.
STEP = 1 / 12


@every_strategy
def test_idle_drafts_expire(memory: Strategy) -> None:
    repo = memory.repo(Lifetimes(memory.idle, 20 * memory.idle), 1024)
    draft_id = repo.create()
    memory.sleep(1.1 * memory.idle)
    assert repo.load(draft_id, memory_on=True, writer="x") is None


@every_strategy
def test_activity_slides_the_idle_timeout(memory: Strategy) -> None:
    repo = memory.repo(Lifetimes(memory.idle, 20 * memory.idle), 1024)
    draft_id = repo.create()
    for _ in range(13):  # a step past the idle timeout in all: gone without the loads
        memory.sleep(STEP * memory.idle)
        assert repo.load(draft_id, memory_on=True, writer="x") is not None


@every_strategy
def test_absolute_lifetime_ends_even_an_active_draft(memory: Strategy) -> None:
    absolute = memory.idle
    repo = memory.repo(Lifetimes(20 * absolute, absolute), 1024)
    draft_id = repo.create()
    memory.sleep(STEP * absolute)
    assert repo.load(draft_id, memory_on=True, writer="x") is not None
    memory.sleep(absolute)  # active a moment ago, far within its idle timeout
    assert repo.load(draft_id, memory_on=True, writer="x") is None


@every_strategy
def test_saving_an_expired_draft_says_so(memory: Strategy) -> None:
    repo = memory.repo(Lifetimes(memory.idle, 20 * memory.idle), 1024)
    draft = repo.load(repo.create(), memory_on=True, writer="x")
    assert draft
    draft.memory.set("k", 1)
    memory.sleep(1.1 * memory.idle)
    with pytest.raises(DraftExpiredError):
        repo.save(draft)


# What client-held drafts promise instead


@pytest.mark.parametrize("memory", ["cookie"], indirect=True)
def test_a_draft_that_outgrows_its_cookie_keeps_what_it_had(repo: DraftRepository) -> None:
    draft_id = repo.create()
    draft = repo.load(draft_id, memory_on=True, writer="employee")
    assert draft
    draft.memory.set("employee", {"full_name": "Ada"})
    repo.save(draft)
    draft = repo.load(draft_id, memory_on=True, writer="receipts")
    assert draft
    noise = "".join(random.Random(3).choices(string.ascii_letters + string.digits, k=6000))
    draft.memory.set("receipts", [{"description": noise}])  # within the 16 KB budget
    draft.note_accepted([("receipts.1.description", True)], memory_on=True)
    with pytest.raises(TooLargeForCookieError):
        repo.save(draft)
    kept = repo.load(draft_id, memory_on=True, writer="review")
    assert kept and kept.memory.get("employee") == {"full_name": "Ada"}
    assert not kept.memory.has("receipts") and kept.typed == {}


@pytest.mark.parametrize(
    ("memory", "refusal"), [("cookie", None), ("form", TamperedStateError)], indirect=["memory"]
)
def test_a_changed_draft_is_refused(memory: Strategy, refusal: type[Exception] | None) -> None:
    carrier = memory.carrier()
    repo = DraftRepository(carrier, Lifetimes(memory.idle, 3600), 1024)
    draft_id = repo.create()
    signed = carrier.held(KEY_PREFIX + draft_id)
    assert signed
    middle = signed.index(".") // 2  # within the payload
    changed = signed[:middle] + ("A" if signed[middle] != "A" else "B") + signed[middle + 1 :]
    carrier.hold(KEY_PREFIX + draft_id, changed)
    if refusal is None:
        assert repo.load(draft_id, memory_on=True, writer="x") is None  # the expired page
    else:
        with pytest.raises(refusal):  # a page that says the state was changed
            repo.load(draft_id, memory_on=True, writer="x")
    carrier.hold(KEY_PREFIX + draft_id, signed)
    assert repo.load(draft_id, memory_on=True, writer="x") is not None
