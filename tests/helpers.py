"""A test-client driver that walks the wizard the way a browser would."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.extensions import db
from tests.adversarial.browsers import step_form

TODAY = dt.date.today().isoformat()


def long_date(iso: str) -> str:
    """A date as review shows it (GOV.UK style): '2026-11-14' -> '14 November 2026'."""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%B')} {day.year}"


made_apps: list[Flask] = []  # every app a test made, to close its connections after it


def dispose_apps() -> None:
    """Close the database connections of every app a test made."""
    while made_apps:
        app = made_apps.pop()
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


EMPLOYEE = {
    "full_name": "Ada Lovelace",
    "work_email": "ada@example.com",
    "employee_id": "00123",
    "department": "Engineering",
    "manager_email": "charles@example.com",
}


def employee_form(**changes: str) -> dict[str, str]:
    """Step 1's form fields, valid unless changed."""
    return {f"employee-{k}": v for k, v in {**EMPLOYEE, **changes}.items()}


def receipt_form(index: int, rid: str | None = None, **changes: str) -> dict[str, str]:
    """One receipt group's form fields, valid unless changed."""
    values = {
        "date": TODAY,
        "merchant": f"Merchant {index + 1}",
        "amount": "12.50",
        "currency": "EUR",
        "description": "",
        **changes,
    }
    values["id"] = rid or f"receipt{index:04d}"
    return {f"receipts-{index}-{k}": v for k, v in values.items()}


def errors_of(response: TestResponse) -> list[tuple[str, str]]:
    """(field id, message) pairs of the page's error summary."""
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', response.text)


def legends_of(response: TestResponse) -> list[str]:
    """The legends of the page's own fieldsets (in <main>, not the memory inspector's)."""
    main = response.text.split("<main", 1)[1].split("</main>", 1)[0]
    return re.findall(r"<legend[^>]*>([^<]+)</legend>", main)


PLACES = ("server", "cookie", "form")  # where a draft's memory may live
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
STATE = re.compile(r'name="memory_state" value="([^"]*)"')


class Wizard:
    """Drive one browser (one test client) through the wizard, its drafts' memory kept in
    `strategy` (server, cookie or form), with memory on or off.

    With memory passed through the form, every post sends back the state of the page it
    came from, an accepted step is answered with the next page itself (200, not a 303), and
    a plain GET carries no memory. With `follow`, a redirect is followed as a browser would
    (and `page` is what it shows); without it the 303 is handed back to be checked. Calls
    name a draft (`draft=`) to act on one other than the last started (a browser with tabs).
    It walks the expense report; a subclass walks another flow by naming its prefix and
    first step.
    """

    prefix, first_step, first_title = "/report", "employee", "Employee details"
    # What every flow's driver tells, so a test can take the flow as a parameter.
    flow_name, noun = "expenses", "expense report"
    steps = ("employee", "receipts", "categories", "review")
    titles = ("Employee details", "Receipts", "Categories", "Review and submit")
    sent_title = "Expense report submitted"
    items_step, items = "receipts", "receipts"  # the step with Add and Remove, its items
    text_field = ("employee", "employee-full_name")  # a required text field, and its step

    def __init__(
        self,
        client: FlaskClient,
        strategy: str = "server",
        memory_on: bool = True,
        follow: bool = False,
    ) -> None:
        self.client = client
        self.strategy, self.memory_on, self.follow = strategy, memory_on, follow
        self.draft_url = ""
        self.state = ""  # the memory_state of the page shown (memory in the form)
        self.page: TestResponse | None = None  # the page the browser shows now
        self._token = ""

    def token(self) -> str:
        if not self._token:
            found = TOKEN.search(self.client.get("/").text)
            assert found is not None, "the start page has no CSRF token"
            self._token = found[1]
        return self._token

    def choose(self, strategy: str) -> TestResponse:
        """Choose where new drafts keep memory (the start page's "Use this")."""
        data = {"csrf_token": self.token(), "strategy": strategy, "next": "/"}
        return self.client.post("/memory/strategy", data=data)

    def start(self) -> str:
        """Start a draft (memory switched off and its place chosen first if asked); return
        the URL of its step 1."""
        if not self.memory_on:
            assert self.switch_memory(False).status_code == 303
        if self.strategy != "server":
            assert self.choose(self.strategy).status_code == 303
        response = self.client.post(self.prefix, data={"csrf_token": self.token()})
        if self.strategy == "form":  # step 1 itself, its form naming the draft
            assert response.status_code == 200, response.text[:300]
            assert f"<h1>{self.first_title}</h1>" in response.text, response.text[:300]
            first = rf'action="({self.prefix}/[^/"]+)/{self.first_step}"'
            self.draft_url = re.search(first, response.text)[1]  # type: ignore[index]
            self._seen(response)
            assert self.state or not self.memory_on, "no memory_state field on step 1"
            return self.url(self.first_step)
        assert response.status_code == 303, response.status_code
        self.draft_url = response.location.rsplit("/", 1)[0]
        if self.follow:
            self.page = self.client.get(response.location)
        return response.location

    def url(self, step: str, draft: str | None = None) -> str:
        return f"{self.prefix}/{draft}/{step}" if draft else f"{self.draft_url}/{step}"

    def get(self, step: str, draft: str | None = None, **kwargs: Any) -> TestResponse:
        return self.client.get(self.url(step, draft), **kwargs)

    def post(
        self,
        step: str,
        data: Mapping[str, Any] | None = None,  # a value may be a file: (stream, name)
        draft: str | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        extra = {"memory_state": self.state} if self.strategy == "form" else {}
        form = {"csrf_token": self.token(), **extra, **(data or {})}
        response = self.client.post(self.url(step, draft), data=form, **kwargs)
        if self.follow and response.status_code == 303:
            response = self.client.get(response.location)
        return self._seen(response)

    def _seen(self, response: TestResponse) -> TestResponse:
        """Keep the state a page's forms carry, and the page itself if one is shown."""
        if found := STATE.search(response.text):
            self.state = found[1]
        if response.status_code == 200:
            self.page = response
        return response

    def show(self, step: str) -> TestResponse:
        """The step's page as a link inside the draft opens it (memory in the form: a post,
        the Back button's, which shows and does not save)."""
        if self.strategy == "form":
            return self.post(step, {"goto": "1"})
        return self._seen(self.get(step))

    def press(self, step: str, action: str, **fields: str) -> TestResponse:
        """Press a button of the step's page (its `action`), the page's form sent as it
        stands with `fields` typed in."""
        page = self.page if self.page is not None else self.show(step)
        data = {**step_form(page, step).fields, **fields, "action": action}
        data.pop("memory_state", None)  # post() adds the page's own
        return self.post(step, data)

    def moved_on(self, response: TestResponse) -> TestResponse:
        """Assert a step's answer was taken: a 303 to what comes next, or that page itself
        (memory in the form, or redirects followed)."""
        expected = 200 if self.strategy == "form" or self.follow else 303
        assert response.status_code == expected, (response.status_code, response.text[:300])
        return response

    @property
    def draft_id(self) -> str:
        return self.draft_url.rsplit("/", 1)[1]

    def stored_draft(self) -> bytes:
        """The draft's entry as the session store holds it (encoded)."""
        store = self.client.application.extensions["session_memory"].store
        entry: bytes | None = store.get(f"draft:{self.draft_id}")
        assert entry is not None
        return entry

    def switch_memory(self, on: bool, next_path: str = "/") -> TestResponse:
        """Turn memory on, or off (and yes to "discard these answers?" if it asks)."""
        data = {"csrf_token": self.token(), "memory": "on" if on else "off", "next": next_path}
        return self.client.post("/memory", data={**data, "confirmed": "yes"})

    def fill_employee(self, **changes: str) -> TestResponse:
        return self.post("employee", employee_form(**changes))

    def fill_receipts(self, count: int = 1, **changes: str) -> TestResponse:
        data: dict[str, str] = {}
        for i in range(count):
            data.update(receipt_form(i, **changes))
        return self.post("receipts", data)

    def fill_categories(
        self, categories: list[str], purpose: str = "Client visit", ids: list[str] | None = None
    ) -> TestResponse:
        ids = ids or [f"receipt{i:04d}" for i in range(len(categories))]
        data = {"business_purpose": purpose}
        for i, (rid, category) in enumerate(zip(ids, categories, strict=True)):
            data.update(
                {
                    f"categories-{i}-receipt_id": rid,
                    f"categories-{i}-category": category,
                    f"categories-{i}-details": "Details" if category == "Other" else "",
                }
            )
        return self.post("categories", data)

    def submit(self, **extra: str) -> TestResponse:
        return self.post("review", {"confirm": "y", **extra})

    def complete_draft(self, receipts: int = 1) -> TestResponse:
        """Start and walk a whole report with memory on, up to and including submit."""
        self.start()
        self.moved_on(self.fill_employee())
        self.moved_on(self.fill_receipts(receipts))
        self.moved_on(self.fill_categories(["Meals"] * receipts))
        return self.submit()

    # The flow-neutral API ---------------------------------------------------------------

    def page_data(self, step: str, **changes: str) -> dict[str, str]:
        """A step's valid form fields with memory on (changes go to its text fields)."""
        if step == "employee":
            return employee_form(**changes)
        if step == "receipts":
            return receipt_form(0, **changes)
        ids = {"categories-0-receipt_id": "receipt0000", "categories-0-details": ""}
        return {**ids, "categories-0-category": "Meals", "business_purpose": "Client visit"}

    def items_page(self, items: list[dict[str, str]]) -> dict[str, str]:
        """The items step's fields with these items (each: item field -> value)."""
        data: dict[str, str] = {}
        for i, item in enumerate(items):
            data.update(receipt_form(i, **item))
        return data

    def fill(self, step: str, **changes: str) -> TestResponse:
        return self.post(step, self.page_data(step, **changes))

    def to_review(self) -> TestResponse:
        """Start a draft and answer every step before review with memory on."""
        self.start()
        for step in self.steps[:-1]:
            page = self.moved_on(self.fill(step))
        return page

    def records(self, app: Flask) -> int:
        """How many submissions of this flow are stored."""
        from app.flows.expenses.models import Report

        with app.app_context():
            return db.session.query(Report).count()


def report_answers(
    full_name: str = "Ada Lovelace", merchant: str = "Hotel Adlon"
) -> dict[str, Any]:
    """A whole report's answers as the steps keep them in memory (money in minor units)."""
    return {
        "employee": {
            "full_name": full_name,
            "work_email": "ada@example.com",
            "employee_id": "00123",
            "department": "Engineering",
            "manager_email": "charles@example.com",
        },
        "receipts": [
            {
                "id": "receipt0000",
                "date": TODAY,
                "merchant": merchant,
                "amount_minor": 1250,
                "currency": "EUR",
                "description": "",
            }
        ],
        "categories": {"receipt0000": {"category": "Meals", "details": ""}},
        "business_purpose": "Client visit",
    }


CONTACT = {
    "full_name": "Grace Hopper",
    "email": "grace@example.com",
    "customer_number": "",
    "preferred_contact": "Email",
    "phone": "",
}
ORDER = {"product": "Laptop", "order_number": "ORD-123456", "purchased_on": TODAY}
PROBLEM = {"what_went_wrong": "Does not turn on", "description": "It stays dark."}


def support_page(step: str, **changes: str) -> dict[str, str]:
    """A support step's form fields (contact, order, problem), valid unless changed."""
    if step == "problem":
        values = {**PROBLEM, **changes}
        urgency = values.pop("urgency", "Normal")
        return {**{f"problem-{k}": v for k, v in values.items()}, "urgency": urgency}
    values = {**(CONTACT if step == "contact" else ORDER), **changes}
    return {f"{step}-{k}": v for k, v in values.items()}


class SupportWizard(Wizard):
    """The driver walking the support request (SPEC §10)."""

    prefix, first_step, first_title = "/support", "contact", "Contact details"
    flow_name, noun = "support", "support request"
    steps = ("contact", "order", "problem", "review")
    titles = ("Contact details", "Product and order", "The problem", "Review and send")
    sent_title = "Support request sent"
    items_step, items = "problem", "attachments"
    text_field = ("contact", "contact-full_name")

    def page_data(self, step: str, **changes: str) -> dict[str, str]:
        return support_page(step, **changes)

    def items_page(self, items: list[dict[str, str]]) -> dict[str, str]:
        data = support_page("problem")
        for i, item in enumerate(items):
            values = {"id": f"attachment{i:04d}", "file_id": "", **item}
            data.update({f"attachments-{i}-{k}": v for k, v in values.items()})
        return data

    def fill_everything(self, **changes: str) -> dict[str, str]:
        """Every step's fields at once: what a page asking everything again is sent."""
        return {k: v for s in ("contact", "order", "problem") for k, v in support_page(s).items()}

    def records(self, app: Flask) -> int:
        from app.flows.support.models import SupportRequest

        with app.app_context():
            return db.session.query(SupportRequest).count()

    def submit(self, **extra: str) -> TestResponse:
        return self.post("review", {"confirm": "y", **extra})

    def complete_draft(self, receipts: int = 0) -> TestResponse:
        """Start and walk a whole request with memory on, up to and including send."""
        self.to_review()
        return self.submit()


DRIVERS = (Wizard, SupportWizard)  # one driver per flow: tests take the flow as a parameter
