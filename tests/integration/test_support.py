"""The support request (SPEC §10), served by the same engine: its four steps and their
rules, what memory off asks again and counts, its attachments, and its one stored request."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.attachments.models import StoredFile
from app.flows.support.models import SupportAttachment, SupportRequest
from tests.files import pdf, png
from tests.helpers import PLACES, TODAY, SupportWizard, errors_of, support_page


def support(client: FlaskClient, place: str = "server", memory_on: bool = True) -> SupportWizard:
    return SupportWizard(client, place, memory_on, follow=True)


def headings(page: TestResponse) -> list[str]:
    main = page.text.split("<main", 1)[1].split("</main>", 1)[0]
    return re.findall(r"<h[12][^>]*>(.*?)</h[12]>", main)


def inputs(page: TestResponse) -> set[str]:
    main = page.text.split("<main", 1)[1].split("</main>", 1)[0]
    named = r'<(?:input|select|textarea)[^>]* name="([a-z_]+-[a-z_]+|urgency)"'
    return set(re.findall(named, main))


def stored(app: Flask) -> list[SupportRequest]:
    with app.app_context():
        found = SupportRequest.query.all()
        for request in found:
            request.attachments  # noqa: B018  (loaded while the session is open)
        return list(found)


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return (io.BytesIO(data), name)


CONTACT_FIELDS = {f"contact-{k}" for k in ("full_name", "email", "customer_number", "phone")}
ORDER_FIELDS = {"order-product", "order-order_number", "order-purchased_on"}


@pytest.mark.parametrize("place", PLACES)
def test_a_whole_request_is_sent_once_with_a_sup_reference(app: Flask, place: str) -> None:
    browser = support(app.test_client(), place)
    browser.start()
    assert headings(browser.page or browser.get("contact"))[0] == "Contact details"
    assert headings(browser.fill("contact"))[0] == "Product and order"
    assert headings(browser.fill("order"))[0] == "The problem"
    review = browser.fill("problem", description="Line one\r\nLine two")
    steps = ["Review and send", "Contact details", "Product and order", "The problem"]
    assert headings(review)[:4] == steps
    assert "I confirm these details are correct" in review.text
    assert "grace@example.com" in review.text  # the email, carried to the last step
    sent = browser.submit()
    assert headings(sent)[0] == "Support request sent"
    reference = re.search(r'class="reference">(SUP-[0-9A-Z]{8})<', sent.text)
    assert reference is not None
    [request] = stored(app)
    assert (request.reference, request.email, request.urgency) == (
        reference[1],
        "grace@example.com",
        "Normal",
    )
    assert request.description == "Line one\nLine two"  # a line break counted once
    assert request.fields_typed == 9 and request.fields_repeated == 0
    assert (request.memory_use, request.memory_on) == ("on", True)


@pytest.mark.parametrize("place", PLACES)
def test_memory_off_asks_for_the_order_again_then_everything_with_the_email(
    app: Flask, place: str
) -> None:
    browser = support(app.test_client(), place, memory_on=False)
    browser.start()
    browser.fill("contact")
    problem = browser.fill("order")
    assert inputs(problem) >= ORDER_FIELDS and not CONTACT_FIELDS & inputs(problem)
    review = browser.post("problem", {**support_page("order"), **support_page("problem")})
    assert {"contact-email", *ORDER_FIELDS, "problem-description", "urgency"} <= inputs(review)
    parts = ["Contact details", "Product and order", "The problem", "Attachments"]
    assert headings(review)[1:6] == [*parts, "Now send your request"]  # the checkbox's own
    sent = browser.post("review", {**browser.fill_everything(), "confirm": "y"})
    assert headings(sent)[0] == "Support request sent", errors_of(sent)
    [request] = stored(app)
    # 9 answers; step 3 asked the 3 of the order again, step 4 all 9 again.
    assert (request.fields_typed, request.fields_repeated) == (21, 12)
    assert request.memory_use == "off"
    assert "12 fields you had already given" in sent.text
    assert "With session memory on you would have typed 9 fields" in sent.text


def test_step_three_needs_step_two_and_review_needs_everything(app: Flask) -> None:
    browser = support(app.test_client())
    browser.start()
    browser.fill("contact")
    problem = browser.get("problem", follow_redirects=True)
    assert headings(problem)[0] == "Product and order"
    assert "Complete this step first" in problem.text
    browser.fill("order")
    review = browser.get("review", follow_redirects=True)
    assert headings(review)[0] == "The problem"


def test_phone_is_needed_only_when_phone_is_the_way_to_reach_you(app: Flask) -> None:
    browser = support(app.test_client())
    browser.start()
    page = browser.fill("contact", preferred_contact="Phone")
    assert errors_of(page) == [("contact-phone", "Enter your phone number")]
    assert 'value="Grace Hopper"' in page.text  # everything typed is kept
    page = browser.fill("contact", preferred_contact="Phone", phone="12")
    assert errors_of(page) == [
        ("contact-phone", "Phone must be 6 to 20 digits, spaces or the characters + - ( )")
    ]
    page = browser.fill("contact", preferred_contact="Phone", phone="+44 (20) 7946-0000")
    assert headings(page)[0] == "Product and order"
    assert headings(browser.fill("contact", preferred_contact="Email"))[0] == "Product and order"


def test_contact_rules_and_a_customer_number_kept_as_typed(app: Flask) -> None:
    browser = support(app.test_client())
    browser.start()
    page = browser.fill(
        "contact", full_name="", email="grace", customer_number="ab", preferred_contact="Fax"
    )
    assert errors_of(page) == [
        ("contact-full_name", "Enter your full name"),
        ("contact-email", "Enter an email address in the correct format, like name@example.com"),
        ("contact-customer_number", "Customer number must be 4 to 20 letters, numbers or hyphens"),
        ("contact-preferred_contact", "Select how you would like us to contact you"),
    ]
    browser.fill("contact", customer_number="Ab-0042")
    assert 'value="Ab-0042"' in browser.show("contact").text


PURCHASE = "Date of purchase"


def test_order_rules(app: Flask) -> None:
    browser = support(app.test_client())
    browser.start()
    browser.fill("contact")
    page = browser.fill("order", product="Car", order_number="12", purchased_on="2019-02-30")
    assert errors_of(page) == [
        ("order-product", "Select the product"),
        ("order-order_number", "Order number must be 6 to 20 letters, numbers or hyphens"),
        ("order-purchased_on", "Date of purchase must be a real date, like 2026-11-02"),
    ]
    page = browser.fill("order", purchased_on="2099-01-01")
    assert errors_of(page) == [("order-purchased_on", f"{PURCHASE} must be today or in the past")]
    page = browser.fill("order", purchased_on="2001-01-01")
    assert errors_of(page) == [
        ("order-purchased_on", f"{PURCHASE} must be within the last 5 years")
    ]


def test_a_description_of_2000_characters_is_taken_and_one_more_is_not(app: Flask) -> None:
    browser = support(app.test_client())
    browser.start()
    browser.fill("contact")
    browser.fill("order")
    longest = "x" * 1998 + "\r\ny"  # 2,000: the line break sent as CR LF counts once
    page = browser.fill("problem", description=longest + "z")
    too_long = "Description must be 2,000 characters or fewer"
    assert errors_of(page) == [("problem-description", too_long)]
    assert "x" * 1998 + "\nyz</textarea>" in page.text  # kept whole, for the person to cut
    assert " maxlength=" not in page.text  # a paste over the limit is never cut unseen
    assert "You can enter up to 2,000 characters" in page.text
    assert headings(browser.fill("problem", description=longest))[0] == "Review and send"


def test_attachments_are_checked_by_content_added_removed_and_owned_by_the_request(
    app: Flask,
) -> None:
    browser = support(app.test_client())
    browser.start()
    browser.fill("contact")
    browser.fill("order")
    data: dict[str, Any] = {
        **_posted(browser.show("problem")),
        **support_page("problem"),
        "attachments-0-file": upload(png(), "screen.png"),
        "action": "add",
    }
    page = browser.post("problem", data, content_type="multipart/form-data")
    assert "screen.png" in page.text and "Attachment 2" in page.text
    fake = upload(b"not a pdf at all", "manual.pdf")
    page = browser.post(
        "problem", {**_posted(page), "attachments-1-file": fake}, content_type="multipart/form-data"
    )
    not_a_pdf = "The file selected for attachment 2 must be a JPG, PNG or PDF"
    assert errors_of(page) == [("attachments-1-file", not_a_pdf)]
    real = upload(pdf(), "manual.pdf")
    review = browser.post(
        "problem", {**_posted(page), "attachments-1-file": real}, content_type="multipart/form-data"
    )
    assert headings(review)[0] == "Review and send", errors_of(review)
    assert "screen.png" in review.text and "manual.pdf" in review.text
    browser.submit()
    [request] = stored(app)
    with app.app_context():
        files = {f.id: f for f in StoredFile.query.all()}
        owned = SupportAttachment.query.filter_by(request_id=request.id).all()
    assert [files[a.file_id].name for a in owned] == ["screen.png", "manual.pdf"]
    assert all(f.submitted for f in files.values()) and len(files) == 2  # the refused one went


def test_no_attachment_is_a_whole_answer_and_an_empty_slot_is_none(app: Flask) -> None:
    browser = support(app.test_client())
    browser.start()
    browser.fill("contact")
    browser.fill("order")
    shown = _posted(browser.show("problem"))
    page = browser.post("problem", {**shown, **support_page("problem"), "action": "add"})
    assert "Attachment 2" in page.text  # two empty slots
    review = browser.post("problem", _posted(page))
    summary = review.text.split("summary-problem", 1)[1]
    assert re.search(r"<dt>Attachments</dt><dd>Not provided</dd>", summary)
    browser.submit()
    [request] = stored(app)
    assert request.attachments == []


def test_at_most_five_attachments(app: Flask) -> None:
    browser = support(app.test_client())
    browser.start()
    browser.fill("contact")
    browser.fill("order")
    page = browser.show("problem")
    for _ in range(6):
        page = browser.post("problem", {**_posted(page), "action": "add"})
    assert "Attachment 5" in page.text and "Attachment 6" not in page.text
    assert "You can add up to 5 attachments to one request." in page.text


def test_sending_twice_stores_one_request(app: Flask) -> None:
    client = app.test_client()
    browser = support(client)
    first = browser.complete_draft()
    again = browser.submit()
    assert headings(again)[0] == "Support request sent"
    assert "had already been sent" in again.text
    assert re.findall(r"SUP-[0-9A-Z]{8}", first.text)[0] in again.text
    assert len(stored(app)) == 1


def test_the_start_page_offers_both_flows(client: FlaskClient) -> None:
    start = client.get("/").text
    assert "Start a new expense report" in start and "Start a support request" in start


def _posted(page: TestResponse) -> dict[str, str]:
    """What the page's form would send as it is shown (text inputs, textareas, checked
    radios and selected options), without its buttons or file inputs."""
    form = page.text.split('id="step-form"', 1)[1].split("</form>", 1)[0]
    data: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name, kind = re.search(r'name="([^"]+)"', tag), re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind[1] in ("file", "submit")):
            continue
        if kind and kind[1] == "radio" and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name[1]] = value[1] if value else ""
    textareas = r'<textarea[^>]* name="([^"]+)"[^>]*>\n?(.*?)</textarea>'
    for name, body in re.findall(textareas, form, re.S):
        data[name] = body
    for name, body in re.findall(r'<select[^>]* name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body)
        data[name] = chosen[1] if chosen else ""
    data.pop("csrf_token", None)
    return {k: v.replace("&#39;", "'").replace("&amp;", "&") for k, v in data.items()}


def test_the_purchase_date_kept_is_the_one_typed(app: Flask) -> None:
    browser = support(app.test_client(), "cookie")
    browser.start()
    browser.fill("contact")
    browser.fill("order")
    assert f'value="{TODAY}"' in browser.show("order").text
