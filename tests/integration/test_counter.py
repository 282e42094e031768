"""The repeated-input counter counts redundant entry, not corrections (SPEC §4), and the
confirmation says what happened: how memory was used, the numbers, the comparison."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from app.extensions import db
from app.outbox import deliver_due
from tests.conftest import make_app
from tests.helpers import Wizard, employee_form, receipt_form

NOTICE = "Session memory is off, so this step doesn't know what you entered before."
COUNTER = re.compile(r"Fields typed again: <strong>(\d+)</strong>")
ON_ALL_THE_WAY = "Session memory was on for every page you sent."
OFF_ALL_THE_WAY = "Session memory was off for this whole report."
OFF_FOR_PART = "Session memory was off for part of this report."
NOTHING_TWICE = "You typed nothing twice."


def numbers(confirmation: str) -> tuple[int, int]:
    """(fields typed, fields typed again) as the confirmation page shows them."""
    typed = re.search(r"<dt>Fields typed</dt><dd>(\d+)</dd>", confirmation)
    again = re.search(r"<dt>Fields typed again</dt><dd>(\d+)</dd>", confirmation)
    assert typed and again, confirmation
    return int(typed[1]), int(again[1])


def shown_counter(page: str) -> int | None:
    """The "Fields typed again" of a step page (None: not shown, as with memory on)."""
    found = COUNTER.search(page)
    return int(found[1]) if found else None


def submitted(wizard: Wizard, **whole_report: str) -> str:
    """Submit from review; return the confirmation page."""
    done = wizard.submit(**whole_report)
    assert done.location == wizard.url("confirmation"), done.text[:2000]
    return wizard.client.get(done.location).text


def to_review(wizard: Wizard, receipts: int = 1) -> None:
    """Start a draft and answer steps 1 to 3 (memory on: 5 + 4 per receipt + 2 typed)."""
    wizard.start()
    assert wizard.fill_employee().status_code == 303
    assert wizard.fill_receipts(receipts).status_code == 303
    assert wizard.fill_categories(["Meals"] * receipts).location == wizard.url("review")


def assert_on_all_the_way(page: str, typed: int) -> None:
    assert numbers(page) == (typed, 0)
    assert ON_ALL_THE_WAY in page and NOTHING_TWICE in page
    assert "off for part" not in page and "would have typed" not in page


def test_a_correction_through_change_is_not_a_repeat(wizard: Wizard) -> None:
    to_review(wizard)
    change = wizard.get("employee").text
    assert 'value="Ada Lovelace"' in change and shown_counter(change) is None
    corrected = wizard.fill_employee(full_name="Ada King")
    assert corrected.location == wizard.url("review")
    review = wizard.get("review").text
    assert "Ada King" in review and shown_counter(review) is None
    assert_on_all_the_way(submitted(wizard), typed=11 + 1)  # the new name was typed


def test_a_fix_after_a_validation_error_is_not_a_repeat(wizard: Wizard) -> None:
    to_review(wizard)
    refused = wizard.fill_employee(work_email="ada.example.com")
    assert refused.status_code == 200 and "There is a problem" in refused.text
    assert shown_counter(refused.text) is None
    assert wizard.fill_employee(work_email="ada@example.org").location == wizard.url("review")
    assert_on_all_the_way(submitted(wizard), typed=11 + 1)


def test_a_receipt_kept_through_remove_is_not_typed_again(wizard: Wizard) -> None:
    to_review(wizard, receipts=2)
    both = {**receipt_form(0), **receipt_form(1), "action": "remove-0"}
    assert wizard.post("receipts", both).status_code == 303
    page = wizard.get("receipts").text
    assert 'value="Merchant 2"' in page and 'value="Merchant 1"' not in page
    kept = receipt_form(0, rid="receipt0001", merchant="Merchant 2")
    assert wizard.post("receipts", kept).location == wizard.url("review")
    # 5 + 2 * 4 + 2 * 1 + 1: the second receipt now comes first, but nobody typed it again
    assert_on_all_the_way(submitted(wizard), typed=16)


def test_values_kept_through_add_with_memory_off_are_not_typed_again(wizard: Wizard) -> None:
    wizard.switch_memory(on=False)
    wizard.start()
    assert wizard.fill_employee().location == wizard.url("receipts")
    added = wizard.post("receipts", {**receipt_form(0), "action": "add"})
    assert added.status_code == 200 and shown_counter(added.text) == 0
    kept = {**receipt_form(0), **receipt_form(1)}
    assert wizard.post("receipts", kept).location == wizard.url("categories")
    assert shown_counter(wizard.get("categories").text) == 0


def test_back_and_edit_is_not_a_repeat(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    back = wizard.get("employee").text
    assert 'value="00123"' in back
    assert wizard.fill_employee(employee_id="00124").location == wizard.url("categories")
    assert wizard.fill_categories(["Meals"]).location == wizard.url("review")
    assert_on_all_the_way(submitted(wizard), typed=12)


def test_memory_off_all_the_way_counts_every_field_asked_again(wizard: Wizard) -> None:
    wizard.switch_memory(on=False)
    wizard.start()
    assert shown_counter(wizard.get("employee").text) == 0
    wizard.fill_employee()
    wizard.fill_receipts(1)
    assert shown_counter(wizard.get("categories").text) == 0
    both = {**receipt_form(0), "receipts-0-category": "Meals", "business_purpose": "Visit"}
    assert wizard.post("categories", both).location == wizard.url("review")
    assert shown_counter(wizard.get("review").text) == 4  # the receipt, asked again
    page = submitted(wizard, **employee_form(), **both)
    # typed: 5 + 4 + (4 + 2) + (5 + 4 + 2) = 26, of which 4 + 11 = 15 asked again
    assert numbers(page) == (26, 15)
    assert OFF_ALL_THE_WAY in page and "off for part" not in page
    assert "With session memory on you would have typed 11 fields, none of them twice." in page


def test_memory_switched_off_before_review_counts_the_review_only(wizard: Wizard) -> None:
    to_review(wizard)
    wizard.switch_memory(on=False)
    review = wizard.get("review").text
    assert NOTICE in review and shown_counter(review) == 0
    whole = {**employee_form(), **receipt_form(0), "receipts-0-category": "Meals"}
    page = submitted(wizard, **whole, business_purpose="Client visit")
    assert numbers(page) == (11 + 11, 11)  # review asked for all 11 again
    assert OFF_FOR_PART in page and OFF_ALL_THE_WAY not in page
    assert "With session memory on you would have typed 11 fields, none of them twice." in page


def test_memory_switched_off_and_on_again_counts_what_it_forgot(wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.switch_memory(on=False)
    wizard.switch_memory(on=True)
    assert wizard.get("categories").location == wizard.url("employee") + "?notice=incomplete"
    assert wizard.fill_employee().location == wizard.url("receipts")
    assert wizard.fill_receipts(1).location == wizard.url("categories")
    assert wizard.fill_categories(["Meals"]).location == wizard.url("review")
    page = submitted(wizard)
    assert numbers(page) == (5 + 4 + 5 + 4 + 2, 9)  # employee and receipt typed twice
    assert OFF_FOR_PART in page and ON_ALL_THE_WAY not in page  # off between two pages
    assert "did not have 9 fields you had already given" in page
    assert "With session memory on you would have typed 11 fields, none of them twice." in page


# Sentences that say an email or a message went somewhere.
CLAIMS = re.compile(r"\b(e-?mail|message)s?\b.*\b(sent|emailed|delivered)\b", re.IGNORECASE)


def claims_in(page: str) -> list[str]:
    """The page's sentences that claim a message was sent."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split("</main>", 1)[0]))
    sentences = re.split(r"(?<=[.!?:])\s", text)
    return [s for s in sentences if CLAIMS.search(s) and "will be sent" not in s]


def test_the_confirmation_claims_a_message_sent_only_once_it_was(
    app: Flask, wizard: Wizard
) -> None:
    to_review(wizard)
    page = submitted(wizard)
    assert claims_in(page) == []  # queued in the outbox: it "will be sent"
    assert "Email to charles@example.com" in page and "will be sent" in page
    with app.app_context():
        assert deliver_due().sent == 1
    (written,) = (Path(app.instance_path) / "mail").glob("*.eml")  # the embedded default
    assert "To: charles@example.com" in written.read_text()
    page = wizard.client.get(wizard.url("confirmation")).text
    assert [c for c in claims_in(page) if "charles@example.com" in c and c.endswith("sent.")]
    assert "will be sent" not in page


OLD_REPORT = """INSERT INTO reports (reference, draft_id, submitted_at, full_name, work_email,
employee_id, department, manager_email, business_purpose, memory_on, fields_typed,
fields_repeated) VALUES ('EXP-OLD00000', 'old-draft', '2026-11-01 10:00:00', 'Ada', 'a@b.example',
'00123', 'Sales', 'm@b.example', 'Visit', false, 26, 15)"""


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_reports_database_of_the_previous_version_gets_the_new_column(
    request: pytest.FixtureRequest, instance: Path, database: str
) -> None:
    """A database made before reports kept how memory was used: the app adds the column at
    start (older reports: memory at submit) and submitting works, with no 5xx."""
    uri = request.getfixturevalue("postgres_uri") if database == "postgresql" else None
    config = {"SQLALCHEMY_DATABASE_URI": uri} if uri else {}
    with make_app(instance, **config).app_context():  # as the previous version left it
        db.session.execute(text("ALTER TABLE reports DROP COLUMN memory_use"))
        db.session.execute(text(OLD_REPORT))
        db.session.commit()
    app = make_app(instance, **config)
    wizard = Wizard(app.test_client())
    to_review(wizard)
    assert_on_all_the_way(submitted(wizard), typed=11)
    with app.app_context():
        query = text("SELECT reference, memory_use FROM reports ORDER BY id")
        uses = [use for _, use in db.session.execute(query).all()]
    assert uses == ["off", "on"]
