"""Over real HTTP, the app in its own process (embedded defaults): post/redirect/get on every
step, and the journey guard on GET and on POST (SPEC §3)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.helpers import employee_form, receipt_form
from tests.http import AppProcess, Browser, Page
from tests.services import free_port

NOTICE = "Complete this step first: the later steps need its answers."
REFERENCE = re.compile(r"EXP-[0-9A-Z]{8}")
CATEGORY = {
    "categories-0-receipt_id": "receipt0000",
    "categories-0-category": "Meals",
    "categories-0-details": "",
    "business_purpose": "Client visit",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    instance = tmp_path_factory.mktemp("pinned-journey") / "instance"
    env = {"FLASK_RATELIMIT_ENABLED": "false"}  # several drafts from one address
    process = AppProcess(instance, free_port(), env).start()
    yield process
    process.kill()


def heading(page: Page) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page.text)
    return found[1] if found else ""


def new_draft(served: AppProcess) -> tuple[Browser, str]:
    """A browser with a new draft; the draft's URL (without the step)."""
    browser = Browser()
    browser.get(served.url + "/")
    started = browser.post(served.url + "/report", {})
    assert started.status == 303 and started.url.endswith("/employee")
    return browser, served.url + started.url.rsplit("/", 1)[0]


def test_post_redirect_get_over_http_every_step_answers_303_and_reloading_changes_nothing(
    served: AppProcess,
) -> None:
    browser, draft = new_draft(served)
    walk = [
        ("employee", employee_form(), "receipts", "Receipts", "Step 2 of 4"),
        ("receipts", receipt_form(0), "categories", "Categories", "Step 3 of 4"),
        ("categories", CATEGORY, "review", "Review and submit", "Step 4 of 4"),
    ]
    for step, form, following, title, step_of in walk:
        sent = browser.post(f"{draft}/{step}", form)
        assert sent.status == 303, (step, sent.status)
        assert served.url + sent.url == f"{draft}/{following}"
        shown, reloaded = browser.get(f"{draft}/{following}"), browser.get(f"{draft}/{following}")
        assert shown.status == reloaded.status == 200
        assert heading(shown) == heading(reloaded) == title and step_of in reloaded.text
    review = browser.get(f"{draft}/review")
    assert "Ada Lovelace" in review.text and "Merchant 1" in review.text

    done = browser.post(f"{draft}/review", {"confirm": "y"})
    assert done.status == 303 and served.url + done.url == f"{draft}/confirmation"
    first, reloaded = browser.get(f"{draft}/confirmation"), browser.get(f"{draft}/confirmation")
    assert heading(first) == heading(reloaded) == "Expense report submitted"
    assert REFERENCE.findall(first.text)[:1] == REFERENCE.findall(reloaded.text)[:1] != []


@pytest.mark.parametrize("step", ["receipts", "categories", "review"])
def test_journey_guard_on_get_over_http_sends_a_new_draft_to_employee_details(
    served: AppProcess, step: str
) -> None:
    browser, draft = new_draft(served)
    guarded = browser.get(f"{draft}/{step}")
    assert guarded.status == 303
    assert served.url + guarded.url == f"{draft}/employee?notice=incomplete"
    page = browser.get(served.url + guarded.url)
    assert heading(page) == "Employee details" and NOTICE in page.text


def test_journey_guard_on_get_over_http_sends_to_the_first_step_lacking_answers(
    served: AppProcess,
) -> None:
    browser, draft = new_draft(served)
    assert browser.post(f"{draft}/employee", employee_form()).status == 303
    for step in ("categories", "review"):
        guarded = browser.get(f"{draft}/{step}")
        assert guarded.status == 303
        assert served.url + guarded.url == f"{draft}/receipts?notice=incomplete"


def test_journey_guard_on_post_over_http_keeps_nothing_of_a_valid_whole_report(
    served: AppProcess,
) -> None:
    browser, draft = new_draft(served)
    assert browser.post(f"{draft}/employee", employee_form()).status == 303
    whole = {**employee_form(), **receipt_form(0, merchant="Too Soon"), **CATEGORY}
    guarded = browser.post(f"{draft}/review", {**whole, "confirm": "y"})
    assert guarded.status == 303
    assert served.url + guarded.url == f"{draft}/receipts?notice=incomplete"
    page = browser.get(served.url + guarded.url)
    assert heading(page) == "Receipts" and NOTICE in page.text
    assert "Too Soon" not in page.text
    assert browser.get(f"{draft}/confirmation").status == 404  # no report was made
    # the draft goes on from where the guard sent it
    assert browser.post(f"{draft}/receipts", receipt_form(0)).status == 303
    assert browser.get(f"{draft}/categories").status == 200
