"""Whole journeys as a state machine, one per flow: one browser, a few drafts, every way
through them. The machine is the same for every flow; what a flow asks, keeps and shows is
its model (flows.py: the journey read from the flow's declaration; model_expenses.py and
model_support.py: its fields, pages and record).

Rules: start a draft; post any step with valid or invalid data; go Back (or Change from
review) with a GET; switch session memory off and on; expire a draft (its store entry
deleted); submit, once or twice; answer everything still missing and submit; and a flow's
own rules (the expense report's Add and Remove of receipt groups). A model tracks what each
draft's memory must hold (the last valid answers accepted while memory was on).

Each response is checked against the model: where it leads (next step, journey guard,
expired and submitted pages), what it shows (every value typed, every value remembered),
and whether a valid post may be refused as over the memory budget (only if it can be).

Checked after every step: no 5xx and no unescaped markup in any response; at most one
record per draft, each equal to the answers accepted (or, memory off, posted), with the
repeated-input counter of SPEC §4 (modelled in flows.py, not by the engine's code: a field
is typed when the person typed a non-empty value memory did not supply as it is, typed
again when memory lacked it and it was typed on an earlier accepted page; a correction is
typed, never a repeat) and the memory use (on, off or part); each draft's memory within its
budget, empty while memory is off, gone once expired or submitted; a second browser gets
404 for every URL of every draft the step touched, and the owner's memory inspector answers
for live drafts only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.extensions import db
from tests.adversarial.browsers import step_form
from tests.property import (
    BASE,
    OVER_BUDGET,
    assert_error_page,
    assert_no_raw_markup,
    assert_no_server_error,
    fresh_app,
)
from tests.property.flows import DRAFTS, DraftModel, FlowModel, Page
from tests.property.model_expenses import ExpenseModel, ReceiptRules, raw_bytes
from tests.property.model_support import SupportModel

BUDGET = 2048  # small enough that long receipts and descriptions reach it
NOT_TYPED = frozenset({"csrf_token", "revision", "memory_state", "action", "strategy"})


def fields_shown(response: TestResponse, step: str) -> dict[str, str]:
    """The fields of the step's form as the page shows them (what a person typed)."""
    return {k: v for k, v in step_form(response, step).fields.items() if k not in NOT_TYPED}


def path_and_query(response: TestResponse) -> str:
    """Where a redirect goes: path and query, no anchor."""
    parts = urlsplit(response.location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class FlowMachine(RuleBasedStateMachine):
    """One browser walking a few drafts of one flow in any order; a second browser probing
    them. Subclasses (machine_for) name the flow and add a rule per step."""

    drafts = DRAFTS
    flow: FlowModel
    app: Flask  # one app for every run (set by a fixture); each run has its own browsers
    budget = BUDGET

    def __init__(self) -> None:
        super().__init__()
        self.browser = self.flow.driver(self.app.test_client())
        self.stranger = self.flow.driver(self.app.test_client())
        self.memory_on = True
        self.models: dict[str, DraftModel] = {}
        self.typed: set[str] = set()
        self.touched: set[str] = set()  # drafts the last rule acted on

    def url(self, draft: str, page: str) -> str:
        return f"{self.flow.driver.prefix}/{draft}/{page}"

    # ------------------------------------------------------------ requests

    def check(self, response: TestResponse) -> TestResponse:
        """Every response: no 5xx, nothing anyone typed shown unescaped."""
        assert_no_server_error(response)
        assert_no_raw_markup(response, self.typed)
        return response

    def post(self, draft: str, step: str, form: dict[str, str]) -> TestResponse:
        self.typed.update(form.values())
        self.touched.add(draft)
        return self.check(self.browser.post(step, form, draft=draft))

    def get(self, draft: str, step: str) -> TestResponse:
        self.touched.add(draft)
        return self.check(self.browser.get(step, draft=draft))

    def elsewhere(self, model: DraftModel, step: str, response: TestResponse, post: bool) -> bool:
        """Check the responses that replace the step (expired, submitted, guard)."""
        event(f"{step} {'POST' if post else 'GET'}: {self.situation(model, step)}")
        noun = self.flow.flow.noun
        if model.status == "expired":
            assert response.status_code == 200
            assert f"This {noun} draft has expired" in response.text
        elif model.status == "submitted" and post:
            assert response.status_code == 303  # told it had already been submitted
            assert path_and_query(response) == self.url(model.id, "confirmation?notice=already")
        elif model.status == "submitted":
            assert response.status_code == 200
            assert f"This {noun} has already been submitted" in response.text
            assert model.reference in response.text
        elif self.memory_on and (earlier := self.incomplete_before(model, step)):
            assert response.status_code == 303, response.status_code
            assert path_and_query(response) == self.url(model.id, f"{earlier}?notice=incomplete")
        else:
            return False
        return True

    def incomplete_before(self, model: DraftModel, step: str) -> str | None:
        return self.flow.first_incomplete_before(step, model.answers)

    def situation(self, model: DraftModel, step: str) -> str:
        if model.status != "live":
            return model.status
        if self.memory_on and self.incomplete_before(model, step):
            return "guard"
        return "memory on" if self.memory_on else "memory off"

    def accepted(self, response: TestResponse, ok: bool | None, step: str, new: DraftModel) -> bool:
        """A valid post goes on (unless over the memory budget); an invalid one stays."""
        if ok is None:  # the spec allows either outcome
            ok = response.status_code == 303
        low, high = self.flow.memory_bytes(new) if self.memory_on else (0, 0)
        title = self.flow.title(step)
        if ok and response.status_code == 200 and OVER_BUDGET in response.text:
            assert high >= BUDGET, f"refused as over budget, but at most {high} bytes"
            event("over the memory budget")
            assert_error_page(response, step, title)
            return False
        if ok:
            assert low <= BUDGET, f"accepted {low} bytes or more over a budget of {BUDGET}"
            assert response.status_code == 303, response.text[:3000]
            assert path_and_query(response) == self.next_path(new, step)
            return True
        assert_error_page(response, step, title)
        return False

    def next_path(self, new: DraftModel, step: str) -> str:
        """Where Continue on step leads, given what memory holds after it."""
        steps = self.flow.steps
        if self.memory_on:
            return self.url(new.id, self.flow.next_after(step, new.answers))
        return self.url(new.id, steps[steps.index(step) + 1])

    # ------------------------------------------------------------ rules

    @initialize(target=drafts)
    def first_draft(self) -> str:
        """Every run starts with a draft."""
        return self.new_draft()

    @precondition(lambda self: len(self.models) < 3)
    @rule(target=drafts)
    def start_draft(self) -> str:
        """Start another draft (another tab)."""
        return self.new_draft()

    def new_draft(self) -> str:
        """Start a draft: step 1 of a new, empty draft."""
        self.browser.start()
        draft = self.browser.draft_id
        assert draft not in self.models
        self.models[draft] = DraftModel(draft)
        self.touched.add(draft)
        return draft

    def post_step(self, step: str, draft: str, raw: Any) -> None:
        """A step (before review) with valid or invalid answers (the flow's page of them)."""
        model = self.models[draft]
        page: Page = self.flow.page(step, raw, model, self.memory_on)
        response = self.post(draft, step, page.form)
        if self.elsewhere(model, step, response, post=True):
            return
        kept = {s: v for s, v in model.kept.items() if s != step}  # accepted: typing goes
        new = replace(model, answers={**model.answers, **page.answers}, kept=kept)
        if step == self.flow.driver.items_step:  # its answers replace input Add kept
            new.unsaved, new.unsaved_bytes = None, (0, 0)
        if self.accepted(response, page.ok, step, new):
            supplied = page.supplied if self.memory_on else {}  # memory off supplies nothing
            model.counter.accept(page.typed, supplied, self.memory_on)
            if self.memory_on:
                self.models[draft] = new
        else:
            page.shown(response.text)
            if self.memory_on:
                self.keep_typing(model, step, page, response)

    def keep_typing(self, model: DraftModel, step: str, page: Page, response: TestResponse) -> None:
        """A refused page's typing is kept (Back and coming back show it), unless it does
        not fit in the budget beside what memory holds."""
        typed_bytes = raw_bytes(page.form)
        repository = self.app.extensions["session_memory"].drafts
        memory = repository.load(model.id, True, "test").memory
        if not memory.has(f"unsaved:{step}"):
            high = self.flow.memory_bytes(replace(model, kept={}))[1] + typed_bytes[1]
            assert high >= BUDGET, f"typing not kept, though at most {high} bytes"
            event("refused typing too large to keep")
            return
        model.kept[step] = (fields_shown(response, step), typed_bytes)
        model.kept_with[step] = dict(model.answers)
        if step == self.flow.driver.items_step:  # the same key as input Add kept
            model.unsaved, model.unsaved_bytes = None, (0, 0)

    def go_back(self, draft: str, step: str) -> None:
        """Back, or Change from review: a GET of a step shows what memory holds."""
        model = self.models[draft]
        response = self.get(draft, step)
        if self.elsewhere(model, step, response, post=False):
            return
        assert response.status_code == 200
        if self.memory_on and step in model.kept:
            event("typing kept after a refused page")
            if model.kept_with[step] == model.answers:  # else its items may have changed
                assert fields_shown(response, step) == model.kept[step][0]
        elif self.memory_on:
            self.flow.shows(step, response.text, model)
        elif self.flow.asks_again(step):
            assert "Session memory is off, so this step" in response.text

    def submit(self, draft: str, confirm: bool, twice: bool, whole: Any) -> None:
        """Submit from review (twice: a double click); memory off posts everything again."""
        model = self.models[draft]
        form, expected, typed = self.review_form(model, whole)
        if not confirm:
            del form["confirm"]
        response = self.post(draft, "review", form)
        final = self.flow.steps[-1]
        if self.elsewhere(model, final, response, post=True):
            return
        if not confirm or expected is None:
            assert_error_page(response, final, self.flow.title(final))
            return
        assert response.status_code == 303
        assert path_and_query(response) == self.url(draft, "confirmation")
        model.status, model.report = "submitted", expected
        model.counter.accept(typed, {}, self.memory_on)
        model.counts = model.counter.result()
        event(f"submitted with memory {'on' if self.memory_on else 'off'}")
        confirmation = self.check(self.browser.client.get(response.location))
        assert confirmation.status_code == 200
        model.reference = self.flow.reference.findall(confirmation.text)[0]
        if twice:
            again = self.post(draft, final, form)
            assert again.status_code == 303
            assert path_and_query(again) == self.url(draft, "confirmation?notice=already")

    def review_form(self, model: DraftModel, whole: Any) -> tuple[dict[str, str], Any, Any]:
        """Review's form, the record it must make (None: refused) and what the counter sees
        typed: memory on, a tick and nothing typed; off, everything again."""
        if not self.memory_on:
            return self.flow.review_again(whole)
        ready = model.status == "live" and self.incomplete_before(model, "review") is None
        return {"confirm": "y"}, self.flow.expected(model.answers) if ready else None, {}

    @rule(on=st.booleans(), draft=drafts)
    def switch_memory(self, on: bool, draft: str) -> None:
        """The memory switch, pressed on a step page: off discards every draft's memory."""
        next_path = self.url(draft, self.flow.steps[0])
        response = self.check(self.browser.switch_memory(on, next_path))
        said = next_path + "?notice=discarded"  # off, with answers: the page says so
        assert response.status_code == 303
        assert response.location == next_path or (response.location == said and not on)
        if not on:
            for model in self.models.values():
                model.forget()
        self.memory_on = on
        self.touched.update(self.models)

    @rule(draft=drafts)
    def expire(self, draft: str) -> None:
        """The draft's memory expires (its store entry goes)."""
        self.app.extensions["session_memory"].drafts.delete(draft)
        self.touched.add(draft)
        model = self.models[draft]
        if model.status == "live":
            model.status = "expired"

    def fill_in_everything(self, draft: str, whole: Any, then_submit: bool) -> None:
        """A person who answers, validly, every step that still lacks answers (and sends)."""
        for step in self.flow.steps[:-1]:
            if not (self.memory_on and self.flow.step_complete(step, self.models[draft].answers)):
                self.post_step(step, draft, self.flow.fill_post(step, whole))
        if then_submit:
            self.submit(draft, True, False, whole)

    @invariant()
    def one_record_per_draft(self) -> None:
        """At most one record per draft, equal to the answers; none for unsent drafts."""
        record = self.flow.record
        with self.app.app_context():
            mine = record.draft_id.in_(list(self.models))
            records = db.session.scalars(select(record).where(mine)).all()
            per_draft = Counter(r.draft_id for r in records)
            assert max(per_draft.values(), default=0) <= 1, per_draft
            submitted = {d for d, m in self.models.items() if m.status == "submitted"}
            assert set(per_draft) == submitted
            for stored in records:
                model = self.models[stored.draft_id]
                assert self.flow.stored(stored) == model.report
                self.counter_covers(stored)
                counts = (stored.fields_typed, stored.fields_repeated, stored.memory_use)
                assert counts == model.counts, (counts, model.counts)

    def counter_covers(self, stored: Any) -> None:
        """The repeated-input counter counted every answer of the record at least once."""
        distinct = stored.fields_typed - stored.fields_repeated
        assert 0 <= stored.fields_repeated <= stored.fields_typed
        values = self.flow.record_values(stored)
        assert distinct >= sum(1 for value in values if value not in ("", None))

    @invariant()
    def memory_within_budget(self) -> None:
        """Live drafts keep memory within the budget (empty while off); others keep none."""
        repository = self.app.extensions["session_memory"].drafts
        for draft_id, model in self.models.items():
            draft = repository.load(draft_id, True, "test")
            if model.status != "live":
                assert draft is None, f"{model.status} draft {draft_id} still has memory"
                continue
            assert draft is not None, "a live draft lost its memory"
            assert draft.memory.total_size() <= BUDGET
            if not self.memory_on:
                assert draft.memory.list_keys() == []

    @invariant()
    def drafts_are_private(self) -> None:
        """Probe the drafts the last rule acted on (nothing about the others changed)."""
        for draft_id in sorted(self.touched):
            self.inspector_answers_the_owner(draft_id)
            self.stranger_gets_404(draft_id)
        self.touched.clear()

    def inspector_answers_the_owner(self, draft_id: str) -> None:
        """The memory inspector answers the owner for a live draft only, within budget."""
        response = self.check(self.browser.client.get(f"/api/drafts/{draft_id}/state"))
        if self.models[draft_id].status != "live":
            assert response.status_code == 404
            return
        assert response.status_code == 200 and response.json is not None
        assert response.json["total_size"] <= response.json["budget"] == BUDGET
        assert response.json["keys"] == [] or self.memory_on

    def stranger_gets_404(self, draft_id: str) -> None:
        """A second browser gets 404 for every URL of the draft, GET or POST (the expiry
        dialog's keep-alive answers 410 "gone", as for an expired draft)."""
        for path in self.urls_of(draft_id):
            response = self.stranger.client.get(path)
            assert response.status_code == 404, (path, response.status_code)
        for step in (self.flow.steps[0], self.flow.steps[-1], "delete"):
            response = self.stranger.post(step, {"confirm": "y"}, draft=draft_id)
            assert response.status_code == 404, (step, response.status_code)
        response = self.stranger.post("keep-alive", {}, draft=draft_id)
        assert response.status_code in (404, 410), response.status_code
        assert response.status_code == 404 or response.json == {"expires_in": 0}

    def urls_of(self, draft_id: str) -> list[str]:
        pages = [*self.flow.steps, "confirmation", "files/abcdefgh"]
        return [*(self.url(draft_id, p) for p in pages), f"/api/drafts/{draft_id}/state"]


def flow_rules(model: FlowModel) -> dict[str, Any]:
    """The rules whose arguments are the flow's own: a post of each step before review
    (its strategy of pages), Back to any step, submit, fill in everything. (Rule
    arguments do not depend on the state: they shrink far better than data() draws.)"""

    def poster(step: str) -> Callable[..., None]:
        def post(self: FlowMachine, draft: str, raw: Any) -> None:
            self.post_step(step, draft, raw)

        post.__name__ = post.__qualname__ = f"post_{step}"
        return rule(draft=DRAFTS, raw=model.posts[step])(post)

    rules = {f"post_{step}": poster(step) for step in model.steps[:-1]}
    rules["back"] = rule(draft=DRAFTS, step=st.sampled_from(model.steps))(FlowMachine.go_back)
    rules["send"] = rule(
        draft=DRAFTS, confirm=st.booleans(), twice=st.booleans(), whole=model.whole
    )(FlowMachine.submit)
    rules["fill"] = rule(draft=DRAFTS, whole=model.valid, then_submit=st.booleans())(
        FlowMachine.fill_in_everything
    )
    return rules


def machine_for(model: FlowModel, *own_rules: type) -> type[FlowMachine]:
    """The machine of one flow: the shared rules, the flow's (flow_rules), its own rules
    (mixins), and its Hypothesis settings."""
    namespace = {"flow": model, **flow_rules(model)}
    name = f"{model.driver.flow_name.title()}Machine"
    machine: type[FlowMachine] = type(name, (*own_rules, FlowMachine), namespace)
    machine.TestCase.settings = settings(BASE, max_examples=model.examples, stateful_step_count=15)
    return machine


ExpensesMachine = machine_for(ExpenseModel(), ReceiptRules)
SupportMachine = machine_for(SupportModel())
TestExpenseJourneys = ExpensesMachine.TestCase
TestSupportJourneys = SupportMachine.TestCase


@pytest.fixture(scope="module", autouse=True)
def machine_app() -> Iterator[None]:
    """The app the machines' runs share: runs are kept apart by browser and draft ids."""
    with fresh_app(WIZARD_MEMORY_BUDGET=BUDGET) as app:
        FlowMachine.app = app
        yield


MACHINES = {machine.flow.driver.flow_name: machine for machine in (ExpensesMachine, SupportMachine)}


@pytest.mark.parametrize("flow", MACHINES)
@settings(BASE, max_examples=8)
@given(off_from=st.integers(0, 3), data=st.data())
def test_memory_switched_off_midway_asks_again_and_counts_the_repeats(
    flow: str, off_from: int, data: st.DataObject
) -> None:
    """The journeys the machine reaches least: memory switched off before step off_from+1
    (before review: 3), the rest answered with it off (a step that needs earlier answers
    asks them again; review asks everything, the email included), then sent. The record
    holds the answers, its counts are the model's, every field memory lacked and that was
    given before is a repeat, and the memory use is off (from the start) or part."""
    machine = MACHINES[flow]()
    whole = data.draw(machine.flow.valid, label="whole")
    draft = machine.first_draft()
    steps = machine.flow.steps
    for i, step in enumerate(steps[:-1]):
        if i == off_from:
            machine.switch_memory(False, draft)
        machine.post_step(step, draft, machine.flow.fill_post(step, whole))
    if off_from == len(steps) - 1:
        machine.switch_memory(False, draft)
    machine.submit(draft, True, False, whole)
    machine.one_record_per_draft()
    machine.drafts_are_private()
    counts = machine.models[draft].counts
    assert counts is not None, "not sent"
    assert counts[1] > 0 and counts[2] == ("off" if off_from == 0 else "part"), counts
    machine.teardown()
