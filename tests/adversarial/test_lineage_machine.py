"""Drafts moved between the three places memory can live, copies of them kept by other tabs
and replayed, deletes and the memory switch from another tab, as a state machine (issue 15).

Every draft the browser ever carried is a copy a tab may still hold: a form page's
memory_state, a draft cookie's value, or nothing (memory on the server). Rules start drafts
in any place, fill them to review, keep a copy (another tab), move a draft with its current
or an older copy, submit or delete with either, and switch memory off and on elsewhere.

Invariants: no 5xx; at most one report per lineage (a draft and everything moved from it);
an ended draft (submitted, deleted, moved away) never opens as a live step again, whatever
copy is sent; a move of an ended draft makes no new draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.extensions import db
from app.flows.expenses.models import Report
from tests.helpers import employee_form, receipt_form
from tests.property import BASE, fresh_app

PLACES = ("server", "cookie", "form")
LIVE = {"Employee details", "Receipts", "Categories", "Review and submit"}
STATE = re.compile(r'name="memory_state" value="([^"]+)"')
DRAFT_IN_PAGE = re.compile(r'action="/report/([^/"]+)/')
CATEGORY = {"categories-0-receipt_id": "receipt0000", "categories-0-category": "Meals",
            "business_purpose": "Client visit"}  # fmt: skip


@dataclass
class Draft:
    id: str
    lineage: str
    ended: bool = False
    copies: list[str] = field(default_factory=list)  # older copies other tabs hold
    current: str = ""  # what the newest page (or cookie) of it carries


def draft_in(response: TestResponse) -> str | None:
    """The draft a response leads to: its redirect, or the form of the page shown."""
    if response.status_code in (302, 303):
        found = re.match(r"/report/([^/?]+)/", response.location)
    else:
        found = DRAFT_IN_PAGE.search(response.text)
    return found[1] if found else None


def assert_not_live(draft: Draft, page: TestResponse) -> None:
    """An ended draft's page is no live step of it (a moved one may lead to where it went)."""
    if heading(page) in LIVE:
        assert draft_in(page) != draft.id, f"ended draft {draft.id} opened again"


def heading(response: TestResponse) -> str:
    found = re.search(r"<h1>(.*?)</h1>", response.text)
    return found[1] if found else ""


class Lineages(RuleBasedStateMachine):
    drafts = Bundle("drafts")

    def __init__(self) -> None:
        super().__init__()
        self.client = APP.test_client()
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get("/").text)[1]  # type: ignore[index]
        self.known: dict[str, Draft] = {}
        with APP.app_context():
            db.session.query(Report).delete()
            db.session.commit()

    # ------------------------------------------------------------ sending

    def cookie_name(self, draft: Draft) -> str:
        return f"expense_wizard_draft_{draft.id}"

    def send(self, draft: Draft, path: str, data: dict[str, str], copy: str) -> TestResponse:
        """Post as a tab holding this copy of the draft's memory."""
        if draft.id.startswith("c.") and copy:
            self.client.set_cookie(self.cookie_name(draft), copy)
        if draft.id.startswith("f."):
            data = {**data, "memory_state": copy}
        response = self.client.post(path, data={"csrf_token": self.token, **data})
        assert response.status_code < 500, response.text[:500]
        return response

    def followed(self, response: TestResponse) -> TestResponse:
        if response.status_code in (302, 303):
            response = self.client.get(response.location)
            assert response.status_code < 500
        return response

    def carried(self, draft: Draft, response: TestResponse) -> str:
        if draft.id.startswith("f."):
            found = STATE.search(response.text)
            return found[1] if found else draft.current
        if draft.id.startswith("c."):
            cookie = self.client.get_cookie(self.cookie_name(draft))
            return cookie.value if cookie else draft.current
        return ""

    def step(self, draft: Draft, step: str, data: dict[str, str], copy: str) -> TestResponse:
        response = self.send(draft, f"/report/{draft.id}/{step}", data, copy)
        if not draft.ended:
            draft.current = self.carried(draft, response)
        return response

    # ------------------------------------------------------------ rules

    @initialize(target=drafts)
    def first(self) -> Draft:
        return self.start_and_fill("server")

    @rule(target=drafts, place=st.sampled_from(PLACES))
    def start(self, place: str) -> Draft:
        return self.start_and_fill(place)

    def start_and_fill(self, place: str) -> Draft:
        data = {"csrf_token": self.token, "strategy": place, "next": "/"}
        self.client.post("/memory/strategy", data=data)
        response = self.client.post("/report", data={"csrf_token": self.token})
        assert response.status_code in (200, 303)
        draft_id = draft_in(response)
        assert draft_id
        draft = Draft(draft_id, lineage=draft_id)
        self.known[draft_id] = draft
        draft.current = self.carried(draft, response)
        for step, form in (("employee", employee_form()), ("receipts", receipt_form(0)),
                           ("categories", CATEGORY)):  # fmt: skip
            self.step(draft, step, form, draft.current)
        return draft

    @rule(draft=drafts)
    def keep_a_copy(self, draft: Draft) -> None:
        """Another tab keeps this page open."""
        if draft.current:
            draft.copies.append(draft.current)

    def copy_of(self, draft: Draft, older: bool) -> str:
        return draft.copies[0] if older and draft.copies else draft.current

    @rule(draft=drafts, to=st.sampled_from(PLACES), older=st.booleans(), target=drafts)
    def move(self, draft: Draft, to: str, older: bool) -> Draft:
        data = {"strategy": to, "draft": draft.id, "step": "review", "next": "/"}
        response = self.send(draft, "/memory/strategy", data, self.copy_of(draft, older))
        new_id = draft_in(response)
        if new_id is None or new_id in self.known:
            return draft
        assert not draft.ended, f"ended draft {draft.id} moved into a new draft {new_id}"
        moved = Draft(new_id, lineage=draft.lineage)
        moved.current = self.carried(moved, self.followed(response))
        draft.ended = True
        self.known[new_id] = moved
        return moved

    @rule(draft=drafts, older=st.booleans())
    def submit(self, draft: Draft, older: bool) -> None:
        was_ended = draft.ended
        response = self.step(draft, "review", {"confirm": "y"}, self.copy_of(draft, older))
        page = self.followed(response)
        if was_ended:
            assert_not_live(draft, page)
        if "Expense report submitted" in page.text:
            draft.ended = True

    @rule(draft=drafts, older=st.booleans())
    def delete(self, draft: Draft, older: bool) -> None:
        self.send(draft, f"/report/{draft.id}/delete", {}, self.copy_of(draft, older))
        draft.ended = True

    @rule(draft=drafts, older=st.booleans())
    def open_with_a_copy(self, draft: Draft, older: bool) -> None:
        page = self.followed(self.step(draft, "categories", CATEGORY, self.copy_of(draft, older)))
        if draft.ended:
            assert_not_live(draft, page)

    @rule()
    def switch_off_and_on_elsewhere(self) -> None:
        for mode in ("off", "on"):
            data = {"csrf_token": self.token, "memory": mode, "next": "/"}
            assert self.client.post("/memory", data=data).status_code == 303

    # ------------------------------------------------------------ invariants

    @invariant()
    def one_report_per_lineage(self) -> None:
        lineage_of = {draft.id: draft.lineage for draft in self.known.values()}
        with APP.app_context():
            rows = db.session.execute(select(Report.draft_id)).scalars().all()
            count = db.session.scalar(select(func.count()).select_from(Report))
        per_lineage: dict[str, int] = {}
        for draft_id in rows:
            lineage = lineage_of.get(draft_id, draft_id)
            per_lineage[lineage] = per_lineage.get(lineage, 0) + 1
        assert count == len(rows)
        assert all(n == 1 for n in per_lineage.values()), per_lineage


APP: Flask


@pytest.fixture(scope="module", autouse=True)
def machine_app() -> Iterator[None]:
    global APP
    with fresh_app() as app:
        APP = app
        yield


TestLineages = Lineages.TestCase
TestLineages.settings = settings(BASE, max_examples=25, stateful_step_count=20)
