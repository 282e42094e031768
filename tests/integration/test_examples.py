"""The demonstration in two minutes (issue 19, point 4), in every flow: Use example answers
fills a page's empty fields (shown, not taken: Continue takes and counts them); a page that
asks again marks what was given before, and where; the counter says what it counts; the
confirmation offers the same draft the other way, and starting it with memory off asks
first when other drafts hold answers."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.adversarial.browsers import heading, step_form
from tests.helpers import Wizard

TYPED = "Typed By Hand"


def use_examples(wizard: Wizard, step: str, **typed: str) -> object:
    return wizard.press(step, "example", **typed)


def step_fields(page: object, step: str) -> dict[str, str]:
    return step_form(page, step).fields  # type: ignore[arg-type]


@pytest.mark.demo  # a demo aid
@pytest.mark.parametrize("place", ["server", "cookie", "form"])
def test_example_answers_fill_the_empty_fields_and_keep_what_was_typed(
    app: Flask, driver: type[Wizard], place: str
) -> None:
    wizard = driver(app.test_client(), place, follow=True)
    wizard.start()
    step, name = wizard.text_field
    email = next(k for k in wizard.page_data(step) if "email" in k)
    page = use_examples(wizard, step, **{name: TYPED})
    assert heading(page) == wizard.titles[0]  # type: ignore[arg-type]
    assert "Example answers fill the empty fields on this page" in page.text  # type: ignore[attr-defined]
    fields = step_fields(page, step)
    assert fields[name] == TYPED  # typed by hand: kept
    assert fields[email].endswith("@example.com")  # empty: an example
    assert "There is a problem" not in page.text  # type: ignore[attr-defined]
    sent = wizard.post(step, {k: v for k, v in fields.items() if k != "memory_state"})
    assert heading(sent) == wizard.titles[1]  # type: ignore[arg-type]  # Continue takes them


@pytest.mark.demo  # a demo aid
def test_every_step_can_be_answered_with_examples_alone_with_memory_off(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), memory_on=False, follow=True)
    wizard.start()
    for number, step in enumerate(wizard.steps[:-1], start=1):
        page = use_examples(wizard, step)
        assert heading(page) == wizard.titles[number - 1]  # type: ignore[arg-type]
        if number == 3:  # asks again for step 2's part, marked so
            assert "You already gave this on step 2" in page.text  # type: ignore[attr-defined]
        fields = {k: v for k, v in step_fields(page, step).items() if k != "memory_state"}
        assert heading(wizard.post(step, fields)) == wizard.titles[number]  # type: ignore[arg-type]
    review = use_examples(wizard, "review")  # review asks everything again
    for number in (1, 2, 3):
        assert f"You already gave this on step {number}" in review.text  # type: ignore[attr-defined]
    fields = {k: v for k, v in step_fields(review, "review").items() if k != "memory_state"}
    done = wizard.post("review", {**fields, "confirm": "y"})
    assert heading(done) == wizard.sent_title  # type: ignore[arg-type]
    again = re.search(r"<dt>Fields typed again</dt><dd>(\d+)</dd>", done.text)  # type: ignore[attr-defined]
    assert again and int(again[1]) > 0
    assert f"Try the same {wizard.noun.rsplit(' ', 1)[1]} with session memory on" in done.text  # type: ignore[attr-defined]
    compared = wizard.client.get(f"/compare/{wizard.flow_name}", follow_redirects=True).text
    pages = re.search(
        r'<th scope="row">Pages sent</th>\s*<td>[^<]*</td>\s*<td>(\d+)</td>', compared
    )
    assert pages and int(pages[1]) == len(wizard.steps)  # examples: a demo aid, not counted


def test_with_memory_on_review_offers_no_examples_and_pages_no_marks(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), follow=True)
    wizard.to_review()
    review = wizard.get("review").text
    assert "Use example answers" not in review and "You already gave this" not in review
    assert "Fields typed again" not in review
    wizard.page = wizard.get("review")
    refused = use_examples(wizard, "review", confirm="y")  # no form offers it: not a submit
    assert refused.status_code == 200 and heading(refused) == wizard.titles[-1]  # type: ignore[attr-defined, arg-type]
    assert wizard.records(app) == 0


def test_the_counter_says_what_it_counts(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client(), memory_on=False)
    wizard.start()
    page = wizard.get(wizard.steps[0]).text
    assert "Fields typed again: <strong>0</strong>" in page
    assert "Answers you had already given on an earlier step and typed again" in page


@pytest.mark.demo  # a demo aid
def test_the_confirmation_offers_the_same_draft_with_memory_off(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    done = wizard.complete_draft()
    page = wizard.client.get(done.location).text
    thing = wizard.noun.rsplit(" ", 1)[1]
    assert f"Try the same {thing} with session memory off" in page
    data = {"csrf_token": wizard.token(), "memory": "off", "next": "/"}
    started = wizard.client.post(wizard.prefix, data=data)
    assert started.status_code == 303  # nothing held answers: no question
    assert "Session memory: Off" in wizard.client.get(started.location).text


def test_starting_with_memory_off_asks_first_when_a_draft_holds_answers(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    wizard.start()
    wizard.fill(wizard.steps[0])
    data = {"csrf_token": wizard.token(), "memory": "off", "next": "/compare"}
    asked = wizard.client.post(wizard.prefix, data=data)
    assert asked.status_code == 200 and heading(asked) == "Turn session memory off?"
    assert 'href="/compare" data-cancel' in asked.text  # Cancel: back where it was pressed
    assert "Session memory: On" in wizard.get(wizard.steps[1]).text  # nothing changed yet
    yes = wizard.client.post(wizard.prefix, data={**data, "confirmed": "yes"})
    assert yes.status_code == 303
    assert "Session memory: Off" in wizard.client.get(yes.location).text
