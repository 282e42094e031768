"""Files are bounded per draft (issue 15.8): one page stores at most one file per item it
may have, a draft holds at most WIZARD_FILES_PER_DRAFT files, files nothing refers to any
more make room before a new one is refused, and a refused file is said on its field. On
every flow (receipts, attachments)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.attachments.models import StoredFile
from app.extensions import db
from tests.adversarial.flows import (
    MAX_ITEMS,
    before_items,
    every_answer,
    item_field,
    shown,
    typed,
    with_files,
)
from tests.helpers import Wizard, errors_of


def stored_files(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(StoredFile)) or 0)


def test_one_post_with_hundreds_of_files_stores_at_most_one_per_item(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    before_items(wizard)
    page = wizard.post(
        wizard.items_step, with_files(wizard, 100), content_type="multipart/form-data"
    )
    assert page.status_code == 303  # the form reads the items a page may have, no more
    room = min(MAX_ITEMS[wizard.flow_name], app.config["WIZARD_FILES_PER_DRAFT"])
    assert stored_files(app) == room


def test_files_left_behind_make_room_with_memory_off(app: Flask, driver: type[Wizard]) -> None:
    """Memory off asks for the items again on every page: the files chosen on the pages
    before are referred to by nothing, and go when the draft's room is full."""
    wizard = driver(app.test_client())
    wizard.start()
    wizard.switch_memory(on=False)
    for _ in range(30):
        data = {**every_answer(wizard), **with_files(wizard, 1)}
        page = wizard.post(wizard.items_step, data, content_type="multipart/form-data")
        assert page.status_code == 303, errors_of(page)
    assert stored_files(app) <= app.config["WIZARD_FILES_PER_DRAFT"]


@pytest.mark.parametrize("app_config", [{"WIZARD_FILES_PER_DRAFT": 2}])
def test_a_file_over_the_drafts_room_is_refused_on_its_field(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    before_items(wizard)
    data = {**with_files(wizard, 3), **typed(wizard, "Kept typing")}
    page = wizard.post(wizard.items_step, data, content_type="multipart/form-data")
    assert page.status_code == 200
    messages = dict(errors_of(page))
    assert "already holds 2 files" in messages[item_field(wizard, 2, "file")]
    assert shown(page, wizard) == "Kept typing"  # everything typed is kept
    assert stored_files(app) == 2
