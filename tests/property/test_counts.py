"""The repeated-input counter is stored nested by the dots of its field names, to halve its
bytes; whatever the names, reading it back gives the same counts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.memory.drafts import flat_counts, nested_counts

PART = st.sampled_from(["employee", "receipts", "full_name", "date", "1", "2", "10", "a", ""])
NAME = st.lists(PART, min_size=1, max_size=4).map(".".join)


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
