"""A draft's files are its lineage's (issue 15.1, 15.7): a move to another place changes
the draft's id, never whose files they are. So a move needs no database at all (it cannot
half move them when the database fails), and housekeeping never takes the files of a
draft that lives on under a new id for those of an expired one."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.attachments.models import StoredFile
from app.extensions import db
from tests.files import png
from tests.helpers import Wizard, receipt_form


def with_a_file(wizard: Wizard) -> None:
    wizard.start()
    assert wizard.fill_employee().status_code == 303
    data = {**receipt_form(0), "receipts-0-file": (io.BytesIO(png()), "kept.png")}
    assert wizard.post("receipts", data, content_type="multipart/form-data").status_code == 303


def moved(wizard: Wizard, to: str) -> None:
    data = {"csrf_token": wizard.token(), "strategy": to, "draft": wizard.draft_id,
            "step": "receipts"}  # fmt: skip
    response = wizard.client.post("/memory/strategy", data=data)
    assert response.status_code == 303, response.text[:300]
    wizard.draft_url = response.location.rsplit("/", 1)[0]


def database_down(*args: object, **kwargs: object) -> None:
    raise OperationalError("UPDATE receipt_files", {}, Exception("connection refused"))


def test_a_move_while_the_database_is_down_keeps_the_drafts_files(
    app: Flask, wizard: Wizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_a_file(wizard)
    with monkeypatch.context() as broken:
        broken.setattr(Session, "execute", database_down)
        moved(wizard, "cookie")
    page = wizard.get("receipts").text
    assert "kept.png" in page  # its file, under its new id
    categories = {"categories-0-receipt_id": "receipt0000", "categories-0-category": "Meals",
                  "business_purpose": "Visit"}  # fmt: skip
    assert wizard.post("categories", categories).status_code == 303
    done = wizard.post("review", {"confirm": "y"})
    assert done.status_code == 303 and done.location.endswith("/confirmation")
    confirmation = wizard.client.get(done.location).text
    link = confirmation.split('href="', confirmation.index("kept.png") - 200)
    assert any(part.startswith(f"{wizard.draft_url}/files/") for part in link)


def test_housekeeping_keeps_the_files_of_a_draft_that_moved(app: Flask, wizard: Wizard) -> None:
    with_a_file(wizard)  # uploaded under its server id
    moved(wizard, "cookie")  # that id has ended; the draft lives on in a cookie
    with app.app_context():  # the file is older than a draft may stay idle
        stored = StoredFile.query.one()
        stored.created_at -= dt.timedelta(hours=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["cleanup"])
    assert "and 0 files of expired drafts" in result.output
    assert "kept.png" in wizard.get("receipts").text


def test_delete_pressed_on_a_page_of_the_old_id_keeps_the_moved_drafts_files(
    app: Flask, wizard: Wizard
) -> None:
    """Another tab moved the draft; this tab, still on its old id, presses Delete my draft
    now (review): the draft lives on under its new id with its files; the tab is led there."""
    with_a_file(wizard)
    old_url = wizard.draft_url
    moved(wizard, "cookie")
    pressed = wizard.client.post(f"{old_url}/delete", data={"csrf_token": wizard.token()})
    assert pressed.status_code == 303
    assert (
        pressed.location.startswith(f"{wizard.draft_url}/") and "notice=moved" in pressed.location
    )
    assert "kept.png" in wizard.get("receipts").text
