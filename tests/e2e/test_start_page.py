"""The start page speaks to the person claiming (issue 19, point 5): Start first, in plain
words; the developer material (where memory lives, the parts of the app) on How this demo
works, linked from the start page and every footer, as is the guide. Choosing where memory
lives is one action with Start (point 2): the place checked when Start is pressed is the
draft's, and its first page says so."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import HOW_IT_WORKS, assert_no_axe_violations
from tests.e2e.flows import BrowserFlow, expect_step, press

pytestmark = pytest.mark.e2e
WIDTHS = [1280, 390]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_start_page_puts_start_first_and_the_demo_one_link_away(
    page: Page, width: int, check_page: Callable[[Page, str], None]
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    main = page.get_by_role("main")
    first_button = main.get_by_role("button").first
    expect(first_button).to_have_text("Start a new expense report")
    expect(first_button).to_be_in_viewport()  # no scrolling to begin
    for developer_word in ("gunicorn", "Redis", "load balancer", "Where session memory lives"):
        expect(main).not_to_contain_text(developer_word)
    expect(page.get_by_role("figure")).to_have_count(0)  # the diagram lives on its own page
    check_page(page, f"h01-start-{width}")

    footer = page.get_by_role("contentinfo")
    expect(
        footer.get_by_role("link", name="Which session memory fits your service")
    ).to_be_visible()
    footer.get_by_role("link", name="How this demo works").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How this demo works")
    expect(page.get_by_role("group", name="Where session memory lives")).to_be_visible()
    expect(page.get_by_role("figure")).to_contain_text("Highlighted path")
    check_page(page, f"h02-how-it-works-{width}")
    page.get_by_role("link", name="Answer a few questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Which kind of session memory fits you?"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_the_place_checked_goes_with_start(page: Page, flow: BrowserFlow, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(HOW_IT_WORKS)
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
