"""The one walk driver: a person's whole draft through a WSGI test client, as a browser.

Only public URLs and the form fields the pages render: GET /, POST /report (start),
GET and POST /report/<id>/employee|receipts|categories|review, GET /report/<id>/confirmation,
and POST /memory/strategy (where memory lives, chosen on the start page). Every response's
status and key text is checked (the review page and the confirmation must show the name
typed on step 1, which only memory can bring there), so a timing never measures an error
page. Imports nothing of the bench or the app: the `drafts --against` workers import it
beside another checkout's app.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import string
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any

from werkzeug.http import parse_cookie
from werkzeug.test import Client, TestResponse

STEPS = ("employee", "receipts", "categories", "review")
NAME = "Ada Lovelace"
EMPLOYEE = {
    "full_name": NAME,
    "work_email": "ada@example.com",
    "employee_id": "00123",
    "department": "Engineering",
    "manager_email": "charles@example.com",
}
STATE_FIELD = "memory_state"  # the hidden field memory passed through the form lives in
MULTIPART = "multipart/form-data"  # the step forms' enctype
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_STATE = re.compile(rf'name="{STATE_FIELD}" value="([^"]+)"')
_STRATEGY = re.compile(r'name="strategy" value="([^"]+)"')


def prose(length: int, seed: int) -> str:
    """Random lowercase words, exactly `length` characters: text that compresses like text."""
    rng = random.Random(seed)
    words = (
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(length)
    )
    return " ".join(words)[:length].strip().ljust(length, "x")


def small_png() -> bytes:
    """A receipt photo of a few hundred bytes: enough to be stored and get a file id."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def employee_form() -> dict[str, Any]:
    return {f"employee-{k}": v for k, v in EMPLOYEE.items()}


def receipts_form(count: int, longest: bool = False, files: bool = False) -> dict[str, Any]:
    """Step 2's fields for `count` receipts of 12.50 EUR: short texts, or every text at its
    longest; with files, a small PNG attached to each."""
    data: dict[str, Any] = {}
    for i in range(count):
        n = i + 1
        values = {
            "id": f"receipt{i:04d}",
            "date": dt.date.today().isoformat(),
            "merchant": f"M{n:02d} {prose(96, n)}" if longest else f"Merchant {n}",
            "amount": "12.50",
            "currency": "EUR",
            "description": prose(200, 1000 + n) if longest else "",
        }
        data.update({f"receipts-{i}-{k}": v for k, v in values.items()})
        if files:
            data[f"receipts-{i}-file"] = (io.BytesIO(small_png()), f"receipt{n}.png")
    return data


def categories_form(count: int) -> dict[str, Any]:
    data = {"business_purpose": "Client visit"}
    for i in range(count):
        data[f"categories-{i}-receipt_id"] = f"receipt{i:04d}"
        data[f"categories-{i}-category"] = "Meals"
        data[f"categories-{i}-details"] = ""
    return data


def forms(receipts: int) -> dict[str, dict[str, Any]]:
    review = {"confirm": "y"}
    return dict(
        zip(
            STEPS,
            (employee_form(), receipts_form(receipts), categories_form(receipts), review),
            strict=True,
        )
    )


def pages(receipts: int) -> dict[str, tuple[str, ...]]:
    """Texts each page of a draft with this many receipts must show."""
    total = f"{Decimal(1250 * receipts) / 100:,.2f} EUR"
    return {
        "start": ("<h1>Submit an expense report</h1>",),
        "employee": ("<h1>Employee details</h1>", "Step 1 of 4"),
        "receipts": ("<h1>Receipts</h1>", "Step 2 of 4"),
        "categories": ("<h1>Categories</h1>", f"Merchant {receipts}"),
        "review": ("<h1>Review and submit</h1>", total, NAME),
        "confirmation": ("<h1>Expense report submitted</h1>", "EXP-", total, NAME),
    }


class WalkError(RuntimeError):
    def __init__(self, label: str, status: int, detail: str) -> None:
        super().__init__(f"{label}: got {status}: {detail}")
        self.label, self.status = label, status


@dataclass
class Trip:
    """One walk's requests: bytes the browser sent and received for each, as a browser
    counts them (body + Cookie header; body + Set-Cookie headers), and what it held at the
    review page (Cookie header, and the draft's carrier: cookie or form field)."""

    sent: list[int] = field(default_factory=list)
    received: list[int] = field(default_factory=list)
    held_cookies: int = 0
    held_draft: int = 0
    state_copies: int = 0

    @property
    def requests(self) -> int:
        return len(self.sent)


class Browser:
    """One person's browser: cookies (the client's), the page's CSRF token, and, when
    memory is passed through the form, the state field of the page it is on. It walks an
    expense report; SupportBrowser walks a support request."""

    prefix, steps = "/report", STEPS

    def __init__(self, client: Client, strategy: str = "server", receipts: int = 3) -> None:
        self.client = client
        self.strategy = strategy
        self.receipts = receipts
        self.want = self.expected(receipts)
        self.forms = self.answers(receipts)
        self.token = self.state = self.draft_url = ""
        self.trip = Trip()
        self.action = re.compile(rf'action="({self.prefix}/[^/"]+)/{self.steps[0]}"')

    def expected(self, receipts: int) -> dict[str, tuple[str, ...]]:
        return pages(receipts)

    def answers(self, receipts: int) -> dict[str, dict[str, Any]]:
        return forms(receipts)

    def see(
        self, label: str, response: TestResponse, status: int, texts: tuple[str, ...]
    ) -> TestResponse:
        body = response.get_data(as_text=True)
        where = (response.location or "") if 300 <= status < 400 else body
        missing = [t for t in texts if t not in where]
        if response.status_code != status or missing:
            raise WalkError(
                label,
                response.status_code,
                f"lacks {missing}: {(response.location or body)[:300]!r}",
            )
        if token := TOKEN.search(body):
            self.token = token[1]
        headers = response.request.headers
        self.trip.sent.append(
            int(headers.get("Content-Length") or 0) + len(headers.get("Cookie", ""))
        )
        cookies = sum(len(c) for c in response.headers.getlist("Set-Cookie"))
        self.trip.received.append(len(response.get_data()) + cookies)
        return response

    def choose(self) -> None:
        """Choose where memory lives on the start page ("Use this"); not part of a walk."""
        page = self.see("GET /", self.client.get("/"), 200, self.want["start"])
        offered = _STRATEGY.findall(page.get_data(as_text=True))
        if self.strategy not in offered:
            raise WalkError("GET /", 200, f"offers {offered}, not {self.strategy}")
        data = {"csrf_token": self.token, "strategy": self.strategy, "next": "/"}
        self.see(
            "POST /memory/strategy", self.client.post("/memory/strategy", data=data), 303, ("/",)
        )
        self.trip = Trip()

    def start(self) -> TestResponse:
        self.see("GET /", self.client.get("/"), 200, self.want["start"])
        return self.post(self.prefix, {}, self.steps[0], f"POST {self.prefix}")

    def post(self, path: str, data: dict[str, Any], after: str, label: str) -> TestResponse:
        """Send a form; memory passed through the form is answered with the next page
        itself (but the submit, with a redirect), otherwise with a 303 to it."""
        form = {"csrf_token": self.token, **data}
        if self.state:
            form[STATE_FIELD] = self.state
        enctype = MULTIPART if path != self.prefix else "application/x-www-form-urlencoded"
        response = self.client.post(path, data=form, content_type=enctype)
        if self.strategy == "form" and after != "confirmation":
            self.see(label, response, 200, self.want[after])
            self._take_state(label, response)
        else:
            self.see(label, response, 303, (f"/{after}",))
        if not self.draft_url:
            found = (
                self.action.search(response.get_data(as_text=True))
                if self.strategy == "form"
                else None
            )
            self.draft_url = found[1] if found else (response.location or "").rsplit("/", 1)[0]
        return response

    def _take_state(self, label: str, page: TestResponse) -> None:
        found = _STATE.search(page.get_data(as_text=True))
        if found is None:
            raise WalkError(label, page.status_code, f"no {STATE_FIELD} field on the page")
        self.state = found[1]
        self.trip.state_copies = page.get_data(as_text=True).count(self.state)

    def page(self, step: str) -> TestResponse:
        return self.see(f"GET {step}", self.client.get(self.url(step)), 200, self.want[step])

    def answer(self, step: str, after: str) -> TestResponse:
        return self.post(self.url(step), self.forms[step], after, f"POST {step}")

    def url(self, step: str) -> str:
        return f"{self.draft_url}/{step}"

    def draft_id(self) -> str:
        return self.draft_url.rsplit("/", 1)[1]

    def walk(self) -> Trip:
        """Start page, start, each step's page (unless it came in the POST's answer) and
        its form, the confirmation: 11 requests (7 with memory passed through the form)."""
        self.start()
        for step, after in zip(self.steps, (*self.steps[1:], "confirmation"), strict=True):
            if self.strategy != "form":
                self.page(step)
            submit = self.answer(step, after)
        self._hold(submit)
        self.page("confirmation")
        return self.trip

    def _hold(self, submit: TestResponse) -> None:
        """What the browser held at the review page: the Cookie header it sent with the
        submit, and the draft's cookie in it or its form field."""
        cookies = submit.request.headers.get("Cookie", "")
        self.trip.held_cookies = len(cookies)
        if self.strategy == "cookie":
            jar = parse_cookie(cookies)
            name = next((k for k in jar if k.endswith(self.draft_id())), "")
            if not name:
                raise WalkError("POST review", submit.status_code, "sent no cookie for the draft")
            self.trip.held_draft = len(name) + 1 + len(jar[name])
        elif self.strategy == "form":
            self.trip.held_draft = len(self.state)


class SupportBrowser(Browser):
    """The same browser walking a support request (SPEC §10): its four steps, no files."""

    prefix, steps = "/support", ("contact", "order", "problem", "review")

    def expected(self, receipts: int) -> dict[str, tuple[str, ...]]:
        return {
            "start": ("<h1>Submit an expense report</h1>", "Start a support request"),
            "contact": ("<h1>Contact details</h1>", "Step 1 of 4"),
            "order": ("<h1>Product and order</h1>", "Step 2 of 4"),
            "problem": ("<h1>The problem</h1>", "Step 3 of 4"),
            "review": ("<h1>Review and send</h1>", SUPPORT_NAME, "ORD-123456"),
            "confirmation": ("<h1>Support request sent</h1>", "SUP-", SUPPORT_NAME),
        }

    def answers(self, receipts: int) -> dict[str, dict[str, Any]]:
        return support_forms()


def support_forms() -> dict[str, dict[str, Any]]:
    """A support request's answers, step by step, as its pages' forms send them."""
    contact = {"full_name": SUPPORT_NAME, "email": "grace@example.com",
               "customer_number": "", "preferred_contact": "Email", "phone": ""}  # fmt: skip
    order = {"product": "Laptop", "order_number": "ORD-123456",
             "purchased_on": dt.date.today().isoformat()}  # fmt: skip
    problem = {"what_went_wrong": "Does not turn on", "description": prose(400, 7)}
    return {
        "contact": {f"contact-{k}": v for k, v in contact.items()},
        "order": {f"order-{k}": v for k, v in order.items()},
        "problem": {
            **{f"problem-{k}": v for k, v in problem.items()},
            "urgency": "Normal",
            "attachments-0-id": "attachment0000",
            "attachments-0-file_id": "",
        },
        "review": {"confirm": "y"},
    }


SUPPORT_NAME = "Grace Hopper"


def whole_draft(client: Client, receipts: int = 3) -> Trip:
    """A new person's whole draft with memory on the server (the default)."""
    return Browser(client, receipts=receipts).walk()


def whole_support_request(client: Client) -> Trip:
    """A new person's whole support request with memory on the server."""
    return SupportBrowser(client).walk()


def answered_up_to(
    client: Client,
    last: str,
    receipts: int,
    longest: bool = False,
    files: bool = False,
    strategy: str = "server",
) -> Browser:
    """A new person's draft with the steps up to `last` answered (no page GETs but those
    the answers bring), memory kept where `strategy` says (chosen first if not the server)."""
    browser = Browser(client, strategy, receipts)
    if strategy != "server":
        browser.choose()
    browser.forms["receipts"] = receipts_form(receipts, longest, files)
    browser.start()
    for step, after in pairwise(STEPS):
        browser.answer(step, after)
        if step == last:
            return browser
    raise ValueError(f"no step {last!r} before review")


def draft_cookie(browser: Browser) -> int:
    """Bytes (name=value) of the draft's cookie the browser sends with its next request."""
    cookies = browser.page("review").request.headers.get("Cookie", "")
    jar = parse_cookie(cookies)
    name = next((k for k in jar if k.endswith(browser.draft_id())), "")
    return len(name) + 1 + len(jar[name]) if name else 0
