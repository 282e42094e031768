"""Over real HTTP, the app in its own process (embedded defaults): the memory switch off
discards the memory of every draft of the browser, the one in a cookie too; later steps ask
again; on again, the journey guard starts from step 1 (SPEC §4). On every flow: one server
for the module, each flow's drafts on it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.adversarial.flows import forms, second_step
from tests.helpers import Wizard
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


def start(browser: Browser, served: AppProcess, driver: type[Wizard]) -> str:
    started = browser.post(served.url + driver.prefix, {})
    assert started.status == 303
    return served.url + started.url.rsplit("/", 1)[0]


def switch(browser: Browser, served: AppProcess, on: bool) -> None:
    sent = browser.post(
        served.url + "/memory", {"memory": "on" if on else "off", "next": "/", "confirmed": "yes"}
    )
    assert sent.status == 303


def test_memory_off_over_http_discards_every_draft_of_the_browser_a_cookie_draft_too(
    served: AppProcess, driver: type[Wizard]
) -> None:
    browser, page_of, (first, second, third) = Browser(), forms(driver), driver.steps[:3]
    browser.get(served.url + "/")
    on_server = start(browser, served, driver)
    named = page_of.page_data(first, full_name="Server")
    assert browser.post(f"{on_server}/{first}", named).status == 303
    cookie = {"strategy": "cookie", "next": "/"}
    assert browser.post(served.url + "/memory/strategy", cookie).status == 303
    in_cookie = start(browser, served, driver)
    assert f"{driver.prefix}/c." in in_cookie
    named = page_of.page_data(first, full_name="Cookie")
    assert browser.post(f"{in_cookie}/{first}", named).status == 303
    typed = second_step(page_of, "Remembered1")
    assert browser.post(f"{in_cookie}/{second}", typed).status == 303

    switch(browser, served, on=False)
    for draft in (on_server, in_cookie):  # the third step asks the second's answers again
        asked = browser.get(f"{draft}/{third}")
        assert asked.status == 200 and NOTICE in asked.text
        assert "Remembered1" not in asked.text

    switch(browser, served, on=True)
    for draft, name in ((on_server, "Server"), (in_cookie, "Cookie")):
        guarded = browser.get(f"{draft}/{second}")
        assert guarded.status == 303, f"{name}: memory still had step 1"
        assert served.url + guarded.url == f"{draft}/{first}?notice=incomplete"
        page = browser.get(f"{draft}/{first}")
        assert heading(page) == driver.titles[0] and f'value="{name}"' not in page.text
