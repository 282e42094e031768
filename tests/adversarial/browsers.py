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


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.forms.append(PageForm(a.get("action", "")))
        if not self.forms or "name" not in a:
            if tag == "option" and self._select and ("selected" in a):
                self.forms[-1].fields[self._select] = a.get("value", "")
            return
        self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str]) -> None:
        fields, name = self.forms[-1].fields, a["name"]
        kind = a.get("type", "text").lower()
        if tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif tag == "textarea":  # its value is its text (handle_data)
            self._textarea = name
            fields[name] = ""
        elif tag == "button" or kind == "radio":
            if kind == "radio" and "checked" in a:
                fields[name] = a.get("value", "")
            else:
                fields.setdefault(name, a.get("value", ""))
        elif tag == "input" and kind != "file":
            fields.setdefault(name, a.get("value", "y" if kind == "checkbox" else ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.forms[-1].fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea" and self._textarea is not None:
            fields = self.forms[-1].fields  # a browser drops the line break after <textarea>
            text = fields[self._textarea].replace("\r\n", "\n")
            fields[self._textarea] = text.removeprefix("\n")
            self._textarea = None


def forms_of(response: TestResponse) -> list[PageForm]:
    """Every POST form of the page with every field it has, hidden ones and buttons too."""
    reader = _FormReader()
    reader.feed(response.text)
    return reader.forms
