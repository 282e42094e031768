"""A report's approval link, its one decision and its history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ....extensions import db


class ApprovalLink(db.Model):  # type: ignore[name-defined,misc]
    """The link emailed to the manager: only a hash of its token is kept, so a copy of
    the database opens no report."""

    __tablename__ = "approval_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_to: Mapped[str] = mapped_column(String(320))  # the manager: who decides with it
    expires_at: Mapped[dt.datetime]


class Decision(db.Model):  # type: ignore[name-defined,misc]
    """The decision on a report: its key is the report's, so a report has at most one,
    however many clicks, tabs or processes try at once."""

    __tablename__ = "report_decisions"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(8))  # "approved" or "rejected"
    reason: Mapped[str] = mapped_column(String(500), default="")
    decided_by: Mapped[str] = mapped_column(String(320))
    decided_at: Mapped[dt.datetime]


class ReportEvent(db.Model):  # type: ignore[name-defined,misc]
    """One event of a report's history: submitted, opened by the approver, decided (the
    emails about it are the outbox's messages, with their own times)."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    at: Mapped[dt.datetime]
    event: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(500), default="")
