"""The support request's Description, the GOV.UK character count (SPEC §10, static/js/count.js):
"You can enter up to 2,000 characters" without a script; with one, what is left as you type,
and what is over the limit, which the server refuses with nothing typed lost."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.flows import SUPPORT, continue_to, expect_step, field, fill_page, press, walk_to

pytestmark = pytest.mark.e2e

Check = Callable[[Page, str], None]
LIMIT = 2000


def count_message(page: Page) -> Locator:
    """The visible count under the Description (screen readers hear a polite live copy)."""
    return page.locator(".character-count-message")


def test_the_count_says_what_is_left_as_you_type(page: Page, check_page: Check) -> None:
    walk_to(page, SUPPORT, 3)
    description = field(page, "Description")
    message = count_message(page)
    expect(message).to_have_text("You have 2,000 characters remaining")
    expect(description).to_have_accessible_description(re.compile("2,000 characters"))

    description.press_sequentially("Dead on arrival")
    expect(message).to_have_text("You have 1,985 characters remaining")
    description.fill("x" * (LIMIT - 1))
    description.press("End")
    description.press_sequentially("y")  # exactly at the limit: nothing left, no error
    expect(message).to_have_text("You have 0 characters remaining")
    description.press_sequentially("zz")
    expect(message).to_have_text("You have 2 characters too many")
    # the screen reader's copy follows once typing pauses
    expect(page.locator(".character-count [aria-live=polite]")).to_have_text(
        "You have 2 characters too many"
    )
    check_page(page, "t01-description-over-the-limit")

    fill_page(page, SUPPORT)  # sets the other answers, and a description within the limit
    description.fill("a" * (LIMIT + 5))
    press(page, "Continue")
    expect_step(page, 3, SUPPORT.titles[2])
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(description).to_have_value("a" * (LIMIT + 5))  # kept, not cut off
    expect(message).to_have_text("You have 5 characters too many")
    expect(field(page, "What went wrong")).to_have_value("Does not turn on")
    check_page(page, "t02-description-too-long-error")

    description.fill("a" * LIMIT)
    continue_to(page, SUPPORT, 4)


def test_without_javascript_the_limit_is_said_once(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    walk_to(page, SUPPORT, 3)
    expect(count_message(page)).to_have_text("You can enter up to 2,000 characters")
    field(page, "Description").fill("It stays dark.")
    expect(count_message(page)).to_have_text("You can enter up to 2,000 characters")
