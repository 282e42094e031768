"""Expense Wizard: a four-step expense report carried by server-side session memory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from . import errors, health, housekeeping, memory, outbox, ratelimit, security
from .config import DEFAULTS, secret_key
from .extensions import csrf, db, limiter


def create_app(
    test_config: Mapping[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build the app: code defaults, then instance/config.py, then FLASK_* env, then tests."""
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=_beside_the_package("templates"),
        static_folder=_beside_the_package("static"),
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    app.config.from_mapping(test_config or {})
    os.makedirs(app.instance_path, exist_ok=True)
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or secret_key(app.instance_path)
    ratelimit.configure(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"] or (
        f"sqlite:///{os.path.join(app.instance_path, 'reports.sqlite3')}"
    )
    _init_extensions(app)
    return app


def _beside_the_package(folder: str) -> str:
    """templates/ or static/: inside the package when installed from a wheel (which carries
    them there), else at the top of the source tree."""
    return folder if (Path(__file__).parent / folder).is_dir() else f"../{folder}"


def _init_extensions(app: Flask) -> None:
    from . import database, flows

    security.init_app(app)  # before the session interface reads the cookie name
    memory.init_app(app)
    db.init_app(app)
    database.init_app(app)
    csrf.init_app(app)
    # Flask-Limiter merges each app's RATELIMIT_STORAGE_OPTIONS into the one extension's
    # own dict: without this, a second app in the process (tests) inherits the first's.
    limiter._storage_options = {}
    limiter.init_app(app)
    ratelimit.check_only_limited_views(app, limiter)
    errors.init_app(app)
    flows.init_app(app)
    if app.config["WIZARD_DEMO"]:
        from . import demo

        demo.init_app(app)
    housekeeping.init_app(app)
    outbox.init_app(app)
    health.init_app(app)
