"""The embedded default: each message one .eml file in instance/mail, shown by the Mailbox."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from flask import Flask

from app import outbox
from app.outbox import Delivered
from tests.outbox.conftest import QUIET, make_app, queue, rows
from tests.smtp_server import text_of


@pytest.fixture
def app_config() -> dict[str, object]:
    return dict(QUIET)  # and the default mail backend


def test_the_default_backend_writes_each_message_as_an_eml_file_in_the_instance(
    app: Flask, instance: Path
) -> None:
    message_ids = queue(app, 2)
    with app.app_context():
        assert outbox.deliver_due() == Delivered(sent=2)
    files = sorted((instance / "mail").iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]  # nothing else: no .log, no leftovers
    named = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9]{6}-[A-Za-z0-9._-]+\.eml")  # time, id: safe
    assert all(named.fullmatch(f.name) for f in files)
    parsed = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert sorted(m["Message-ID"] for m in parsed) == sorted(message_ids)
    first = next(m for m in parsed if m["Message-ID"] == message_ids[0])
    assert first["To"] == "manager0@example.com"
    assert first["Subject"] == "Expense report EXP-00000000 awaits your approval"
    assert text_of(first, "plain") == "Please approve report 0.\n"
    assert text_of(first, "html") == "<p>Please approve report 0.</p>\n"
    assert [r.status for r in rows(app)] == ["sent", "sent"]


def test_the_demo_mailbox_is_in_use_only_with_the_default_backend(
    app: Flask, tmp_path: Path
) -> None:
    assert outbox.uses_demo_mailbox(app)
    assert app.config["MAIL_FILE_PATH"] == str(Path(app.instance_path) / "mail")
    smtp = make_app(tmp_path / "other", MAIL_BACKEND="smtp")
    assert not outbox.uses_demo_mailbox(smtp)


def test_a_mail_folder_of_ones_own_is_kept(tmp_path: Path) -> None:
    app = make_app(tmp_path / "instance", **QUIET, MAIL_FILE_PATH=str(tmp_path / "letters"))
    queue(app)
    with app.app_context():
        outbox.deliver_due()
    assert len(list((tmp_path / "letters").glob("*.eml"))) == 1
