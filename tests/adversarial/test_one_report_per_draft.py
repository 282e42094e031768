"""One draft makes one submission at most, and an ended draft never comes back: not through
an older page or cookie replayed to the inspector's Move memory, not through the review's
move_to=server, not after many other drafts ended (SPEC §3, issue 15.1). On every flow."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.adversarial.flows import kept, shown, title, typed, with_file
from tests.helpers import Wizard
from tests.integration.test_cookie_memory import draft_cookie, use_cookie
from tests.integration.test_form_memory import heading


def move_to_server(wizard: Wizard, draft_id: str, **carried: str) -> TestResponse:
    """The inspector's Move memory, as an older page of the draft sends it."""
    data = {"csrf_token": wizard.token(), "strategy": "server", "flow": wizard.flow_name,
            "draft": draft_id, "step": "review", "next": "/", **carried}  # fmt: skip
    return wizard.client.post("/memory/strategy", data=data)


def followed(wizard: Wizard, response: TestResponse) -> TestResponse:
    return wizard.client.get(response.location) if response.status_code == 303 else response


def assert_not_a_live_draft(wizard: Wizard, page: TestResponse) -> None:
    assert page.status_code < 500
    assert heading(page) not in wizard.titles, "an ended draft came back"


def delete(wizard: Wizard, draft_id: str, **carried: str) -> TestResponse:
    data = {"csrf_token": wizard.token(), **carried}
    return wizard.client.post(f"{wizard.prefix}/{draft_id}/delete", data=data)


@pytest.fixture
def form_wizard(app: Flask, driver: type[Wizard]) -> Wizard:
    return driver(app.test_client(), "form")


@pytest.fixture
def server_wizard(app: Flask, driver: type[Wizard]) -> Wizard:
    return driver(app.test_client())


def test_an_older_page_of_a_submitted_form_draft_cannot_move_it_back(
    app: Flask, form_wizard: Wizard
) -> None:
    form_wizard.to_review()
    older, old_id = form_wizard.state, form_wizard.draft_id
    assert form_wizard.submit().status_code == 303  # tab 2
    moved = move_to_server(form_wizard, old_id, memory_state=older)  # tab 1, older page
    assert_not_a_live_draft(form_wizard, followed(form_wizard, moved))
    assert form_wizard.records(app) == 1


def test_move_to_server_on_the_review_post_cannot_revive_a_submitted_form_draft(
    app: Flask, form_wizard: Wizard
) -> None:
    form_wizard.to_review()
    older = form_wizard.state
    assert form_wizard.submit().status_code == 303
    form_wizard.state = older
    page = followed(form_wizard, form_wizard.submit(move_to="server"))
    assert page.status_code < 500
    assert form_wizard.sent_title in page.text or heading(page) not in form_wizard.titles
    assert form_wizard.records(app) == 1


def test_an_older_cookie_of_a_submitted_draft_cannot_move_it_back(
    app: Flask, server_wizard: Wizard
) -> None:
    wizard = server_wizard
    use_cookie(wizard)
    wizard.to_review()
    old_id, older = wizard.draft_id, draft_cookie(wizard)
    assert wizard.submit().status_code == 303
    wizard.client.set_cookie(f"expense_wizard_draft_{old_id}", older)  # replayed
    moved = move_to_server(wizard, old_id)
    assert_not_a_live_draft(wizard, followed(wizard, moved))
    wizard.client.set_cookie(f"expense_wizard_draft_{old_id}", older)
    assert wizard.submit().status_code in (200, 303)
    assert wizard.records(app) == 1


def test_a_deleted_form_draft_cannot_be_moved_back(app: Flask, form_wizard: Wizard) -> None:
    form_wizard.to_review()
    older, old_id = form_wizard.state, form_wizard.draft_id
    assert delete(form_wizard, old_id, memory_state=older).status_code == 303
    moved = move_to_server(form_wizard, old_id, memory_state=older)
    assert_not_a_live_draft(form_wizard, followed(form_wizard, moved))
    assert form_wizard.records(app) == 0


def test_a_deleted_form_draft_stays_ended_however_many_deletes_follow(
    app: Flask, form_wizard: Wizard
) -> None:
    form_wizard.to_review()
    older, old_id = form_wizard.state, form_wizard.draft_id
    other = type(form_wizard)(form_wizard.client, "form")
    other._token = form_wizard.token()
    other.start()
    assert delete(form_wizard, old_id, memory_state=older).status_code == 303
    for _ in range(55):  # the browser session once remembered the last 50 ends only
        delete(form_wizard, other.draft_id, memory_state=other.state)
    form_wizard.state = older
    assert_not_a_live_draft(form_wizard, followed(form_wizard, form_wizard.submit()))
    assert form_wizard.records(app) == 0


def test_the_files_of_a_submission_stay_with_it_when_an_older_page_moves(
    app: Flask, form_wizard: Wizard
) -> None:
    form_wizard.start()
    for step in form_wizard.steps[:-1]:
        data = with_file(form_wizard) if step == form_wizard.items_step else {}
        data = {**form_wizard.page_data(step), **data}
        form_wizard.moved_on(form_wizard.post(step, data, content_type="multipart/form-data"))
    older, old_id = form_wizard.state, form_wizard.draft_id
    done = form_wizard.submit()
    confirmation = form_wizard.client.get(done.location).text
    link = re.search(rf'href="({form_wizard.prefix}/[^"]+/files/[^"]+)"', confirmation)
    assert link, "the confirmation links the uploaded file"
    move_to_server(form_wizard, old_id, memory_state=older)
    assert form_wizard.client.get(link[1]).status_code == 200
    assert form_wizard.records(app) == 1


def test_two_copies_of_one_draft_moved_apart_make_one_submission(
    app: Flask, form_wizard: Wizard
) -> None:
    """Moved to the server by tab 1 and submitted, then submitted from tab 2's older copy:
    the lineage is one, so is the submission."""
    form_wizard.to_review()
    older, old_id = form_wizard.state, form_wizard.draft_id
    moved = move_to_server(form_wizard, old_id, memory_state=older)
    on_server = type(form_wizard)(form_wizard.client)
    on_server.draft_url = moved.location.rsplit("/", 1)[0]
    on_server._token = form_wizard.token()
    assert on_server.submit().status_code == 303
    form_wizard.state = older
    page = followed(form_wizard, form_wizard.submit())
    assert page.status_code < 500
    assert form_wizard.records(app) == 1


def test_a_tab_on_a_draft_moved_by_another_tab_is_sent_where_it_lives(
    app: Flask, server_wizard: Wizard
) -> None:
    """Not 'expired': the draft lives on under its new id, and its page shows what the
    older page sent, saying it is not saved yet."""
    wizard = server_wizard
    wizard.to_review()
    data = {"csrf_token": wizard.token(), "strategy": "cookie", "flow": wizard.flow_name,
            "draft": wizard.draft_id, "step": "review", "next": "/"}  # fmt: skip
    moved = wizard.client.post("/memory/strategy", data=data)  # tab A
    new_id = moved.location.split("/")[2]
    assert new_id.startswith("c.")
    sent = wizard.post(wizard.items_step, typed(wizard, "Tab B"))  # tab B, older page
    assert sent.status_code == 303
    assert f"{wizard.prefix}/{new_id}/{wizard.items_step}" in sent.location
    page = wizard.client.get(sent.location)
    assert page.status_code == 200 and "not saved yet" in page.text
    assert heading(page) == title(wizard, wizard.items_step)
    wizard.draft_url = f"{wizard.prefix}/{new_id}"
    assert shown(page, wizard) == "Tab B" and kept(wizard) == "Tab B"  # shown, kept...
    review = wizard.get("review")
    answers = review.text.split("<aside", 1)[0]  # the inspector lists the typing kept
    assert heading(review) == title(wizard, "review") and "Tab B" not in answers  # unsaved


def test_delete_pressed_after_another_tab_submitted_says_it_was_submitted(
    app: Flask, server_wizard: Wizard
) -> None:
    wizard = server_wizard
    wizard.to_review()
    assert wizard.submit().status_code == 303  # tab A
    deleted = delete(wizard, wizard.draft_id)
    assert deleted.status_code == 303 and "/confirmation?notice=already" in deleted.location
    assert wizard.sent_title in wizard.client.get(deleted.location).text
    assert wizard.records(app) == 1


def test_a_tab_on_a_draft_deleted_in_another_tab_is_told_it_was_deleted(
    app: Flask, server_wizard: Wizard
) -> None:
    wizard = server_wizard
    wizard.to_review()
    assert delete(wizard, wizard.draft_id).status_code == 303
    for sent in (wizard.submit(), wizard.post(wizard.items_step, typed(wizard, "Tab B"))):
        assert sent.status_code == 303 and sent.location == "/?notice=deleted"
    assert "Your draft was deleted." in wizard.client.get("/?notice=deleted").text
    assert wizard.records(app) == 0
