"""Memory on vs memory off, side by side, after one report in each mode."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    expect_memory_status,
    expect_step,
    field,
    fill_category,
    fill_employee,
    fill_receipt,
    press,
    receipt_group,
    submit_report,
    walk_to_review,
)
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e

TAXI = {"date": TODAY, "merchant": "Berlin Taxi", "amount": "23.40", "currency": "EUR"}
# What the test types once: 5 employee fields, 4 receipt fields, a category, the purpose
ONCE = len(EMPLOYEE) + len(TAXI) + 2


def cells(page: Page, label: str) -> Locator:
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))
    return row.get_by_role("cell")


def walk_with_memory_off(page: Page) -> None:
    """From the invitation on /compare: memory off, then every later step asks again."""
    press(page, "Turn memory off and start a report")
    expect_memory_status(page, on=False)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    fill_receipt(receipt_group(page, 1), TAXI)
    press(page, "Continue")
    expect_step(page, 3, "Categories")
    fill_receipt(receipt_group(page, 1), TAXI)  # asked again: 4 fields
    fill_category(receipt_group(page, 1), "Meals")
    field(page, "Business purpose").fill("Client visit")
    press(page, "Continue")
    expect_step(page, 4, "Review and submit")
    fill_employee(page, EMPLOYEE)  # asked again: everything
    fill_receipt(receipt_group(page, 1), TAXI)
    fill_category(receipt_group(page, 1), "Meals")
    field(page, "Business purpose").fill("Client visit")
    submit_report(page)


def test_one_report_in_each_mode_compared_in_numbers_chart_and_words(
    page: Page, check_page: Callable[[Page, str], None]
) -> None:
    walk_to_review(page, EMPLOYEE, TAXI)
    submit_report(page)
    page.get_by_role("link", name="See memory on vs memory off side by side").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Memory on vs memory off")
    expect(cells(page, "Fields typed")).to_have_text([str(ONCE), "Not yet tried"])
    expect(page.get_by_role("img")).to_have_count(0)
    check_page(page, "c01-compare-memory-on-only")

    walk_with_memory_off(page)
    page.get_by_role("link", name="See memory on vs memory off side by side").click()
    again = len(TAXI) + ONCE  # the receipt on Categories, then everything on review
    expect(cells(page, "Fields typed")).to_have_text([str(ONCE), str(ONCE + again)])
    expect(cells(page, "Fields typed again")).to_have_text(["0", str(again)])
    expect(cells(page, "Pages sent")).to_have_text(["4", "4"])
    expect(page.get_by_text(f"With session memory off you typed {again} fields")).to_be_visible()
    chart = page.get_by_role("img", name="Bar chart: memory on vs memory off")
    expect(chart).to_be_visible()
    expect(page.get_by_role("link", name="WCAG 2.2 success criterion 3.3.7, Redundant Entry"))
    expect(page.get_by_role("button", name="Turn memory off and start a report")).to_have_count(0)
    check_page(page, "c02-compare-both-modes")
