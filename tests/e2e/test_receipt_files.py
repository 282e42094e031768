"""Receipt files in a real browser (SPEC §3, step 2 "Receipt file"): a file is stored the
moment it is posted, shown as its name and size with "Remove file", and it survives errors
elsewhere on the page, Back and forward, Change from review, Add and Remove, and submit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import (
    expect_receipt,
    expect_step,
    field,
    fill_category,
    fill_employee,
    fill_receipt,
    press,
    receipt_group,
    start_report,
    submit_report,
    summary_value,
    walk_to_review,
)
from tests.e2e.flows import turn_memory_off
from tests.files import pdf, png
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e

Check = Callable[[Page, str], None]

TAXI = {
    "date": TODAY,
    "merchant": "Berlin Taxi",
    "amount": "23.40",
    "currency": "EUR",
    "description": "Airport to hotel",
}
HOTEL = {"date": TODAY, "merchant": "Hotel Adlon", "amount": "120.00", "currency": "EUR"}
TAXI_PNG = png()
# a PDF comment line makes it a little over 2 KB, so its size reads in KB
HOTEL_PDF = pdf().replace(b"trailer", b"%" + b"0" * 2200 + b"\ntrailer")
HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>Receipt</title></head><body>Paid</body></html>\n"
NOT_A_RECEIPT = "The file selected for receipt 1 must be a JPG, PNG or PDF"
COUNTER = re.compile(r"^Fields typed again: (\d+)$")


def shown_size(data: bytes) -> str:
    """The size as a person reads it next to the name: '123 bytes', '2.3 KB'."""
    size = len(data)
    return f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KB"


TAXI_SHOWN = f"taxi.png ({shown_size(TAXI_PNG)})"
HOTEL_SHOWN = f"hotel invoice.pdf ({shown_size(HOTEL_PDF)})"


def saved(tmp_path: Path, name: str, data: bytes) -> Path:
    """A file on disk, as a person would pick it in the file chooser."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def expect_stored_file(group: Locator, number: int, shown: str) -> None:
    """The group shows its stored file (name and size) and Remove file, not a file input."""
    expect(group).to_contain_text(shown)
    remove = group.get_by_role("button", name=f"Remove file of receipt {number}", exact=True)
    expect(remove).to_be_visible()
    expect(field(group, "Receipt file")).to_have_count(0)


def expect_no_stored_file(group: Locator, name: str) -> None:
    """The group asks for a file again: an empty "Receipt file" input, no old name."""
    expect(field(group, "Receipt file")).to_be_visible()
    expect(field(group, "Receipt file")).to_have_value("")
    expect(group).not_to_contain_text(name)
    expect(group.get_by_role("button", name=re.compile("^Remove file"))).to_have_count(0)


def expect_download(page: Page, link: Locator, name: str, data: bytes) -> None:
    """Following the link downloads exactly the bytes that were uploaded, under its name."""
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == name
    assert download.failure() is None
    assert Path(download.path()).read_bytes() == data, f"{name}: downloaded bytes differ"


def repeat_counter(page: Page) -> int:
    """The number shown in "Fields typed again: N" (memory off)."""
    counter = page.get_by_role("main").get_by_text(COUNTER)
    expect(counter).to_be_visible()
    match = COUNTER.match(counter.inner_text().strip())
    assert match, counter.inner_text()
    return int(match[1])


def at_receipts(page: Page) -> None:
    start_report(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")


def test_files_survive_an_error_back_review_change_and_submit(
    page: Page, check_page: Check, tmp_path: Path
) -> None:
    taxi_png = saved(tmp_path, "taxi.png", TAXI_PNG)
    hotel_pdf = saved(tmp_path, "hotel invoice.pdf", HOTEL_PDF)
    at_receipts(page)
    press(page, "Add another receipt")
    first, second = receipt_group(page, 1), receipt_group(page, 2)
    fill_receipt(first, TAXI)
    fill_receipt(second, {**HOTEL, "merchant": ""})  # the merchant is forgotten
    field(first, "Receipt file").set_input_files(taxi_png)
    field(second, "Receipt file").set_input_files(hotel_pdf)
    press(page, "Continue")

    # The error names the merchant; both files were stored all the same, not lost
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text(["Enter the merchant of receipt 2"])
    expect(field(second, "Merchant")).to_have_attribute("aria-invalid", "true")
    expect_receipt(first, TAXI)
    expect_receipt(second, {**HOTEL, "merchant": "", "description": ""})
    expect_stored_file(first, 1, TAXI_SHOWN)
    expect_stored_file(second, 2, HOTEL_SHOWN)
    check_page(page, "r01-step2-error-files-kept")

    field(second, "Merchant").fill(HOTEL["merchant"])
    press(page, "Continue")
    expect_step(page, 3, "Categories")

    # Back to the receipts: the files are still there
    page.get_by_role("link", name="Back", exact=True).click()
    expect_step(page, 2, "Receipts")
    expect_stored_file(first, 1, TAXI_SHOWN)
    expect_stored_file(second, 2, HOTEL_SHOWN)
    check_page(page, "r02-step2-stored-files")
    press(page, "Continue")

    expect_step(page, 3, "Categories")
    fill_category(page.get_by_role("group", name=re.compile(r"^Receipt 1: Berlin Taxi")), "Travel")
    fill_category(page.get_by_role("group", name=re.compile(r"^Receipt 2: Hotel Adlon")), "Lodging")
    field(page, "Business purpose").fill("Client workshop in Berlin")
    press(page, "Continue")

    # Review: each file by name (a link that downloads it) and size
    expect_step(page, 4, "Review and submit")
    expect(summary_value(page, "Receipt file")).to_have_text([TAXI_SHOWN, HOTEL_SHOWN])
    main = page.get_by_role("main")
    taxi_link = main.get_by_role("link", name="taxi.png", exact=True)
    hotel_link = main.get_by_role("link", name="hotel invoice.pdf", exact=True)
    expect_download(page, taxi_link, "taxi.png", TAXI_PNG)
    expect_download(page, hotel_link, "hotel invoice.pdf", HOTEL_PDF)

    # Change receipts from review: the files are there; Continue returns to review
    page.get_by_role("link", name="Change receipts", exact=True).click()
    expect_step(page, 2, "Receipts")
    expect_stored_file(first, 1, TAXI_SHOWN)
    expect_stored_file(second, 2, HOTEL_SHOWN)
    press(page, "Continue")
    expect(page).to_have_url(re.compile(r"/review$"))
    expect(summary_value(page, "Receipt file")).to_have_text([TAXI_SHOWN, HOTEL_SHOWN])

    # Submitted: the confirmation lists both files, and they still download
    submit_report(page)
    expect(summary_value(page, "Receipt file")).to_have_text([TAXI_SHOWN, HOTEL_SHOWN])
    expect_download(page, taxi_link, "taxi.png", TAXI_PNG)
    expect_download(page, hotel_link, "hotel invoice.pdf", HOTEL_PDF)
    check_page(page, "r03-confirmation-files")


def test_remove_file_asks_for_a_file_again_and_the_old_link_is_gone(
    page: Page, tmp_path: Path
) -> None:
    walk_to_review(page, EMPLOYEE, TAXI)
    page.get_by_role("link", name="Change receipts", exact=True).click()
    expect_step(page, 2, "Receipts")
    group = receipt_group(page, 1)
    field(group, "Receipt file").set_input_files(saved(tmp_path, "taxi.png", TAXI_PNG))
    press(page, "Continue")

    expect(page).to_have_url(re.compile(r"/review$"))
    link = page.get_by_role("main").get_by_role("link", name="taxi.png", exact=True)
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href
    file_url = page.url.rsplit("/report/", 1)[0] + href if href.startswith("/") else href
    response = page.request.get(file_url)
    assert response.status == 200 and response.body() == TAXI_PNG

    page.get_by_role("link", name="Change receipts", exact=True).click()
    expect_stored_file(group, 1, TAXI_SHOWN)
    press(page, "Remove file of receipt 1")

    expect_step(page, 2, "Receipts")
    expect_no_stored_file(group, "taxi.png")
    expect_receipt(group, TAXI)  # only the file went
    response = page.request.get(file_url)
    assert response.status == 404, f"a removed file still downloads: {response.status}"

    press(page, "Continue")
    expect(page).to_have_url(re.compile(r"/review$"))
    expect(summary_value(page, "Receipt file")).to_have_text(["Not provided"])
    expect(page.get_by_role("main").get_by_role("link", name="taxi.png")).to_have_count(0)


def test_a_file_survives_add_and_remove_without_javascript(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    at_receipts(page)
    first = receipt_group(page, 1)
    fill_receipt(first, TAXI)
    field(first, "Receipt file").set_input_files(saved(tmp_path, "taxi.png", TAXI_PNG))
    press(page, "Add another receipt")

    second = receipt_group(page, 2)
    expect(second).to_be_visible()
    expect_stored_file(first, 1, TAXI_SHOWN)
    expect_receipt(first, TAXI)
    expect_no_stored_file(second, "taxi.png")
    fill_receipt(second, HOTEL)
    field(second, "Receipt file").set_input_files(saved(tmp_path, "hotel invoice.pdf", HOTEL_PDF))
    press(page, "Remove receipt 2")

    expect(page.get_by_role("group", name=re.compile(r"^Receipt \d"))).to_have_count(1)
    expect_stored_file(first, 1, TAXI_SHOWN)
    expect_receipt(first, TAXI)
    expect(page.get_by_role("main")).not_to_contain_text("hotel invoice.pdf")
    press(page, "Continue")

    expect_step(page, 3, "Categories")
    page.get_by_role("link", name="Back", exact=True).click()
    expect_stored_file(receipt_group(page, 1), 1, TAXI_SHOWN)


def test_with_memory_off_the_file_is_asked_again_and_counted(page: Page, tmp_path: Path) -> None:
    taxi_png = saved(tmp_path, "taxi.png", TAXI_PNG)
    taxi = {**TAXI, "description": ""}  # 4 fields typed, plus the file
    start_report(page)
    turn_memory_off(page)
    fill_employee(page, EMPLOYEE)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    group = receipt_group(page, 1)
    fill_receipt(group, taxi)
    field(group, "Receipt file").set_input_files(taxi_png)
    press(page, "Continue")

    # Step 3 doesn't know the receipts: it asks for them again, file included
    expect_step(page, 3, "Categories")
    expect(page.get_by_role("main")).to_contain_text(
        "Session memory is off, so this step doesn't know what you entered before."
    )
    expect(page.get_by_role("group", name=re.compile(r"^Receipt \d"))).to_have_count(1)
    expect_no_stored_file(group, "taxi.png")
    before = repeat_counter(page)

    fill_receipt(group, taxi)
    field(group, "Receipt file").set_input_files(taxi_png)
    fill_category(group, "Travel")
    field(page, "Business purpose").fill("Client workshop in Berlin")
    press(page, "Continue")

    expect_step(page, 4, "Review and submit")
    after = repeat_counter(page)
    # date, merchant, amount, currency and the file were typed (chosen) a second time
    assert after - before == 5, f"Fields typed again went from {before} to {after}, not +5"


TOO_LARGE = "The file selected for receipt 1 must be smaller than 5 MB"
MB = 1024 * 1024


def oversized(tmp_path: Path, name: str, size: int) -> Path:
    """A PNG padded to `size` bytes (sparse, so made at once)."""
    path = saved(tmp_path, name, TAXI_PNG)
    os.truncate(path, size)
    return path


def expect_file_error(group: Locator, message: str) -> None:
    """The file field is marked wrong with exactly this one message beside it."""
    file_input = field(group, "Receipt file")
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(file_input).to_have_accessible_description(re.compile(re.escape(message)))
    expect(group.locator(".error-message")).to_have_count(1)
    expect(group.locator(".error-message")).to_have_text(f"Error: {message}")


def test_a_too_large_file_is_refused_on_continue_with_javascript(
    page: Page, check_page: Check, tmp_path: Path
) -> None:
    at_receipts(page)
    group = receipt_group(page, 1)
    fill_receipt(group, TAXI)
    file_input = field(group, "Receipt file")
    file_input.set_input_files(oversized(tmp_path, "scan.png", 5 * MB + 1))
    expect_file_error(group, TOO_LARGE)  # said at once, beside the field
    press(page, "Continue")

    # Not dropped: the step stays, the summary names the file, as without JavaScript
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect_step(page, 2, "Receipts")
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_text([TOO_LARGE])
    expect(summary.get_by_role("link")).to_have_attribute("href", "#receipts-0-file")
    expect(summary).to_be_focused()
    expect_file_error(group, TOO_LARGE)
    expect_receipt(group, TAXI)  # everything typed is kept
    expect(group).not_to_contain_text("scan.png")  # nothing was stored
    expect(group.get_by_role("button", name=re.compile("^Remove file"))).to_have_count(0)
    check_page(page, "r05-step2-too-large-file")
    page.set_viewport_size({"width": 390, "height": 844})
    check_page(page, "r05-step2-too-large-file-390")

    summary.get_by_role("link", name=TOO_LARGE, exact=True).click()
    expect(file_input).to_be_focused()


def test_a_good_file_chosen_after_a_too_large_one_leaves_no_stale_error(
    page: Page, tmp_path: Path
) -> None:
    at_receipts(page)
    group = receipt_group(page, 1)
    fill_receipt(group, TAXI)
    file_input = field(group, "Receipt file")
    file_input.set_input_files(saved(tmp_path, "receipt.pdf", HTML_PAGE))
    press(page, "Continue")
    expect_file_error(group, NOT_A_RECEIPT)

    # The server's message was about the file chosen before: the new one replaces it
    file_input.set_input_files(oversized(tmp_path, "scan.png", 5 * MB + 1))
    expect_file_error(group, TOO_LARGE)

    # A good file: no message beside the field any more, and Continue takes it
    file_input.set_input_files(saved(tmp_path, "taxi.png", TAXI_PNG))
    expect(group.locator(".error-message")).to_have_count(0)
    expect(file_input).not_to_have_attribute("aria-invalid", "true")
    expect(file_input).to_have_accessible_description(re.compile(r"^Optional\."))
    press(page, "Continue")
    expect_step(page, 3, "Categories")
    page.get_by_role("link", name="Back", exact=True).click()
    expect_step(page, 2, "Receipts")
    expect_stored_file(group, 1, TAXI_SHOWN)
    expect_receipt(group, TAXI)


def test_a_file_over_the_whole_upload_limit_gets_the_same_message(
    page: Page, tmp_path: Path
) -> None:
    """Larger than a request may be (52 MB): still the file's own message, nothing typed lost."""
    huge = oversized(tmp_path, "video.png", 60 * MB)
    at_receipts(page)
    group = receipt_group(page, 1)
    fill_receipt(group, TAXI)
    field(group, "Receipt file").set_input_files(huge)
    press(page, "Continue")

    expect_step(page, 2, "Receipts")
    expect(page.get_by_role("alert").get_by_role("link")).to_have_text([TOO_LARGE])
    expect_file_error(group, TOO_LARGE)
    expect_receipt(group, TAXI)
