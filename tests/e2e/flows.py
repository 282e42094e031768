"""The two flows as a person in a browser meets them: what each flow's pages are called, and
how to fill them. A test that takes the `flow` fixture (tests/e2e/conftest.py) runs on the
expense report and on the support request; a test about one flow's own rule does not.

Fillers fill whatever part of a flow the page shows, so one walk serves memory on (each
step asks its own part) and memory off (a later step asks again for earlier parts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.files import png
from tests.helpers import TODAY, long_date


def field(scope: Page | Locator, label: str) -> Locator:
    return scope.get_by_label(label, exact=True)


def summary_value(scope: Page | Locator, key: str) -> Locator:
    """The value shown next to `key` in a summary list (<dt>key</dt><dd>value</dd>)."""
    term = f"//dt[normalize-space()={json.dumps(key)}]"
    return scope.locator(f"xpath={term}/following-sibling::dd[1]")


def press(scope: Page | Locator, name: str) -> None:
    """Press the button with exactly this accessible name."""
    scope.get_by_role("button", name=name, exact=True).click()


DISCARD = "Turn off and discard these answers"


def turn_memory_off(page: Page) -> None:
    """Press the header's switch where nothing would be discarded, and wait for the page it
    leads to (with JavaScript, the switch first asks the server whether to ask)."""
    press(page.get_by_role("banner"), "Turn session memory off")
    expect(page.get_by_role("banner")).to_contain_text("Session memory: Off")


def turn_memory_off_discarding(page: Page) -> None:
    """Press the header's switch on a page whose drafts hold answers, and say yes to its
    question (a dialog with JavaScript, a page without)."""
    press(page.get_by_role("banner"), "Turn session memory off")
    page.get_by_role("button", name=DISCARD, exact=True).click()


def choose(scope: Page | Locator, question: str, answer: str) -> None:
    """Check the radio `answer` of the radios group whose legend is `question`."""
    scope.get_by_role("group", name=question, exact=True).get_by_label(answer, exact=True).check()


@dataclass(frozen=True)
class Part:
    """A part of a flow (what one step asks): a label that shows it is on the page, how to
    fill it, and how many fields that fills (SPEC §4's counter)."""

    probe: str
    fill: Callable[[Page], None]
    fields: int


@dataclass(frozen=True)
class BrowserFlow:
    name: str
    prefix: str
    start_label: str
    titles: tuple[str, ...]
    parts: tuple[Part, Part, Part]  # what steps 1, 2 and 3 ask
    confirm_label: str
    submit_label: str
    sent_title: str
    reference: re.Pattern[str]
    noun: str  # "This <noun> draft has expired"
    shown: dict[str, str]  # summary rows a filled draft shows on review and confirmation
    step1_first_error: tuple[str, str]  # an empty step 1: the summary's first link, its field
    step2_text: str  # a text field of step 2 (two tabs write different values in it)
    steps: tuple[str, ...]  # the steps' URL names
    items_step: int  # the step with Add and Remove
    item: str  # "receipt": groups "Receipt N", buttons "Add another receipt", "Remove receipt N"
    fill_item: Callable[[Locator, int, Path], None]  # fill group N (files written to a folder)
    expect_item: Callable[[Locator, int], None]  # group N holds what fill_item gave item N
    item_row: tuple[str, Callable[[int], str]]  # review's row for an item, and item N's text
    file_label: str  # an item's file input

    def item_group(self, page: Page, number: int) -> Locator:
        return page.get_by_role("group", name=f"{self.item.capitalize()} {number}", exact=True)

    def item_groups(self, page: Page) -> Locator:
        return page.get_by_role("group", name=re.compile(rf"^{self.item.capitalize()} \d+$"))

    @property
    def add_label(self) -> str:
        return f"Add another {self.item}"

    @property
    def typed_with_memory_on(self) -> int:
        return sum(part.fields for part in self.parts)

    @property
    def typed_with_memory_off(self) -> tuple[int, int]:
        """(typed, typed again) for a walk with memory off: step 3 asks for step 2's part
        again, step 4 for everything (SPEC §4, §10)."""
        one, two, three = (part.fields for part in self.parts)
        repeated = two + (one + two + three)
        return one + two + three + repeated, repeated


def fill_page(page: Page, flow: BrowserFlow) -> None:
    """Fill every part of the flow this page asks for (the page has settled)."""
    for part in flow.parts:
        if field(page, part.probe).count():
            part.fill(page)


def expect_step(page: Page, number: int, title: str) -> None:
    """The page is step `number` of the wizard, titled `title`."""
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("main")).to_contain_text(f"Step {number} of 4")


def start(page: Page, flow: BrowserFlow) -> None:
    """From the start page, start a draft of this flow (in the place memory was chosen)."""
    page.goto("/")
    press(page, flow.start_label)
    expect_step(page, 1, flow.titles[0])


def continue_to(page: Page, flow: BrowserFlow, number: int) -> None:
    press(page, "Continue")
    expect_step(page, number, flow.titles[number - 1])


def walk_to(page: Page, flow: BrowserFlow, number: int) -> None:
    """Start a draft and fill every step before step `number`."""
    start(page, flow)
    for step in range(2, number + 1):
        fill_page(page, flow)
        continue_to(page, flow, step)


def send(page: Page, flow: BrowserFlow) -> str:
    """On review: tick the confirmation, send; return the reference shown."""
    field(page, flow.confirm_label).check()
    press(page, flow.submit_label)
    expect(page.get_by_role("heading", level=1)).to_have_text(flow.sent_title)
    text = page.get_by_role("main").inner_text()
    match = flow.reference.search(text)
    assert match, f"no {flow.name} reference on {page.url}:\n{text}"
    return match[0]


def expect_summary(page: Page, flow: BrowserFlow) -> None:
    for key, value in flow.shown.items():
        expect(summary_value(page, key)).to_have_text(value)


# --- the expense report -----------------------------------------------------------------------

EMPLOYEE = {
    "Full name": "Grace Hopper",
    "Work email": "grace@example.com",
    "Employee ID": "00123",  # kept as typed, never 123
    "Manager's email": "howard@example.com",
}
LUNCH = {"Date": TODAY, "Merchant": "Cafe Einstein", "Amount": "18.00"}


def fill_employee(page: Page) -> None:
    for label, value in EMPLOYEE.items():
        field(page, label).fill(value)
    field(page, "Department").select_option("Finance")


def fill_receipt(group: Locator, merchant: str = LUNCH["Merchant"]) -> None:
    for label, value in {**LUNCH, "Merchant": merchant}.items():
        field(group, label).fill(value)
    field(group, "Currency").select_option("EUR")


def fill_receipts(page: Page) -> None:
    """Every receipt group not filled yet (the others hold what was typed before)."""
    for group in EXPENSES.item_groups(page).all():
        if not field(group, "Merchant").input_value():
            fill_receipt(group)


def fill_categories(page: Page) -> None:
    for select in page.get_by_label("Category", exact=True).all():
        select.select_option("Meals")
    field(page, "Business purpose").fill("Client lunch")


def fill_receipt_item(group: Locator, number: int, folder: Path) -> None:
    fill_receipt(group, f"Merchant {number}")


def expect_receipt_item(group: Locator, number: int) -> None:
    expect(field(group, "Merchant")).to_have_value(f"Merchant {number}")


EXPENSES = BrowserFlow(
    name="expenses",
    prefix="/report",
    start_label="Start a new expense report",
    titles=("Employee details", "Receipts", "Categories", "Review and submit"),
    parts=(
        Part("Full name", fill_employee, 5),
        Part("Merchant", fill_receipts, 4),  # the description left empty
        Part("Business purpose", fill_categories, 2),  # Meals needs no details
    ),
    confirm_label="I confirm these expenses are accurate and for business purposes",
    submit_label="Submit expense report",
    sent_title="Expense report submitted",
    reference=re.compile(r"\bEXP-[0-9A-Z]{8}\b"),
    noun="expense report",
    shown={
        "Full name": "Grace Hopper",
        "Employee ID": "00123",
        "Merchant": "Cafe Einstein",
        "Amount": "18.00 EUR",
        "Category": "Meals",
        "Business purpose": "Client lunch",
    },
    step1_first_error=("Enter your full name", "Full name"),
    step2_text="Merchant",
    steps=("employee", "receipts", "categories", "review"),
    items_step=2,
    item="receipt",
    fill_item=fill_receipt_item,
    expect_item=expect_receipt_item,
    item_row=("Merchant", lambda number: f"Merchant {number}"),
    file_label="Receipt file",
)


# --- the support request ----------------------------------------------------------------------

DESCRIPTION = "The screen stays dark after charging all night."


def fill_contact(page: Page) -> None:
    field(page, "Full name").fill("Grace Hopper")
    # (a textbox: the radio "Email" of Preferred contact has the same label)
    page.get_by_role("textbox", name="Email", exact=True).fill("grace@example.com")
    field(page, "Customer number").fill("00123")
    choose(page, "Preferred contact", "Email")


def fill_order(page: Page) -> None:
    field(page, "Product").select_option("Laptop")
    field(page, "Order number").fill("ORD-123456")
    field(page, "Date of purchase").fill(TODAY)


def fill_problem(page: Page) -> None:
    field(page, "What went wrong").select_option("Does not turn on")
    field(page, "Description").fill(DESCRIPTION)
    choose(page, "Urgency", "High")


def fill_attachment(group: Locator, number: int, folder: Path) -> None:
    """Choose a PNG (a real one: files are checked by content) named photo-N.png."""
    path = folder / f"photo-{number}.png"
    path.write_bytes(png(40 + number, 30))
    field(group, "File").set_input_files(path)


SUPPORT = BrowserFlow(
    name="support",
    prefix="/support",
    start_label="Start a support request",
    titles=("Contact details", "Product and order", "The problem", "Review and send"),
    parts=(
        Part("Full name", fill_contact, 4),  # Phone left empty
        Part("Order number", fill_order, 3),
        Part("Description", fill_problem, 3),  # no attachment
    ),
    confirm_label="I confirm these details are correct",
    submit_label="Send request",
    sent_title="Support request sent",
    reference=re.compile(r"\bSUP-[0-9A-Z]{8}\b"),
    noun="support request",
    shown={
        "Full name": "Grace Hopper",
        "Email": "grace@example.com",
        "Customer number": "00123",
        "Product": "Laptop",
        "Order number": "ORD-123456",
        "Date of purchase": long_date(TODAY),
        "Description": DESCRIPTION,
        "Urgency": "High",
    },
    step1_first_error=("Enter your full name", "Full name"),
    step2_text="Order number",
    steps=("contact", "order", "problem", "review"),
    items_step=3,
    item="attachment",
    fill_item=fill_attachment,
    expect_item=lambda group, number: expect(group).to_contain_text(f"photo-{number}.png"),
    item_row=("File", lambda number: f"photo-{number}.png"),
    file_label="File",
)

FLOWS = (EXPENSES, SUPPORT)
