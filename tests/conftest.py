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
from tests.helpers import Wizard, dispose_apps, made_apps

pytest_plugins = ["tests.services"]


def make_app(instance: Path, **config: Any) -> Flask:
    """An app on its own instance folder (its own memory store and reports database)."""
    # Rate limits are off unless a test is about them: tests start many drafts at once.
    settings = {"TESTING": True, "RATELIMIT_ENABLED": False, **config}
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
