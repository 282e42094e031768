"""Pages of one draft sent out of turn (issue 15.2, review): only a page whose own answers
were saved by another tab after it was shown is stopped; a page sent twice (a double
click) and a page whose answers nobody else touched go on."""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.test import TestResponse

from tests.helpers import Wizard, employee_form, receipt_form

REVISION = re.compile(r'name="revision" value="(\d+)"')
CHANGED = "This draft was changed in another tab"


def revision_of(page: TestResponse) -> str:
    found = REVISION.search(page.text)
    assert found, "the step page carries the revision it was made at"
    return found[1]


def at_categories(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)


def test_a_double_click_on_continue_goes_on(app: Flask, wizard: Wizard) -> None:
    wizard.start()
    shown = revision_of(wizard.get("employee"))
    data = {**employee_form(full_name="Grace Hopper"), "revision": shown}
    first, second = wizard.post("employee", data), wizard.post("employee", data)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert CHANGED not in wizard.client.get(second.location).text


def test_another_tabs_change_to_other_answers_does_not_stop_a_page(
    app: Flask, wizard: Wizard
) -> None:
    at_categories(wizard)
    employee_shown = revision_of(wizard.get("employee"))  # tab A: Employee details
    categories = {"categories-0-receipt_id": "receipt0000", "categories-0-category": "Meals",
                  "business_purpose": "Visit"}  # fmt: skip
    assert wizard.post("categories", categories).status_code == 303  # tab B
    data = {**employee_form(full_name="Grace Hopper"), "revision": employee_shown}
    assert wizard.post("employee", data).status_code == 303  # nothing of its own changed


def test_another_tabs_change_to_the_same_answers_stops_the_older_page(
    app: Flask, wizard: Wizard
) -> None:
    at_categories(wizard)
    shown = revision_of(wizard.get("receipts"))
    assert wizard.post("receipts", receipt_form(0, merchant="Tab B")).status_code == 303
    page = wizard.post("receipts", {**receipt_form(0, merchant="Tab A"), "revision": shown})
    assert page.status_code == 409 and CHANGED in page.text
    assert 'value="Tab A"' in page.text
    add = {**receipt_form(0, merchant="Tab A"), "revision": shown, "action": "add"}
    assert wizard.post("receipts", add).status_code == 409  # Add from the older page too
