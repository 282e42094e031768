"""Memory in cookies cannot lock a browser out (issue 15.6): every draft cookie counts
against one bound on the Cookie header the browser sends, below the 8,190 bytes servers
such as gunicorn accept. The draft that would cross it is refused on its page, with
everything typed kept and the way on offered (keep memory on the server)."""

from __future__ import annotations

import secrets

import pytest
from flask import Flask

from tests.helpers import Wizard, errors_of, receipt_form
from tests.integration.test_cookie_memory import use_cookie

SERVER_HEADER_LIMIT = 8_190  # gunicorn's limit_request_field_size


def cookie_header(wizard: Wizard) -> int:
    jar = wizard.client._cookies.values()  # what the browser would send to this host
    return len("; ".join(f"{cookie.key}={cookie.value}" for cookie in jar))


def filled_receipts(count: int) -> dict[str, str]:
    data: dict[str, str] = {}
    for i in range(count):  # incompressible text: each draft cookie near its 4 KB
        data.update(receipt_form(i, description=secrets.token_urlsafe(100)))
    return data


def test_many_full_cookie_drafts_never_lock_the_browser_out(app: Flask, wizard: Wizard) -> None:
    use_cookie(wizard)
    refused = None
    for _ in range(8):
        wizard.start()
        assert wizard.fill_employee().status_code == 303
        page = wizard.post("receipts", filled_receipts(6))
        assert page.status_code in (200, 303)
        if page.status_code == 200:
            refused = page
            break
    assert refused is not None, "eight full cookie drafts were all accepted"
    assert any("no longer fits in your browser" in message for _, message in errors_of(refused))
    assert "Keep memory on the server and continue" in refused.text
    assert refused.text.count('value="Merchant 6"') == 1  # what was typed is on the page
    assert cookie_header(wizard) < SERVER_HEADER_LIMIT
    assert wizard.client.get("/").status_code == 200
    moved = wizard.post("receipts", {**filled_receipts(6), "move_to": "server"})
    assert moved.status_code == 303 and moved.location.endswith("/categories")


def cookie_of(wizard: Wizard) -> tuple[str, str]:
    """The name and value of the cookie that carries the wizard's current draft."""
    key = "draft_" + wizard.draft_url.rsplit("/", 1)[1]
    (cookie,) = [c for c in wizard.client._cookies.values() if c.key.endswith(key)]
    return cookie.key, cookie.value


@pytest.mark.parametrize("app_config", [{"WIZARD_COOKIE_HEADER_LIMIT": 3000}])
def test_two_cookie_drafts_growing_at_the_same_moment_stay_within_the_bound(
    app: Flask, wizard: Wizard
) -> None:
    """Two tabs each grow their own draft's cookie at once: each request sees the other
    cookie as it was, and alone each fits. The second must still count the first's new size."""
    use_cookie(wizard)
    drafts = []
    for _ in range(2):
        wizard.start()
        assert wizard.fill_employee().status_code == 303
        drafts.append(wizard.draft_url)
    wizard.draft_url = drafts[0]
    first_left_with = cookie_of(wizard)
    assert wizard.post("receipts", filled_receipts(8)).status_code == 303
    first_answered = cookie_of(wizard)
    wizard.client.set_cookie(*first_left_with)  # the second request left before that answer
    wizard.draft_url = drafts[1]
    second = wizard.post("receipts", filled_receipts(8))
    wizard.client.set_cookie(*first_answered)  # both answers have arrived
    assert cookie_header(wizard) <= 3000, "the browser now sends more than servers accept"
    assert second.status_code == 200
    assert any("no longer fits in your browser" in message for _, message in errors_of(second))
    assert second.text.count('value="Merchant 7"') == 1  # what was typed is on the page
