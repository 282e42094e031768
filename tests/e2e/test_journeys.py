"""Whole journeys in a real browser: each flow with session memory on and off, in each place
memory can live (the server, a cookie, the form), then the expense report's own receipts and
categories in detail.

Every page on the way is checked with axe (0 violations) and saved as a screenshot in
test-results/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    PLACES,
    choose_place,
    expect_employee,
    expect_memory_status,
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
from tests.e2e.flows import (
    BrowserFlow,
    continue_to,
    expect_summary,
    fill_page,
    send,
    start,
)
from tests.helpers import TODAY, long_date

pytestmark = pytest.mark.e2e

YESTERDAY = (dt.date.fromisoformat(TODAY) - dt.timedelta(days=1)).isoformat()
GRACE = {
    "full_name": "Grace Hopper",
    "work_email": "grace@example.com",
    "employee_id": "00123",  # must stay 00123, never 123
    "department": "Finance",
    "manager_email": "howard@example.com",
}
HOTEL = {
    "date": TODAY,
    "merchant": "Hotel Adlon",
    "amount": "12.50",
    "currency": "EUR",
    "description": "Room for the client workshop",
}
SUSHI = {"date": YESTERDAY, "merchant": "Sushi Zen", "amount": "1500", "currency": "JPY"}
HOTEL_LEGEND = f"Receipt 1: Hotel Adlon, 12.50 EUR, {TODAY}"
SUSHI_LEGEND = f"Receipt 2: Sushi Zen, 1,500 JPY, {YESTERDAY}"
PURPOSE = "Workshop with Contoso in Berlin"
OTHER_DETAILS = "Meeting room hire"

# What the person types, counted as the app counts it (non-empty fields of accepted steps):
EMPLOYEE_FIELDS = 5
RECEIPT_FIELDS = 5 + 4  # the hotel has a description, the sushi bar has none
CATEGORY_FIELDS = 2 + 1 + 1  # Other + its details, Meals, business purpose
UNIQUE_FIELDS = EMPLOYEE_FIELDS + RECEIPT_FIELDS + CATEGORY_FIELDS  # 18

Check = Callable[[Page, str], None]
ASKS_AGAIN = "Session memory is off, so this step doesn't know what you entered before."


def expect_typed(page: Page, typed: int, repeated: int) -> None:
    """The confirmation's counter (SPEC §4)."""
    expect(summary_value(page, "Fields typed")).to_have_text(str(typed))
    expect(summary_value(page, "Fields typed again")).to_have_text(str(repeated))


def change_control(page: Page, place: str, title: str) -> Locator:
    """Review's Change for a step: a link, or with memory in the form a button that sends it."""
    role = "button" if place == "form" else "link"
    return page.get_by_role(role, name=f"Change {title.lower()}", exact=True)


@pytest.mark.parametrize("place", PLACES)
def test_whole_journey_with_memory_on(
    page: Page, flow: BrowserFlow, place: str, check_page: Check
) -> None:
    choose_place(page, place)
    expect_memory_status(page, on=True)
    start(page, flow)
    expect(page.get_by_role("link", name="Back")).to_have_count(0)
    for number in range(1, 4):
        check_page(page, f"j-{flow.name}-{place}-on-{number}")
        expect(page.get_by_role("main")).not_to_contain_text("Fields typed again")
        fill_page(page, flow)
        continue_to(page, flow, number + 1)
        expect(page.get_by_role("main")).not_to_contain_text(ASKS_AGAIN)
    expect_summary(page, flow)  # nothing was asked twice, and all of it is here
    for title in flow.titles[:3]:
        expect(change_control(page, place, title)).to_be_visible()
    check_page(page, f"j-{flow.name}-{place}-on-4")

    reference = send(page, flow)
    expect_summary(page, flow)
    expect_typed(page, flow.typed_with_memory_on, 0)
    check_page(page, f"j-{flow.name}-{place}-on-sent")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(flow.sent_title)
    assert flow.reference.search(page.get_by_role("main").inner_text())[0] == reference


@pytest.mark.parametrize("place", PLACES)
def test_whole_journey_with_memory_off(
    page: Page, flow: BrowserFlow, place: str, check_page: Check
) -> None:
    choose_place(page, place)
    press(page.get_by_role("banner"), "Turn session memory off")
    expect_memory_status(page, on=False)
    start(page, flow)
    main = page.get_by_role("main")
    for number in (1, 2):  # asked as usual: nothing typed twice yet
        expect(main).to_contain_text("Fields typed again: 0")
        fill_page(page, flow)
        continue_to(page, flow, number + 1)

    # Step 3 doesn't know step 2's answers: it asks for them again, empty
    expect(main).to_contain_text(ASKS_AGAIN)
    expect(field(page, flow.step2_text)).to_have_value("")
    check_page(page, f"j-{flow.name}-{place}-off-3")
    fill_page(page, flow)
    continue_to(page, flow, 4)

    # Review asks for everything again; step 3's repeats are counted
    expect(main).to_contain_text(ASKS_AGAIN)
    expect(main).to_contain_text(f"Fields typed again: {flow.parts[1].fields}")
    expect(field(page, "Full name")).to_have_value("")
    check_page(page, f"j-{flow.name}-{place}-off-4")
    fill_page(page, flow)
    reference = send(page, flow)

    expect_summary(page, flow)
    expect_typed(page, *flow.typed_with_memory_off)
    expect_memory_status(page, on=False)
    check_page(page, f"j-{flow.name}-{place}-off-sent")
    assert flow.reference.search(main.inner_text())[0] == reference


# --- the expense report's own steps: receipts and categories ----------------------------------


def test_receipts_and_categories_in_detail_with_memory_on(page: Page, check_page: Check) -> None:
    """Two receipts, the Other category's details, legends that name receipts, totals."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an expense report")
    expect(page).to_have_title(re.compile(r"^Submit an expense report"))
    expect_memory_status(page, on=True)
    check_page(page, "a01-start")

    # Step 1
    start_report(page)
    expect_step(page, 1, "Employee details")
    expect(page.get_by_role("link", name="Back")).to_have_count(0)
    check_page(page, "a02-step1-employee")
    fill_employee(page, GRACE)
    press(page, "Continue")

    # Step 2
    expect(page).to_have_url(re.compile(r"/report/[^/]+/receipts$"))
    expect_step(page, 2, "Receipts")
    expect(page.get_by_role("link", name="Back")).to_be_visible()  # exact name: test_links
    expect(page.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
    fill_receipt(receipt_group(page, 1), HOTEL)
    press(page, "Add another receipt")
    expect(receipt_group(page, 2)).to_be_visible()
    expect_receipt(receipt_group(page, 1), HOTEL)  # nothing typed was lost
    expect(field(receipt_group(page, 2), "Merchant")).to_have_value("")
    expect(page.get_by_role("button", name="Remove receipt 1", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Remove receipt 2", exact=True)).to_be_visible()
    fill_receipt(receipt_group(page, 2), SUSHI)
    check_page(page, "a03-step2-receipts")
    press(page, "Continue")

    # Step 3: each group's legend names its receipt
    expect(page).to_have_url(re.compile(r"/report/[^/]+/categories$"))
    expect_step(page, 3, "Categories")
    hotel = page.get_by_role("group", name=HOTEL_LEGEND, exact=True)
    sushi = page.get_by_role("group", name=SUSHI_LEGEND, exact=True)
    expect(hotel).to_be_visible()
    expect(sushi).to_be_visible()
    check_page(page, "a04-step3-categories")
    fill_category(hotel, "Other")  # Other without details: an error
    fill_category(sushi, "Meals")
    field(page, "Business purpose").fill(PURPOSE)
    press(page, "Continue")

    # The error state: Other needs details; nothing typed is lost
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    other = "Enter details for the Other category of receipt 1 (Hotel Adlon)"  # names its receipt
    expect(summary.get_by_role("link")).to_have_text([other])
    expect(field(hotel, "Details")).to_have_attribute("aria-invalid", "true")
    expect(field(hotel, "Category")).to_have_value("Other")
    expect(field(sushi, "Category")).to_have_value("Meals")
    expect(field(page, "Business purpose")).to_have_value(PURPOSE)
    check_page(page, "a05-step3-error")
    field(hotel, "Details").fill(OTHER_DETAILS)
    press(page, "Continue")

    # Step 4: the summary shows what was typed
    expect(page).to_have_url(re.compile(r"/report/[^/]+/review$"))
    expect_step(page, 4, "Review and submit")
    expect(summary_value(page, "Full name")).to_have_text(GRACE["full_name"])
    expect(summary_value(page, "Work email")).to_have_text(GRACE["work_email"])
    expect(summary_value(page, "Employee ID")).to_have_text("00123")
    expect(summary_value(page, "Department")).to_have_text("Finance")
    expect(summary_value(page, "Manager's email")).to_have_text(GRACE["manager_email"])
    expect(summary_value(page, "Merchant")).to_have_text(["Hotel Adlon", "Sushi Zen"])
    expect(summary_value(page, "Amount")).to_have_text(["12.50 EUR", "1,500 JPY"])
    expect(summary_value(page, "Date")).to_have_text([long_date(TODAY), long_date(YESTERDAY)])
    expect(summary_value(page, "Category")).to_have_text([f"Other: {OTHER_DETAILS}", "Meals"])
    expect(summary_value(page, "Business purpose")).to_have_text(PURPOSE)
    totals = page.get_by_role("region", name="Totals")
    expect(totals.get_by_role("listitem")).to_have_text(["12.50 EUR", "1,500 JPY"])
    for section in ("employee details", "receipts", "categories"):
        expect(page.get_by_role("link", name=f"Change {section}", exact=True)).to_be_visible()
    check_page(page, "a06-step4-review")

    # Submit, then the confirmation
    reference = submit_report(page)
    expect(page.get_by_role("main")).to_contain_text(GRACE["manager_email"])
    expect(summary_value(page, "Employee ID")).to_have_text("00123")
    expect(summary_value(page, "Fields typed")).to_have_text(str(UNIQUE_FIELDS))
    expect(summary_value(page, "Fields typed again")).to_have_text("0")
    check_page(page, "a07-confirmation")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Expense report submitted")
    assert reference_of(page) == reference


def test_receipts_asked_again_in_detail_with_memory_off(page: Page, check_page: Check) -> None:
    """Re-asked receipts as on step 2 (one empty group, Add another receipt), each counted."""
    start_report(page)
    step1_url = page.url
    expect_memory_status(page, on=True)
    press(page.get_by_role("banner"), "Turn session memory off")
    expect_memory_status(page, on=False)
    assert page.url == step1_url  # the switch returns to the page it was pressed on

    # Step 1 and 2 are asked as usual; nothing has been typed twice yet
    expect_step(page, 1, "Employee details")
    expect(page.get_by_role("main")).to_contain_text("Fields typed again: 0")
    check_page(page, "b01-step1-memory-off")
    fill_employee(page, GRACE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    expect(page.get_by_role("main")).to_contain_text("Fields typed again: 0")
    fill_receipt(receipt_group(page, 1), HOTEL)
    press(page, "Add another receipt")
    fill_receipt(receipt_group(page, 2), SUSHI)
    expect_receipt(receipt_group(page, 1), HOTEL)
    check_page(page, "b02-step2-memory-off")
    press(page, "Continue")

    # Step 3 doesn't know the receipts: it asks for them again, from one empty group
    expect(page).to_have_url(re.compile(r"/report/[^/]+/categories$"))
    expect_step(page, 3, "Categories")
    main = page.get_by_role("main")
    expect(main).to_contain_text(
        "Session memory is off, so this step doesn't know what you entered before."
    )
    expect(main).to_contain_text("Fields typed again: 0")
    expect(page.get_by_role("group", name=re.compile(r"^Receipt \d"))).to_have_count(1)
    expect_receipt(
        receipt_group(page, 1),
        {"date": "", "merchant": "", "amount": "", "currency": "", "description": ""},
    )
    check_page(page, "b03-step3-memory-off")
    fill_receipt(receipt_group(page, 1), HOTEL)
    fill_category(receipt_group(page, 1), "Other", OTHER_DETAILS)
    press(page, "Add another receipt")
    expect_receipt(receipt_group(page, 1), HOTEL)
    expect(field(receipt_group(page, 1), "Category")).to_have_value("Other")
    fill_receipt(receipt_group(page, 2), SUSHI)
    fill_category(receipt_group(page, 2), "Meals")
    field(page, "Business purpose").fill(PURPOSE)
    press(page, "Continue")

    # Step 4 asks for everything again; the repeats of step 3 are counted
    expect(page).to_have_url(re.compile(r"/report/[^/]+/review$"))
    expect_step(page, 4, "Review and submit")
    main = page.get_by_role("main")
    expect(main).to_contain_text(
        "Session memory is off, so this step doesn't know what you entered before."
    )
    expect(main).to_contain_text(f"Fields typed again: {RECEIPT_FIELDS}")
    expect_employee(page, dict.fromkeys(GRACE, ""))
    expect(page.get_by_role("group", name=re.compile(r"^Receipt \d"))).to_have_count(1)
    expect(field(page, "Business purpose")).to_have_value("")
    check_page(page, "b04-step4-memory-off")
    fill_employee(page, GRACE)
    fill_receipt(receipt_group(page, 1), HOTEL)
    fill_category(receipt_group(page, 1), "Other", OTHER_DETAILS)
    press(page, "Add another receipt")
    fill_receipt(receipt_group(page, 2), SUSHI)
    fill_category(receipt_group(page, 2), "Meals")
    field(page, "Business purpose").fill(PURPOSE)
    reference = submit_report(page)

    # Typed: steps 1-2 once, step 3 the receipts again plus categories, step 4 everything again
    typed = EMPLOYEE_FIELDS + RECEIPT_FIELDS + (RECEIPT_FIELDS + CATEGORY_FIELDS) + UNIQUE_FIELDS
    repeated = RECEIPT_FIELDS + UNIQUE_FIELDS
    assert (typed, repeated) == (45, 27)
    expect(summary_value(page, "Fields typed")).to_have_text(str(typed))
    expect(summary_value(page, "Fields typed again")).to_have_text(str(repeated))
    expect(page.get_by_text("Session memory was off for this whole report.")).to_be_visible()
    spared = f"With session memory on you would have typed {UNIQUE_FIELDS} fields, none of them"
    expect(page.get_by_text(spared)).to_be_visible()
    expect(summary_value(page, "Full name")).to_have_text(GRACE["full_name"])
    expect(summary_value(page, "Employee ID")).to_have_text("00123")
    expect(summary_value(page, "Amount")).to_have_text(["12.50 EUR", "1,500 JPY"])
    expect_memory_status(page, on=False)
    check_page(page, "b05-confirmation-memory-off")
    assert reference_of(page) == reference
