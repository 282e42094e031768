"""One draft's URL open in two tabs (issue 15.2): the tab whose page is older is told that
the draft changed in another tab, keeps what it typed, and saves only when pressed again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

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

TAXI = {"date": TODAY, "merchant": "Berlin Taxi", "amount": "23.40", "currency": "EUR"}
TRAIN = {"date": TODAY, "merchant": "Deutsche Bahn", "amount": "89.90", "currency": "EUR"}


def two_tabs_at_receipts(context: BrowserContext, width: int) -> tuple[Page, Page]:
    """One draft at step 2, open in two tabs of one browser (the first `width` wide)."""
    first = context.new_page()
    first.set_viewport_size({"width": width, "height": 900})
    draft = start_report(first)
    fill_employee(first, EMPLOYEE)
    press(first, "Continue")
    expect_step(first, 2, "Receipts")
    second = context.new_page()
    second.goto(f"{draft}/receipts")  # the same draft, opened again
    return first, second


@pytest.mark.parametrize("width", [1280, 390])
def test_an_older_tab_of_the_same_draft_is_told_and_keeps_what_it_typed(
    context: BrowserContext, check_page: Callable[[Page, str], None], width: int
) -> None:
    first, second = two_tabs_at_receipts(context, width)
    fill_receipt(receipt_group(second, 1), TRAIN)
    press(second, "Continue")
    expect_step(second, 3, "Categories")

    first.bring_to_front()
    fill_receipt(receipt_group(first, 1), TAXI)
    press(first, "Continue")
    expect_step(first, 2, "Receipts")
    summary = first.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("This draft was changed in another tab")
    expect(field(receipt_group(first, 1), "Merchant")).to_have_value("Berlin Taxi")
    check_page(first, f"same-draft-two-tabs-{width}")

    press(first, "Continue")  # seen, and chosen: now it saves
    expect_step(first, 3, "Categories")
    expect(first.get_by_role("main")).to_contain_text("Berlin Taxi")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_tab_left_on_a_draft_moved_in_another_tab_is_led_to_it(
    context: BrowserContext, check_page: Callable[[Page, str], None], width: int
) -> None:
    first, second = two_tabs_at_receipts(context, width)
    second.get_by_text("Session memory inspector").click()
    second.get_by_label("In a browser cookie").check()
    press(second, "Move memory")
    expect_step(second, 2, "Receipts")
    assert "/report/c." in second.url

    first.bring_to_front()
    fill_receipt(receipt_group(first, 1), TAXI)
    press(first, "Continue")
    expect_step(first, 2, "Receipts")
    assert "/report/c." in first.url  # where the draft lives now, not "expired"
    expect(first.get_by_role("main")).to_contain_text("memory was moved to another place")
    check_page(first, f"draft-moved-in-another-tab-{width}")
