"""Headers on every response, cookie attributes, and a session store that cannot run code."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import msgspec
import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.clock import MovableClock
from tests.conftest import make_app
from tests.files import png
from tests.helpers import Wizard, receipt_form

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def assert_safe_headers(response: TestResponse, personal: bool = True) -> None:
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    if personal:
        assert response.headers["Cache-Control"] == "no-store"


def every_kind_of_response(app: Flask, wizard: Wizard) -> dict[str, TestResponse]:
    wizard.start()
    wizard.fill_employee()
    upload = {**receipt_form(0), "receipts-0-file": (io.BytesIO(png()), "r.png")}
    wizard.post("receipts", upload, content_type="multipart/form-data")
    marker = 'name="receipts-0-file_id" type="hidden" value="'
    file_id = wizard.get("receipts").text.split(marker)[1].split('"')[0]
    responses = {
        "start": wizard.client.get("/"),
        "step": wizard.get("receipts"),
        "redirect": wizard.fill_employee(),
        "error on a step": wizard.fill_employee(full_name=""),
        "404": wizard.client.get("/nowhere"),
        "405": wizard.client.delete("/"),
        "400 csrf": wizard.client.post("/report", data={"csrf_token": "forged"}),
        "healthz": wizard.client.get("/healthz"),
        "file": wizard.client.get(f"{wizard.draft_url}/files/{file_id}"),
    }
    wizard.fill_categories(["Meals"])
    responses["confirmation"] = wizard.client.get(wizard.submit().location)
    responses["submitted"] = wizard.get("employee")
    return responses


def test_every_response_carries_the_security_headers(app: Flask, wizard: Wizard) -> None:
    for name, response in every_kind_of_response(app, wizard).items():
        assert response.status_code < 500, name
        assert_safe_headers(response)


def test_error_pages_carry_them_too(app: Flask, wizard: Wizard) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("a bug")

    page = app.test_client().get("/boom")
    assert page.status_code == 500 and "a bug" not in page.text and "Traceback" not in page.text
    assert "quote the reference" in page.text
    assert_safe_headers(page)


def test_static_files_may_be_cached(client: object) -> None:
    response = client.get("/static/css/app.css")  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert_safe_headers(response, personal=False)
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_over_https_the_cookie_is_host_only_secure_and_hsts_is_sent(tmp_path: Path) -> None:
    app = make_app(tmp_path / "instance", SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = client.get("/", base_url="https://127.0.0.1")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-expense_wizard_session=")
    for attribute in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"):
        assert attribute in cookie
    assert "Domain" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_plain_http_gets_no_hsts(client: object) -> None:
    response = client.get("/")  # type: ignore[attr-defined]
    assert "Strict-Transport-Security" not in response.headers


def test_a_session_id_the_server_did_not_issue_is_never_adopted(app: Flask) -> None:
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "attacker-chosen-id")
    response = client.get("/")
    issued = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert issued is not None and issued.value != "attacker-chosen-id"
    assert response.status_code == 200
    assert app.extensions["session_memory"].store.get("session:attacker-chosen-id") is None


class _Exploit:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch /tmp/expense-wizard-pwned",))


def test_a_pickled_session_written_to_the_store_is_refused_not_run(app: Flask) -> None:
    marker = Path("/tmp/expense-wizard-pwned")
    marker.unlink(missing_ok=True)
    app.extensions["session_memory"].store.put("session:planted", pickle.dumps(_Exploit()), ttl=60)
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "planted")
    assert client.get("/").status_code == 200
    assert not marker.exists()
    issued = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert issued is not None and issued.value != "planted"  # and the planted id is not kept


@pytest.mark.parametrize("step", ["employee", "receipts", "categories", "review"])
def test_no_session_id_or_answers_appear_in_any_url(app: Flask, wizard: Wizard, step: str) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    sid = wizard.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert sid is not None
    page = wizard.get(step).text
    assert sid.value not in page
    for link in [part.split('"')[0] for part in page.split('href="')[1:]]:
        assert "00123" not in link and "Lovelace" not in link


def _session_id(wizard: Wizard) -> str:
    cookie = wizard.client.get_cookie(wizard.client.application.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def _with_session_id(wizard: Wizard, sid: str) -> Wizard:
    """Another client of the same app holding the given session cookie and CSRF token."""
    app = wizard.client.application
    other = Wizard(app.test_client())
    other.client.set_cookie(app.config["SESSION_COOKIE_NAME"], sid)
    other.draft_url, other._token = wizard.draft_url, wizard.token()
    return other


def holds_nothing_of_the_session(app: Flask, session_id: str) -> bool:
    """A retired id's entry is only where it went (kept so a slow request saves there)."""
    entry = app.extensions["session_memory"].store.get(f"session:{session_id}")
    return entry is None or set(msgspec.msgpack.decode(entry)) == {"_moved_to", "_forward_until"}


@pytest.mark.parametrize("app_config", [{"SESSION_ROTATION_GRACE": 0}])
@pytest.mark.parametrize("change", ["switch memory", "submit"])
def test_switching_memory_or_submitting_issues_a_new_session_id_and_deletes_the_old(
    app: Flask, wizard: Wizard, change: str, clock: MovableClock
) -> None:
    wizard.start()
    before = _session_id(wizard)
    if change == "submit":
        assert wizard.complete_draft().status_code == 303
    else:
        assert wizard.switch_memory(on=False).status_code == 303
    after = _session_id(wizard)
    assert after != before
    assert holds_nothing_of_the_session(app, before)
    assert wizard.start()  # same browser: its token and drafts are kept under the new id
    clock.sleep(1)  # past the grace period of 0 (the clock stands still otherwise)
    stale = _with_session_id(wizard, before)
    refused = stale.fill_employee()  # the old id opens nothing of this browser's
    assert "This expense report draft has expired" in refused.text
    assert _session_id(stale) not in (before, after)


def test_a_double_click_on_submit_lands_on_the_confirmation_not_an_error(
    app: Flask, wizard: Wizard
) -> None:
    wizard.start()
    before = _session_id(wizard)
    first = wizard.complete_draft()
    second_click = _with_session_id(wizard, before)  # sent before the first answer came back
    again = second_click.submit()
    assert again.status_code == 303 and again.location == f"{first.location}?notice=already"
    assert _session_id(second_click) == _session_id(wizard) != before  # handed the new id
    page = second_click.client.get(again.location).text
    assert "Expense report submitted" in page and "what that page sent was not used" in page


@pytest.mark.parametrize("app_config", [{"SESSION_ROTATION_GRACE": 10}])
def test_after_the_grace_period_the_old_session_id_is_dead(
    app: Flask, wizard: Wizard, clock: MovableClock
) -> None:
    wizard.start()
    before = _session_id(wizard)
    first = wizard.complete_draft()
    clock.sleep(10 + 1)
    stale = _with_session_id(wizard, before)
    assert stale.client.get(first.location).status_code == 404
    assert holds_nothing_of_the_session(app, before)
    assert wizard.client.get(first.location).status_code == 200  # the owner, under its new id


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "WIZARD_DRAFT_RATE": "3 per minute"}]
)
def test_starting_too_many_drafts_gets_the_429_page(wizard: Wizard) -> None:
    for _ in range(3):
        wizard.start()
    page = wizard.client.post("/report", data={"csrf_token": wizard.token()})
    assert page.status_code == 429 and "<h1>Too many requests</h1>" in page.text
    assert "Your drafts are kept" in page.text and int(page.headers["Retry-After"]) > 0
    assert_safe_headers(page)
    assert wizard.get("employee").status_code == 200  # the drafts themselves still work


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "WIZARD_UPLOAD_RATE": "2 per minute"}]
)
def test_uploads_are_limited_but_steps_without_files_are_not(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()

    def upload() -> TestResponse:
        data = {**receipt_form(0), "receipts-0-file": (io.BytesIO(png()), "r.png")}
        return wizard.post("receipts", data, content_type="multipart/form-data")

    assert [upload().status_code for _ in range(3)] == [303, 303, 429]
    assert all(wizard.fill_receipts(1).status_code == 303 for _ in range(3))
