"""Memory in a browser cookie: the same wizard, the draft's memory signed and compressed in a
cookie, nothing of it on the server, and a clear way out when it outgrows 4 KB."""

from __future__ import annotations

import secrets

import pytest
from flask import Flask

from tests.clock import IDLE_TIMEOUT, MovableClock
from tests.helpers import Wizard, errors_of, receipt_form

ERROR_FULL = "This report no longer fits in a browser cookie"


def use_cookie(wizard: Wizard) -> None:
    assert wizard.choose("cookie").status_code == 303


def draft_cookie(wizard: Wizard) -> str:
    name = f"expense_wizard_draft_{wizard.draft_id}"
    cookie = wizard.client.get_cookie(name)
    assert cookie is not None, f"no cookie {name}"
    return cookie.value


def receipts_that_do_not_compress(count: int) -> dict[str, str]:
    data: dict[str, str] = {}
    for i in range(count):
        data.update(receipt_form(i, description=secrets.token_urlsafe(150)))
    return data


def test_a_whole_report_with_memory_in_a_cookie_and_nothing_on_the_server(
    app: Flask, wizard: Wizard
) -> None:
    use_cookie(wizard)
    wizard.start()
    assert wizard.draft_id.startswith("c.")
    assert wizard.fill_employee().status_code == 303
    assert "Lovelace" not in draft_cookie(wizard)  # compressed and signed, not plain text
    assert app.extensions["session_memory"].store.get(f"draft:{wizard.draft_id}") is None
    assert 'value="Ada Lovelace"' in wizard.get("employee").text  # Back: remembered
    assert wizard.fill_receipts(2).status_code == 303
    assert wizard.fill_categories(["Meals", "Travel"]).status_code == 303
    review = wizard.get("review").text
    assert "Merchant 2" in review and "Fields typed again" not in review
    done = wizard.submit()
    assert done.location.endswith("/confirmation")
    assert wizard.client.get_cookie(f"expense_wizard_draft_{wizard.draft_id}") is None
    assert "EXP-" in wizard.client.get(done.location).text


def test_the_cookie_is_httponly_samesite_and_expires_with_the_idle_timeout(
    app: Flask, wizard: Wizard
) -> None:
    use_cookie(wizard)
    wizard.start()
    header = next(
        h for h in wizard.fill_employee().headers.getlist("Set-Cookie") if "_draft_c." in h
    )
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    assert f"Max-Age={app.config['WIZARD_IDLE_TIMEOUT']}" in header


def test_a_changed_cookie_is_not_believed(wizard: Wizard) -> None:
    use_cookie(wizard)
    wizard.start()
    wizard.fill_employee()
    value = draft_cookie(wizard)
    forged = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    wizard.client.set_cookie(f"expense_wizard_draft_{wizard.draft_id}", forged)
    page = wizard.get("receipts").text
    assert "This expense report draft has expired" in page and "Lovelace" not in page


def test_an_idle_cookie_draft_expires_on_the_server_too(
    wizard: Wizard, clock: MovableClock
) -> None:
    use_cookie(wizard)
    wizard.start()
    wizard.fill_employee()
    kept = draft_cookie(wizard)
    clock.sleep(IDLE_TIMEOUT + 1)
    wizard.client.set_cookie(f"expense_wizard_draft_{wizard.draft_id}", kept)  # replayed
    assert "This expense report draft has expired" in wizard.get("receipts").text


def test_a_draft_too_large_for_a_cookie_keeps_everything_and_offers_the_server(
    app: Flask, wizard: Wizard
) -> None:
    use_cookie(wizard)
    wizard.start()
    wizard.fill_employee()
    before = draft_cookie(wizard)
    receipts = receipts_that_do_not_compress(20)
    refused = wizard.post("receipts", receipts)
    assert refused.status_code == 200
    assert ERROR_FULL in errors_of(refused)[0][1]
    assert receipts["receipts-19-description"] in refused.text  # everything typed is kept
    assert "Keep memory on the server and continue" in refused.text
    assert draft_cookie(wizard) == before  # nothing lost, nothing half-written

    old_id = wizard.draft_id
    moved = wizard.post("receipts", {**receipts, "move_to": "server"})
    assert moved.status_code == 303 and moved.location.endswith("/categories")
    new_id = moved.location.split("/")[2]
    assert new_id != old_id and not new_id.startswith("c.")
    assert app.extensions["session_memory"].store.get(f"draft:{new_id}") is not None
    assert wizard.client.get_cookie(f"expense_wizard_draft_{old_id}") is None
    wizard.draft_url = f"/report/{new_id}"
    assert 'value="Ada Lovelace"' in wizard.get("employee").text
    assert receipts["receipts-19-description"] in wizard.get("receipts").text


@pytest.mark.demo  # reads the inspector, the guide or the state API
def test_the_inspector_moves_a_draft_between_the_server_and_a_cookie(
    app: Flask, wizard: Wizard
) -> None:
    wizard.start()
    wizard.fill_employee()
    data = {"csrf_token": wizard.token(), "strategy": "cookie", "draft": wizard.draft_id,
            "step": "receipts"}  # fmt: skip
    moved = wizard.client.post("/memory/strategy", data=data)
    new_id = moved.location.split("/")[2]
    assert new_id.startswith("c.") and moved.location.endswith("/receipts")
    assert app.extensions["session_memory"].store.get(f"draft:{wizard.draft_id}") is None
    wizard.draft_url = f"/report/{new_id}"
    page = wizard.get("employee").text
    assert 'value="Ada Lovelace"' in page
    assert "of the 4,093 bytes one cookie may take" in page
    back = wizard.client.post(
        "/memory/strategy", data={**data, "draft": new_id, "strategy": "server"}
    )
    assert not back.location.split("/")[2].startswith("c.")


def test_a_second_submit_carrying_the_old_cookie_does_not_bring_the_draft_back(
    wizard: Wizard,
) -> None:
    use_cookie(wizard)
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    name, old_cookie = f"expense_wizard_draft_{wizard.draft_id}", draft_cookie(wizard)
    assert wizard.submit().location.endswith("/confirmation")
    wizard.client.set_cookie(name, old_cookie)  # the second click, sent before the first answer
    again = wizard.submit()
    assert again.location.endswith("/confirmation?notice=already")
    set_again = [h for h in again.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert all("Max-Age=0" in h for h in set_again)  # the draft's memory is not handed back
