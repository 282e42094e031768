"""Configuration: code defaults, then instance/config.py, then FLASK_* environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from tests.clock import IDLE_TIMEOUT, MovableClock


def test_defaults_follow_the_spec(tmp_path: Path) -> None:
    app = create_app(instance_path=str(tmp_path))
    assert app.config["WIZARD_IDLE_TIMEOUT"] == 30 * 60
    assert app.config["WIZARD_ABSOLUTE_LIFETIME"] == 8 * 60 * 60
    assert app.config["WIZARD_EXPIRY_WARNING"] == 2 * 60
    assert app.config["WIZARD_MEMORY_BUDGET"] == 16 * 1024
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("reports.sqlite3")
    assert (tmp_path / "memory.sqlite3").exists() and (tmp_path / "secret_key").exists()
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only


def test_instance_config_then_environment_override_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.py").write_text("WIZARD_IDLE_TIMEOUT = 600\nWIZARD_MEMORY_BUDGET = 9000\n")
    monkeypatch.setenv("FLASK_WIZARD_IDLE_TIMEOUT", "90")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["WIZARD_IDLE_TIMEOUT"] == 90  # environment wins
    assert app.config["WIZARD_MEMORY_BUDGET"] == 9000  # from instance/config.py


def test_a_configured_secret_key_is_used_and_none_is_generated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_an_unknown_session_type_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SESSION_TYPE 'mongodb' is not supported"):
        create_app({"SESSION_TYPE": "mongodb"}, instance_path=str(tmp_path))


def test_the_cookie_holds_only_a_random_id(tmp_path: Path) -> None:
    app = create_app({"TESTING": True}, instance_path=str(tmp_path))
    client = app.test_client()
    response = client.get("/")
    cookie = response.headers["Set-Cookie"]
    name, value = cookie.split(";")[0].split("=", 1)
    assert name == "expense_wizard_session" and len(value) == 43  # 32 random bytes, base64
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie


def test_cleanup_command_deletes_expired_drafts(tmp_path: Path, clock: MovableClock) -> None:
    app = create_app({"TESTING": True}, instance_path=str(tmp_path))
    app.extensions["session_memory"].drafts.create()
    clock.sleep(IDLE_TIMEOUT + 1)
    result = app.test_cli_runner().invoke(args=["cleanup"])
    assert result.output == (
        "Removed 1 expired entries from session memory and 0 files of expired drafts.\n"
    )
    assert app.extensions["session_memory"].store.count() == 0


def test_a_process_that_loses_the_race_for_the_secret_key_uses_the_winners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gunicorn workers without --preload start at once on a new instance folder: each
    writes a key, one wins, and all use that one (a token of one worker works on all)."""
    from app import config

    real_link = os.link

    def another_process_first(source: Any, target: Any) -> None:
        Path(target).write_text("the winner's key")
        real_link(source, target)

    monkeypatch.setattr(config.os, "link", another_process_first)
    assert config.secret_key(str(tmp_path)) == "the winner's key"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # nothing half-written left
