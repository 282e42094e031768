"""Keeping a draft alive and deleting it now: the server side of the expiry dialog."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from app.attachments.models import StoredFile
from tests.clock import IDLE_TIMEOUT, MINUTE, MovableClock
from tests.files import png
from tests.helpers import Wizard


def keep_alive(wizard: Wizard, token: str | None = None) -> TestResponse:
    return wizard.client.post(
        f"{wizard.draft_url}/keep-alive", headers={"X-CSRFToken": token or wizard.token()}
    )


def test_keep_my_draft_extends_the_idle_timeout(
    app: Flask, driver: type[Wizard], clock: MovableClock
) -> None:
    wizard = driver(app.test_client())
    wizard.start()
    first, field = wizard.text_field
    wizard.post(first, {**wizard.page_data(first), field: "Kept Alive"})
    for _ in range(3):  # 87 minutes in all: long expired without Keep my draft
        clock.sleep(IDLE_TIMEOUT - MINUTE)
        response = keep_alive(wizard)
        assert response.status_code == 200
        assert response.json["expires_in"] == IDLE_TIMEOUT  # the whole idle timeout again
    assert 'value="Kept Alive"' in wizard.get(first).text


def test_keep_alive_of_an_expired_draft_says_it_is_gone(
    wizard: Wizard, clock: MovableClock
) -> None:
    wizard.start()
    clock.sleep(IDLE_TIMEOUT + 1)
    assert keep_alive(wizard).status_code == 410


def test_keep_alive_needs_the_csrf_token_and_the_owner(app: Flask, wizard: Wizard) -> None:
    wizard.start()
    assert keep_alive(wizard, token="forged").status_code == 400
    stranger = Wizard(app.test_client())
    stranger.draft_url = wizard.draft_url
    assert keep_alive(stranger).status_code == 410


def test_delete_my_draft_now_removes_it_and_its_files(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client())
    wizard.to_review()
    data = {**wizard.items_page([{}]), f"{wizard.items}-0-file": (io.BytesIO(png()), "r.png")}
    wizard.post(wizard.items_step, data, content_type="multipart/form-data")
    with app.app_context():
        assert StoredFile.query.count() == 1
    response = wizard.client.post(f"{wizard.draft_url}/delete", data={"csrf_token": wizard.token()})
    assert response.status_code == 303 and response.location == "/?notice=deleted"
    assert "Your draft was deleted." in wizard.client.get(response.location).text
    later = wizard.get(wizard.steps[0])  # its page, in this or another tab: deleted, not expired
    assert later.status_code == 303 and later.location == "/?notice=deleted"
    with app.app_context():
        assert StoredFile.query.count() == 0


def test_another_browser_cannot_delete_a_draft(app: Flask, wizard: Wizard) -> None:
    wizard.start()
    other = app.test_client()
    token = Wizard(other).token()
    response = other.post(f"{wizard.draft_url}/delete", data={"csrf_token": token})
    assert response.status_code == 404
    assert wizard.get("employee").status_code == 200


@pytest.mark.parametrize("app_config", [{"WIZARD_EXPIRY_WARNING": 120}])
def test_step_pages_carry_the_dialog_for_browsers_with_javascript(wizard: Wizard) -> None:
    wizard.start()
    page = wizard.get("employee").text
    assert '<dialog id="expiry-dialog"' in page and 'data-warning="120"' in page
    said = "Your draft will be deleted in <span data-countdown>2 minutes</span> unless you"
    assert said in page
    assert ">Keep my draft</button>" in page and "Delete my draft now" in page
