"""Submit re-checks the whole report; an answer in memory that no longer passes sends the
person to the step that asks for it, with a notice, and stores nothing (SPEC §3 Review,
§9). One case per section: the step that owns it, not just any step."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from app.flows.expenses.models import Report
from tests.helpers import EMPLOYEE, Wizard

NOTICE = "Some answers on this page no longer pass the checks. Check them and continue."


def at_review(wizard: Wizard) -> None:
    wizard.start()
    assert wizard.fill_employee().location == wizard.url("receipts")
    assert wizard.fill_receipts(1).location == wizard.url("categories")
    assert wizard.fill_categories(["Meals"]).location == wizard.url("review")


def spoil(app: Flask, wizard: Wizard, key: str, change: Any) -> None:
    """Change one answer in the draft's memory behind the wizard's back."""
    repo = app.extensions["session_memory"].drafts
    draft = repo.load(wizard.draft_id, memory_on=True, writer="test")
    draft.memory.set(key, change(draft.memory.get(key)), detect_types=False)
    repo.save(draft)


def category(value: str, details: str = "") -> Any:
    return lambda categories: {rid: {"category": value, "details": details} for rid in categories}


CASES = {
    "a work email that is no email": (
        "employee",
        lambda employee: {**employee, "work_email": "ada.example.com"},
        "employee",
    ),
    "a manager's email equal to the work email": (
        "employee",
        lambda employee: {**employee, "manager_email": EMPLOYEE["work_email"]},
        "employee",
    ),
    "a category not on the list": ("categories", category("Yachts"), "categories"),
    "Other without details": ("categories", category("Other"), "categories"),
    "a business purpose of 201 characters": ("business_purpose", lambda _: "x" * 201, "categories"),
    "a receipt of 2001": (
        "receipts",
        lambda receipts: [{**receipts[0], "date": "2001-01-01"}],
        "receipts",
    ),
}


@pytest.mark.parametrize(("key", "change", "step"), CASES.values(), ids=CASES.keys())
def test_submit_sends_an_answer_that_no_longer_passes_to_the_step_that_asks_for_it(
    app: Flask, wizard: Wizard, key: str, change: Any, step: str
) -> None:
    at_review(wizard)
    spoil(app, wizard, key, change)
    refused = wizard.submit()
    assert refused.status_code == 303
    assert refused.location == wizard.url(step) + "?notice=check"
    assert NOTICE in wizard.client.get(refused.location).text
    with app.app_context():
        assert Report.query.count() == 0


STEPS = [  # SPEC §3: each step's <h1>, "Step N of 4", and Back (except step 1)
    ("employee", "Employee details", 1, None),
    ("receipts", "Receipts", 2, "review"),  # a Change from review: Back returns there
    ("categories", "Categories", 3, "review"),
    ("review", "Review and submit", 4, "categories"),
]


def back_links(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" class="back-link">Back</a>', page)


@pytest.mark.parametrize(("step", "title", "number", "back"), STEPS)
def test_each_step_says_which_of_the_four_it_is_and_back_leads_to_review_once_reached(
    wizard: Wizard, step: str, title: str, number: int, back: str | None
) -> None:
    at_review(wizard)
    page = wizard.get(step).text
    assert f"<h1>{title}</h1>" in page
    assert f'<p class="caption">Step {number} of 4</p>' in page
    assert f"<title>{title} \N{EN DASH} Step {number} of 4" in page
    assert back_links(page) == ([wizard.url(back)] if back else [])


def test_before_review_is_reached_back_leads_to_the_step_before(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    assert back_links(wizard.get("receipts").text) == [wizard.url("employee")]
    wizard.fill_receipts(1)
    assert back_links(wizard.get("categories").text) == [wizard.url("receipts")]
    assert back_links(wizard.get("receipts").text) == [wizard.url("employee")]  # not yet
