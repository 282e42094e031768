"""The product without its demonstration layer (WIZARD_DEMO = False): the engine, the memory
extension and the expense flow work the same, and nothing of app/demo/ is there (no
inspector, no memory on vs off, no guide, no SessionState API, no diagram)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.adversarial.browsers import heading
from tests.helpers import PLACES, Wizard, receipt_form

pytestmark = pytest.mark.parametrize("app_config", [{"WIZARD_DEMO": False}])

DEMO_PAGES = ("/compare", "/guide", "/api/openapi.json", "/how-it-works")
INSPECTOR = 'id="memory-inspector"'


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("memory_on", [True, False])
def test_a_whole_report_without_the_demonstration_layer(
    app: Flask, place: str, memory_on: bool
) -> None:
    wizard = Wizard(app.test_client(), place, memory_on, follow=True)
    wizard.start()
    assert heading(wizard.page) == "Employee details"  # type: ignore[arg-type]
    assert INSPECTOR not in wizard.page.text  # type: ignore[union-attr]
    assert heading(wizard.fill_employee()) == "Receipts"
    categories = wizard.post("receipts", receipt_form(0))
    assert heading(categories) == "Categories"
    assert ("Fields typed again" in categories.text) is not memory_on
    if memory_on:
        data = {"categories-0-receipt_id": "receipt0000", "categories-0-category": "Meals",
                "business_purpose": "Visit"}  # fmt: skip
    else:  # the page asks for the receipts again, each with its category
        data = {**receipt_form(0), "receipts-0-category": "Meals", "business_purpose": "Visit"}
    review = wizard.post("categories", data)
    assert heading(review) == "Review and submit" and INSPECTOR not in review.text
    done = wizard.post("review", {"confirm": "y", **({} if memory_on else _all_again())})
    confirmation = done if done.status_code == 200 else wizard.client.get(done.location)
    assert heading(confirmation) == "Expense report submitted", confirmation.text[:500]
    assert "EXP-" in confirmation.text and INSPECTOR not in confirmation.text
    assert "memory on vs memory off" not in confirmation.text
    assert "a demonstration of" not in confirmation.text  # a plain service says none


def _all_again() -> dict[str, str]:
    """What review asks again with memory off: every earlier answer."""
    from tests.helpers import employee_form

    return {**employee_form(), **receipt_form(0), "receipts-0-category": "Meals",
            "business_purpose": "Visit"}  # fmt: skip


def test_no_page_of_the_demonstration_is_served(app: Flask) -> None:
    client = app.test_client()
    assert [client.get(path).status_code for path in DEMO_PAGES] == [404] * len(DEMO_PAGES)
    start = client.get("/").text
    assert "Start a new expense report" in start
    assert "How it works" not in start and "/compare" not in start
    assert "how-it-works" not in start and "Use example answers" not in start
