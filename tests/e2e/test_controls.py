"""GOV.UK controls (issue 19, point 9), in Chromium at 1280 and 390 px: radios and checkboxes
are 40 px targets and the file chooser at least 24 px (WCAG 2.5.8); a category's Details appear
only for Other; Back after a Change returns to review; the skip link's focus is legible."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import field
from tests.e2e.flows import EXPENSES, SUPPORT, expect_step, start, walk_to

pytestmark = pytest.mark.e2e
WIDTHS = [1280, 390]


@pytest.mark.parametrize("width", WIDTHS)
def test_targets_are_large_and_details_appear_for_other_only(
    page: Page, width: int, check_page: Callable[[Page, str], None]
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    start(page, SUPPORT)
    radio = page.get_by_role("radio", name="Email", exact=True)
    box = radio.bounding_box()
    assert box and box["width"] >= 40 and box["height"] >= 40
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link, shown on focus: dark text on yellow
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    colours = skip.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert colours[0] == "rgb(11, 12, 12)", colours

    walk_to(page, EXPENSES, 4)
    page.get_by_role("link", name="Change categories").click()
    expect_step(page, 3, "Categories")
    group = page.get_by_role("group").first
    details = field(group, "Details")
    expect(details).to_be_hidden()  # not Other
    field(group, "Category").select_option("Other")
    expect(details).to_be_visible()
    check_page(page, f"k01-details-for-other-{width}")
    page.get_by_role("link", name="Back", exact=True).click()  # from a Change: back to review
    expect_step(page, 4, "Review and submit")
    page.get_by_role("link", name="Change receipts").click()
    file_box = field(page, "Receipt file").bounding_box()
    assert file_box and file_box["height"] >= 24
