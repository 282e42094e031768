"""The outbox (SPEC §11): mail written in the transaction of what it is about, then sent.

enqueue() adds a message to the caller's transaction; a commit that carried one wakes this
process's background sender (an after_commit event on db.session; it starts the thread if
need be, as does a process's first request when mail is waiting), which claims each due
message (one sender per message, however many processes), sends it through Flask-Mailman
and records the outcome, trying again later with a growing pause. `flask outbox send` does
one round from the command line.
"""

from __future__ import annotations

import os

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from .background import BackgroundSender
from .cli import outbox_cli
from .models import FAILED, QUEUED, SENDING, SENT, OutboxMessage
from .sender import Delivered, deliver_all_due, deliver_due, mail, retry_delay
from .service import WAKE_AFTER_COMMIT, enqueue, utcnow

DEMO_BACKEND = "app.outbox.eml.EmailBackend"

__all__ = [
    "FAILED",
    "QUEUED",
    "SENDING",
    "SENT",
    "Delivered",
    "OutboxMessage",
    "deliver_all_due",
    "deliver_due",
    "enqueue",
    "init_app",
    "retry_delay",
    "uses_demo_mailbox",
    "utcnow",
    "wake",
]


def init_app(app: Flask) -> None:
    """Bind Flask-Mailman, the background sender and `flask outbox send` to the app."""
    if not app.config["MAIL_FILE_PATH"]:
        app.config["MAIL_FILE_PATH"] = os.path.join(app.instance_path, "mail")
    mail.init_app(app)
    sender = app.extensions["outbox"] = BackgroundSender(app)
    if app.config["OUTBOX_SEND_IN_BACKGROUND"]:
        app.before_request(sender.start_if_pending)
    if not event.contains(db.session, "after_commit", _wake_after_commit):
        event.listen(db.session, "after_commit", _wake_after_commit)
        event.listen(db.session, "after_rollback", _forget_after_rollback)
    app.cli.add_command(outbox_cli)
    # The Mailbox shows a submitter the manager's link: a demonstration, so that a visitor
    # can play the manager; never in a plain service, nor with a real mail server.
    shown = uses_demo_mailbox(app) and bool(app.config["WIZARD_DEMO"])
    app.jinja_env.globals["demo_mailbox"] = shown
    if shown:
        from . import mailbox

        mailbox.init_app(app)


def uses_demo_mailbox(app: Flask) -> bool:
    """Whether mail goes to .eml files in the instance folder (the embedded default), which
    the Mailbox page shows, rather than to a mail server."""
    return bool(app.config["MAIL_BACKEND"] == DEMO_BACKEND)


def wake(app: Flask | None = None) -> None:
    """Have this process's background sender look at the outbox now (if it is on)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    sender: BackgroundSender | None = app.extensions.get("outbox")
    if sender is not None and app.config["OUTBOX_SEND_IN_BACKGROUND"]:
        sender.wake()


def _wake_after_commit(session: Session) -> None:
    if session.info.pop(WAKE_AFTER_COMMIT, False) and has_app_context():
        wake()


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(WAKE_AFTER_COMMIT, None)
