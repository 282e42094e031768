"""SessionState: the memory API of one draft (SPEC §6), and its null twin."""

from __future__ import annotations

from typing import Any

import pytest

from app.memory.state import (
    BadKeyError,
    BadValueError,
    BudgetExceededError,
    NullState,
    SessionState,
    contains,
    detect_type,
    normalise,
)


def state(budget: int = 16 * 1024) -> SessionState:
    return SessionState({}, {}, budget, writer="employee")


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        # the examples of SPEC §6
        ("30", 30),
        ("2.5", 2.5),
        ("00123", "00123"),
        ("12.50", "12.50"),
        ("1e3", "1e3"),
        (" 7", " 7"),
        ("true", True),
        ("false", False),
        ('{"a": 1}', {"a": 1}),
        ("[1, 2]", [1, 2]),
        # and more
        ("-4", -4),
        ("0", 0),
        ("-0", "-0"),
        ("0.1", 0.1),
        ("7 ", "7 "),
        ("+7", "+7"),
        ("1_000", "1_000"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("9007199254740993", "9007199254740993"),  # beyond 2**53: JSON readers would change it
        ("True", "True"),
        ("null", "null"),
        ("", ""),
        ("hello", "hello"),
        ("{not json", "{not json"),
        ("[1, 2", "[1, 2"),
        ('"quoted"', '"quoted"'),
        ("[]", []),
        ("{}", {}),
        ('{"nested": {"list": [1, "x", null, true]}}', {"nested": {"list": [1, "x", None, True]}}),
    ],
)
def test_type_detection_keeps_exactly_what_was_typed(text: str, stored: Any) -> None:
    memory = state()
    memory.set("key", text)
    assert memory.get("key") == stored
    assert type(memory.get("key")) is type(stored)
    assert detect_type(text) == stored


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("x", "string"),
        (3, "number"),
        (2.5, "number"),
        (True, "boolean"),
        (None, "null"),
        ([1], "array"),
        ({"a": 1}, "object"),
    ],
)
def test_keys_list_type_size_and_writer(value: Any, kind: str) -> None:
    memory = state()
    memory.set("key", value)
    [info] = memory.list_keys()
    assert (info.key, info.type, info.written_by) == ("key", kind, "employee")
    assert info.size > 0 and info.written_at > 0


def test_non_string_values_are_stored_as_given() -> None:
    memory = state()
    memory.set("employee", {"employee_id": "00123", "count": 2})
    assert memory.get("employee") == {"employee_id": "00123", "count": 2}


@pytest.mark.parametrize(
    ("value", "item", "expected"),
    [
        ("Hotel Adlon", "Adlon", True),
        ("Hotel Adlon", "Ritz", False),
        (["EUR", "JPY"], "JPY", True),
        (["EUR", "JPY"], "USD", False),
        ({"r1": 1}, "r1", True),
        ({"r1": 1}, 1, False),
        (42, 4, False),
    ],
)
def test_contains(value: Any, item: Any, expected: bool) -> None:
    memory = state()
    memory.set("key", value)
    assert memory.contains("key", item) is expected


def test_missing_key_reads_as_default_and_contains_nothing() -> None:
    memory = state()
    assert memory.get("missing") is None
    assert memory.get("missing", "fallback") == "fallback"
    assert memory.has("missing") is False
    assert memory.contains("missing", "x") is False


def test_delete_forgets_and_never_fails_on_absent_keys() -> None:
    memory = state()
    memory.set("key", "value")
    memory.delete("key")
    memory.delete("key")
    assert not memory.has("key")
    assert memory.list_keys() == []


@pytest.mark.parametrize("key", ["", "k" * 129, 5, None])
def test_bad_keys_are_refused_with_a_clear_error(key: Any) -> None:
    with pytest.raises(BadKeyError, match="1 to 128 characters"):
        state().set(key, "value")


def test_longest_key_is_accepted() -> None:
    memory = state()
    memory.set("k" * 128, 1)
    assert memory.get("k" * 128) == 1


@pytest.mark.parametrize("value", [object(), {1: "a"}, float("nan"), b"bytes", 2**70, {"a": {3}}])
def test_values_that_are_not_json_like_are_refused(value: Any) -> None:
    with pytest.raises(BadValueError):
        state().set("key", value)


def test_a_write_over_the_budget_is_refused_and_nothing_is_dropped() -> None:
    memory = state(budget=100)
    memory.set("small", "x" * 20)
    with pytest.raises(BudgetExceededError, match="limit is 100 bytes"):
        memory.set("big", "y" * 200)
    assert memory.get("small") == "x" * 20
    assert not memory.has("big")


def test_writes_are_recorded_as_operations_for_replay() -> None:
    memory = state()
    memory.set("a", "1")
    memory.delete("b")
    assert memory.operations == [("set", "a", 1), ("delete", "b", None)]


def test_null_state_remembers_nothing_but_still_checks_input() -> None:
    memory = NullState()
    memory.set("employee", {"full_name": "Ada"})
    assert memory.get("employee") is None
    assert not memory.has("employee")
    assert memory.list_keys() == [] and memory.operations == []
    with pytest.raises(BadKeyError):
        memory.set("", "x")
    with pytest.raises(BadValueError):
        memory.set("key", object())


def test_text_can_be_stored_as_text_without_type_detection() -> None:
    memory = state()
    memory.set("business_purpose", "true", detect_types=False)
    memory.set("count", "30", detect_types=False)
    assert memory.get("business_purpose") == "true" and memory.get("count") == "30"


def test_values_that_would_crash_a_store_are_refused_or_kept_as_text() -> None:
    assert detect_type("[" * 3000) == "[" * 3000  # too deep to parse: stays a string
    with pytest.raises(BadValueError):
        normalise("\ud800")  # a lone surrogate: no UTF-8 store can hold it
    nested: object = []
    for _ in range(40):
        nested = [nested]
    with pytest.raises(BadValueError):
        normalise(nested)


@pytest.mark.parametrize(
    ("value", "item", "expected"),
    [
        ([1], True, False),
        ([True], 1, False),
        ([1.0], 1, True),
        ({"a": 1}, [1], False),
        ([[1]], [1], True),
        ({"a": 1}, "a", True),
    ],
)
def test_contains_compares_as_json_does(value: object, item: object, expected: bool) -> None:
    assert contains(value, item) is expected  # type: ignore[arg-type]
