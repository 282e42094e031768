"""Files in each flow's items (receipts' "Receipt file", the support request's attachments):
checked by content, not by name, in both; then the support request's own attachments: Add
another attachment up to five, Remove, a stored file shown and downloaded, on to the
confirmation. (The receipt files' own journeys are in test_receipt_files.py.)"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.flows import (
    SUPPORT,
    BrowserFlow,
    continue_to,
    expect_step,
    field,
    fill_page,
    press,
    send,
    summary_value,
    walk_to,
)
from tests.files import pdf, png

pytestmark = pytest.mark.e2e

Check = Callable[[Page, str], None]
HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>Receipt</title></head><body>Paid</body></html>\n"
NOT_ALLOWED = "The file selected for {item} 1 must be a JPG, PNG or PDF"
PHOTO, INVOICE = png(), pdf()


def saved(tmp_path: Path, name: str, data: bytes) -> Path:
    """A file on disk, as a person would pick it in the file chooser."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_page_saved_as_pdf_is_refused_next_to_the_field(
    page: Page, flow: BrowserFlow, check_page: Check, tmp_path: Path
) -> None:
    walk_to(page, flow, flow.items_step)
    fill_page(page, flow)
    group = flow.item_group(page, 1)
    not_allowed = NOT_ALLOWED.format(item=flow.item)
    file_input = field(group, flow.file_label)
    file_input.set_input_files(saved(tmp_path, "invoice.pdf", HTML_PAGE))  # named PDF, is HTML
    press(page, "Continue")

    expect(page).to_have_title(re.compile(r"^Error: "))
    expect_step(page, flow.items_step, flow.titles[flow.items_step - 1])
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text([not_allowed])
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(file_input).to_have_accessible_description(re.compile(re.escape(not_allowed)))
    expect(group).to_contain_text(not_allowed)  # next to the field, not only in the summary
    expect(group).not_to_contain_text("invoice.pdf")  # nothing was stored
    expect(group.get_by_role("button", name=re.compile("^Remove file"))).to_have_count(0)
    check_page(page, f"r04-{flow.name}-file-error")

    summary.get_by_role("link", name=not_allowed, exact=True).click()
    expect(file_input).to_be_focused()

    # A real PDF under the same name instead: accepted, and the page moves on
    file_input.set_input_files(saved(tmp_path, "invoice.pdf", INVOICE))
    continue_to(page, flow, flow.items_step + 1)


def attachment(page: Page, number: int) -> Locator:
    return SUPPORT.item_group(page, number)


def expect_stored(page: Page, number: int, name: str, data: bytes) -> None:
    """Attachment N shows its stored file (name and size) and Remove file, no file input."""
    group = attachment(page, number)
    expect(group).to_contain_text(f"{name} ({len(data)} bytes)")
    remove = f"Remove file of attachment {number}"
    expect(group.get_by_role("button", name=remove, exact=True)).to_be_visible()
    expect(field(group, "File")).to_have_count(0)


def test_attachments_add_remove_and_reach_the_confirmation(
    page: Page, check_page: Check, tmp_path: Path
) -> None:
    walk_to(page, SUPPORT, 3)
    fill_page(page, SUPPORT)
    expect(page.get_by_role("button", name=re.compile("^Remove attachment"))).to_have_count(0)
    field(attachment(page, 1), "File").set_input_files(saved(tmp_path, "photo.png", PHOTO))
    press(page, "Add another attachment")  # the chosen file is stored on the way
    expect_stored(page, 1, "photo.png", PHOTO)
    expect(field(attachment(page, 2), "File")).to_have_value("")
    for number in (3, 4, 5):
        press(page, "Add another attachment")
        expect(attachment(page, number)).to_be_visible()
    expect(SUPPORT.item_groups(page)).to_have_count(5)
    expect(page.get_by_role("button", name="Add another attachment")).to_have_count(0)
    expect(page.get_by_text("You can add up to 5 attachments to one request.")).to_be_visible()
    check_page(page, "s01-five-attachments")

    for number, left in ((5, 4), (4, 3), (2, 2)):  # empty ones go; the stored file stays
        press(page, f"Remove attachment {number}")
        expect(SUPPORT.item_groups(page)).to_have_count(left)
    expect(SUPPORT.item_groups(page)).to_have_count(2)
    expect_stored(page, 1, "photo.png", PHOTO)
    field(attachment(page, 2), "File").set_input_files(saved(tmp_path, "invoice.pdf", INVOICE))
    continue_to(page, SUPPORT, 4)

    files = summary_value(page, "File")
    expect(files).to_contain_text(["photo.png", "invoice.pdf"])
    with page.expect_download() as download:
        page.get_by_role("main").get_by_role("link", name="invoice.pdf", exact=True).click()
    assert Path(download.value.path()).read_bytes() == INVOICE
    expect(summary_value(page, "Description")).to_have_text(re.compile("screen stays dark"))

    send(page, SUPPORT)
    expect(summary_value(page, "File")).to_contain_text(["photo.png", "invoice.pdf"])
    check_page(page, "s02-sent-with-attachments")
