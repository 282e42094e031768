"""Pages of one draft sent out of turn (issue 15.2, review): only a page whose own answers
were saved by another tab after it was shown is stopped; a page sent twice (a double
click) and a page whose answers nobody else touched go on. On every flow."""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.test import TestResponse

from tests.adversarial.flows import shown, typed
from tests.helpers import Wizard

REVISION = re.compile(r'name="revision" value="(\d+)"')
CHANGED = "This draft was changed in another tab"


def revision_of(page: TestResponse) -> str:
    found = REVISION.search(page.text)
    assert found, "the step page carries the revision it was made at"
    return found[1]


def test_a_double_click_on_continue_goes_on(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client())
    wizard.start()
    first = wizard.steps[0]
    shown_at = revision_of(wizard.get(first))
    data = {**wizard.page_data(first, full_name="Grace Hopper"), "revision": shown_at}
    once, twice = wizard.post(first, data), wizard.post(first, data)
    assert once.status_code == twice.status_code == 303
    assert once.location == twice.location
    assert CHANGED not in wizard.client.get(twice.location).text


def test_another_tabs_change_to_other_answers_does_not_stop_a_page(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    wizard.to_review()
    first, other = wizard.steps[0], wizard.steps[2]
    first_shown = revision_of(wizard.get(first))  # tab A: step 1
    assert wizard.fill(other).status_code == 303  # tab B: step 3
    data = {**wizard.page_data(first, full_name="Grace Hopper"), "revision": first_shown}
    assert wizard.post(first, data).status_code == 303  # nothing of its own changed


def test_another_tabs_change_to_the_same_answers_stops_the_older_page(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    wizard.to_review()
    step = wizard.items_step
    shown_at = revision_of(wizard.get(step))
    assert wizard.post(step, typed(wizard, "Tab B")).status_code == 303
    page = wizard.post(step, {**typed(wizard, "Tab A"), "revision": shown_at})
    assert page.status_code == 409 and CHANGED in page.text
    assert shown(page, wizard) == "Tab A"
    add = {**typed(wizard, "Tab A"), "revision": shown_at, "action": "add"}
    assert wizard.post(step, add).status_code == 409  # Add from the older page too
