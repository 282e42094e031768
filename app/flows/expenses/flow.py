"""The expense report as declarations: its sections, and the four steps that ask for them."""

from __future__ import annotations

from ...memory import Memory
from ..engine import Flow, Section, Step
from ..engine.flow import has
from .values import Categories, Receipts, remembered


def _receipts_complete(memory: Memory) -> bool:
    return bool(memory.get("receipts"))


def _categories_complete(memory: Memory) -> bool:
    receipts = remembered(memory, "receipts", Receipts, [])
    categories = remembered(memory, "categories", Categories, {})
    return bool(receipts) and all(r["id"] in categories for r in receipts)


EMPLOYEE = Section("employee", "employee", has("employee"))
RECEIPTS = Section("receipts", "receipts", _receipts_complete)
CATEGORIES = Section("categories", "categories", _categories_complete)
PURPOSE = Section("purpose", "business_purpose", has("business_purpose"))
CONFIRM = Section("confirm", None, lambda memory: False)

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
