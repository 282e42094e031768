"""The idempotent submit (SPEC §3, Confirmation: "Submitting twice ... creates exactly one
report"), its unique-violation path forced deterministically, without a race: the report is
already stored when the second submit writes, so the database refuses the second row and
the submit answers with the first report."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.flows.expenses.models import LineItem, Report
from app.flows.expenses.submit import TypingCounts, submit_report
from tests.helpers import Wizard, report_answers

ALREADY = "This report had already been submitted"


def answers(merchant: str) -> dict[str, Any]:
    return report_answers(merchant=merchant)


@pytest.mark.parametrize(
    "second_draft_id",
    ["first-draft-id", "lineage-id.moved1"],
    ids=["the same draft id again", "another draft id of the same lineage"],
)
def test_idempotent_submit_unique_violation_returns_the_first_report_and_writes_no_second(
    app: Flask, second_draft_id: str
) -> None:
    counts = TypingCounts(typed=11, repeated=0)
    with app.app_context():
        first = submit_report("first-draft-id", "lineage-id", answers("First"), counts, True)
        again = submit_report(second_draft_id, "lineage-id", answers("Second"), counts, True)
        assert (again.id, again.reference, again.draft_id) == (
            first.id,
            first.reference,
            "first-draft-id",
        )
        assert [item.merchant for item in again.items] == ["First"]
        assert Report.query.count() == 1
        assert [item.merchant for item in LineItem.query.all()] == ["First"]


def test_idempotent_submit_unique_violation_through_a_moved_copy_shows_the_already_confirmation(
    app: Flask, wizard: Wizard
) -> None:
    """Tab 1 submitted the draft at the moment tab 2 moved its memory into a cookie (a new
    draft id, the same lineage); then tab 2 submits the moved copy. Its insert violates the
    lineage's uniqueness: one report, and tab 2 lands on the first one's confirmation."""
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    first_id = wizard.draft_id
    loaded = app.extensions["session_memory"].drafts.load(first_id, memory_on=True, writer="test")
    remembered = {key: loaded.memory.get(key) for key in answers("")}
    move = {"csrf_token": wizard.token(), "strategy": "cookie", "draft": first_id,
            "step": "review", "next": "/"}  # fmt: skip
    moved = wizard.client.post("/memory/strategy", data=move)
    assert moved.status_code == 303
    wizard.draft_url = moved.location.rsplit("/", 1)[0]
    assert wizard.draft_id.startswith(f"c.{first_id}.")  # a new id, the same lineage
    with app.app_context():  # tab 1's submit, stored first
        first = submit_report(first_id, first_id, remembered, TypingCounts(11, 0), True)
        reference = first.reference

    done = wizard.submit()  # tab 2

    assert done.status_code == 303
    assert done.location == f"/report/{first_id}/confirmation?notice=already"
    page = wizard.client.get(done.location)
    assert "<h1>Expense report submitted</h1>" in page.text
    assert ALREADY in page.text and reference in page.text
    with app.app_context():
        assert Report.query.count() == 1 and LineItem.query.count() == 1
    gone = wizard.get("review")  # the moved copy's memory ended with the submit
    assert "This expense report has already been submitted" in gone.text
    assert reference in gone.text
