"""Memory in cookies cannot lock a browser out (issue 15.6): every draft cookie counts
against one bound on the Cookie header the browser sends, below the 8,190 bytes servers
such as gunicorn accept. The draft that would cross it is refused on its page, with
everything typed kept and the way on offered (keep memory on the server). On every flow."""

from __future__ import annotations

import secrets

import pytest
from flask import Flask

from tests.adversarial.flows import after_items, before_items
from tests.helpers import Wizard, errors_of, receipt_form
from tests.integration.test_cookie_memory import use_cookie

SERVER_HEADER_LIMIT = 8_190  # gunicorn's limit_request_field_size


def cookie_header(wizard: Wizard) -> int:
    jar = wizard.client._cookies.values()  # what the browser would send to this host
    return len("; ".join(f"{cookie.key}={cookie.value}" for cookie in jar))


def filled_items_step(wizard: Wizard, receipts: int) -> tuple[dict[str, str], list[str]]:
    """The items step with incompressible text, each draft cookie near its 4 KB at six
    receipts' worth; and those texts: the receipts' descriptions, or the problem's."""
    if wizard.flow_name == "expenses":
        texts = [secrets.token_urlsafe(100) for _ in range(receipts)]
        data: dict[str, str] = {}
        for i, text in enumerate(texts):
            data.update(receipt_form(i, description=text))
        return data, texts
    texts = [secrets.token_urlsafe(150 * receipts)[:2000]]  # one description holds it all
    return wizard.page_data(wizard.items_step, description=texts[0]), texts


def test_many_full_cookie_drafts_never_lock_the_browser_out(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client())
    use_cookie(wizard)
    refused = None
    for _ in range(10):
        before_items(wizard)
        data, texts = filled_items_step(wizard, 6)
        page = wizard.post(wizard.items_step, data)
        assert page.status_code in (200, 303)
        if page.status_code == 200:
            refused = page
            break
    assert refused is not None, "ten full cookie drafts were all accepted"
    assert any("no longer fits in your browser" in message for _, message in errors_of(refused))
    assert "Keep memory on the server and continue" in refused.text
    assert all(refused.text.count(text) == 1 for text in texts)  # what was typed is shown
    assert cookie_header(wizard) < SERVER_HEADER_LIMIT
    assert wizard.client.get("/").status_code == 200
    moved = wizard.post(wizard.items_step, {**data, "move_to": "server"})
    next_step = (*after_items(wizard), wizard.steps[-1])[0]
    assert moved.status_code == 303 and moved.location.endswith(f"/{next_step}")
    wizard.draft_url = moved.location.rsplit("/", 1)[0]  # on the server now: nothing lost
    assert all(text in wizard.get(wizard.items_step).text for text in texts)


def cookie_of(wizard: Wizard) -> tuple[str, str]:
    """The name and value of the cookie that carries the wizard's current draft."""
    key = "draft_" + wizard.draft_id
    (cookie,) = [c for c in wizard.client._cookies.values() if c.key.endswith(key)]
    return cookie.key, cookie.value


@pytest.mark.parametrize("app_config", [{"WIZARD_COOKIE_HEADER_LIMIT": 3000}])
def test_two_cookie_drafts_growing_at_the_same_moment_stay_within_the_bound(
    app: Flask, driver: type[Wizard]
) -> None:
    """Two tabs each grow their own draft's cookie at once: each request sees the other
    cookie as it was, and alone each fits. The second must still count the first's new size."""
    wizard = driver(app.test_client())
    use_cookie(wizard)
    drafts = []
    for _ in range(2):
        before_items(wizard)
        drafts.append(wizard.draft_url)
    wizard.draft_url = drafts[0]
    first_left_with = cookie_of(wizard)
    assert wizard.post(wizard.items_step, filled_items_step(wizard, 8)[0]).status_code == 303
    first_answered = cookie_of(wizard)
    wizard.client.set_cookie(*first_left_with)  # the second request left before that answer
    wizard.draft_url = drafts[1]
    data, texts = filled_items_step(wizard, 8)
    second = wizard.post(wizard.items_step, data)
    wizard.client.set_cookie(*first_answered)  # both answers have arrived
    assert cookie_header(wizard) <= 3000, "the browser now sends more than servers accept"
    assert second.status_code == 200
    assert any("no longer fits in your browser" in message for _, message in errors_of(second))
    assert all(second.text.count(text) == 1 for text in texts)  # what was typed is shown
