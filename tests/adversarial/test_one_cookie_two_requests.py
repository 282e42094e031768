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
from tests.adversarial.flows import MADE_UP_FILE, item_field, kept, shown, typed
from tests.helpers import Wizard
from tests.integration.test_cookie_memory import use_cookie

CHANGED = "This draft was changed in another tab"


@pytest.fixture
def wizard(app: Flask, driver: type[Wizard]) -> Wizard:
    """A browser on each flow in turn."""
    return driver(app.test_client())


def draft_cookie(wizard: Wizard) -> tuple[str, str]:
    """The name and value of the cookie that carries the draft."""
    key = "draft_" + wizard.draft_url.rsplit("/", 1)[1]
    (cookie,) = [c for c in wizard.client._cookies.values() if c.key.endswith(key)]
    return cookie.key, cookie.value


def sent_at_once(wizard: Wizard) -> tuple[str, str]:
    """A cookie draft past step 1, and the cookie both tabs' requests leave with."""
    use_cookie(wizard)
    wizard.start()
    assert wizard.fill(wizard.steps[0]).status_code == 303
    if wizard.items_step != wizard.steps[1]:  # the items step needs what comes before it
        assert wizard.fill(wizard.steps[1]).status_code == 303
    return draft_cookie(wizard)


def save(wizard: Wizard, text: str, **extra: str) -> TestResponse:
    """The items step sent with `text` typed in it."""
    return wizard.post(wizard.items_step, {**typed(wizard, text), **extra})


def with_cookie(wizard: Wizard, cookie: tuple[str, str]) -> None:
    """The browser's jar as it was when the second request left it."""
    wizard.client.set_cookie(*cookie)


def test_the_second_of_two_saves_at_once_is_refused_not_lost(app: Flask, wizard: Wizard) -> None:
    both_left_with = sent_at_once(wizard)
    assert save(wizard, "Tab A").status_code == 303
    saved_by_a = draft_cookie(wizard)
    with_cookie(wizard, both_left_with)
    page = save(wizard, "Tab B")
    assert page.status_code == 409 and CHANGED in page.text
    assert shown(page, wizard) == "Tab B"  # what tab B sent is on its page
    assert "expense_wizard_draft" not in page.headers.get("Set-Cookie", "")
    with_cookie(wizard, saved_by_a)  # the browser kept A's cookie: B's response set none
    assert kept(wizard) == "Tab A"
    assert save(wizard, "Tab B").status_code == 303
    assert kept(wizard) == "Tab B"  # pressed again, from the newer copy


def test_add_at_the_same_moment_as_a_save_is_refused_too(app: Flask, wizard: Wizard) -> None:
    both_left_with = sent_at_once(wizard)
    assert save(wizard, "Tab A").status_code == 303
    with_cookie(wizard, both_left_with)
    page = save(wizard, "Tab B", action="add")
    assert page.status_code == 409 and CHANGED in page.text


def test_a_page_read_at_that_moment_does_not_put_the_older_copy_back(
    app: Flask, wizard: Wizard
) -> None:
    both_left_with = sent_at_once(wizard)
    assert save(wizard, "Tab A").status_code == 303
    with_cookie(wizard, both_left_with)
    page = wizard.get(wizard.steps[0])
    assert page.status_code == 200
    assert "expense_wizard_draft" not in page.headers.get("Set-Cookie", "")


def test_an_answer_that_never_reached_the_browser_does_not_lock_the_draft(
    app: Flask, wizard: Wizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sent_at_once(wizard)
    assert save(wizard, "Lost").status_code == 303
    with_cookie(wizard, before)  # that response was lost on the way
    later = time.time() + IN_FLIGHT + 1
    monkeypatch.setattr(time, "time", lambda: later)
    told = save(wizard, "Tab B")
    assert told.status_code == 409 and shown(told, wizard) == "Tab B"  # once, nothing lost
    assert save(wizard, "Tab B").status_code == 303
    assert kept(wizard) == "Tab B"


def test_a_slow_request_from_an_older_copy_never_overwrites_a_newer_one(
    app: Flask, wizard: Wizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow upload left with copy n; another tab's save made copy n+1, which reached the
    browser; the upload arrives long after (review: 10 s is no bound on a body)."""
    slow_left_with = sent_at_once(wizard)
    assert save(wizard, "Tab A").status_code == 303
    saved_by_a = draft_cookie(wizard)
    later = time.time() + IN_FLIGHT + 60
    monkeypatch.setattr(time, "time", lambda: later)
    with_cookie(wizard, slow_left_with)
    refused = save(wizard, "Slow B")
    assert refused.status_code == 409 and shown(refused, wizard) == "Slow B"
    with_cookie(wizard, saved_by_a)  # the browser kept A's cookie
    assert kept(wizard) == "Tab A"


def put_note(wizard: Wizard, text: str) -> TestResponse:
    url = f"/api/drafts/{wizard.draft_id}/state/note"
    headers = {"X-CSRFToken": wizard.token(), "Content-Type": "application/json"}
    return wizard.client.put(url, data=json.dumps(text), headers=headers)


@pytest.mark.demo  # reads the inspector, the guide or the state API
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


def at_review(wizard: Wizard) -> None:
    sent_at_once(wizard)
    for step in wizard.steps[wizard.steps.index(wizard.items_step) : -1]:
        assert wizard.fill(step).status_code == 303


def test_a_submit_from_an_older_copy_is_refused_and_submits_nothing(
    app: Flask, wizard: Wizard
) -> None:
    at_review(wizard)
    submit_left_with = draft_cookie(wizard)
    assert wizard.fill(wizard.steps[0], full_name="Changed In Tab A").status_code == 303
    saved_by_a = draft_cookie(wizard)
    with_cookie(wizard, submit_left_with)
    refused = wizard.submit()
    assert refused.status_code == 409 and CHANGED in refused.text
    with_cookie(wizard, saved_by_a)
    done = wizard.submit()
    assert done.status_code == 303 and done.location.endswith("/confirmation")
    assert "Changed In Tab A" in wizard.client.get(done.location).text


def test_a_move_from_an_older_copy_is_refused_and_moves_nothing(app: Flask, wizard: Wizard) -> None:
    move_left_with = sent_at_once(wizard)
    assert save(wizard, "Tab A").status_code == 303
    saved_by_a = draft_cookie(wizard)
    with_cookie(wizard, move_left_with)
    data = {"csrf_token": wizard.token(), "strategy": "server", "flow": wizard.flow_name,
            "draft": wizard.draft_id, "step": wizard.items_step}  # fmt: skip
    refused = wizard.client.post("/memory/strategy", data=data)
    assert refused.status_code == 303 and "notice=not-moved" in refused.location
    assert refused.location.startswith(f"{wizard.draft_url}/")  # the same draft, not moved
    with_cookie(wizard, saved_by_a)
    assert kept(wizard) == "Tab A"


def test_a_renewal_due_on_a_read_never_lands_over_a_save_made_meanwhile(
    app: Flask, wizard: Wizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both tabs idle ten minutes, so tab B's page read renews the cookie; tab A's save left
    before that answer arrived, and the read's answer arrives last (review). A save that
    was answered as done must still be there: so one of the two is refused."""
    both_left_with = sent_at_once(wizard)
    later = time.time() + 600
    monkeypatch.setattr(time, "time", lambda: later)
    assert wizard.get(wizard.steps[0]).status_code == 200
    renewed_by_the_read = draft_cookie(wizard)
    with_cookie(wizard, both_left_with)
    saved = save(wizard, "Tab A")
    with_cookie(wizard, renewed_by_the_read)  # the read's answer arrives last
    if saved.status_code == 303:
        assert kept(wizard) == "Tab A", "a save answered as done was lost"
    else:
        assert saved.status_code == 409 and shown(saved, wizard) == "Tab A"


def test_a_read_renews_an_idle_cookie_draft(
    app: Flask, wizard: Wizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_at_once(wizard)
    later = time.time() + 600  # a third of the idle timeout: a read slides it
    monkeypatch.setattr(time, "time", lambda: later)
    page = wizard.get(wizard.steps[0])
    assert "expense_wizard_draft" in page.headers.get("Set-Cookie", "")
    assert save(wizard, "After").status_code == 303


def test_a_submit_refused_for_an_unknown_file_gives_its_claim_back(
    app: Flask, wizard: Wizard
) -> None:
    at_review(wizard)
    refused = wizard.submit(**{item_field(wizard, 0, "file_id"): "NotAFileOfThisDraft"})
    assert refused.status_code == 200 and MADE_UP_FILE in refused.text
    done = wizard.submit()  # the same copy: not refused as "changed in another tab"
    assert done.status_code == 303 and done.location.endswith("/confirmation")
