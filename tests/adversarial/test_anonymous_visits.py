"""A visitor who only looks costs the server nothing (issue 15.8): pages seen without a
cookie, 404s included, write no browser session to the store; the session is stored with
the first thing worth keeping, and the visitor's CSRF token still works then. On every flow."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.clock import MovableClock
from tests.helpers import Wizard

PATHS = ["/", "/guide", "/compare", "/no-such-page", "/report/made-up/employee",
         "/support/made-up/contact"]  # fmt: skip


def entries(app: Flask) -> int:
    return int(app.extensions["session_memory"].store.count())


@pytest.mark.parametrize("path", PATHS)
def test_a_loop_of_cookieless_gets_stores_nothing(app: Flask, path: str) -> None:
    before = entries(app)
    for _ in range(50):
        assert app.test_client().get(path).status_code in (200, 404)
    assert entries(app) == before


def session_id(wizard: Wizard) -> str:
    cookie = wizard.client.get_cookie("expense_wizard_session")
    assert cookie
    return cookie.value


@pytest.mark.demo  # reads the inspector, the guide or the state API
def test_the_first_page_token_starts_a_draft_and_only_then_is_a_session_stored(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    page = wizard.client.get("/")
    assert entries(app) == 0
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    assert wizard.client.get("/guide").status_code == 200 and entries(app) == 0
    started = wizard.client.post(wizard.prefix, data={"csrf_token": token[1]})
    assert started.status_code == 303 and started.location.endswith(f"/{wizard.steps[0]}")
    assert entries(app) > 0
    assert wizard.client.get(started.location).status_code == 200


@pytest.mark.parametrize("app_config", [{"SESSION_ROTATION_GRACE": 10}])
def test_a_planted_session_id_never_holds_the_visitors_drafts(
    app: Flask, clock: MovableClock, driver: type[Wizard]
) -> None:
    """Session fixation: an id set in the victim's browser is replaced the moment the
    session holds something; like any retired id it only forwards for the grace period
    (a double click), so whoever planted it sees nothing."""
    planted = "A" * 43
    victim = driver(app.test_client())
    victim.client.set_cookie("expense_wizard_session", planted)
    victim.start()
    assert session_id(victim) != planted
    clock.sleep(10 + 1)  # past the grace period
    attacker = driver(app.test_client())
    attacker.client.set_cookie("expense_wizard_session", planted)
    assert attacker.client.get(victim.url(victim.steps[0])).status_code == 404


def test_a_malformed_session_cookie_is_a_new_visitor(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client())
    wizard.client.set_cookie("expense_wizard_session", "~forged.value")
    page = wizard.client.get("/")
    assert page.status_code == 200 and entries(app) == 0
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert (
        token
        and wizard.client.post(wizard.prefix, data={"csrf_token": token[1]}).status_code == 303
    )


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "WIZARD_SWITCH_RATE": "3 per minute"}]
)
def test_the_memory_switch_is_rate_limited(app: Flask, wizard: Wizard) -> None:
    """Each switch leaves a retired session id in the store for a day: a loop of them is
    refused, so no client can fill the store with them."""
    answers = [wizard.switch_memory(on=n % 2 == 1).status_code for n in range(4)]
    assert answers == [303, 303, 303, 429]
    assert "Too many requests" in wizard.switch_memory(on=True).text
