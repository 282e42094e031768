"""Memory off discards every draft's memory of this browser (SPEC §4, issue 15.9), including
a copy that travels in a page open in another tab or in an older cookie: once memory was
switched off, no copy from before is accepted, even after it is switched on again."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.helpers import Wizard
from tests.integration.test_cookie_memory import draft_cookie, use_cookie
from tests.integration.test_form_memory import heading


@pytest.fixture
def form_wizard(app: Flask) -> Wizard:
    return Wizard(app.test_client(), "form")


def switch_in_another_tab(wizard: Wizard, on: bool) -> None:
    """The header's switch pressed on a page that carries no draft's memory."""
    data = {"csrf_token": wizard.token(), "memory": "on" if on else "off", "next": "/"}
    assert wizard.client.post("/memory", data=data).status_code == 303


def test_a_form_page_from_before_memory_went_off_brings_no_memory_back(
    form_wizard: Wizard,
) -> None:
    form_wizard.start()
    form_wizard.fill_employee(full_name="Before Off")
    older = form_wizard.state  # tab A: the Receipts page, carrying the name
    switch_in_another_tab(form_wizard, on=False)
    switch_in_another_tab(form_wizard, on=True)
    form_wizard.state = older
    page = form_wizard.fill_receipts(1)
    assert page.status_code < 500
    assert "Before Off" not in page.text
    assert heading(page) == "Employee details"  # memory starts empty: the first step it lacks


def test_an_older_cookie_from_before_memory_went_off_brings_no_memory_back(
    wizard: Wizard,
) -> None:
    use_cookie(wizard)
    wizard.start()
    wizard.fill_employee(full_name="Before Off")
    older = draft_cookie(wizard)
    switch_in_another_tab(wizard, on=False)
    switch_in_another_tab(wizard, on=True)
    wizard.client.set_cookie(f"expense_wizard_draft_{wizard.draft_id}", older)  # replayed
    page = wizard.get("employee")
    assert page.status_code == 200 and "Before Off" not in page.text
    assert wizard.fill_employee(full_name="After On").status_code == 303
    assert 'value="After On"' in wizard.get("employee").text  # the draft goes on


def test_moving_a_page_from_before_memory_went_off_brings_no_memory_back(
    form_wizard: Wizard,
) -> None:
    form_wizard.start()
    form_wizard.fill_employee(full_name="Before Off")
    older, old_id = form_wizard.state, form_wizard.draft_id
    switch_in_another_tab(form_wizard, on=False)
    switch_in_another_tab(form_wizard, on=True)
    data = {"csrf_token": form_wizard.token(), "strategy": "server", "draft": old_id,
            "step": "receipts", "next": "/", "memory_state": older}  # fmt: skip
    moved = form_wizard.client.post("/memory/strategy", data=data)
    assert moved.status_code == 303
    page = form_wizard.client.get(moved.location.replace("/receipts", "/employee"))
    assert page.status_code == 200 and "Before Off" not in page.text
