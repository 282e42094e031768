"""Session memory over HTTP from the real browser: page.request shares the page's cookies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import APIResponse, BrowserContext, Page

from tests.e2e.conftest import expect_step, fill_employee, press, start_report
from tests.helpers import EMPLOYEE

pytestmark = pytest.mark.e2e


def state_url(draft: str) -> str:
    """The memory API of a draft, from the draft's base URL (…/report/<id>)."""
    origin, draft_id = draft.split("/report/")
    return f"{origin}/api/drafts/{draft_id}/state"


def problem(response: APIResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status == status, response.text()
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


def test_the_owner_reads_and_writes_memory_and_another_browser_gets_404(
    page: Page, new_context: Callable[..., BrowserContext]
) -> None:
    draft = start_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    state, api = state_url(draft), page.request
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert token
    csrf = {"X-CSRFToken": token}

    listing = api.get(state)
    assert listing.ok and listing.headers["content-type"] == "application/json"
    assert [info["key"] for info in listing.json()["keys"]] == ["employee"]
    employee = api.get(f"{state}/employee").json()
    assert (employee["type"], employee["value"]["full_name"]) == ("object", EMPLOYEE["full_name"])

    as_text = api.put(f"{state}/visits", data="30", headers={**csrf, "Content-Type": "text/plain"})
    assert as_text.json() == {"key": "visits", "value": 30, "type": "number"}
    as_json = api.put(
        f"{state}/notes",
        data='{"hotel": ["Adlon", true]}',
        headers={**csrf, "Content-Type": "application/json"},
    )
    assert as_json.json()["value"] == {"hotel": ["Adlon", True]}
    found = api.get(f"{state}/notes", params={"contains": "hotel"}).json()
    assert found == {"key": "notes", "item": "hotel", "contains": True}
    assert api.head(f"{state}/visits").status == 200

    assert api.delete(f"{state}/visits", headers=csrf).status == 204
    assert api.head(f"{state}/visits").status == 404
    refused = api.put(f"{state}/visits", data="1", headers={"Content-Type": "text/plain"})
    problem(refused, 400, "csrf_failed")

    # Another browser: the same 404 as for a draft that does not exist, and no data
    stranger = new_context().request
    theirs = stranger.get(f"{state}/notes")
    made_up = stranger.get(f"{state.rsplit('/', 2)[0]}/{'A' * 22}/state/notes")
    assert problem(theirs, 404, "not_found") == problem(made_up, 404, "not_found")
    assert "Adlon" not in theirs.text()

    # The wizard carries on with what the API left
    page.reload()
    expect_step(page, 2, "Receipts")
    assert [info["key"] for info in api.get(state).json()["keys"]] == ["employee", "notes"]
