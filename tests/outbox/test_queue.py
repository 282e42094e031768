"""enqueue joins the caller's transaction: the message exists once that commits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask

from app import outbox
from app.extensions import db
from app.outbox.service import WAKE_AFTER_COMMIT
from tests.outbox.conftest import QUIET, message_fields, rows


@pytest.fixture
def app_config() -> dict[str, object]:
    return dict(QUIET)


def test_a_message_queued_in_a_transaction_that_rolls_back_is_not_there(app: Flask) -> None:
    with app.app_context():
        outbox.enqueue(**message_fields())
        db.session.rollback()
        assert WAKE_AFTER_COMMIT not in db.session.info  # nothing to wake the sender for
    assert rows(app) == []


def test_a_message_queued_in_a_transaction_that_commits_is_queued_once(app: Flask) -> None:
    with app.app_context():
        queued = outbox.enqueue(**message_fields(about="EXP-1234ABCD"))
        db.session.commit()
        message_id = queued.message_id
    [row] = rows(app)
    assert row.message_id == message_id
    assert re.fullmatch(r"<[^@<>\s]+@expense-wizard\.localhost>", message_id)
    assert (row.status, row.tries, row.about, row.kind) == (
        "queued",
        0,
        "EXP-1234ABCD",
        "approval-request",
    )
    assert row.next_try_at == row.created_at
    assert row.claimed_until is row.sent_at is row.last_error is None


@pytest.mark.parametrize("field", ["to", "subject"])
def test_a_header_with_a_line_break_is_refused_at_enqueue(app: Flask, field: str) -> None:
    with app.app_context(), pytest.raises(ValueError, match="line break"):
        outbox.enqueue(**message_fields(**{field: "x\r\nBcc: everyone@example.com"}))


@pytest.mark.parametrize(
    ("tries", "seconds"),
    [(1, 5), (2, 10), (3, 20), (4, 40), (7, 320), (8, 600), (9, 600), (200, 600)],
)
def test_the_pause_after_a_failed_try_doubles_up_to_its_cap(
    app: Flask, tries: int, seconds: int
) -> None:
    with app.app_context():
        assert outbox.retry_delay(tries) == dt.timedelta(seconds=seconds)
