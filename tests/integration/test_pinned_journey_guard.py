"""The journey guard on POST (SPEC §3, "Drafts that cannot be shown"): with memory on, a
step whose earlier steps lack answers sends the person to the first step lacking them, with
a notice, and keeps nothing of what was posted, even when the post itself is valid."""

from __future__ import annotations

import pytest
from flask import Flask

from app.flows.expenses.models import Report
from tests.helpers import Wizard, employee_form, receipt_form

NOTICE = "Complete this step first: the later steps need its answers."
CATEGORY = {
    "categories-0-receipt_id": "receipt0000",
    "categories-0-category": "Meals",
    "categories-0-details": "",
    "business_purpose": "Client visit",
}
# Each later step's valid post; the review's is the whole report (as with memory off).
VALID_POSTS = {
    "receipts": receipt_form(0),
    "categories": {**receipt_form(0), **CATEGORY},
    "review": {**employee_form(), **receipt_form(0), **CATEGORY, "confirm": "y"},
}
DONE_BEFORE = {"employee": [], "receipts": ["employee"], "categories": ["employee", "receipts"]}


def complete(wizard: Wizard, steps: list[str]) -> None:
    fills = {
        "employee": wizard.fill_employee,
        "receipts": lambda: wizard.fill_receipts(1),
        "categories": lambda: wizard.fill_categories(["Meals"]),
    }
    for step in steps:
        assert fills[step]().status_code == 303


@pytest.mark.parametrize(
    ("posted", "first_lacking"),
    [
        ("receipts", "employee"),
        ("categories", "employee"),
        ("review", "employee"),
        ("categories", "receipts"),
        ("review", "receipts"),
        ("review", "categories"),
    ],
)
def test_journey_guard_on_post_redirects_to_the_first_step_lacking_answers_and_keeps_nothing(
    app: Flask, wizard: Wizard, posted: str, first_lacking: str
) -> None:
    wizard.start()
    complete(wizard, DONE_BEFORE[first_lacking])
    before = wizard.stored_draft()

    response = wizard.post(posted, VALID_POSTS[posted])

    assert response.status_code == 303
    assert response.location == wizard.url(first_lacking) + "?notice=incomplete"
    assert wizard.stored_draft() == before  # no answer, no count, no page noted
    page = wizard.client.get(response.location)
    assert page.status_code == 200 and NOTICE in page.text
    with app.app_context():
        assert Report.query.count() == 0


def test_journey_guard_on_post_lets_the_same_post_through_once_the_steps_before_are_done(
    wizard: Wizard,
) -> None:
    """The guard is about what memory lacks, not about the post: after the first step is
    done, the very post it refused goes on to the next step."""
    wizard.start()
    refused = wizard.post("receipts", VALID_POSTS["receipts"])
    assert refused.location == wizard.url("employee") + "?notice=incomplete"
    complete(wizard, ["employee"])
    accepted = wizard.post("receipts", VALID_POSTS["receipts"])
    assert (accepted.status_code, accepted.location) == (303, wizard.url("categories"))


def test_journey_guard_on_post_with_add_another_receipt_keeps_nothing(wizard: Wizard) -> None:
    """Add another receipt on a step the guard stops: no input kept for later either."""
    wizard.start()
    before = wizard.stored_draft()
    added = wizard.post("receipts", {**receipt_form(0, merchant="Too Soon"), "action": "add"})
    assert added.location == wizard.url("employee") + "?notice=incomplete"
    assert wizard.stored_draft() == before
    complete(wizard, ["employee"])
    assert "Too Soon" not in wizard.get("receipts").text
