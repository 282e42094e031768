"""The dialog that warns before a draft's idle timeout (SPEC §5), in a real browser."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from app import create_app
from tests.e2e.conftest import HOST, QuietRequestHandler, assert_no_axe_violations, field, press

pytestmark = pytest.mark.e2e
DIALOG = "Do you want to keep your draft?"


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An app whose drafts expire after 6 s of inactivity, with the warning 4 s before."""
    config = {"TESTING": True, "WIZARD_IDLE_TIMEOUT": 6, "WIZARD_EXPIRY_WARNING": 4}
    app = create_app(config, instance_path=str(tmp_path_factory.mktemp("short")))
    server = make_server(HOST, 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOST}:{server.server_port}"
    server.shutdown()
    server.server_close()


def start_typing(page: Page, server: str) -> None:
    page.goto(server + "/")
    press(page, "Start a new expense report")
    field(page, "Full name").fill("Typed But Not Sent")


def test_keep_my_draft_with_the_keyboard_keeps_everything_typed(
    page: Page, short_lived: str, screenshot: Callable[[Page, str], object]
) -> None:
    start_typing(page, short_lived)
    dialog = page.get_by_role("dialog", name=DIALOG)
    expect(dialog).to_be_visible(timeout=5000)
    expect(dialog).to_contain_text("Your draft will be deleted in 4 seconds unless you continue")
    assert page.evaluate("document.activeElement.closest('dialog') !== null")  # focus moved in
    screenshot(page, "x01-expiry-dialog")
    assert_no_axe_violations(page, "expiry dialog")
    page.keyboard.press("Enter")  # the first button, Keep my draft, has the focus
    expect(dialog).to_be_hidden()
    expect(field(page, "Full name")).to_have_value("Typed But Not Sent")
    expect(dialog).to_be_visible(timeout=5000)  # warned again before the new expiry...
    page.keyboard.press("Enter")  # ...and kept again (the server slides the expiry each time)
    expect(dialog).to_be_hidden()
    press(page, "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Employee details")
    expect(page.get_by_text("There is a problem")).to_be_visible()  # the rest was not typed
    expect(field(page, "Full name")).to_have_value("Typed But Not Sent")


def test_ignoring_the_warning_ends_on_the_expired_page(page: Page, short_lived: str) -> None:
    start_typing(page, short_lived)
    expect(page.get_by_role("dialog", name=DIALOG)).to_be_visible(timeout=5000)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("This expense report draft has expired", timeout=8000)
    expect(page.get_by_text("Nothing was submitted")).to_be_visible()


def test_delete_my_draft_now(page: Page, short_lived: str) -> None:
    start_typing(page, short_lived)
    draft_url = page.url
    expect(page.get_by_role("dialog", name=DIALOG)).to_be_visible(timeout=5000)
    press(page, "Delete my draft now")
    expect(page.get_by_text("Your draft was deleted.")).to_be_visible()
    page.goto(draft_url)  # its address again: said to be deleted, not expired
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an expense report")
    expect(page.get_by_text("Your draft was deleted.")).to_be_visible()
