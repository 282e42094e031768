"""The repeated-input counter is stored nested by the dots of its field names, to halve its
bytes; whatever the names, reading it back gives the same counts. Whatever pages are
accepted, only a field typed before and asked again (memory lacked it) is a repeat."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.memory.drafts import (
    RepeatCounter,
    counter_of,
    counter_record,
    flat_counts,
    nested_counts,
)
from tests.property import BASE

PART = st.sampled_from(["employee", "receipts", "full_name", "date", "1", "2", "10", "a", ""])
NAME = st.lists(PART, min_size=1, max_size=4).map(".".join)


@settings(BASE)  # no deadline: a busy machine is not a failing example
@given(st.dictionaries(NAME, st.integers(min_value=1, max_value=50), max_size=30))
def test_the_nested_counter_reads_back_as_the_counts_written(counts: dict[str, int]) -> None:
    assert flat_counts(nested_counts(counts)) == counts


def test_a_field_that_is_also_a_prefix_keeps_both_counts_in_either_order() -> None:
    for order in (["a", "a.b"], ["a.b", "a"]):
        counts = {name: n for n, name in enumerate(order, start=2)}
        assert flat_counts(nested_counts(counts)) == counts


def test_a_counter_stored_flat_by_an_earlier_version_still_reads() -> None:
    flat = {"employee.full_name": 2, "receipts.1.date": 1, "business_purpose": 1}
    assert flat_counts(flat) == flat
    assert nested_counts(flat)["receipts"] == {"1": {"date": 1}}


FIELD = st.sampled_from(["employee.full_name", "receipts.1.date", "receipts.10.merchant", "a"])
PAGE = st.tuples(st.lists(st.tuples(FIELD, st.booleans()), max_size=6), st.booleans())


@settings(BASE)  # no deadline: a busy machine is not a failing example
@given(st.lists(PAGE, max_size=8))
def test_only_a_field_typed_before_and_asked_again_is_a_repeat(
    pages: list[tuple[list[tuple[str, bool]], bool]],
) -> None:
    """Whatever pages are accepted: a field's first typing is never a repeat, a correction
    (memory had the field) never is, and the memory use is "part" only when it was (a
    repeat with every page sent with memory on means it was off or wiped in between)."""
    counter = RepeatCounter()
    for typings, memory_on in pages:
        before = counter
        counter = counter.plus(typings, [memory_on])
        if not any(asked for _, asked in typings):
            assert counter.again == before.again  # corrections only
        assert counter_of(counter_record(counter)) == counter  # stored and read back
    assert 0 <= counter.again <= counter.fields_typed - len(counter.typed)
    modes = {memory_on for _, memory_on in pages}
    if counter.again and modes <= {True}:
        modes.add(False)  # asked again with every page on: memory was off (wiped) between
    expected = "part" if len(modes) == 2 else ("off" if modes == {False} else "on")
    assert counter.memory_use == expected
