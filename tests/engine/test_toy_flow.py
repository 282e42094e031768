"""The engine drives a flow declared by the tests (toy.py: two steps, one collection) with
memory on and off, in every place memory can live, with the demonstration layer absent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from app.flows import serve
from tests.conftest import make_app
from tests.helpers import PLACES, Wizard, errors_of

from .toy import SENT, TEMPLATES, TOY


@pytest.fixture
def app(instance: Path) -> Iterator[Flask]:
    app = make_app(instance, WIZARD_DEMO=False)
    serve(app, TOY, template_folder=TEMPLATES)
    SENT.clear()
    yield app
    SENT.clear()


class ToyBrowser(Wizard):
    """The tests' one driver (tests/helpers.py), walking the toy flow; redirects followed
    as a browser would."""

    prefix, first_step, first_title = "/toy", "person", "About you"


def browser_in(app: Flask, place: str, memory_on: bool = True) -> ToyBrowser:
    browser = ToyBrowser(app.test_client(), place, memory_on, follow=True)
    browser.start()
    return browser


def heading(page: TestResponse) -> str:
    return re.search(r"<h1>(.*?)</h1>", page.text)[1]  # type: ignore[index]


def field_names(page: TestResponse) -> list[str]:
    main = page.text.split("<main", 1)[1].split("</main>", 1)[0]
    return re.findall(r'<input[^>]* name="((?:person|things)-[^"]+)"', main)


PHONE_FORMAT = "Enter a phone number, like 020 7946 0000"
ADA = {"person-name": "Ada", "person-town": "London", "person-reach": "Email"}


@pytest.mark.parametrize("place", PLACES)
def test_memory_on_carries_the_person_to_the_last_step(app: Flask, place: str) -> None:
    browser = browser_in(app, place)
    assert browser.page is not None and heading(browser.page) == "About you"
    things = browser.post("person", ADA)
    assert heading(things) == "Your things"
    assert "person-name" not in field_names(things)  # memory has it: not asked again
    assert re.search(r"<dt>Your name</dt><dd>Ada</dd>", things.text)  # review, from memory
    done = browser.post("things", {"things-0-id": "thing0001", "things-0-label": "Kettle"})
    assert heading(done) == "Toy request sent"
    assert "<dt>Label</dt><dd>Kettle</dd>" in done.text  # the confirmation, from the record
    sent = next(iter(SENT.values()))
    assert sent.answers["person"] == {
        "name": "Ada",
        "town": "London",
        "reach": "Email",
        "phone": "",
    }
    assert [t["label"] for t in sent.answers["things"]] == ["Kettle"]
    assert (sent.counts.typed, sent.counts.repeated) == (4, 0)  # the empty phone not counted


@pytest.mark.parametrize("place", PLACES)
def test_memory_off_asks_again_and_counts_the_repeats(app: Flask, place: str) -> None:
    browser = browser_in(app, place, memory_on=False)
    things = browser.post("person", ADA)
    assert {"person-name", "person-town", "person-reach"} <= set(field_names(things))
    assert "Session memory is off" in things.text
    done = browser.post("things", {**ADA, "things-0-id": "thing0001", "things-0-label": "Kettle"})
    assert heading(done) == "Toy request sent"
    sent = next(iter(SENT.values()))
    assert (sent.counts.typed, sent.counts.repeated) == (7, 3)  # name, town and reach, twice
    assert sent.counts.memory_use == "off"


@pytest.mark.parametrize("place", PLACES)
def test_add_and_remove_keep_what_was_typed(app: Flask, place: str) -> None:
    browser = browser_in(app, place)
    browser.post("person", ADA)
    first = {"things-0-id": "thing0001", "things-0-label": "Kettle"}
    two = browser.post("things", {**first, "action": "add"})
    assert field_names(two).count("things-1-label") == 1
    assert 'value="Kettle"' in two.text  # typed, not yet sent: kept through Add
    second = {
        "things-1-id": re.search(r'name="things-1-id" type="hidden" value="([^"]+)"', two.text)[1]
    }  # type: ignore[index]
    one = browser.post(
        "things", {**first, **second, "things-1-label": "Lamp", "action": "remove-0"}
    )
    assert "things-1-label" not in field_names(one)
    assert 'value="Lamp"' in one.text and 'value="Kettle"' not in one.text
    done = browser.post("things", {"things-0-id": second["things-1-id"], "things-0-label": "Lamp"})
    assert [t["label"] for t in next(iter(SENT.values())).answers["things"]] == ["Lamp"]
    assert done.status_code == 200


def test_journey_guard_sends_an_early_visit_to_the_first_step(app: Flask) -> None:
    browser = browser_in(app, "server")
    page = browser.client.get(browser.url("things"), follow_redirects=True)
    assert heading(page) == "About you"
    assert "Complete this step first" in page.text


def test_errors_keep_what_was_typed_and_a_hostile_field_is_ignored(app: Flask) -> None:
    browser = browser_in(app, "server")
    browser.post("person", ADA)
    page = browser.post("things", {"things-0-id": "x", "things-0-label": "", "things-²-label": "?"})
    assert page.status_code == 200
    assert errors_of(page) == [("things-0-label", "Enter a label for thing 1")]
    assert not SENT


def test_a_second_submit_of_the_same_draft_stores_nothing_more(app: Flask) -> None:
    browser = browser_in(app, "server")
    browser.post("person", ADA)
    last = {"things-0-id": "thing0001", "things-0-label": "Kettle"}
    browser.post("things", last)
    again = browser.post("things", last)
    assert heading(again) == "Toy request sent" and len(SENT) == 1


@pytest.mark.parametrize(
    ("sent", "errors"),
    [
        ({"person-reach": "Phone"}, [("person-phone", "Enter your phone number")]),
        ({"person-reach": "Phone", "person-phone": "x"}, [("person-phone", PHONE_FORMAT)]),
        ({"person-reach": "Pigeon"}, [("person-reach", "Select how to reach you")]),
        ({"person-reach": ""}, [("person-reach", "Select how to reach you")]),
    ],
)
def test_radios_and_a_field_required_only_when_a_choice_needs_it(
    app: Flask, sent: dict[str, str], errors: list[tuple[str, str]]
) -> None:
    browser = browser_in(app, "server")
    page = browser.post("person", {"person-name": "Ada", **sent})
    assert page.status_code == 200 and heading(page) == "About you"
    assert errors_of(page) == errors
    assert 'value="Ada"' in page.text  # what was typed is kept
    assert f'id="{errors[0][0]}"' in page.text  # the summary's link has a target


def test_a_phone_given_with_phone_chosen_is_kept_and_the_radio_stays_chosen(app: Flask) -> None:
    browser = browser_in(app, "server")
    chosen = {"person-name": "Ada", "person-reach": "Phone", "person-phone": "020 7946 0000"}
    assert heading(browser.post("person", chosen)) == "Your things"
    again = browser.show("person")
    assert re.search(r'value="Phone" checked', again.text)
    assert 'value="020 7946 0000"' in again.text
