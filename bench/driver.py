"""Walk the wizard through Flask's test client, as a browser would.

The form data mirrors tests/helpers.py; it is kept here so that the benchmark does
not break while the tests change. Receipts can carry a small PNG each, so that memory
holds a file_id per receipt, as it does once a person attaches files. Every response's
status is checked, so a timing never silently measures an error page or an "expired" page.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import string
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.test import TestResponse

TODAY = dt.date.today().isoformat()
EMPLOYEE = {
    "full_name": "Ada Lovelace",
    "work_email": "ada@example.com",
    "employee_id": "00123",
    "department": "Engineering",
    "manager_email": "charles@example.com",
}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
FormData = dict[str, Any]  # str values, and (stream, filename) for a file


@cache
def small_png() -> bytes:
    """A receipt photo of a few hundred bytes: enough to be stored and get a file_id."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def prose(length: int, seed: int) -> str:
    """Random lowercase words, exactly `length` characters: text that compresses like text."""
    rng = random.Random(seed)
    words = (
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(length)
    )
    return " ".join(words)[:length].strip().ljust(length, "x")


@dataclass(frozen=True)
class Texts:
    """The free text typed into receipt n: short, or every field at its max length."""

    longest: bool = False

    def merchant(self, n: int) -> str:
        return f"M{n:02d} {prose(96, n)}" if self.longest else f"Merchant {n}"

    def description(self, n: int) -> str:
        return prose(200, 1000 + n) if self.longest else ""


TYPICAL = Texts()
LONGEST = Texts(longest=True)


def employee_form() -> dict[str, str]:
    return {f"employee-{k}": v for k, v in EMPLOYEE.items()}


def receipts_form(count: int, texts: Texts = TYPICAL, files: bool = False) -> FormData:
    """Step 2's fields for `count` receipts; with files, a small PNG attached to each."""
    data: FormData = {}
    for i in range(count):
        values = {
            "id": f"receipt{i:04d}",
            "date": TODAY,
            "merchant": texts.merchant(i + 1),
            "amount": "12.50",
            "currency": "EUR",
            "description": texts.description(i + 1),
        }
        data.update({f"receipts-{i}-{k}": v for k, v in values.items()})
        if files:
            data[f"receipts-{i}-file"] = (io.BytesIO(small_png()), f"receipt{i + 1}.png")
    return data


def categories_form(count: int) -> dict[str, str]:
    data = {"business_purpose": "Client visit"}
    for i in range(count):
        data.update(
            {
                f"categories-{i}-receipt_id": f"receipt{i:04d}",
                f"categories-{i}-category": "Meals",
                f"categories-{i}-details": "",
            }
        )
    return data


def expect(response: TestResponse, status: int) -> TestResponse:
    """Return response if it has this status, else stop the benchmark."""
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.path}: expected {status}, "
            f"got {response.status_code}\n{response.text[:500]}"
        )
    return response


class Browser:
    """One person's browser: a test client with its cookies and CSRF token."""

    def __init__(self, app: Flask) -> None:
        self.client: FlaskClient = app.test_client()
        self.draft_url = ""
        self.token = ""

    def open_start_page(self) -> TestResponse:
        page = expect(self.client.get("/"), 200)
        match = _TOKEN.search(page.text)
        if match is None:
            raise RuntimeError("The start page has no CSRF token")
        self.token = match[1]
        return page

    def start(self) -> TestResponse:
        response = expect(self.client.post("/report", data={"csrf_token": self.token}), 303)
        self.draft_url = response.location.rsplit("/", 1)[0]
        return response

    def url(self, step: str) -> str:
        return f"{self.draft_url}/{step}"

    def post(self, step: str, data: FormData) -> TestResponse:
        form = {"csrf_token": self.token, **data}
        return expect(self.client.post(self.url(step), data=form), 303)

    def follow(self, response: TestResponse) -> TestResponse:
        return expect(self.client.get(response.location), 200)

    def draft_id(self) -> str:
        return self.draft_url.rsplit("/", 1)[1]


def prepare_draft(
    app: Flask, receipts: int, texts: Texts = TYPICAL, files: bool = False
) -> Browser:
    """A browser with a draft whose steps 1 and 2 are done (categories is next)."""
    browser = at_receipts_step(app)
    browser.post("receipts", receipts_form(receipts, texts, files))
    return browser


def at_receipts_step(app: Flask) -> Browser:
    """A browser with a new draft whose step 1 is done (step 2, Receipts, is next)."""
    browser = Browser(app)
    browser.open_start_page()
    browser.start()
    browser.post("employee", employee_form())
    return browser


def full_draft(app: Flask, receipts: int = 3) -> None:
    """A new person's whole report: start, four steps, submit, confirmation (11 requests)."""
    browser = Browser(app)
    browser.open_start_page()
    browser.follow(browser.start())
    browser.follow(browser.post("employee", employee_form()))
    browser.follow(browser.post("receipts", receipts_form(receipts)))
    browser.follow(browser.post("categories", categories_form(receipts)))
    confirmation = browser.follow(browser.post("review", {"confirm": "y"}))
    if "EXP-" not in confirmation.text:
        raise RuntimeError("The confirmation page shows no report reference")
