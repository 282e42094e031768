"""Layout a person notices at once: the page content must not stick to the header."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

MIN_GAP = 15  # px between the header's bottom edge and the first thing in <main>


@pytest.mark.parametrize("path", ["/", "/report/no-such-draft/employee"])
def test_main_content_has_room_below_the_header(page: Page, path: str) -> None:
    """The stylesheet gives <main> 20px of top padding; content touching the header's
    blue bar (or a focused error summary's outline overlapping it) is a layout bug."""
    page.goto(path)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
    header_box = page.get_by_role("banner").bounding_box()
    first_box = page.get_by_role("main").locator("> *").first.bounding_box()
    assert header_box and first_box
    gap = first_box["y"] - (header_box["y"] + header_box["height"])
    assert gap >= MIN_GAP, f"content starts {gap:.0f}px below the header on {path}"
