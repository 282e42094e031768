"""One draft makes one report at most, and an ended draft never comes back: not through an
older page or cookie replayed to the inspector's Move memory, not through the review's
move_to=server, not after many other drafts ended (SPEC §3, issue 15.1)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from app.extensions import db
from app.flows.expenses.models import Report
from tests.files import png
from tests.helpers import Wizard, receipt_form
from tests.integration.test_cookie_memory import draft_cookie, use_cookie
from tests.integration.test_form_memory import heading

LIVE_STEPS = {"Employee details", "Receipts", "Categories", "Review and submit"}


def reports(app: Flask) -> int:
    with app.app_context():
        return db.session.query(Report).count()


def to_review(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])


def move_to_server(wizard: Wizard, draft_id: str, **carried: str) -> TestResponse:
    """The inspector's Move memory, as an older page of the draft sends it."""
    data = {"csrf_token": wizard.token(), "strategy": "server", "draft": draft_id,
            "step": "review", "next": "/", **carried}  # fmt: skip
    return wizard.client.post("/memory/strategy", data=data)


def followed(wizard: Wizard, response: TestResponse) -> TestResponse:
    return wizard.client.get(response.location) if response.status_code == 303 else response


def assert_not_a_live_draft(page: TestResponse) -> None:
    assert page.status_code < 500
    assert heading(page) not in LIVE_STEPS, "an ended draft came back"


@pytest.fixture
def form_wizard(app: Flask) -> Wizard:
    return Wizard(app.test_client(), "form")


def test_an_older_page_of_a_submitted_form_draft_cannot_move_it_back(
    app: Flask, form_wizard: Wizard
) -> None:
    to_review(form_wizard)
    older, old_id = form_wizard.state, form_wizard.draft_id
    assert form_wizard.submit().status_code == 303  # tab 2
    moved = move_to_server(form_wizard, old_id, memory_state=older)  # tab 1, older page
    assert_not_a_live_draft(followed(form_wizard, moved))
    assert reports(app) == 1


def test_move_to_server_on_the_review_post_cannot_revive_a_submitted_form_draft(
    app: Flask, form_wizard: Wizard
) -> None:
    to_review(form_wizard)
    older = form_wizard.state
    assert form_wizard.submit().status_code == 303
    form_wizard.state = older
    page = followed(form_wizard, form_wizard.submit(move_to="server"))
    assert page.status_code < 500
    assert "Expense report submitted" in page.text or heading(page) not in LIVE_STEPS
    assert reports(app) == 1


def test_an_older_cookie_of_a_submitted_draft_cannot_move_it_back(
    app: Flask, wizard: Wizard
) -> None:
    use_cookie(wizard)
    to_review(wizard)
    old_id, older = wizard.draft_id, draft_cookie(wizard)
    assert wizard.submit().status_code == 303
    wizard.client.set_cookie(f"expense_wizard_draft_{old_id}", older)  # replayed
    moved = move_to_server(wizard, old_id)
    assert_not_a_live_draft(followed(wizard, moved))
    wizard.client.set_cookie(f"expense_wizard_draft_{old_id}", older)
    assert wizard.submit().status_code in (200, 303)
    assert reports(app) == 1


def test_a_deleted_form_draft_cannot_be_moved_back(app: Flask, form_wizard: Wizard) -> None:
    to_review(form_wizard)
    older, old_id = form_wizard.state, form_wizard.draft_id
    delete = {"csrf_token": form_wizard.token(), "memory_state": older}
    assert form_wizard.client.post(f"/report/{old_id}/delete", data=delete).status_code == 303
    moved = move_to_server(form_wizard, old_id, memory_state=older)
    assert_not_a_live_draft(followed(form_wizard, moved))
    assert reports(app) == 0


def test_a_deleted_form_draft_stays_ended_however_many_deletes_follow(
    app: Flask, form_wizard: Wizard
) -> None:
    to_review(form_wizard)
    older, old_id = form_wizard.state, form_wizard.draft_id
    other = Wizard(form_wizard.client, "form")
    other._token = form_wizard.token()
    other.start()
    token = form_wizard.token()
    delete = {"csrf_token": token, "memory_state": older}
    assert form_wizard.client.post(f"/report/{old_id}/delete", data=delete).status_code == 303
    again = {"csrf_token": token, "memory_state": other.state}
    for _ in range(55):  # the browser session once remembered the last 50 ends only
        form_wizard.client.post(f"/report/{other.draft_id}/delete", data=again)
    form_wizard.state = older
    assert_not_a_live_draft(followed(form_wizard, form_wizard.submit()))
    assert reports(app) == 0


def test_the_files_of_a_submitted_report_stay_with_it_when_an_older_page_moves(
    app: Flask, form_wizard: Wizard
) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    upload = {"receipts-0-file": (io.BytesIO(png()), "receipt.png"), **receipt_form(0)}
    form_wizard.post("receipts", upload, content_type="multipart/form-data")
    form_wizard.fill_categories(["Meals"])
    older, old_id = form_wizard.state, form_wizard.draft_id
    done = form_wizard.submit()
    confirmation = form_wizard.client.get(done.location).text
    link = re.search(r'href="(/report/[^"]+/files/[^"]+)"', confirmation)
    assert link, "the confirmation links the receipt file"
    move_to_server(form_wizard, old_id, memory_state=older)
    assert form_wizard.client.get(link[1]).status_code == 200
    assert reports(app) == 1


Submit = Callable[[], TestResponse]


def test_two_copies_of_one_draft_moved_apart_make_one_report(
    app: Flask, form_wizard: Wizard
) -> None:
    """Moved to the server by tab 1 and submitted, then submitted from tab 2's older copy:
    the lineage is one, so is the report."""
    to_review(form_wizard)
    older, old_id = form_wizard.state, form_wizard.draft_id
    moved = move_to_server(form_wizard, old_id, memory_state=older)
    on_server = Wizard(form_wizard.client)
    on_server.draft_url = moved.location.rsplit("/", 1)[0]
    on_server._token = form_wizard.token()
    assert on_server.submit().status_code == 303
    form_wizard.state = older
    page = followed(form_wizard, form_wizard.submit())
    assert page.status_code < 500
    assert reports(app) == 1


def test_a_tab_on_a_draft_moved_by_another_tab_is_sent_where_it_lives(
    app: Flask, wizard: Wizard
) -> None:
    """Not 'expired': the draft lives on under its new id, and the page says the older
    page's answers were not saved."""
    to_review(wizard)
    old_id = wizard.draft_id
    data = {"csrf_token": wizard.token(), "strategy": "cookie", "draft": old_id,
            "step": "review", "next": "/"}  # fmt: skip
    moved = wizard.client.post("/memory/strategy", data=data)  # tab A
    new_id = moved.location.split("/")[2]
    assert new_id.startswith("c.")
    sent = wizard.post("receipts", receipt_form(0, merchant="Tab B"))  # tab B, older page
    assert sent.status_code == 303 and f"/report/{new_id}/receipts" in sent.location
    page = wizard.client.get(sent.location)
    assert page.status_code == 200 and "was not saved" in page.text
    assert heading(page) == "Receipts"


def test_delete_pressed_after_another_tab_submitted_says_the_report_was_submitted(
    app: Flask, wizard: Wizard
) -> None:
    to_review(wizard)
    assert wizard.submit().status_code == 303  # tab A
    deleted = wizard.client.post(
        f"/report/{wizard.draft_id}/delete", data={"csrf_token": wizard.token()}
    )
    assert deleted.status_code == 303 and "/confirmation?notice=already" in deleted.location
    assert "Expense report submitted" in wizard.client.get(deleted.location).text
    assert reports(app) == 1


def test_a_tab_on_a_draft_deleted_in_another_tab_is_told_it_was_deleted(
    app: Flask, wizard: Wizard
) -> None:
    to_review(wizard)
    token = wizard.token()
    assert wizard.client.post(f"/report/{wizard.draft_id}/delete", data={"csrf_token": token})
    for sent in (wizard.submit(), wizard.post("receipts", receipt_form(0))):  # tab B
        assert sent.status_code == 303 and sent.location == "/?notice=deleted"
    assert "Your draft was deleted." in wizard.client.get("/?notice=deleted").text
    assert reports(app) == 0
