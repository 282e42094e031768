"""Typing not yet taken is never dropped (issue 19, point 3), in every flow and every place
memory lives: what a refused page sent comes back after Back; Move memory takes what the
page had typed with the draft; a page sent to a draft another tab moved keeps what it sent.
Kept input is shown, never saved as an answer: review and the record hold the answers."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.adversarial.browsers import heading
from tests.helpers import Wizard

PLACES = ("server", "cookie", "form")
TYPED = "Typed Before Back"


def text_field_shown(wizard: Wizard, page_text: str) -> str | None:
    """What the page shows in the flow's required text field (step 1's full name)."""
    name = wizard.text_field[1]
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page_text)
    value = re.search(r'value="([^"]*)"', found[0]) if found else None
    return value[1] if value else None


def refused_first_step(wizard: Wizard) -> None:
    """Step 1 sent with its text field typed and another answer wrong: refused, shown again."""
    step, name = wizard.text_field
    data = wizard.page_data(step, **{name.split("-", 1)[1]: TYPED})
    email = next(k for k in data if "email" in k)  # a malformed email: the page is refused
    page = wizard.post(step, {**data, email: "not an email"})
    assert page.status_code == 200 and "There is a problem" in page.text
    assert text_field_shown(wizard, page.text) == TYPED


@pytest.mark.parametrize("place", PLACES)
def test_back_after_a_refused_page_then_forward_shows_what_was_typed(
    app: Flask, driver: type[Wizard], place: str
) -> None:
    wizard = driver(app.test_client(), place)
    wizard.start()
    wizard.fill(wizard.steps[0])  # step 1 answered, then changed from step 2's Back
    wizard.show(wizard.steps[1])
    wizard.show(wizard.steps[0])
    refused_first_step(wizard)
    wizard.show(wizard.steps[0])  # left (Back, or the browser's Back) and come again
    assert text_field_shown(wizard, wizard.page.text) == TYPED  # type: ignore[union-attr]
    assert "There is a problem" not in wizard.page.text  # type: ignore[union-attr]
    review = wizard.to_review() if place != "form" else None
    if review is not None:  # the answers are still the ones taken before
        answers = wizard.get("review").text.split("<aside", 1)[0]
        assert TYPED not in answers


def test_a_refused_page_with_memory_off_keeps_nothing(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client(), memory_on=False)
    wizard.start()
    refused_first_step(wizard)
    assert text_field_shown(wizard, wizard.get(wizard.steps[0]).text) in (None, "")


def move_memory(wizard: Wizard, step: str, place: str, **typed: str) -> object:
    """The inspector's Move memory: a button of the page's form, sent with what it holds."""
    return wizard.press(step, "move-memory", strategy=place, **typed)


@pytest.mark.demo  # the inspector's Move memory
@pytest.mark.parametrize(("place", "to"), [("server", "cookie"), ("cookie", "server"),
                                           ("server", "form"), ("form", "server")])  # fmt: skip
def test_move_memory_takes_what_the_page_had_typed(
    app: Flask, driver: type[Wizard], place: str, to: str
) -> None:
    wizard = driver(app.test_client(), place, follow=True)
    wizard.start()
    step, name = wizard.text_field
    moved = move_memory(wizard, step, to, **{name: TYPED})
    assert heading(moved) == wizard.titles[0]  # type: ignore[arg-type]
    assert text_field_shown(wizard, moved.text) == TYPED  # type: ignore[attr-defined]
    assert "This draft&#39;s memory was moved." in moved.text  # type: ignore[attr-defined]
    labels = {"server": "On the server", "cookie": "In a browser cookie",
              "form": "Passed through the form"}  # fmt: skip
    assert f"Where session memory lives for this draft: {labels[to]}." in moved.text  # type: ignore[attr-defined]
    assert "<details open>" in moved.text  # type: ignore[attr-defined]  # the inspector, open


@pytest.mark.demo  # the inspector's Move memory
def test_move_memory_from_an_older_page_saves_nothing_over_newer_answers(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), follow=True)
    wizard.start()
    older = wizard.page
    step, name = wizard.text_field
    wizard.fill(step)  # tab A goes on; tab B still shows step 1, empty
    wizard.page = older
    refused = move_memory(wizard, step, "cookie", **{name: "Tab B"})
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert "changed in another tab" in refused.text  # type: ignore[attr-defined]
    assert text_field_shown(wizard, refused.text) == "Tab B"  # type: ignore[attr-defined]
    assert wizard.draft_id == wizard.draft_url.rsplit("/", 1)[1]  # not moved
    shown = wizard.get(step).text
    assert text_field_shown(wizard, shown) != "Tab B"  # tab A's answers stand


@pytest.mark.demo  # the inspector's Move memory
def test_move_memory_with_memory_off_shows_the_typing_at_once(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), memory_on=False, follow=True)
    wizard.start()
    step, name = wizard.text_field
    moved = move_memory(wizard, step, "cookie", **{name: TYPED})
    assert moved.status_code == 200  # type: ignore[attr-defined]
    assert text_field_shown(wizard, moved.text) == TYPED  # type: ignore[attr-defined]
    assert "In a browser cookie" in moved.text  # type: ignore[attr-defined]


@pytest.mark.demo  # the inspector's Move memory
def test_an_unknown_place_moves_nothing_and_keeps_the_typing(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), follow=True)
    wizard.start()
    step, name = wizard.text_field
    page = move_memory(wizard, step, "moon", **{name: TYPED})
    assert page.status_code == 200 and heading(page) == wizard.titles[0]  # type: ignore[attr-defined, arg-type]
    assert text_field_shown(wizard, page.text) == TYPED  # type: ignore[attr-defined]


def test_a_link_of_an_older_page_of_a_moved_draft_keeps_nothing_it_did_not_send(
    app: Flask, driver: type[Wizard]
) -> None:
    """A Back or Change of an older page (memory in the form: a post marked goto) is a way
    somewhere, not a send: it leads to the moved draft and writes nothing there."""
    wizard = driver(app.test_client(), "form")
    wizard.start()
    wizard.fill(wizard.steps[0])
    data = {"csrf_token": wizard.token(), "strategy": "server", "flow": wizard.flow_name,
            "draft": wizard.draft_id, "step": wizard.steps[1],
            "memory_state": wizard.state}  # fmt: skip
    moved = wizard.client.post("/memory/strategy", data=data)
    new_id = moved.location.split("/")[2]
    sent = wizard.post(wizard.steps[0], {"goto": "1"})  # the older page's Back
    assert sent.status_code == 303 and sent.location.endswith("?notice=moved")
    store = app.extensions["session_memory"].drafts
    assert not store.load(new_id, True, "test").memory.has(f"unsaved:{wizard.steps[0]}")
