"""Scale-out: Redis session memory and PostgreSQL reports, shared by several app processes."""

from __future__ import annotations

import io
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from flask import Flask
from werkzeug.datastructures import FileStorage

from app.flows.expenses.models import LineItem, Report
from tests.conftest import make_app
from tests.files import png
from tests.helpers import Wizard, employee_form, receipt_form
from tests.http import AppProcess, Browser
from tests.services import OwnRedis, free_port


@pytest.fixture
def scaled_config(redis_url: str, redis_prefix: str, postgres_uri: str) -> dict[str, Any]:
    return {
        "SESSION_TYPE": "redis",
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix,
        "SQLALCHEMY_DATABASE_URI": postgres_uri,
        "SECRET_KEY": secrets.token_hex(16),
    }


@pytest.fixture
def scaled_app(tmp_path: Path, scaled_config: dict[str, Any]) -> Flask:
    return make_app(tmp_path / "instance", **scaled_config)


def env_of(config: dict[str, Any]) -> dict[str, str]:
    return {f"FLASK_{key}": str(value) for key, value in config.items()}


def test_a_whole_draft_of_each_flow_on_redis_and_postgresql(
    scaled_app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(scaled_app.test_client())
    done = wizard.complete_draft()
    assert wizard.sent_title in wizard.client.get(done.location).text
    assert wizard.records(scaled_app) == 1
    assert scaled_app.extensions["session_memory"].store.name == "Redis"


def test_a_whole_report_on_postgresql_keeps_its_line_items(scaled_app: Flask) -> None:
    Wizard(scaled_app.test_client()).complete_draft(receipts=2)
    with scaled_app.app_context():
        assert Report.query.count() == 1 and LineItem.query.count() == 2


def test_idle_drafts_carry_a_ttl_in_redis(scaled_app: Flask) -> None:
    wizard = Wizard(scaled_app.test_client())
    wizard.start()
    store = scaled_app.extensions["session_memory"].store
    ttl_ms = store.client.pttl(store.prefix + f"draft:{wizard.draft_id}")
    assert 0 < ttl_ms <= 30 * 60 * 1000  # Redis deletes it by itself after the idle timeout


def test_twenty_simultaneous_submits_make_one_record_on_postgresql(
    scaled_app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(scaled_app.test_client())
    wizard.to_review()
    statuses = run_together(
        20,
        lambda client: (
            client.post(
                wizard.url("review"), data={"csrf_token": wizard.token(), "confirm": "y"}
            ).status_code
        ),
        scaled_app,
        wizard,
    )
    assert statuses == [303] * 20
    assert wizard.records(scaled_app) == 1


def run_together(
    count: int, request: Callable[[Any], int], app: Flask, wizard: Wizard
) -> list[int]:
    """Send count requests at the same moment from clients sharing the wizard's cookie."""
    cookie = wizard.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie
    barrier = threading.Barrier(count)
    results: list[int] = []

    def one() -> None:
        client = app.test_client()
        client.set_cookie(cookie.key, cookie.value)
        barrier.wait()
        results.append(request(client))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_two_tabs_posting_at_the_same_moment_lose_nothing(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    config = request.getfixturevalue("scaled_config") if backend == "redis" else {}
    app = make_app(tmp_path / "instance", **config)
    wizard = Wizard(app.test_client())
    for round_number in range(10):
        wizard.start()
        wizard.fill_employee()
        name = f"Round {round_number}"  # one tab changes the name while the other adds receipts
        steps = [("employee", employee_form(full_name=name)), ("receipts", receipt_form(0))]
        statuses = run_together(
            2, lambda client, steps=steps: post_next(client, wizard, steps), app, wizard
        )
        assert statuses == [303, 303]
        assert "Receipt 1: Merchant 1" in wizard.get("categories").text
        assert f'value="{name}"' in wizard.get("employee").text


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_two_drafts_of_one_browser_written_at_once_keep_both(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    config = request.getfixturevalue("scaled_config") if backend == "redis" else {}
    app = make_app(tmp_path / "instance", **config)
    wizard = Wizard(app.test_client())
    for _ in range(5):
        drafts = [wizard.start().rsplit("/", 1)[0] for _ in range(2)]
        targets = [
            (f"{url}/employee", employee_form(full_name=f"Tab {i}")) for i, url in enumerate(drafts)
        ]

        def post(client: Any, targets: list[tuple[str, dict[str, str]]] = targets) -> int:
            url, data = targets.pop()
            return int(client.post(url, data={"csrf_token": wizard.token(), **data}).status_code)

        assert run_together(2, post, app, wizard) == [303, 303]
        for i, url in enumerate(drafts):
            assert f'value="Tab {i}"' in wizard.client.get(f"{url}/employee").text


def post_next(client: Any, wizard: Wizard, steps: list[tuple[str, dict[str, str]]]) -> int:
    step, data = steps.pop()
    return int(
        client.post(wizard.url(step), data={"csrf_token": wizard.token(), **data}).status_code
    )


def test_two_processes_serve_one_draft_step_by_step(
    tmp_path: Path, scaled_config: dict[str, Any], driver: type[Wizard]
) -> None:
    """Each step's page from one process, its answer to the other, a file on the way."""
    env = env_of(scaled_config)
    first = AppProcess(tmp_path / "a", free_port(), env).start()
    second = AppProcess(tmp_path / "b", free_port(), env).start()
    flow = driver(Flask(__name__).test_client())  # for its page data only
    try:
        browser = Browser()
        browser.get(first.url + "/")
        step1 = browser.post(first.url + flow.prefix, {}).url
        path = step1.rsplit("/", 1)[0].replace(first.url, "")
        servers = [first.url, second.url]
        for n, step in enumerate(flow.steps[:-1]):
            data: dict[str, object] = dict(flow.page_data(step))
            if step == flow.items_step:
                file = FileStorage(io.BytesIO(png()), "taxi.png")
                data = {**flow.items_page([{}]), f"{flow.items}-0-file": file}
            assert browser.get(servers[n % 2] + path + f"/{step}").status == 200
            assert browser.post(servers[(n + 1) % 2] + path + f"/{step}", data).status == 303
        review = browser.get(second.url + path + "/review")
        name = flow.page_data(flow.text_field[0])[flow.text_field[1]]  # typed on step 1
        assert "taxi.png" in review.text and name in review.text
        done = browser.post(second.url + path + "/review", {"confirm": "y"})
        confirmation = browser.get(first.url + done.url.replace(second.url, ""))
        assert flow.sent_title in confirmation.text and "taxi.png" in confirmation.text
    finally:
        first.kill()
        second.kill()


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_killed_app_process_loses_no_draft(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    config: dict[str, Any] = {"SECRET_KEY": "kept-across-restarts"}
    if backend == "redis":
        own: OwnRedis = request.getfixturevalue("own_redis")
        config |= {"SESSION_TYPE": "redis", "REDIS_URL": own.url}
    port = free_port()
    app = AppProcess(tmp_path / "instance", port, env_of(config)).start()
    browser = Browser()
    browser.get(app.url + "/")
    path = browser.post(app.url + "/report", {}).url.rsplit("/", 1)[0].replace(app.url, "")
    browser.post(app.url + path + "/employee", employee_form(full_name="Survivor"))
    app.kill()  # kill -9 mid-draft
    app.start()
    try:
        assert 'value="Survivor"' in browser.get(app.url + path + "/employee").text
        assert browser.post(app.url + path + "/receipts", receipt_form(0)).status == 303
    finally:
        app.kill()


def test_drafts_survive_a_redis_restart_with_aof(tmp_path: Path, own_redis: OwnRedis) -> None:
    app = make_app(tmp_path / "instance", SESSION_TYPE="redis", REDIS_URL=own_redis.url)
    wizard = Wizard(app.test_client())
    wizard.start()
    wizard.fill_employee(full_name="Written To Disk")
    own_redis.kill()
    own_redis.start()
    assert 'value="Written To Disk"' in wizard.get("employee").text


def app_on_own_redis(tmp_path: Path, own_redis: OwnRedis) -> Flask:
    """An app on the test's own Redis, with a short timeout and error pages instead of raises."""
    return make_app(
        tmp_path / "instance",
        SESSION_TYPE="redis",
        REDIS_URL=own_redis.url,
        REDIS_TIMEOUT=0.3,
        PROPAGATE_EXCEPTIONS=False,
    )


def test_redis_down_gives_a_503_and_the_app_recovers_by_itself(
    tmp_path: Path, own_redis: OwnRedis
) -> None:
    app = app_on_own_redis(tmp_path, own_redis)
    wizard = Wizard(app.test_client())
    wizard.start()
    wizard.fill_employee()
    own_redis.kill()
    page = wizard.fill_receipts(1)
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "Nothing was submitted" in page.text
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and health.json == {
        "status": "unavailable",
        "session_store": "unavailable",
        "database": "ok",
    }
    own_redis.start()  # AOF: the draft comes back with it
    assert wizard.fill_receipts(1).status_code == 303
    assert app.test_client().get("/healthz").status_code == 200


def test_a_paused_redis_gives_a_503_before_the_pause_ends(
    tmp_path: Path, own_redis: OwnRedis
) -> None:
    """Not a worker hung for the whole pause: the 503 comes while Redis still holds every
    command back (10 s: ten times what the app may spend on it, a command of 0.3 s and two
    retries)."""
    app = app_on_own_redis(tmp_path, own_redis)
    wizard = Wizard(app.test_client())
    wizard.start()
    own_redis.pause(10_000)
    page = wizard.get("employee")
    assert page.status_code == 503
    assert own_redis.still_paused()


def test_the_database_down_gives_a_503(tmp_path: Path) -> None:
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test?connect_timeout=1"
    app = make_app(
        tmp_path / "instance", SQLALCHEMY_DATABASE_URI="sqlite://", PROPAGATE_EXCEPTIONS=False
    )
    wizard = Wizard(app.test_client())
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    from app.extensions import db

    with app.app_context():
        db.engines[None] = sqlalchemy.create_engine(closed)  # the database goes away
    page = wizard.submit()
    assert page.status_code == 503 and "reports database cannot be reached" in page.text
    health = app.test_client().get("/healthz").json
    assert health is not None and health["database"] == "unavailable"
