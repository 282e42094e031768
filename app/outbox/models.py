"""A message waiting in the outbox, written in the same transaction as what it is about."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "outbox_messages"
    # The senders' question, "what is due?", reads these two columns.
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_try_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made once at enqueue and sent on every try: a copy sent again is recognisably the same.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    about: Mapped[str] = mapped_column(String(64), index=True)  # e.g. a report's reference
    kind: Mapped[str] = mapped_column(String(40))  # e.g. "approval-request"
    created_at: Mapped[dt.datetime]  # naive UTC, as every time in this table
    status: Mapped[str] = mapped_column(String(8), default=QUEUED)
    tries: Mapped[int] = mapped_column(default=0)  # failed tries so far
    next_try_at: Mapped[dt.datetime]
    # While status is "sending": a sender killed mid-send leaves the message to the next
    # sender once this has passed.
    claimed_until: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
