"""Two requests of one browser at the same time lose nothing (SPEC §9, issue 15.2): gunicorn
with four workers and a threaded server beside it on one instance folder, over HTTP, one
browser's cookies, requests released by a barrier.

The browser session (switch, draft ids, CSRF secret) is saved key by key on its freshest
copy, so simultaneous starts, a submit beside a start, and a move beside a start each keep
every draft. On the embedded store and on Redis, and on both flows: the tests that go round
five times take the flows in turn (one server start each, not two); the two-tab test takes
the flow as a parameter.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.adversarial.flows import forms, shown, typed
from tests.helpers import DRIVERS, Wizard
from tests.http import AppProcess, Browser, GunicornProcess, Page
from tests.services import free_port

PROCESSES = 2


@pytest.fixture(params=["sqlite", "redis"], name="servers")
def app_servers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[AppProcess]]:
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


def flow(turn: int) -> type[Wizard]:
    """The flows in turn: a test that goes round does it on each."""
    return DRIVERS[turn % len(DRIVERS)]


def start(browser: Browser, server: AppProcess, driver: type[Wizard]) -> Callable[[], Page]:
    return lambda: browser.post(f"{server.url}{driver.prefix}", {})


def draft_path(page: Page) -> str:
    """/<flow>/<draft id> from the redirect a start or a step answered with."""
    assert page.status == 303, f"{page.status}: {page.text[:300]}"
    return page.url.rsplit("/", 1)[0]


def reachable(browser: Browser, servers: list[AppProcess], path: str) -> bool:
    """The draft's step 1 opens on every process (not 404, not expired)."""
    driver = next(d for d in DRIVERS if path.startswith(f"{d.prefix}/"))
    return all(
        heading(browser.get(f"{server.url}{path}/{driver.steps[0]}")) == driver.titles[0]
        for server in servers
    )


def walk(browser: Browser, url: str, driver: type[Wizard], steps: tuple[str, ...]) -> None:
    for step in steps:
        assert browser.post(f"{url}/{step}", forms(driver).page_data(step)).status == 303


def to_review(browser: Browser, server: AppProcess, driver: type[Wizard]) -> str:
    url = server.url + draft_path(start(browser, server, driver)())
    walk(browser, url, driver, driver.steps[:-1])
    return url


def to_items(browser: Browser, server: AppProcess, driver: type[Wizard]) -> str:
    """A new draft with every step before the items step answered; its path."""
    path = draft_path(start(browser, server, driver)())
    walk(browser, server.url + path, driver, driver.steps[: driver.steps.index(driver.items_step)])
    return path


def test_twenty_new_drafts_started_at_once_are_all_kept(servers: list[AppProcess]) -> None:
    browser = Browser()
    browser.get(servers[0].url + "/")
    pages = at_once([start(browser, servers[i % PROCESSES], flow(i // 2)) for i in range(20)])
    paths = [draft_path(page) for page in pages]
    lost = [path for path in paths if not reachable(browser, servers, path)]
    assert lost == [], f"{len(lost)} of 20 new drafts lost"


def test_a_submit_beside_a_new_draft_keeps_the_new_draft(servers: list[AppProcess]) -> None:
    browser = Browser()
    browser.get(servers[0].url + "/")
    for turn in range(5):
        review = to_review(browser, servers[0], flow(turn))
        submit = lambda review=review: browser.post(f"{review}/review", {"confirm": "y"})  # noqa: E731
        done, started = at_once([submit, start(browser, servers[1], flow(turn + 1))])
        assert done.status == 303 and done.url.endswith("/confirmation")
        assert reachable(browser, servers, draft_path(started)), "the new draft was lost"
        confirmation = browser.get(servers[0].url + done.url).text
        assert f"<h1>{flow(turn).sent_title}</h1>" in confirmation


def test_a_cookie_draft_moved_to_the_server_beside_a_new_draft_keeps_both(
    servers: list[AppProcess],
) -> None:
    browser = Browser()
    browser.get(servers[0].url + "/")
    for turn in range(5):
        driver = flow(turn)
        browser.post(f"{servers[0].url}/memory/strategy", {"strategy": "cookie", "next": "/"})
        draft = draft_path(start(browser, servers[0], driver)())
        first = forms(driver).page_data(driver.steps[0], full_name="Moved Person")
        browser.post(f"{servers[0].url}{draft}/{driver.steps[0]}", first)
        move = {"strategy": "server", "flow": driver.flow_name,
                "draft": draft.rsplit("/", 1)[1], "step": driver.steps[1], "next": "/"}  # fmt: skip
        moved, started = at_once(
            [
                lambda move=move: browser.post(f"{servers[0].url}/memory/strategy", move),
                start(browser, servers[1], flow(turn + 1)),
            ]
        )
        assert moved.status == 303
        moved_to = servers[1].url + draft_path(moved)
        assert 'value="Moved Person"' in browser.get(f"{moved_to}/{driver.steps[0]}").text
        assert reachable(browser, servers, draft_path(started)), "the new draft was lost"


def test_the_memory_switch_beside_a_new_draft_keeps_the_draft(servers: list[AppProcess]) -> None:
    """Turning memory off gives the browser a new session id; a draft started meanwhile
    still belongs to it."""
    browser = Browser()
    browser.get(servers[0].url + "/")
    for turn in range(5):
        mode = "off" if turn % 2 == 0 else "on"
        switch = lambda mode=mode: browser.post(  # noqa: E731
            f"{servers[0].url}/memory", {"memory": mode, "next": "/"}
        )
        _, started = at_once([switch, start(browser, servers[1], flow(turn // 2))])
        assert reachable(browser, servers, draft_path(started)), "the new draft was lost"


REVISION = re.compile(r'name="revision" value="(\d+)"')


def test_two_tabs_on_one_draft_do_not_overwrite_each_other_without_a_word(
    servers: list[AppProcess], driver: type[Wizard]
) -> None:
    """One draft's URL open twice: the tab whose page is older is told, keeps what it sent,
    and saves only when the person presses the button again."""
    browser = Browser()
    browser.get(servers[0].url + "/")
    page_of = forms(driver)
    items = f"{servers[0].url}{to_items(browser, servers[0], driver)}/{driver.items_step}"
    tab_a = REVISION.search(browser.get(items).text)
    tab_b = REVISION.search(browser.get(items).text)
    assert tab_a and tab_b
    assert browser.post(items, {**typed(page_of, "Tab B"), "revision": tab_b[1]}).status == 303
    page = browser.post(items, {**typed(page_of, "Tab A only"), "revision": tab_a[1]})
    assert page.status == 409 and "This draft was changed in another tab" in page.text
    assert shown(page, page_of) == "Tab A only"  # what tab A sent is kept on its page
    assert shown(browser.get(items), page_of) == "Tab B"  # nothing overwritten
    again = REVISION.search(page.text)
    assert again
    assert browser.post(items, {**typed(page_of, "Tab A only"), "revision": again[1]}).status == 303
    assert shown(browser.get(items), page_of) == "Tab A only"  # the person's choice


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
    for turn in range(5):
        driver = flow(turn)
        items = f"{to_items(browser, servers[0], driver)}/{driver.items_step}"
        shown_at = REVISION.search(browser.get(f"{servers[0].url}{items}").text)
        assert shown_at
        sends = [tab_sends(browser, server, items, shown_at[1], driver) for server in servers]
        pages = at_once(sends)
        assert sorted(page.status for page in pages) == [303, 409], "one tab's answers lost"
        told = next(page for page in pages if page.status == 409)
        assert "This draft was changed in another tab" in told.text
        saved = next(pages.index(page) for page in pages if page.status == 303)
        kept = shown(browser.get(f"{servers[0].url}{items}"), forms(driver))
        assert kept == f"Tab on {servers[saved].port}", "the saved tab's answers were lost"


def tab_sends(
    browser: Browser, server: AppProcess, items: str, revision: str, driver: type[Wizard]
) -> Callable[[], Page]:
    data = {**typed(forms(driver), f"Tab on {server.port}"), "revision": revision}
    return lambda: browser.post(f"{server.url}{items}", data)
