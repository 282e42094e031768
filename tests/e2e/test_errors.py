"""Errors on a step, the GOV.UK way: title, error summary, links to fields, nothing lost."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import field, press, start_report

pytestmark = pytest.mark.e2e

# error summary link -> the label of the field it leads to, in page order
EMPTY_STEP_1_ERRORS = {
    "Enter your full name": "Full name",
    "Enter your work email address": "Work email",
    "Enter your employee ID": "Employee ID",
    "Select your department": "Department",
    "Enter your manager's email address": "Manager's email",
}


def test_empty_step_1_shows_every_error_and_links_to_each_field(
    page: Page, check_page: Callable[[Page, str], None]
) -> None:
    start_report(page)
    step1_url = page.url
    press(page, "Continue")

    expect(page).to_have_title(re.compile(r"^Error: Employee details"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Employee details")
    assert page.url == step1_url
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem", exact=True)).to_be_visible()
    expect(summary).to_be_focused()  # with JavaScript, focus starts on the summary
    links = summary.get_by_role("link")
    expect(links).to_have_text(list(EMPTY_STEP_1_ERRORS))
    for message, label in EMPTY_STEP_1_ERRORS.items():
        control = field(page, label)
        expect(control).to_have_attribute("aria-invalid", "true")
        # the message is next to the field and read with it (aria-describedby)
        expect(control).to_have_accessible_description(re.compile(re.escape(message)))
    check_page(page, "c01-step1-empty-errors")

    for message, label in EMPTY_STEP_1_ERRORS.items():
        summary.get_by_role("link", name=message, exact=True).click()
        expect(field(page, label)).to_be_focused()


def test_errors_keep_what_was_typed_in_valid_and_invalid_fields(
    page: Page, check_page: Callable[[Page, str], None]
) -> None:
    start_report(page)
    field(page, "Full name").fill("Katherine Johnson")
    field(page, "Work email").fill("katherine@example.com")
    field(page, "Employee ID").fill("12")  # too short
    field(page, "Department").select_option("Operations")
    field(page, "Manager's email").fill("katherine@example.com")  # the same as hers
    press(page, "Continue")

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Employee ID must be 3 to 20 letters, numbers or hyphens",
            "Manager's email must be different from your work email",
        ]
    )
    expect(field(page, "Full name")).to_have_value("Katherine Johnson")
    expect(field(page, "Work email")).to_have_value("katherine@example.com")
    expect(field(page, "Department")).to_have_value("Operations")
    expect(field(page, "Employee ID")).to_have_value("12")
    expect(field(page, "Manager's email")).to_have_value("katherine@example.com")
    for label in ("Full name", "Work email", "Department"):
        expect(field(page, label)).not_to_have_attribute("aria-invalid", "true")
    for label in ("Employee ID", "Manager's email"):
        expect(field(page, label)).to_have_attribute("aria-invalid", "true")
    check_page(page, "c02-step1-some-errors")

    summary.get_by_role("link", name="Employee ID must be 3 to 20").click()
    expect(field(page, "Employee ID")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("00123")
    field(page, "Manager's email").fill("mary@example.com")
    press(page, "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Receipts")
    expect(page).not_to_have_title(re.compile(r"^Error"))
