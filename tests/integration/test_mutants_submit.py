"""The idempotent submit at the service: exactly one report per draft and per lineage (the
copies a move makes), whichever copy sends first, and a reference that clashes is drawn again
(SPEC §3 Confirmation). Each runs on SQLite and on PostgreSQL, whose unique violations differ."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.flows.expenses import submit as service
from app.flows.expenses.models import LineItem, Report
from app.flows.expenses.submit import TypingCounts, submit_report
from tests.conftest import make_app
from tests.files import jpeg, png
from tests.helpers import Wizard, receipt_form, report_answers

COUNTS = TypingCounts(typed=11, repeated=0, memory_use="on")


@pytest.fixture(params=["sqlite", "postgresql"])
def app_context(request: pytest.FixtureRequest, instance: Path) -> Iterator[Flask]:
    uri = request.getfixturevalue("postgres_uri") if request.param == "postgresql" else None
    app = make_app(instance, **({"SQLALCHEMY_DATABASE_URI": uri} if uri else {}))
    with app.app_context():
        yield app


def answers(name: str = "Ada Lovelace") -> dict[str, Any]:
    return report_answers(full_name=name)


def stored() -> list[tuple[str, str, str]]:
    """(reference, draft id, full name) of every report in the database."""
    reports = db.session.scalars(select(Report).order_by(Report.id)).all()
    return [(r.reference, r.draft_id, r.full_name) for r in reports]


def test_a_second_submit_of_one_draft_returns_the_first_report(app_context: Flask) -> None:
    first = submit_report("draft-a", "draft-a", answers(), COUNTS, memory_on=True)
    again = submit_report("draft-a", "draft-a", answers("Someone Else"), COUNTS, memory_on=True)
    assert again.reference == first.reference and again.full_name == "Ada Lovelace"
    assert stored() == [(first.reference, "draft-a", "Ada Lovelace")]
    assert db.session.query(LineItem).count() == 1


def test_two_moved_copies_of_one_draft_make_one_report_whichever_sends_first(
    app_context: Flask,
) -> None:
    """A draft moved (server -> cookie -> server) lives on under new ids of one lineage; an
    older copy sent after a newer one gets the report the newer one made."""
    first = submit_report("lin.m2", "lin", answers(), COUNTS, memory_on=True)
    older = submit_report("lin.m1", "lin", answers("Someone Else"), COUNTS, memory_on=True)
    assert older.reference == first.reference and older.draft_id == "lin.m2"
    assert stored() == [(first.reference, "lin.m2", "Ada Lovelace")]


def test_a_reference_that_clashes_is_drawn_again_and_the_report_stored(
    app_context: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = submit_report("draft-a", "draft-a", answers(), COUNTS, memory_on=True).reference
    draws = iter([taken, "EXP-NEW00001"])
    monkeypatch.setattr(service, "new_reference", lambda: next(draws))
    report = submit_report("draft-b", "draft-b", answers("Bea"), COUNTS, memory_on=True)
    assert report.reference == "EXP-NEW00001"
    assert stored() == [(taken, "draft-a", "Ada Lovelace"), ("EXP-NEW00001", "draft-b", "Bea")]


UNKNOWN_FILES = (
    "The file of receipt 2, 3 is not one this draft stored, so nothing was submitted. "
    "Check the receipts and their files, then submit again."
)


def test_receipts_naming_files_the_draft_never_stored_are_named_and_nothing_is_stored(
    app: Flask, wizard: Wizard
) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(3)
    wizard.fill_categories(["Meals"] * 3)
    made_up = {
        "receipts-1-file_id": "madeUpFileId1111111111",
        "receipts-2-file_id": "madeUpFileId2222222222",
    }
    page = wizard.submit(**made_up)
    assert page.status_code == 200 and UNKNOWN_FILES in page.text
    with app.app_context():
        assert stored() == []


def file_on_receipts_page(wizard: Wizard) -> str:
    page = wizard.get("receipts").text
    found = re.search(r'name="receipts-0-file_id" type="hidden" value="([^"]+)"', page)
    assert found, page[:2000]
    return found[1]


def upload(wizard: Wizard, name: str, data: bytes) -> str:
    """Upload a file for receipt 1 and continue; the id of the file the receipt has now."""
    form = {**receipt_form(0), "receipts-0-file": (io.BytesIO(data), name)}
    assert wizard.post("receipts", form, content_type="multipart/form-data").status_code == 303
    return file_on_receipts_page(wizard)


def test_a_file_replaced_before_submit_is_not_kept_with_the_report(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    replaced = upload(wizard, "first.png", png())
    kept = upload(wizard, "second.jpg", jpeg())  # the same receipt, another file
    assert kept != replaced
    assert wizard.client.get(f"{wizard.draft_url}/files/{replaced}").status_code == 200
    wizard.fill_categories(["Meals"])
    assert wizard.submit().location == wizard.url("confirmation")
    assert wizard.client.get(f"{wizard.draft_url}/files/{replaced}").status_code == 404
    assert wizard.client.get(f"{wizard.draft_url}/files/{kept}").status_code == 200
