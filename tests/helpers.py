"""A test-client driver that walks the wizard the way a browser would."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.extensions import db

TODAY = dt.date.today().isoformat()
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


class Wizard:
    """Drive one browser (one test client) through the wizard."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.draft_url = ""
        self._token = ""

    def token(self) -> str:
        if not self._token:
            page = self.client.get("/")
            self._token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]  # type: ignore[index]
        return self._token

    def start(self) -> str:
        """Start a draft; return the URL of its step 1."""
        response = self.client.post("/report", data={"csrf_token": self.token()})
        assert response.status_code == 303
        self.draft_url = response.location.rsplit("/", 1)[0]
        return response.location

    def url(self, step: str) -> str:
        return f"{self.draft_url}/{step}"

    def get(self, step: str, **kwargs: Any) -> TestResponse:
        return self.client.get(self.url(step), **kwargs)

    def post(self, step: str, data: dict[str, str] | None = None, **kwargs: Any) -> TestResponse:
        return self.client.post(
            self.url(step), data={"csrf_token": self.token(), **(data or {})}, **kwargs
        )

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
        data = {"csrf_token": self.token(), "memory": "on" if on else "off", "next": next_path}
        return self.client.post("/memory", data=data)

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
        assert self.fill_employee().status_code == 303
        assert self.fill_receipts(receipts).status_code == 303
        assert self.fill_categories(["Meals"] * receipts).status_code == 303
        return self.submit()


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
