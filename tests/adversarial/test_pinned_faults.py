"""Over real HTTP, the app in its own process on a Redis of the test's own: the session store
down gives the 503 page that says nothing was submitted, and the app recovers by itself when
the store returns (SPEC §9). A draft of each flow, on one server start."""

from __future__ import annotations

from pathlib import Path

from tests.adversarial.flows import forms
from tests.helpers import DRIVERS
from tests.http import AppProcess, Browser
from tests.services import OwnRedis, free_port


def test_session_store_down_over_http_gives_the_503_page_and_the_app_recovers_by_itself(
    tmp_path: Path, own_redis: OwnRedis
) -> None:
    env = {"FLASK_SESSION_TYPE": "redis", "FLASK_REDIS_URL": own_redis.url,
           "FLASK_REDIS_TIMEOUT": "0.3"}  # fmt: skip
    served = AppProcess(tmp_path / "instance", free_port(), env).start()
    try:
        browser = Browser()
        browser.get(served.url + "/")
        drafts = {}
        for driver in DRIVERS:  # a draft of each flow, its first step answered
            draft = served.url + browser.post(served.url + driver.prefix, {}).url.rsplit("/", 1)[0]
            first = forms(driver).page_data(driver.steps[0], full_name="Kept")
            assert browser.post(f"{draft}/{driver.steps[0]}", first).status == 303
            drafts[draft] = driver

        own_redis.kill()
        for draft, driver in drafts.items():
            second = f"{draft}/{driver.steps[1]}"
            for page in (
                browser.post(second, forms(driver).page_data(driver.steps[1])),
                browser.get(f"{draft}/{driver.steps[0]}"),
            ):
                assert page.status == 503, page.status
                assert "Nothing was submitted" in page.text

        own_redis.start()  # with its append-only file: the drafts come back with it
        for draft, driver in drafts.items():
            second = f"{draft}/{driver.steps[1]}"
            assert browser.post(second, forms(driver).page_data(driver.steps[1])).status == 303
            assert 'value="Kept"' in browser.get(f"{draft}/{driver.steps[0]}").text
    finally:
        served.kill()
