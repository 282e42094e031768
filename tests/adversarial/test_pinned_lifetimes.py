"""Over real HTTP, the app in its own process: a draft's absolute lifetime ends it even
though its idle timeout is far off (SPEC §5), and the browser that owned it is told so,
not shown a blank step 1 (SPEC §3, "Drafts that cannot be shown"). A draft of each flow,
on one server start (one wait for both)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.adversarial.flows import forms
from tests.helpers import DRIVERS
from tests.http import AppProcess, Browser
from tests.services import free_port

ABSOLUTE = 2.0  # seconds: far more than the four requests made before it ends (~10 ms each)


def test_absolute_lifetime_over_http_ends_a_draft_long_before_its_idle_timeout(
    tmp_path: Path,
) -> None:
    env = {"FLASK_WIZARD_ABSOLUTE_LIFETIME": str(ABSOLUTE)}  # idle timeout: the default 30 min
    served = AppProcess(tmp_path / "instance", free_port(), env).start()
    try:
        browser = Browser()
        browser.get(served.url + "/")
        started_at = time.monotonic()
        drafts = {}
        for driver in DRIVERS:
            started = browser.post(served.url + driver.prefix, {})
            draft = served.url + started.url.rsplit("/", 1)[0]
            first = driver.steps[0]
            page = browser.post(f"{draft}/{first}", forms(driver).page_data(first))
            assert page.status == 303  # alive
            drafts[draft] = driver

        time.sleep(max(0.0, started_at + ABSOLUTE + 0.2 - time.monotonic()))

        for draft, driver in drafts.items():
            for page in (
                browser.get(f"{draft}/{driver.steps[1]}"),
                browser.post(f"{draft}/{driver.steps[0]}", {}),
            ):
                assert page.status == 200
                expired = rf"<h1>\s*This {driver.noun} draft has expired\s*</h1>"
                assert re.search(expired, page.text), driver.flow_name
                assert "Nothing was submitted" in page.text
                assert "There is a problem" not in page.text
            made_up = browser.get(
                f"{served.url}{driver.prefix}/madeUpDraftId00000000/{driver.steps[0]}"
            )
            assert made_up.status == 404  # a draft it never had, told apart from its own
    finally:
        served.kill()
