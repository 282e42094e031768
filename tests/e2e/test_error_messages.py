"""Error messages that name their item, and input never cut off (issue 19, points 7 and 8),
in Chromium at 1280 and 390 px: two receipts wrong alike get two different lines, each naming
its receipt (on Categories with its merchant); a decimal comma and a currency sign are refused
in words that say what to type; ¥150,000 is taken; a paste over a field's limit is kept whole
and refused with a message, not cut off by the browser."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    expect_step,
    field,
    fill_employee,
    fill_receipt,
    press,
    receipt_group,
    start_report,
)
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e
LONG = "M" * 120  # the merchant field takes 100


@pytest.mark.parametrize("width", [1280, 390])
def test_each_line_of_the_summary_names_its_receipt(
    page: Page, width: int, check_page: Callable[[Page, str], None]
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    start_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    fill_receipt(receipt_group(page, 1), {"date": "", "merchant": LONG, "amount": "12,50",
                                          "currency": "EUR"})  # fmt: skip
    press(page, "Add another receipt")
    fill_receipt(receipt_group(page, 2), {"date": "", "merchant": "Hotel Okura",
                                          "amount": "$12.50", "currency": "USD"})  # fmt: skip
    press(page, "Continue")
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Enter the date of receipt 1",
            "The merchant of receipt 1 must be 100 characters or fewer",
            "The amount of receipt 1 must use a point for decimals, like 12.50",
            "Enter the date of receipt 2",
            "The amount of receipt 2 must be a number without a currency sign, like 12.50",
        ]
    )
    expect(field(receipt_group(page, 1), "Merchant")).to_have_value(LONG)  # kept whole
    expect(receipt_group(page, 2)).to_contain_text("Enter the date of receipt 2")  # beside it
    check_page(page, f"e01-receipt-errors-named-{width}")

    for number, amount, currency in ((1, "150,000", "JPY"), (2, "12.50", "USD")):
        group = receipt_group(page, number)
        field(group, "Date").fill(TODAY)
        field(group, "Merchant").fill(f"Hotel {number}")
        field(group, "Amount").fill(amount)
        field(group, "Currency").select_option(currency)
    press(page, "Continue")
    expect_step(page, 3, "Categories")
    field(page, "Business purpose").fill("Conference in Tokyo")
    press(page, "Continue")
    expect(page.get_by_role("alert").get_by_role("link")).to_have_text(
        ["Select a category for receipt 1 (Hotel 1)", "Select a category for receipt 2 (Hotel 2)"]
    )
    check_page(page, f"e02-category-errors-named-{width}")
