"""Over real HTTP, the app in its own process (embedded defaults): post/redirect/get on every
step, and the journey guard on GET and on POST (SPEC §3). On every flow: one server for the
module, each flow's drafts on it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

import pytest

from tests.adversarial.flows import REFERENCE, STEPS, forms, second_step
from tests.helpers import Wizard
from tests.http import AppProcess, Browser, Page
from tests.services import free_port

NOTICE = "Complete this step first: the later steps need its answers."


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


def new_draft(served: AppProcess, driver: type[Wizard]) -> tuple[Browser, str]:
    """A browser with a new draft; the draft's URL (without the step)."""
    browser = Browser()
    browser.get(served.url + "/")
    started = browser.post(served.url + driver.prefix, {})
    assert started.status == 303 and started.url.endswith(f"/{driver.steps[0]}")
    return browser, served.url + started.url.rsplit("/", 1)[0]


def test_post_redirect_get_over_http_every_step_answers_303_and_reloading_changes_nothing(
    served: AppProcess, driver: type[Wizard]
) -> None:
    browser, draft = new_draft(served, driver)
    page_of, steps = forms(driver), driver.steps
    for n, (step, following) in enumerate(pairwise(steps), start=2):
        sent = browser.post(f"{draft}/{step}", page_of.page_data(step))
        assert sent.status == 303, (step, sent.status)
        assert served.url + sent.url == f"{draft}/{following}"
        shown, reloaded = browser.get(f"{draft}/{following}"), browser.get(f"{draft}/{following}")
        assert shown.status == reloaded.status == 200
        assert heading(shown) == heading(reloaded) == driver.titles[n - 1]
        assert f"Step {n} of {len(steps)}" in reloaded.text
    review = browser.get(f"{draft}/review")
    name_at, name = driver.text_field
    typed_at = STEPS[driver.flow_name].typed_name
    assert page_of.page_data(name_at)[name] in review.text
    assert page_of.page_data(driver.items_step)[typed_at] in review.text

    done = browser.post(f"{draft}/review", {"confirm": "y"})
    assert done.status == 303 and served.url + done.url == f"{draft}/confirmation"
    first, reloaded = browser.get(f"{draft}/confirmation"), browser.get(f"{draft}/confirmation")
    assert heading(first) == heading(reloaded) == driver.sent_title
    reference = re.compile(rf"{REFERENCE[driver.flow_name]}[0-9A-Z]{{8}}")
    assert reference.findall(first.text)[:1] == reference.findall(reloaded.text)[:1] != []


@pytest.mark.parametrize("later", [1, 2, 3])
def test_journey_guard_on_get_over_http_sends_a_new_draft_to_the_first_step(
    served: AppProcess, driver: type[Wizard], later: int
) -> None:
    browser, draft = new_draft(served, driver)
    guarded = browser.get(f"{draft}/{driver.steps[later]}")
    assert guarded.status == 303
    assert served.url + guarded.url == f"{draft}/{driver.steps[0]}?notice=incomplete"
    page = browser.get(served.url + guarded.url)
    assert heading(page) == driver.titles[0] and NOTICE in page.text


def test_journey_guard_on_get_over_http_sends_to_the_first_step_lacking_answers(
    served: AppProcess, driver: type[Wizard]
) -> None:
    browser, draft = new_draft(served, driver)
    first = driver.steps[0]
    assert browser.post(f"{draft}/{first}", forms(driver).page_data(first)).status == 303
    for step in driver.steps[2:]:
        guarded = browser.get(f"{draft}/{step}")
        assert guarded.status == 303
        assert served.url + guarded.url == f"{draft}/{driver.steps[1]}?notice=incomplete"


def test_journey_guard_on_post_over_http_keeps_nothing_of_a_valid_whole_submission(
    served: AppProcess, driver: type[Wizard]
) -> None:
    browser, draft = new_draft(served, driver)
    page_of, (first, second) = forms(driver), driver.steps[:2]
    assert browser.post(f"{draft}/{first}", page_of.page_data(first)).status == 303
    whole = {k: v for step in driver.steps[:-1] for k, v in page_of.page_data(step).items()}
    whole.update(second_step(page_of, "TooSoon123"))
    guarded = browser.post(f"{draft}/review", {**whole, "confirm": "y"})
    assert guarded.status == 303
    assert served.url + guarded.url == f"{draft}/{second}?notice=incomplete"
    page = browser.get(served.url + guarded.url)
    assert heading(page) == driver.titles[1] and NOTICE in page.text
    assert "TooSoon123" not in page.text
    assert browser.get(f"{draft}/confirmation").status == 404  # nothing was submitted
    # the draft goes on from where the guard sent it
    assert browser.post(f"{draft}/{second}", page_of.page_data(second)).status == 303
    assert browser.get(f"{draft}/{driver.steps[2]}").status == 200
