"""Input a browser never sends but a scanner or an attacker does: never a 500, a clear
message on the page it came from, everything typed kept (issue 15, class 3)."""

from __future__ import annotations

import itertools
import re

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.flows.expenses.models import Report
from tests.adversarial.browsers import heading
from tests.helpers import PLACES, Wizard, employee_form, errors_of, receipt_form
from tests.property import BASE

LONG_INDEX = "9" * 5000  # over Python's 4,300-digit limit for int()
# Digits of other scripts ("\U0001d7d8" is a double-struck 0), signs, spaces, too many digits.
ODD_INDICES = ["²", "①", "٣", "\U0001d7d8", LONG_INDEX, "-1", "1_0", " 1", "12345"]


@pytest.fixture(params=PLACES)
def place(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def at_receipts(app: Flask, place: str, memory_on: bool = True) -> Wizard:
    wizard = Wizard(app.test_client(), place, memory_on, follow=True)
    wizard.start()
    assert heading(wizard.fill_employee()) == "Receipts"
    return wizard


def test_odd_group_indices_are_no_500_and_keep_what_was_typed(app: Flask, place: str) -> None:
    wizard = at_receipts(app, place)
    state = wizard.state
    for index in ODD_INDICES:
        data = {**receipt_form(0, merchant="Kept", amount="x"), f"receipts-{index}-amount": "1"}
        wizard.state = state
        page = wizard.post("receipts", data)
        assert page.status_code == 200 and heading(page) == "Receipts", index
        assert 'value="Kept"' in page.text
        assert errors_of(page) == [("receipts-0-amount", "Amount must be a number, like 12.50")]


def test_odd_category_indices_are_no_500(app: Flask, place: str) -> None:
    wizard = at_receipts(app, place)
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
    app: Flask, place: str, memory_on: bool
) -> None:
    wizard = at_receipts(app, place, memory_on)
    names = ("First", "Second", "Third", "Fourth")
    data: dict[str, str] = {}
    for i, name in enumerate(names):
        data.update(receipt_form(i, merchant=name))
    for action in ODD_ACTIONS:
        page = wizard.post("receipts", {**data, "action": action})
        assert page.status_code == 200 and heading(page) == "Receipts", action
        assert all(f'value="{name}"' in page.text for name in names)


def test_a_post_without_a_csrf_token_to_a_page_that_is_not_a_step_is_a_404(
    app: Flask, place: str
) -> None:
    wizard = at_receipts(app, place)
    page = wizard.client.post(wizard.url("not-a-step"), data={"memory_state": wizard.state})
    assert page.status_code == 404 and "<h1>Page not found</h1>" in page.text


def test_a_post_without_a_csrf_token_and_with_a_changed_state_is_no_500(app: Flask) -> None:
    wizard = at_receipts(app, "form")
    data = {**receipt_form(0), "memory_state": wizard.state[:-3] + "AAA"}
    page = wizard.client.post(wizard.url("receipts"), data=data)
    assert page.status_code == 400 and "cannot be trusted" in page.text


def reports(app: Flask) -> int:
    with app.app_context():
        return db.session.query(Report).count()


# Every answer of a one-receipt report: what a page asks again when memory is off.
EVERY_ANSWER = {
    **employee_form(),
    **receipt_form(0),
    "receipts-0-category": "Meals",
    "categories-0-receipt_id": "receipt0000",
    "categories-0-category": "Meals",
    "business_purpose": "Client visit",
}


def at_review(app: Flask, place: str, memory_on: bool = True) -> Wizard:
    wizard = at_receipts(app, place, memory_on)
    assert heading(wizard.post("receipts", EVERY_ANSWER)) == "Categories"
    assert heading(wizard.post("categories", EVERY_ANSWER)) == "Review and submit"
    return wizard


MADE_UP_FILE = "is not one this draft stored"


@pytest.mark.parametrize("memory_on", [True, False])
def test_a_made_up_file_id_on_submit_is_refused_with_a_message_and_nothing_stored(
    app: Flask, place: str, memory_on: bool
) -> None:
    wizard = at_review(app, place, memory_on)
    page = wizard.submit(**{"receipts-0-file_id": "madeUpFileId0000000000"})
    assert page.status_code == 200 and heading(page) == "Review and submit"
    assert MADE_UP_FILE in page.text
    assert reports(app) == 0
    done = wizard.submit(**({} if memory_on else EVERY_ANSWER))  # the draft is intact: the
    # real report goes through, once
    assert done.status_code == 200 and "EXP-" in done.text
    assert reports(app) == 1


MEMORY_FORM_FIELDS = ["memory_state", "next", "memory", "strategy", "draft", "step", "csrf_token"]


@pytest.mark.parametrize("route", ["/memory", "/memory/strategy"])
def test_a_line_break_in_any_field_of_the_memory_forms_is_no_500(
    app: Flask, place: str, route: str
) -> None:
    wizard = at_receipts(app, place)
    key_name = f"draft:{wizard.draft_id}"
    data = {
        "csrf_token": wizard.token(),
        "memory_state": wizard.state or f"{key_name}!x",
        "next": wizard.url("receipts"),
        "memory": "on",
        "strategy": place,
        "draft": wizard.draft_id,
        "step": "receipts",
    }
    odd = (lambda v: f"{v}\n", lambda v: f"{key_name}\r\nSet-Cookie: x=1!{v}", lambda v: "\x00")
    for key, change in itertools.product(MEMORY_FORM_FIELDS, odd):
        broken = change(data[key])
        response = wizard.client.post(route, data={**data, key: broken})
        assert response.status_code < 500, (key, broken)
        assert "x=1" not in response.headers.get("Set-Cookie", "")
        assert not any("Forward" in name for name, _ in response.headers.items())


def test_a_draft_still_works_after_line_breaks_in_its_state(app: Flask) -> None:
    wizard = at_receipts(app, "form")
    state = wizard.state
    data = {"csrf_token": wizard.token(), "memory": "on", "next": wizard.url("receipts")}
    response = wizard.client.post("/memory", data={**data, "memory_state": state + "\n"})
    assert response.status_code < 500
    page = wizard.client.post("/memory", data={**data, "memory_state": state})
    assert page.status_code == 200 and heading(page) == "Receipts"  # the state goes on


# Any Unicode digit or number character (Nd: ٣; No: ² ①; Nl: Ⅻ), with ASCII ones too, in
# any number that is not a plain one (1 to 4 ASCII digits: those name a real receipt).
DIGITS = st.characters(categories=["Nd", "No", "Nl"])
NOT_PLAIN = st.text(DIGITS, min_size=1, max_size=5).filter(lambda t: not PLAIN.fullmatch(t))
PLAIN = re.compile("[0-9]{1,4}")


@pytest.fixture
def receipts_page(app: Flask) -> Wizard:
    return at_receipts(app, "server")


@settings(BASE, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    index=NOT_PLAIN | st.text("0123456789", min_size=5),
    verb=st.sampled_from(["remove", "remove-file", "add", ""]),
)
def test_any_digits_in_a_group_number_or_an_action_are_no_500(
    receipts_page: Wizard, index: str, verb: str
) -> None:
    wizard = receipts_page
    data = {
        **receipt_form(0, merchant="Kept", amount="x"),
        **receipt_form(1, merchant="Also kept", amount="x"),
        f"receipts-{index}-merchant": "Odd",
        f"categories-{index}-category": "Meals",
    }
    page = wizard.post("receipts", {**data, "action": f"{verb}-{index}" if verb else index})
    assert page.status_code == 200 and heading(page) == "Receipts"
    assert 'value="Kept"' in page.text and 'value="Odd"' not in page.text
