"""The whole wizard works with JavaScript switched off (SPEC §3: all of this works without it)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import (
    expect_receipt,
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
)
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e

LUNCH = {
    "date": TODAY,
    "merchant": "Cafe Einstein",
    "amount": "18.00",
    "currency": "EUR",
    "description": "Lunch with the client",
}
CABLE = {"date": TODAY, "merchant": "Cable Shop", "amount": "9.99", "currency": "GBP"}
BOOKS = {"date": TODAY, "merchant": "Book Store", "amount": "42.00", "currency": "USD"}


def test_whole_report_without_javascript(
    new_context: Callable[..., BrowserContext], screenshot: Callable[..., object]
) -> None:
    page = new_context(java_script_enabled=False).new_page()

    start_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")

    expect_step(page, 2, "Receipts")
    fill_receipt(receipt_group(page, 1), LUNCH)
    press(page, "Add another receipt")
    press(page, "Continue")  # receipt 2 is still empty: errors, no script to help

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link").first).to_have_text("Enter the date of the receipt")
    expect(summary).not_to_be_focused()  # proof that no script ran
    summary.get_by_role("link").first.click()  # a plain in-page link still moves focus
    expect(field(receipt_group(page, 2), "Date")).to_be_focused()
    expect_receipt(receipt_group(page, 1), LUNCH)
    # (no axe here: it is a script, and page.evaluate never returns with scripts disabled)
    screenshot(page, "f01-step2-error-without-javascript")

    fill_receipt(receipt_group(page, 2), CABLE)
    press(page, "Add another receipt")
    fill_receipt(receipt_group(page, 3), BOOKS)
    press(page, "Remove receipt 2")

    # The cable shop is gone; the books moved up to Receipt 2 with everything typed
    expect(page.get_by_role("group", name=re.compile(r"^Receipt \d"))).to_have_count(2)
    expect_receipt(receipt_group(page, 1), LUNCH)
    expect_receipt(receipt_group(page, 2), {**BOOKS, "description": ""})
    expect(page.get_by_role("button", name="Remove receipt 3")).to_have_count(0)
    press(page, "Continue")

    expect_step(page, 3, "Categories")
    fill_category(
        page.get_by_role("group", name=f"Receipt 1: Cafe Einstein, 18.00 EUR, {TODAY}"), "Meals"
    )
    fill_category(
        page.get_by_role("group", name=f"Receipt 2: Book Store, 42.00 USD, {TODAY}"), "Training"
    )
    field(page, "Business purpose").fill("Client lunch and a course book")
    press(page, "Continue")

    expect_step(page, 4, "Review and submit")
    expect(summary_value(page, "Merchant")).to_have_text(["Cafe Einstein", "Book Store"])
    expect(summary_value(page, "Category")).to_have_text(["Meals", "Training"])
    totals = page.get_by_role("region", name="Totals")
    expect(totals.get_by_role("listitem")).to_have_text(["18.00 EUR", "42.00 USD"])
    expect(page.locator("body")).not_to_contain_text("Cable Shop")

    reference = submit_report(page)
    expect(summary_value(page, "Full name")).to_have_text(EMPLOYEE["full_name"])
    page.reload()
    assert reference_of(page) == reference
