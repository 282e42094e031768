"""File ids a client sends reach PostgreSQL only when they could name a stored file: a NUL
in one made the query fail (a 500) on every route that looks files up (issue 15, class 3).
On every flow."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.adversarial.browsers import heading
from tests.adversarial.flows import (
    MADE_UP_FILE,
    at_review,
    every_answer,
    item_field,
    shown,
    title,
    typed,
)
from tests.helpers import Wizard

NUL_IDS = ["\x00", "abc\x00def", "%00"]


@pytest.fixture
def app_config(postgres_uri: str) -> dict[str, Any]:
    return {"SQLALCHEMY_DATABASE_URI": postgres_uri}


def with_file_id(wizard: Wizard, file_id: str, wrong: bool = False) -> dict[str, str]:
    """The items step's fields, "Kept" typed, its first item naming this file."""
    typed_in = typed(wizard, "Kept", wrong)
    return {**wizard.items_page([{}]), **typed_in, item_field(wizard, 0, "file_id"): file_id}


def test_a_nul_in_a_file_id_is_no_500_on_any_route_that_looks_files_up(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), "server", follow=True)
    wizard.start()
    items = wizard.steps.index(wizard.items_step)
    for step in wizard.steps[:items]:
        wizard.fill(step)
    for file_id in NUL_IDS:
        assert wizard.client.get(wizard.url(f"files/{file_id}")).status_code == 404
        page = wizard.post(wizard.items_step, with_file_id(wizard, file_id, wrong=True))
        assert page.status_code == 200 and shown(page, wizard) == "Kept"  # shown again
        remove = {**with_file_id(wizard, file_id), "action": "remove-file-0"}
        page = wizard.post(wizard.items_step, remove)
        assert page.status_code == 200 and shown(page, wizard) == "Kept"
        data = with_file_id(wizard, file_id)
        page = wizard.client.post(wizard.url(wizard.items_step), data=data)  # no CSRF token
        assert page.status_code == 200 and shown(page, wizard) == "Kept"
    for step in wizard.steps[items:-1]:
        page = wizard.fill(step)
    assert heading(page) == wizard.titles[-1]
    for file_id in NUL_IDS:
        page = wizard.submit(**{item_field(wizard, 0, "file_id"): file_id})
        assert page.status_code == 200 and MADE_UP_FILE in page.text
    assert wizard.records(app) == 0


def test_a_nul_in_a_file_id_with_memory_off_is_no_500(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client(), "server", memory_on=False, follow=True)
    at_review(wizard)
    later = wizard.steps[wizard.steps.index(wizard.items_step) + 1 :]  # they ask it again
    for file_id in NUL_IDS:
        asked_again = {**every_answer(wizard), **with_file_id(wizard, file_id, wrong=True)}
        for step in later:
            page = wizard.post(step, {**asked_again, "confirm": "y"})
            assert page.status_code == 200 and heading(page) == title(wizard, step)
    assert wizard.records(app) == 0


def test_a_made_up_file_id_at_submit_is_refused_not_taken_for_a_reference_clash(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), "server", follow=True)
    at_review(wizard)
    page = wizard.submit(**{item_field(wizard, 0, "file_id"): "madeUpFileId0000000000"})
    assert page.status_code == 200 and MADE_UP_FILE in page.text
    assert wizard.records(app) == 0
    assert heading(wizard.submit()) == wizard.sent_title and wizard.records(app) == 1
