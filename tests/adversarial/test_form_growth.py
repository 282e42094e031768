"""Memory passed through the form does not feed on itself: Add and Remove keep what the page
asks, never the previous memory_state or any other field the page does not declare (issue 15,
class 5; SPEC §8: a page at most 30 KB)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.adversarial.browsers import heading
from tests.helpers import Wizard, receipt_form

PAGE_LIMIT = 30 * 1024
CLICKS = 20


def add_remove(wizard: Wizard, clicks: int) -> tuple[int, int]:
    """Press Add, then Remove, `clicks` times in all; the largest page and state seen."""
    largest_page = largest_state = 0
    for click in range(clicks):
        data = receipt_form(0, merchant="Kept Merchant")
        if click % 2:
            data.update(receipt_form(1, merchant="Second"))
        page = wizard.post("receipts", {**data, "action": "remove-1" if click % 2 else "add"})
        assert page.status_code == 200 and heading(page) == "Receipts", page.text[:300]
        assert 'value="Kept Merchant"' in page.text
        largest_page = max(largest_page, len(page.data))
        largest_state = max(largest_state, len(wizard.state))
    return largest_page, largest_state


@pytest.mark.parametrize("place", ["form", "cookie", "server"])
def test_twenty_add_remove_clicks_keep_the_page_small_and_the_state_bounded(
    app: Flask, place: str
) -> None:
    wizard = Wizard(app.test_client(), place, follow=True)
    wizard.start()
    wizard.fill_employee()
    first_page, first_state = add_remove(wizard, 2)
    largest_page, largest_state = add_remove(wizard, CLICKS)
    print(f"{place}: largest page {largest_page:,} B, largest state {largest_state:,} B")
    assert largest_page < PAGE_LIMIT
    assert largest_state <= first_state + 64  # a timestamp's digits, not a copy of itself
    assert largest_page <= first_page + 64


@pytest.mark.demo  # reads the inspector, the guide or the state API
def test_fields_the_page_does_not_ask_are_not_kept_by_add(app: Flask) -> None:
    wizard = Wizard(app.test_client(), "server", follow=True)
    wizard.start()
    wizard.fill_employee()
    extra = {"move_to": "nowhere", "next": "/", "smuggled": "x" * 2000, "memory_state": "old"}
    wizard.post("receipts", {**receipt_form(0), **extra, "action": "add"})
    unsaved = wizard.client.get(f"/api/drafts/{wizard.draft_id}/state/unsaved:receipts")
    assert unsaved.status_code == 200
    kept = set(unsaved.json["value"])  # type: ignore[index]
    assert kept and all(name.startswith("receipts-") for name in kept), kept
