"""A browser for every place memory lives (server, cookie, form), memory on or off, and a
reader of the forms a page holds, as a web scanner sees them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.helpers import Wizard

PLACES = ("server", "cookie", "form")
STATE = re.compile(r'name="memory_state" value="([^"]*)"')
HEADING = re.compile(r"<h1>(.*?)</h1>", re.S)


def heading(response: TestResponse) -> str:
    found = HEADING.search(response.text)
    return found[1].strip() if found else ""


class PlaceWizard(Wizard):
    """One browser whose drafts keep memory in `place`, with memory on or off. With memory
    passed through the form, every post sends back the state of the page it came from, and
    pages are reached only through posts (a plain GET carries no memory)."""

    def __init__(self, client: FlaskClient, place: str, memory_on: bool = True) -> None:
        super().__init__(client)
        self.place, self.memory_on = place, memory_on
        self.state = ""
        self.page: TestResponse | None = None  # the page the browser shows now

    def start(self) -> str:
        if not self.memory_on:
            assert self.switch_memory(False).status_code == 303
        if self.place != "server":
            data = {"csrf_token": self.token(), "strategy": self.place, "next": "/"}
            assert self.client.post("/memory/strategy", data=data).status_code == 303
        response = self.client.post("/report", data={"csrf_token": self.token()})
        if self.place == "form":
            assert response.status_code == 200, response.text[:300]
            self.draft_url = re.search(r'action="(/report/[^/"]+)/employee"', response.text)[1]  # type: ignore[index]
            self._seen(response)
            return self.url("employee")
        assert response.status_code == 303
        self.draft_url = response.location.rsplit("/", 1)[0]
        self.page = self.client.get(response.location)
        return response.location

    def _seen(self, response: TestResponse) -> TestResponse:
        if found := STATE.search(response.text):
            self.state = found[1]
        self.page = response
        return response

    def post(self, step: str, data: dict[str, str] | None = None, **kwargs: Any) -> TestResponse:
        extra = {"memory_state": self.state} if self.place == "form" else {}
        response = super().post(step, {**extra, **(data or {})}, **kwargs)
        if response.status_code == 303:  # with memory in the form: only out of the draft
            return self._seen(self.client.get(response.location))
        return self._seen(response) if response.status_code == 200 else response

    def show(self, step: str) -> TestResponse:
        """The step's page as a link inside the draft opens it."""
        if self.place == "form":
            return self.post(step, {"goto": "1"})
        return self._seen(self.get(step))


@dataclass
class PageForm:
    """One <form> of a page: where it posts, and what it sends as it stands."""

    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.forms.append(PageForm(a.get("action", "")))
        if not self.forms or "name" not in a:
            if tag == "option" and self._select and ("selected" in a):
                self.forms[-1].fields[self._select] = a.get("value", "")
            return
        fields, name = self.forms[-1].fields, a["name"]
        kind = a.get("type", "text").lower()
        if tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif tag == "button" or kind == "radio":
            if kind == "radio" and "checked" in a:
                fields[name] = a.get("value", "")
            else:
                fields.setdefault(name, a.get("value", ""))
        elif tag in ("input", "textarea") and kind != "file":
            fields.setdefault(name, a.get("value", "y" if kind == "checkbox" else ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(response: TestResponse) -> list[PageForm]:
    """Every POST form of the page with every field it has, hidden ones and buttons too."""
    reader = _FormReader()
    reader.feed(response.text)
    return reader.forms
