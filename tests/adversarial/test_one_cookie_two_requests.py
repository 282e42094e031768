"""Two requests sent at the same moment with one cookie draft (issue 15.2): both start from
the cookie the browser holds, and the browser keeps whichever Set-Cookie arrives last. The
second write must not overwrite the first, silently dropping its answers: it is refused
with "changed in another tab" and what it sent shown again. A page that only reads never
puts an older copy back over a newer one.

The race is replayed exactly: the test keeps the cookie as it was when both requests left
the browser and sends the second request with it after the first was answered."""

from __future__ import annotations

import json
import time

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from app.memory.ledger import IN_FLIGHT
from tests.helpers import Wizard, receipt_form
from tests.integration.test_cookie_memory import use_cookie

CHANGED = "This draft was changed in another tab"


def draft_cookie(wizard: Wizard) -> tuple[str, str]:
    """The name and value of the cookie that carries the draft."""
    key = "draft_" + wizard.draft_url.rsplit("/", 1)[1]
    (cookie,) = [c for c in wizard.client._cookies.values() if c.key.endswith(key)]
    return cookie.key, cookie.value


def sent_at_once(wizard: Wizard) -> tuple[str, str]:
    """A cookie draft at Receipts, and the cookie both tabs' requests leave with."""
    use_cookie(wizard)
    wizard.start()
    assert wizard.fill_employee().status_code == 303
    return draft_cookie(wizard)


def with_cookie(wizard: Wizard, cookie: tuple[str, str]) -> None:
    """The browser's jar as it was when the second request left it."""
    wizard.client.set_cookie(*cookie)


def merchant_kept(wizard: Wizard) -> str:
    page = wizard.get("receipts").text
    return "Tab A" if 'value="Tab A"' in page else "Tab B" if 'value="Tab B"' in page else ""


def test_the_second_of_two_saves_at_once_is_refused_not_lost(app: Flask, wizard: Wizard) -> None:
    both_left_with = sent_at_once(wizard)
    assert wizard.post("receipts", receipt_form(0, merchant="Tab A")).status_code == 303
    saved_by_a = draft_cookie(wizard)
    with_cookie(wizard, both_left_with)
    page = wizard.post("receipts", receipt_form(0, merchant="Tab B"))
    assert page.status_code == 409 and CHANGED in page.text
    assert 'value="Tab B"' in page.text  # what tab B sent is on its page
    assert "expense_wizard_draft" not in page.headers.get("Set-Cookie", "")
    with_cookie(wizard, saved_by_a)  # the browser kept A's cookie: B's response set none
    assert merchant_kept(wizard) == "Tab A"
    assert wizard.post("receipts", receipt_form(0, merchant="Tab B")).status_code == 303
    assert merchant_kept(wizard) == "Tab B"  # pressed again, from the newer copy


def test_add_at_the_same_moment_as_a_save_is_refused_too(app: Flask, wizard: Wizard) -> None:
    both_left_with = sent_at_once(wizard)
    assert wizard.post("receipts", receipt_form(0, merchant="Tab A")).status_code == 303
    with_cookie(wizard, both_left_with)
    page = wizard.post("receipts", {**receipt_form(0, merchant="Tab B"), "action": "add"})
    assert page.status_code == 409 and CHANGED in page.text


def test_a_page_read_at_that_moment_does_not_put_the_older_copy_back(
    app: Flask, wizard: Wizard
) -> None:
    both_left_with = sent_at_once(wizard)
    assert wizard.post("receipts", receipt_form(0, merchant="Tab A")).status_code == 303
    with_cookie(wizard, both_left_with)
    page = wizard.get("employee")
    assert page.status_code == 200
    assert "expense_wizard_draft" not in page.headers.get("Set-Cookie", "")


def test_an_answer_that_never_reached_the_browser_does_not_lock_the_draft(
    app: Flask, wizard: Wizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sent_at_once(wizard)
    assert wizard.post("receipts", receipt_form(0, merchant="Lost")).status_code == 303
    with_cookie(wizard, before)  # that response was lost on the way
    later = time.time() + IN_FLIGHT + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert wizard.post("receipts", receipt_form(0, merchant="Tab B")).status_code == 303
    assert merchant_kept(wizard) == "Tab B"


def put_note(wizard: Wizard, text: str) -> TestResponse:
    url = f"/api/drafts/{wizard.draft_id}/state/note"
    headers = {"X-CSRFToken": wizard.token(), "Content-Type": "application/json"}
    return wizard.client.put(url, data=json.dumps(text), headers=headers)


def test_an_api_write_at_the_same_moment_is_refused_with_a_problem(
    app: Flask, wizard: Wizard
) -> None:
    both_left_with = sent_at_once(wizard)
    assert put_note(wizard, "from tab A").status_code == 200
    with_cookie(wizard, both_left_with)
    refused = put_note(wizard, "from tab B")
    assert refused.status_code == 409 and refused.json["code"] == "changed_elsewhere"
    assert "nothing was stored" in refused.json["detail"]
    assert "expense_wizard_draft" not in refused.headers.get("Set-Cookie", "")
