"""The memory inspector: what memory holds after each step, masked values, memory off, no JS."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import (
    expect_step,
    field,
    fill_category,
    fill_employee,
    fill_receipt,
    press,
    receipt_group,
    start_report,
    submit_report,
)
from tests.e2e.flows import turn_memory_off
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e

TAXI = {"date": TODAY, "merchant": "Berlin Taxi", "amount": "23.40", "currency": "EUR"}


def inspector(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Session memory inspector")


def open_inspector(page: Page) -> Locator:
    panel = inspector(page)
    if panel.locator("details").get_attribute("open") is None:
        panel.get_by_text("Session memory inspector", exact=True).click()
    expect(panel.get_by_text("Memory used:")).to_be_visible()
    return panel


def key_row(panel: Locator, key: str) -> Locator:
    return panel.get_by_role("row").filter(has=panel.page.get_by_role("rowheader", name=key))


def expect_key(panel: Locator, key: str, type_: str, written_by: str) -> Locator:
    row = key_row(panel, key)
    expect(row).to_have_count(1)
    cells = row.get_by_role("cell")
    expect(cells.nth(0)).to_have_text(type_)
    expect(cells.nth(1)).to_contain_text(" bytes")
    expect(cells.nth(2)).to_have_text(written_by)
    expect(cells.nth(3)).to_have_text("just now")
    return row


def test_the_inspector_shows_what_each_step_put_in_memory(
    page: Page, check_page: Callable[[Page, str], None]
) -> None:
    start_report(page)
    panel = open_inspector(page)
    expect(panel).to_contain_text("Memory is empty: nothing has been saved for this draft yet.")
    expect(panel).to_contain_text("Memory used: 0 of 16,384 bytes (0%)")

    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    panel = open_inspector(page)
    row = expect_key(panel, "employee", "object", "Employee details")
    # Personal values are partly masked until asked
    expect(row).to_contain_text("A•• L•••••••")
    expect(row).not_to_contain_text("Ada Lovelace", use_inner_text=True)  # as shown
    expect(row).not_to_contain_text("ada@example.com", use_inner_text=True)
    expect(panel).to_contain_text("the app's embedded SQLite store on this server")
    expect(panel).to_contain_text("expense_wizard_session")
    expect(panel).to_contain_text("a random id, nothing else")
    expect(panel).to_contain_text("in 30 minutes if nothing happens")
    check_page(page, "i01-inspector-after-employee-details")

    panel.get_by_label("Show values in full").check()
    shown = key_row(panel, "employee")
    expect(shown).to_contain_text('"full_name":"Ada Lovelace"', use_inner_text=True)
    expect(shown).to_contain_text("ada@example.com", use_inner_text=True)
    panel.get_by_label("Show values in full").uncheck()
    expect(key_row(panel, "employee")).not_to_contain_text("Ada Lovelace", use_inner_text=True)
    expect(key_row(panel, "employee")).to_contain_text("A•• L•••••••", use_inner_text=True)

    fill_receipt(receipt_group(page, 1), TAXI)
    press(page, "Continue")
    expect_step(page, 3, "Categories")
    panel = open_inspector(page)
    expect_key(panel, "receipts", "array", "Receipts")
    expect(key_row(panel, "receipts")).to_contain_text(f'"date":"{TODAY}","merchant":"B••••• T•••"')
    expect(key_row(panel, "receipts")).to_contain_text('"amount_minor":2340,"currency":"EUR"')

    fill_category(page.get_by_role("group").first, "Meals")
    field(page, "Business purpose").fill("Client visit")
    press(page, "Continue")
    expect_step(page, 4, "Review and submit")
    panel = open_inspector(page)
    expect_key(panel, "categories", "object", "Categories")
    expect_key(panel, "business_purpose", "string", "Categories")
    expect(key_row(panel, "business_purpose")).to_contain_text('"C••••• v••••"')
    check_page(page, "i02-inspector-on-review")

    submit_report(page)
    panel = inspector(page)
    panel.get_by_text("Session memory inspector", exact=True).click()
    expect(panel).to_contain_text("this draft's memory was deleted when you submitted")
    expect(panel).to_contain_text("the app's embedded SQLite store on this server")
    expect(panel).not_to_contain_text("Lovelace")
    check_page(page, "i05-inspector-after-submitting")


def test_with_memory_off_the_inspector_says_memory_is_empty_and_why(
    page: Page, check_page: Callable[[Page, str], None]
) -> None:
    page.goto("/")
    turn_memory_off(page)
    start_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    panel = open_inspector(page)
    expect(panel).to_contain_text("Session memory is off, so memory is empty.")
    expect(panel).to_contain_text("each step asks for everything it needs, and you type it again")
    expect(panel.get_by_role("table")).to_have_count(0)
    expect(panel).not_to_contain_text("Ada")
    check_page(page, "i03-inspector-memory-off")


def test_the_inspector_opens_and_closes_without_javascript(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    start_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    panel = inspector(page)
    expect(panel.get_by_text("Memory used:")).to_be_hidden()
    panel.get_by_text("Session memory inspector", exact=True).click()
    expect(key_row(panel, "employee")).to_be_visible()
    panel.get_by_label("Show values in full").check()
    row = key_row(inspector(page), "employee")
    expect(row).to_contain_text("Ada Lovelace", use_inner_text=True)
    inspector(page).get_by_text("Session memory inspector", exact=True).click()
    expect(inspector(page).get_by_text("Memory used:")).to_be_hidden()
