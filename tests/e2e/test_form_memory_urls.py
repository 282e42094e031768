"""Memory passed through the form behaves like a web page (issue 19, point 6), in each flow,
at 1280 and 390 px: the address bar shows the page's own address (after Continue and after
the inspector's Move memory), the browser's Back, Forward and reload bring the page back as
it was left (never "Confirm Form Resubmission": net::ERR_CACHE_MISS in Playwright), and a
step's address opened in a new tab says truthfully why it cannot show the page. Once the
draft is submitted or deleted, nothing of it stays in the tab: Back says so instead."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import assert_no_axe_violations, choose_place
from tests.e2e.flows import (
    BrowserFlow,
    continue_to,
    expect_step,
    field,
    fill_page,
    press,
    send,
    start,
    walk_to,
)

pytestmark = pytest.mark.e2e

WIDTHS = [1280, 390]
TYPED = "Typed Not Sent"
NOT_IN_ADDRESS = "This page cannot be shown from its address"
Shot = Callable[[Page, str], object]


@pytest.fixture(autouse=True)
def fail_fast(context: BrowserContext) -> None:
    context.set_default_timeout(10_000)  # a Back that never finishes fails fast


def own_address(flow: BrowserFlow, step: int, place: str = "f") -> re.Pattern[str]:
    """A step's address (a page shown after a redirect, as with a cookie, may add a notice)."""
    return re.compile(rf"{flow.prefix}/{place}\.[\w.-]+/{flow.steps[step - 1]}(\?notice=[\w-]+)?$")


def started(page: Page, flow: BrowserFlow, width: int, place: str = "form") -> None:
    page.set_viewport_size({"width": width, "height": 900})
    choose_place(page, place)
    start(page, flow)


def open_inspector(page: Page) -> Locator:
    panel = page.get_by_role("complementary", name="Session memory inspector")
    if panel.locator("details").get_attribute("open") is None:  # it stays open after a move
        panel.get_by_text("Session memory inspector", exact=True).click()
    expect(panel.get_by_text("Memory used:")).to_be_visible()
    return panel


def history_length(page: Page) -> int:
    length: int = page.evaluate("history.length")
    return length


@pytest.mark.parametrize("width", WIDTHS)
def test_the_address_bar_shows_each_pages_own_address(
    page: Page, flow: BrowserFlow, width: int, screenshot: Shot
) -> None:
    started(page, flow, width)
    expect(page).to_have_url(own_address(flow, 1))  # not the address of Start's POST
    draft = page.url.rsplit("/", 1)[0]
    for number in range(2, 5):
        fill_page(page, flow)
        continue_to(page, flow, number)
        expect(page).to_have_url(f"{draft}/{flow.steps[number - 1]}")  # not one behind
    screenshot(page, f"u01-{flow.name}-review-own-address-{width}")

    # Move memory (it sends the page's own form): to a cookie and back, each time the
    # moved draft's own address
    page.go_back()
    expect_step(page, 3, flow.titles[2])
    panel = open_inspector(page)
    panel.get_by_label("In a browser cookie", exact=True).check()
    press(panel, "Move memory")
    expect_step(page, 3, flow.titles[2])
    expect(page).to_have_url(own_address(flow, 3, "c"))
    panel = open_inspector(page)
    panel.get_by_label("Passed through the form", exact=True).check()
    press(panel, "Move memory")
    expect_step(page, 3, flow.titles[2])
    expect(page.get_by_role("status")).to_contain_text("Passed through the form")
    expect(page).to_have_url(own_address(flow, 3))
    assert page.url.rsplit("/", 2)[1] != draft.rsplit("/", 1)[1]  # the moved draft's new id
    screenshot(page, f"u02-{flow.name}-moved-own-address-{width}")
    continue_to(page, flow, 4)
    expect(page).to_have_url(page.url.rsplit("/", 1)[0] + f"/{flow.steps[3]}")


@pytest.mark.parametrize("width", WIDTHS)
def test_back_forward_and_reload_bring_the_page_back_as_it_was_left(
    page: Page, flow: BrowserFlow, width: int, screenshot: Shot
) -> None:
    started(page, flow, width)
    fill_page(page, flow)
    continue_to(page, flow, 2)
    fill_page(page, flow)
    sent = field(page, flow.step2_text).input_value()
    assert sent
    continue_to(page, flow, 3)
    step3 = page.url
    length = history_length(page)

    # Reload: step 3 again, its memory whole (Continue goes on to review) and what was typed
    text = page.get_by_role("main").get_by_role("textbox").last
    text.fill(TYPED)
    page.reload()  # net::ERR_CACHE_MISS ("Confirm Form Resubmission") would raise here
    expect_step(page, 3, flow.titles[2])
    expect(page).to_have_url(step3)
    expect(page.get_by_role("main").get_by_role("textbox").last).to_have_value(TYPED)

    # Back: step 2 as it was left, at its own address; reload keeps it so
    page.go_back()
    expect_step(page, 2, flow.titles[1])
    expect(page).to_have_url(own_address(flow, 2))
    expect(field(page, flow.step2_text)).to_have_value(sent)
    screenshot(page, f"u03-{flow.name}-back-to-step-2-{width}")
    page.reload()
    expect_step(page, 2, flow.titles[1])
    expect(field(page, flow.step2_text)).to_have_value(sent)

    # Forward: step 3 with what was typed there; no entry was added on the way
    page.go_forward()
    expect_step(page, 3, flow.titles[2])
    expect(page).to_have_url(step3)
    expect(page.get_by_role("main").get_by_role("textbox").last).to_have_value(TYPED)
    assert history_length(page) == length
    fill_page(page, flow)
    continue_to(page, flow, 4)  # the draft goes on from the page brought back


@pytest.mark.parametrize("width", WIDTHS)
def test_a_step_address_opened_in_a_new_tab_says_why_and_offers_back_and_start(
    page: Page, context: BrowserContext, flow: BrowserFlow, width: int, screenshot: Shot
) -> None:
    started(page, flow, width)
    fill_page(page, flow)
    continue_to(page, flow, 2)
    address = page.url

    tab = context.new_page()
    tab.set_viewport_size({"width": width, "height": 900})
    answer = tab.goto(address)
    assert answer is not None and answer.status == 409
    expect(tab.get_by_role("heading", level=1)).to_have_text(NOT_IN_ADDRESS)
    main = tab.get_by_role("main")
    expect(main).to_contain_text(f"This {flow.noun} draft keeps its answers in the page itself")
    expect(main).to_contain_text("use your browser's Back button to return to the page")
    expect(main).to_contain_text("more than 30 minutes without activity, it has expired")
    screenshot(tab, f"u04-{flow.name}-address-alone-{width}")
    assert_no_axe_violations(tab, f"u04-{flow.name}-address-alone-{width}")

    # The page it names goes on in its own tab; Start in the new one starts a new draft
    fill_page(page, flow)
    continue_to(page, flow, 3)
    press(main, flow.start_label)
    expect_step(tab, 1, flow.titles[0])
    assert tab.url.rsplit("/", 2)[1] != address.rsplit("/", 2)[1]


def held_in_tab(page: Page) -> str:
    """What this tab holds besides the page: its history entry's state and sessionStorage."""
    held: str = page.evaluate("JSON.stringify([history.state, Object.entries(sessionStorage)])")
    return held


def expect_nothing_brought_back(page: Page, heading: str) -> None:
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert "expenseWizardPage" not in held_in_tab(page)
    assert "expense-wizard-typed" not in held_in_tab(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_after_submit_or_delete_back_brings_nothing_back(
    page: Page, flow: BrowserFlow, width: int, screenshot: Shot
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    choose_place(page, "form")
    walk_to(page, flow, 4)
    assert "expenseWizardPage" in held_in_tab(page)  # until it is sent
    send(page, flow)
    expect_nothing_brought_back(page, f"This {flow.noun} has already been submitted")
    screenshot(page, f"u05-{flow.name}-back-after-submit-{width}")

    start(page, flow)
    fill_page(page, flow)
    continue_to(page, flow, 2)
    field(page, flow.step2_text).fill(TYPED)
    page.wait_for_function(f"() => JSON.stringify(history.state).includes('{TYPED}')")
    page.evaluate("document.getElementById('expiry-dialog').showModal()")
    press(page.get_by_role("dialog"), "Delete my draft now")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(flow.titles[1])
    expect_nothing_brought_back(page, "Submit an expense report")  # the start page
    expect(page.get_by_role("status")).to_have_text("Your draft was deleted.")


def test_typing_kept_for_an_older_revision_is_not_laid_over_newer_answers(
    page: Page, flow: BrowserFlow
) -> None:
    started(page, flow, 1280)
    fill_page(page, flow)
    # What a bringing back that never arrived left in this tab (say, the network failed)
    page.evaluate(
        """() => sessionStorage.setItem("expense-wizard-typed:" + location.pathname,
          JSON.stringify({revision: "older", typed: Array.from(
            document.querySelectorAll("#step-form input[type=text]"), e => [e.name, "Stale"])}))"""
    )
    continue_to(page, flow, 2)
    press(page, "Back")  # step 1 again at the same address, with the answers just sent
    expect_step(page, 1, flow.titles[0])
    values = page.locator("#step-form input[type=text]").evaluate_all(
        "all => all.map(e => e.value)"
    )
    assert values and "Stale" not in values
