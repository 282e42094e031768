"""Turning memory off never discards answers by surprise (issue 19, point 1): on a draft that
holds answers the switch asks first — a dialog with JavaScript, a page without — saying what
would be lost; Cancel and Escape keep everything; yes says afterwards what was discarded."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_axe_violations, expect_memory_status
from tests.e2e.flows import DISCARD, BrowserFlow, continue_to, fill_page, press, start

pytestmark = pytest.mark.e2e

QUESTION = "Turn session memory off?"
DISCARDED = "Your earlier answers were discarded when you turned session memory off."


def at_step_two(page: Page, flow: BrowserFlow, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    start(page, flow)
    fill_page(page, flow)
    continue_to(page, flow, 2)


@pytest.mark.parametrize("width", [1280, 390])
def test_with_javascript_a_dialog_asks_and_cancel_or_escape_keep_everything(
    page: Page, flow: BrowserFlow, width: int, screenshot: Callable[..., object]
) -> None:
    at_step_two(page, flow, width)
    url = page.url
    for close in ("cancel", "escape"):
        press(page.get_by_role("banner"), "Turn session memory off")
        dialog = page.get_by_role("dialog", name=QUESTION)
        expect(dialog).to_be_visible()
        answers = flow.parts[0].fields  # what step 1 was given
        expect(dialog).to_contain_text(f"your {flow.noun} started")
        expect(dialog).to_contain_text(f"{answers} answers")
        if close == "cancel":
            screenshot(page, f"s01-{flow.name}-memory-off-dialog-{width}")
            assert_no_axe_violations(page, f"memory-off-dialog-{flow.name}-{width}")
            dialog.get_by_text("Cancel and keep my answers").click()
        else:
            page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        assert page.url == url
        expect_memory_status(page, on=True)
    page.get_by_role("link", name="Back", exact=True).click()  # step 1's answers are there
    expect(page.get_by_label("Full name", exact=True)).not_to_have_value("")
    press(page.get_by_role("banner"), "Turn session memory off")
    page.get_by_role("dialog", name=QUESTION).get_by_role("button", name=DISCARD).click()
    expect_memory_status(page, on=False)
    expect(page.get_by_role("status")).to_contain_text(DISCARDED)
    assert_no_axe_violations(page, f"memory-off-discarded-{flow.name}-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_without_javascript_a_page_asks_and_cancel_returns_to_the_draft(
    page: Page, flow: BrowserFlow, width: int, screenshot: Callable[..., object]
) -> None:
    # The app's script not loaded, as with JavaScript off (axe itself needs JavaScript).
    page.route("**/static/js/*.js", lambda route: route.abort())
    at_step_two(page, flow, width)
    url = page.url
    press(page.get_by_role("banner"), "Turn session memory off")
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    expect(page.get_by_role("main")).to_contain_text(f"{flow.parts[0].fields} answers")
    screenshot(page, f"s02-{flow.name}-memory-off-question-{width}")
    assert_no_axe_violations(page, f"memory-off-question-{flow.name}-{width}")
    page.get_by_text("Cancel and keep my answers").click()
    assert page.url == url
    expect_memory_status(page, on=True)
    press(page.get_by_role("banner"), "Turn session memory off")
    press(page, DISCARD)
    expect_memory_status(page, on=False)
    expect(page.get_by_role("status")).to_contain_text(DISCARDED)


def test_with_nothing_to_lose_memory_goes_off_at_once(page: Page, flow: BrowserFlow) -> None:
    start(page, flow)  # step 1, nothing answered yet
    press(page.get_by_role("banner"), "Turn session memory off")
    expect_memory_status(page, on=False)
    expect(page.get_by_role("dialog")).to_have_count(0)
