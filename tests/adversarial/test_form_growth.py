"""Memory passed through the form does not feed on itself: Add and Remove keep what the page
asks, never the previous memory_state or any other field the page does not declare (issue 15,
class 5; SPEC §8: a page at most 30 KB). On every flow."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.adversarial.browsers import forms_of, heading
from tests.adversarial.flows import before_items, shown, title, typed
from tests.helpers import Wizard

PAGE_LIMIT = 30 * 1024
CLICKS = 20


def add_remove(wizard: Wizard, clicks: int) -> tuple[int, int]:
    """Press Add, then Remove, `clicks` times in all; the largest page and state seen."""
    largest_page = largest_state = 0
    for click in range(clicks):
        data = {**wizard.items_page([{}, {}] if click % 2 else [{}]), **typed(wizard, "Kept")}
        page = wizard.post(
            wizard.items_step, {**data, "action": "remove-1" if click % 2 else "add"}
        )
        assert page.status_code == 200, page.text[:300]
        assert heading(page) == title(wizard, wizard.items_step), page.text[:300]
        assert shown(page, wizard) == "Kept"
        largest_page = max(largest_page, len(page.data))
        largest_state = max(largest_state, len(wizard.state))
    return largest_page, largest_state


@pytest.mark.parametrize("place", ["form", "cookie", "server"])
def test_twenty_add_remove_clicks_keep_the_page_small_and_the_state_bounded(
    app: Flask, place: str, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), place, follow=True)
    before_items(wizard)
    first_page, first_state = add_remove(wizard, 2)
    largest_page, largest_state = add_remove(wizard, CLICKS)
    print(f"{place}: largest page {largest_page:,} B, largest state {largest_state:,} B")
    assert largest_page < PAGE_LIMIT
    assert largest_state <= first_state + 64  # a timestamp's digits, not a copy of itself
    assert largest_page <= first_page + 64


@pytest.mark.demo  # reads the inspector, the guide or the state API
def test_fields_the_page_does_not_ask_are_not_kept_by_add(app: Flask, driver: type[Wizard]) -> None:
    wizard = driver(app.test_client(), "server", follow=True)
    before_items(wizard)
    asked = next(f for f in forms_of(wizard.page) if f.action.endswith(f"/{wizard.items_step}"))  # type: ignore[arg-type]
    extra = {"move_to": "nowhere", "next": "/", "smuggled": "x" * 2000, "memory_state": "old"}
    wizard.post(wizard.items_step, {**typed(wizard, "Kept"), **extra, "action": "add"})
    key = f"unsaved:{wizard.items_step}"
    unsaved = wizard.client.get(f"/api/drafts/{wizard.draft_id}/state/{key}")
    assert unsaved.status_code == 200
    kept = set(unsaved.json["value"])  # type: ignore[index]
    assert kept and kept.isdisjoint(extra), kept
    # only the page's own fields and its items' (Add made one more)
    own = set(asked.fields) - {"csrf_token", "revision", "memory_state", "action"}
    assert all(name in own or name.startswith(f"{wizard.items}-") for name in kept), kept
