"""Receipt files: uploaded once, kept across steps, checked by content, served safely."""

from __future__ import annotations

import gc
import io
import re
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from app.attachments.models import StoredFile
from app.flows.expenses.models import LineItem
from tests.clock import IDLE_TIMEOUT, MovableClock
from tests.files import jpeg, pdf, png, png_bomb
from tests.helpers import Wizard, errors_of, receipt_form


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return (io.BytesIO(data), name)


def post_receipts(wizard: Wizard, data: dict[str, Any]) -> TestResponse:
    return wizard.post("receipts", data, content_type="multipart/form-data")


def file_ids(app: Flask) -> list[str]:
    with app.app_context():
        return [f.id for f in StoredFile.query.all()]


def hidden_file_id(page: TestResponse, index: int = 0) -> str:
    return re.search(rf'name="receipts-{index}-file_id" type="hidden" value="([^"]*)"', page.text)[
        1
    ]  # type: ignore[index]


@pytest.fixture
def at_receipts(wizard: Wizard) -> Wizard:
    wizard.start()
    wizard.fill_employee()
    return wizard


def test_a_file_is_stored_at_once_and_memory_holds_only_its_id(
    app: Flask, at_receipts: Wizard
) -> None:
    wizard = at_receipts
    data = {**receipt_form(0), "receipts-0-file": upload(png(), "taxi.png")}
    assert post_receipts(wizard, data).status_code == 303
    [file_id] = file_ids(app)
    page = wizard.get("receipts").text
    assert "taxi.png" in page and "Remove file" in page and file_id in page
    entry = wizard.stored_draft()
    assert file_id.encode() in entry
    assert b"PNG" not in entry  # never the bytes


def test_a_file_survives_an_error_elsewhere_on_the_page(app: Flask, at_receipts: Wizard) -> None:
    wizard = at_receipts
    data = {**receipt_form(0, amount="oops"), "receipts-0-file": upload(pdf(), "hotel.pdf")}
    page = post_receipts(wizard, data)
    assert errors_of(page) == [
        ("receipts-0-amount", "The amount of receipt 1 must be a number, like 12.50")
    ]
    assert "hotel.pdf" in page.text
    fixed = {**receipt_form(0), "receipts-0-file_id": hidden_file_id(page)}
    assert post_receipts(wizard, fixed).status_code == 303
    assert "hotel.pdf" in wizard.get("receipts").text
    assert len(file_ids(app)) == 1


def test_a_file_survives_add_remove_back_and_change(app: Flask, at_receipts: Wizard) -> None:
    wizard = at_receipts
    first = {**receipt_form(0), "receipts-0-file": upload(jpeg(), "lunch.jpg")}
    assert post_receipts(wizard, {**first, "action": "add"}).status_code == 303
    page = wizard.get("receipts")
    kept = {**receipt_form(0), "receipts-0-file_id": hidden_file_id(page), **receipt_form(1)}
    assert post_receipts(wizard, {**kept, "action": "remove-1"}).status_code == 303
    assert "lunch.jpg" in wizard.get("receipts").text
    assert (
        post_receipts(
            wizard, {**receipt_form(0), "receipts-0-file_id": file_ids(app)[0]}
        ).status_code
        == 303
    )
    wizard.fill_categories(["Meals"])
    assert "lunch.jpg" in wizard.get("review").text
    assert "lunch.jpg" in wizard.get("receipts").text  # Change receipts from review


def test_removing_a_file_or_its_receipt_deletes_the_stored_file(
    app: Flask, at_receipts: Wizard
) -> None:
    wizard = at_receipts
    data = {
        **receipt_form(0),
        "receipts-0-file": upload(png(), "a.png"),
        **receipt_form(1),
        "receipts-1-file": upload(pdf(), "b.pdf"),
    }
    post_receipts(wizard, {**data, "action": "add"})
    assert len(file_ids(app)) == 2
    page = wizard.get("receipts")
    state = {
        **receipt_form(0),
        "receipts-0-file_id": hidden_file_id(page, 0),
        **receipt_form(1),
        "receipts-1-file_id": hidden_file_id(page, 1),
        **receipt_form(2),
    }
    post_receipts(wizard, {**state, "action": "remove-file-0"})
    assert len(file_ids(app)) == 1 and "a.png" not in wizard.get("receipts").text
    post_receipts(wizard, {**state, "receipts-0-file_id": "", "action": "remove-1"})
    assert file_ids(app) == []


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.pdf", "The file selected for receipt 1 is empty"),
        (
            b"%PDF-" + b"0" * (5 * 1024 * 1024),
            "big.pdf",
            "The file selected for receipt 1 must be smaller than 5 MB",
        ),
        (
            b"<html><script>alert(1)</script></html>",
            "page.pdf",
            "The file selected for receipt 1 must be a JPG, PNG or PDF",
        ),
        (
            pdf(),
            "scan.png",
            "The file selected for receipt 1 is a PDF but its name ends in .png: "
            "rename it or choose another file",
        ),
        (
            b"MZ" + b"\x00" * 64,
            "setup.exe",
            "The file selected for receipt 1 must be a JPG, PNG or PDF",
        ),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "logo.svg",
            "The file selected for receipt 1 must be a JPG, PNG or PDF",
        ),
        (
            png_bomb(),
            "bomb.png",
            "The image selected for receipt 1 has too many pixels: choose a smaller photo or scan",
        ),
    ],
)
# Werkzeug's test client spools a body over 500 KB to a temporary file it never closes.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_bad_files_get_a_message_next_to_the_field_and_nothing_typed_is_lost(
    app: Flask, at_receipts: Wizard, data: bytes, name: str, message: str
) -> None:
    wizard = at_receipts
    form = {**receipt_form(0, merchant="Kept Merchant"), "receipts-0-file": upload(data, name)}
    page = post_receipts(wizard, form)
    assert page.status_code == 200
    assert errors_of(page) == [("receipts-0-file", message)]
    assert 'value="Kept Merchant"' in page.text and 'aria-invalid="true"' in page.text
    assert file_ids(app) == []
    gc.collect()  # let the test client's temporary file go while its warning is ignored


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 200_000}])
def test_a_request_over_the_whole_limit_gets_the_step_again_with_what_memory_holds(
    at_receipts: Wizard,
) -> None:
    wizard = at_receipts
    post_receipts(wizard, {**receipt_form(0, merchant="Remembered"), "action": "add"})
    data = {**receipt_form(0), "receipts-0-file": upload(b"%PDF-" + b"0" * 300_000, "x.pdf")}
    page = post_receipts(wizard, data)
    assert page.status_code == 413
    assert "add up to more than" in page.text and 'value="Remembered"' in page.text
    assert "<h1>Receipts</h1>" in page.text


def test_downloads_are_safe_and_only_for_the_owner(app: Flask, at_receipts: Wizard) -> None:
    wizard = at_receipts
    post_receipts(
        wizard, {**receipt_form(0), "receipts-0-file": upload(pdf(), "Quittung Café.pdf")}
    )
    [file_id] = file_ids(app)
    url = f"{wizard.draft_url}/files/{file_id}"
    response = wizard.client.get(url)
    assert response.status_code == 200 and response.data == pdf()
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Quittung%20Caf%C3%A9.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert app.test_client().get(url).status_code == 404
    assert wizard.client.get(f"{wizard.draft_url}/files/made-up").status_code == 404


def test_a_file_id_from_another_draft_is_never_adopted(app: Flask, at_receipts: Wizard) -> None:
    victim = Wizard(app.test_client())
    victim.start()
    victim.fill_employee()
    post_receipts(victim, {**receipt_form(0), "receipts-0-file": upload(png(), "secret.png")})
    [victims_file] = file_ids(app)
    attacker = at_receipts
    post_receipts(attacker, {**receipt_form(0), "receipts-0-file_id": victims_file})
    page = attacker.get("receipts").text
    assert "secret.png" not in page and victims_file not in page
    assert attacker.client.get(f"{attacker.draft_url}/files/{victims_file}").status_code == 404


def test_submitted_files_belong_to_the_report_and_stay_downloadable(
    app: Flask, at_receipts: Wizard
) -> None:
    wizard = at_receipts
    post_receipts(wizard, {**receipt_form(0), "receipts-0-file": upload(jpeg(), "dinner.jpg")})
    wizard.fill_categories(["Meals"])
    done = wizard.submit()
    confirmation = wizard.client.get(done.location).text
    assert "dinner.jpg" in confirmation
    link = re.search(r'href="([^"]+/files/[^"]+)"', confirmation)[1]  # type: ignore[index]
    assert wizard.client.get(link).data == jpeg()
    with app.app_context():
        assert LineItem.query.one().file_id == StoredFile.query.one().id
        assert StoredFile.query.one().submitted


def test_files_of_expired_drafts_are_deleted_by_the_cleanup_command(
    app: Flask, at_receipts: Wizard, clock: MovableClock
) -> None:
    post_receipts(at_receipts, {**receipt_form(0), "receipts-0-file": upload(png(), "old.png")})
    clock.sleep(IDLE_TIMEOUT + 1)
    result = app.test_cli_runner().invoke(args=["cleanup"])
    assert "and 1 files of expired drafts" in result.output
    assert file_ids(app) == []


def test_with_memory_off_files_must_be_uploaded_again_and_count_as_repeats(
    app: Flask, wizard: Wizard
) -> None:
    wizard.switch_memory(on=False)
    wizard.start()
    wizard.fill_employee()
    post_receipts(wizard, {**receipt_form(0), "receipts-0-file": upload(png(), "one.png")})
    categories = wizard.get("categories").text
    assert 'type="file"' in categories and "one.png" not in categories
    again = {
        **receipt_form(0),
        "receipts-0-file": upload(png(), "one.png"),
        "receipts-0-category": "Meals",
        "business_purpose": "Visit",
    }
    wizard.post("categories", again, content_type="multipart/form-data")
    review = wizard.get("review").text
    assert "Fields typed again: <strong>5</strong>" in review  # 4 receipt fields and the file


def test_only_a_page_with_a_file_input_sends_multipart(wizard: Wizard) -> None:
    wizard.start()
    assert 'enctype="application/x-www-form-urlencoded"' in wizard.get("employee").text
    wizard.fill_employee()
    receipts = wizard.get("receipts").text
    assert 'enctype="multipart/form-data"' in receipts and 'type="file"' in receipts
