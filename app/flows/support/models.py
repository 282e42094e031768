"""A sent support request and its attachments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ..engine.records import SubmittedRecord


class SupportRequest(SubmittedRecord, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "support_requests"

    lineage: Mapped[str] = mapped_column(String(64), unique=True)  # one request per draft
    full_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320))
    customer_number: Mapped[str] = mapped_column(String(20))
    preferred_contact: Mapped[str] = mapped_column(String(5))
    phone: Mapped[str] = mapped_column(String(20))
    product: Mapped[str] = mapped_column(String(40))
    order_number: Mapped[str] = mapped_column(String(20))
    purchased_on: Mapped[dt.date]
    what_went_wrong: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(6))
    attachments: Mapped[list[SupportAttachment]] = relationship(
        order_by="SupportAttachment.position", cascade="all, delete-orphan"
    )


class SupportAttachment(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "support_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id"), index=True)
    position: Mapped[int]
    file_id: Mapped[str] = mapped_column(ForeignKey("receipt_files.id"))
