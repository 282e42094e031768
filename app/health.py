"""GET /healthz: can this process reach its session store and its database?"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import memory
from .database import ensure_tables
from .extensions import db

bp = Blueprint("health", __name__)
RETRY_AFTER_SECONDS = 30


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int, dict[str, str]]:
    """200 when both answer; 503 (with Retry-After) saying which one does not."""
    checks = {"session_store": _session_store(), "database": _database()}
    healthy = all(state == "ok" for state in checks.values())
    headers = {"Cache-Control": "no-store"}
    if not healthy:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return (
        {"status": "ok" if healthy else "unavailable", **checks},
        200 if healthy else 503,
        headers,
    )


def _session_store() -> str:
    try:
        memory.store().ping()
    except memory.StoreUnavailableError:
        return "unavailable"
    return "ok"


def _database() -> str:
    try:
        ensure_tables()  # healthy once the tables are there, not merely the server
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return "unavailable"
    return "ok"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
