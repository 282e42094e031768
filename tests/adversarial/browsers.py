"""A reader of the forms a page holds, as a web scanner sees them, and of its heading. (The
browser for every place memory lives is tests/helpers.py's Wizard, with follow=True.)"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from werkzeug.test import TestResponse

HEADING = re.compile(r"<h1>(.*?)</h1>", re.S)


def heading(response: TestResponse) -> str:
    found = HEADING.search(response.text)
    return found[1].strip() if found else ""


@dataclass
class PageForm:
    """One <form> of a page: where it posts, and what it sends as it stands."""

    action: str
    fields: dict[str, str] = field(default_factory=dict)
    id: str = ""
    _controls: list[tuple[int, str, dict[str, str]]] = field(default_factory=list, repr=False)


class _FormReader(HTMLParser):
    """Reads controls as a browser owns them: inside their form, or anywhere with form="id"
    (in document order: the first button is the one Enter presses)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._inside: PageForm | None = None
        self._elsewhere: list[tuple[int, str, dict[str, str]]] = []  # controls with form="id"
        self._seen = 0
        self._textarea: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self._seen += 1
        if tag == "form" and a.get("method", "").lower() == "post":
            self._inside = PageForm(a.get("action", ""), id=a.get("id", ""))
            self.forms.append(self._inside)
        if tag not in ("input", "button", "select", "option", "textarea"):
            return
        control = (self._seen, tag, a)
        if "form" in a:
            self._elsewhere.append(control)
        elif self._inside is not None:
            self._inside._controls.append(control)
        if tag == "textarea":
            self._textarea = a
            a["text"] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        if tag == "form":
            self._inside = None

    def read(self) -> list[PageForm]:
        for form in self.forms:
            owned = [c for c in self._elsewhere if form.id and c[2]["form"] == form.id]
            _fill(form.fields, sorted(form._controls + owned, key=lambda c: c[0]))
        return self.forms


def _fill(fields: dict[str, str], controls: list[tuple[int, str, dict[str, str]]]) -> None:
    """The fields as Enter sends them: the controls', and the first button's (the others
    are sent only when pressed)."""
    buttons = [c for c in controls if c[1] == "button" and c[2].get("type", "submit") == "submit"]
    select: str | None = None
    for _, tag, a in (c for c in controls if c not in buttons[1:]):
        if tag == "option":
            if select and "selected" in a:
                fields[select] = a.get("value", "")
        elif (name := a.get("name")) is not None:
            select = name if tag == "select" else select
            _fill_one(fields, name, tag, a)


def _fill_one(fields: dict[str, str], name: str, tag: str, a: dict[str, str]) -> None:
    kind = a.get("type", "text").lower()
    if tag == "select":
        fields.setdefault(name, "")
    elif tag == "textarea":  # a browser drops the line break after <textarea>
        fields[name] = a["text"].replace("\r\n", "\n").removeprefix("\n")
    elif tag == "button" or (kind == "radio" and "checked" in a):
        fields[name] = a.get("value", "")
    elif kind == "radio":
        fields.setdefault(name, a.get("value", ""))
    elif tag == "input" and kind != "file":
        fields.setdefault(name, a.get("value", "y" if kind == "checkbox" else ""))


def forms_of(response: TestResponse) -> list[PageForm]:
    """Every POST form of the page with every field it has, hidden ones and buttons too."""
    reader = _FormReader()
    reader.feed(response.text)
    return reader.read()


def step_form(response: TestResponse, step: str) -> PageForm:
    """The form of the page that posts to the step (its own form, not the header's)."""
    return next(f for f in forms_of(response) if f.action.endswith(f"/{step}"))
