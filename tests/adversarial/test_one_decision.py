"""One decision per report (issue 20): twenty approver tabs press Approve or Reject at the
same moment, over HTTP, spread over gunicorn's four workers and a threaded server on one
instance folder (browser sessions on the embedded store, then on Redis: the `servers`
fixture). Exactly one decision is stored, the employee gets one email about it, and every
press gets a page that says what was decided (never a 5xx)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.flows.expenses.approval.models import Decision
from tests.adversarial.test_one_browser_at_once import (
    app_servers,  # noqa: F401 (fixture)
    at_once,
)
from tests.conftest import make_app
from tests.helpers import Wizard
from tests.http import AppProcess, Browser, Page
from tests.integration.test_approval import approval_path, emails, submitted

CLICKS = 20


def test_twenty_simultaneous_presses_make_one_decision(
    tmp_path: Path, servers: list[AppProcess]
) -> None:
    employee_app = make_app(tmp_path / "instance")  # the servers' instance folder
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
