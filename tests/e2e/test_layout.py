"""Layout and accessibility of every page of each flow, on a wide and on a phone-sized screen:
each step as first shown, with errors, the pages that ask again with memory off, review and
the confirmation. Every page: room below the header, nothing wider than the window, nothing
drawn over anything else, and axe with 0 violations."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import MIN_GAP, assert_layout, assert_no_axe_violations
from tests.e2e.flows import (
    BrowserFlow,
    continue_to,
    expect_step,
    fill_page,
    press,
    send,
    start,
    turn_memory_off,
)

pytestmark = pytest.mark.e2e

WIDTHS = [1280, 390]


@pytest.mark.parametrize("where", ["start", "unknown draft"])
def test_main_content_has_room_below_the_header(page: Page, flow: BrowserFlow, where: str) -> None:
    """The stylesheet gives <main> 20px of top padding; content touching the header's
    blue bar (or a focused error summary's outline overlapping it) is a layout bug."""
    page.goto("/" if where == "start" else f"{flow.prefix}/no-such-draft/{flow.steps[0]}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
    header_box = page.get_by_role("banner").bounding_box()
    first_box = page.get_by_role("main").locator("> *").first.bounding_box()
    assert header_box and first_box
    gap = first_box["y"] - (header_box["y"] + header_box["height"])
    assert gap >= MIN_GAP, f"content starts {gap:.0f}px below the header on {page.url}"


def looked_at(page: Page, screenshot: Callable[[Page, str], object]) -> Callable[[str], None]:
    """Check the page as it is now: a screenshot named `name`, the layout, then axe."""

    def look(name: str) -> None:
        screenshot(page, name)
        assert_layout(page, name)
        assert_no_axe_violations(page, name)

    return look


def expect_errors(page: Page) -> None:
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_of_a_walk_with_memory_on(
    page: Page, flow: BrowserFlow, width: int, screenshot: Callable[[Page, str], object]
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    look = looked_at(page, screenshot)
    start(page, flow)
    for number, step in enumerate(flow.steps[:-1], start=1):
        look(f"{flow.name}-{step}-on-{width}")
        press(page, "Continue")  # nothing typed: every required field in error
        expect_step(page, number, flow.titles[number - 1])
        expect_errors(page)
        look(f"{flow.name}-{step}-error-on-{width}")
        fill_page(page, flow)
        continue_to(page, flow, number + 1)
    look(f"{flow.name}-review-on-{width}")
    press(page, flow.submit_label)  # not confirmed
    expect_step(page, 4, flow.titles[3])
    expect_errors(page)
    look(f"{flow.name}-review-error-on-{width}")
    send(page, flow)
    look(f"{flow.name}-confirmation-on-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_that_asks_again_with_memory_off(
    page: Page, flow: BrowserFlow, width: int, screenshot: Callable[[Page, str], object]
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    look = looked_at(page, screenshot)
    page.goto("/")
    turn_memory_off(page)
    start(page, flow)
    look(f"{flow.name}-{flow.steps[0]}-off-{width}")
    fill_page(page, flow)
    continue_to(page, flow, 2)
    look(f"{flow.name}-{flow.steps[1]}-off-{width}")
    fill_page(page, flow)
    continue_to(page, flow, 3)
    asks_again = "Session memory is off, so this step doesn't know what you entered before."
    expect(page.get_by_role("main")).to_contain_text(asks_again)
    look(f"{flow.name}-{flow.steps[2]}-off-{width}")
    press(page, "Continue")
    expect_errors(page)
    look(f"{flow.name}-{flow.steps[2]}-error-off-{width}")
    fill_page(page, flow)
    continue_to(page, flow, 4)
    expect(page.get_by_role("main")).to_contain_text(asks_again)
    look(f"{flow.name}-review-off-{width}")
    press(page, flow.submit_label)
    expect_errors(page)
    look(f"{flow.name}-review-error-off-{width}")
    fill_page(page, flow)
    send(page, flow)
    look(f"{flow.name}-confirmation-off-{width}")
