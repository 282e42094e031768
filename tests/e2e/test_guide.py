"""The guide (/guide) and the "How it works" diagram, in Chromium with JavaScript on and off."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import press

pytestmark = pytest.mark.e2e

QUESTIONS = {
    "Does the session hold sensitive data, such as payments or personal data?": "No",
    "How much data does one session hold at most?": "Under 1 KB",
    "Does the app run on several servers?": "Yes, on several servers",
    "Must the session survive closing the tab?": "No, it may end with the tab",
}


def answer(page: Page, legend: str, choice: str) -> None:
    page.get_by_role("group", name=legend, exact=True).get_by_label(choice, exact=True).check()


def walk_the_guide(page: Page, check_page: Callable[[Page, str], object], name: str) -> None:
    """Ask with nothing chosen, see the errors, answer everything, read the recommendation."""
    page.goto("/guide")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Which kind of session memory fits you?"
    )
    expect(page.get_by_role("group")).to_have_count(len(QUESTIONS) + 1)  # + the diagram
    expect(page.get_by_text("All three work without JavaScript")).to_have_count(1)
    check_page(page, f"{name}-1-questions")
    answer(page, "How much data does one session hold at most?", "Under 1 KB")
    press(page, "Show my recommendation")

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_count(3)
    check_page(page, f"{name}-2-errors")
    summary.get_by_role("link", name="Select whether the app runs on several servers").click()
    expect(page.get_by_label("No, on one server", exact=True)).to_be_focused()
    expect(page.get_by_label("Under 1 KB", exact=True)).to_be_checked()  # kept

    for legend, choice in QUESTIONS.items():
        answer(page, legend, choice)
    press(page, "Show my recommendation")
    expect(page).to_have_url(re.compile(r"/guide\?.*show=yes#recommendation$"))
    result = page.locator("#recommendation")
    expect(result.get_by_role("heading", level=2)).to_have_text(
        "Our recommendation: Passed through the form"
    )
    expect(result).to_contain_text("two drafts in two tabs never mix")
    expect(result).not_to_contain_text("JavaScript")  # said once, above: it changes nothing
    check_page(page, f"{name}-3-recommendation")

    expect(result.get_by_role("link", name=re.compile("^Common mistake"))).to_have_count(1)
    result.get_by_role("link", name="Common mistake: never expiring").click()
    expect(page.locator("#mistake-never-expiring")).to_be_focused()
    expect(page.locator("#mistake-never-expiring")).to_be_in_viewport()


def test_the_guide_with_javascript(page: Page, check_page: Callable[[Page, str], None]) -> None:
    walk_the_guide(page, check_page, "g01-guide")


def test_the_guide_without_javascript(
    new_context: Callable[..., BrowserContext], screenshot: Callable[[Page, str], object]
) -> None:
    # axe needs a script in the page, so with JavaScript off there are screenshots only
    page = new_context(java_script_enabled=False).new_page()
    walk_the_guide(page, screenshot, "g02-guide-no-js")


def tab_to(page: Page, name: str) -> None:
    """Press Tab until the diagram part called `name` has keyboard focus."""
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if focused.startswith(name):
            return
    pytest.fail(f"Tab never reached the diagram part {name!r}")


def test_keyboard_focus_on_a_part_shows_what_it_does(
    page: Page, check_page: Callable[[Page, str], None]
) -> None:
    page.goto("/how-it-works")
    diagram = page.get_by_role("group", name=re.compile(r"^Diagram of the parts"))
    expect(diagram).to_be_visible()
    store_note = page.locator(".diagram-note-store")
    expect(store_note).to_be_hidden()
    expect(page.get_by_role("figure")).to_contain_text("Highlighted path: On the server.")

    tab_to(page, "Session store")
    store = diagram.get_by_role("link", name="Session store, on the highlighted path")
    expect(store).to_be_focused()
    expect(store).to_have_accessible_description(re.compile(r"^Embedded SQLite, or Redis"))
    expect(store_note).to_be_visible()
    expect(store_note).to_contain_text("Redis shared by every app process")
    expect(page.locator(".diagram-note-default")).to_be_hidden()
    check_page(page, "g03-diagram-focus")

    page.keyboard.press("Tab")  # on to the database: its note replaces the store's
    expect(page.locator(".diagram-note-database")).to_be_visible()
    expect(store_note).to_be_hidden()

    page.keyboard.press("Enter")  # a part is a link to its entry in the list below
    expect(page).to_have_url(re.compile(r"#part-database$"))
    expect(page.locator("#part-database")).to_be_focused()


def test_hovering_a_part_shows_what_it_does(page: Page) -> None:
    page.goto("/guide")
    page.locator(".part-cookie").hover()
    expect(page.locator(".diagram-note-cookie")).to_be_visible()
    expect(page.locator(".diagram-note-cookie")).to_contain_text("random session id")


def test_without_javascript_every_part_is_listed_and_memory_off_breaks_the_path(
    new_context: Callable[..., BrowserContext], screenshot: Callable[[Page, str], object]
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/how-it-works")
    parts = page.locator(".diagram-parts dt")
    expect(parts).to_have_text(
        [
            re.compile(r"^Browser"),
            re.compile(r"^Cookie"),
            re.compile(r"^Hidden form field"),
            re.compile(r"^App processes"),
            re.compile(r"^Session store"),
            re.compile(r"^Database"),
            re.compile(r"^Receipt files"),
        ]
    )
    press(page, "Turn session memory off")
    expect(page.get_by_role("figure")).to_contain_text("Memory off: nothing carried.")
    expect(page.locator(".broken-label-text")).to_have_text("memory off: nothing carried")
    screenshot(page, "g04-diagram-memory-off")


def test_with_memory_off_the_page_passes_axe(
    page: Page, check_page: Callable[[Page, str], None]
) -> None:
    page.goto("/guide")
    press(page, "Turn session memory off")
    expect(page.get_by_role("figure")).to_contain_text("Memory off: nothing carried.")
    check_page(page, "g05-guide-memory-off")
