"""The memory switch: with memory off every step asks for what it needs, and repeats count."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.flows.expenses.models import Report
from tests.helpers import SupportWizard, Wizard, employee_form, legends_of, receipt_form

NOTICE = "Session memory is off, so this step doesn't know what you entered before."


def typed_again(page_text: str) -> int:
    return int(re.search(r"Fields typed again: <strong>(\d+)</strong>", page_text)[1])  # type: ignore[index]


def test_switch_is_a_post_that_returns_to_the_page_and_shows_the_state(wizard: Wizard) -> None:
    step1 = wizard.start()
    response = wizard.switch_memory(on=False, next_path=step1)
    assert (response.status_code, response.location) == (303, step1)
    page = wizard.client.get(step1).text
    assert "Session memory: Off" in page and "Turn session memory on" in page
    for outside in (
        "//evil.example",
        "/\t/evil.example",
        "/\\evil.example",
        "https://evil.example",
    ):
        assert wizard.switch_memory(on=True, next_path=outside).location == "/"


def test_memory_off_asks_again_and_counts_every_repeat(app: Flask, wizard: Wizard) -> None:
    wizard.switch_memory(on=False)
    wizard.start()
    assert typed_again(wizard.get("employee").text) == 0
    assert wizard.fill_employee().location == wizard.url("receipts")
    assert 'value="Ada Lovelace"' not in wizard.get("employee").text  # Back: an empty form
    assert wizard.post("receipts", receipt_form(0)).location == wizard.url("categories")

    categories = wizard.get("categories")
    assert NOTICE in categories.text and legends_of(categories) == ["Receipt 1"]
    assert 'value="Merchant 1"' not in categories.text
    both = {**receipt_form(0), "receipts-0-category": "Meals", "business_purpose": "Visit"}
    assert wizard.post("categories", both).location == wizard.url("review")

    review = wizard.get("review")
    assert NOTICE in review.text and 'id="employee-full_name"' in review.text
    assert typed_again(review.text) == 4  # the receipt's date, merchant, amount, currency
    done = wizard.submit(**employee_form(), **both)
    assert done.location == wizard.url("confirmation")
    with app.app_context():
        report = Report.query.one()
        # typed: 5 + 4 + (4 + 1 + 1) + (5 + 4 + 1 + 1) = 26; once each would be 11
        assert (report.fields_typed, report.fields_repeated, report.memory_on) == (26, 15, False)
        assert report.memory_use == "off"
    confirmation = wizard.client.get(done.location).text
    assert "<dt>Fields typed</dt><dd>26</dd>" in confirmation
    assert "<dt>Fields typed again</dt><dd>15</dd>" in confirmation
    spared = "With session memory on you would have typed 11 fields, none of them twice."
    assert spared in confirmation


def test_add_and_remove_with_memory_off_answer_in_the_post_response(wizard: Wizard) -> None:
    wizard.switch_memory(on=False)
    wizard.start()
    added = wizard.post("receipts", {**receipt_form(0, merchant="Kept"), "action": "add"})
    assert added.status_code == 200 and legends_of(added) == ["Receipt 1", "Receipt 2"]
    assert 'value="Kept"' in added.text and "There is a problem" not in added.text


def test_turning_memory_off_mid_draft_discards_it_at_once(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client())
    wizard.to_review()
    first, field = wizard.text_field
    typed = wizard.page_data(first)[field]
    wizard.switch_memory(on=False)
    review = wizard.get("review")
    assert NOTICE in review.text and f'value="{typed}"' not in review.text
    assert f'id="{field}"' in review.text  # asked again, empty
    wizard.switch_memory(on=True)
    guarded = wizard.get("review")  # memory starts empty: back to the first step it lacks
    assert guarded.status_code == 303
    assert guarded.location == wizard.url(first) + "?notice=incomplete"
    assert f'value="{typed}"' not in wizard.get(first).text


def test_with_memory_off_nothing_of_the_draft_is_written(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client())
    wizard.switch_memory(on=False)
    wizard.start()
    first, field = wizard.text_field
    wizard.post(first, {**wizard.page_data(first), field: "Nobody Remembers"})
    assert b"Nobody Remembers" not in wizard.stored_draft()


def ask_off(wizard: Wizard, next_path: str, **extra: str) -> TestResponse:
    """The header's "Turn session memory off", as pressed on a page (no yes given yet)."""
    data = {"csrf_token": wizard.token(), "memory": "off", "next": next_path, **extra}
    return wizard.client.post("/memory", data=data)


def test_turning_memory_off_asks_first_and_says_what_it_would_discard(
    app: Flask, driver: type[Wizard]
) -> None:
    client = app.test_client()
    other = Wizard(client) if driver is not Wizard else SupportWizard(client)
    other.start()
    other.fill(other.steps[0])  # a second draft in another tab, with answers
    wizard = driver(client)
    wizard.to_review()
    asked = ask_off(wizard, wizard.url("review"))
    assert asked.status_code == 200 and "<h1>Turn session memory off?</h1>" in asked.text
    said = re.findall(r"<li>your (.*?) started .*?: (\d+) answers</li>", asked.text)
    expected = {wizard.noun: str(HELD[wizard.flow_name]), other.noun: str(FIRST[other.flow_name])}
    assert dict(said) == expected
    assert "Turn off and discard these answers" in asked.text
    assert f'href="{wizard.url("review")}"' in asked.text  # Cancel, back to the page
    typed = wizard.page_data(wizard.text_field[0])[wizard.text_field[1]]
    assert "Session memory: On" in wizard.get("review").text  # nothing switched yet
    assert typed in wizard.get("review").text  # nor discarded
    done = ask_off(wizard, wizard.url("review"), confirmed="yes")
    assert done.status_code == 303 and done.location == wizard.url("review") + "?notice=discarded"
    page = wizard.client.get(done.location).text
    assert "Your earlier answers were discarded when you turned session memory off." in page
    assert typed not in page


# What each flow's memory holds after every step before review, and after its first step.
HELD = {"expenses": 11, "support": 9}
FIRST = {"expenses": 5, "support": 3}


def test_with_nothing_to_discard_memory_goes_off_at_once(
    client: FlaskClient, driver: type[Wizard]
) -> None:
    wizard = driver(client)
    wizard.start()  # a draft with no answer yet
    response = client.post(
        "/memory?ask=only", data={"csrf_token": wizard.token(), "memory": "off", "next": "/"}
    )
    assert response.status_code == 204 and "Session memory: On" in client.get("/").text
    switched = ask_off(wizard, "/")
    assert switched.status_code == 303 and switched.location == "/"
    assert "Session memory: Off" in client.get("/").text


def test_the_script_s_question_is_asked_without_switching(
    client: FlaskClient, driver: type[Wizard]
) -> None:
    wizard = driver(client)
    wizard.start()
    wizard.fill(wizard.steps[0])
    response = client.post(
        "/memory?ask=only", data={"csrf_token": wizard.token(), "memory": "off", "next": "/"}
    )
    assert response.status_code == 200 and "Turn session memory off?" in response.text
    assert "Session memory: On" in client.get("/").text


def test_a_page_made_before_memory_went_off_keeps_what_it_sent_without_errors(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    wizard.to_review()
    wizard.switch_memory(on=False)  # in another tab
    last, before = wizard.steps[-2], wizard.steps[-3]
    sent = wizard.post(last, wizard.page_data(last))  # the older page, made with memory on
    assert sent.status_code == 200 and "There is a problem" not in sent.text
    assert "Session memory was turned off" in sent.text
    asked_again = next(iter(wizard.page_data(before)))  # a field of the step before
    assert f'id="{asked_again}"' in sent.text
    kept = wizard.page_data(last)[TYPED_ON[wizard.flow_name]]
    assert kept in sent.text  # what it sent is there


# A text the step before review asks for itself (not per item).
TYPED_ON = {"expenses": "business_purpose", "support": "problem-description"}
