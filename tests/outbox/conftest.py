"""Fixtures of the outbox tests: a real SMTP server, an app that sends to it, a database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import outbox
from app.extensions import db
from tests.conftest import make_app
from tests.smtp_server import SmtpServer

# The tests call deliver_due themselves unless a test is about the background sender.
QUIET = {"OUTBOX_SEND_IN_BACKGROUND": False}


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path / "smtp")
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, instance: Path) -> str:
    """The reports database: SQLite in the instance folder, then PostgreSQL."""
    if request.param == "postgresql":
        uri: str = request.getfixturevalue("postgres_uri")
        return uri
    return f"sqlite:///{instance / 'reports.sqlite3'}"


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return {**QUIET, **smtp.config()}


def queue(app: Flask, count: int = 1, **fields: str) -> list[str]:
    """Queue `count` messages and commit them; their Message-IDs."""
    with app.app_context():
        messages = [outbox.enqueue(**message_fields(n, **fields)) for n in range(count)]
        db.session.commit()
        return [m.message_id for m in messages]


def message_fields(n: int = 0, **changes: str | None) -> dict[str, Any]:
    return {
        "to": f"manager{n}@example.com",
        "subject": f"Expense report EXP-{n:08d} awaits your approval",
        "text": f"Please approve report {n}.\n",
        "html": f"<p>Please approve report {n}.</p>\n",
        "about": f"EXP-{n:08d}",
        "kind": "approval-request",
        **changes,
    }


def rows(app: Flask) -> list[outbox.OutboxMessage]:
    """Every message in the outbox, in the order queued (detached: read after the context)."""
    with app.app_context():
        found = db.session.scalars(db.select(outbox.OutboxMessage).order_by("id")).all()
        db.session.expunge_all()
        return list(found)


__all__ = ["make_app"]
