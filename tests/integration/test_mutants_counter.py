"""The typed-again count over HTTP: a field memory already held with that very value is not
typed, let alone typed again (SPEC §4). Issue 16: counting it survived the whole suite."""

from __future__ import annotations

import re

from tests.helpers import Wizard, employee_form


def numbers(confirmation: str) -> tuple[int, int]:
    """(fields typed, fields typed again) as the confirmation page shows them."""
    typed = re.search(r"<dt>Fields typed</dt><dd>(\d+)</dd>", confirmation)
    again = re.search(r"<dt>Fields typed again</dt><dd>(\d+)</dd>", confirmation)
    assert typed and again, confirmation
    return int(typed[1]), int(again[1])


def to_review(wizard: Wizard) -> None:
    """Steps 1 to 3 with memory on: 5 + 4 + 2 = 11 fields typed."""
    wizard.start()
    assert wizard.fill_employee().location == wizard.url("receipts")
    assert wizard.fill_receipts(1).location == wizard.url("categories")
    assert wizard.fill_categories(["Meals"]).location == wizard.url("review")


def confirmation_after_submit(wizard: Wizard) -> str:
    done = wizard.submit()
    assert done.location == wizard.url("confirmation")
    return wizard.client.get(done.location).text


def test_change_on_review_then_continue_without_editing_counts_nothing_typed(
    wizard: Wizard,
) -> None:
    to_review(wizard)
    change = wizard.get("employee").text  # the Change link: the step, filled from memory
    assert 'value="Ada Lovelace"' in change and 'value="00123"' in change
    assert wizard.fill_employee().location == wizard.url("review")  # the same values
    assert numbers(confirmation_after_submit(wizard)) == (11, 0)


def test_change_on_review_and_continue_on_every_step_unedited_counts_nothing_typed(
    wizard: Wizard,
) -> None:
    to_review(wizard)
    assert wizard.fill_employee().location == wizard.url("review")
    assert wizard.fill_receipts(1).location == wizard.url("review")
    assert wizard.fill_categories(["Meals"]).location == wizard.url("review")
    assert numbers(confirmation_after_submit(wizard)) == (11, 0)


def test_one_field_edited_after_change_counts_that_field_only(wizard: Wizard) -> None:
    to_review(wizard)
    edited = wizard.post("employee", employee_form(department="Finance"))
    assert edited.location == wizard.url("review")
    assert numbers(confirmation_after_submit(wizard)) == (12, 0)  # a correction, not a repeat
