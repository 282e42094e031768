"""The reports database: SQLite tuned for concurrent writers, tables made at start."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..receipts import models as receipt_models  # noqa: F401  (registers the tables)
from . import models  # noqa: F401


def init_app(app: Flask) -> None:
    """Create the tables; on SQLite use WAL and wait for locks instead of failing."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)
            engine.dispose()  # reconnect with the pragmas
        db.create_all()
        add_new_columns(engine)
        engine.dispose()  # forked workers (gunicorn --preload) open their own connections


def _tune_sqlite(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
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
}


def add_new_columns(engine: Engine) -> None:
    """Add to a database made by an earlier version the columns this one writes."""
    for (table, column), (definition, backfill) in NEW_COLUMNS.items():
        if _has_column(engine, table, column):
            continue
        try:
            with engine.begin() as connection:
                connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {definition}"))
                connection.execute(text(backfill))
        except DBAPIError:
            if not _has_column(engine, table, column):  # else another process added it first
                raise


def _has_column(engine: Engine, table: str, column: str) -> bool:
    return column in {c["name"] for c in inspect(engine).get_columns(table)}
