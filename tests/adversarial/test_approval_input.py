"""The approver's form with what scanners send (issue 20): every field and button value with
control characters, odd digits, overlong text and fields no form sends. Never a 5xx, never
a decision the page did not ask for, and a refused page keeps what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.flows.expenses.approval.models import Decision
from tests.adversarial.browsers import forms_of
from tests.adversarial.test_fuzz import KINDS
from tests.helpers import Wizard
from tests.integration.test_approval import approval_path, submitted


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PROPAGATE_EXCEPTIONS": False, "WTF_CSRF_ENABLED": True}  # a crash is a 500


def test_every_field_of_the_approval_form_with_what_scanners_send(app: Flask) -> None:
    path = approval_path(app, submitted(Wizard(app.test_client())))
    manager = app.test_client()
    (form,) = [f for f in forms_of(manager.get(path)) if f.action == path]
    values = [value for kind in KINDS for value in kind]
    hostile = [
        variant
        for value in values
        for variant in (
            {**form.fields, "action": value},  # a button no page has
            {**form.fields, "action": "reject", "reason": value},
            {**form.fields, "action": "reject", "reason": value + "x" * 100_000},
        )
    ]
    extra = {**form.fields, "action": "reject", "reason": "Kept", "reason-0": values[0]}
    for data in [*hostile, extra, *hostile]:  # until one decides (a reason that is one)
        answer = manager.post(path, data=data)
        assert answer.status_code in (200, 303, 400), (data["action"][:20], answer.status_code)
        if answer.status_code == 200:  # refused: shown again with what was typed
            assert data["reason"][:50].strip() in answer.text
    with app.app_context():
        (decision,) = db.session.query(Decision).all()
    assert decision.reason.strip() and "\x00" not in decision.reason
