"""Input a browser never sends but a scanner or an attacker does: never a 500, a clear
message on the page it came from, everything typed kept (issue 15, class 3)."""

from __future__ import annotations

import itertools
import re

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.adversarial.browsers import heading
from tests.adversarial.flows import (
    MADE_UP_FILE,
    every_answer,
    item_field,
    items_step,
    named_items,
    shown,
    stray_item,
    title,
    typed,
)
from tests.adversarial.flows import at_review as walk_to_review
from tests.helpers import PLACES, Wizard, errors_of
from tests.property import BASE

LONG_INDEX = "9" * 5000  # over Python's 4,300-digit limit for int()
# Digits of other scripts ("\U0001d7d8" is a double-struck 0), signs, spaces, too many digits.
ODD_INDICES = ["²", "①", "٣", "\U0001d7d8", LONG_INDEX, "-1", "1_0", " 1", "12345"]


@pytest.fixture(params=PLACES)
def place(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def at_items(app: Flask, driver: type[Wizard], place: str, memory_on: bool = True) -> Wizard:
    """A draft at the step with Add and Remove."""
    wizard = driver(app.test_client(), place, memory_on, follow=True)
    wizard.start()
    for step in wizard.steps[: wizard.steps.index(wizard.items_step)]:
        wizard.fill(step)
    assert heading(wizard.page) == title(wizard, wizard.items_step)  # type: ignore[arg-type]
    return wizard


def test_odd_group_indices_are_no_500_and_keep_what_was_typed(
    app: Flask, driver: type[Wizard], place: str
) -> None:
    wizard = at_items(app, driver, place)
    state = wizard.state
    for index in ODD_INDICES:
        wizard.state = state
        page = wizard.post(wizard.items_step, {**typed(wizard, "Kept", wrong=True),
                                               **stray_item(wizard, index)})  # fmt: skip
        assert page.status_code == 200, index
        assert heading(page) == title(wizard, wizard.items_step), index
        assert shown(page, wizard) == "Kept"
        assert errors_of(page) == [items_step(wizard).error], index


def test_odd_category_indices_are_no_500(app: Flask, place: str) -> None:
    """The expense report's categories, one per receipt."""
    wizard = at_items(app, Wizard, place)
    wizard.fill_receipts(1)
    state = wizard.state
    for index in ODD_INDICES:
        data = {"categories-0-receipt_id": "receipt0000", "business_purpose": "Kept purpose"}
        wizard.state = state
        page = wizard.post("categories", {**data, f"categories-{index}-category": "Meals"})
        assert page.status_code == 200 and heading(page) == "Categories", index
        assert 'value="Kept purpose"' in page.text


ODD_ACTIONS = ["remove-²", "remove-①", "remove-file-³", "remove-٣", f"remove-{LONG_INDEX}"]


@pytest.mark.parametrize("memory_on", [True, False])
def test_remove_with_an_odd_number_changes_nothing_and_keeps_everything(
    app: Flask, driver: type[Wizard], place: str, memory_on: bool
) -> None:
    wizard = at_items(app, driver, place, memory_on)
    data, shown_as = named_items(wizard, ("First", "Second", "Third", "Fourth"))
    for action in ODD_ACTIONS:
        page = wizard.post(wizard.items_step, {**data, "action": action})
        assert page.status_code == 200, action
        assert heading(page) == title(wizard, wizard.items_step), action
        assert all(name in page.text for name in shown_as), action


def test_a_post_without_a_csrf_token_to_a_page_that_is_not_a_step_is_a_404(
    app: Flask, driver: type[Wizard], place: str
) -> None:
    wizard = at_items(app, driver, place)
    page = wizard.client.post(wizard.url("not-a-step"), data={"memory_state": wizard.state})
    assert page.status_code == 404 and "<h1>Page not found</h1>" in page.text


def test_a_post_without_a_csrf_token_and_with_a_changed_state_is_no_500(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = at_items(app, driver, "form")
    data = {**typed(wizard, "Kept"), "memory_state": wizard.state[:-3] + "AAA"}
    page = wizard.client.post(wizard.url(wizard.items_step), data=data)
    assert page.status_code == 400 and "cannot be trusted" in page.text


@pytest.mark.parametrize("memory_on", [True, False])
def test_a_made_up_file_id_on_submit_is_refused_with_a_message_and_nothing_stored(
    app: Flask, driver: type[Wizard], place: str, memory_on: bool
) -> None:
    wizard = driver(app.test_client(), place, memory_on, follow=True)
    walk_to_review(wizard)
    asked_again = {} if memory_on else every_answer(wizard)  # the review asks them again
    made_up = {item_field(wizard, 0, "file_id"): "madeUpFileId0000000000"}
    page = wizard.submit(**asked_again, **made_up)
    assert page.status_code == 200 and heading(page) == wizard.titles[-1]
    assert MADE_UP_FILE in page.text
    assert wizard.records(app) == 0
    done = wizard.submit(**asked_again)  # the draft is intact: the real one goes through, once
    assert done.status_code == 200 and heading(done) == wizard.sent_title
    assert wizard.records(app) == 1


MEMORY_FORM_FIELDS = ["memory_state", "next", "memory", "strategy", "flow", "draft", "step"]
MEMORY_FORM_FIELDS += ["csrf_token"]


@pytest.mark.parametrize("route", ["/memory", "/memory/strategy"])
def test_a_line_break_in_any_field_of_the_memory_forms_is_no_500(
    app: Flask, driver: type[Wizard], place: str, route: str
) -> None:
    wizard = at_items(app, driver, place)
    key_name = f"draft:{wizard.draft_id}"
    data = {
        "csrf_token": wizard.token(),
        "memory_state": wizard.state or f"{key_name}!x",
        "next": wizard.url(wizard.items_step),
        "memory": "on",
        "strategy": place,
        "flow": wizard.flow_name,
        "draft": wizard.draft_id,
        "step": wizard.items_step,
    }
    odd = (lambda v: f"{v}\n", lambda v: f"{key_name}\r\nSet-Cookie: x=1!{v}", lambda v: "\x00")
    for key, change in itertools.product(MEMORY_FORM_FIELDS, odd):
        broken = change(data[key])
        response = wizard.client.post(route, data={**data, key: broken})
        assert response.status_code < 500, (key, broken)
        assert "x=1" not in response.headers.get("Set-Cookie", "")
        assert not any("Forward" in name for name, _ in response.headers.items())


def test_a_draft_still_works_after_line_breaks_in_its_state(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = at_items(app, driver, "form")
    state = wizard.state
    data = {"csrf_token": wizard.token(), "memory": "on", "next": wizard.url(wizard.items_step)}
    response = wizard.client.post("/memory", data={**data, "memory_state": state + "\n"})
    assert response.status_code < 500
    page = wizard.client.post("/memory", data={**data, "memory_state": state})
    assert page.status_code == 200  # the state goes on
    assert heading(page) == title(wizard, wizard.items_step)


# Any Unicode digit or number character (Nd: ٣; No: ² ①; Nl: Ⅻ), with ASCII ones too, in
# any number that is not a plain one (1 to 4 ASCII digits: those name a real receipt).
DIGITS = st.characters(categories=["Nd", "No", "Nl"])
NOT_PLAIN = st.text(DIGITS, min_size=1, max_size=5).filter(lambda t: not PLAIN.fullmatch(t))
PLAIN = re.compile("[0-9]{1,4}")


@pytest.fixture
def items_page(app: Flask, driver: type[Wizard]) -> Wizard:
    return at_items(app, driver, "server")


@settings(BASE, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    index=NOT_PLAIN | st.text("0123456789", min_size=5),
    verb=st.sampled_from(["remove", "remove-file", "add", ""]),
)
def test_any_digits_in_a_group_number_or_an_action_are_no_500(
    items_page: Wizard, index: str, verb: str
) -> None:
    wizard = items_page
    data = {**typed(wizard, "Kept", wrong=True), **stray_item(wizard, index)}
    page = wizard.post(wizard.items_step, {**data, "action": f"{verb}-{index}" if verb else index})
    assert page.status_code == 200 and heading(page) == title(wizard, wizard.items_step)
    assert shown(page, wizard) == "Kept"
    # Add and Remove check nothing; Continue lists the one error typed: no stray item's.
    assert set(errors_of(page)) <= {items_step(wizard).error}
