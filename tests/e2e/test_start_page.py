"""Choosing where memory lives is one action with Start (issue 19, point 2): the place
checked when Start is pressed is the draft's, and its first page says so."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.flows import BrowserFlow, expect_step, press

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 390])
def test_the_place_checked_goes_with_start(page: Page, flow: BrowserFlow, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    assert_no_axe_violations(page, f"start-{width}")
    strategy = page.get_by_role("group", name="Where session memory lives")
    strategy.get_by_label("In a browser cookie", exact=True).check()
    press(page, flow.start_label)  # no "Use this" first
    expect_step(page, 1, flow.titles[0])
    expect(page.get_by_role("status")).to_contain_text(
        "Where session memory lives for this draft: In a browser cookie"
    )
    assert f"{flow.prefix}/c." in page.url  # a cookie draft
    cookies = [c["name"] for c in page.context.cookies()]
    assert any(name.startswith("expense_wizard_draft_") for name in cookies)
    assert_no_axe_violations(page, f"start-place-notice-{flow.name}-{width}")
