"""Small things a person notices while moving between steps, in each flow: the Back link,
the URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import BrowserFlow, continue_to, expect_step, field, fill_page, press, walk_to

pytestmark = pytest.mark.e2e


def test_back_link_is_named_back_and_keeps_the_answers(page: Page, flow: BrowserFlow) -> None:
    """SPEC §3: a "Back" link. A screen reader should read "Back", not the arrow the
    stylesheet puts before it (CSS generated content is part of the accessible name)."""
    walk_to(page, flow, 3)
    step2_value = field(page, flow.step2_text)  # (memory on: not on step 3's page)
    expect(step2_value).to_have_count(0)

    for number in (2, 1):
        back = page.get_by_role("link", name=re.compile("Back"))
        expect(back).to_be_visible()
        # the page has settled: read its accessible name once instead of waiting for a change
        snapshot = back.aria_snapshot()
        assert snapshot.startswith('- link "Back"'), f"accessible name is not Back:\n{snapshot}"
        back.click()
        expect_step(page, number, flow.titles[number - 1])
        if number == 2:
            expect(step2_value).not_to_have_value("")
    expect(field(page, "Full name")).to_have_value("Grace Hopper")


def test_adding_an_item_leaves_no_anchor_in_later_urls(
    page: Page, flow: BrowserFlow, tmp_path: Path
) -> None:
    """Add another receipt (attachment) jumps to the new group (#receipt-2); the next steps'
    URLs must be their plain URLs, not /categories#receipt-2 and /confirmation#receipt-2."""
    walk_to(page, flow, flow.items_step)
    fill_page(page, flow)
    flow.fill_item(flow.item_group(page, 1), 1, tmp_path)
    press(page, flow.add_label)
    expect(page).to_have_url(re.compile(rf"/{flow.steps[flow.items_step - 1]}#{flow.item}-2$"))
    flow.fill_item(flow.item_group(page, 2), 2, tmp_path)
    continue_to(page, flow, flow.items_step + 1)

    # the page has settled: its URL won't change
    next_step = flow.steps[flow.items_step]
    plain = rf"{flow.prefix}/[^/#]+/{next_step}$"
    assert re.search(plain, page.url), f"anchor of step {flow.items_step} kept: {page.url}"
