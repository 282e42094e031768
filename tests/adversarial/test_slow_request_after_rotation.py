"""A request that opened the browser session before its id changed, and saves after the
grace period (a slow upload in another tab), saves into the new session: it never brings
the retired id back, nor turns the memory switch back on (found by review of issue 15). On
every flow: the slow request starts a draft of it."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from flask import Flask

from app import memory as memory_module
from tests.clock import MovableClock
from tests.helpers import Wizard

COOKIE = "expense_wizard_session"


@pytest.mark.parametrize("app_config", [{"SESSION_ROTATION_GRACE": 10}])
def test_a_slow_request_saves_into_the_new_session(
    app: Flask, monkeypatch: pytest.MonkeyPatch, clock: MovableClock, driver: type[Wizard]
) -> None:
    tab_a = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', tab_a.get("/").text)[1]  # type: ignore[index]
    assert tab_a.post(driver.prefix, data={"csrf_token": token}).status_code == 303
    before = tab_a.get_cookie(COOKIE).value  # type: ignore[union-attr]
    tab_b = app.test_client()
    tab_b.set_cookie(COOKIE, before)
    entered, go_on = threading.Event(), threading.Event()
    start = memory_module.start_draft

    def slow_start(kind: str = "") -> str:
        entered.set()
        go_on.wait(10)
        return start(kind)

    monkeypatch.setattr(memory_module, "start_draft", slow_start)
    answers: dict[str, Any] = {}
    slow = threading.Thread(
        target=lambda: answers.update(b=tab_b.post(driver.prefix, data={"csrf_token": token}))
    )
    slow.start()
    assert entered.wait(5)
    monkeypatch.setattr(memory_module, "start_draft", start)
    data = {"csrf_token": token, "memory": "off", "next": "/"}
    assert tab_a.post("/memory", data=data).status_code == 303
    after = tab_a.get_cookie(COOKIE).value  # type: ignore[union-attr]
    assert after != before
    clock.sleep(10 + 1)  # past the grace period
    go_on.set()
    slow.join()
    assert answers["b"].status_code == 303
    assert f"{COOKIE}={before}" not in answers["b"].headers.get("Set-Cookie", "")
    browser = app.test_client()  # the browser, with the last cookie it was given
    browser.set_cookie(COOKIE, tab_b.get_cookie(COOKIE).value)  # type: ignore[union-attr]
    page = browser.get("/")
    assert "Session memory: Off" in page.text, "the switch came back on by itself"
    kept = browser.get(answers["b"].location)  # tab B's draft is kept
    assert kept.status_code == 200 and f"<h1>{driver.titles[0]}</h1>" in kept.text
