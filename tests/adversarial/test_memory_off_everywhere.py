"""Memory off discards every draft's memory of this browser (SPEC §4, issue 15.9), including
a copy that travels in a page open in another tab or in an older cookie: once memory was
switched off, no copy from before is accepted, even after it is switched on again. On
every flow."""

from __future__ import annotations

from flask import Flask

from tests.helpers import Wizard
from tests.integration.test_cookie_memory import draft_cookie, use_cookie
from tests.integration.test_form_memory import heading


def switch_in_another_tab(wizard: Wizard, on: bool) -> None:
    """The header's switch pressed on a page that carries no draft's memory."""
    data = {
        "csrf_token": wizard.token(),
        "memory": "on" if on else "off",
        "next": "/",
        "confirmed": "yes",
    }
    assert wizard.client.post("/memory", data=data).status_code == 303


def named_before_off(wizard: Wizard) -> None:
    """A draft whose first step holds the name "Before Off"."""
    wizard.start()
    first = wizard.steps[0]
    assert wizard.moved_on(wizard.fill(first, full_name="Before Off"))


def test_a_form_page_from_before_memory_went_off_brings_no_memory_back(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), "form")
    named_before_off(wizard)
    older = wizard.state  # tab A: the second step's page, carrying the name
    switch_in_another_tab(wizard, on=False)
    switch_in_another_tab(wizard, on=True)
    wizard.state = older
    page = wizard.fill(wizard.steps[1])
    assert page.status_code < 500
    assert "Before Off" not in page.text
    assert heading(page) == wizard.titles[0]  # memory starts empty: the first step it lacks


def test_an_older_cookie_from_before_memory_went_off_brings_no_memory_back(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    use_cookie(wizard)
    named_before_off(wizard)
    older = draft_cookie(wizard)
    switch_in_another_tab(wizard, on=False)
    switch_in_another_tab(wizard, on=True)
    wizard.client.set_cookie(f"expense_wizard_draft_{wizard.draft_id}", older)  # replayed
    first = wizard.steps[0]
    page = wizard.get(first)
    assert page.status_code == 200 and "Before Off" not in page.text
    assert wizard.fill(first, full_name="After On").status_code == 303
    assert 'value="After On"' in wizard.get(first).text  # the draft goes on


def test_moving_a_page_from_before_memory_went_off_brings_no_memory_back(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), "form")
    named_before_off(wizard)
    older, old_id = wizard.state, wizard.draft_id
    switch_in_another_tab(wizard, on=False)
    switch_in_another_tab(wizard, on=True)
    second = wizard.steps[1]
    data = {"csrf_token": wizard.token(), "strategy": "server", "flow": wizard.flow_name,
            "draft": old_id, "step": second, "next": "/", "memory_state": older}  # fmt: skip
    moved = wizard.client.post("/memory/strategy", data=data)
    assert moved.status_code == 303
    page = wizard.client.get(moved.location.replace(f"/{second}", f"/{wizard.steps[0]}"))
    assert page.status_code == 200 and "Before Off" not in page.text
