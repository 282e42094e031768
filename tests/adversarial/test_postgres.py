"""File ids a client sends reach PostgreSQL only when they could name a stored file: a NUL
in one made the query fail (a 500) on every route that looks files up (issue 15, class 3)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.flows.expenses.models import Report
from tests.adversarial.browsers import heading
from tests.adversarial.test_input import MADE_UP_FILE
from tests.helpers import Wizard, receipt_form

NUL_IDS = ["\x00", "abc\x00def", "%00"]


@pytest.fixture
def app_config(postgres_uri: str) -> dict[str, Any]:
    return {"SQLALCHEMY_DATABASE_URI": postgres_uri}


def reports(app: Flask) -> int:
    with app.app_context():
        return db.session.query(Report).count()


def test_a_nul_in_a_file_id_is_no_500_on_any_route_that_looks_files_up(app: Flask) -> None:
    wizard = Wizard(app.test_client(), "server", follow=True)
    wizard.start()
    wizard.fill_employee()
    for file_id in NUL_IDS:
        with_id = {**receipt_form(0, merchant="Kept"), "receipts-0-file_id": file_id}
        assert wizard.client.get(wizard.url(f"files/{file_id}")).status_code == 404
        page = wizard.post("receipts", {**with_id, "receipts-0-amount": "x"})  # shown again
        assert page.status_code == 200 and 'value="Kept"' in page.text
        page = wizard.post("receipts", {**with_id, "action": "remove-file-0"})
        assert page.status_code == 200 and 'value="Kept"' in page.text
        page = wizard.client.post(wizard.url("receipts"), data=with_id)  # no CSRF token
        assert page.status_code == 200 and 'value="Kept"' in page.text
    assert heading(wizard.post("receipts", receipt_form(0))) == "Categories"
    assert heading(wizard.fill_categories(["Meals"])) == "Review and submit"
    for file_id in NUL_IDS:
        page = wizard.submit(**{"receipts-0-file_id": file_id})
        assert page.status_code == 200 and MADE_UP_FILE in page.text
    assert reports(app) == 0


def test_a_nul_in_a_file_id_with_memory_off_is_no_500(app: Flask) -> None:
    wizard = Wizard(app.test_client(), "server", memory_on=False, follow=True)
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    data = {"categories-0-receipt_id": "receipt0000", "business_purpose": "Trip"}
    for file_id in NUL_IDS:
        asked_again = {**receipt_form(0), "receipts-0-file_id": file_id, "receipts-0-amount": "x"}
        page = wizard.post("categories", {**data, **asked_again, "receipts-0-category": "Meals"})
        assert page.status_code == 200 and heading(page) == "Categories"
        page = wizard.post("review", {**asked_again, "confirm": "y"})
        assert page.status_code == 200 and heading(page) == "Review and submit"
    assert reports(app) == 0


def test_a_made_up_file_id_at_submit_is_refused_not_taken_for_a_reference_clash(
    app: Flask,
) -> None:
    wizard = Wizard(app.test_client(), "server", follow=True)
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    page = wizard.submit(**{"receipts-0-file_id": "madeUpFileId0000000000"})
    assert page.status_code == 200 and MADE_UP_FILE in page.text
    assert reports(app) == 0
    assert "EXP-" in wizard.submit().text and reports(app) == 1
