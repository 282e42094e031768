"""Configuration defaults, each written once; instance/config.py and FLASK_* env override."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    # Session memory (SPEC §5, §6, §7)
    # The demonstration layer (app/demo/): inspector, memory on vs off, guide, diagram, the
    # SessionState API. False: a plain expense service.
    "WIZARD_DEMO": True,
    "SESSION_TYPE": "sqlite",
    "WIZARD_STORE_FACTORY": None,  # (app) -> KeyValueStore: another store, set in code only
    "WIZARD_SQLITE_STORE": None,  # default: instance/memory.sqlite3
    "REDIS_URL": "redis://127.0.0.1:6379/0",  # with SESSION_TYPE = "redis"
    "REDIS_KEY_PREFIX": "expense-wizard:",
    "REDIS_TIMEOUT": 1.0,  # seconds: a paused Redis gives a 503, never a hung worker
    "WIZARD_IDLE_TIMEOUT": 30 * 60,
    "WIZARD_ABSOLUTE_LIFETIME": 8 * 60 * 60,
    "WIZARD_EXPIRY_WARNING": 2 * 60,
    "WIZARD_MEMORY_BUDGET": 16 * 1024,
    # The browser session outlives its drafts, so it can tell its expired ones.
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=24),
    "SESSION_KEY_PREFIX": "session:",
    "SESSION_ID_LENGTH": 32,  # bytes: a 256-bit id
    # Seconds a retired session id (after a memory switch or a submit) still leads to
    # its successor: long enough for a double click, too short to be worth stealing.
    "SESSION_ROTATION_GRACE": 10,
    # Write the browser session only when it changes: a late read-only request
    # must never roll back a concurrent write (Flask-Session #71).
    "SESSION_REFRESH_EACH_REQUEST": False,
    "SESSION_COOKIE_NAME": "expense_wizard_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Bytes of Cookie header the draft cookies may bring the browser to send: below the
    # 8,190 servers such as gunicorn accept, with room left for other cookies of the host.
    "WIZARD_COOKIE_HEADER_LIMIT": 7_000,
    # Rate limits per client (Flask-Limiter), counted where session memory lives (its SQLite
    # file, or Redis with SESSION_TYPE=redis) so that every process counts alike.
    "WIZARD_DRAFT_RATE": "10 per minute; 100 per hour",
    "WIZARD_UPLOAD_RATE": "30 per minute; 300 per hour",
    "WIZARD_API_WRITE_RATE": "60 per minute; 600 per hour",  # PUT and DELETE of the HTTP API
    # The memory switch and moving memory: each issues a new session id or moves a draft,
    # whose traces stay in the store for a day.
    "WIZARD_SWITCH_RATE": "30 per minute; 300 per hour",
    "RATELIMIT_STORAGE_URI": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Submitted reports
    "SQLALCHEMY_DATABASE_URI": None,  # default: SQLite in instance/reports.sqlite3
    # Approval (SPEC §11): how long the manager's emailed link works, and how often one
    # client may open or press it (a token is 256 bits: the limit guards the server).
    "APPROVAL_LINK_LIFETIME": 14 * 24 * 60 * 60,
    # The address people reach the app at, for links in emails (https://expenses.example/);
    # None: the address the request that queued the email came to.
    "WIZARD_PUBLIC_URL": None,
    "APPROVAL_RATE": "60 per minute; 600 per hour",
    # CSRF tokens live as long as the browser session, not one hour: a person who
    # pauses on a step must not lose it to a token timeout.
    "WTF_CSRF_TIME_LIMIT": None,
    # Receipt files: each at most RECEIPT_MAX_BYTES (a larger one gets its own message, with
    # everything else on the page kept). A whole request over MAX_CONTENT_LENGTH is not read:
    # it gets the step again from memory with a message. Ten full-size files fit.
    "RECEIPT_MAX_BYTES": 5 * 1024 * 1024,
    "SUPPORT_ATTACHMENT_MAX_BYTES": 5 * 1024 * 1024,
    # Files one draft may hold at once: one per receipt. Replaced files go at once; when it
    # is full, files nothing refers to any more go before a new one is refused.
    "WIZARD_FILES_PER_DRAFT": 20,
    "MAX_CONTENT_LENGTH": 52 * 1024 * 1024,
    # Mail (SPEC §11), through Flask-Mailman. The default writes each message as an .eml file
    # into MAIL_FILE_PATH (default: instance/mail), which the Mailbox page shows; "smtp" sends
    # it to MAIL_SERVER.
    "MAIL_BACKEND": "app.outbox.eml.EmailBackend",
    "MAIL_FILE_PATH": None,
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Expense Wizard <no-reply@expense-wizard.localhost>",
    "MAIL_TIMEOUT": 10,  # seconds per SMTP operation: a mail server that hangs is an error
    # The outbox (app/outbox/): each process delivers it in a background thread, woken by a
    # commit that queued a message and every OUTBOX_POLL_SECONDS; False leaves it to
    # `flask outbox send` (a cron job, a worker).
    "OUTBOX_SEND_IN_BACKGROUND": True,
    "OUTBOX_POLL_SECONDS": 5,
    # A failed try is tried again after 5 s, 10 s, 20 s ... at most 600 s apart; the 8th
    # failed try marks the message failed.
    "OUTBOX_RETRY_BASE_SECONDS": 5,
    "OUTBOX_RETRY_MAX_SECONDS": 600,
    "OUTBOX_MAX_TRIES": 8,
    # How long a sender holds a message it is sending: well over a send's worst case (a few
    # MAIL_TIMEOUTs), since another sender may send it again once this has passed.
    "OUTBOX_LEASE_SECONDS": 120,
}


def secret_key(instance_path: str) -> str:
    """The secret key kept in the instance folder, generated on first start. Processes that
    start at once (gunicorn workers without --preload) agree on one: a key is written whole
    to a file of its own, and only the first link to the name counts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        written = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        written.touch(mode=0o600)
        written.write_text(secrets.token_hex(32))
        try:
            os.link(written, path)
        except FileExistsError:
            pass  # another process was first: its key it is
        finally:
            written.unlink()
    return path.read_text().strip()
