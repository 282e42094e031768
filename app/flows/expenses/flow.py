"""The expense report as declarations: its sections, and the four steps that ask for them."""

from __future__ import annotations

from typing import Any

from wtforms import Form
from wtforms.validators import DataRequired

from ..engine import Flow, Step
from ..engine.fields import BooleanField, text
from ..engine.sections import Collection, Group, PerItem, Single
from .forms import MAX_RECEIPTS, CategoryFields, EmployeeForm, ReceiptForm, parse_amount
from .money import format_minor, to_minor
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
    file_slot=True,
    heading="Receipts",
    template="expenses/receipts.html",
)
CATEGORIES = PerItem(
    "categories", RECEIPTS, CategoryFields, "receipt_id", "expenses/categories.html"
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
)

EXPENSES = Flow(
    name="expenses",
    steps=(
        Step("employee", "Employee details", "step.html", asks=(EMPLOYEE,)),
        Step("receipts", "Receipts", "step.html", asks=(RECEIPTS,)),
        Step(
            "categories",
            "Categories",
            "step.html",
            asks=(CATEGORIES, PURPOSE),
            needs=(RECEIPTS,),
        ),
        Step(
            "review",
            "Review and submit",
            "review.html",
            asks=(CONFIRM,),
            needs=(EMPLOYEE, RECEIPTS, CATEGORIES, PURPOSE),
        ),
    ),
    sections=(EMPLOYEE, RECEIPTS, CATEGORIES, PURPOSE, CONFIRM),
)
