"""The memory switch: with memory off every step asks for what it needs, and repeats count."""

from __future__ import annotations

import re

from flask import Flask

from app.flows.expenses.models import Report
from tests.helpers import Wizard, employee_form, legends_of, receipt_form

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
