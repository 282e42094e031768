"""Store faults are 503 pages that tell the truth, never 500s: a full or write-paused Redis
(a redis-server of the test's own), a PostgreSQL that is not there, a failure after submit."""

from __future__ import annotations

import json
import os
import signal
import socket
import socketserver
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import URL, Table, create_engine, event, make_url

from tests.adversarial.flows import MODELS, forms, references, with_file
from tests.conftest import make_app
from tests.helpers import DRIVERS, Wizard
from tests.http import ROOT, AppProcess, Browser, Page, die_with_parent
from tests.services import OwnRedis, free_port

# Ten times what the app may spend on a paused Redis (REDIS_TIMEOUT 0.3 s, a command and
# two retries: about 1 s): an answer that comes while the pause lasts did not wait for Redis
# (OwnRedis.still_paused). How long the 503 takes below that is bench's business.
PAUSE_MS = 10_000


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
    return wizard.client.post(wizard.prefix, data={"csrf_token": wizard.token()})


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
    tmp_path: Path, own_redis: OwnRedis, driver: type[Wizard]
) -> None:
    wizard = driver(app_on(tmp_path, own_redis).test_client())
    wizard.token()
    fill(own_redis)
    assert_unavailable_page(new_draft(wizard))
    redis.Redis(port=own_redis.port).config_set("maxmemory", 0)
    assert new_draft(wizard).status_code == 303  # it recovers by itself


def test_a_write_paused_redis_gives_the_503_page_before_the_pause_ends(
    tmp_path: Path, own_redis: OwnRedis, driver: type[Wizard]
) -> None:
    wizard = driver(app_on(tmp_path, own_redis).test_client())
    wizard.token()
    pause_writes(own_redis)
    assert_unavailable_page(new_draft(wizard))
    assert own_redis.still_paused()  # not held for the whole pause


@pytest.mark.demo  # reads the inspector, the guide or the state API
@pytest.mark.parametrize("fault", [fill, pause_writes])
def test_api_writes_on_a_full_or_paused_redis_get_a_503_problem(
    tmp_path: Path, own_redis: OwnRedis, fault: Any, driver: type[Wizard]
) -> None:
    wizard = driver(app_on(tmp_path, own_redis).test_client())
    wizard.start()
    assert wizard.fill(wizard.steps[0]).status_code == 303
    fault(own_redis)
    assert_unavailable_problem(put_note(wizard))
    if fault is pause_writes:  # a full Redis refuses at once; a paused one is not waited out
        assert own_redis.still_paused()


def test_a_failure_after_the_submission_is_stored_says_it_was_submitted(
    tmp_path: Path, own_redis: OwnRedis, driver: type[Wizard]
) -> None:
    app = app_on(tmp_path, own_redis)
    wizard = driver(app.test_client())
    wizard.to_review()
    fill(own_redis)  # the submission is stored; the browser session's write after it fails
    page = wizard.submit()
    (reference,) = references(wizard, app)
    assert page.status_code == 503
    assert f"Your {wizard.noun} was submitted" in page.text and reference in page.text
    assert "Nothing was submitted" not in page.text


def every_route(wizard: Wizard) -> list[tuple[str, str, Any]]:
    """One request of each kind the site answers: (method, path, form or JSON body)."""
    draft = wizard.draft_url
    api = f"/api/drafts/{wizard.draft_id}/state"
    first, items = wizard.steps[0], wizard.items_step
    routes: list[tuple[str, str, Any]] = [
        ("GET", path, None) for path in ("/", "/guide", "/compare", "/nowhere", "/healthz")
    ]
    routes += [("GET", f"{draft}/{step}", None) for step in wizard.steps]
    routes += [
        ("POST", wizard.prefix, {}),
        ("POST", "/memory", {"memory": "off", "next": "/"}),
        ("POST", "/memory/strategy", {"strategy": "cookie"}),
        ("POST", f"{draft}/{first}", wizard.page_data(first)),
        ("POST", f"{draft}/{items}", with_file(wizard)),
        ("POST", f"{draft}/{items}", {**wizard.items_page([{}]), "action": "add"}),
        ("POST", f"{draft}/keep-alive", {}),
        ("GET", f"{draft}/confirmation", None),
        ("GET", api, None),
        ("GET", f"{api}/note", None),
        ("PUT", f"{api}/note", 1),
        ("DELETE", f"{api}/note", 1),
        ("POST", f"{draft}/review", {"confirm": "y"}),
        ("POST", f"{draft}/delete", {}),
    ]
    token = wizard.token()
    return [(m, p, {"csrf_token": token, **b} if isinstance(b, dict) else b) for m, p, b in routes]


def send(client: Any, method: str, path: str, body: Any, token: str) -> Any:
    if body is None or isinstance(body, dict):
        return client.open(path, method=method, data=body)
    headers = {"X-CSRFToken": token, "Content-Type": "application/json"}
    return client.open(path, method=method, data=json.dumps(body), headers=headers)


@pytest.mark.demo  # reads the inspector, the guide or the state API
def test_every_route_on_a_full_redis_answers_without_a_500(
    tmp_path: Path, own_redis: OwnRedis, driver: type[Wizard]
) -> None:
    """The owner of a draft and a browser without a session, on every route: a 503 says
    nothing was submitted, or (after the commit) that the submission was."""
    app = app_on(tmp_path, own_redis)
    owner = driver(app.test_client())
    owner.to_review()
    answers = []
    for client in (app.test_client(), owner.client):
        for method, path, body in every_route(owner):
            fill(own_redis)
            answers.append((method, path, send(client, method, path, body, owner.token())))
            redis.Redis(port=own_redis.port).config_set("maxmemory", 0)
    assert not [
        (m, p, r.status_code)
        for m, p, r in answers
        if r.status_code >= 500 and r.status_code != 503
    ]
    unavailable = [r for _, _, r in answers if r.status_code == 503]
    assert len(unavailable) >= 10  # every write of the owner's; a visitor's GET writes nothing
    for response in unavailable:
        told = response.json["detail"] if response.is_json else response.text
        assert any(outcome in told for outcome in HONEST_OUTCOMES), told


# What a 503 may say was (or may not have been) done: each true of the request it answers.
HONEST_OUTCOMES = (
    "Nothing was submitted",
    "Your expense report was submitted",
    "Your support request was submitted",
    "Your draft may not have been deleted",
    "Your draft&#39;s memory may not have been moved",
    "Session memory may not have been switched",
)


def test_a_delete_cut_short_by_a_full_redis_does_not_say_nothing_was_submitted(
    tmp_path: Path, own_redis: OwnRedis, driver: type[Wizard]
) -> None:
    """Delete is not a submit: its 503 says the draft may not have been deleted."""
    wizard = driver(app_on(tmp_path, own_redis).test_client())
    wizard.start()
    fill(own_redis)
    page = wizard.client.post(f"{wizard.draft_url}/delete", data={"csrf_token": wizard.token()})
    assert page.status_code == 503
    assert "Your draft may not have been deleted" in page.text
    assert "Nothing was submitted" not in page.text


def test_a_locked_embedded_store_gives_the_503_page_on_a_new_draft(
    tmp_path: Path, driver: type[Wizard]
) -> None:
    """The embedded default counts in the store's SQLite file: when it cannot write there,
    the same 503 as the session store, not a request let through uncounted."""
    app = make_app(
        tmp_path / "instance",
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_OPTIONS={"busy_timeout_ms": 100},
        PROPAGATE_EXCEPTIONS=False,
    )
    wizard = driver(app.test_client())
    wizard.token()
    with sqlite3.connect(tmp_path / "instance" / "memory.sqlite3") as other:
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        assert_unavailable_page(new_draft(wizard))
        other.rollback()
    assert new_draft(wizard).status_code == 303


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[list[AppProcess]]:
    """Two app processes on one instance folder (the embedded default), limits on."""
    env = {"FLASK_RATELIMIT_ENABLED": "true", "FLASK_WIZARD_DRAFT_RATE": "3 per minute"}
    processes = [AppProcess(tmp_path / "instance", free_port(), env) for _ in range(2)]
    try:
        with ThreadPoolExecutor() as pool:  # both start at once, as gunicorn's workers do
            list(pool.map(AppProcess.start, processes))
        yield processes
    finally:  # even when one did not start: no process outlives the test
        for process in processes:
            process.kill()


def test_new_drafts_are_limited_per_client_across_processes(
    two_processes: list[AppProcess],
) -> None:
    browser = Browser()
    browser.get(two_processes[0].url + "/")
    statuses = [browser.post(two_processes[n % 2].url + "/report", {}).status for n in range(4)]
    assert statuses == [303, 303, 303, 429]


def test_a_table_another_process_made_meanwhile_is_no_error(
    tmp_path: Path, postgres_uri: str, driver: type[Wizard]
) -> None:
    """Workers starting at once on a new database race on CREATE TABLE (gunicorn without
    --preload stopped with "Worker failed to boot" in 1 of 4 tries): here the other worker
    always wins, between the check and the CREATE."""
    other = create_engine(postgres_uri)
    made: list[bool] = []

    def another_process_first(table: Table, _connection: Any, **_kw: Any) -> None:
        if not made:
            made.append(True)
            table.create(other)

    table = MODELS[driver.flow_name].__table__  # the flow's own table
    event.listen(table, "before_create", another_process_first)
    try:
        app = make_app(tmp_path / "instance", SQLALCHEMY_DATABASE_URI=postgres_uri)
    finally:
        event.remove(table, "before_create", another_process_first)
        other.dispose()
    assert made
    assert driver(app.test_client()).complete_draft().status_code == 303


class Relay:
    """A TCP relay to PostgreSQL on a port of its own: closed (a database that is not there)
    until started."""

    def __init__(self, target: URL) -> None:
        self.target = (target.host or "127.0.0.1", target.port or 5432)
        self.port = free_port()
        self.server: socketserver.ThreadingTCPServer | None = None

    def start(self) -> None:
        target = self.target

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with socket.create_connection(target) as upstream:
                    back = threading.Thread(target=_copy, args=(upstream, self.request))
                    back.start()
                    _copy(self.request, upstream)
                    back.join()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Pipe)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def _copy(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


@pytest.fixture
def relay(postgres_uri: str) -> Iterator[Relay]:
    server = Relay(make_url(postgres_uri))
    yield server
    server.stop()


def gunicorn(instance: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The README's production command (--preload, several workers) on a free port."""
    port = int(env["PORT"])
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--preload",
        "--workers",
        "2",
        "--no-control-socket",
    ]
    command += ["--bind", f"127.0.0.1:{port}", f"app:create_app(instance_path={str(instance)!r})"]
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    with (instance.parent / "gunicorn.log").open("wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=log, stderr=log, preexec_fn=die_with_parent
        )


def wait_for_an_answer(url: str, process: subprocess.Popen[bytes]) -> int:
    """The status of the first answer /healthz gives, whatever it is."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as e:
            return e.code
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError("the server did not answer")


def walk_and_submit(browser: Browser, url: str, flow: type[Wizard]) -> Page:
    """A whole submission of the flow over HTTP; the confirmation page."""
    step1 = browser.post(url + flow.prefix, {}).url
    draft = url + step1.removeprefix(url).rsplit("/", 1)[0]
    pages = [(step, forms(flow).page_data(step)) for step in flow.steps[:-1]]
    for step, form in [*pages, (flow.steps[-1], {"confirm": "y"})]:
        browser.get(f"{draft}/{step}")
        page = browser.post(f"{draft}/{step}", form)
        assert page.status == 303, (step, page.text)
    return browser.get(page.url if page.url.startswith("http") else url + page.url)


def test_the_app_starts_with_postgresql_down_serves_503_and_recovers(
    tmp_path: Path, relay: Relay, postgres_uri: str
) -> None:
    uri = make_url(postgres_uri).set(port=relay.port).render_as_string(hide_password=False)
    port = free_port()
    env = {"FLASK_SQLALCHEMY_DATABASE_URI": uri, "PORT": str(port)}
    server = gunicorn(tmp_path / "instance", env)
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_for_an_answer(url, server) == 503
        browser = Browser()
        page = browser.get(url + "/")
        assert page.status == 503 and "reports database cannot be reached" in page.text
        assert "Nothing was submitted" in page.text
        relay.start()  # PostgreSQL is back
        assert browser.get(url + "/").status == 200
        for flow in DRIVERS:  # each flow submits once the database is back
            done = walk_and_submit(browser, url, flow)
            assert done.status == 200 and f"<h1>{flow.sent_title}</h1>" in done.text
        assert wait_for_an_answer(url, server) == 200
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        server.wait(timeout=15)


@pytest.mark.parametrize("route", ["memory off", "delete", "move"])
def test_changes_on_a_long_write_pause_end_in_a_503_before_the_pause_ends(
    tmp_path: Path, own_redis: OwnRedis, route: str, driver: type[Wizard]
) -> None:
    """Found by attack: a timeout while watching a key came back from redis-py as a
    WatchError and was retried for about 30 s, until gunicorn killed the worker."""
    wizard = driver(app_on(tmp_path, own_redis).test_client())
    wizard.start()
    assert wizard.fill(wizard.steps[0]).status_code == 303
    token, draft = wizard.token(), wizard.draft_id
    move = {"strategy": "cookie", "flow": wizard.flow_name, "draft": draft,
            "step": wizard.items_step}  # fmt: skip
    sends = {
        "memory off": ("/memory", {"memory": "off", "next": "/"}),
        "delete": (f"{wizard.prefix}/{draft}/delete", {}),
        "move": ("/memory/strategy", move),
    }
    path, data = sends[route]
    pause_writes(own_redis)
    try:
        page = wizard.client.post(path, data={"csrf_token": token, **data})
        answered_while_paused = own_redis.still_paused()
    finally:
        redis.Redis(port=own_redis.port).client_unpause()
    assert page.status_code == 503 and answered_while_paused, page.status_code
