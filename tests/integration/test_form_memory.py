"""Memory passed through the form: the state travels in a signed hidden field of every form,
nothing of the draft stays on the server, tampering is refused, and an older page brings its
older state back."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from app.extensions import db
from app.flows.expenses.models import Report
from tests.clock import ABSOLUTE_LIFETIME, IDLE_TIMEOUT, MovableClock
from tests.helpers import Wizard, receipt_form

STATE = re.compile(r'name="memory_state" value="([^"]+)"')


def heading(response: TestResponse) -> str:
    found = re.search(r"<h1>(.*?)</h1>", response.text)
    assert found, response.text[:500]
    return found[1]


def state_of(response: TestResponse) -> str:
    found = STATE.search(response.text)
    assert found, f"no memory_state field on {heading(response)!r}"
    return found[1]


@pytest.fixture
def form_wizard(app: Flask) -> Wizard:
    return Wizard(app.test_client(), "form")


def kept_on_server(app: Flask, wizard: Wizard) -> bool:
    return app.extensions["session_memory"].store.get(f"draft:{wizard.draft_id}") is not None


def test_a_whole_report_passed_through_with_nothing_kept_on_the_server(
    app: Flask, form_wizard: Wizard
) -> None:
    form_wizard.start()
    assert form_wizard.draft_id.startswith("f.")
    page = form_wizard.fill_employee()
    assert page.status_code == 200 and heading(page) == "Receipts"  # the page, not a redirect
    assert "Ada Lovelace" not in form_wizard.state  # compressed and signed
    page = form_wizard.fill_receipts(2)
    assert heading(page) == "Categories" and "Merchant 2" in page.text
    page = form_wizard.fill_categories(["Meals", "Travel"])
    assert heading(page) == "Review and submit" and "Ada Lovelace" in page.text
    assert "Fields typed again" not in page.text
    assert not kept_on_server(app, form_wizard)
    done = form_wizard.submit()
    assert done.status_code == 303 and done.location.endswith("/confirmation")
    assert "EXP-" in form_wizard.client.get(done.location).text


NOT_IN_ADDRESS = "This page cannot be shown from its address"


def test_a_page_opened_without_its_form_has_no_memory_and_says_why(form_wizard: Wizard) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    page = form_wizard.get("receipts")  # a new tab, a bookmark: the address alone
    assert page.status_code == 409 and heading(page) == NOT_IN_ADDRESS
    assert "keeps its answers in the page itself" in page.text
    assert "use your browser's Back button" in page.text
    assert "more than 30 minutes without activity, it has expired" in page.text
    assert 'class="button button-start">Start a new expense report' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "Ada Lovelace" not in page.text and not STATE.search(page.text)  # nothing of it
    # The page it names still goes on with the state its form carries
    assert heading(form_wizard.fill_receipts(1)) == "Categories"


def test_the_page_its_address_cannot_show_brings_it_back_with_the_memory_it_is_sent(
    form_wizard: Wizard,
) -> None:
    """What app.js sends from history.state (Back or reload): the page, as its memory holds it."""
    form_wizard.start()
    form_wizard.fill_employee()
    form_wizard.fill_receipts(1)
    page = form_wizard.get("categories")
    restore = re.search(r'<form method="post" action="([^"]+)" hidden data-restore-page', page.text)
    assert restore and restore[1] == form_wizard.url("categories")
    again = form_wizard.client.post(
        restore[1],
        data={"csrf_token": form_wizard.token(), "goto": "1", "memory_state": form_wizard.state},
    )
    assert again.status_code == 200 and heading(again) == "Categories"
    assert "Merchant 1" in again.text


def test_an_expired_server_or_cookie_draft_is_never_said_to_live_in_the_page(
    app: Flask, clock: MovableClock
) -> None:
    for place in ("server", "cookie"):
        wizard = Wizard(app.test_client(), place)
        wizard.start()
        clock.sleep(IDLE_TIMEOUT + 1)
        assert heading(wizard.get("employee")) == "This expense report draft has expired", place


def test_a_form_draft_of_another_browser_is_not_found(app: Flask, form_wizard: Wizard) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    stranger = Wizard(app.test_client(), "form")
    stranger.start()
    assert stranger.client.get(form_wizard.url("receipts")).status_code == 404


def test_an_address_opened_after_the_absolute_lifetime_says_expired(
    form_wizard: Wizard, clock: MovableClock
) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    clock.sleep(ABSOLUTE_LIFETIME + 1)
    page = form_wizard.get("receipts")
    assert heading(page) == "This expense report draft has expired"


def test_the_address_of_a_submitted_form_draft_says_submitted(form_wizard: Wizard) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    form_wizard.fill_receipts(1)
    form_wizard.fill_categories(["Meals"])
    form_wizard.submit()
    assert heading(form_wizard.get("receipts")) == "This expense report has already been submitted"


@pytest.mark.demo  # reads the inspector, the guide or the state API
def test_links_inside_the_draft_carry_the_memory(form_wizard: Wizard) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    page = form_wizard.post("employee", {"goto": "1"})  # a Change button: shown, not saved
    assert heading(page) == "Employee details" and 'value="Ada Lovelace"' in page.text
    page = form_wizard.post("receipts", {"goto": "1"})
    assert heading(page) == "Receipts"  # its Back is a button that sends the page's memory
    assert 'formaction="/report/' in page.text and 'name="goto"' in page.text


@pytest.mark.parametrize(
    "change",
    [
        lambda state: state[:-4] + ("AAAA" if not state.endswith("AAAA") else "BBBB"),
        lambda state: "X".join(state.rsplit(".", 1)),  # timestamp and signature run together
        lambda state: "",
    ],
)
def test_a_changed_state_is_refused_with_a_clear_message(
    form_wizard: Wizard, change: object
) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    form_wizard.state = change(form_wizard.state)  # type: ignore[operator]
    refused = form_wizard.fill_receipts(1)
    if form_wizard.state == "":
        assert heading(refused) == "This expense report draft has expired"
        return
    assert refused.status_code == 400
    assert "was changed on its way back, so it cannot be trusted" in refused.text


def test_the_state_of_one_draft_is_not_taken_for_another(app: Flask) -> None:
    first, second = Wizard(app.test_client(), "form"), Wizard(app.test_client(), "form")
    first.start()
    first.fill_employee()
    second.client = first.client  # the same browser, a second draft
    second._token = first.token()
    second.start()
    second.state = first.state  # the field names the first draft: not the second's memory
    page = second.fill_receipts(1)
    assert heading(page) == "This expense report draft has expired" and "Lovelace" not in page.text
    second.state = first.state.replace(first.draft_id, second.draft_id, 1)  # renamed: forged
    assert second.fill_receipts(1).status_code == 400


def test_an_older_page_brings_its_older_state_back(form_wizard: Wizard) -> None:
    """What the browser's Back button does: the older page's form holds the older state."""
    form_wizard.start()
    form_wizard.fill_employee()
    receipts_page_state = form_wizard.state
    form_wizard.fill_receipts(2)
    form_wizard.fill_categories(["Meals", "Travel"])
    form_wizard.state = receipts_page_state  # Back to Receipts, and Continue from there
    page = form_wizard.post("receipts", receipt_form(0, merchant="Only this one"))
    assert heading(page) == "Categories"
    assert "Only this one" in page.text and "Merchant 2" not in page.text


def test_two_tabs_carry_two_states_and_only_one_report_is_made(
    app: Flask, form_wizard: Wizard
) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    tab_1 = tab_2 = form_wizard.state  # the same page open twice
    form_wizard.state = tab_1
    form_wizard.fill_receipts(1, merchant="Tab one")
    tab_1 = form_wizard.state
    form_wizard.state = tab_2
    form_wizard.fill_receipts(1, merchant="Tab two")
    tab_2 = form_wizard.state
    form_wizard.state = tab_2
    review = form_wizard.fill_categories(["Meals"])
    assert "Tab two" in review.text and "Tab one" not in review.text  # each tab its own
    assert form_wizard.submit().status_code == 303
    form_wizard.state = tab_1  # the other tab goes on after the submit
    again = form_wizard.fill_categories(["Travel"])
    assert again.status_code == 303 and again.location.endswith("/confirmation?notice=already")
    confirmation = form_wizard.client.get(again.location).text
    assert "Tab two" in confirmation and "already been submitted" in confirmation  # one report


def test_a_state_older_than_the_idle_timeout_has_expired(
    form_wizard: Wizard, clock: MovableClock
) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    clock.sleep(IDLE_TIMEOUT + 1)
    assert heading(form_wizard.fill_receipts(1)) == "This expense report draft has expired"


def test_keep_alive_hands_back_renewed_memory(form_wizard: Wizard) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    data = {"memory_state": form_wizard.state}
    headers = {"X-CSRFToken": form_wizard.token()}
    kept = form_wizard.client.post(
        f"{form_wizard.draft_url}/keep-alive", data=data, headers=headers
    )
    assert kept.status_code == 200 and kept.json is not None
    assert kept.json["memory_state"] and kept.json["expires_in"] > 0
    form_wizard.state = kept.json["memory_state"]
    assert heading(form_wizard.fill_receipts(1)) == "Categories"


@pytest.mark.demo  # reads the inspector, the guide or the state API
def test_the_inspector_shows_the_field_and_its_size(form_wizard: Wizard) -> None:
    form_wizard.start()
    page = form_wizard.fill_employee()
    assert "a signed hidden field that every form of this draft sends back" in page.text
    assert re.search(r"the form field <code>memory_state</code>: [\d,]+ bytes", page.text)
    inspector = page.text.split("<aside", 1)[1]
    assert "A•• L•••••••" in inspector  # masked, and in full only where asked for
    assert inspector.count("Ada Lovelace") == inspector.count('class="inspector-value value-full"')
    assert inspector.count("Ada Lovelace") == 2  # the table's row, and narrow screens' list


def test_pages_of_a_passed_through_draft_may_come_back_with_the_browsers_back_button(
    form_wizard: Wizard,
) -> None:
    form_wizard.start()
    page = form_wizard.fill_employee()
    # The page is the draft's memory: Back must show it again, not "Confirm form resubmission".
    assert heading(page) == "Receipts" and page.headers["Cache-Control"] == "private, no-cache"
    assert form_wizard.client.get("/").headers["Cache-Control"] == "no-store"


def test_with_memory_on_the_server_pages_are_never_kept_by_the_browser(wizard: Wizard) -> None:
    wizard.start()
    assert wizard.get("employee").headers["Cache-Control"] == "no-store"
    assert wizard.fill_employee().headers["Cache-Control"] == "no-store"


def test_a_deleted_draft_does_not_come_back_with_an_older_page(form_wizard: Wizard) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    older = form_wizard.state
    data = {"csrf_token": form_wizard.token(), "memory_state": older}
    assert form_wizard.client.post(form_wizard.url("delete"), data=data).status_code == 303
    form_wizard.state = older  # the page still open in another tab sends its memory back
    page = form_wizard.fill_receipts(1)
    assert page.status_code == 303 and page.location == "/?notice=deleted"  # told, not revived


def test_after_moving_a_draft_to_the_server_an_older_page_cannot_make_a_second_report(
    app: Flask, form_wizard: Wizard
) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    form_wizard.fill_receipts(1)
    older, old_id = form_wizard.state, form_wizard.draft_id
    data = {"csrf_token": form_wizard.token(), "strategy": "server", "draft": old_id,
            "step": "categories", "memory_state": older}  # fmt: skip
    moved = form_wizard.client.post("/memory/strategy", data=data)
    assert moved.status_code == 303 and not moved.location.split("/")[2].startswith("f.")
    form_wizard.state = older  # the page before the move, still open in another tab
    sent = form_wizard.fill_categories(["Meals"])
    moved_to = moved.location.rsplit("/", 1)[0]
    assert sent.status_code == 303 and sent.location.startswith(f"{moved_to}/categories")
    page = form_wizard.client.get(sent.location)  # where the draft lives on, told so
    assert "memory was moved to another place" in page.text and "not saved yet" in page.text
    assert '<option selected value="Meals">' in page.text  # what it sent, filled in
    assert "memory_state" not in page.text  # nothing of the old draft handed on again
    assert form_wizard.submit().status_code in (303, 200)  # the older copy again: refused
    with app.app_context():
        assert db.session.query(Report).count() == 0


def test_the_memory_switch_on_a_page_of_the_draft_keeps_the_draft_going(
    form_wizard: Wizard,
) -> None:
    form_wizard.start()
    page = form_wizard.fill_employee()
    assert 'name="memory_state"' in page.text.split("</header>")[0]  # the header's switch too

    def switch(to: str, **extra: str) -> TestResponse:
        data = {"csrf_token": form_wizard.token(), "memory": to, **extra,
                "next": form_wizard.url("receipts"), "memory_state": form_wizard.state}  # fmt: skip
        page = form_wizard.client.post("/memory", data=data)
        form_wizard.state = state_of(page)
        return page

    asked = switch("off")  # it asks first, the draft's memory still in the page
    assert "Turn session memory off?" in asked.text and "5 answers" in asked.text
    off = switch("off", confirmed="yes")
    assert off.status_code == 200 and heading(off) == "Receipts"  # not the expired page
    assert "Session memory: Off" in off.text and "Fields typed again" in off.text
    on = switch("on")  # memory was emptied when switched off: the wizard starts it again
    assert heading(on) == "Employee details" and "Session memory: On" in on.text
    assert heading(form_wizard.fill_employee()) == "Receipts"
    assert heading(form_wizard.fill_receipts(1)) == "Categories"


def test_choosing_the_strategy_a_draft_already_uses_keeps_the_draft_going(
    form_wizard: Wizard,
) -> None:
    form_wizard.start()
    form_wizard.fill_employee()
    data = {"csrf_token": form_wizard.token(), "strategy": "form", "draft": form_wizard.draft_id,
            "step": "receipts", "memory_state": form_wizard.state}  # fmt: skip
    page = form_wizard.client.post("/memory/strategy", data=data)
    assert page.status_code == 200 and heading(page) == "Receipts"  # not "expired"
