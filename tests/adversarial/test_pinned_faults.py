"""Over real HTTP, the app in its own process on a Redis of the test's own: the session store
down gives the 503 page that says nothing was submitted, and the app recovers by itself when
the store returns (SPEC §9)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import employee_form, receipt_form
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
        draft = served.url + browser.post(served.url + "/report", {}).url.rsplit("/", 1)[0]
        assert browser.post(draft + "/employee", employee_form(full_name="Kept")).status == 303

        own_redis.kill()
        for page in (
            browser.post(draft + "/receipts", receipt_form(0)),
            browser.get(draft + "/employee"),
        ):
            assert page.status == 503, page.status
            assert "Nothing was submitted" in page.text

        own_redis.start()  # with its append-only file: the draft comes back with it
        assert browser.post(draft + "/receipts", receipt_form(0)).status == 303
        assert 'value="Kept"' in browser.get(draft + "/employee").text
    finally:
        served.kill()
