"""Submitting a report: one transaction, idempotent on the draft id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ..engine.storing import claim_files, insert_with_items, store_once
from ..engine.storing import new_reference as reference_with
from ..engine.submission import SubmitRefusedError, TypingCounts
from .approval.service import request_approval
from .models import LineItem, Report


class UnknownFileError(SubmitRefusedError):
    """A receipt names a file its draft did not store (made up, or gone): nothing was
    submitted."""

    def __init__(self, positions: list[int]) -> None:
        which = ", ".join(str(n) for n in positions)
        super().__init__(
            f"The file of receipt {which} is not one this draft stored, so nothing was "
            "submitted. Check the receipts and their files, then submit again."
        )
        self.positions = positions


def new_reference() -> str:
    """EXP- and 8 random characters from 0-9A-Z."""
    return reference_with("EXP-")


def find_report(draft_id: str, lineage: str | None = None) -> Report | None:
    """The report submitted from this draft (or, given, from any draft of its lineage)."""
    sent_from = Report.draft_id == draft_id
    query = select(Report).where(
        sent_from if lineage is None else sent_from | (Report.lineage == lineage)
    )
    report: Report | None = (
        db.session.execute(query.options(joinedload(Report.items))).unique().scalars().first()
    )
    return report


def submit_report(
    draft_id: str, lineage: str, answers: dict[str, Any], counts: TypingCounts, memory_on: bool
) -> Report:
    """Write the report once; a repeated submit of the same draft, or of any draft of its
    lineage, returns the first one. One transaction writes the report and its line items,
    marks its files submitted and deletes the draft's other uploads (replaced or asked
    again along the way). Raises UnknownFileError, writing nothing, if a receipt names no
    file of this draft."""

    def write() -> Report:
        report = _build(draft_id, answers, counts, memory_on)
        report.lineage = lineage
        claim_files(lineage, answers["receipts"], UnknownFileError)  # first: no line item
        insert_with_items(report, report.items, "report_id")  # names a stranger; draft_id
        request_approval(report)  # and lineage are unique: no query first for a report
        return report

    return store_once(write, lambda: find_report(draft_id, lineage))


def _build(draft_id: str, answers: dict[str, Any], counts: TypingCounts, memory_on: bool) -> Report:
    employee, categories = answers["employee"], answers["categories"]
    return Report(
        reference=new_reference(),
        draft_id=draft_id,
        submitted_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        business_purpose=answers["business_purpose"],
        memory_on=memory_on,
        fields_typed=counts.typed,
        fields_repeated=counts.repeated,
        memory_use=counts.memory_use,
        items=[_line_item(n, r, categories[r["id"]]) for n, r in enumerate(answers["receipts"])],
        **employee,
    )


def _line_item(position: int, receipt: dict[str, Any], category: dict[str, str]) -> LineItem:
    return LineItem(
        position=position,
        receipt_date=dt.date.fromisoformat(receipt["date"]),
        merchant=receipt["merchant"],
        amount_minor=receipt["amount_minor"],
        currency=receipt["currency"],
        description=receipt["description"],
        category=category["category"],
        details=category["details"],
        file_id=receipt.get("file_id"),
    )
