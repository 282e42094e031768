"""Sending the outbox: claim a due message, send it, record what happened; repeat."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_mailman import EmailMultiAlternatives, Mail
from sqlalchemy import update

from ..extensions import db
from .models import FAILED, QUEUED, SENDING, SENT, OutboxMessage
from .service import claim_next, utcnow

mail = Mail()
BATCH = 20  # messages a run sends at most

# Failures that say the mail server cannot be reached: every other message of the run would
# wait for it too, so the run stops and the rest stay queued, untouched.
_UNREACHABLE = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)


@dataclass(frozen=True)
class Delivered:
    """What one run did: messages sent, to be tried again, given up on."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed

    def __add__(self, other: Delivered) -> Delivered:
        return Delivered(
            self.sent + other.sent, self.retried + other.retried, self.failed + other.failed
        )


def deliver_due(limit: int = BATCH, now: dt.datetime | None = None) -> Delivered:
    """Send up to `limit` due messages, each claimed first so that no other sender sends it
    too, and record each outcome. `now` holds the clock still (tests)."""
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else utcnow
    lease = dt.timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    connection = mail.get_connection()  # opened at the first send, kept for the run
    delivered = Delivered()
    try:
        while delivered.total < limit and (message := claim_next(clock(), lease)):
            error = _send(connection, message)
            delivered += _record(message, error, clock())
            if isinstance(error, _UNREACHABLE):
                break
    finally:
        _close(connection)
    return delivered


def deliver_all_due(now: dt.datetime | None = None) -> Delivered:
    """Run deliver_due until no message is due or the mail server cannot be reached."""
    delivered = Delivered()
    while True:
        run = deliver_due(BATCH, now)
        delivered += run
        if run.total < BATCH:  # none left, or the mail server is unreachable: later
            return delivered


def _send(connection: Any, message: OutboxMessage) -> Exception | None:
    """Send one message with its stored Message-ID; the failure, if any, to record."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        to=[message.to_address],
        headers={"Message-ID": message.message_id},
        connection=connection,
    )
    if message.html_body is not None:
        email.attach_alternative(message.html_body, "text/html")
    try:
        connection.open()
        if connection.send_messages([email]) != 1:
            raise RuntimeError("The mail backend did not take the message.")
    except Exception as e:  # whatever the backend raises is a failed try, recorded
        _close(connection)  # a connection that failed once is not trusted again
        return e
    return None


def _close(connection: Any) -> None:
    with suppress(OSError):  # smtplib's errors are OSErrors: a dead server, already gone
        connection.close()


def _record(message: OutboxMessage, error: Exception | None, at: dt.datetime) -> Delivered:
    """Mark the message sent, queued again after a pause, or failed after its last try."""
    if error is None:
        _finish(message, status=SENT, sent_at=at)
        return Delivered(sent=1)
    tries, described = message.tries + 1, f"{type(error).__name__}: {error}"[:2000]
    if tries >= current_app.config["OUTBOX_MAX_TRIES"]:
        _finish(message, status=FAILED, tries=tries, last_error=described)
        return Delivered(failed=1)
    pause = retry_delay(tries)
    _finish(message, status=QUEUED, tries=tries, last_error=described, next_try_at=at + pause)
    return Delivered(retried=1)


def retry_delay(tries: int) -> dt.timedelta:
    """The pause after the `tries`-th failed try: the base, doubling, capped."""
    base = float(current_app.config["OUTBOX_RETRY_BASE_SECONDS"])
    cap = float(current_app.config["OUTBOX_RETRY_MAX_SECONDS"])
    return dt.timedelta(seconds=min(base * 2 ** min(tries - 1, 60), cap))


def _finish(message: OutboxMessage, **values: Any) -> None:
    """Write the outcome, unless the lease ran out and another sender holds it now."""
    m = OutboxMessage
    statement = (
        update(m)
        .where(m.id == message.id, m.status == SENDING, m.claimed_until == message.claimed_until)
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(statement)
    db.session.commit()
