"""One decision per report (issue 20): twenty approver tabs press Approve or Reject at the
same moment, over HTTP, spread over gunicorn's four workers and a threaded server on one
instance folder. Exactly one decision is stored, the employee gets one email about it,
and every press gets a page that says what was decided (never a 5xx)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.flows.expenses.approval.models import Decision
from tests.adversarial.test_one_browser_at_once import at_once
from tests.conftest import make_app
from tests.helpers import Wizard
from tests.http import AppProcess, Browser, GunicornProcess, Page
from tests.integration.test_approval import approval_path, emails, submitted
from tests.services import free_port

CLICKS = 20


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def servers(instance: Path) -> Iterator[list[AppProcess]]:
    env = {"FLASK_SECRET_KEY": secrets.token_hex(16), "FLASK_RATELIMIT_ENABLED": "false"}
    apps: list[AppProcess] = [GunicornProcess(instance, free_port(), env, workers=4)]
    apps.append(AppProcess(instance, free_port(), env))
    for app in apps:
        app.start()
    yield apps
    for app in apps:
        app.kill()


def test_twenty_simultaneous_presses_make_one_decision(
    instance: Path, servers: list[AppProcess]
) -> None:
    employee_app = make_app(instance)
    reference = submitted(Wizard(employee_app.test_client()))
    path = approval_path(employee_app, reference)
    tabs = [Browser() for _ in range(CLICKS)]
    for n, tab in enumerate(tabs):
        assert tab.get(servers[n % len(servers)].url + path).status == 200  # its CSRF token

    def press(n: int) -> Callable[[], Page]:
        action = {"action": "approve"} if n % 2 else {"action": "reject", "reason": f"No {n}"}
        return lambda: tabs[n].post(servers[n % len(servers)].url + path, action)

    answers = at_once([press(n) for n in range(CLICKS)])
    assert all(answer.status == 303 for answer in answers), [a.status for a in answers]
    with employee_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 1
        decision = db.session.scalars(select(Decision)).one()
    told = [m for m in emails(employee_app, reference) if m.kind == "decision"]
    assert len(told) == 1 and decision.outcome in told[0].subject
    shown = [tab.get(servers[0].url + path).text for tab in tabs]
    assert all(f"Status: {decision.outcome.capitalize()}" in page for page in shown)
