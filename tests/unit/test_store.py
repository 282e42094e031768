"""The contract of session memory's stores, run against every place memory can live.

Every strategy (sqlite, redis, cookie, form) keeps the operations on one entry, its idle
expiry and a restart. Several entries side by side are kept by the stores with a key per
entry (not a page's form, which carries one draft's). Counting, purging, threads with no
browser between them and 100,000 drafts are the server's alone. What client-held memory
promises instead (a changed, misplaced or idle entry is refused; a cookie stays within 4 KB)
is tested on the cookie and the form.
"""

from __future__ import annotations

import base64
import random
import threading
import time
import zlib
from pathlib import Path

import pytest
from flask import g

from app.memory.client_store import (
    COOKIE_LIMIT,
    CookieStore,
    TamperedStateError,
    TooLargeForCookieError,
)
from app.memory.state import BudgetExceededError
from tests.unit.carriers import (
    ALL,
    CLIENT,
    KEYED,
    SERVER,
    Browser,
    ClientCarrier,
    Strategy,
    client_carrier,
    strategy,
)

every_strategy = pytest.mark.parametrize("memory", ALL, indirect=True)
keyed_stores = pytest.mark.parametrize("memory", KEYED, indirect=True)
server_stores = pytest.mark.parametrize("memory", SERVER, indirect=True)
cookie_only = pytest.mark.parametrize("memory", ["cookie"], indirect=True)
# How each client-held store refuses what it cannot trust: a cookie reads as absent (the
# draft has expired), a form's state is an error the person is told about.
refusals = pytest.mark.parametrize(
    ("memory", "refusal"), [("cookie", None), ("form", TamperedStateError)], indirect=["memory"]
)


@pytest.fixture
def memory(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Strategy:
    """The strategy a test is parametrized with, opened for it."""
    return strategy(request.param, request, tmp_path, monkeypatch)


def assert_refused(carrier: ClientCarrier, key: str, refusal: type[Exception] | None) -> None:
    if refusal is None:
        assert carrier.get(key) is None
    else:
        with pytest.raises(refusal):
            carrier.get(key)


# What every strategy keeps


@every_strategy
def test_put_get_delete(memory: Strategy) -> None:
    store = memory.open()
    store.put("k", b"v", ttl=60)
    assert store.get("k") == b"v"
    assert store.get("k") == b"v"  # reading does not use it up
    store.delete("k")
    store.delete("k")  # absent: no error
    assert store.get("k") is None


VALUES = {
    "empty": b"",
    "every byte": bytes(range(256)) * 2,
    "incompressible": random.Random(8).randbytes(2000),
    "a megabyte that compresses": b"expense wizard " * 70_000,
}


@every_strategy
@pytest.mark.parametrize("value", VALUES.values(), ids=VALUES.keys())
def test_values_round_trip_byte_exactly(memory: Strategy, value: bytes) -> None:
    store = memory.open()
    store.put("k", value, ttl=60)
    assert store.get("k") == value
    assert store.update("k", lambda old: old, ttl=60) == value
    assert store.get_touch("k", ttl=60) == value
    assert store.get("k") == value


# The timing tests step in twelfths of the idle timeout: an entry is checked still there at
# most a twelfth after it was last written or touched, eleven twelfths before it would expire
# (on Redis, in real time). Checks that it is gone come after the timeout has passed.
STEP = 1 / 12


@every_strategy
def test_an_entry_left_idle_past_its_lifetime_is_gone(memory: Strategy) -> None:
    store = memory.open()
    store.put("k", b"v", ttl=memory.idle)
    assert store.get("k") == b"v"
    memory.sleep(1.1 * memory.idle)
    assert store.get("k") is None
    assert store.get_touch("k", ttl=60) is None  # an expired entry is not revived
    assert store.get("k") is None


@every_strategy
def test_get_touch_slides_the_expiry(memory: Strategy) -> None:
    store = memory.open()
    store.put("k", b"v", ttl=memory.idle)
    for _ in range(13):  # a step past the idle timeout in all: gone without the touches
        memory.sleep(STEP * memory.idle)
        assert store.get_touch("k", ttl=memory.idle) == b"v"
    assert store.get("k") == b"v"


@every_strategy
def test_update_writes_and_deletes(memory: Strategy) -> None:
    store = memory.open()
    assert store.update("k", lambda old: b"1" if old is None else old + b"1", ttl=60) == b"1"
    store.update("k", lambda old: (old or b"") + b"2", ttl=60)
    assert store.get("k") == b"12"
    store.update("k", lambda old: None, ttl=60)
    assert store.get("k") is None


@every_strategy
def test_update_that_fails_changes_nothing(memory: Strategy) -> None:
    store = memory.open()
    store.put("k", b"before", ttl=60)

    def broken(old: bytes | None) -> bytes:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        store.update("k", broken, ttl=60)
    assert store.get("k") == b"before"
    store.put("other", b"still works", ttl=60)
    assert store.get("other") == b"still works"


@every_strategy
def test_entries_survive_a_restart(memory: Strategy) -> None:
    # A client-held entry survives it as the app's secret key does: kept in instance/.
    memory.open().put("k", b"kept", ttl=60)
    assert memory.open().get("k") == b"kept"


# What the stores with a key per entry keep


@keyed_stores
def test_entries_live_side_by_side(memory: Strategy) -> None:
    store = memory.open()
    store.put("a", b"1", ttl=60)
    store.put("b", b"2", ttl=60)
    store.update("a", lambda old: (old or b"") + b"1", ttl=60)
    assert (store.get("a"), store.get("b")) == (b"11", b"2")
    store.delete("b")
    assert (store.get("a"), store.get("b")) == (b"11", None)


@keyed_stores
def test_each_entry_expires_after_its_own_ttl(memory: Strategy) -> None:
    # A cookie's own ttl is its Max-Age: the browser drops it.
    store = memory.open()
    store.put("short", b"v", ttl=STEP / 2 * memory.idle)
    store.put("long", b"v", ttl=memory.idle)
    memory.sleep(STEP * memory.idle)
    assert store.get("short") is None
    assert store.get("long") == b"v"


# What only the server's stores keep: they see every browser's entries at once


@server_stores
def test_expired_entries_are_deleted_not_just_hidden(memory: Strategy) -> None:
    store = memory.open()
    store.put("short", b"v", ttl=STEP / 2 * memory.idle)
    store.put("long", b"v", ttl=memory.idle)
    memory.sleep(STEP * memory.idle)
    assert store.count() == 1
    purged = store.delete_expired()
    assert store.count() == 1
    # SQLite deletes the expired row now; Redis has deleted its key by itself.
    assert purged == {"sqlite": 1, "redis": 0}[memory.name]


@server_stores
def test_concurrent_updates_lose_nothing(memory: Strategy) -> None:
    store = memory.open()
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


@server_stores
def test_keeps_100000_live_entries_without_evicting_any(memory: Strategy) -> None:
    store = memory.open()
    for i in range(100_000):
        store.put(f"draft:{i}", b"x" * 100, ttl=3600)
    assert store.count() == 100_000
    reopened = memory.open()
    assert reopened.get("draft:0") == b"x" * 100  # the oldest is still there
    assert reopened.get("draft:99999") == b"x" * 100


# What client-held memory promises instead: the browser carries it, but can neither forge,
# move nor revive it


def changed(signed: str, part: str) -> str:
    """The signed text (payload.timestamp.signature) with one part changed."""
    payload, timestamp, signature = signed.split(".")

    def flip(text: str, at: int) -> str:
        return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]

    return {
        "payload": f"{flip(payload, len(payload) // 2)}.{timestamp}.{signature}",
        "timestamp": f"{payload}.{flip(timestamp, 0)}.{signature}",
        "signature": f"{payload}.{timestamp}.{flip(signature, 0)}",
        "no signature": f"{payload}.{timestamp}",
        "garbage": "not-a-signed-value",
    }[part]


@refusals
@pytest.mark.parametrize(
    "part", ["payload", "timestamp", "signature", "no signature", "garbage", "spliced"]
)
def test_a_changed_entry_is_refused(
    memory: Strategy, refusal: type[Exception] | None, part: str
) -> None:
    carrier = memory.carrier()
    carrier.put("draft:a", b"first", ttl=60)
    first = carrier.held("draft:a")
    carrier.put("draft:a", b"second", ttl=60)
    second = carrier.held("draft:a")
    assert first and second and first != second
    if part == "spliced":  # one value's payload under another's signature
        forged = f"{first.split('.')[0]}.{second.split('.', 1)[1]}"
    else:
        forged = changed(second, part)
    carrier.hold("draft:a", forged)
    assert_refused(carrier, "draft:a", refusal)
    carrier.hold("draft:a", first)  # unchanged, an older value is still believed
    assert carrier.get("draft:a") == b"first"


@refusals
def test_an_entry_is_not_accepted_under_another_key(
    memory: Strategy, refusal: type[Exception] | None
) -> None:
    carrier = memory.carrier()
    carrier.put("draft:a", b"a's memory", ttl=60)
    signed = carrier.held("draft:a")
    assert signed
    # A cookie goes under the other draft's name; a form field is renamed to the other draft
    carrier.hold("draft:b", signed.replace("draft:a!", "draft:b!", 1))
    assert_refused(carrier, "draft:b", refusal)
    carrier.hold("draft:a", signed)
    assert carrier.get("draft:a") == b"a's memory"


@pytest.mark.parametrize("memory", ["form"], indirect=True)
def test_a_page_of_one_draft_is_not_another_drafts_memory(memory: Strategy) -> None:
    # The field names its draft: sent to another draft (the memory switch in the header
    # sends it whatever the page), it is neither that draft's memory nor an attack.
    carrier = memory.carrier()
    carrier.put("draft:a", b"a's memory", ttl=60)
    assert carrier.get("draft:b") is None
    carrier.delete("draft:b")  # another draft's delete leaves this page's memory alone
    assert carrier.get("draft:a") == b"a's memory"


@refusals
def test_an_idle_entry_has_expired_even_if_the_browser_keeps_it(
    memory: Strategy, refusal: type[Exception] | None
) -> None:
    carrier = memory.carrier()
    carrier.put("draft:a", b"v", ttl=10 * memory.idle)  # a cookie told to live longer
    signed = carrier.held("draft:a")
    assert signed
    memory.sleep(memory.idle - 1)  # signatures count whole seconds
    carrier.hold("draft:a", signed)
    assert carrier.get("draft:a") == b"v"
    memory.sleep(2)
    carrier.hold("draft:a", signed)
    assert carrier.get("draft:a") is None  # expired, not refused as changed


@refusals
def test_an_entrys_own_ttl_is_signed_so_it_holds_even_if_the_browser_keeps_it(
    memory: Strategy, refusal: type[Exception] | None
) -> None:
    carrier = memory.carrier()
    carrier.put("draft:a", b"v", ttl=STEP / 2 * memory.idle)  # shorter than the idle timeout
    signed = carrier.held("draft:a")
    assert signed
    memory.sleep(STEP * memory.idle)
    carrier.hold("draft:a", signed)
    assert carrier.get("draft:a") is None


@refusals
def test_an_entry_signed_before_ttls_were_signed_still_reads_until_the_idle_timeout(
    memory: Strategy, refusal: type[Exception] | None
) -> None:
    # Browsers may still carry drafts signed by the previous version: value only, no ttl.
    carrier = memory.carrier()
    packed = base64.urlsafe_b64encode(zlib.compress(b"older")).decode("ascii")
    signed = carrier.store._signer_for("draft:a").sign(packed).decode("ascii")
    carrier.hold("draft:a", signed)
    assert carrier.get("draft:a") == b"older"
    memory.sleep(memory.idle + 2)
    carrier.hold("draft:a", signed)
    assert carrier.get("draft:a") is None


@pytest.mark.parametrize("kind", CLIENT)
def test_an_entry_signed_longer_ago_than_the_idle_timeout_has_expired_by_the_real_clock(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No clock is moved while the entries are read: each was signed by a clock set back
    (as if the browser had kept it that long), and is read in real time."""
    carrier = client_carrier(kind, tmp_path / "instance", WIZARD_IDLE_TIMEOUT=60)
    real = time.time
    for signed_ago, kept in [(30, b"v"), (90, None)]:
        with monkeypatch.context() as earlier:
            earlier.setattr(time, "time", lambda ago=signed_ago: real() - ago)
            carrier.put("draft:a", b"v", ttl=3600)
            signed = carrier.held("draft:a")
        assert signed
        carrier.hold("draft:a", signed)
        assert carrier.get("draft:a") == kept, f"signed {signed_ago} s ago"


@refusals
def test_an_entry_signed_by_another_app_is_refused(
    memory: Strategy, refusal: type[Exception] | None, tmp_path: Path
) -> None:
    carrier = memory.carrier()
    carrier.put("draft:a", b"v", ttl=60)
    another = client_carrier(memory.name, tmp_path / "another", carrier.browser)
    assert_refused(another, "draft:a", refusal)  # another instance: another secret key
    assert carrier.get("draft:a") == b"v"


@pytest.mark.parametrize("memory", CLIENT, indirect=True)
def test_only_the_browser_holding_an_entry_has_it(memory: Strategy) -> None:
    carrier = memory.carrier()
    carrier.put("draft:a", b"v", ttl=60)
    server = carrier.app.extensions["session_memory"].store
    assert server.get("draft:a") is None  # nothing of it on the server (only, for a moment,
    assert server.count() <= 1  # the cookie's size: see test_cookie_jar_bounded.py)
    another_browser = ClientCarrier(carrier.app, memory.name, Browser())
    assert another_browser.get("draft:a") is None
    assert carrier.get("draft:a") == b"v"


@cookie_only
def test_the_cookie_store_refuses_more_than_4096_bytes_before_writing_anything(
    memory: Strategy,
) -> None:
    carrier = memory.carrier()
    carrier.put("draft:a", b"small", ttl=60)
    too_large = random.Random(1).randbytes(4000)
    with carrier.request() as store:
        with pytest.raises(TooLargeForCookieError) as refused:
            store.put("draft:a", too_large, ttl=60)
        assert store.get("draft:a") == b"small"  # not even this request reads it
        assert g.get("cookies_out", {}) == {}
    assert isinstance(refused.value, BudgetExceededError)  # shown like the memory budget
    assert refused.value.size > COOKIE_LIMIT
    assert carrier.browser.last_set_cookies == []  # the answer set no cookie
    assert carrier.get("draft:a") == b"small"


@cookie_only
def test_the_cookie_limit_counts_the_whole_set_cookie_header(memory: Strategy) -> None:
    """The largest entry that fits goes out in a header Flask sends without a warning (and
    this suite turns warnings into errors), and the browser keeps it."""
    carrier = memory.carrier()
    store = carrier.store
    assert isinstance(store, CookieStore)
    data = random.Random(2).randbytes(COOKIE_LIMIT)  # incompressible
    limit = carrier.app.config["MAX_COOKIE_SIZE"]

    def fits(size: int) -> bool:
        with carrier.app.test_request_context():
            try:
                store.put("draft:a", data[:size], ttl=60)
            except TooLargeForCookieError as refused:
                assert refused.size > limit
                return False
            return True

    low, high = 0, len(data)  # fits(low), and not fits(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    carrier.put("draft:a", data[:low], ttl=60)  # sent for real: no warning, no error
    (header,) = carrier.browser.last_set_cookies
    # Base64 grows in steps of 4 characters: the largest that fits is within one step.
    assert limit - 4 < len(header) <= limit
    assert carrier.get("draft:a") == data[:low]
