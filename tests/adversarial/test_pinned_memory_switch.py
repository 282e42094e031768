"""Over real HTTP, the app in its own process (embedded defaults): the memory switch off
discards the memory of every draft of the browser, the one in a cookie too; later steps ask
again; on again, the journey guard starts from step 1 (SPEC §4)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.helpers import employee_form, receipt_form
from tests.http import AppProcess, Browser, Page
from tests.services import free_port

NOTICE = "Session memory is off, so this step doesn't know what you entered before."


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    instance = tmp_path_factory.mktemp("pinned-switch") / "instance"
    process = AppProcess(instance, free_port(), {"FLASK_RATELIMIT_ENABLED": "false"}).start()
    yield process
    process.kill()


def heading(page: Page) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page.text)
    return found[1] if found else ""


def start(browser: Browser, served: AppProcess) -> str:
    started = browser.post(served.url + "/report", {})
    assert started.status == 303
    return served.url + started.url.rsplit("/", 1)[0]


def switch(browser: Browser, served: AppProcess, on: bool) -> None:
    sent = browser.post(served.url + "/memory", {"memory": "on" if on else "off", "next": "/"})
    assert sent.status == 303


def test_memory_off_over_http_discards_every_draft_of_the_browser_a_cookie_draft_too(
    served: AppProcess,
) -> None:
    browser = Browser()
    browser.get(served.url + "/")
    on_server = start(browser, served)
    assert browser.post(on_server + "/employee", employee_form(full_name="Server")).status == 303
    cookie = {"strategy": "cookie", "next": "/"}
    assert browser.post(served.url + "/memory/strategy", cookie).status == 303
    in_cookie = start(browser, served)
    assert "/report/c." in in_cookie
    assert browser.post(in_cookie + "/employee", employee_form(full_name="Cookie")).status == 303
    assert browser.post(in_cookie + "/receipts", receipt_form(0)).status == 303

    switch(browser, served, on=False)
    for draft in (on_server, in_cookie):  # later steps ask again, from one empty receipt
        categories = browser.get(draft + "/categories")
        assert categories.status == 200 and NOTICE in categories.text
        assert 'value="Merchant 1"' not in categories.text

    switch(browser, served, on=True)
    for draft, name in ((on_server, "Server"), (in_cookie, "Cookie")):
        guarded = browser.get(draft + "/receipts")
        assert guarded.status == 303, f"{name}: memory still had step 1"
        assert served.url + guarded.url == draft + "/employee?notice=incomplete"
        page = browser.get(draft + "/employee")
        assert heading(page) == "Employee details" and f'value="{name}"' not in page.text
