"""Two requests of one browser at the same time lose nothing (SPEC §9, issue 15.2): gunicorn
with four workers and a threaded server beside it on one instance folder, over HTTP, one
browser's cookies, requests released by a barrier.

The browser session (switch, draft ids, CSRF secret) is saved key by key on its freshest
copy, so simultaneous starts, a submit beside a start, and a move beside a start each keep
every draft. On the embedded store and on Redis.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import employee_form, receipt_form
from tests.http import AppProcess, Browser, GunicornProcess, Page
from tests.services import free_port

PROCESSES = 2


@pytest.fixture(params=["sqlite", "redis"])
def servers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[AppProcess]]:
    """Five app processes on one instance folder: one embedded store, or one Redis."""
    env = {"FLASK_SECRET_KEY": secrets.token_hex(16), "FLASK_RATELIMIT_ENABLED": "false"}
    if request.param == "redis":
        env["FLASK_SESSION_TYPE"] = "redis"
        env["FLASK_REDIS_URL"] = request.getfixturevalue("redis_url")
        env["FLASK_REDIS_KEY_PREFIX"] = request.getfixturevalue("redis_prefix")
    instance = tmp_path / "instance"
    # Several real processes: gunicorn's sync workers, and a threaded server beside them on
    # the same instance folder (a request may land on any of them).
    apps: list[AppProcess] = [GunicornProcess(instance, free_port(), env, workers=4)]
    apps.append(AppProcess(instance, free_port(), env))
    for app in apps:
        app.start()
    yield apps
    for app in apps:
        app.kill()


def at_once(requests: list[Callable[[], Page]]) -> list[Page]:
    """Send the requests at the same moment, one thread each; their answers in order."""
    barrier = threading.Barrier(len(requests))
    pages: list[Page | None] = [None] * len(requests)

    def run(i: int) -> None:
        barrier.wait()
        pages[i] = requests[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(pages)
    return pages  # type: ignore[return-value]


def heading(page: Page) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page.text)
    return found[1] if found else f"(status {page.status})"


def start(browser: Browser, server: AppProcess, **data: Any) -> Callable[[], Page]:
    return lambda: browser.post(f"{server.url}/report", data)


def draft_path(page: Page) -> str:
    """/report/<draft id> from the redirect a start or a step answered with."""
    assert page.status == 303, f"{page.status}: {page.text[:300]}"
    return page.url.rsplit("/", 1)[0]


def reachable(browser: Browser, servers: list[AppProcess], path: str) -> bool:
    """The draft's step 1 opens on every process (not 404, not expired)."""
    return all(
        heading(browser.get(f"{server.url}{path}/employee")) == "Employee details"
        for server in servers
    )


def to_review(browser: Browser, server: AppProcess) -> str:
    url = server.url + draft_path(browser.post(f"{server.url}/report", {}))
    for step, data in [
        ("employee", employee_form()),
        ("receipts", receipt_form(0)),
        ("categories", {"categories-0-receipt_id": "receipt0000",
                        "categories-0-category": "Meals", "business_purpose": "Visit"}),
    ]:  # fmt: skip
        assert browser.post(f"{url}/{step}", data).status == 303
    return url


def test_twenty_new_drafts_started_at_once_are_all_kept(servers: list[AppProcess]) -> None:
    browser = Browser()
    browser.get(servers[0].url + "/")
    pages = at_once([start(browser, servers[i % PROCESSES]) for i in range(20)])
    paths = [draft_path(page) for page in pages]
    lost = [path for path in paths if not reachable(browser, servers, path)]
    assert lost == [], f"{len(lost)} of 20 new drafts lost"


def test_a_submit_beside_a_new_draft_keeps_the_new_draft(servers: list[AppProcess]) -> None:
    browser = Browser()
    browser.get(servers[0].url + "/")
    for _ in range(5):
        review = to_review(browser, servers[0])
        submit = lambda review=review: browser.post(f"{review}/review", {"confirm": "y"})  # noqa: E731
        done, started = at_once([submit, start(browser, servers[1])])
        assert done.status == 303 and done.url.endswith("/confirmation")
        assert reachable(browser, servers, draft_path(started)), "the new draft was lost"
        assert "EXP-" in browser.get(servers[0].url + done.url).text


def test_a_cookie_draft_moved_to_the_server_beside_a_new_draft_keeps_both(
    servers: list[AppProcess],
) -> None:
    browser = Browser()
    browser.get(servers[0].url + "/")
    for _ in range(5):
        browser.post(f"{servers[0].url}/memory/strategy", {"strategy": "cookie", "next": "/"})
        draft = draft_path(browser.post(f"{servers[0].url}/report", {}))
        browser.post(f"{servers[0].url}{draft}/employee", employee_form(full_name="Moved Person"))
        draft_id = draft.rsplit("/", 1)[1]
        move = {"strategy": "server", "draft": draft_id, "step": "receipts", "next": "/"}
        moved, started = at_once(
            [
                lambda move=move: browser.post(f"{servers[0].url}/memory/strategy", move),
                start(browser, servers[1]),
            ]
        )
        assert moved.status == 303
        moved_to = servers[1].url + draft_path(moved)
        assert 'value="Moved Person"' in browser.get(f"{moved_to}/employee").text
        assert reachable(browser, servers, draft_path(started)), "the new draft was lost"


def test_the_memory_switch_beside_a_new_draft_keeps_the_draft(servers: list[AppProcess]) -> None:
    """Turning memory off gives the browser a new session id; a draft started meanwhile
    still belongs to it."""
    browser = Browser()
    browser.get(servers[0].url + "/")
    for round_number in range(5):
        mode = "off" if round_number % 2 == 0 else "on"
        switch = lambda mode=mode: browser.post(  # noqa: E731
            f"{servers[0].url}/memory", {"memory": mode, "next": "/"}
        )
        _, started = at_once([switch, start(browser, servers[1])])
        assert reachable(browser, servers, draft_path(started)), "the new draft was lost"


REVISION = re.compile(r'name="revision" value="(\d+)"')


def test_two_tabs_on_one_draft_do_not_overwrite_each_other_without_a_word(
    servers: list[AppProcess],
) -> None:
    """One draft's URL open twice: the tab whose page is older is told, keeps what it sent,
    and saves only when the person presses the button again."""
    browser = Browser()
    browser.get(servers[0].url + "/")
    draft = servers[0].url + draft_path(browser.post(f"{servers[0].url}/report", {}))
    assert browser.post(f"{draft}/employee", employee_form()).status == 303
    tab_a = REVISION.search(browser.get(f"{draft}/receipts").text)
    tab_b = REVISION.search(browser.get(f"{draft}/receipts").text)
    assert tab_a and tab_b
    two = {**receipt_form(0, merchant="Tab B one"), **receipt_form(1, merchant="Tab B two")}
    assert browser.post(f"{draft}/receipts", {**two, "revision": tab_b[1]}).status == 303
    one = receipt_form(0, merchant="Tab A only")
    page = browser.post(f"{draft}/receipts", {**one, "revision": tab_a[1]})
    assert page.status == 409 and "This draft was changed in another tab" in page.text
    assert 'value="Tab A only"' in page.text  # what tab A sent is kept on its page
    categories = browser.get(f"{draft}/categories").text
    assert "Tab B one" in categories and "Tab B two" in categories  # nothing overwritten
    again = REVISION.search(page.text)
    assert again and browser.post(f"{draft}/receipts", {**one, "revision": again[1]}).status == 303
    assert "Tab A only" in browser.get(f"{draft}/categories").text  # the person's choice


@pytest.mark.parametrize("place", ["server", "cookie"])
def test_two_tabs_on_one_draft_sending_at_the_same_moment_lose_nothing_silently(
    servers: list[AppProcess], place: str
) -> None:
    """The same page of one draft sent from two tabs at once, with different answers: one is
    saved, the other is told and keeps what it sent (never two 303s with one lost). With
    memory in a cookie both requests carry the one cookie, and the browser keeps the last
    Set-Cookie: the refused one sets none."""
    browser = Browser()
    browser.get(servers[0].url + "/")
    browser.post(f"{servers[0].url}/memory/strategy", {"strategy": place, "next": "/"})
    for _ in range(5):
        path = draft_path(browser.post(f"{servers[0].url}/report", {}))
        assert browser.post(f"{servers[0].url}{path}/employee", employee_form()).status == 303
        shown = REVISION.search(browser.get(f"{servers[0].url}{path}/receipts").text)
        assert shown
        pages = at_once([tab_sends(browser, server, path, shown[1]) for server in servers])
        assert sorted(page.status for page in pages) == [303, 409], "one tab's answers lost"
        told = next(page for page in pages if page.status == 409)
        assert "This draft was changed in another tab" in told.text
        saved = next(pages.index(page) for page in pages if page.status == 303)
        kept = browser.get(f"{servers[0].url}{path}/categories").text
        assert f"Tab on {servers[saved].port}" in kept, "the saved tab's answers were lost"


def tab_sends(browser: Browser, server: AppProcess, path: str, revision: str) -> Callable[[], Page]:
    data = {**receipt_form(0, merchant=f"Tab on {server.port}"), "revision": revision}
    return lambda: browser.post(f"{server.url}{path}/receipts", data)
