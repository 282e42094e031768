"""Whole journeys as a state machine: one browser, a few drafts, every way through them.

Rules: start a draft; post any step with valid or invalid data; go Back (or Change from
review) with a GET; add or remove receipt groups; switch session memory off and on;
expire a draft (its store entry deleted); submit, once or twice. A model tracks what each
draft's memory must hold (the last valid answers accepted while memory was on).

Each response is checked against the model: where it leads (next step, journey guard,
expired and submitted pages), what it shows (every value typed, every value remembered),
and whether a valid post may be refused as over the memory budget (only if it can be).

Checked after every step: no 5xx and no unescaped markup in any response; at most one
report per draft, each equal to the answers accepted (or, memory off, posted), with the
repeated-input counter of SPEC §4 (modelled here: a field is typed again only when memory
did not have it and it was typed before; a correction is typed, never a repeat) and the
memory use (on, off or part) its confirmation words come from; each draft's memory within its
budget, empty while memory is off, gone once expired or submitted; a second browser gets
404 for every URL of every draft the step touched, and the owner's memory inspector
answers for live drafts only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest
from flask import Flask
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from markupsafe import escape
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.extensions import db
from app.flows.expenses.models import Report
from tests.helpers import Wizard
from tests.property import (
    BASE,
    EXPIRED,
    OVER_BUDGET,
    STEPS,
    SUBMITTED,
    Typed,
    assert_error_page,
    assert_fields_shown,
    assert_no_raw_markup,
    assert_no_server_error,
    assert_selected,
    assert_shows,
    categories_formdata,
    category_fields,
    employee_fields,
    fresh_app,
    groups_of,
    minor_units,
    named,
    page_verdict,
    prefixed,
    purpose_rule,
    receipt_fields,
    receipts_formdata,
    shown_amount,
)

BUDGET = 2048  # small enough that long receipts reach it
REFERENCE = re.compile(r"EXP-[0-9A-Z]{8}")
Status = Literal["live", "expired", "submitted"]
Line = tuple[str, str, int, str, str, str, str]  # date, merchant, minor, currency, ...
Groups = list[dict[str, Typed]]


def pages_of(fields: Any, low: int, high: int) -> st.SearchStrategy[Groups]:
    """low..high groups of fields: all valid, or at least one invalid."""
    return st.integers(low, high).flatmap(
        lambda n: st.one_of(groups_of(fields, n, "valid"), groups_of(fields, n, "invalid"))
    )


@dataclass(frozen=True)
class Answers:
    """A whole report as the machine may post it (categories: one per receipt or more)."""

    employee: dict[str, Typed]
    receipts: Groups
    categories: Groups
    purpose: Typed

    @property
    def ok(self) -> bool | None:
        used = self.categories[: len(self.receipts)]
        return page_verdict(self.employee, self.receipts, used, self.purpose)


# Rule arguments do not depend on the state (they shrink far better than data() draws).
employee_posts = st.one_of(employee_fields("valid"), employee_fields("invalid"))
receipt_posts = pages_of(receipt_fields, 1, 4)
any_receipts = st.integers(1, 4).flatmap(lambda n: groups_of(receipt_fields, n, "any"))
category_posts = pages_of(category_fields, 1, 4)
four_valid_categories = groups_of(category_fields, 4, "valid")
four_valid_receipts = groups_of(receipt_fields, 4, "valid")
id_picks = st.lists(st.integers(0, 5), min_size=4, max_size=4)
whole_reports = st.builds(
    Answers, employee_posts, receipt_posts, four_valid_categories, purpose_rule.typed("valid")
)
valid_answers = st.builds(
    Answers,
    employee_fields("valid"),
    st.integers(1, 3).flatmap(lambda n: groups_of(receipt_fields, n, "valid")),
    four_valid_categories,
    purpose_rule.typed("valid"),
)


def pick_ids(known: list[str], picks: list[int], count: int) -> list[str]:
    """Receipt ids for count groups: a remembered receipt's id (so its category stays
    with it) or a new one; never the same id twice."""
    ids: list[str] = []
    for i, pick in enumerate(picks[:count]):
        rid = known[pick] if pick < len(known) else f"receipt-{i}-{pick}"
        while rid in ids:
            rid += "x"
        ids.append(rid)
    return ids


@dataclass(frozen=True)
class ReceiptModel:
    id: str
    date: str
    merchant: str
    amount_minor: int
    currency: str
    description: str


@dataclass(frozen=True)
class ReportModel:
    """What a submitted report must hold."""

    employee: dict[str, str]
    lines: list[Line]
    purpose: str


Flat = dict[str, str]  # field name (receipts by position) -> value, as the counter names them


@dataclass
class CounterModel:
    """The repeated-input counter as SPEC §4 defines it, kept beside the app's."""

    typed: Counter[str] = field(default_factory=Counter)
    again: int = 0
    pages: list[bool] = field(default_factory=list)  # memory on for each page accepted

    def accept(self, now: Flat, supplied: Flat, memory_on: bool) -> None:
        """A page accepted: a field is typed when memory did not supply it as it is now;
        typed again when memory lacked it and it was typed before."""
        for name, value in now.items():
            if value and supplied.get(name) != value:
                if name not in supplied and name in self.typed:
                    self.again += 1
                self.typed[name] += 1
        self.pages.append(memory_on)

    def result(self) -> tuple[int, int, str]:
        """(fields typed, typed again, memory use) as the report must keep them."""
        modes = set(self.pages)
        if self.again and modes <= {True}:
            modes.add(False)  # asked again though every page went with memory on: off between
        use = "part" if len(modes) > 1 else ("off" if False in modes else "on")
        return sum(self.typed.values()), self.again, use


def employee_flat(employee: dict[str, str] | None) -> Flat:
    return {f"employee.{k}": v for k, v in (employee or {}).items() if v}


def receipts_flat(receipts: list[ReceiptModel | None]) -> Flat:
    """Receipts by position (None: memory had no receipt of that id)."""
    flat: Flat = {}
    for n, r in enumerate(receipts, start=1):
        if r is not None:
            values = (*receipt_line(r)[:2], str(r.amount_minor), r.currency, r.description)
            names = ("date", "merchant", "amount_minor", "currency", "description")
            flat.update({f"receipts.{n}.{k}": v for k, v in zip(names, values, strict=True) if v})
    return flat


def categories_flat(chosen: dict[str, tuple[str, str]], order: list[str], purpose: str) -> Flat:
    """Categories by the position of their receipt, and the purpose."""
    flat: Flat = {"business_purpose": purpose} if purpose else {}
    for n, rid in enumerate(order, start=1):
        category, details = chosen.get(rid, ("", ""))
        flat.update({k: v for k, v in ((f"categories.{n}.category", category),) if v})
        flat.update({k: v for k, v in ((f"categories.{n}.details", details),) if v})
    return flat


@dataclass
class DraftModel:
    """What one draft's memory must hold, and where the draft stands."""

    id: str
    status: Status = "live"
    employee: dict[str, str] | None = None
    receipts: list[ReceiptModel] = field(default_factory=list)
    categories: dict[str, tuple[str, str]] = field(default_factory=dict)
    purpose: str | None = None
    unsaved: list[dict[str, Typed]] | None = None  # groups kept by Add/Remove, not validated
    unsaved_bytes: tuple[int, int] = (0, 0)
    report: ReportModel | None = None
    reference: str = ""
    counter: CounterModel = field(default_factory=CounterModel)  # outlives memory (forget)
    counts: tuple[int, int, str] | None = None  # the counter's result, once submitted

    def complete(self, step: str) -> bool:
        """Whether memory holds every answer step asks for."""
        if step == "employee":
            return self.employee is not None
        if step == "receipts":
            return bool(self.receipts)
        has_all = all(r.id in self.categories for r in self.receipts)
        return bool(self.receipts) and has_all and self.purpose is not None

    def first_incomplete_before(self, step: str) -> str | None:
        return next((s for s in STEPS[: STEPS.index(step)] if not self.complete(s)), None)

    def next_after(self, step: str) -> str:
        """Where Continue leads: the first later step lacking answers, else review."""
        later = STEPS[STEPS.index(step) + 1 : -1]
        return next((s for s in later if not self.complete(s)), "review")

    def forget(self) -> None:
        """Memory discarded (switched off)."""
        self.employee, self.receipts, self.categories, self.purpose = None, [], {}, None
        self.unsaved, self.unsaved_bytes = None, (0, 0)

    def as_report(self) -> ReportModel:
        assert self.employee is not None and self.purpose is not None
        lines = [(*receipt_line(r), *self.categories[r.id]) for r in self.receipts]
        return ReportModel(dict(self.employee), lines, self.purpose)

    def memory_bytes(self) -> tuple[int, int]:
        """Lower and upper bounds of the size of this memory as the app keeps it."""
        texts = [*(self.employee or {}).values(), self.purpose or ""]
        for r in self.receipts:
            texts += [r.id, r.date, r.merchant, r.currency, r.description]
        for rid, (category, details) in self.categories.items():
            texts += [rid, category, details]
        size = sum(len(text.encode()) for text in texts)
        overhead = 400 + 200 * (len(self.receipts) + len(self.categories))
        low, high = self.unsaved_bytes
        return size + low, 2 * size + overhead + high


@dataclass(frozen=True)
class CategoryPage:
    """A posted step 3: its form, verdict, what memory then holds, what the page shows."""

    form: dict[str, str]
    ok: bool | None
    chosen: dict[str, tuple[str, str]]
    shown: dict[str, Typed]
    typed: Flat  # what the page holds, as the counter names it


def receipt_line(r: ReceiptModel) -> tuple[str, str, int, str, str]:
    return (r.date, r.merchant, r.amount_minor, r.currency, r.description)


def receipt_model(rid: str, fields: dict[str, Typed]) -> ReceiptModel:
    currency = fields["currency"].text
    return ReceiptModel(
        id=rid,
        date=fields["date"].text,
        merchant=fields["merchant"].kept,
        amount_minor=minor_units(fields["amount"].text, currency),
        currency=currency,
        description=fields["description"].kept,
    )


def raw_bytes(form: dict[str, str]) -> tuple[int, int]:
    """Bounds of the size of raw form data (receipt groups) kept in memory as JSON."""
    low = sum(len(v.encode()) for v in form.values())
    high = sum(6 * len((k + v).encode()) + 10 for k, v in form.items()) + 60 * len(form) + 100
    return low, high


EMPLOYEE_NAMES = ("full_name", "work_email", "employee_id", "department", "manager_email")


def stored_report(report: Report) -> ReportModel:
    """A stored report in the model's terms."""
    lines = [
        (
            i.receipt_date.isoformat(),
            i.merchant,
            i.amount_minor,
            i.currency,
            i.description,
            i.category,
            i.details,
        )
        for i in report.items
    ]
    employee = {name: getattr(report, name) for name in EMPLOYEE_NAMES}
    return ReportModel(employee, lines, report.business_purpose)


def categories_again(categories: Groups, purpose: Typed, receipts: Groups) -> CategoryPage:
    """Step 3's form with memory off: the receipts again, each with its category."""
    count = min(len(categories), len(receipts))
    categories, receipts = categories[:count], receipts[:count]
    ids = [f"receipt{i:04d}" for i in range(count)]
    form = {**receipts_formdata(receipts, ids, categories), "business_purpose": purpose.text}
    shown = {f"receipts-{i}-{k}": v for i, c in enumerate(categories) for k, v in c.items()}
    verdict = page_verdict(categories, purpose)
    chosen = {
        rid: (c["category"].text, c["details"].kept) for rid, c in zip(ids, categories, strict=True)
    }
    again = [receipt_model(rid, r) for rid, r in zip(ids, receipts, strict=True)]
    typed = {**receipts_flat(list(again)), **categories_flat(chosen, ids, purpose.kept)}
    return CategoryPage(form, verdict, {}, shown, typed)


def path_and_query(response: TestResponse) -> str:
    """Where a redirect goes: path and query, no anchor."""
    parts = urlsplit(response.location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class WizardMachine(RuleBasedStateMachine):
    """One browser walking a few drafts in any order; a second browser probing them."""

    drafts = Bundle("drafts")
    app: Flask  # one app for every run (set by a fixture); each run has its own browsers

    def __init__(self) -> None:
        super().__init__()
        self.browser = Wizard(self.app.test_client())
        self.stranger = Wizard(self.app.test_client())
        self.memory_on = True
        self.models: dict[str, DraftModel] = {}
        self.typed: set[str] = set()
        self.touched: set[str] = set()  # drafts the last rule acted on

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
        if model.status == "expired":
            assert response.status_code == 200 and EXPIRED in response.text
        elif model.status == "submitted" and post:
            assert response.status_code == 303  # told it had already been submitted
            assert path_and_query(response) == f"/report/{model.id}/confirmation?notice=already"
        elif model.status == "submitted":
            assert response.status_code == 200 and SUBMITTED in response.text
            assert model.reference in response.text
        elif self.memory_on and (earlier := model.first_incomplete_before(step)):
            assert response.status_code == 303, response.status_code
            assert path_and_query(response) == f"/report/{model.id}/{earlier}?notice=incomplete"
        else:
            return False
        return True

    def situation(self, model: DraftModel, step: str) -> str:
        if model.status != "live":
            return model.status
        if self.memory_on and model.first_incomplete_before(step):
            return "guard"
        return "memory on" if self.memory_on else "memory off"

    def accepted(self, response: TestResponse, ok: bool | None, step: str, new: DraftModel) -> bool:
        """A valid post goes on (unless over the memory budget); an invalid one stays."""
        next_path = self.next_path(new, step)
        if ok is None:  # the spec allows either outcome
            ok = response.status_code == 303
        low, high = new.memory_bytes() if self.memory_on else (0, 0)
        if ok and response.status_code == 200 and OVER_BUDGET in response.text:
            assert high >= BUDGET, f"refused as over budget, but at most {high} bytes"
            event("over the memory budget")
            assert_error_page(response, step)
            return False
        if ok:
            assert low <= BUDGET, f"accepted {low} bytes or more over a budget of {BUDGET}"
            assert response.status_code == 303, response.text[:3000]
            assert path_and_query(response) == next_path
            return True
        assert_error_page(response, step)
        return False

    def next_path(self, new: DraftModel, step: str) -> str:
        """Where Continue on step leads, given what memory holds after it."""
        following = new.next_after(step) if self.memory_on else STEPS[STEPS.index(step) + 1]
        return f"/report/{new.id}/{following}"

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

    @rule(draft=drafts, fields=employee_posts)
    def post_employee(self, draft: str, fields: dict[str, Typed]) -> None:
        """Step 1 with valid or invalid details."""
        model = self.models[draft]
        response = self.post(draft, "employee", prefixed("employee-", fields))
        if self.elsewhere(model, "employee", response, post=True):
            return
        new = replace(model, employee={k: v.kept for k, v in fields.items()})
        if self.accepted(response, page_verdict(fields), "employee", new):
            self.count(model, employee_flat(new.employee), employee_flat(model.employee))
            self.remember(model, new)
        else:
            assert_fields_shown(response.text, named("employee-", fields))

    def count(self, model: DraftModel, now: Flat, supplied: Flat) -> None:
        """An accepted page, in the counter's model (memory off supplies nothing)."""
        model.counter.accept(now, supplied if self.memory_on else {}, self.memory_on)

    def remember(self, model: DraftModel, new: DraftModel) -> None:
        if self.memory_on:
            self.models[model.id] = new

    @rule(draft=drafts, receipts=receipt_posts, picks=id_picks)
    def post_receipts(self, draft: str, receipts: Groups, picks: list[int]) -> None:
        """Step 2 with one to four receipts, some keeping the ids (and so the categories)
        of receipts already remembered."""
        model = self.models[draft]
        ids = pick_ids([r.id for r in model.receipts], picks, len(receipts))
        response = self.post(draft, "receipts", receipts_formdata(receipts, ids))
        if self.elsewhere(model, "receipts", response, post=True):
            return
        if page_verdict(receipts) is not True:
            assert_error_page(response, "receipts")
            for i, fields in enumerate(receipts):
                assert_fields_shown(response.text, named(f"receipts-{i}-", fields))
            return
        kept = {rid: category for rid, category in model.categories.items() if rid in ids}
        new_receipts = [receipt_model(rid, r) for rid, r in zip(ids, receipts, strict=True)]
        new = replace(model, receipts=new_receipts, categories=kept, unsaved=None)
        new.unsaved_bytes = (0, 0)
        if self.accepted(response, True, "receipts", new):
            by_id = {r.id: r for r in model.receipts}  # memory's receipts, by id
            supplied = receipts_flat([by_id.get(rid) for rid in ids])
            self.count(model, receipts_flat(list(new_receipts)), supplied)
            self.remember(model, new)

    @rule(
        draft=drafts,
        groups=any_receipts,
        picks=id_picks,
        action=st.integers(0, 4),
        where=st.sampled_from(STEPS[1:]),
    )
    def add_or_remove_receipt(
        self, draft: str, groups: Groups, picks: list[int], action: int, where: str
    ) -> None:
        """Add another receipt (action 0), or Remove one, on step 2 (memory off: also on the
        steps that ask for the receipts again): everything typed is kept."""
        model = self.models[draft]
        step = "receipts" if self.memory_on else where
        ids = pick_ids([r.id for r in model.receipts], picks, len(groups))
        pressed = "add" if action == 0 else f"remove-{(action - 1) % len(groups)}"
        form = {**receipts_formdata(groups, ids), "action": pressed}
        response = self.post(draft, step, form)
        if self.elsewhere(model, step, response, post=True):
            return
        pairs = list(zip(groups, ids, strict=True))
        if action and len(pairs) > 1:
            pairs.pop((action - 1) % len(groups))
        after = [group for group, _ in pairs] + ([{}] if action == 0 else [])
        kept = receipts_formdata([g for g, _ in pairs], [rid for _, rid in pairs])
        self.after_change(model, response, after, kept)

    def after_change(
        self,
        model: DraftModel,
        response: TestResponse,
        groups: list[dict[str, Typed]],
        form: dict[str, str],
    ) -> None:
        """Memory on: kept in memory, 303 back to the page; off: the page again at once."""
        if not self.memory_on:
            assert response.status_code == 200
            self.assert_groups(response.text, groups)
            return
        new = replace(model, unsaved=groups, unsaved_bytes=raw_bytes(form))
        if response.status_code == 200 and OVER_BUDGET in response.text:
            assert new.memory_bytes()[1] >= BUDGET, "refused as over budget, but it is not"
            return
        assert new.memory_bytes()[0] <= BUDGET, "kept over the memory budget"
        assert response.status_code == 303
        assert urlsplit(response.location).path == f"/report/{model.id}/receipts"
        self.models[model.id] = new
        self.assert_groups(self.get(model.id, "receipts").text, groups)

    def assert_groups(self, body: str, groups: list[dict[str, Typed]]) -> None:
        assert body.count('class="fieldset receipt-group"') == len(groups)
        for i, fields in enumerate(groups):
            assert_fields_shown(body, named(f"receipts-{i}-", fields))

    @rule(
        draft=drafts,
        categories=category_posts,
        purpose=purpose_rule.typed("any"),
        reverse=st.booleans(),
        drop=st.booleans(),
        stale=st.booleans(),
        receipts=four_valid_receipts,
    )
    def post_categories(
        self,
        draft: str,
        categories: Groups,
        purpose: Typed,
        reverse: bool,
        drop: bool,
        stale: bool,
        receipts: Groups,
    ) -> None:
        """Step 3: a category per receipt by receipt id (in any order; a stale page may
        lack a new receipt or name a removed one) and the purpose; with memory off the page
        asks for the receipts again too."""
        model = self.models[draft]
        if self.memory_on:
            page = self.categories_by_id(model, categories, purpose, (reverse, drop, stale))
        else:
            page = categories_again(categories, purpose, receipts)
        response = self.post(draft, "categories", page.form)
        if self.elsewhere(model, "categories", response, post=True):
            return
        new = replace(model, categories=page.chosen, purpose=purpose.kept)
        if self.accepted(response, page.ok, "categories", new):
            order = [r.id for r in model.receipts]
            supplied = categories_flat(model.categories, order, model.purpose or "")
            self.count(model, page.typed, supplied)
            self.remember(model, new)
            return
        assert_fields_shown(response.text, {"business_purpose": purpose, **page.shown})

    def categories_by_id(
        self,
        model: DraftModel,
        categories: Groups,
        purpose: Typed,
        how: tuple[bool, bool, bool],
    ) -> CategoryPage:
        """Step 3's form with memory on: groups named by receipt id."""
        reverse, drop, stale = how
        current = [r.id for r in model.receipts] or ["receipt0000"]
        posted = list(reversed(current)) if reverse else list(current)
        posted = posted[1:] if drop else posted
        posted += ["receipt-removed"] if stale or not posted else []
        groups = [categories[i % len(categories)] for i in range(len(posted))]
        by_id = dict(zip(posted, groups, strict=True))
        missing = [Typed("", False) for rid in current if rid not in by_id]
        ok = page_verdict([by_id[rid] for rid in current if rid in by_id], purpose, missing)
        chosen = {
            rid: (by_id[rid]["category"].text, by_id[rid]["details"].kept)
            for rid in current
            if rid in by_id
        }
        shown = {
            f"categories-{i}-{k}": v
            for i, rid in enumerate(current)
            for k, v in by_id.get(rid, {}).items()
        }
        typed = categories_flat(chosen, current, purpose.kept)
        form = categories_formdata(groups, posted, purpose)
        return CategoryPage(form, ok, chosen, shown, typed)

    @rule(draft=drafts, step=st.sampled_from(STEPS))
    def go_back(self, draft: str, step: str) -> None:
        """Back, or Change from review: a GET of a step shows what memory holds."""
        model = self.models[draft]
        response = self.get(draft, step)
        if self.elsewhere(model, step, response, post=False):
            return
        assert response.status_code == 200
        if self.memory_on:
            SHOWS[step](response.text, model)
        elif step in ("categories", "review"):
            assert "Session memory is off, so this step" in response.text

    @rule(
        draft=drafts,
        confirm=st.booleans(),
        twice=st.booleans(),
        answers=st.one_of(valid_answers, whole_reports),
    )
    def submit(self, draft: str, confirm: bool, twice: bool, answers: Answers) -> None:
        """Submit from review (twice: a double click); memory off posts the whole report."""
        model = self.models[draft]
        form, expected = self.review_form(model, answers)
        if not confirm:
            del form["confirm"]
        response = self.post(draft, "review", form)
        if self.elsewhere(model, "review", response, post=True):
            return
        if not confirm or expected is None:
            assert_error_page(response, "review")
            return
        assert response.status_code == 303
        assert path_and_query(response) == f"/report/{draft}/confirmation"
        model.status, model.report = "submitted", expected
        model.counter.accept(self.review_typed(answers), {}, self.memory_on)
        model.counts = model.counter.result()
        event(f"submitted with memory {'on' if self.memory_on else 'off'}")
        confirmation = self.check(self.browser.client.get(response.location))
        assert confirmation.status_code == 200
        model.reference = REFERENCE.findall(confirmation.text)[0]
        if twice:
            again = self.post(draft, "review", form)
            assert again.status_code == 303
            assert path_and_query(again) == f"/report/{draft}/confirmation?notice=already"

    def review_typed(self, answers: Answers) -> Flat:
        """What review asked for and got: nothing with memory on, all of it with it off."""
        if self.memory_on:
            return {}
        ids = [f"receipt{i:04d}" for i in range(len(answers.receipts))]
        receipts = [receipt_model(rid, r) for rid, r in zip(ids, answers.receipts, strict=True)]
        chosen = {
            rid: (c["category"].text, c["details"].kept)
            for rid, c in zip(ids, answers.categories[: len(ids)], strict=True)
        }
        employee = {k: v.kept for k, v in answers.employee.items()}
        return {
            **employee_flat(employee),
            **receipts_flat(list(receipts)),
            **categories_flat(chosen, ids, answers.purpose.kept),
        }

    def review_form(
        self, model: DraftModel, answers: Answers
    ) -> tuple[dict[str, str], ReportModel | None]:
        """The review page's form, and the report it must make (None: it is invalid)."""
        if self.memory_on:
            ready = model.first_incomplete_before("review") is None and model.status == "live"
            return {"confirm": "y"}, model.as_report() if ready else None
        count = len(answers.receipts)
        ids = [f"receipt{i:04d}" for i in range(count)]
        categories = answers.categories[:count]
        form = {
            **prefixed("employee-", answers.employee),
            **receipts_formdata(answers.receipts, ids, categories),
            "business_purpose": answers.purpose.text,
            "confirm": "y",
        }
        if answers.ok is not True:
            return form, None
        lines = [
            (*receipt_line(receipt_model(rid, r)), c["category"].text, c["details"].kept)
            for rid, r, c in zip(ids, answers.receipts, categories, strict=True)
        ]
        employee = {k: v.kept for k, v in answers.employee.items()}
        return form, ReportModel(employee, lines, answers.purpose.kept)

    @rule(on=st.booleans(), draft=drafts)
    def switch_memory(self, on: bool, draft: str) -> None:
        """The memory switch, pressed on a step page: off discards every draft's memory."""
        next_path = f"/report/{draft}/employee"
        response = self.check(self.browser.switch_memory(on, next_path))
        assert response.status_code == 303 and response.location == next_path
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

    @rule(draft=drafts, answers=valid_answers, then_submit=st.booleans())
    def fill_in_everything(self, draft: str, answers: Answers, then_submit: bool) -> None:
        """A person who answers, validly, every step that still lacks answers (and submits)."""
        count = len(answers.receipts)
        if not (self.memory_on and self.models[draft].complete("employee")):
            self.post_employee(draft, answers.employee)
        if not (self.memory_on and self.models[draft].complete("receipts")):
            self.post_receipts(draft, answers.receipts, list(range(count)))
        if not (self.memory_on and self.models[draft].complete("categories")):
            flags = (False, False, False)
            receipts = answers.receipts
            self.post_categories(draft, answers.categories, answers.purpose, *flags, receipts)
        if then_submit:
            self.submit(draft, True, False, answers)

    @invariant()
    def one_report_per_draft(self) -> None:
        """At most one report per draft, equal to the answers; none for unsubmitted drafts."""
        with self.app.app_context():
            mine = Report.draft_id.in_(list(self.models))
            reports = db.session.scalars(select(Report).where(mine)).all()
            counts = Counter(report.draft_id for report in reports)
            assert max(counts.values(), default=0) <= 1, counts
            submitted = {d for d, m in self.models.items() if m.status == "submitted"}
            assert set(counts) == submitted
            for report in reports:
                assert stored_report(report) == self.models[report.draft_id].report
                assert_counter_covers(report)
                counts = (report.fields_typed, report.fields_repeated, report.memory_use)
                assert counts == self.models[report.draft_id].counts

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
        for step in ("employee", "review", "delete"):
            response = self.stranger.post(step, {"confirm": "y"}, draft=draft_id)
            assert response.status_code == 404, (step, response.status_code)
        response = self.stranger.post("keep-alive", {}, draft=draft_id)
        assert response.status_code in (404, 410), response.status_code
        assert response.status_code == 404 or response.json == {"expires_in": 0}

    def urls_of(self, draft_id: str) -> list[str]:
        steps = [*STEPS, "confirmation", "files/abcdefgh"]
        return [*(f"/report/{draft_id}/{s}" for s in steps), f"/api/drafts/{draft_id}/state"]


def assert_counter_covers(report: Report) -> None:
    """The repeated-input counter counted every field of the report at least once."""
    fields = [report.business_purpose, *(getattr(report, n) for n in EMPLOYEE_NAMES)]
    for item in report.items:
        fields += [item.merchant, item.currency, item.description, item.category, item.details]
        fields += [item.receipt_date, item.amount_minor]
    distinct = report.fields_typed - report.fields_repeated
    assert 0 <= report.fields_repeated <= report.fields_typed
    assert distinct >= sum(1 for value in fields if value not in ("", None))


def shows_employee(body: str, model: DraftModel) -> None:
    for name, value in (model.employee or {}).items():
        if name == "department":
            assert_selected(body, "employee-department", value)
        else:
            assert_shows(body, f"employee-{name}", value)


def shows_receipts(body: str, model: DraftModel) -> None:
    if model.unsaved is not None:
        assert body.count('class="fieldset receipt-group"') == len(model.unsaved)
        for i, fields in enumerate(model.unsaved):
            assert_fields_shown(body, named(f"receipts-{i}-", fields))
        return
    for i, r in enumerate(model.receipts):
        prefix = f"receipts-{i}-"
        for name, value in (("id", r.id), ("date", r.date), ("merchant", r.merchant)):
            assert_shows(body, prefix + name, value)
        assert_shows(body, prefix + "description", r.description)
        assert_shows(body, prefix + "amount", shown_amount(r.amount_minor, r.currency))
        assert_selected(body, prefix + "currency", r.currency)


def shows_categories(body: str, model: DraftModel) -> None:
    for i, r in enumerate(model.receipts):
        if r.id in model.categories:
            category, details = model.categories[r.id]
            assert_selected(body, f"categories-{i}-category", category)
            assert_shows(body, f"categories-{i}-details", details)
    if model.purpose is not None:
        assert_shows(body, "business_purpose", model.purpose)


def shows_review(body: str, model: DraftModel) -> None:
    rows = [("Full name", (model.employee or {}).get("full_name", ""))]
    rows += [("Merchant", r.merchant) for r in model.receipts]
    rows.append(("Business purpose", model.purpose or ""))
    for label, value in rows:
        assert f"<dt>{label}</dt><dd>{escape(value)}</dd>" in body, (label, value)


SHOWS = {
    "employee": shows_employee,
    "receipts": shows_receipts,
    "categories": shows_categories,
    "review": shows_review,
}


@pytest.fixture(scope="module", autouse=True)
def machine_app() -> Iterator[None]:
    """The app the machine's runs share: runs are kept apart by browser and draft ids."""
    with fresh_app(WIZARD_MEMORY_BUDGET=BUDGET) as app:
        WizardMachine.app = app
        yield


WizardMachine.TestCase.settings = settings(BASE, max_examples=25, stateful_step_count=15)
TestWizardJourneys = WizardMachine.TestCase
