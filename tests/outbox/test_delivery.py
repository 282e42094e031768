"""Delivery to a real SMTP server: what arrives, and what an outage does to the outbox."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from app import outbox
from app.outbox import Delivered
from tests.outbox.conftest import QUIET, make_app, queue, rows
from tests.smtp_server import REFUSED_DOMAIN, SmtpServer, text_of

SECOND = dt.timedelta(seconds=1)


def deliver(app: Flask, at: dt.datetime | None = None) -> Delivered:
    with app.app_context():
        return outbox.deliver_due(now=at)


def test_a_queued_message_arrives_whole_with_its_stored_message_id(
    app: Flask, smtp: SmtpServer
) -> None:
    [message_id] = queue(app)
    assert deliver(app) == Delivered(sent=1)
    [got] = smtp.received()
    assert got["Message-ID"] == message_id
    assert got["To"] == "manager0@example.com"
    assert got["From"] == "Expense Wizard <no-reply@expense-wizard.localhost>"
    assert got["Subject"] == "Expense report EXP-00000000 awaits your approval"
    assert text_of(got, "plain") == "Please approve report 0.\n"
    assert text_of(got, "html") == "<p>Please approve report 0.</p>\n"
    [row] = rows(app)
    assert (row.status, row.tries, row.claimed_until) == ("sent", 0, None)
    assert row.sent_at is not None


def test_a_message_without_html_is_sent_as_plain_text(app: Flask, smtp: SmtpServer) -> None:
    queue(app, html=None)
    deliver(app)
    [got] = smtp.received()
    assert got.get_content_type() == "text/plain"
    assert text_of(got, "html") is None


def test_a_sent_message_is_not_sent_again(app: Flask, smtp: SmtpServer) -> None:
    queue(app, 3)
    assert deliver(app) == Delivered(sent=3)
    assert deliver(app, outbox.utcnow() + dt.timedelta(days=1)) == Delivered()
    assert len(smtp.received()) == 3


def test_an_outage_keeps_every_message_queued_and_each_arrives_once_after_it(
    app: Flask, smtp: SmtpServer
) -> None:
    message_ids = queue(app, 3)
    smtp.stop()
    start = outbox.utcnow()
    # The first try fails; the run stops there (the server is unreachable): the others wait.
    assert deliver(app, start) == Delivered(retried=1)
    first, *others = rows(app)
    assert (first.status, first.tries, first.next_try_at) == ("queued", 1, start + 5 * SECOND)
    assert first.last_error and "Connection refused" in first.last_error
    assert [(o.status, o.tries) for o in others] == [("queued", 0), ("queued", 0)]
    smtp.start()
    assert deliver(app, start + 4 * SECOND) == Delivered(sent=2)  # the first is not due yet
    assert deliver(app, start + 5 * SECOND) == Delivered(sent=1)
    received = [m["Message-ID"] for m in smtp.received()]
    assert sorted(received) == sorted(message_ids)  # every message, each exactly once
    assert [r.status for r in rows(app)] == ["sent"] * 3


def test_the_pause_between_tries_doubles_up_to_its_cap_then_the_message_fails(
    instance: object, smtp: SmtpServer
) -> None:
    config = {"OUTBOX_MAX_TRIES": 7, "OUTBOX_RETRY_MAX_SECONDS": 30}
    app = make_app(instance, **QUIET, **smtp.config(), **config)
    queue(app)
    smtp.stop()
    at, pauses = outbox.utcnow(), []
    for _ in range(6):
        assert deliver(app, at) == Delivered(retried=1)
        assert deliver(app, rows(app)[0].next_try_at - SECOND) == Delivered()  # not before
        pauses.append(rows(app)[0].next_try_at - at)
        at = rows(app)[0].next_try_at
    assert pauses == [dt.timedelta(seconds=s) for s in (5, 10, 20, 30, 30, 30)]
    assert deliver(app, at) == Delivered(failed=1)
    [row] = rows(app)
    assert (row.status, row.tries) == ("failed", 7)
    assert row.last_error and "ConnectionRefusedError" in row.last_error
    assert deliver(app, at + dt.timedelta(days=1)) == Delivered()  # given up: never again
    smtp.start()
    assert deliver(app, at + dt.timedelta(days=1)) == Delivered()
    assert smtp.received() == []


def test_a_refused_recipient_is_tried_again_later_and_the_others_are_sent(
    app: Flask, smtp: SmtpServer
) -> None:
    queue(app, 1, to=f"nobody@{REFUSED_DOMAIN}")
    queue(app, 2)
    assert deliver(app) == Delivered(sent=2, retried=1)
    refused = rows(app)[0]
    assert refused.last_error and "SMTPRecipientsRefused" in refused.last_error
    assert len(smtp.received()) == 2


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, object]:
    return {**QUIET, **smtp.config(), "MAIL_TIMEOUT": 2}
