"""Writing rows without the ORM's unit of work, for the statements of a submit."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, Table, insert

from .extensions import db


@cache
def _insert_returning_id(table: Table) -> Insert:
    """One statement per table, its values sent as parameters: building `.values(row)`
    anew cost more than the INSERT itself (bench/over_http.py's profile)."""
    return insert(table).returning(table.c.id)


def insert_now(record: Any) -> int:
    """Write a model instance as one INSERT in the current transaction, without the ORM's
    unit of work (measured: flushing was most of a submit's time); its new id. The record
    stays out of the session: it holds what was written."""
    table = type(record).__table__
    row = {c.name: getattr(record, c.name) for c in table.columns if c.name != "id"}
    new_id: int = db.session.execute(_insert_returning_id(table), row).scalar_one()
    return new_id
