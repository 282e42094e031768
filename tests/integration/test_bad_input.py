"""Bad input: a clear message on the page it came from, everything typed kept, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from tests.helpers import Wizard, employee_form, errors_of, legends_of, long_date, receipt_form

LONG = "x" * 101
# Two days on: still in the future if the suite runs across midnight.
FUTURE = (dt.date.today() + dt.timedelta(days=2)).isoformat()
TOO_OLD = (dt.date.today() - dt.timedelta(days=366)).isoformat()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "Enter your full name"),
        ("full_name", "   ", "Enter your full name"),
        ("employee_id", "   ", "Enter your employee ID"),
        ("full_name", LONG, "Full name must be 100 characters or fewer"),
        ("full_name", "Ada\x00Lovelace", "Full name must not include special characters"),
        ("work_email", "", "Enter your work email address"),
        ("work_email", "ada.example.com", "Enter a work email address in the correct format"),
        ("employee_id", "", "Enter your employee ID"),
        ("employee_id", "12", "Employee ID must be 3 to 20 letters, numbers or hyphens"),
        ("employee_id", "A" * 21, "Employee ID must be 3 to 20 letters, numbers or hyphens"),
        ("employee_id", "12 34", "Employee ID must be 3 to 20 letters, numbers or hyphens"),
        ("department", "", "Select your department"),
        ("department", "Hacking", "Select your department"),
        ("manager_email", "", "Enter your manager's email address"),
        ("manager_email", "boss@", "Enter your manager's email address in the correct format"),
        ("manager_email", "ADA@example.com", "Manager's email must be different from your work"),
    ],
)
def test_employee_details_errors(wizard: Wizard, field: str, value: str, message: str) -> None:
    wizard.start()
    page = wizard.fill_employee(**{field: value})
    assert page.status_code == 200
    [(field_id, text)] = errors_of(page)
    assert field_id == f"employee-{field}" and text.replace("&#39;", "'").startswith(message)
    assert "<title>Error: Employee details" in page.text and "There is a problem" in page.text
    assert f'aria-describedby="employee-{field}-error' in page.text or (
        f'aria-describedby="employee-{field}-hint employee-{field}-error"' in page.text
    )
    assert 'aria-invalid="true"' in page.text
    assert 'value="charles@example.com"' in page.text or field == "manager_email"


def test_an_employee_id_is_kept_exactly_as_typed(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee(employee_id="00123")
    assert 'value="00123"' in wizard.get("employee").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": ""}, "date", "Enter the date of receipt 1"),
        (
            {"date": "2026-02-30"},
            "date",
            "The date of receipt 1 must be a real date, like 2026-11-02",
        ),
        (
            {"date": "yesterday"},
            "date",
            "The date of receipt 1 must be a real date, like 2026-11-02",
        ),
        ({"date": FUTURE}, "date", "The date of receipt 1 must be today or in the past"),
        ({"date": TOO_OLD}, "date", "The date of receipt 1 must be within the last 365 days"),
        ({"merchant": ""}, "merchant", "Enter the merchant of receipt 1"),
        ({"merchant": "  "}, "merchant", "Enter the merchant of receipt 1"),
        ({"amount": " "}, "amount", "Enter the amount of receipt 1"),
        (
            {"merchant": LONG},
            "merchant",
            "The merchant of receipt 1 must be 100 characters or fewer",
        ),
        ({"amount": ""}, "amount", "Enter the amount of receipt 1"),
        ({"amount": "twelve"}, "amount", "The amount of receipt 1 must be a number, like 12.50"),
        ({"amount": "-5"}, "amount", "The amount of receipt 1 must be a number, like 12.50"),
        (
            {"amount": "12,50"},
            "amount",
            "The amount of receipt 1 must use a point for decimals, like 12.50",
        ),
        (
            {"amount": "$12.50"},
            "amount",
            "The amount of receipt 1 must be a number without a currency sign, like 12.50",
        ),
        (
            {"amount": "12.50 €"},
            "amount",
            "The amount of receipt 1 must be a number without a currency sign, like 12.50",
        ),
        (
            {"amount": "15000001", "currency": "JPY"},
            "amount",
            "The amount of receipt 1 must be 15,000,000 JPY or less",
        ),
        ({"amount": "0"}, "amount", "The amount of receipt 1 must be more than 0"),
        ({"amount": "0.00"}, "amount", "The amount of receipt 1 must be more than 0"),
        ({"amount": "100000.01"}, "amount", "The amount of receipt 1 must be 100,000 EUR or less"),
        (
            {"amount": "1.234"},
            "amount",
            "The amount of receipt 1 must have no more than 2 decimal places",
        ),
        (
            {"amount": "1500.5", "currency": "JPY"},
            "amount",
            "The amount of receipt 1 must be a whole number: JPY has no decimals",
        ),
        ({"currency": ""}, "currency", "Select the currency of receipt 1"),
        ({"currency": "BTC"}, "currency", "Select the currency of receipt 1"),
        (
            {"description": "d" * 201},
            "description",
            "The description of receipt 1 must be 200 characters or fewer",
        ),
        (
            {"description": "Taxi\x1b[2J"},
            "description",
            "The description of receipt 1 must not include special characters",
        ),
    ],
)
def test_receipt_errors(wizard: Wizard, changes: dict[str, str], field: str, message: str) -> None:
    wizard.start()
    wizard.fill_employee()
    page = wizard.post(
        "receipts",
        {**receipt_form(0, merchant="Kept Merchant", **{"amount": "9.99", **changes})}
        if "merchant" not in changes
        else receipt_form(0, **changes),
    )
    assert errors_of(page) == [(f"receipts-0-{field}", message)]
    assert "Receipt 1" in page.text
    if field != "merchant":
        assert 'value="Kept Merchant"' in page.text


@pytest.mark.parametrize(
    ("text", "currency", "minor"),  # SPEC §6: money is kept as integer minor units + currency
    [
        ("100000", "EUR", 10_000_000),
        ("0.01", "USD", 1),
        ("1,234.50", "GBP", 123_450),
        ("1500", "JPY", 1500),  # no decimals for JPY: a yen is its own minor unit
    ],
)
def test_amount_edges_are_accepted(
    app: Flask, wizard: Wizard, text: str, currency: str, minor: int
) -> None:
    wizard.start()
    wizard.fill_employee()
    assert wizard.fill_receipts(1, amount=text, currency=currency).status_code == 303
    draft = app.extensions["session_memory"].drafts.load(
        wizard.draft_id, memory_on=True, writer="test"
    )
    [receipt] = draft.memory.get("receipts")
    assert (receipt["amount_minor"], receipt["currency"]) == (minor, currency)


def test_oldest_allowed_date_is_accepted(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    oldest = (dt.date.today() - dt.timedelta(days=365)).isoformat()  # today's, not import's
    assert wizard.fill_receipts(1, date=oldest).status_code == 303


def test_errors_in_one_receipt_keep_every_other_receipt(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    data = {**receipt_form(0, merchant="Good One"), **receipt_form(1, amount="oops")}
    page = wizard.post("receipts", data)
    assert errors_of(page) == [
        ("receipts-1-amount", "The amount of receipt 2 must be a number, like 12.50")
    ]
    assert 'value="Good One"' in page.text and 'value="oops"' in page.text


def test_other_category_needs_details_and_purpose_is_required(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    page = wizard.post(
        "categories", {"categories-0-receipt_id": "receipt0000", "categories-0-category": "Other"}
    )
    assert errors_of(page) == [
        ("categories-0-details", "Enter details for the Other category of receipt 1 (Merchant 1)"),
        ("business_purpose", "Enter the business purpose"),
    ]
    assert '<option selected value="Other">' in page.text


HOSTILE_POSTS = [
    {},
    {"receipts-0-id": "../../etc/passwd", **receipt_form(0)},
    {**receipt_form(0), "receipts-0-id": ""},
    {**receipt_form(0), **receipt_form(1, rid="receipt0000")},  # duplicated ids
    {**receipt_form(0), "action": "remove-99"},
    {**receipt_form(0), "action": "remove-x"},
    {**receipt_form(0), "action": "remove-" + "9" * 400},
    {**receipt_form(0), "action": "explode"},
    {"receipts-999999-date": "2026-01-01"},
    {"receipts-0-amount": "1" * 5000},
    {"receipts-0-date": "9999-99-99", "receipts-0-currency": "\u202eRUE"},
    {**receipt_form(0, merchant="<script>alert(1)</script>")},
]


@pytest.mark.parametrize("data", HOSTILE_POSTS)
def test_hostile_receipt_posts_never_make_a_500(wizard: Wizard, data: dict[str, str]) -> None:
    wizard.start()
    wizard.fill_employee()
    response = wizard.post("receipts", data)
    assert response.status_code in (200, 303)
    assert "<script>alert(1)</script>" not in response.text


def test_more_than_twenty_receipts_cannot_be_added(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    data: dict[str, str] = {}
    for i in range(20):
        data.update(receipt_form(i))
    wizard.post("receipts", {**data, "action": "add"})
    page = wizard.get("receipts")
    assert len(legends_of(page)) == 20
    assert "Add another receipt" not in page.text and "up to 20 receipts" in page.text


def test_a_failed_csrf_check_shows_the_step_again_with_everything_typed(wizard: Wizard) -> None:
    wizard.start()
    data = {**employee_form(full_name="Kept Name"), "csrf_token": "forged"}
    page = wizard.client.post(wizard.url("employee"), data=data)
    assert page.status_code == 200
    assert "This page was out of date" in page.text and 'value="Kept Name"' in page.text
    assert 'value="Kept Name"' not in wizard.get("employee").text  # and nothing was saved


def test_a_post_without_a_browser_session_shows_the_expired_page(
    app: Flask, wizard: Wizard
) -> None:
    wizard.start()
    stranger = app.test_client()
    page = stranger.post(wizard.url("employee"), data=employee_form())
    assert page.status_code == 200 and "This expense report draft has expired" in page.text


@pytest.mark.parametrize("app_config", [{"WIZARD_MEMORY_BUDGET": 1500}])
def test_over_the_memory_budget_is_a_clear_message_with_everything_kept(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    data: dict[str, str] = {}
    for i in range(6):
        data.update(receipt_form(i, description="d" * 190))
    page = wizard.post("receipts", data)
    assert page.status_code == 200
    assert "too large to keep in session memory" in page.text
    assert page.text.count('value="' + "d" * 190 + '"') == 6


def test_unknown_methods_and_pages_get_a_page_of_the_site(wizard: Wizard) -> None:
    wizard.start()
    assert wizard.client.put(wizard.url("employee")).status_code == 405
    missing = wizard.client.get("/no/such/page")
    assert missing.status_code == 404 and "<h1>Page not found</h1>" in missing.text
    assert wizard.client.get("/report").status_code == 405


def test_a_failing_store_gives_a_503_that_says_nothing_was_submitted(
    app: Flask, wizard: Wizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.memory.store import StoreUnavailableError

    wizard.start()
    store = app.extensions["session_memory"].store

    def unavailable(*args: object) -> None:
        raise StoreUnavailableError("The session store is down.")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(store, "get", unavailable)
    monkeypatch.setattr(store, "get_touch", unavailable)
    page = wizard.get("employee")
    assert page.status_code == 503
    assert "Nothing was submitted" in page.text and "Session memory: Unavailable" in page.text
    monkeypatch.undo()
    assert wizard.get("employee").status_code == 200  # recovers by itself


def test_a_failed_csrf_check_on_categories_with_extra_groups_is_no_500(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    data = {"csrf_token": "", "categories-0-category": "Meals", "categories-1-category": "Meals"}
    page = wizard.client.post(wizard.url("categories"), data=data)
    assert page.status_code == 200 and "This page was out of date" in page.text
    assert len(legends_of(page)) == 1  # one receipt in memory: one group


def test_receipts_wrong_alike_get_messages_that_name_each_receipt(wizard: Wizard) -> None:
    """Issue 19, point 7: no two lines of an error summary are the same; each names its
    receipt (on Categories, with its merchant: the receipt is not on that page)."""
    wizard.start()
    wizard.fill_employee()
    both = {**receipt_form(0, date=""), **receipt_form(1, date="", amount="1,5")}
    page = wizard.post("receipts", both)
    assert errors_of(page) == [
        ("receipts-0-date", "Enter the date of receipt 1"),
        ("receipts-1-date", "Enter the date of receipt 2"),
        ("receipts-1-amount", "The amount of receipt 2 must use a point for decimals, like 12.50"),
    ]
    assert "Enter the date of receipt 2</p>" in page.text  # beside the field too
    wizard.post("receipts", {**receipt_form(0), **receipt_form(1)})
    data = {"business_purpose": "Visit"}
    for i in range(2):
        data |= {f"categories-{i}-receipt_id": f"receipt{i:04d}", f"categories-{i}-category": ""}
    page = wizard.post("categories", data)
    texts = [text for _, text in errors_of(page)]
    assert texts == [
        "Select a category for receipt 1 (Merchant 1)",
        "Select a category for receipt 2 (Merchant 2)",
    ]


ORDINARY = [("150,000", "JPY"), ("15000000", "JPY"), ("100,000", "EUR"), ("1,500", "USD")]


@pytest.mark.parametrize(("amount", "currency"), ORDINARY)
def test_amounts_ordinary_in_their_currency_are_taken(
    wizard: Wizard, amount: str, currency: str
) -> None:
    """Issue 19, point 8: ¥150,000 for a hotel night is ordinary; 1,500 is a thousands comma."""
    wizard.start()
    wizard.fill_employee()
    page = wizard.post("receipts", receipt_form(0, amount=amount, currency=currency))
    assert page.status_code == 303, errors_of(page)


def test_review_shows_dates_in_words_and_totals_in_receipt_order(wizard: Wizard) -> None:
    """Issue 19, point 9: '14 November 2026', and each currency's total where its first
    receipt is (JPY first here, though EUR comes first in the alphabet)."""
    wizard.start()
    wizard.fill_employee()
    day = (dt.date.today() - dt.timedelta(days=20)).isoformat()
    yen = receipt_form(0, date=day, amount="1500", currency="JPY")
    wizard.post("receipts", {**yen, **receipt_form(1, currency="EUR")})
    wizard.fill_categories(["Meals", "Meals"])
    review = wizard.get("review").text
    assert f"<dd>{long_date(day)}</dd>" in review and day not in review.split("<aside")[0]
    assert review.index("1,500 JPY</li>") < review.index("12.50 EUR</li>")
