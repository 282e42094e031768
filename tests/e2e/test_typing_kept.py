"""Typing not yet sent is never dropped (issue 19, point 3), in a real browser, in each flow,
at 1280 and 390 px: Show values in the inspector reloads nothing; Move memory takes what the
page had typed with the draft; Back after a validation error (the page's Back link, or the
browser's) and coming forward again shows what was typed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.flows import BrowserFlow, continue_to, expect_step, field, press, walk_to

pytestmark = pytest.mark.e2e

WIDTHS = [1280, 390]
TYPED = "Typed Not Sent"


def at_step_two(page: Page, flow: BrowserFlow, width: int) -> Locator:
    """Step 2 of a draft whose step 1 is in memory, with one field typed and not sent."""
    page.set_viewport_size({"width": width, "height": 900})
    walk_to(page, flow, 2)
    typed = field(page, flow.step2_text)
    typed.fill(TYPED)
    return typed


def open_inspector(page: Page) -> Locator:
    panel = page.get_by_role("complementary", name="Session memory inspector")
    panel.get_by_text("Session memory inspector", exact=True).click()
    expect(panel.get_by_text("Memory used:")).to_be_visible()
    return panel


@pytest.mark.parametrize("width", WIDTHS)
def test_show_values_and_move_memory_keep_what_was_typed(
    page: Page, flow: BrowserFlow, width: int, check_page: Callable[[Page, str], None]
) -> None:
    typed = at_step_two(page, flow, width)
    url = page.url
    panel = open_inspector(page)
    rows = panel.locator(".inspector-table" if width > 760 else ".inspector-keys")  # as shown
    masked, full = rows.locator(".value-masked").first, rows.locator(".value-full").first
    expect(masked).to_be_visible()
    expect(full).to_be_hidden()
    panel.get_by_label("Show values in full").check()
    expect(full).to_be_visible()
    expect(masked).to_be_hidden()
    assert page.url == url  # nothing reloaded...
    expect(typed).to_have_value(TYPED)  # ...so nothing typed was lost
    check_page(page, f"t01-{flow.name}-inspector-values-shown-{width}")
    panel.get_by_label("Show values in full").uncheck()
    expect(masked).to_be_visible()

    panel.get_by_label("In a browser cookie").check()
    press(panel, "Move memory")
    expect_step(page, 2, flow.titles[1])
    assert f"{flow.prefix}/c." in page.url  # its new address, in the address bar
    expect(page.get_by_role("status")).to_contain_text(
        "Where session memory lives for this draft: In a browser cookie"
    )
    expect(field(page, flow.step2_text)).to_have_value(TYPED)
    expect(page.get_by_text("Memory used:")).to_be_visible()  # the inspector stays open
    check_page(page, f"t02-{flow.name}-memory-moved-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_back_after_a_validation_error_keeps_what_was_typed(
    page: Page, flow: BrowserFlow, width: int, check_page: Callable[[Page, str], None]
) -> None:
    at_step_two(page, flow, width)  # the rest of step 2 left empty: refused
    press(page, "Continue")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    check_page(page, f"t03-{flow.name}-refused-{width}")
    page.go_back()  # the browser's Back: step 2 as it was before it was sent...
    expect_step(page, 2, flow.titles[1])
    expect(field(page, flow.step2_text)).to_have_value(TYPED)  # ...with what was typed

    field(page, flow.step2_text).fill("Typed Again")
    press(page, "Continue")  # refused again, then the page's Back link
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    page.get_by_role("link", name="Back", exact=True).click()
    expect_step(page, 1, flow.titles[0])
    continue_to(page, flow, 2)
    expect(field(page, flow.step2_text)).to_have_value("Typed Again")
    expect(page.get_by_text("There is a problem")).to_have_count(0)  # until sent again
