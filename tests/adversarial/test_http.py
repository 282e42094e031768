"""Over real HTTP, the app in its own process on Redis and PostgreSQL: a line break in the
passed memory state (a response header's value) and a NUL in a file id (PostgreSQL text)
get an answer, never a 500 (issue 15, class 3)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import TODAY, employee_form, receipt_form
from tests.http import AppProcess, Browser, Page
from tests.services import free_port

STATE = re.compile(r'name="memory_state" value="([^"]+)"')
DRAFT = re.compile(r'action="/report/([^/"]+)/employee"')


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
    url = served.url
    form = Browser()
    form.get(url + "/")
    assert form.post(url + "/memory/strategy", {"strategy": "form", "next": "/"}).status == 303
    page = form.post(url + "/report", {})
    assert page.status == 200 and heading(page) == "Employee details"
    state, draft = STATE.search(page.text)[1], DRAFT.search(page.text)[1]  # type: ignore[index]
    step = f"/report/{draft}/employee"
    odd_states = [f"{state}\n", f"draft:{draft}\r\nSet-Cookie: planted=1!{state}", "\x00"]
    for odd in odd_states:
        switched = form.post(url + "/memory", {"memory": "on", "next": step, "memory_state": odd})
        assert switched.status < 500, odd
        moved = {"strategy": "form", "draft": draft, "step": "employee", "memory_state": odd}
        assert form.post(url + "/memory/strategy", moved).status < 500, odd
    assert not any(cookie.name == "planted" for cookie in form.jar)
    page = form.post(url + "/memory", {"memory": "on", "next": step, "memory_state": state})
    assert page.status == 200 and heading(page) == "Employee details"  # the draft goes on

    server = Browser()
    server.get(url + "/")
    started = server.post(url + "/report", {})
    draft_url = url + started.url.rsplit("/", 1)[0]
    assert server.post(draft_url + "/employee", employee_form()).status == 303
    for file_id in ("\x00", "a\x00b"):
        assert server.get(draft_url + "/files/%00").status == 404
        posted = {**receipt_form(0, merchant="Kept"), "receipts-0-file_id": file_id}
        page = server.post(draft_url + "/receipts", {**posted, "receipts-0-amount": "x"})
        assert page.status == 200 and 'value="Kept"' in page.text
    assert server.post(draft_url + "/receipts", receipt_form(0, date=TODAY)).status == 303
    categories = {"categories-0-receipt_id": "receipt0000", "categories-0-category": "Meals"}
    assert (
        server.post(draft_url + "/categories", {**categories, "business_purpose": "Trip"}).status
        == 303
    )
    page = server.post(draft_url + "/review", {"confirm": "y", "receipts-0-file_id": "\x00"})
    assert page.status == 200 and "is not one this draft stored" in page.text
    assert server.post(draft_url + "/review", {"confirm": "y"}).status == 303
