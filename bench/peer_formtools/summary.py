"""A report's answers arranged for reading, as app/flows/expenses/summary.py does."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .models import Report
from .rules import display_minor, parse_amount, to_minor

Rows = list[tuple[str, str]]
EMPLOYEE_LABELS = (
    ("full_name", "Full name"),
    ("work_email", "Work email"),
    ("employee_id", "Employee ID"),
    ("department", "Department"),
    ("manager_email", "Manager's email"),
)


@dataclass(frozen=True)
class Line:
    """One receipt with its category, in the units the report database keeps."""

    number: int
    date: dt.date
    merchant: str
    amount_minor: int
    currency: str
    description: str
    category: str
    details: str

    @property
    def amount(self) -> str:
        return display_minor(self.amount_minor, self.currency)

    @property
    def category_text(self) -> str:
        return f"{self.category}: {self.details}" if self.details else self.category

    @property
    def legend(self) -> str:
        return f"Receipt {self.number}: {self.merchant}, {self.amount}, {self.date.isoformat()}"

    @property
    def rows(self) -> Rows:
        return [
            ("Date", self.date.isoformat()),
            ("Merchant", self.merchant),
            ("Amount", self.amount),
            ("Description", self.description),
            ("Category", self.category_text),
        ]


@dataclass(frozen=True)
class Summary:
    employee: Rows
    lines: list[Line]
    business_purpose: str

    @property
    def category_rows(self) -> Rows:
        rows = [(f"Receipt {line.number}: {line.merchant}", line.category_text) for line in self]
        return [*rows, ("Business purpose", self.business_purpose)]

    @property
    def totals(self) -> list[str]:
        sums: dict[str, int] = defaultdict(int)
        for line in self:
            sums[line.currency] += line.amount_minor
        return [display_minor(total, currency) for currency, total in sorted(sums.items())]

    def __iter__(self) -> Any:
        return iter(self.lines)


def lines_from_steps(
    receipts: Iterable[dict[str, Any]], categories: Iterable[dict[str, Any]] | None = None
) -> list[Line]:
    """Lines from the receipts step's cleaned data (and the categories step's, by position)."""
    receipts = list(receipts)
    pairs = zip(receipts, categories or [{}] * len(receipts), strict=True)
    return [
        Line(
            number=n,
            date=r["date"],
            merchant=r["merchant"],
            amount_minor=to_minor(parse_amount(r["amount"]), r["currency"]),  # type: ignore[arg-type]
            currency=r["currency"],
            description=r.get("description", ""),
            category=c.get("category", ""),
            details=c.get("details", ""),
        )
        for n, (r, c) in enumerate(pairs, start=1)
    ]


def from_steps(employee: dict[str, Any], lines: list[Line], business_purpose: str) -> Summary:
    rows = [(label, employee[name]) for name, label in EMPLOYEE_LABELS]
    return Summary(rows, lines, business_purpose)


def from_report(report: Report) -> Summary:
    """A stored report (with its items prefetched), arranged the same way."""
    lines = [
        Line(
            number=item.position + 1,
            date=item.receipt_date,
            merchant=item.merchant,
            amount_minor=item.amount_minor,
            currency=item.currency,
            description=item.description,
            category=item.category,
            details=item.details,
        )
        for item in report.items.all()
    ]
    rows = [(label, getattr(report, name)) for name, label in EMPLOYEE_LABELS]
    return Summary(rows, lines, report.business_purpose)
