"""Submitting a report: one transaction, idempotent on the draft id."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...attachments.service import discard_unsubmitted, mark_submitted
from ...extensions import db
from ..engine.submission import SubmitRefusedError, TypingCounts
from .models import LineItem, Report

_REFERENCE_ALPHABET = string.digits + string.ascii_uppercase
_REFERENCE_ATTEMPTS = 3


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
    return "EXP-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


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
    for _ in range(_REFERENCE_ATTEMPTS):
        report = _build(draft_id, answers, counts, memory_on)
        report.lineage = lineage
        try:
            _mark_files(lineage, answers["receipts"])  # first: no line item names a stranger
            _insert(report)  # draft_id and lineage are unique: no query first for a report
            discard_unsubmitted(lineage, commit=False)
            db.session.commit()
        except (IntegrityError, UnknownFileError) as e:
            db.session.rollback()  # submitted already (or by another request)? Else a file
            if existing := find_report(draft_id, lineage):  # was no file of the draft, or
                return existing  # the reference clashed: then try another
            if isinstance(e, UnknownFileError):
                raise
            continue
        return report
    raise RuntimeError("Could not store the report; please submit it again.")


def _mark_files(lineage: str, receipts: list[dict[str, Any]]) -> None:
    """Mark the receipts' files submitted; refuse (rolled back) any that is not the draft's."""
    wanted = {r["file_id"] for r in receipts if "file_id" in r}
    if missing := wanted - mark_submitted(lineage, wanted):
        positions = [n for n, r in enumerate(receipts, 1) if r.get("file_id") in missing]
        raise UnknownFileError(positions)


def _insert(report: Report) -> None:
    """Write the report and its line items in two statements, without the ORM's unit of
    work (measured: it was most of a submit's time). The report stays out of the session:
    it holds what was written, so reading it afterwards needs no query."""
    reports, line_items = Report.__table__, LineItem.__table__
    row = {c.name: getattr(report, c.name) for c in reports.columns if c.name != "id"}
    report.id = db.session.execute(insert(reports).values(row).returning(reports.c.id)).scalar_one()
    for item in report.items:
        item.report_id = report.id
    rows = [
        {c.name: getattr(item, c.name) for c in line_items.columns if c.name != "id"}
        for item in report.items
    ]
    if rows:
        db.session.execute(insert(line_items), rows)


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
