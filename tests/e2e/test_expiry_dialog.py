"""The dialog that warns before a draft's idle timeout (SPEC §5), in a real browser, in each
flow.

With the lifetimes SPEC §5 gives (30 minutes idle, the warning 2 minutes before), on two
clocks moved on together instead of waited for: the app's (tests/clock.py; it serves from a
thread of this process) and the browser's timers (Playwright's page.clock)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from app import create_app
from tests.clock import IDLE_TIMEOUT, MINUTE, MovableClock
from tests.e2e.conftest import HOST, QuietRequestHandler, assert_no_axe_violations, field, press
from tests.e2e.flows import BrowserFlow

pytestmark = pytest.mark.e2e
DIALOG = "Do you want to keep your draft?"
WARNING = 2 * MINUTE  # SPEC §5: the warning comes 2 minutes before the idle timeout


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An app of its own with the default lifetimes, served in this process (so the test's
    clock is the app's): moving its clock leaves the other browser tests' drafts alone."""
    app = create_app({"TESTING": True}, instance_path=str(tmp_path_factory.mktemp("expiry")))
    server = make_server(HOST, 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOST}:{server.server_port}"
    server.shutdown()
    server.server_close()


def let_pass(page: Page, clock: MovableClock, seconds: float) -> None:
    """`seconds` pass for the app, then for the browser, whose due timers fire."""
    clock.sleep(seconds)
    page.clock.run_for(int(seconds * 1000))


def start_typing(page: Page, server: str, flow: BrowserFlow) -> None:
    # The browser's timers run on a clock let_pass moves on. It also runs in real time (the
    # page loads, axe runs): seconds, beside steps of minutes.
    page.clock.install()
    page.goto(server + "/")
    press(page, flow.start_label)
    # The step's script (deferred) sets the dialog's timer; a loaded machine may run it after
    # let_pass moved the clock on, and the timer would then be due minutes later.
    page.wait_for_load_state("load")
    field(page, "Full name").fill("Typed But Not Sent")


def test_keep_my_draft_with_the_keyboard_keeps_everything_typed(
    page: Page,
    served: str,
    flow: BrowserFlow,
    clock: MovableClock,
    screenshot: Callable[[Page, str], object],
) -> None:
    start_typing(page, served, flow)
    dialog = page.get_by_role("dialog", name=DIALOG)
    let_pass(page, clock, IDLE_TIMEOUT - WARNING - MINUTE)
    expect(dialog).to_be_hidden()  # not a minute before the warning is due
    let_pass(page, clock, MINUTE)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Your draft will be deleted in 2 minutes unless you continue")
    assert page.evaluate("document.activeElement.closest('dialog') !== null")  # focus moved in
    screenshot(page, f"x01-expiry-dialog-{flow.name}")
    assert_no_axe_violations(page, "expiry dialog")
    page.keyboard.press("Enter")  # the first button, Keep my draft, has the focus
    expect(dialog).to_be_hidden()
    expect(field(page, "Full name")).to_have_value("Typed But Not Sent")
    let_pass(page, clock, IDLE_TIMEOUT - WARNING)  # 56 minutes in all: kept, not expired
    expect(dialog).to_be_visible()  # warned again before the new expiry...
    page.keyboard.press("Enter")  # ...and kept again (the server slides the expiry each time)
    expect(dialog).to_be_hidden()
    press(page, "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text(flow.titles[0])
    expect(page.get_by_text("There is a problem")).to_be_visible()  # the rest was not typed
    expect(field(page, "Full name")).to_have_value("Typed But Not Sent")


def test_ignoring_the_warning_ends_on_the_expired_page(
    page: Page, served: str, flow: BrowserFlow, clock: MovableClock
) -> None:
    start_typing(page, served, flow)
    let_pass(page, clock, IDLE_TIMEOUT - WARNING)
    expect(page.get_by_role("dialog", name=DIALOG)).to_be_visible()
    let_pass(page, clock, WARNING + 1)  # the page reloads a second after the idle timeout
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"This {flow.noun} draft has expired")
    expect(page.get_by_text("Nothing was submitted")).to_be_visible()
    expect(page.get_by_role("button", name=flow.start_label, exact=True)).to_be_visible()


def test_delete_my_draft_now(
    page: Page, served: str, flow: BrowserFlow, clock: MovableClock
) -> None:
    start_typing(page, served, flow)
    draft_url = page.url
    let_pass(page, clock, IDLE_TIMEOUT - WARNING)
    expect(page.get_by_role("dialog", name=DIALOG)).to_be_visible()
    press(page, "Delete my draft now")
    expect(page.get_by_text("Your draft was deleted.")).to_be_visible()
    page.goto(draft_url)  # its address again: said to be deleted, not expired
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an expense report")
    expect(page.get_by_text("Your draft was deleted.")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_time_left_counts_down_and_escape_keeps_the_draft(
    page: Page,
    served: str,
    flow: BrowserFlow,
    clock: MovableClock,
    width: int,
    screenshot: Callable[[Page, str], object],
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    start_typing(page, served, flow)
    dialog = page.get_by_role("dialog", name=DIALOG)
    let_pass(page, clock, IDLE_TIMEOUT - WARNING)
    expect(dialog).to_contain_text("Your draft will be deleted in 2 minutes unless you continue")
    let_pass(page, clock, 35)
    expect(dialog).to_contain_text("deleted in 1 minute 25 seconds unless you continue")
    let_pass(page, clock, 50)
    expect(dialog).to_contain_text("deleted in 35 seconds unless you continue")
    screenshot(page, f"x02-expiry-countdown-{flow.name}-{width}")
    assert_no_axe_violations(page, f"expiry countdown {width}")
    page.keyboard.press("Escape")  # GOV.UK: Escape keeps, as "Keep my draft" does
    expect(dialog).to_be_hidden()
    expect(field(page, "Full name")).to_have_value("Typed But Not Sent")
    let_pass(page, clock, 40)  # past the old expiry: kept on the server, so no reload
    expect(field(page, "Full name")).to_have_value("Typed But Not Sent")
    expect(dialog).to_be_hidden()
    press(page, "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text(flow.titles[0])  # not expired
    expect(field(page, "Full name")).to_have_value("Typed But Not Sent")
