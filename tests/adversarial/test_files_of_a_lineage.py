"""A draft's files are its lineage's (issue 15.1, 15.7): a move to another place changes
the draft's id, never whose files they are. So a move needs no database at all (it cannot
half move them when the database fails), and housekeeping never takes the files of a
draft that lives on under a new id for those of an expired one. On every flow."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.attachments.models import StoredFile
from app.extensions import db
from tests.adversarial.flows import after_items, before_items, with_files
from tests.helpers import Wizard


def with_a_file(wizard: Wizard) -> None:
    """A draft whose items step holds one file, kept0.png."""
    before_items(wizard)
    data = with_files(wizard, 1, "kept")
    page = wizard.post(wizard.items_step, data, content_type="multipart/form-data")
    assert page.status_code == 303


def moved(wizard: Wizard, to: str) -> None:
    data = {"csrf_token": wizard.token(), "strategy": to, "flow": wizard.flow_name,
            "draft": wizard.draft_id, "step": wizard.items_step}  # fmt: skip
    response = wizard.client.post("/memory/strategy", data=data)
    assert response.status_code == 303, response.text[:300]
    wizard.draft_url = response.location.rsplit("/", 1)[0]


def database_down(*args: object, **kwargs: object) -> None:
    raise OperationalError("UPDATE receipt_files", {}, Exception("connection refused"))


def test_a_move_while_the_database_is_down_keeps_the_drafts_files(
    app: Flask, driver: type[Wizard], monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard = driver(app.test_client())
    with_a_file(wizard)
    with monkeypatch.context() as broken:
        broken.setattr(Session, "execute", database_down)
        moved(wizard, "cookie")
    page = wizard.get(wizard.items_step).text
    assert "kept0.png" in page  # its file, under its new id
    for step in after_items(wizard):
        assert wizard.fill(step).status_code == 303
    done = wizard.submit()
    assert done.status_code == 303 and done.location.endswith("/confirmation")
    confirmation = wizard.client.get(done.location).text
    link = confirmation.split('href="', confirmation.index("kept0.png") - 200)
    assert any(part.startswith(f"{wizard.draft_url}/files/") for part in link)


def test_housekeeping_keeps_the_files_of_a_draft_that_moved(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    with_a_file(wizard)  # uploaded under its server id
    moved(wizard, "cookie")  # that id has ended; the draft lives on in a cookie
    with app.app_context():  # the file is older than a draft may stay idle
        stored = StoredFile.query.one()
        stored.created_at -= dt.timedelta(hours=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["cleanup"])
    assert "and 0 files of expired drafts" in result.output
    assert "kept0.png" in wizard.get(wizard.items_step).text


def test_delete_pressed_on_a_page_of_the_old_id_keeps_the_moved_drafts_files(
    app: Flask, driver: type[Wizard]
) -> None:
    """Another tab moved the draft; this tab, still on its old id, presses Delete my draft
    now (review): the draft lives on under its new id with its files; the tab is led there."""
    wizard = driver(app.test_client())
    with_a_file(wizard)
    old_url = wizard.draft_url
    moved(wizard, "cookie")
    pressed = wizard.client.post(f"{old_url}/delete", data={"csrf_token": wizard.token()})
    assert pressed.status_code == 303
    assert (
        pressed.location.startswith(f"{wizard.draft_url}/") and "notice=moved" in pressed.location
    )
    assert "kept0.png" in wizard.get(wizard.items_step).text
