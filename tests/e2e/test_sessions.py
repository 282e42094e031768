"""Drafts and browser sessions: two tabs, Back after submit, another browser's draft."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import (
    expect_step,
    field,
    fill_category,
    fill_employee,
    fill_receipt,
    press,
    receipt_group,
    reference_of,
    start_report,
    submit_report,
    summary_value,
    walk_to_review,
)
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e

ADA = {**EMPLOYEE, "full_name": "Ada Lovelace"}
ALAN = {
    **EMPLOYEE,
    "full_name": "Alan Turing",
    "work_email": "alan@example.com",
    "employee_id": "AT-0042",
    "department": "Sales",
}
TAXI = {"date": TODAY, "merchant": "Berlin Taxi", "amount": "23.40", "currency": "EUR"}
TRAIN = {"date": TODAY, "merchant": "Deutsche Bahn", "amount": "89.90", "currency": "EUR"}


def test_two_tabs_fill_two_drafts_that_never_mix(context: BrowserContext) -> None:
    first, second = context.new_page(), context.new_page()  # one browser session, two tabs

    def switch_to(tab: Page) -> Page:
        tab.bring_to_front()  # as a person does; a hidden tab gets no animation frames
        return tab

    draft_1, draft_2 = start_report(switch_to(first)), start_report(switch_to(second))
    assert draft_1 != draft_2

    # The tabs take turns, step by step
    fill_employee(switch_to(first), ADA)
    fill_employee(switch_to(second), ALAN)
    press(switch_to(first), "Continue")
    press(switch_to(second), "Continue")
    for tab, receipt in ((first, TAXI), (second, TRAIN)):
        expect_step(switch_to(tab), 2, "Receipts")
        fill_receipt(receipt_group(tab, 1), receipt)
    press(switch_to(first), "Continue")
    press(switch_to(second), "Continue")
    for tab, category, purpose in (
        (first, "Ground transport", "Taxi"),
        (second, "Travel", "Train"),
    ):
        expect_step(switch_to(tab), 3, "Categories")
        fill_category(tab.get_by_role("group").first, category)
        field(tab, "Business purpose").fill(purpose)
    press(switch_to(second), "Continue")
    press(switch_to(first), "Continue")

    for tab, person, receipt, category in (
        (first, ADA, TAXI, "Ground transport"),
        (second, ALAN, TRAIN, "Travel"),
    ):
        expect_step(switch_to(tab), 4, "Review and submit")
        expect(summary_value(tab, "Full name")).to_have_text(person["full_name"])
        expect(summary_value(tab, "Employee ID")).to_have_text(person["employee_id"])
        expect(summary_value(tab, "Department")).to_have_text(person["department"])
        expect(summary_value(tab, "Merchant")).to_have_text([receipt["merchant"]])
        expect(summary_value(tab, "Category")).to_have_text([category])

    # Reloading a tab still shows its own draft, and each tab submits its own report
    switch_to(first).reload()
    expect(summary_value(first, "Full name")).to_have_text("Ada Lovelace")
    references = {submit_report(switch_to(second)), submit_report(switch_to(first))}
    assert len(references) == 2
    expect(summary_value(first, "Full name")).to_have_text("Ada Lovelace")
    expect(summary_value(second, "Full name")).to_have_text("Alan Turing")


def test_back_after_submit_shows_the_same_report(
    page: Page, check_page: Callable[[Page, str], None]
) -> None:
    walk_to_review(page, ADA, TAXI)
    reference = submit_report(page)

    # Back lands on the review URL of a submitted draft: no second form to submit
    page.go_back()
    expect(page).to_have_url(re.compile(r"/review$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This expense report has already been submitted"
    )
    assert reference_of(page) == reference
    expect(page.get_by_role("button", name="Submit expense report")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Ada Lovelace")  # memory is gone
    check_page(page, "g01-back-after-submit")
    page.get_by_role("link", name="View the submitted report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Expense report submitted")
    assert reference_of(page) == reference

    # Further back, the earlier steps say the same
    page.go_back()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/categories$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This expense report has already been submitted"
    )
    assert reference_of(page) == reference


def test_submit_again_from_a_page_left_open_makes_no_second_report(
    context: BrowserContext,
) -> None:
    """What Back shows when the browser keeps the old page (bfcache), or a second tab."""
    page = context.new_page()
    draft = walk_to_review(page, ADA, TAXI)
    stale = context.new_page()
    stale.goto(f"{draft}/review")
    expect_step(stale, 4, "Review and submit")

    page.bring_to_front()
    reference = submit_report(page)
    stale.bring_to_front()
    reference_again = submit_report(stale)  # the old form posts again

    assert reference_again == reference
    assert stale.url == f"{page.url}?notice=already"
    expect(stale.get_by_role("status")).to_contain_text("what that page sent was not used")
    expect(summary_value(stale, "Full name")).to_have_text("Ada Lovelace")


def test_a_double_click_on_submit_shows_the_confirmation_of_one_report(page: Page) -> None:
    """Submit issues a new session id; the second click may still carry the old one."""
    walk_to_review(page, ADA, TAXI)
    page.get_by_label(
        "I confirm these expenses are accurate and for business purposes", exact=True
    ).check()
    page.get_by_role("button", name="Submit expense report").dblclick()
    expect(page.get_by_role("heading", level=1)).to_have_text("Expense report submitted")
    reference = reference_of(page)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Expense report submitted")
    assert reference_of(page) == reference


def test_a_draft_is_a_404_in_another_browser_session(
    page: Page,
    new_context: Callable[..., BrowserContext],
    check_page: Callable[[Page, str], None],
) -> None:
    draft = walk_to_review(page, ALAN, TRAIN)
    other = new_context().new_page()  # another browser: its own cookies, its own session

    for step in ("employee", "receipts", "categories", "review"):
        response = other.goto(f"{draft}/{step}")
        assert response is not None
        assert response.status == 404, f"{step}: {response.status}"
        expect(other.get_by_role("heading", level=1)).to_have_text("Page not found")
        body = other.locator("body")
        for secret in ("Alan Turing", "alan@example.com", "AT-0042", "Deutsche Bahn", "89.90"):
            expect(body).not_to_contain_text(secret)
        expect(other.get_by_role("textbox")).to_have_count(0)
    check_page(other, "h01-draft-in-another-browser-404")

    # Once submitted, its confirmation is the owner's only
    submit_report(page)
    response = other.goto(f"{draft}/confirmation")
    assert response is not None
    assert response.status == 404
    expect(other.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(other.locator("body")).not_to_contain_text(re.compile("Alan Turing|EXP-"))
