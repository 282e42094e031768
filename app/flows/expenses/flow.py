"""The expense report as declarations: its sections, and the four steps that ask for them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from wtforms import Form
from wtforms.validators import DataRequired

from ...memory import BudgetExceededError, TooLargeForCookieError, TooManyCookiesError
from ..engine import Flow, Step
from ..engine.fields import BooleanField, days_ago, text
from ..engine.sections import Collection, FileSlot, Group, PerItem, Single
from ..engine.submission import Submission
from .approval.service import follow_up as approval_follow_up
from .forms import MAX_RECEIPTS, CategoryFields, EmployeeForm, ReceiptForm, parse_amount
from .money import format_minor, to_minor
from .submit import find_report, submit_report
from .summary import answers_of, receipt_legend, receipt_rows, totals
from .values import Receipt


def _receipt_value(entry: Form) -> dict[str, Any]:
    currency = entry["currency"].data
    receipt = {
        "id": entry["id"].data,
        "date": entry["date"].data.isoformat(),
        "merchant": entry["merchant"].data,
        "amount_minor": to_minor(parse_amount(entry["amount"].data), currency),  # type: ignore[arg-type]
        "currency": currency,
        "description": entry["description"].data or "",
    }
    if entry["file_id"].data:  # only when there is one: every byte of memory counts
        receipt["file_id"] = entry["file_id"].data
    return receipt


def _receipt_formdata(receipt: Receipt) -> dict[str, str]:
    amount = format_minor(receipt["amount_minor"], receipt["currency"])
    held: dict[str, Any] = dict(receipt)
    fields = {k: str(held.get(k, "")) for k in ("id", "date", "merchant", "currency", "file_id")}
    return {**fields, "amount": amount, "description": receipt.get("description", "")}


EMPLOYEE = Group("employee", EmployeeForm, "Employee details", "expenses/employee.html")
RECEIPTS = Collection(
    "receipts",
    ReceiptForm,
    to_value=_receipt_value,
    to_formdata=_receipt_formdata,  # type: ignore[arg-type]
    max_items=MAX_RECEIPTS,
    item_anchor="receipt",
    item_rows=receipt_rows,
    item_heading="Receipt",
    label_field="merchant",
    file_slot=FileSlot(
        max_bytes_setting="RECEIPT_MAX_BYTES",
        unknown_file="The file of {item} is not one this draft stored: choose the file again",
        full="This report already holds {limit} files, the most one report may. Remove a "
        "file you no longer need, then choose this one again",
    ),
    heading="Receipts",
    template="expenses/receipts.html",
)
CATEGORIES = PerItem(
    "categories",
    RECEIPTS,
    CategoryFields,
    "receipt_id",  # each category is shown with its receipt (receipt_rows), once
    template="expenses/categories.html",
)
PURPOSE = Single(
    "purpose",
    text("Business purpose", "Enter the business purpose", 200),
    field_name="business_purpose",
    template="expenses/purpose.html",
)
CONFIRM = Single(
    "confirm",
    BooleanField(
        "I confirm these expenses are accurate and for business purposes",
        [DataRequired("Confirm that these expenses are accurate and for business purposes")],
    ),
    remembered=False,
    template="engine/confirm.html",
    heading="Now submit your report",  # shown when review asks everything again
)

EXAMPLES: dict[str, str | Callable[[], str]] = {
    "employee-full_name": "Ada Lovelace",
    "employee-work_email": "ada@example.com",
    "employee-employee_id": "00123",
    "employee-department": "Engineering",
    "employee-manager_email": "charles@example.com",
    "receipts-date": days_ago(3),
    "receipts-merchant": "Cafe Einstein",
    "receipts-amount": "18.00",
    "receipts-currency": "EUR",
    "categories-category": "Meals",
    "business_purpose": "Lunch with a client in Berlin",
}

EXPENSES = Flow(
    name="expenses",
    prefix="/report",
    noun="expense report",
    steps=(
        Step("employee", "Employee details", "engine/step.html", asks=(EMPLOYEE,)),
        Step("receipts", "Receipts", "engine/step.html", asks=(RECEIPTS,)),
        Step(
            "categories",
            "Categories",
            "engine/step.html",
            asks=(CATEGORIES, PURPOSE),
            needs=(RECEIPTS,),
            summary_heading="Categories and business purpose",
        ),
        Step(
            "review",
            "Review and submit",
            "engine/review.html",
            asks=(CONFIRM,),
            needs=(EMPLOYEE, RECEIPTS, CATEGORIES, PURPOSE),
        ),
    ),
    sections=(EMPLOYEE, RECEIPTS, CATEGORIES, PURPOSE, CONFIRM),
    submission=Submission(
        store=submit_report,
        find=find_report,
        answers_of=answers_of,
        follow_up=approval_follow_up,
    ),
    refusals={
        BudgetExceededError: "This report is too large to keep in session memory ({size:,} "
        "bytes; the limit is {limit:,} bytes). Remove a receipt or shorten a description.",
        TooLargeForCookieError: "This report no longer fits in a browser cookie ({size:,} "
        "bytes; browsers keep about {limit:,}). Nothing was lost: keep session memory on the "
        "server to go on, or remove a receipt.",
        TooManyCookiesError: "Together with your other drafts, this report no longer fits in "
        "your browser's cookies ({size:,} bytes; at most {limit:,} are sent to this service). "
        "Nothing was lost: keep session memory on the server to go on, or finish or delete "
        "another draft.",
    },
    confirmation_template="expenses/confirmation.html",
    start_label="Start a new expense report",
    submit_label="Submit expense report",
    summary_extras=totals,
    examples=EXAMPLES,
    macros=("expenses/macros.html",),
    template_globals={
        "receipt_legend": receipt_legend,
        "receipt_max_bytes": lambda: current_app.config["RECEIPT_MAX_BYTES"],
    },
)
