"""Memory passed through the form, end to end: the draft's whole state travels in a signed
hidden field of every form, so nothing of it stays on the server or in a cookie. The page a
redirect names is shown in the POST's own response (app.js puts the page's own address in
the address bar; without JavaScript it shows the POST's),
the links inside a draft are buttons that send the form, the browser's Back brings an older
page back with its older state, and a changed state is refused with a clear page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import (
    HOW_IT_WORKS,
    expect_employee,
    expect_step,
    field,
    fill_category,
    fill_employee,
    fill_receipt,
    press,
    receipt_group,
    reference_of,
    submit_report,
    summary_value,
)
from tests.e2e.conftest import walk_to_review as walk
from tests.e2e.flows import turn_memory_off_discarding
from tests.files import png
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e

Check = Callable[[Page, str], None]

TAXI = {
    "date": TODAY,
    "merchant": "Berlin Taxi",
    "amount": "23.40",
    "currency": "EUR",
    "description": "Airport to hotel",
}
TAXI_PNG = png()
TAXI_SHOWN = f"taxi.png ({len(TAXI_PNG)} bytes)"  # a small PNG: its size reads in bytes
TAMPERED = (
    "The session memory this page carried was changed on its way back, so it cannot be "
    "trusted and was not used. Nothing was submitted."
)
TIMEOUT_MS = 10_000  # a hang (say, a Back that never finishes) fails fast, not in 30 s
# Change the end of the signed value so that it surely differs from what the app signed.
TAMPER = """field => {
  const end = field.value.endsWith("AAAA") ? "BBBB" : "AAAA";
  field.value = field.value.slice(0, -4) + end;
}"""


@pytest.fixture(autouse=True)
def fail_fast(context: BrowserContext) -> None:
    context.set_default_timeout(TIMEOUT_MS)


def choose_form(page: Page) -> None:
    page.goto(HOW_IT_WORKS)
    strategy = page.get_by_role("group", name="Where session memory lives")
    strategy.get_by_label("Passed through the form", exact=True).check()
    press(page, "Use this")
    expect(strategy.get_by_label("Passed through the form", exact=True)).to_be_checked()


def start_form_report(page: Page, javascript: bool = True) -> str:
    """Choose memory passed through the form and start a draft; return the draft's base URL."""
    choose_form(page)
    press(page, "Start a new expense report")
    expect_step(page, 1, "Employee details")
    # The page is shown in the POST's own response: app.js shows the page's own address;
    # without JavaScript the address bar shows the address posted to
    shown = r"/report/f\.[\w-]+/employee$" if javascript else r"/report$"
    expect(page).to_have_url(re.compile(shown))
    action = page.locator("#step-form").get_attribute("action")
    assert action and re.fullmatch(r"/report/f\.[\w-]+/employee", action), action
    return page.url.split("/report")[0] + action.removesuffix("/employee")


def memory_field(page: Page) -> Locator:
    return page.locator("#step-form input[type=hidden][name=memory_state]")


def open_inspector(page: Page) -> Locator:
    panel = page.get_by_role("complementary", name="Session memory inspector")
    panel.get_by_text("Session memory inspector", exact=True).click()
    expect(panel.get_by_text("Memory used:")).to_be_visible()
    return panel


def memory_keys(panel: Locator) -> Locator:
    """The keys listed in the (open) inspector's table."""
    return panel.get_by_role("rowheader")


def fill_categories(page: Page, category: str, purpose: str) -> None:
    fill_category(page.get_by_role("group", name=re.compile(r"^Receipt 1: ")), category)
    field(page, "Business purpose").fill(purpose)


def walk_to_review(page: Page, receipt: dict[str, str] = TAXI) -> str:
    """Start a draft with memory passed through the form and fill steps 1-3 (one receipt);
    return the draft's base URL."""
    return walk(page, EMPLOYEE, receipt, "Travel", "Client workshop", start=start_form_report)


def test_a_whole_report_with_memory_passed_through_the_form(
    page: Page, context: BrowserContext, check_page: Check, tmp_path: Path
) -> None:
    taxi_png = tmp_path / "taxi.png"
    taxi_png.write_bytes(TAXI_PNG)
    draft = start_form_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    expect(page).to_have_url(f"{draft}/receipts")
    group = receipt_group(page, 1)
    fill_receipt(group, TAXI)
    field(group, "Receipt file").set_input_files(taxi_png)
    press(page, "Continue")
    expect_step(page, 3, "Categories")
    expect(page).to_have_url(f"{draft}/categories")
    fill_categories(page, "Travel", "Client workshop in Berlin")
    press(page, "Continue")

    expect_step(page, 4, "Review and submit")
    expect(page).to_have_url(f"{draft}/review")
    expect(summary_value(page, "Full name")).to_have_text(EMPLOYEE["full_name"])
    expect(summary_value(page, "Merchant")).to_have_text([TAXI["merchant"]])
    expect(summary_value(page, "Description")).to_have_text([TAXI["description"]])
    expect(summary_value(page, "Receipt file")).to_have_text([TAXI_SHOWN])
    expect(summary_value(page, "Business purpose")).to_have_text("Client workshop in Berlin")

    # The inspector names the hidden field and its size: the bytes this page's form carries
    state = memory_field(page).input_value()
    assert state and "Lovelace" not in state  # compressed and signed, not plain
    panel = open_inspector(page)
    expect(panel.get_by_label("Passed through the form", exact=True)).to_be_checked()
    expect(panel).to_contain_text("a signed hidden field that every form of this draft sends back")
    expect(panel).to_contain_text(
        f"the form field memory_state: {len(state):,} bytes sent with every page and every form"
    )
    expect(panel).to_contain_text("The browser's Back brings an older page with its older memory")
    expect(memory_keys(panel)).to_have_text(
        ["employee", "receipts", "categories", "business_purpose"]
    )
    # Nothing of the draft in a cookie, and nothing on the server to answer the memory API
    cookies = context.cookies()
    assert [c["name"] for c in cookies] == ["expense_wizard_session"], cookies
    assert not any("Lovelace" in str(c["value"]) for c in cookies)
    origin, draft_id = draft.split("/report/")
    assert page.request.get(f"{origin}/api/drafts/{draft_id}/state").status == 404
    check_page(page, "m01-review-memory-passed-through-the-form")

    with page.expect_download() as download:
        page.get_by_role("main").get_by_role("link", name="taxi.png", exact=True).click()
    assert Path(download.value.path()).read_bytes() == TAXI_PNG

    reference = submit_report(page)
    expect(page).to_have_url(f"{draft}/confirmation")
    expect(summary_value(page, "Full name")).to_have_text(EMPLOYEE["full_name"])
    expect(summary_value(page, "Merchant")).to_have_text([TAXI["merchant"]])
    expect(summary_value(page, "Receipt file")).to_have_text([TAXI_SHOWN])
    assert reference_of(page) == reference


def test_the_change_buttons_of_the_review_page_keep_memory(page: Page) -> None:
    draft = walk_to_review(page)

    # Change is a button that sends the page's form (and its memory), not a plain link
    expect(page.get_by_role("link", name=re.compile("^Change"))).to_have_count(0)
    press(page, "Change employee details")
    expect_step(page, 1, "Employee details")
    expect(page).to_have_url(f"{draft}/employee")
    expect_employee(page, EMPLOYEE)
    field(page, "Full name").fill("Grace Hopper")
    press(page, "Continue")
    expect_step(page, 4, "Review and submit")  # nothing else is missing: straight back
    expect(summary_value(page, "Full name")).to_have_text("Grace Hopper")
    expect(summary_value(page, "Merchant")).to_have_text([TAXI["merchant"]])

    press(page, "Change receipts")
    expect_step(page, 2, "Receipts")
    expect(field(receipt_group(page, 1), "Merchant")).to_have_value(TAXI["merchant"])
    expect(field(receipt_group(page, 1), "Amount")).to_have_value(TAXI["amount"])
    field(receipt_group(page, 1), "Amount").fill("31.90")
    press(page, "Continue")
    expect_step(page, 4, "Review and submit")
    expect(summary_value(page, "Amount")).to_have_text([re.compile(r"^31\.90\b")])

    press(page, "Change categories")
    expect_step(page, 3, "Categories")
    expect(field(page, "Category")).to_have_value("Travel")
    expect(field(page, "Business purpose")).to_have_value("Client workshop")
    field(page, "Business purpose").fill("Conference in Berlin")
    press(page, "Continue")
    expect_step(page, 4, "Review and submit")
    expect(summary_value(page, "Business purpose")).to_have_text("Conference in Berlin")
    expect(summary_value(page, "Full name")).to_have_text("Grace Hopper")

    submit_report(page)
    expect(summary_value(page, "Full name")).to_have_text("Grace Hopper")
    expect(summary_value(page, "Amount")).to_have_text([re.compile(r"^31\.90\b")])
    expect(summary_value(page, "Business purpose")).to_have_text("Conference in Berlin")


def test_the_browsers_back_brings_the_older_page_and_its_older_state(page: Page) -> None:
    draft = walk_to_review(page)
    expect(summary_value(page, "Business purpose")).to_have_text("Client workshop")

    # Back to step 3: the page as it was, its memory without the categories
    page.go_back()
    expect_step(page, 3, "Categories")
    expect(page).to_have_url(f"{draft}/categories")
    expect(
        page.get_by_role("group", name=re.compile(r"^Receipt 1: Berlin Taxi, 23\.40 EUR"))
    ).to_be_visible()
    expect(memory_keys(open_inspector(page))).to_have_text(["employee", "receipts"])

    # Back to step 2: memory holds only the employee details
    page.go_back()
    expect_step(page, 2, "Receipts")
    expect(page).to_have_url(f"{draft}/receipts")
    expect(field(receipt_group(page, 1), "Merchant")).to_have_value(TAXI["merchant"])
    expect(field(receipt_group(page, 1), "Amount")).to_have_value(TAXI["amount"])
    expect(memory_keys(open_inspector(page))).to_have_text(["employee"])

    # Change a value there and Continue: the app goes on from this page's state, so the
    # categories and business purpose typed later (on a newer page) are not there
    fill_receipt(receipt_group(page, 1), {**TAXI, "merchant": "Airport Shuttle", "amount": "9.80"})
    press(page, "Continue")
    expect_step(page, 3, "Categories")  # not review: this state never had categories
    expect(page).to_have_url(f"{draft}/categories")
    receipt = page.get_by_role("group", name=re.compile(r"^Receipt 1: Airport Shuttle, 9\.80 EUR"))
    expect(field(receipt, "Category")).to_have_value("")
    expect(field(page, "Business purpose")).to_have_value("")
    expect(memory_keys(open_inspector(page))).to_have_text(["employee", "receipts"])

    fill_categories(page, "Meals", "Team dinner")
    press(page, "Continue")
    expect_step(page, 4, "Review and submit")
    expect(summary_value(page, "Merchant")).to_have_text(["Airport Shuttle"])
    expect(summary_value(page, "Business purpose")).to_have_text("Team dinner")
    expect(summary_value(page, "Full name")).to_have_text(EMPLOYEE["full_name"])
    expect(page.get_by_role("main")).not_to_contain_text("Berlin Taxi")


def test_a_changed_memory_field_is_refused_with_a_clear_page(page: Page, check_page: Check) -> None:
    draft = walk_to_review(page)
    confirmation = f"{draft}/confirmation"

    # Change the hidden field, then Continue from step 3 (reached with Change categories)
    press(page, "Change categories")
    expect_step(page, 3, "Categories")
    field(page, "Business purpose").fill("Changed in the page")
    memory_field(page).evaluate(TAMPER)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        press(page, "Continue")
    assert answer.value.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Something was wrong with that request"
    )
    expect(page.get_by_role("main")).to_contain_text(TAMPERED)
    expect(page.get_by_role("main")).not_to_contain_text("Lovelace")
    check_page(page, "m02-changed-memory-refused")
    assert page.request.get(confirmation).status == 404  # nothing was submitted

    # The same on submit: refused, and no report is made
    page.go_back()
    expect_step(page, 3, "Categories")
    press(page, "Continue")  # the page's own, unchanged state
    expect_step(page, 4, "Review and submit")
    expect(summary_value(page, "Business purpose")).to_have_text("Changed in the page")
    page.get_by_label(
        "I confirm these expenses are accurate and for business purposes", exact=True
    ).check()
    memory_field(page).evaluate(TAMPER)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        press(page, "Submit expense report")
    assert answer.value.status == 400
    expect(page.get_by_role("main")).to_contain_text(TAMPERED)
    assert page.request.get(confirmation).status == 404

    # Back to the page it came from: its own state still submits
    page.go_back()
    expect_step(page, 4, "Review and submit")
    submit_report(page)
    expect(summary_value(page, "Business purpose")).to_have_text("Changed in the page")


def test_two_tabs_from_one_page_each_go_on_with_their_own_state_and_make_one_report(
    page: Page, context: BrowserContext
) -> None:
    draft = start_form_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    fill_receipt(receipt_group(page, 1), {**TAXI, "merchant": "Tab one"})

    # Ctrl+click Continue: the form is sent to a new tab; this tab stays on step 2
    with context.expect_page() as opened:
        page.get_by_role("button", name="Continue", exact=True).click(modifiers=["Control"])
    tab_one = opened.value
    expect_step(tab_one, 3, "Categories")
    expect(tab_one.get_by_role("group", name=re.compile(r"^Receipt 1: Tab one,"))).to_be_visible()

    tab_two = page
    expect_step(tab_two, 2, "Receipts")
    field(receipt_group(tab_two, 1), "Merchant").fill("Tab two")
    press(tab_two, "Continue")
    expect_step(tab_two, 3, "Categories")
    expect(tab_two.get_by_role("group", name=re.compile(r"^Receipt 1: Tab two,"))).to_be_visible()

    # Each tab reaches review with its own report
    for tab, name, category in ((tab_one, "Tab one", "Meals"), (tab_two, "Tab two", "Travel")):
        fill_categories(tab, category, f"Purpose of {name}")
        press(tab, "Continue")
        expect_step(tab, 4, "Review and submit")
        expect(summary_value(tab, "Merchant")).to_have_text([name])
        expect(summary_value(tab, "Category")).to_have_text([category])
        expect(summary_value(tab, "Business purpose")).to_have_text(f"Purpose of {name}")

    # Only one report is made: the first tab's submit lands on the report the second made
    reference = submit_report(tab_two)
    assert submit_report(tab_one) == reference
    expect(tab_one).to_have_url(f"{draft}/confirmation?notice=already")
    expect(tab_one.get_by_role("status")).to_contain_text("already been submitted")
    expect(summary_value(tab_one, "Merchant")).to_have_text(["Tab two"])
    expect(summary_value(tab_one, "Business purpose")).to_have_text("Purpose of Tab two")


def test_the_whole_walk_works_without_javascript(
    new_context: Callable[..., BrowserContext], screenshot: Callable[[Page, str], object]
) -> None:
    context = new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    draft = start_form_report(page, javascript=False)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    expect(page).to_have_url(f"{draft}/employee")  # one step behind without JavaScript

    # Back is a button that sends the form: step 1 comes back with what was typed
    press(page, "Back")
    expect_step(page, 1, "Employee details")
    expect(page).to_have_url(f"{draft}/employee")
    expect_employee(page, EMPLOYEE)
    field(page, "Full name").fill("Grace Hopper")
    press(page, "Continue")

    expect_step(page, 2, "Receipts")
    fill_receipt(receipt_group(page, 1), TAXI)
    press(page, "Add another receipt")  # a POST shown in place of its redirect
    expect(receipt_group(page, 2)).to_be_visible()
    expect(field(receipt_group(page, 1), "Merchant")).to_have_value(TAXI["merchant"])
    fill_receipt(receipt_group(page, 2), {**TAXI, "merchant": "Hotel Adlon", "amount": "120.00"})
    press(page, "Continue")

    expect_step(page, 3, "Categories")
    fill_category(page.get_by_role("group", name=re.compile(r"^Receipt 1: Berlin Taxi")), "Travel")
    fill_category(page.get_by_role("group", name=re.compile(r"^Receipt 2: Hotel Adlon")), "Lodging")
    field(page, "Business purpose").fill("Client workshop")
    press(page, "Continue")

    expect_step(page, 4, "Review and submit")
    expect(summary_value(page, "Full name")).to_have_text("Grace Hopper")
    expect(summary_value(page, "Merchant")).to_have_text(["Berlin Taxi", "Hotel Adlon"])
    screenshot(page, "m03-review-without-javascript")

    press(page, "Change receipts")
    expect_step(page, 2, "Receipts")
    expect(field(receipt_group(page, 2), "Merchant")).to_have_value("Hotel Adlon")
    press(page, "Remove receipt 1")
    expect(page.get_by_role("group", name=re.compile(r"^Receipt \d"))).to_have_count(1)
    press(page, "Continue")

    expect_step(page, 4, "Review and submit")
    expect(summary_value(page, "Merchant")).to_have_text(["Hotel Adlon"])
    expect(summary_value(page, "Category")).to_have_text(["Lodging"])
    submit_report(page)
    expect(summary_value(page, "Full name")).to_have_text("Grace Hopper")
    expect(summary_value(page, "Merchant")).to_have_text(["Hotel Adlon"])


def test_the_memory_switch_works_on_a_page_that_carries_memory(
    page: Page, check_page: Check
) -> None:
    start_form_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")

    turn_memory_off_discarding(page)
    expect_step(page, 2, "Receipts")  # the same step, not "this draft has expired"
    expect(page.get_by_text("Session memory: Off")).to_be_visible()
    expect(page.get_by_text("Fields typed again: 0")).to_be_visible()
    check_page(page, "m04-memory-off-with-memory-in-the-page")

    press(page, "Turn session memory on")  # memory was emptied: the wizard starts it again
    expect_step(page, 1, "Employee details")
    expect(page.get_by_text("Session memory: On")).to_be_visible()
