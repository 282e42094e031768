"""The reports database: SQLite tuned for concurrent writers, tables made on first contact.

The tables are made at start-up when the database answers; when it does not, the app starts
all the same, serves the 503 page until it answers, then makes them on the first request
that reaches it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

from .attachments import models as file_models  # noqa: F401  (registers the tables)
from .extensions import db
from .flows.expenses import models  # noqa: F401
from .flows.expenses.approval import models as approval_models  # noqa: F401
from .flows.support import models as support_models  # noqa: F401
from .outbox import models as outbox_models  # noqa: F401

log = logging.getLogger(__name__)

# Several processes may reach a new database at once: one's CREATE TABLE can then fail
# because another's got there first. create_all skips tables that exist, so a retry finishes.
_CREATE_ATTEMPTS = 3
# Pages that never read the reports tables; /healthz checks the tables itself.
_WITHOUT_TABLES = {"static", "health.healthz"}


class _Tables:
    """Whether this process has seen the tables, made once per process under a lock."""

    def __init__(self) -> None:
        self.ready = False
        self.lock = threading.Lock()


def init_app(app: Flask) -> None:
    """On SQLite use WAL and wait for locks instead of failing; make the tables now if the
    database answers, else on the first request that reaches it."""
    app.extensions["reports_tables"] = _Tables()
    app.before_request(_tables_before_request)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)
        try:
            ensure_tables()
        except OperationalError as e:
            log.warning("The reports database cannot be reached; serving 503 until it can: %s", e)
        engine.dispose()  # forked workers (gunicorn --preload) open their own connections


def _tables_before_request() -> None:
    if request.endpoint not in _WITHOUT_TABLES:
        ensure_tables()


def ensure_tables() -> None:
    """Make the tables unless this process has seen them; a database that cannot be reached
    raises OperationalError (the 503 page), and the next request tries again."""
    tables: _Tables = current_app.extensions["reports_tables"]
    if tables.ready:
        return
    with tables.lock:
        if not tables.ready:
            _create_tables()
            add_new_columns(db.engine)
            tables.ready = True


def _create_tables() -> None:
    for attempt in range(1, _CREATE_ATTEMPTS + 1):
        # Connecting is outside the retry: a database that cannot be reached fails once.
        with db.engine.connect() as connection:
            try:
                db.metadata.create_all(connection)
                connection.commit()
                return
            except DBAPIError:
                connection.rollback()
                if attempt == _CREATE_ATTEMPTS:
                    raise


def _tune_sqlite(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")  # first: switching to WAL takes a lock
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Columns added since the first version, with what older rows get: create_all makes missing
# tables only, so a database made by an earlier version gets them here. For reports stored
# before memory_use, memory at submit is all that is known.
NEW_COLUMNS = {
    ("reports", "memory_use"): (
        "VARCHAR(4) DEFAULT 'on' NOT NULL",
        "UPDATE reports SET memory_use = 'off' WHERE NOT memory_on",
    ),
    # One report per draft lineage; rows from before keep NULL, which unique indexes allow.
    ("reports", "lineage"): (
        "VARCHAR(64)",
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_reports_lineage ON reports (lineage)",
    ),
    # A draft id is [place prefix "c." or "f."]<22-character lineage>[.<move>].
    ("receipt_files", "lineage"): (
        "VARCHAR(64)",
        "UPDATE receipt_files SET lineage = CASE WHEN draft_id LIKE 'c.%' OR draft_id LIKE "
        "'f.%' THEN SUBSTR(draft_id, 3, 22) ELSE SUBSTR(draft_id, 1, 22) END",
        "CREATE INDEX IF NOT EXISTS ix_receipt_files_lineage ON receipt_files (lineage)",
    ),
}


def add_new_columns(engine: Engine) -> None:
    """Add to a database made by an earlier version the columns this one writes."""
    for (table, column), (definition, *backfill) in NEW_COLUMNS.items():
        if _has_column(engine, table, column):
            continue
        try:
            with engine.begin() as connection:
                connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {definition}"))
                for statement in backfill:
                    connection.execute(text(statement))
        except DBAPIError:
            if not _has_column(engine, table, column):  # else another process added it first
                raise


def _has_column(engine: Engine, table: str, column: str) -> bool:
    return column in {c["name"] for c in inspect(engine).get_columns(table)}
