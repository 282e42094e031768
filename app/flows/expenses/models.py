"""A submitted report and its line items."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ..engine.records import SubmittedRecord


class Report(SubmittedRecord, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "reports"

    # The draft's first id, kept when its memory moves elsewhere under a new id: one report
    # per lineage, however many older pages or moved copies of the draft are sent. (NULL in
    # rows from before lineages: database.NEW_COLUMNS.)
    lineage: Mapped[str | None] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    work_email: Mapped[str] = mapped_column(String(320))
    employee_id: Mapped[str] = mapped_column(String(20))
    department: Mapped[str] = mapped_column(String(40))
    manager_email: Mapped[str] = mapped_column(String(320))
    business_purpose: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[LineItem]] = relationship(
        back_populates="report", order_by="LineItem.position", cascade="all, delete-orphan"
    )


class LineItem(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "line_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    position: Mapped[int]
    receipt_date: Mapped[dt.date]
    merchant: Mapped[str] = mapped_column(String(100))
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    details: Mapped[str] = mapped_column(String(200))
    file_id: Mapped[str | None] = mapped_column(ForeignKey("receipt_files.id"))
    report: Mapped[Report] = relationship(back_populates="items")
