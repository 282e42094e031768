"""A report's answers arranged for reading: review and confirmation share it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask import url_for

from ... import memory
from ...attachments.models import StoredFile
from ...attachments.service import files_of
from .models import Report
from .money import display_minor


@dataclass(frozen=True)
class ReceiptLine:
    number: int
    date: str
    merchant: str
    amount: str
    description: str
    category: str
    details: str
    file: StoredFile | None
    file_url: str

    @property
    def category_text(self) -> str:
        return f"{self.category}: {self.details}" if self.details else self.category


@dataclass(frozen=True)
class Summary:
    employee: dict[str, str]
    receipts: list[ReceiptLine]
    business_purpose: str
    totals: list[str]

    @property
    def category_rows(self) -> list[tuple[str, str]]:
        return [(f"Receipt {r.number}: {r.merchant}", r.category_text) for r in self.receipts]


def receipt_legend(number: int, receipt: dict[str, Any]) -> str:
    """'Receipt 1: Hotel Adlon, 120.00 EUR, 2026-11-02'."""
    amount = display_minor(receipt["amount_minor"], receipt["currency"])
    return f"Receipt {number}: {receipt['merchant']}, {amount}, {receipt['date']}"


def summarise(answers: dict[str, Any], draft_id: str) -> Summary:
    """Arrange a whole report's answers (as memory holds them) for display."""
    categories = answers.get("categories") or {}
    wanted = (r.get("file_id", "") for r in answers["receipts"])
    files = files_of(memory.lineage_of(draft_id), wanted)
    lines = [
        _line(n, r, categories.get(r["id"], {}), files.get(r.get("file_id", "")), draft_id)
        for n, r in enumerate(answers["receipts"], start=1)
    ]
    return Summary(
        employee=answers["employee"],
        receipts=lines,
        business_purpose=answers.get("business_purpose", ""),
        totals=_totals(answers["receipts"]),
    )


def _line(
    number: int,
    receipt: dict[str, Any],
    category: dict[str, str],
    file: StoredFile | None,
    draft_id: str,
) -> ReceiptLine:
    url = url_for("expenses.file", draft_id=draft_id, file_id=file.id) if file else ""
    return ReceiptLine(
        number=number,
        date=receipt["date"],
        merchant=receipt["merchant"],
        amount=display_minor(receipt["amount_minor"], receipt["currency"]),
        description=receipt.get("description", ""),
        category=category.get("category", ""),
        details=category.get("details", ""),
        file=file,
        file_url=url,
    )


def _totals(receipts: list[dict[str, Any]]) -> list[str]:
    sums: dict[str, int] = defaultdict(int)
    for receipt in receipts:
        sums[receipt["currency"]] += receipt["amount_minor"]
    return [display_minor(total, currency) for currency, total in sorted(sums.items())]


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
