"""Files are bounded per draft (issue 15.8): one page stores at most one file per receipt it
may have, a draft holds at most WIZARD_FILES_PER_DRAFT files, files nothing refers to any
more make room before a new one is refused, and a refused file is said on its field."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.attachments.models import StoredFile
from app.extensions import db
from tests.files import png
from tests.helpers import Wizard, errors_of, receipt_form


def stored_files(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(StoredFile)) or 0)


def with_files(count: int) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for i in range(count):
        data.update(receipt_form(i))
        data[f"receipts-{i}-file"] = (io.BytesIO(png()), f"receipt{i}.png")
    return data


def test_one_post_with_hundreds_of_files_stores_at_most_one_per_receipt(
    app: Flask, wizard: Wizard
) -> None:
    wizard.start()
    wizard.fill_employee()
    page = wizard.post("receipts", with_files(100), content_type="multipart/form-data")
    assert page.status_code == 303  # the form reads the first 20 receipts, as a page has
    assert stored_files(app) == app.config["WIZARD_FILES_PER_DRAFT"] == 20


def test_files_left_behind_make_room_with_memory_off(app: Flask, wizard: Wizard) -> None:
    """Memory off asks for the receipts again on every page: the files chosen on the pages
    before are referred to by nothing, and go when the draft's room is full."""
    wizard.start()
    wizard.switch_memory(on=False)
    for _ in range(30):
        page = wizard.post("receipts", with_files(1), content_type="multipart/form-data")
        assert page.status_code == 303, errors_of(page)
    assert stored_files(app) <= 20


@pytest.mark.parametrize("app_config", [{"WIZARD_FILES_PER_DRAFT": 2}])
def test_a_file_over_the_drafts_room_is_refused_on_its_field(app: Flask, wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    page = wizard.post("receipts", with_files(3), content_type="multipart/form-data")
    assert page.status_code == 200
    messages = dict(errors_of(page))
    assert "already holds 2 files" in messages["receipts-2-file"]
    assert 'value="Merchant 3"' in page.text  # everything typed is kept
    assert stored_files(app) == 2
