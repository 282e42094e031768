"""The Change links of the review page, and where Continue leads after a change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    expect_employee,
    expect_receipt,
    expect_step,
    field,
    fill_category,
    fill_receipt,
    press,
    receipt_group,
    summary_value,
    walk_to_review,
)
from tests.helpers import EMPLOYEE, TODAY

pytestmark = pytest.mark.e2e

HOTEL = {
    "date": TODAY,
    "merchant": "Hotel Adlon",
    "amount": "12.50",
    "currency": "EUR",
    "description": "",
}
TAXI = {
    "date": TODAY,
    "merchant": "Berlin Taxi",
    "amount": "7.25",
    "currency": "EUR",
    "description": "Hotel to office",
}

# The text of an element that a sighted person sees: text inside a box of 1px or less
# (the visually hidden pattern: 1x1, overflow hidden, clipped) does not count.
VISIBLE_TEXT = """element => {
  const seen = node => {
    for (let box = node.parentElement; box; box = box.parentElement) {
      const rect = box.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1) return false;
      if (box === element) return true;
    }
    return true;
  };
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (seen(node)) parts.push(node.textContent);
  }
  return parts.join("").replace(/\\s+/g, " ").trim();
}"""


def change_link(page: Page, section: str) -> Locator:
    link = page.get_by_role("link", name=f"Change {section}", exact=True)
    expect(link).to_be_visible()
    assert link.evaluate(VISIBLE_TEXT) == "Change", "the link should show only the word Change"
    return link


def test_change_employee_details_returns_to_review(page: Page) -> None:
    walk_to_review(page, EMPLOYEE, HOTEL, category="Lodging")

    change_link(page, "employee details").click()
    expect(page).to_have_url(re.compile(r"/employee$"))
    expect_step(page, 1, "Employee details")
    expect_employee(page, EMPLOYEE)  # what memory holds, ready to edit
    field(page, "Full name").fill("Augusta Ada King")
    press(page, "Continue")

    expect(page).to_have_url(re.compile(r"/review$"))
    expect_step(page, 4, "Review and submit")
    expect(summary_value(page, "Full name")).to_have_text("Augusta Ada King")
    expect(summary_value(page, "Employee ID")).to_have_text(EMPLOYEE["employee_id"])
    expect(summary_value(page, "Merchant")).to_have_text(["Hotel Adlon"])


def test_a_new_receipt_from_review_asks_its_category_first(page: Page) -> None:
    walk_to_review(page, EMPLOYEE, HOTEL, category="Lodging", purpose="Team offsite")

    change_link(page, "receipts").click()
    expect(page).to_have_url(re.compile(r"/receipts$"))
    expect_receipt(receipt_group(page, 1), HOTEL)
    press(page, "Add another receipt")
    fill_receipt(receipt_group(page, 2), TAXI)
    expect_receipt(receipt_group(page, 1), HOTEL)
    press(page, "Continue")

    # The new receipt needs a category: categories first, the old one's answer kept
    expect(page).to_have_url(re.compile(r"/categories$"))
    expect_step(page, 3, "Categories")
    hotel = page.get_by_role("group", name=f"Receipt 1: Hotel Adlon, 12.50 EUR, {TODAY}")
    taxi = page.get_by_role("group", name=f"Receipt 2: Berlin Taxi, 7.25 EUR, {TODAY}")
    expect(field(hotel, "Category")).to_have_value("Lodging")
    expect(field(taxi, "Category")).to_have_value("")
    expect(field(page, "Business purpose")).to_have_value("Team offsite")
    fill_category(taxi, "Ground transport")
    press(page, "Continue")

    expect(page).to_have_url(re.compile(r"/review$"))
    expect(summary_value(page, "Merchant")).to_have_text(["Hotel Adlon", "Berlin Taxi"])
    expect(summary_value(page, "Category")).to_have_text(["Lodging", "Ground transport"])
    expect(summary_value(page, "Description")).to_have_text(["Not provided", "Hotel to office"])
    totals = page.get_by_role("region", name="Totals")
    expect(totals.get_by_role("listitem")).to_have_text(["19.75 EUR"])

    # Changing categories without adding anything goes straight back to review
    change_link(page, "categories").click()
    expect_step(page, 3, "Categories")
    fill_category(taxi, "Travel")
    press(page, "Continue")
    expect(page).to_have_url(re.compile(r"/review$"))
    expect(summary_value(page, "Category")).to_have_text(["Lodging", "Travel"])
