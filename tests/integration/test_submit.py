"""Submitting: re-validated from memory, one transaction, exactly one report per draft."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask

from app.flows.expenses.models import LineItem, Report
from tests.helpers import Wizard


def walk_to_review(wizard: Wizard, receipts: int = 1) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(receipts)
    wizard.fill_categories(["Meals"] * receipts)


def test_a_repeated_submit_lands_on_the_same_confirmation(app: Flask, wizard: Wizard) -> None:
    walk_to_review(wizard)
    first = wizard.submit()
    again = wizard.submit()  # Back, then Submit again
    assert again.status_code == 303 and again.location == f"{first.location}?notice=already"
    with app.app_context():
        assert Report.query.count() == 1
    page = wizard.client.get(again.location)
    assert "This report had already been submitted" in page.text and "Ada Lovelace" in page.text
    assert "already been submitted" not in wizard.client.get(first.location).text


def test_twenty_simultaneous_submits_create_one_report(app: Flask, wizard: Wizard) -> None:
    walk_to_review(wizard, receipts=3)
    cookie = wizard.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def submit() -> None:
        client = app.test_client()
        client.set_cookie(cookie.key, cookie.value)
        data = {"csrf_token": wizard.token(), "confirm": "y"}
        barrier.wait()
        statuses.append(client.post(wizard.url("review"), data=data).status_code)

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * 20
    with app.app_context():
        assert Report.query.count() == 1
        assert LineItem.query.count() == 3


def test_tampered_memory_never_reaches_the_database(app: Flask, wizard: Wizard) -> None:
    walk_to_review(wizard)
    draft_id = wizard.draft_url.rsplit("/", 1)[1]
    repo = app.extensions["session_memory"].drafts
    draft = repo.load(draft_id, memory_on=True, writer="attacker")
    receipts = draft.memory.get("receipts")
    receipts[0]["date"] = "2001-01-01"  # more than 365 days ago
    draft.memory.set("receipts", receipts)
    repo.save(draft)
    response = wizard.submit()
    assert response.status_code == 303
    assert response.location == wizard.url("receipts") + "?notice=check"
    page = wizard.client.get(response.location).text
    assert "no longer pass the checks" in page
    with app.app_context():
        assert Report.query.count() == 0


def test_a_failing_write_stores_nothing_and_keeps_the_draft(
    app: Flask, wizard: Wizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    walk_to_review(wizard, receipts=2)
    from app.extensions import db

    real_commit = db.session.commit

    def failing_commit() -> None:
        db.session.flush()  # the rows reach the database inside the transaction...
        raise RuntimeError("disk on fire")  # ...and then the commit fails

    monkeypatch.setattr(db.session, "commit", failing_commit)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = wizard.submit()
    assert response.status_code == 500 and "Nothing you typed was submitted" in response.text
    monkeypatch.setattr(db.session, "commit", real_commit)
    with app.app_context():
        assert Report.query.count() == 0 and LineItem.query.count() == 0
    assert "Merchant 2" in wizard.get("review").text  # the draft is still there
    assert wizard.submit().status_code == 303


def test_reports_go_to_the_configured_database(tmp_path: Path) -> None:
    from tests.conftest import make_app

    uri = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    app = make_app(tmp_path / "instance", SQLALCHEMY_DATABASE_URI=uri)
    Wizard(app.test_client()).complete_draft()
    assert (tmp_path / "elsewhere.sqlite3").exists()
    with app.app_context():
        assert Report.query.count() == 1
