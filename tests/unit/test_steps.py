"""Navigation computed from the step declarations."""

from __future__ import annotations

from typing import Any

import pytest

from app.flows.expenses.flow import EXPENSES
from app.memory.state import NullState, SessionState

STEPS = EXPENSES.steps
first_incomplete_before = EXPENSES.first_incomplete_before
next_step = EXPENSES.next_step
owner_of = EXPENSES.owner_of
step_named = EXPENSES.step_named

EMPLOYEE = {"full_name": "Ada"}
RECEIPTS = [{"id": "r1"}, {"id": "r2"}]
CATEGORIES = {"r1": {"category": "Meals"}, "r2": {"category": "Travel"}}


def memory(**values: Any) -> SessionState:
    return SessionState(dict(values), {}, 16 * 1024)


def names(steps: Any) -> list[str]:
    return [s.name for s in steps]


def test_steps_are_declared_in_spec_order() -> None:
    assert names(STEPS) == ["employee", "receipts", "categories", "review"]
    assert [s.title for s in STEPS] == [
        "Employee details",
        "Receipts",
        "Categories",
        "Review and submit",
    ]
    assert step_named("nope") is None


def test_with_memory_each_step_asks_only_its_own_sections() -> None:
    full = memory(
        employee=EMPLOYEE, receipts=RECEIPTS, categories=CATEGORIES, business_purpose="Visit"
    )
    asked = {s.name: [x.name for x in EXPENSES.sections_to_ask(s, full)] for s in STEPS}
    assert asked == {
        "employee": ["employee"],
        "receipts": ["receipts"],
        "categories": ["categories", "purpose"],
        "review": ["confirm"],
    }


def test_without_memory_later_steps_ask_again_for_what_they_need() -> None:
    asked = {s.name: [x.name for x in EXPENSES.sections_to_ask(s, NullState())] for s in STEPS}
    assert asked["employee"] == ["employee"]
    assert asked["receipts"] == ["receipts"]
    assert asked["categories"] == ["receipts", "categories", "purpose"]
    assert asked["review"] == ["employee", "receipts", "categories", "purpose", "confirm"]


def test_a_receipt_without_a_category_leaves_categories_incomplete() -> None:
    partial = memory(
        employee=EMPLOYEE,
        receipts=[*RECEIPTS, {"id": "r3"}],
        categories=CATEGORIES,
        business_purpose="Visit",
    )
    assert first_incomplete_before(STEPS[3], partial) is STEPS[2]


@pytest.mark.parametrize(
    ("values", "step", "expected"),
    [
        ({}, "review", "employee"),
        ({"employee": EMPLOYEE}, "categories", "receipts"),
        ({"employee": EMPLOYEE, "receipts": RECEIPTS}, "categories", None),
        ({"employee": EMPLOYEE, "receipts": RECEIPTS}, "review", "categories"),
        ({}, "employee", None),
    ],
)
def test_journey_guard_finds_the_first_incomplete_earlier_step(
    values: dict[str, Any], step: str, expected: str | None
) -> None:
    found = first_incomplete_before(step_named(step), memory(**values))  # type: ignore[arg-type]
    assert (found.name if found else None) == expected


def test_continue_goes_forward_then_returns_to_review_once_complete() -> None:
    fresh = memory(employee=EMPLOYEE)
    assert next_step(STEPS[0], fresh).name == "receipts"
    complete = memory(
        employee=EMPLOYEE, receipts=RECEIPTS, categories=CATEGORIES, business_purpose="Visit"
    )
    assert next_step(STEPS[0], complete).name == "review"  # a change returns to review
    new_receipt = memory(
        employee=EMPLOYEE,
        receipts=[*RECEIPTS, {"id": "r3"}],
        categories=CATEGORIES,
        business_purpose="Visit",
    )
    assert next_step(STEPS[1], new_receipt).name == "categories"  # needs a category first


def test_with_memory_off_continue_goes_to_the_next_step() -> None:
    assert names(next_step(s, NullState()) for s in STEPS[:3]) == [
        "receipts",
        "categories",
        "review",
    ]


def test_each_section_has_one_owning_step() -> None:
    owners = {section.name: owner_of(section).name for s in STEPS for section in s.asks}
    assert owners == {
        "employee": "employee",
        "receipts": "receipts",
        "categories": "categories",
        "purpose": "categories",
        "confirm": "review",
    }
