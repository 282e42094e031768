"""The reports database: SQLite tuned for concurrent writers, tables made at start."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event

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
        engine.dispose()  # forked workers (gunicorn --preload) open their own connections


def _tune_sqlite(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
