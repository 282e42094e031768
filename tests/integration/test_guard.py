"""The journey guard, ownership of drafts, and drafts that cannot be shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.clock import ABSOLUTE_LIFETIME, IDLE_TIMEOUT, MINUTE, MovableClock
from tests.conftest import make_app
from tests.helpers import SupportWizard, Wizard


def test_later_steps_send_people_to_the_first_incomplete_step(
    client: FlaskClient, driver: type[Wizard]
) -> None:
    wizard = driver(client)
    wizard.start()
    for step in wizard.steps[1:]:
        response = wizard.get(step)
        assert response.status_code == 303, step
        assert response.location == wizard.url(wizard.steps[0]) + "?notice=incomplete"
        page = wizard.client.get(response.location).text
        assert "Complete this step first" in page


def test_posting_to_a_later_step_out_of_order_writes_nothing(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    wizard.start()
    before = wizard.stored_draft()
    everything = {k: v for step in wizard.steps[:-1] for k, v in wizard.page_data(step).items()}
    if wizard.flow_name == "expenses":  # with memory on, categories join the receipts
        everything["receipts-0-category"] = "Meals"
    response = wizard.submit(**everything)  # valid, but too soon
    assert response.status_code == 303
    assert response.location == wizard.url(wizard.steps[0]) + "?notice=incomplete"
    assert wizard.stored_draft() == before  # the draft's memory and counters: untouched
    assert wizard.records(app) == 0


def test_a_draft_of_another_browser_is_not_found(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client())
    wizard.start()
    first, field = wizard.text_field
    wizard.post(first, {**wizard.page_data(first), field: "Secret Person"})
    other = driver(app.test_client())
    for step in (*wizard.steps, "confirmation"):
        page = other.client.get(wizard.url(step))
        assert page.status_code == 404 and "Secret Person" not in page.text
        assert "Page not found" in page.text


def test_made_up_draft_ids_and_steps_are_not_found(
    client: FlaskClient, driver: type[Wizard]
) -> None:
    wizard = driver(client)
    wizard.start()
    assert wizard.client.get(f"{wizard.prefix}/made-up-id/{wizard.steps[0]}").status_code == 404
    assert wizard.get("nonsense").status_code == 404


def test_two_drafts_in_one_browser_never_mix(client: FlaskClient, driver: type[Wizard]) -> None:
    wizard = driver(client)
    first_step, field = wizard.text_field
    wizard.start()
    first = wizard.draft_url
    wizard.post(first_step, {**wizard.page_data(first_step), field: "First Tab"})
    wizard.start()
    wizard.post(first_step, {**wizard.page_data(first_step), field: "Second Tab"})
    assert 'value="First Tab"' in wizard.client.get(f"{first}/{first_step}").text
    assert 'value="Second Tab"' in wizard.get(first_step).text


def test_confirmation_of_another_browser_is_not_found(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client())
    wizard.complete_draft()
    other = app.test_client()
    assert other.get(wizard.url("confirmation")).status_code == 404


def test_an_idle_draft_expires_to_a_page_that_says_so(
    client: FlaskClient, driver: type[Wizard], clock: MovableClock
) -> None:
    wizard = driver(client)
    wizard.start()
    wizard.fill(wizard.steps[0])
    clock.sleep(IDLE_TIMEOUT + 1)
    for response in (wizard.get(wizard.steps[1]), wizard.fill(wizard.steps[1])):
        assert response.status_code == 200
        assert f"This {wizard.noun} draft has expired" in response.text
        assert "Nothing was submitted" in response.text
        assert "There is a problem" not in response.text


def test_even_an_active_draft_ends_at_its_absolute_lifetime(
    client: FlaskClient, driver: type[Wizard], clock: MovableClock
) -> None:
    wizard = driver(client)
    wizard.start()
    for _ in range(23):  # a page every 20 minutes: 7 hours 40 minutes, never idle
        clock.sleep(20 * MINUTE)
        page = wizard.get(wizard.steps[0]).text
        assert wizard.titles[0] in page and "has expired" not in page
    clock.sleep(ABSOLUTE_LIFETIME - 23 * 20 * MINUTE + MINUTE)  # a minute past 8 hours
    assert f"This {wizard.noun} draft has expired" in wizard.get(wizard.steps[0]).text


def test_a_restart_keeps_drafts_and_the_secret_key(tmp_path: Path) -> None:
    first = make_app(tmp_path / "instance")
    wizard = Wizard(first.test_client())
    wizard.start()
    wizard.fill_employee(full_name="Survives Restart")
    cookie = wizard.client.get_cookie(first.config["SESSION_COOKIE_NAME"])
    assert cookie is not None

    restarted = make_app(tmp_path / "instance")  # a new process on the same instance folder
    assert restarted.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    wizard.client = restarted.test_client()
    wizard.client.set_cookie(cookie.key, cookie.value)
    assert 'value="Survives Restart"' in wizard.get("employee").text
    assert wizard.fill_receipts(1).status_code == 303  # the old CSRF token still works


@pytest.mark.parametrize("place", ["server", "cookie", "form"])
def test_a_draft_of_one_flow_is_not_found_under_another(app: Flask, place: str) -> None:
    """A support draft's id under /report (and the reverse) is a 404: its answers would not
    fit the other flow's pages, nor make its record."""
    for this, other in ((SupportWizard, Wizard), (Wizard, SupportWizard)):
        wizard = this(app.test_client(), place)
        wizard.start()
        carried = {"csrf_token": wizard.token(), "memory_state": wizard.state, "goto": "1"}
        for step in other.steps:
            url = f"{other.prefix}/{wizard.draft_id}/{step}"
            # Memory passed through the form comes with a post (a plain GET carries none).
            shown = (
                wizard.client.post(url, data=carried) if place == "form" else wizard.client.get(url)
            )
            assert shown.status_code == 404, (this.flow_name, step)
        assert wizard.show(wizard.steps[0]).status_code == 200
