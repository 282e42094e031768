"""Scale-out through the Flask test client (SPEC §7): two app instances, each with its own
instance folder, sharing Redis and PostgreSQL serve one draft step by step, whichever of them
a request reaches, and the report is stored once."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app.flows.expenses.models import LineItem, Report
from tests.conftest import make_app
from tests.helpers import Wizard


def follows(wizard: Wizard, client: FlaskClient) -> Wizard:
    """The same browser (its session cookie), now reaching another app instance."""
    cookie = wizard.client.get_cookie(client.application.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    client.set_cookie(cookie.key, cookie.value)
    wizard.client = client
    return wizard


def test_scale_out_two_apps_sharing_redis_and_postgresql_serve_one_draft(
    tmp_path: Path, redis_url: str, redis_prefix: str, postgres_uri: str
) -> None:
    shared = {
        "SESSION_TYPE": "redis",
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix,
        "SQLALCHEMY_DATABASE_URI": postgres_uri,
        "SECRET_KEY": secrets.token_hex(16),  # one key for every instance, as in production
    }
    first: Flask = make_app(tmp_path / "a", **shared)
    second: Flask = make_app(tmp_path / "b", **shared)
    a, b = first.test_client(), second.test_client()
    wizard = Wizard(a)
    wizard.start()
    assert wizard.fill_employee(full_name="Shared Draft").status_code == 303
    assert follows(wizard, b).fill_receipts(1).location == wizard.url("categories")
    assert 'value="Shared Draft"' in wizard.get("employee").text  # written by the first
    assert follows(wizard, a).fill_categories(["Meals"]).location == wizard.url("review")
    review = follows(wizard, b).get("review").text
    assert "Shared Draft" in review and "Merchant 1" in review and "Meals" in review
    done = wizard.submit()
    assert done.location == wizard.url("confirmation")
    confirmation = follows(wizard, a).client.get(done.location)
    assert confirmation.status_code == 200 and "Expense report submitted" in confirmation.text
    with first.app_context():
        assert Report.query.count() == 1 and LineItem.query.count() == 1
