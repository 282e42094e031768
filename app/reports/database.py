"""The reports database: SQLite tuned for concurrent writers, tables made at start."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Engine, event, inspect, text

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
        _add_lineage(engine)
        engine.dispose()  # forked workers (gunicorn --preload) open their own connections


def _tune_sqlite(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _add_lineage(engine: Engine) -> None:
    """Give a reports table made before drafts had lineages its column (create_all adds
    tables, never columns). Rows from before keep NULL, which unique indexes allow."""
    if "lineage" in {c["name"] for c in inspect(engine).get_columns("reports")}:
        return
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE reports ADD COLUMN lineage VARCHAR(64)"))
        conn.execute(text("CREATE UNIQUE INDEX uq_reports_lineage ON reports (lineage)"))
