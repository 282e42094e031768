"""The expense report as the state machine models it (SPEC §3): its pages' form data,
what memory keeps of them, what pages show, the report a submit makes; and its own rule,
Add and Remove of receipt groups.

Answers, by memory key: "employee" (field -> kept text), "receipts" (ReceiptModel list),
"categories" (receipt id -> (category, details)), "business_purpose" (kept text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hypothesis import strategies as st
from hypothesis.stateful import rule
from markupsafe import escape
from werkzeug.test import TestResponse

from app.flows.expenses.flow import EMPLOYEE, EXPENSES
from app.flows.expenses.models import Report
from tests.helpers import Wizard
from tests.property import (
    OVER_BUDGET,
    Typed,
    assert_fields_shown,
    assert_selected,
    assert_shows,
    categories_formdata,
    category_fields,
    employee_fields,
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
from tests.property.flows import (
    DRAFTS,
    Answers,
    DraftModel,
    Flat,
    FlowModel,
    Page,
    group_flat,
    group_page,
    text_bytes,
)

if TYPE_CHECKING:
    from tests.property.test_machine import FlowMachine

Groups = list[dict[str, Typed]]
Line = tuple[str, str, int, str, str, str, str]  # date, merchant, minor, currency, ...


def pages_of(fields: Any, low: int, high: int) -> st.SearchStrategy[Groups]:
    """low..high groups of fields: all valid, or at least one invalid."""
    return st.integers(low, high).flatmap(
        lambda n: st.one_of(groups_of(fields, n, "valid"), groups_of(fields, n, "invalid"))
    )


@dataclass(frozen=True)
class WholeReport:
    """A whole report as the machine may post it (categories: one per receipt or more)."""

    employee: dict[str, Typed]
    receipts: Groups
    categories: Groups
    purpose: Typed

    @property
    def ok(self) -> bool | None:
        used = self.categories[: len(self.receipts)]
        return page_verdict(self.employee, self.receipts, used, self.purpose)


@dataclass(frozen=True)
class ReceiptsPost:
    receipts: Groups
    picks: list[int]  # which remembered receipt's id each group keeps (else a new id)


@dataclass(frozen=True)
class CategoriesPost:
    """Step 3: categories and purpose; a stale page may post them in another order, lack
    a receipt or name a removed one; with memory off, receipts are asked again too."""

    categories: Groups
    purpose: Typed
    reverse: bool
    drop: bool
    stale: bool
    receipts: Groups


# Rule arguments do not depend on the state (they shrink far better than data() draws).
employee_posts = st.one_of(employee_fields("valid"), employee_fields("invalid"))
id_picks = st.lists(st.integers(0, 5), min_size=4, max_size=4)
receipt_posts = st.builds(ReceiptsPost, pages_of(receipt_fields, 1, 4), id_picks)
any_receipts = st.integers(1, 4).flatmap(lambda n: groups_of(receipt_fields, n, "any"))
four_valid_categories = groups_of(category_fields, 4, "valid")
category_posts = st.builds(
    CategoriesPost,
    pages_of(category_fields, 1, 4),
    purpose_rule.typed("any"),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    groups_of(receipt_fields, 4, "valid"),
)
whole_reports = st.builds(
    WholeReport,
    employee_posts,
    pages_of(receipt_fields, 1, 4),
    four_valid_categories,
    purpose_rule.typed("valid"),
)
valid_reports = st.builds(
    WholeReport,
    employee_fields("valid"),
    st.integers(1, 3).flatmap(lambda n: groups_of(receipt_fields, n, "valid")),
    four_valid_categories,
    purpose_rule.typed("valid"),
)


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


def receipts_flat(receipts: list[ReceiptModel | None]) -> Flat:
    """Receipts by position (None: memory had no receipt of that id)."""
    flat: Flat = {}
    names = ("date", "merchant", "amount_minor", "currency", "description")
    for n, r in enumerate(receipts, start=1):
        if r is not None:
            values = (*receipt_line(r)[:2], str(r.amount_minor), r.currency, r.description)
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


def chosen_of(ids: list[str], categories: Groups) -> dict[str, tuple[str, str]]:
    return {
        rid: (c["category"].text, c["details"].kept) for rid, c in zip(ids, categories, strict=True)
    }


def new_ids(count: int) -> list[str]:
    return [f"receipt{i:04d}" for i in range(count)]


def receipts_of(model: DraftModel) -> list[ReceiptModel]:
    receipts: list[ReceiptModel] = model.answers.get("receipts") or []
    return receipts


def raw_bytes(form: dict[str, str]) -> tuple[int, int]:
    """Bounds of the size of raw form data (receipt groups) kept in memory as JSON."""
    low = sum(len(v.encode()) for v in form.values())
    high = sum(6 * len((k + v).encode()) + 10 for k, v in form.items()) + 60 * len(form) + 100
    return low, high


EMPLOYEE_NAMES = ("full_name", "work_email", "employee_id", "department", "manager_email")


class ExpenseModel(FlowModel):
    driver = Wizard
    flow = EXPENSES
    record = Report
    reference = re.compile(r"EXP-[0-9A-Z]{8}")
    posts = {  # noqa: RUF012 (read only)
        "employee": employee_posts,
        "receipts": receipt_posts,
        "categories": category_posts,
    }
    whole = st.one_of(valid_reports, whole_reports)
    valid = valid_reports

    def page(self, step: str, raw: Any, model: DraftModel, memory_on: bool) -> Page:
        if step == "employee":
            return group_page(EMPLOYEE, raw, model, assert_fields_shown)
        if step == "receipts":
            return self.receipts_page(raw, model)
        if memory_on:
            return self.categories_by_id(raw, model)
        return self.categories_again(raw)

    def fill_post(self, step: str, whole: WholeReport) -> Any:
        if step == "employee":
            return whole.employee
        if step == "receipts":
            return ReceiptsPost(whole.receipts, list(range(len(whole.receipts))))
        return CategoriesPost(whole.categories, whole.purpose, False, False, False, whole.receipts)

    def receipts_page(self, raw: ReceiptsPost, model: DraftModel) -> Page:
        """Step 2 with one to four receipts, some keeping the ids (and so the categories)
        of receipts already remembered."""
        remembered = receipts_of(model)
        ids = pick_ids([r.id for r in remembered], raw.picks, len(raw.receipts))
        categories = model.answers.get("categories") or {}
        ok = page_verdict(raw.receipts)
        pairs = zip(ids, raw.receipts, strict=True)
        receipts = [receipt_model(rid, r) for rid, r in pairs] if ok else []  # amounts parse
        by_id = {r.id: r for r in remembered}  # memory's receipts, by id

        def shown(body: str) -> None:
            for i, fields in enumerate(raw.receipts):
                assert_fields_shown(body, named(f"receipts-{i}-", fields))

        return Page(
            form=receipts_formdata(raw.receipts, ids),
            ok=ok,
            answers={
                "receipts": receipts,
                "categories": {rid: c for rid, c in categories.items() if rid in ids},
            },
            typed=receipts_flat(list(receipts)),
            supplied=receipts_flat([by_id.get(rid) for rid in ids]),
            shown=shown,
        )

    def categories_by_id(self, raw: CategoriesPost, model: DraftModel) -> Page:
        """Step 3 with memory on: a category per receipt by receipt id (in any order; a
        stale page may lack a new receipt or name a removed one) and the purpose."""
        current = [r.id for r in receipts_of(model)] or ["receipt0000"]
        posted = list(reversed(current)) if raw.reverse else list(current)
        posted = posted[1:] if raw.drop else posted
        posted += ["receipt-removed"] if raw.stale or not posted else []
        groups = [raw.categories[i % len(raw.categories)] for i in range(len(posted))]
        by_id = dict(zip(posted, groups, strict=True))
        missing = [Typed("", False) for rid in current if rid not in by_id]
        ok = page_verdict([by_id[rid] for rid in current if rid in by_id], raw.purpose, missing)
        present = [rid for rid in current if rid in by_id]
        chosen = chosen_of(present, [by_id[rid] for rid in present])
        shown = {
            f"categories-{i}-{k}": v
            for i, rid in enumerate(current)
            for k, v in by_id.get(rid, {}).items()
        }
        before = categories_flat(
            model.answers.get("categories") or {},
            current,
            model.answers.get("business_purpose") or "",
        )
        return Page(
            form=categories_formdata(groups, posted, raw.purpose),
            ok=ok,
            answers={"categories": chosen, "business_purpose": raw.purpose.kept},
            typed=categories_flat(chosen, current, raw.purpose.kept),
            supplied=before,
            shown=lambda body: assert_fields_shown(
                body, {"business_purpose": raw.purpose, **shown}
            ),
        )

    def categories_again(self, raw: CategoriesPost) -> Page:
        """Step 3's form with memory off: the receipts again, each with its category."""
        count = min(len(raw.categories), len(raw.receipts))
        categories, receipts = raw.categories[:count], raw.receipts[:count]
        ids = new_ids(count)
        form = {
            **receipts_formdata(receipts, ids, categories),
            "business_purpose": raw.purpose.text,
        }
        shown = {f"receipts-{i}-{k}": v for i, c in enumerate(categories) for k, v in c.items()}
        again = [receipt_model(rid, r) for rid, r in zip(ids, receipts, strict=True)]
        chosen = chosen_of(ids, categories)
        return Page(
            form=form,
            ok=page_verdict(categories, raw.purpose),
            answers={},  # memory off keeps nothing
            typed={**receipts_flat(list(again)), **categories_flat(chosen, ids, raw.purpose.kept)},
            supplied={},
            shown=lambda body: assert_fields_shown(
                body, {"business_purpose": raw.purpose, **shown}
            ),
        )

    def review_again(self, whole: WholeReport) -> tuple[dict[str, str], Any, Flat]:
        count = len(whole.receipts)
        ids = new_ids(count)
        categories = whole.categories[:count]
        form = {
            **prefixed("employee-", whole.employee),
            **receipts_formdata(whole.receipts, ids, categories),
            "business_purpose": whole.purpose.text,
            "confirm": "y",
        }
        if whole.ok is not True:
            return form, None, {}
        receipts = [receipt_model(rid, r) for rid, r in zip(ids, whole.receipts, strict=True)]
        answers = {
            "employee": {k: v.kept for k, v in whole.employee.items()},
            "receipts": receipts,
            "categories": chosen_of(ids, categories),
            "business_purpose": whole.purpose.kept,
        }
        typed = {
            **group_flat("employee", answers["employee"]),
            **receipts_flat(list(receipts)),
            **categories_flat(answers["categories"], ids, whole.purpose.kept),
        }
        return form, self.expected(answers), typed

    def expected(self, answers: Answers) -> ReportModel:
        categories = answers["categories"]
        lines = [(*receipt_line(r), *categories[r.id]) for r in answers["receipts"]]
        return ReportModel(dict(answers["employee"]), lines, answers["business_purpose"])

    def stored(self, record: Report) -> ReportModel:
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
            for i in record.items
        ]
        employee = {name: getattr(record, name) for name in EMPLOYEE_NAMES}
        return ReportModel(employee, lines, record.business_purpose)

    def record_values(self, record: Report) -> list[Any]:
        values = [record.business_purpose, *(getattr(record, n) for n in EMPLOYEE_NAMES)]
        for item in record.items:
            values += [item.merchant, item.currency, item.description, item.category]
            values += [item.details, item.receipt_date, item.amount_minor]
        return values

    def memory_bytes(self, model: DraftModel) -> tuple[int, int]:
        answers = model.answers
        texts = [*(answers.get("employee") or {}).values(), answers.get("business_purpose", "")]
        for r in receipts_of(model):
            texts += [r.id, r.date, r.merchant, r.currency, r.description]
        categories = answers.get("categories") or {}
        for rid, (category, details) in categories.items():
            texts += [rid, category, details]
        overhead = 400 + 200 * (len(receipts_of(model)) + len(categories))
        low, high = text_bytes(texts, overhead)
        extra_low, extra_high = model.extra_bytes
        return low + extra_low, high + extra_high

    # ------------------------------------------------------------ what pages show

    def shows(self, step: str, body: str, model: DraftModel) -> None:
        answers = model.answers
        if step == "employee":
            for name, value in (answers.get("employee") or {}).items():
                if name == "department":
                    assert_selected(body, "employee-department", value)
                else:
                    assert_shows(body, f"employee-{name}", value)
        elif step == "receipts":
            shows_receipts(body, model)
        elif step == "categories":
            shows_categories(body, model)
        else:
            rows = [("Full name", (answers.get("employee") or {}).get("full_name", ""))]
            rows += [("Merchant", r.merchant) for r in receipts_of(model)]
            rows.append(("Business purpose", answers.get("business_purpose") or ""))
            for label, value in rows:
                assert f"<dt>{label}</dt><dd>{escape(value)}</dd>" in body, (label, value)


def shows_receipts(body: str, model: DraftModel) -> None:
    if model.unsaved is not None:
        assert_groups(body, model.unsaved)
        return
    for i, r in enumerate(receipts_of(model)):
        prefix = f"receipts-{i}-"
        for name, value in (("id", r.id), ("date", r.date), ("merchant", r.merchant)):
            assert_shows(body, prefix + name, value)
        assert_shows(body, prefix + "description", r.description)
        assert_shows(body, prefix + "amount", shown_amount(r.amount_minor, r.currency))
        assert_selected(body, prefix + "currency", r.currency)


def shows_categories(body: str, model: DraftModel) -> None:
    categories = model.answers.get("categories") or {}
    for i, r in enumerate(receipts_of(model)):
        if r.id in categories:
            category, details = categories[r.id]
            assert_selected(body, f"categories-{i}-category", category)
            assert_shows(body, f"categories-{i}-details", details)
    if "business_purpose" in model.answers:
        assert_shows(body, "business_purpose", model.answers["business_purpose"])


def assert_groups(body: str, groups: Groups) -> None:
    assert body.count('class="fieldset receipt-group"') == len(groups)
    for i, fields in enumerate(groups):
        assert_fields_shown(body, named(f"receipts-{i}-", fields))


class ReceiptRules:
    """The expense report's own rule: Add and Remove of receipt groups (a mixin of the
    machine; the support request's attachments hold files only, no text to keep)."""

    @rule(
        draft=DRAFTS,
        groups=any_receipts,
        picks=id_picks,
        action=st.integers(0, 4),
        where=st.sampled_from(EXPENSES.steps[1:]).map(lambda step: step.name),
    )
    def add_or_remove_receipt(
        self: FlowMachine, draft: str, groups: Groups, picks: list[int], action: int, where: str
    ) -> None:
        """Add another receipt (action 0), or Remove one, on step 2 (memory off: also on the
        steps that ask for the receipts again): everything typed is kept."""
        model = self.models[draft]
        step = "receipts" if self.memory_on else where
        ids = pick_ids([r.id for r in receipts_of(model)], picks, len(groups))
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
        ReceiptRules.after_change(self, model, response, after, kept)

    def after_change(
        self: FlowMachine, model: DraftModel, response: TestResponse, groups: Groups, form: Flat
    ) -> None:
        """Memory on: kept in memory, 303 back to the page; off: the page again at once."""
        if not self.memory_on:
            assert response.status_code == 200
            assert_groups(response.text, groups)
            return
        kept = {s: v for s, v in model.kept.items() if s != "receipts"}  # Add/Remove's instead
        new = replace(model, unsaved=groups, unsaved_bytes=raw_bytes(form), kept=kept)
        budget = self.budget
        if response.status_code == 200 and OVER_BUDGET in response.text:
            assert self.flow.memory_bytes(new)[1] >= budget, "refused as over budget, but fits"
            return
        assert self.flow.memory_bytes(new)[0] <= budget, "kept over the memory budget"
        assert response.status_code == 303
        assert urlsplit(response.location).path == f"/report/{model.id}/receipts"
        self.models[model.id] = new
        assert_groups(self.get(model.id, "receipts").text, groups)
