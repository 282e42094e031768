"""Each whole flow works with JavaScript switched off (SPEC §3: all of this works without it):
errors, Add another and Remove on the step with several items, review, send."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.flows import (
    BrowserFlow,
    continue_to,
    expect_step,
    field,
    fill_page,
    press,
    send,
    start,
    summary_value,
)

pytestmark = pytest.mark.e2e


def test_whole_flow_without_javascript(
    new_context: Callable[..., BrowserContext],
    flow: BrowserFlow,
    screenshot: Callable[..., object],
    tmp_path: Path,
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    start(page, flow)
    press(page, "Continue")  # nothing typed: errors, no script to help

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    message, label = flow.step1_first_error
    expect(summary.get_by_role("link").first).to_have_text(message)
    expect(summary).not_to_be_focused()  # proof that no script ran
    summary.get_by_role("link").first.click()  # a plain in-page link still moves focus
    expect(field(page, label)).to_be_focused()
    # (no axe here: it is a script, and page.evaluate never returns with scripts disabled)
    screenshot(page, f"f01-{flow.name}-step1-error-without-javascript")

    for number in range(2, flow.items_step + 1):
        fill_page(page, flow)
        continue_to(page, flow, number)

    # Three items, then the second removed: the third moves up with what it holds
    fill_page(page, flow)
    for number in (1, 2, 3):
        flow.fill_item(flow.item_group(page, number), number, tmp_path)
        if number < 3:
            press(page, flow.add_label)
    press(page, f"Remove {flow.item} 2")
    expect(flow.item_groups(page)).to_have_count(2)
    flow.expect_item(flow.item_group(page, 1), 1)
    flow.expect_item(flow.item_group(page, 2), 3)
    expect(page.get_by_role("button", name=f"Remove {flow.item} 3")).to_have_count(0)
    screenshot(page, f"f02-{flow.name}-items-without-javascript")

    for number in range(flow.items_step + 1, 5):
        fill_page(page, flow)
        continue_to(page, flow, number)
    expect_step(page, 4, flow.titles[3])
    key, text = flow.item_row
    expect(summary_value(page, key)).to_contain_text([text(1), text(3)])
    expect(page.locator("body")).not_to_contain_text(text(2))

    reference = send(page, flow)
    expect(summary_value(page, key)).to_contain_text([text(1), text(3)])
    page.reload()
    assert flow.reference.search(page.get_by_role("main").inner_text())[0] == reference
