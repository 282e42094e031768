"""Drafts moved between the three places memory can live, copies of them kept by other tabs
and replayed, deletes and the memory switch from another tab, as a state machine (issue 15).

Every draft the browser ever carried is a copy a tab may still hold: a form page's
memory_state, a draft cookie's value, or nothing (memory on the server). Rules start drafts
in any place, fill them to review, keep a copy (another tab), move a draft with its current
or an older copy, submit or delete with either, and switch memory off and on elsewhere.

Invariants: no 5xx; at most one submission per lineage (a draft and everything moved from
it); an ended draft (submitted, deleted, moved away) never opens as a live step again,
whatever copy is sent; a move of an ended draft makes no new draft.

The flows share one machine (one browser, one app): each example starts a draft of each
flow, and every later start draws its flow, so the drafts of both live side by side.
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
from tests.adversarial.flows import MODELS, forms
from tests.helpers import DRIVERS, Wizard
from tests.property import BASE, fresh_app

PLACES = ("server", "cookie", "form")
LIVE = {title for driver in DRIVERS for title in driver.titles}
STATE = re.compile(r'name="memory_state" value="([^"]+)"')
PREFIXES = "|".join(driver.prefix.lstrip("/") for driver in DRIVERS)
DRAFT_IN_PAGE = re.compile(rf'action="/(?:{PREFIXES})/([^/"]+)/')
DRAFT_IN_LOCATION = re.compile(rf"/(?:{PREFIXES})/([^/?]+)/")


@dataclass
class Draft:
    id: str
    lineage: str
    flow: type[Wizard]
    ended: bool = False
    copies: list[str] = field(default_factory=list)  # older copies other tabs hold
    current: str = ""  # what the newest page (or cookie) of it carries


def draft_in(response: TestResponse) -> str | None:
    """The draft a response leads to: its redirect, or the form of the page shown."""
    if response.status_code in (302, 303):
        found = DRAFT_IN_LOCATION.match(response.location)
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
            for model in MODELS.values():
                db.session.query(model).delete()
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
        response = self.send(draft, f"{draft.flow.prefix}/{draft.id}/{step}", data, copy)
        if not draft.ended:
            draft.current = self.carried(draft, response)
        return response

    # ------------------------------------------------------------ rules

    @initialize(target=drafts)
    def first_report(self) -> Draft:
        return self.start_and_fill("server", DRIVERS[0])

    @initialize(target=drafts)
    def first_request(self) -> Draft:
        return self.start_and_fill("server", DRIVERS[1])

    @rule(target=drafts, place=st.sampled_from(PLACES), flow=st.sampled_from(DRIVERS))
    def start(self, place: str, flow: type[Wizard]) -> Draft:
        return self.start_and_fill(place, flow)

    def start_and_fill(self, place: str, flow: type[Wizard]) -> Draft:
        data = {"csrf_token": self.token, "strategy": place, "next": "/"}
        self.client.post("/memory/strategy", data=data)
        response = self.client.post(flow.prefix, data={"csrf_token": self.token})
        assert response.status_code in (200, 303)
        draft_id = draft_in(response)
        assert draft_id
        draft = Draft(draft_id, lineage=draft_id, flow=flow)
        self.known[draft_id] = draft
        draft.current = self.carried(draft, response)
        for step in flow.steps[:-1]:
            self.step(draft, step, forms(flow).page_data(step), draft.current)
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
        data = {"strategy": to, "flow": draft.flow.flow_name, "draft": draft.id,
                "step": "review", "next": "/"}  # fmt: skip
        response = self.send(draft, "/memory/strategy", data, self.copy_of(draft, older))
        new_id = draft_in(response)
        if new_id is None or new_id in self.known:
            return draft
        assert not draft.ended, f"ended draft {draft.id} moved into a new draft {new_id}"
        moved = Draft(new_id, lineage=draft.lineage, flow=draft.flow)
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
        if draft.flow.sent_title in page.text:
            draft.ended = True

    @rule(draft=drafts, older=st.booleans())
    def delete(self, draft: Draft, older: bool) -> None:
        path = f"{draft.flow.prefix}/{draft.id}/delete"
        self.send(draft, path, {}, self.copy_of(draft, older))
        draft.ended = True

    @rule(draft=drafts, older=st.booleans())
    def open_with_a_copy(self, draft: Draft, older: bool) -> None:
        last = draft.flow.steps[-2]  # the step before review
        data = forms(draft.flow).page_data(last)
        page = self.followed(self.step(draft, last, data, self.copy_of(draft, older)))
        if draft.ended:
            assert_not_live(draft, page)

    @rule()
    def switch_off_and_on_elsewhere(self) -> None:
        for mode in ("off", "on"):
            data = {"csrf_token": self.token, "memory": mode, "next": "/", "confirmed": "yes"}
            assert self.client.post("/memory", data=data).status_code == 303

    # ------------------------------------------------------------ invariants

    @invariant()
    def one_submission_per_lineage(self) -> None:
        lineage_of = {draft.id: draft.lineage for draft in self.known.values()}
        rows: list[str] = []
        count = 0
        with APP.app_context():
            for model in MODELS.values():
                rows += db.session.execute(select(model.draft_id)).scalars().all()
                count += db.session.scalar(select(func.count()).select_from(model)) or 0
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
