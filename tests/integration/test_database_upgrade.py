"""A reports database made by an earlier version is brought up to date when the app first
serves from it: receipt files stored before files belonged to a lineage are found by it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect

from app.attachments.models import StoredFile
from app.database import ensure_tables
from app.extensions import db
from tests.conftest import make_app

LINEAGE = "AbCdEfGhIjKlMnOpQrStUv"  # 22 characters, as a draft id's lineage always is
EARLIER_SCHEMA = """
CREATE TABLE receipt_files (
    id VARCHAR(32) PRIMARY KEY, draft_id VARCHAR(64) NOT NULL, name VARCHAR(100) NOT NULL,
    content_type VARCHAR(40) NOT NULL, size INTEGER NOT NULL, created_at DATETIME NOT NULL,
    submitted BOOLEAN NOT NULL, data BLOB NOT NULL
);
"""


def earlier_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.executescript(EARLIER_SCHEMA)
        for n, draft_id in enumerate([LINEAGE, f"c.{LINEAGE}.move1", f"f.{LINEAGE}", "x" * 22]):
            connection.execute(
                "INSERT INTO receipt_files VALUES (?, ?, 'r.png', 'image/png', 1, "
                "'2026-12-01 10:00:00', 0, x'00')",
                (f"file{n}", draft_id),
            )


def test_files_stored_before_lineages_are_found_by_their_drafts_lineage(tmp_path: Path) -> None:
    path = tmp_path / "reports.sqlite3"
    earlier_database(path)
    app: Flask = make_app(tmp_path / "instance", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        ensure_tables()
        owned = {f.id: f.lineage for f in StoredFile.query.all()}
        assert owned == {"file0": LINEAGE, "file1": LINEAGE, "file2": LINEAGE, "file3": "x" * 22}
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("receipt_files")}
        assert "ix_receipt_files_lineage" in indexes
