"""Over real HTTP, the app in its own process on Redis and PostgreSQL: a line break in the
passed memory state (a response header's value) and a NUL in a file id (PostgreSQL text)
get an answer, never a 500 (issue 15, class 3). On every flow."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adversarial.flows import MADE_UP_FILE, after_items, forms, item_field, shown, typed
from tests.helpers import DRIVERS, Wizard
from tests.http import AppProcess, Browser, Page
from tests.services import free_port

STATE = re.compile(r'name="memory_state" value="([^"]+)"')


@pytest.fixture
def served(
    tmp_path: Path, redis_url: str, redis_prefix: str, postgres_uri: str
) -> Iterator[AppProcess]:
    config = {
        "SESSION_TYPE": "redis",
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix,
        "SQLALCHEMY_DATABASE_URI": postgres_uri,
        "SECRET_KEY": secrets.token_hex(16),
    }
    env = {f"FLASK_{key}": value for key, value in config.items()}
    process = AppProcess(tmp_path / "instance", free_port(), env).start()
    yield process
    process.kill()


def heading(page: Page) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page.text)
    return found[1] if found else ""


def test_line_breaks_in_the_passed_state_and_nul_in_file_ids(served: AppProcess) -> None:
    """Each flow in turn, on one server start."""
    for driver in DRIVERS:
        odd_states_get_an_answer(served.url, driver)
        nul_file_ids_get_an_answer(served.url, driver)


def odd_states_get_an_answer(url: str, driver: type[Wizard]) -> None:
    first, form = driver.steps[0], Browser()
    form.get(url + "/")
    assert form.post(url + "/memory/strategy", {"strategy": "form", "next": "/"}).status == 303
    page = form.post(url + driver.prefix, {})
    assert page.status == 200 and heading(page) == driver.titles[0]
    draft_in = re.compile(rf'action="{driver.prefix}/([^/"]+)/{first}"')
    state, draft = STATE.search(page.text)[1], draft_in.search(page.text)[1]  # type: ignore[index]
    step = f"{driver.prefix}/{draft}/{first}"
    odd_states = [f"{state}\n", f"draft:{draft}\r\nSet-Cookie: planted=1!{state}", "\x00"]
    for odd in odd_states:
        switched = form.post(url + "/memory", {"memory": "on", "next": step, "memory_state": odd})
        assert switched.status < 500, odd
        moved = {"strategy": "form", "flow": driver.flow_name, "draft": draft, "step": first,
                 "memory_state": odd}  # fmt: skip
        assert form.post(url + "/memory/strategy", moved).status < 500, odd
    assert not any(cookie.name == "planted" for cookie in form.jar)
    page = form.post(url + "/memory", {"memory": "on", "next": step, "memory_state": state})
    assert page.status == 200 and heading(page) == driver.titles[0]  # the draft goes on


def nul_file_ids_get_an_answer(url: str, driver: type[Wizard]) -> None:
    server, page_of = Browser(), forms(driver)
    server.get(url + "/")
    draft_url = url + server.post(url + driver.prefix, {}).url.rsplit("/", 1)[0]
    for step in driver.steps[: driver.steps.index(driver.items_step)]:
        assert server.post(f"{draft_url}/{step}", page_of.page_data(step)).status == 303
    items = f"{draft_url}/{driver.items_step}"
    for file_id in ("\x00", "a\x00b"):
        assert server.get(draft_url + "/files/%00").status == 404
        posted = {**typed(page_of, "Kept", wrong=True), item_field(page_of, 0, "file_id"): file_id}
        page = server.post(items, {**page_of.items_page([{}]), **posted})
        assert page.status == 200 and shown(page, page_of) == "Kept"  # type: ignore[arg-type]
    assert server.post(items, page_of.page_data(driver.items_step)).status == 303
    for step in after_items(page_of):
        assert server.post(f"{draft_url}/{step}", page_of.page_data(step)).status == 303
    nul = {item_field(page_of, 0, "file_id"): "\x00"}
    page = server.post(draft_url + "/review", {"confirm": "y", **nul})
    assert page.status == 200 and MADE_UP_FILE in page.text
    assert server.post(draft_url + "/review", {"confirm": "y"}).status == 303
