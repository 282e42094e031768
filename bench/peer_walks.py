"""One whole draft, walked as a browser would, on the app and on the django-formtools peer.

Both get the same answers (bench/driver.py's form data) and the same checks: every
response's status, and key text in its body (pages) or its Location (redirects), so a
timing never silently measures an error page. The peer's walks need Django configured
first (peer_formtools.project.configure).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from itertools import pairwise
from typing import Any
from urllib.parse import urlencode

from driver import Browser, categories_form, employee_form, receipts_form
from flask import Flask

from app.wizard.money import display_minor

STEPS = ("employee", "receipts", "categories", "review")
FORM = "application/x-www-form-urlencoded"  # what both test clients send for plain fields
_DJANGO_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Expect:
    status: int
    texts: tuple[str, ...]  # each in the body of a page, or in the Location of a redirect


def pages(receipts: int) -> dict[str, Expect]:
    """What each page of a draft with this many receipts must show (12.50 EUR each)."""
    total = f"<li>{display_minor(1250 * receipts, 'EUR')}</li>"
    last = f"Receipt {receipts}: Merchant {receipts}, 12.50 EUR"
    return {
        "start": Expect(200, ("<h1>Submit an expense report</h1>",)),
        "employee": Expect(200, ("<h1>Employee details</h1>", "Step 1 of 4")),
        "receipts": Expect(200, ("<h1>Receipts</h1>", "Step 2 of 4")),
        "categories": Expect(200, ("<h1>Categories</h1>", last)),
        "review": Expect(200, ("<h1>Review and submit</h1>", total)),
        "confirmation": Expect(200, ("<h1>Expense report submitted</h1>", "EXP-", total)),
    }


def redirect_to(path_part: str, status: int) -> Expect:
    return Expect(status, (path_part,))


@dataclass
class Tally:
    """Counts a walk's requests and HTML bytes; stops the benchmark on a wrong response."""

    requests: int = 0
    html_bytes: int = 0
    seen: list[str] = field(default_factory=list)

    def check(self, label: str, status: int, body: bytes, location: str, want: Expect) -> None:
        self.requests += 1
        self.html_bytes += len(body)
        text = location if 300 <= want.status < 400 else body.decode()
        missing = [t for t in want.texts if t not in text]
        if status != want.status or missing:
            raise RuntimeError(
                f"{label}: expected {want.status} with {missing or want.texts}, got {status}"
                f"\n{location or body.decode()[:800]}"
            )
        self.seen.append(label)


# The app (Flask's test client) ----------------------------------------------------------


def our_forms(receipts: int) -> dict[str, dict[str, Any]]:
    return {
        "employee": employee_form(),
        "receipts": receipts_form(receipts),
        "categories": categories_form(receipts),
        "review": {"confirm": "y"},
    }


def walk_ours(app: Flask, receipts: int) -> Tally:
    """Start page, start (a new draft), each step's page and Continue, the confirmation."""
    tally, want, forms = Tally(), pages(receipts), our_forms(receipts)
    browser = Browser(app)
    _see(tally, "GET /", browser.open_start_page(), want["start"])
    response = browser.start()
    _see(tally, "POST /report", response, redirect_to("/employee", 303))
    for step, after in zip(STEPS, (*STEPS[1:], "confirmation"), strict=True):
        response = browser.client.get(response.location)
        _see(tally, f"GET {step}", response, want[step])
        response = browser.client.post(browser.url(step), data=_with(browser.token, forms[step]))
        _see(tally, f"POST {step}", response, redirect_to(f"/{after}", 303))
    _see(tally, "GET confirmation", browser.client.get(response.location), want["confirmation"])
    return tally


def _with(token: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"csrf_token": token, **data}


def _see(tally: Tally, label: str, response: Any, want: Expect) -> None:
    tally.check(label, response.status_code, response.get_data(), response.location or "", want)


# The peer (Django's test Client) --------------------------------------------------------


def peer_forms(receipts: int, current_step_field: str) -> dict[str, dict[str, str]]:
    """The same answers as our_forms, in the peer's field names (formsets' management
    forms, the wizard's current step, the purpose inside the categories step)."""
    ours = our_forms(receipts)
    categories = {
        ("categories-business_purpose" if k == "business_purpose" else k): v
        for k, v in ours["categories"].items()
    }
    forms = {
        "employee": ours["employee"],
        "receipts": {**_management("receipts", receipts, 0, 1), **ours["receipts"]},
        "categories": {**_management("categories", receipts, receipts, 0), **categories},
        "review": {"review-confirm": "on"},
    }
    return {step: {**data, current_step_field: step} for step, data in forms.items()}


def _management(prefix: str, total: int, initial: int, minimum: int) -> dict[str, str]:
    counts = {"TOTAL_FORMS": total, "INITIAL_FORMS": initial, "MIN_NUM_FORMS": minimum}
    return {f"{prefix}-{k}": str(v) for k, v in {**counts, "MAX_NUM_FORMS": 20}.items()}


class PeerBrowser:
    """One Django test Client (its handler loads the middleware once), given fresh cookies
    for every draft: a new person each time, as Browser is for the app. CSRF is enforced."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True)
        self.token = ""
        self.tally = Tally()

    def new_person(self) -> None:
        self.client.cookies = SimpleCookie()
        self.tally = Tally()

    def get(self, path: str, label: str, want: Expect) -> str:
        return self._see(label, self.client.get(path), want)

    def post(self, path: str, data: dict[str, str], label: str, want: Expect) -> str:
        body = urlencode({"csrfmiddlewaretoken": self.token, **data})
        return self._see(label, self.client.post(path, body, content_type=FORM), want)

    def _see(self, label: str, response: Any, want: Expect) -> str:
        location: str = response.headers.get("Location", "")
        self.tally.check(label, response.status_code, response.content, location, want)
        if token := _DJANGO_TOKEN.search(response.content.decode()):
            self.token = token[1]
        return location


def walk_session_wizard(peer: PeerBrowser, receipts: int, current_step_field: str) -> Tally:
    """SessionWizardView: one URL; a GET starts afresh, each valid POST answers with the
    next step's page, the last one redirects to the confirmation (7 requests)."""
    peer.new_person()
    want, forms = pages(receipts), peer_forms(receipts, current_step_field)
    peer.get("/", "GET /", want["start"])
    peer.get("/report/", "GET /report/ (start)", want["employee"])
    for step, after in pairwise(STEPS):
        peer.post("/report/", forms[step], f"POST {step}", want[after])
    done = peer.post("/report/", forms["review"], "POST review", redirect_to("/confirmation/", 302))
    peer.get(done, "GET confirmation", want["confirmation"])
    return peer.tally


def walk_named_wizard(peer: PeerBrowser, receipts: int, current_step_field: str) -> Tally:
    """NamedUrlSessionWizardView: one URL per step and a redirect after each POST, as the
    app does; the last POST redirects to its done step, which redirects on (12 requests)."""
    peer.new_person()
    want, forms = pages(receipts), peer_forms(receipts, current_step_field)
    peer.get("/named/", "GET /named/", want["start"])
    url = peer.get("/named/report/?reset=", "GET start", redirect_to("/employee/", 302))
    for step, after in zip(STEPS, (*STEPS[1:], "done"), strict=True):
        peer.get(url, f"GET {step}", want[step])
        url = peer.post(url, forms[step], f"POST {step}", redirect_to(f"/{after}/", 302))
    url = peer.get(url, "GET done", redirect_to("/confirmation/", 302))
    peer.get(url, "GET confirmation", want["confirmation"])
    return peer.tally


Walk = Callable[[], Tally]
