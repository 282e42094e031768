"""Fixtures shared by every suite: app -> client -> wizard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from tests.clock import MovableClock
from tests.helpers import DRIVERS, Wizard, dispose_apps, made_apps

pytest_plugins = ["tests.services"]
WITHOUT_DEMO = {"on": False}  # --without-demo: every app built without the demonstration


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--without-demo",
        action="store_true",
        help="build every app with WIZARD_DEMO = False and leave out the tests of the "
        "demonstration layer (tests marked demo): the engine, memory and the flows must "
        "pass without it",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "demo: a test of the demonstration layer (app/demo/)")
    WITHOUT_DEMO["on"] = bool(config.getoption("--without-demo"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not WITHOUT_DEMO["on"]:
        return
    kept = [item for item in items if item.get_closest_marker("demo") is None]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


def make_app(instance: Path, **config: Any) -> Flask:
    """An app on its own instance folder (its own memory store and reports database)."""
    # Rate limits are off unless a test is about them: tests start many drafts at once.
    demo = {"WIZARD_DEMO": False} if WITHOUT_DEMO["on"] else {}
    # The outbox is delivered by the tests that are about it (deliver_due), not by a thread
    # in each of the suite's apps.
    quiet = {"OUTBOX_SEND_IN_BACKGROUND": False}
    settings = {"TESTING": True, "RATELIMIT_ENABLED": False, **quiet, **demo, **config}
    app = create_app(settings, instance_path=str(instance))
    made_apps.append(app)
    return app


@pytest.fixture(autouse=True)
def close_connections() -> Iterator[None]:
    """Close every database connection the test's apps opened."""
    yield
    dispose_apps()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    """The app's time, held still: a test moves it on (clock.sleep) instead of waiting."""
    return MovableClock(monkeypatch)


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a module to change the app's configuration."""
    return {}


@pytest.fixture
def app(instance: Path, app_config: dict[str, Any]) -> Flask:
    return make_app(instance, **app_config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def wizard(client: FlaskClient) -> Wizard:
    return Wizard(client)


@pytest.fixture(params=DRIVERS, ids=[d.flow_name for d in DRIVERS])
def driver(request: pytest.FixtureRequest) -> type[Wizard]:
    """The driver of each flow in turn (tests/helpers.py): a test that takes it runs on
    the expense report and on the support request."""
    driver: type[Wizard] = request.param
    return driver
