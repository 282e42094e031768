"""Store faults are 503 pages that tell the truth, never 500s: a full or write-paused Redis
(a redis-server of the test's own), a PostgreSQL that is not there, a failure after submit."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask

from tests.conftest import make_app
from tests.helpers import Wizard
from tests.http import AppProcess, Browser
from tests.services import OwnRedis, free_port

PAUSE_MS = 3000


def app_on(tmp_path: Path, server: OwnRedis, **config: Any) -> Flask:
    """An app with session memory and rate limits in this Redis, limits on, failing fast."""
    settings = {
        "SESSION_TYPE": "redis",
        "REDIS_URL": server.url,
        "REDIS_TIMEOUT": 0.3,
        "RATELIMIT_ENABLED": True,
        "PROPAGATE_EXCEPTIONS": False,  # what a person gets, not the test's traceback
        **config,
    }
    return make_app(tmp_path / "instance", **settings)


def fill(server: OwnRedis) -> None:
    """Redis is full: with noeviction (the README's setting) it refuses every write."""
    redis.Redis(port=server.port).config_set("maxmemory", 1)


def pause_writes(server: OwnRedis) -> None:
    redis.Redis(port=server.port).client_pause(PAUSE_MS, all=False)  # CLIENT PAUSE ms WRITE


def new_draft(wizard: Wizard) -> Any:
    return wizard.client.post("/report", data={"csrf_token": wizard.token()})


def put_note(wizard: Wizard) -> Any:
    url = f"/api/drafts/{wizard.draft_id}/state/note"
    headers = {"X-CSRFToken": wizard.token(), "Content-Type": "application/json"}
    return wizard.client.put(url, data=json.dumps("hello"), headers=headers)


def assert_unavailable_page(page: Any) -> None:
    assert page.status_code == 503, page.text
    assert page.headers["Retry-After"] == "30"
    assert "Nothing was submitted" in page.text


def assert_unavailable_problem(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "unavailable"
    assert "Nothing was submitted" in response.json["detail"]


def test_a_full_redis_gives_the_503_page_on_a_new_draft(
    tmp_path: Path, own_redis: OwnRedis
) -> None:
    wizard = Wizard(app_on(tmp_path, own_redis).test_client())
    wizard.token()
    fill(own_redis)
    assert_unavailable_page(new_draft(wizard))
    redis.Redis(port=own_redis.port).config_set("maxmemory", 0)
    assert new_draft(wizard).status_code == 303  # it recovers by itself


def test_a_write_paused_redis_gives_the_503_page_within_the_timeout(
    tmp_path: Path, own_redis: OwnRedis
) -> None:
    wizard = Wizard(app_on(tmp_path, own_redis).test_client())
    wizard.token()
    pause_writes(own_redis)
    started = time.monotonic()
    assert_unavailable_page(new_draft(wizard))
    assert time.monotonic() - started < PAUSE_MS / 1000 - 0.5  # not held for the whole pause


@pytest.mark.parametrize("fault", [fill, pause_writes])
def test_api_writes_on_a_full_or_paused_redis_get_a_503_problem(
    tmp_path: Path, own_redis: OwnRedis, fault: Any
) -> None:
    wizard = Wizard(app_on(tmp_path, own_redis).test_client())
    wizard.start()
    assert wizard.fill_employee().status_code == 303
    fault(own_redis)
    started = time.monotonic()
    assert_unavailable_problem(put_note(wizard))
    assert time.monotonic() - started < PAUSE_MS / 1000 - 0.5


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[list[AppProcess]]:
    """Two app processes on one instance folder (the embedded default), limits on."""
    env = {"FLASK_RATELIMIT_ENABLED": "true", "FLASK_WIZARD_DRAFT_RATE": "3 per minute"}
    processes = [AppProcess(tmp_path / "instance", free_port(), env) for _ in range(2)]
    for process in processes:
        process.start()
    yield processes
    for process in processes:
        process.kill()


def test_new_drafts_are_limited_per_client_across_processes(
    two_processes: list[AppProcess],
) -> None:
    browser = Browser()
    browser.get(two_processes[0].url + "/")
    statuses = [browser.post(two_processes[n % 2].url + "/report", {}).status for n in range(4)]
    assert statuses == [303, 303, 303, 429]
