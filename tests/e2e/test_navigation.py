"""Small things a person notices while moving between steps: the Back link, the URL."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    expect_employee,
    expect_step,
    fill_employee,
    fill_receipt,
    press,
    receipt_group,
    start_report,
)
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e

LUNCH = {"date": TODAY, "merchant": "Cafe Einstein", "amount": "18.00", "currency": "EUR"}


def test_back_link_is_named_back_and_keeps_the_answers(page: Page) -> None:
    """SPEC §3: a "Back" link. A screen reader should read "Back", not the arrow the
    stylesheet puts before it (CSS generated content is part of the accessible name)."""
    start_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")

    back = page.get_by_role("link", name=re.compile("Back"))
    expect(back).to_be_visible()
    # the page has settled: read its accessible name once instead of waiting for a change
    snapshot = back.aria_snapshot()
    assert snapshot.startswith('- link "Back"'), f"accessible name is not Back:\n{snapshot}"
    back.click()
    expect_step(page, 1, "Employee details")
    expect_employee(page, EMPLOYEE)


def test_adding_a_receipt_leaves_no_anchor_in_later_urls(page: Page) -> None:
    """Add another receipt jumps to the new group (#receipt-2); the next steps' URLs
    must be their plain URLs, not /categories#receipt-2 and /confirmation#receipt-2."""
    start_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    fill_receipt(receipt_group(page, 1), LUNCH)
    press(page, "Add another receipt")
    expect(page).to_have_url(re.compile(r"/receipts#receipt-2$"))
    fill_receipt(receipt_group(page, 2), {**LUNCH, "merchant": "Cafe Kranzler"})
    press(page, "Continue")

    expect_step(page, 3, "Categories")  # the page has settled: its URL won't change
    assert re.search(r"/report/[^/#]+/categories$", page.url), f"anchor of step 2 kept: {page.url}"
