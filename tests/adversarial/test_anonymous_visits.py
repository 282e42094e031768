"""A visitor who only looks costs the server nothing (issue 15.8): pages seen without a
cookie, 404s included, write no browser session to the store; the session is stored with
the first thing worth keeping, and the visitor's CSRF token still works then."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.helpers import Wizard

PATHS = ["/", "/guide", "/compare", "/no-such-page", "/report/made-up/employee"]


def entries(app: Flask) -> int:
    return int(app.extensions["memory_store"].count())


@pytest.mark.parametrize("path", PATHS)
def test_a_loop_of_cookieless_gets_stores_nothing(app: Flask, path: str) -> None:
    before = entries(app)
    for _ in range(50):
        assert app.test_client().get(path).status_code in (200, 404)
    assert entries(app) == before


def test_the_first_page_token_starts_a_draft_and_only_then_is_a_session_stored(
    app: Flask, wizard: Wizard
) -> None:
    page = wizard.client.get("/")
    assert entries(app) == 0
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    assert wizard.client.get("/guide").status_code == 200 and entries(app) == 0
    started = wizard.client.post("/report", data={"csrf_token": token[1]})
    assert started.status_code == 303 and started.location.endswith("/employee")
    assert entries(app) == 2  # the browser session and its draft
    assert wizard.client.get(started.location).status_code == 200


def test_a_forged_anonymous_cookie_is_a_new_visitor(app: Flask, wizard: Wizard) -> None:
    wizard.client.set_cookie("expense_wizard_session", "~forged.value")
    page = wizard.client.get("/")
    assert page.status_code == 200 and entries(app) == 0
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token and wizard.client.post("/report", data={"csrf_token": token[1]}).status_code == 303
