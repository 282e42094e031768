"""The background sender: started lazily in each process, woken by a commit that queued mail,
and alive after any failure."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from app import outbox
from app.extensions import db
from tests.outbox.conftest import QUIET, make_app, message_fields, queue, rows
from tests.smtp_server import SmtpServer

# Far longer than any wait below: what arrives was woken by the commit, not found by a poll.
SLOW_POLL = {"OUTBOX_SEND_IN_BACKGROUND": True, "OUTBOX_POLL_SECONDS": 300}


def background_app(instance: Path, smtp: SmtpServer) -> Flask:
    app = make_app(instance, **SLOW_POLL, **smtp.config())

    @app.get("/test-only/submit")
    def submit() -> str:  # stands for a report's submit: its record and its mail, one commit
        outbox.enqueue(**message_fields())
        db.session.commit()
        return "submitted"

    return app


def sender_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "outbox-sender")


def test_mail_committed_by_a_request_arrives_without_anyone_calling_the_sender(
    instance: Path, smtp: SmtpServer
) -> None:
    app = background_app(instance, smtp)
    assert not app.extensions["outbox"].running  # nothing started at create_app
    assert app.test_client().get("/test-only/submit").text == "submitted"
    [got] = smtp.wait_for(1, seconds=5)
    assert got["Message-ID"] == rows(app)[0].message_id
    assert app.extensions["outbox"].running
    assert rows(app)[0].status == "sent"


def test_a_commit_outside_a_request_starts_the_sender_and_wakes_it(
    instance: Path, smtp: SmtpServer
) -> None:
    app = background_app(instance, smtp)
    before = sender_threads()
    message_ids = queue(app, 2)
    assert sorted(m["Message-ID"] for m in smtp.wait_for(2, seconds=5)) == sorted(message_ids)
    assert sender_threads() == before + 1


def test_mail_an_earlier_run_left_queued_is_sent_after_the_first_request(
    instance: Path, smtp: SmtpServer
) -> None:
    [message_id] = queue(make_app(instance, **QUIET, **smtp.config()))  # and then it stopped
    app = make_app(instance, **SLOW_POLL, **smtp.config())
    assert not app.extensions["outbox"].running
    app.test_client().get("/")
    assert [m["Message-ID"] for m in smtp.wait_for(1, seconds=5)] == [message_id]


def test_an_app_whose_outbox_is_empty_starts_no_sender(instance: Path, smtp: SmtpServer) -> None:
    app = make_app(instance, **SLOW_POLL, **smtp.config())
    for _ in range(2):
        app.test_client().get("/")
    assert not app.extensions["outbox"].running


def test_the_sender_outlives_a_failing_round(
    instance: Path, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    app = background_app(instance, smtp)
    with app.app_context():  # the outbox table is away: every round fails
        db.session.execute(text("ALTER TABLE outbox_messages RENAME TO outbox_away"))
        db.session.commit()
    outbox.wake(app)
    deadline = time.monotonic() + 5
    while "The outbox cannot be read now" not in caplog.text:
        assert time.monotonic() < deadline, "the round did not fail"
        time.sleep(0.02)
    with app.app_context():
        db.session.execute(text("ALTER TABLE outbox_away RENAME TO outbox_messages"))
        db.session.commit()
    queue(app)
    assert len(smtp.wait_for(1, seconds=5)) == 1
    assert app.extensions["outbox"].running


def test_with_the_background_sender_off_nothing_is_sent_until_asked(
    instance: Path, smtp: SmtpServer
) -> None:
    app = make_app(instance, **smtp.config(), OUTBOX_SEND_IN_BACKGROUND=False)
    queue(app)
    app.test_client().get("/")
    assert not app.extensions["outbox"].running
    with app.app_context():
        assert outbox.deliver_due() == outbox.Delivered(sent=1)
