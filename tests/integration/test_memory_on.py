"""The whole wizard with session memory on, through the Flask test client."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.flows.expenses.models import Report
from tests.helpers import TODAY, Wizard, errors_of, legends_of, receipt_form


def test_start_page_explains_memory_and_starts_a_draft(wizard: Wizard) -> None:
    page = wizard.client.get("/")
    assert "<h1>Submit an expense report</h1>" in page.text
    assert "Session memory: On" in page.text and "Turn session memory off" in page.text
    step1 = wizard.start()
    assert re.fullmatch(r"/report/[A-Za-z0-9_-]{22}/employee", step1)
    assert "<h1>Employee details</h1>" in wizard.get("employee").text


def test_every_step_redirects_with_303_and_later_pages_show_earlier_answers(
    wizard: Wizard,
) -> None:
    wizard.start()
    step1 = wizard.fill_employee()
    assert (step1.status_code, step1.location) == (303, wizard.url("receipts"))
    step2 = wizard.fill_receipts(2, amount="120", currency="EUR")
    assert (step2.status_code, step2.location) == (303, wizard.url("categories"))
    assert legends_of(wizard.get("categories"))[:2] == [
        f"Receipt 1: Merchant 1, 120.00 EUR, {TODAY}",
        f"Receipt 2: Merchant 2, 120.00 EUR, {TODAY}",
    ]
    step3 = wizard.fill_categories(["Lodging", "Other"], purpose="Berlin conference")
    assert (step3.status_code, step3.location) == (303, wizard.url("review"))
    review = wizard.get("review").text
    for shown in (
        "Ada Lovelace",
        "00123",
        "Merchant 2",
        "Other: Details",
        "Berlin conference",
        "240.00 EUR",
    ):
        assert shown in review


def test_review_shows_each_category_once_with_its_receipt(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(2, amount="120", currency="EUR")
    wizard.fill_categories(["Lodging", "Other"], purpose="Berlin conference")
    review = wizard.get("review").text.split("</main>", 1)[0]  # the inspector shows memory
    assert review.count("Lodging") == 1 and review.count("Other: Details") == 1
    purpose_block = review.split("Categories and business purpose", 1)[1]
    assert (
        "Berlin conference" in purpose_block
        and wizard.url("categories") + '">Change' in purpose_block
    )


def test_going_back_shows_what_was_typed(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee(full_name="Grace Hopper")
    page = wizard.get("employee").text
    assert 'value="Grace Hopper"' in page and 'value="00123"' in page
    assert '<option selected value="Engineering">' in page


def test_submit_stores_one_report_and_shows_the_confirmation(app: Flask, wizard: Wizard) -> None:
    response = wizard.complete_draft(receipts=2)
    assert (response.status_code, response.location) == (303, wizard.url("confirmation"))
    page = wizard.client.get(response.location)
    reference = re.search(r"EXP-[0-9A-Z]{8}", page.text)
    assert "<h1>Expense report submitted</h1>" in page.text and reference
    assert wizard.client.get(response.location).text.count(reference[0]) >= 1  # reload works
    with app.app_context():
        [report] = Report.query.all()
        assert report.reference == reference[0]
        assert report.employee_id == "00123"
        assert [(i.merchant, i.amount_minor, i.currency) for i in report.items] == [
            ("Merchant 1", 1250, "EUR"),
            ("Merchant 2", 1250, "EUR"),
        ]
        assert (report.fields_typed, report.fields_repeated) == (5 + 2 * 4 + 2 + 1, 0)


def test_memory_is_cleared_after_submit(wizard: Wizard) -> None:
    wizard.complete_draft()
    for step in ("employee", "receipts", "categories", "review"):
        page = wizard.get(step)
        assert page.status_code == 200
        assert "This expense report has already been submitted" in page.text
        assert "Ada Lovelace" not in page.text


def test_add_and_remove_keep_what_was_typed(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    data = {**receipt_form(0, merchant="Hotel Adlon"), "action": "add"}
    added = wizard.post("receipts", data)
    assert added.status_code == 303 and added.location.endswith("#receipt-2")
    page = wizard.get("receipts")
    assert legends_of(page) == ["Receipt 1", "Receipt 2"] and "Hotel Adlon" in page.text
    assert 'Remove<span class="visually-hidden"> receipt 2</span>' in page.text
    both = {**receipt_form(0, merchant="Hotel Adlon"), **receipt_form(1, merchant="Taxi")}
    removed = wizard.post("receipts", {**both, "action": "remove-0"})
    assert removed.status_code == 303
    page = wizard.get("receipts")
    assert legends_of(page) == ["Receipt 1"] and "Taxi" in page.text
    assert "Hotel Adlon" not in page.text and "Remove<" not in page.text


def test_a_category_stays_with_its_receipt_when_another_is_removed(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(2)
    wizard.fill_categories(["Lodging", "Meals"])
    keep_second = receipt_form(0, rid="receipt0001", merchant="Merchant 2")
    assert wizard.post("receipts", keep_second).location == wizard.url("review")
    review = wizard.get("review").text
    assert "Meals" in review and "Lodging" not in review


def test_changing_a_step_from_review_returns_to_review(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    changed = wizard.fill_employee(full_name="Ada King")
    assert changed.location == wizard.url("review")
    assert "Ada King" in wizard.get("review").text


def test_a_new_receipt_from_review_asks_its_category_first(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    assert wizard.fill_receipts(2).location == wizard.url("categories")
    categories = wizard.get("categories").text
    assert '<option selected value="Meals">' in categories  # receipt 1 keeps its category
    assert wizard.fill_categories(["Meals", "Travel"]).location == wizard.url("review")


def test_confirmation_box_is_required(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    page = wizard.post("review", {})
    assert page.status_code == 200 and page.text.startswith("<!doctype html>")
    assert errors_of(page) == [
        ("confirm", "Confirm that these expenses are accurate and for business purposes"),
    ]
    assert "<title>Error: Review and submit" in page.text


@pytest.mark.demo  # reads the inspector, the guide or the state API
def test_the_memory_view_lists_keys_types_sizes_and_writers_to_its_owner_only(
    app: Flask, wizard: Wizard
) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(2)
    view = wizard.client.get(wizard.draft_url.replace("/report/", "/api/drafts/") + "/state")
    assert view.status_code == 200 and view.json
    keys = {k["key"]: k for k in view.json["keys"]}
    assert set(keys) == {"employee", "receipts"}
    assert (keys["employee"]["type"], keys["employee"]["written_by"]) == ("object", "employee")
    assert (keys["receipts"]["type"], keys["receipts"]["written_by"]) == ("array", "receipts")
    assert view.json["total_size"] > 0 and view.json["budget"] == 16 * 1024
    assert "Ada" not in view.text  # values are not in this view
    other = app.test_client().get(wizard.draft_url.replace("/report/", "/api/drafts/") + "/state")
    assert other.status_code == 404


def test_a_purpose_that_looks_like_json_stays_exactly_as_typed(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    for purpose in ("true", "30", "[1]", "null"):
        wizard.fill_categories(["Meals"], purpose=purpose)
        assert f'value="{purpose}"' in wizard.get("categories").text


@pytest.mark.demo  # the place is chosen on How this demo works
@pytest.mark.parametrize("place", ["cookie", "form", "server"])
def test_the_place_chosen_on_the_start_page_goes_with_start(
    client: FlaskClient, driver: type[Wizard], place: str
) -> None:
    """One action (issue 19, point 2): the radio checked when Start is pressed is where the
    draft's memory lives, and its first page says so."""
    wizard = driver(client)
    start = client.get("/how-it-works").text
    assert 'name="strategy"' in start.split('class="start-form"', 1)[1].split("</form>", 1)[0]
    sent = client.post(wizard.prefix, data={"csrf_token": wizard.token(), "strategy": place})
    first = sent if sent.status_code == 200 else client.get(sent.location)
    label = {"cookie": "In a browser cookie", "form": "Passed through the form",
             "server": "On the server"}[place]  # fmt: skip
    assert f"Where session memory lives for this draft: {label}" in first.text
    prefix = {"cookie": "c.", "form": "f.", "server": ""}[place]
    draft = re.search(rf'action="{wizard.prefix}/([^/"]+)/{wizard.steps[0]}"', first.text)
    assert draft is not None and draft[1].startswith(prefix)
    assert bool(re.match(r"[cf]\.", draft[1])) == (place != "server")
    assert f'value="{place}" checked' in client.get("/how-it-works").text  # and stays chosen
