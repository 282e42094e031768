"""Memory in a browser cookie, end to end: chosen on the start page, seen in the inspector,
and the way out when a draft outgrows the 4 KB a browser keeps for one cookie."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import (
    HOW_IT_WORKS,
    expect_step,
    fill_employee,
    fill_receipt,
    press,
    receipt_group,
    start_report,
    submit_report,
    walk_to_review,
)
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e

TAXI = {"date": TODAY, "merchant": "Berlin Taxi", "amount": "23.40", "currency": "EUR"}


def choose_cookie(page: Page) -> None:
    page.goto(HOW_IT_WORKS)
    page.get_by_role("group", name="Where session memory lives").get_by_label(
        "In a browser cookie", exact=True
    ).check()
    press(page, "Use this")


def draft_cookies(context: BrowserContext) -> list[dict[str, object]]:
    return [c for c in context.cookies() if "_draft_c." in str(c["name"])]


def test_a_report_with_memory_in_a_browser_cookie(
    page: Page, context: BrowserContext, check_page: Callable[[Page, str], None]
) -> None:
    choose_cookie(page)
    walk_to_review(page, EMPLOYEE, TAXI)
    (cookie,) = draft_cookies(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert "Lovelace" not in str(cookie["value"])

    panel = page.get_by_role("complementary", name="Session memory inspector")
    panel.get_by_text("Session memory inspector", exact=True).click()
    expect(panel).to_contain_text("a signed, compressed cookie in your browser")
    expect(panel).to_contain_text("of the 4,093 bytes one cookie may take")
    expect(panel).to_contain_text("when both send at once, the later answer wins")
    expect(panel.get_by_label("In a browser cookie", exact=True)).to_be_checked()
    check_page(page, "k01-review-memory-in-a-cookie")

    submit_report(page)
    assert draft_cookies(context) == []  # submitted: the cookie is deleted


def test_a_draft_too_large_for_a_cookie_keeps_what_was_typed_and_moves_to_the_server(
    page: Page, context: BrowserContext, check_page: Callable[[Page, str], None]
) -> None:
    choose_cookie(page)
    start_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    for _ in range(19):
        press(page, "Add another receipt")
    notes = [secrets.token_urlsafe(150) for _ in range(20)]
    for number, note in enumerate(notes, start=1):
        fill_receipt(receipt_group(page, number), {**TAXI, "description": note})
    press(page, "Continue")

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("This report no longer fits in a browser cookie")
    expect(receipt_group(page, 20).get_by_label("Description")).to_have_value(notes[19])
    check_page(page, "k02-too-large-for-a-cookie")

    press(page, "Keep memory on the server and continue")
    expect_step(page, 3, "Categories")
    assert draft_cookies(context) == []
    panel = page.get_by_role("complementary", name="Session memory inspector")
    panel.get_by_text("Session memory inspector", exact=True).click()
    expect(panel).to_contain_text("the app's embedded SQLite store on this server")
    page.get_by_role("link", name="Back").click()
    expect(receipt_group(page, 20).get_by_label("Description")).to_have_value(notes[19])
