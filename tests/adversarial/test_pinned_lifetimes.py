"""Over real HTTP, the app in its own process: a draft's absolute lifetime ends it even
though its idle timeout is far off (SPEC §5), and the browser that owned it is told so,
not shown a blank step 1 (SPEC §3, "Drafts that cannot be shown")."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.helpers import employee_form
from tests.http import AppProcess, Browser
from tests.services import free_port

ABSOLUTE = 2.0  # seconds: far more than the two requests made before it ends (~10 ms each)


def test_absolute_lifetime_over_http_ends_a_draft_long_before_its_idle_timeout(
    tmp_path: Path,
) -> None:
    env = {"FLASK_WIZARD_ABSOLUTE_LIFETIME": str(ABSOLUTE)}  # idle timeout: the default 30 min
    served = AppProcess(tmp_path / "instance", free_port(), env).start()
    try:
        browser = Browser()
        browser.get(served.url + "/")
        started_at = time.monotonic()
        started = browser.post(served.url + "/report", {})
        draft = served.url + started.url.rsplit("/", 1)[0]
        assert browser.post(draft + "/employee", employee_form()).status == 303  # alive

        time.sleep(max(0.0, started_at + ABSOLUTE + 0.2 - time.monotonic()))

        for page in (browser.get(draft + "/receipts"), browser.post(draft + "/employee", {})):
            assert page.status == 200
            assert re.search(r"<h1>\s*This expense report draft has expired\s*</h1>", page.text)
            assert "Nothing was submitted" in page.text and "There is a problem" not in page.text
        made_up = browser.get(served.url + "/report/madeUpDraftId00000000/employee")
        assert made_up.status == 404  # a draft it never had, told apart from its own
    finally:
        served.kill()
