"""The memory switch in a real browser (SPEC §4): pressed in one tab mid-draft, it discards
the memory of every draft of the browser, the one kept in a browser cookie too; the later
step asks again; on again, the journey guard starts from step 1 in every tab."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import (
    EMPLOYEE_LABELS,
    expect_memory_status,
    expect_receipt,
    expect_step,
    field,
    fill_employee,
    fill_receipt,
    press,
    receipt_group,
    start_report,
)
from tests.e2e.flows import turn_memory_off_discarding
from tests.e2e.test_cookie_memory import choose_cookie, draft_cookies
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e

TAXI = {"date": TODAY, "merchant": "Berlin Taxi", "amount": "23.40", "currency": "EUR"}
ASKS_AGAIN = "Session memory is off, so this step doesn't know what you entered before."
GUARD = "Complete this step first: the later steps need its answers."
EMPTY_RECEIPT = {"date": "", "merchant": "", "amount": "", "currency": "", "description": ""}


def to_receipts(tab: Page, start: bool = True) -> None:
    if start:
        start_report(tab)
    fill_employee(tab, EMPLOYEE)
    press(tab, "Continue")
    expect_step(tab, 2, "Receipts")


def expect_asked_from_step_1(tab: Page) -> None:
    expect_step(tab, 1, "Employee details")
    expect(tab.get_by_role("main")).to_contain_text(GUARD)
    for label in EMPLOYEE_LABELS.values():
        expect(field(tab, label)).to_have_value("")


def test_memory_off_in_one_tab_discards_every_draft_a_cookie_draft_too_and_steps_ask_again(
    context: BrowserContext,
) -> None:
    on_server, in_cookie = context.new_page(), context.new_page()
    to_receipts(on_server)  # tab 1: a draft on the server, step 1 answered

    in_cookie.bring_to_front()  # tab 2: a draft in a browser cookie, steps 1 and 2 answered
    choose_cookie(in_cookie)
    to_receipts(in_cookie)
    fill_receipt(receipt_group(in_cookie, 1), TAXI)
    press(in_cookie, "Continue")
    expect_step(in_cookie, 3, "Categories")
    assert len(draft_cookies(context)) == 1

    turn_memory_off_discarding(in_cookie)
    expect_memory_status(in_cookie, on=False)
    expect_step(in_cookie, 3, "Categories")  # the same page, now asking for the receipts again
    expect(in_cookie.get_by_role("main")).to_contain_text(ASKS_AGAIN)
    expect(in_cookie.get_by_role("group", name="Receipt 1", exact=True)).to_have_count(1)
    expect_receipt(receipt_group(in_cookie, 1), EMPTY_RECEIPT)

    press(in_cookie.get_by_role("banner"), "Turn session memory on")
    expect_memory_status(in_cookie, on=True)
    expect_asked_from_step_1(in_cookie)  # memory starts empty: the guard sends it to step 1

    on_server.bring_to_front()
    on_server.reload()  # tab 1 was never touched, yet its memory is gone too
    expect_asked_from_step_1(on_server)
