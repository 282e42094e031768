"""A report's answers arranged for reading: review and confirmation share it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..engine.sections import Row, Shown, shown_date
from ..engine.summary import Block
from .models import Report
from .money import display_minor


def receipt_legend(number: int, receipt: dict[str, Any]) -> str:
    """'Receipt 1: Hotel Adlon, 120.00 EUR, 2026-11-02'."""
    amount = display_minor(receipt["amount_minor"], receipt["currency"])
    return f"Receipt {number}: {receipt['merchant']}, {amount}, {receipt['date']}"


def category_text(category: dict[str, str]) -> str:
    """'Other: Visa fee', or the category alone."""
    details = category.get("details", "")
    return f"{category.get('category', '')}: {details}" if details else category.get("category", "")


def receipt_rows(receipt: dict[str, Any], shown: Shown) -> tuple[Row, ...]:
    """A receipt on review and confirmation, with its category and its file."""
    category = (shown.answers.get("categories") or {}).get(receipt["id"], {})
    return (
        Row("Date", shown_date(receipt["date"])),
        Row("Merchant", receipt["merchant"]),
        Row("Amount", display_minor(receipt["amount_minor"], receipt["currency"])),
        Row("Description", receipt.get("description", "")),
        Row("Category", category_text(category)),
        shown.file_row("Receipt file", receipt),
    )


def totals(answers: dict[str, Any]) -> list[Block]:
    """The report's total in each currency it uses."""
    sums: dict[str, int] = defaultdict(int)
    for receipt in answers.get("receipts") or []:
        sums[receipt["currency"]] += receipt["amount_minor"]
    # In receipt order: each currency where its first receipt is (a dict keeps that order).
    shown = tuple(display_minor(total, currency) for currency, total in sums.items())
    return [Block("totals", "Totals", items=shown)]


def answers_of(report: Report) -> dict[str, Any]:
    """A stored report's answers, in the shape memory holds them."""
    receipts = [
        {
            "id": str(item.position),
            "date": item.receipt_date.isoformat(),
            "merchant": item.merchant,
            "amount_minor": item.amount_minor,
            "currency": item.currency,
            "description": item.description,
            "file_id": item.file_id or "",
        }
        for item in report.items
    ]
    categories = {
        str(item.position): {"category": item.category, "details": item.details}
        for item in report.items
    }
    employee = {
        name: getattr(report, name)
        for name in ("full_name", "work_email", "employee_id", "department", "manager_email")
    }
    return {
        "employee": employee,
        "receipts": receipts,
        "categories": categories,
        "business_purpose": report.business_purpose,
    }
