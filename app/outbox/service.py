"""Putting messages in the outbox and taking them out: each due message claimed by one sender."""

from __future__ import annotations

import datetime as dt
from email.utils import make_msgid, parseaddr
from typing import Any, cast

from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, and_, or_, select, update

from ..extensions import db
from ..rows import insert_now
from .models import QUEUED, SENDING, OutboxMessage

WAKE_AFTER_COMMIT = "outbox_wake"  # a db.session.info key: a message was queued


def utcnow() -> dt.datetime:
    """The time as the outbox keeps it: UTC, naive."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def enqueue(
    *, to: str, subject: str, text: str, html: str | None = None, about: str, kind: str
) -> OutboxMessage:
    """Add a message to db.session without committing: it is sent only if the caller's
    transaction commits, and the sender is woken once it has."""
    if any(c in value for value in (to, subject) for c in "\r\n"):
        raise ValueError("A mail header cannot hold a line break.")
    queued_at = utcnow()
    message = OutboxMessage(
        message_id=make_msgid(domain=_domain()),
        to_address=to,
        subject=subject,
        text_body=text,
        html_body=html,
        about=about,
        kind=kind,
        created_at=queued_at,
        status=QUEUED,
        tries=0,
        next_try_at=queued_at,
    )
    message.id = insert_now(message)  # no flush at commit (rows.insert_now)
    db.session.info[WAKE_AFTER_COMMIT] = True
    return message


def _domain() -> str:
    """The sender's domain: Message-IDs never depend on the host's name (nor on looking it up)."""
    address = parseaddr(str(current_app.config["MAIL_DEFAULT_SENDER"]))[1]
    return address.rpartition("@")[2] or "expense-wizard.localhost"


def has_pending() -> bool:
    """Whether any message waits to be sent (queued, or held by a sender)."""
    m = OutboxMessage
    return (
        db.session.scalar(select(m.id).where(m.status.in_((QUEUED, SENDING))).limit(1)) is not None
    )


def _due(at: dt.datetime) -> ColumnElement[bool]:
    """Queued and due, or held by a sender whose lease has run out (it died mid-send)."""
    m = OutboxMessage
    lapsed = and_(m.status == SENDING, m.claimed_until < at)
    return and_(m.next_try_at <= at, or_(m.status == QUEUED, lapsed))


def claim_next(at: dt.datetime, lease: dt.timedelta) -> OutboxMessage | None:
    """Mark the next due message "sending" until at + lease, committed, so that no other
    sender takes it meanwhile; None when nothing is due."""
    claim = _claim_locking if db.engine.dialect.name == "postgresql" else _claim_comparing
    message_id = claim(at, at + lease)
    return db.session.get(OutboxMessage, message_id) if message_id is not None else None


def _next_due(at: dt.datetime, limit: int) -> Any:
    m = OutboxMessage
    return select(m.id).where(_due(at)).order_by(m.next_try_at, m.id).limit(limit)


def _claim_locking(at: dt.datetime, until: dt.datetime) -> int | None:
    """PostgreSQL: lock the row, skipping rows other senders hold locked."""
    found: int | None = db.session.scalar(_next_due(at, 1).with_for_update(skip_locked=True))
    if found is not None:
        db.session.execute(_take(found, at, until))
    db.session.commit()
    return found


def _claim_comparing(at: dt.datetime, until: dt.datetime) -> int | None:
    """SQLite (no row locks): take a candidate only if it is still due as the update runs;
    a sender that lost the race to another updates no row and tries the next candidate."""
    for candidate in db.session.scalars(_next_due(at, 5)).all():
        result = cast(CursorResult[Any], db.session.execute(_take(candidate, at, until)))
        db.session.commit()
        if result.rowcount == 1:
            return int(candidate)
    return None


def _take(message_id: int, at: dt.datetime, until: dt.datetime) -> Any:
    m = OutboxMessage
    return (
        update(m)
        .where(m.id == message_id, _due(at))
        .values(status=SENDING, claimed_until=until)
        .execution_options(synchronize_session=False)
    )
