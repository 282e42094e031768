"""Properties of single steps, posted through the test client with generated input.

For every step: never a 5xx; never unescaped markup; a valid post redirects (303) to the
next step and memory gives back what was typed; an invalid post shows the same step (200)
with an error summary and every text typed (stripped, HTML-escaped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.extensions import db
from app.flows.expenses.models import Report
from tests.helpers import DRIVERS, SupportWizard, Wizard, employee_form, receipt_form
from tests.property import (
    BASE,
    OVER_BUDGET,
    STEPS,
    Mode,
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
    markup,
    minor_units,
    named,
    page_verdict,
    prefixed,
    purpose_rule,
    receipt_fields,
    receipt_id,
    receipts_formdata,
    shown_amount,
    texts_of,
    today,
)
from tests.property.flows import DraftModel
from tests.property.model_support import SupportModel

REFERENCE = re.compile(r"EXP-[0-9A-Z]{8}")
REFERENCES = {"expenses": REFERENCE, "support": re.compile(r"SUP-[0-9A-Z]{8}")}
EACH_FLOW = pytest.mark.parametrize("driver", DRIVERS, ids=[d.flow_name for d in DRIVERS])


@pytest.fixture(scope="module")
def shared_app() -> Iterator[Flask]:
    """One app for the module: every example starts its own browser and draft."""
    with fresh_app() as app:
        yield app


def path_of(response: TestResponse) -> str:
    """Where a redirect goes (path only)."""
    return urlsplit(response.location).path


def expect_outcome(
    response: TestResponse, ok: bool | None, step: str, next_path: str, title: str | None = None
) -> bool:
    """Check the response to a post on step against the spec's verdict (303 to next_path,
    or step again with errors, its <h1> title); return whether the post was accepted."""
    assert_no_server_error(response)
    if ok is True or (ok is None and response.status_code == 303):
        assert response.status_code == 303, f"a valid post was refused: {response.text[:3000]}"
        assert path_of(response) == next_path
        return True
    assert_error_page(response, step, title)
    return False


def earlier_answers(receipts: int) -> list[tuple[str, dict[str, str]]]:
    """Valid answers for steps 1-3 (Meals for every receipt), as each step posts them."""
    receipts_form = {k: v for i in range(receipts) for k, v in receipt_form(i).items()}
    categories_form = {"business_purpose": "Client visit"}
    for i in range(receipts):
        categories_form[f"categories-{i}-receipt_id"] = f"receipt{i:04d}"
        categories_form[f"categories-{i}-category"] = "Meals"
    return [
        ("employee", employee_form()),
        ("receipts", receipts_form),
        ("categories", categories_form),
    ]


def draft_on(app: Flask, driver: type[Wizard], step: str) -> tuple[Wizard, str]:
    """A new browser of the flow with a draft whose steps before step are answered (memory
    on), as the flow's driver answers them."""
    browser = driver(app.test_client())
    browser.start()
    for earlier in driver.steps[: driver.steps.index(step)]:
        assert browser.fill(earlier).status_code == 303
    return browser, browser.draft_id


def draft_at(app: Flask, step: str, receipts: int = 1) -> tuple[Wizard, str]:
    """A new browser with a draft whose steps before step are answered (memory on)."""
    browser = Wizard(app.test_client())
    browser.start()
    draft = browser.draft_id
    for earlier, form in earlier_answers(receipts)[: STEPS.index(step)]:
        assert browser.post(earlier, form, draft=draft).status_code == 303
    return browser, draft


@settings(BASE, max_examples=80)
@given(fields=employee_fields())
def test_employee_step(shared_app: Flask, fields: dict[str, Typed]) -> None:
    """Step 1: valid -> 303 to Receipts and remembered exactly (00123 stays 00123);
    invalid -> Step 1 again with errors and everything typed; never a 5xx or raw markup."""
    browser, draft = draft_at(shared_app, "employee")
    response = browser.post("employee", prefixed("employee-", fields), draft=draft)
    assert_no_raw_markup(response, texts_of(fields))
    accepted = expect_outcome(
        response, page_verdict(fields), "employee", f"/report/{draft}/receipts"
    )
    body = browser.get("employee", draft=draft).text if accepted else response.text
    assert_fields_shown(body, named("employee-", fields))


def assert_receipt_remembered(body: str, index: int, fields: dict[str, Typed], rid: str) -> None:
    """A remembered receipt reads back as typed: text stripped, amount in its currency."""
    prefix = f"receipts-{index}-"
    assert_shows(body, prefix + "id", rid)
    assert_shows(body, prefix + "merchant", fields["merchant"].kept)
    assert_shows(body, prefix + "description", fields["description"].kept)
    if fields["date"].ok:
        assert_shows(body, prefix + "date", fields["date"].text)
    currency = fields["currency"]
    if currency.ok:
        assert_selected(body, prefix + "currency", currency.text)
        minor = minor_units(fields["amount"].text, currency.text)
        assert_shows(body, prefix + "amount", shown_amount(minor, currency.text))


@st.composite
def receipts_page(draw: st.DrawFn) -> tuple[list[dict[str, Typed]], list[str]]:
    """One to three receipt groups, each with a unique well-formed receipt id."""
    count = draw(st.integers(1, 3))
    mode: Mode = draw(st.sampled_from(["valid", "invalid", "any"]))
    receipts = draw(groups_of(receipt_fields, count, mode))
    ids = draw(st.lists(receipt_id, min_size=count, max_size=count, unique=True))
    return receipts, ids


@settings(BASE, max_examples=80)
@given(page=receipts_page())
def test_receipts_step(shared_app: Flask, page: tuple[list[dict[str, Typed]], list[str]]) -> None:
    """Step 2: valid -> 303 to Categories and every receipt remembered (amount in minor
    units, read back in its currency; its id kept); invalid -> Step 2 again with errors
    and everything typed in every group."""
    receipts, ids = page
    browser, draft = draft_at(shared_app, "receipts")
    response = browser.post("receipts", receipts_formdata(receipts, ids), draft=draft)
    assert_no_raw_markup(response, texts_of(receipts))
    accepted = expect_outcome(
        response, page_verdict(receipts), "receipts", f"/report/{draft}/categories"
    )
    if accepted:
        body = browser.get("receipts", draft=draft).text
        for i, (fields, rid) in enumerate(zip(receipts, ids, strict=True)):
            assert_receipt_remembered(body, i, fields, rid)
        return
    for i, fields in enumerate(receipts):
        assert_fields_shown(response.text, named(f"receipts-{i}-", fields))


@st.composite
def categories_page(draw: st.DrawFn) -> tuple[list[dict[str, Typed]], Typed]:
    """A category group for each of one to three receipts, and the business purpose."""
    mode: Mode = draw(st.sampled_from(["valid", "invalid", "any"]))
    categories = draw(groups_of(category_fields, draw(st.integers(1, 3)), mode))
    return categories, draw(purpose_rule.typed("valid" if mode == "valid" else "any"))


MEALS = {"category": Typed("Meals"), "details": Typed("")}


@settings(BASE, max_examples=80)
@given(page=categories_page())
@example(page=([MEALS], Typed("true")))  # was remembered as True (fixed in d3b803d)
def test_categories_step(shared_app: Flask, page: tuple[list[dict[str, Typed]], Typed]) -> None:
    """Step 3: valid -> 303 to Review and every category, details and the business
    purpose remembered exactly as typed (stripped); invalid -> Step 3 again with errors
    and everything typed."""
    categories, purpose = page
    browser, draft = draft_at(shared_app, "categories", receipts=len(categories))
    ids = [f"receipt{i:04d}" for i in range(len(categories))]
    response = browser.post(
        "categories", categories_formdata(categories, ids, purpose), draft=draft
    )
    assert_no_raw_markup(response, texts_of(categories, purpose))
    ok = page_verdict(categories, purpose)
    accepted = expect_outcome(response, ok, "categories", f"/report/{draft}/review")
    body = browser.get("categories", draft=draft).text if accepted else response.text
    for i, fields in enumerate(categories):
        assert_fields_shown(body, named(f"categories-{i}-", fields))
    assert_fields_shown(body, {"business_purpose": purpose})


@settings(BASE, max_examples=30)
@given(purpose=purpose_rule.typed("valid"))
# Each of these once read back changed (fixed in d3b803d): "True"; "Not provided" and
# "False"; "Not provided"; "{'a': 1}".
@example(purpose=Typed("true"))
@example(purpose=Typed("false"))
@example(purpose=Typed("0"))
@example(purpose=Typed('{"a": 1}'))
def test_business_purpose_reads_back_as_typed(shared_app: Flask, purpose: Typed) -> None:
    """Whatever valid purpose is typed (even one that reads as JSON: true, 0, [1,2]), the
    review shows it and the submitted report stores it exactly (stripped)."""
    browser, draft = draft_at(shared_app, "categories")
    form = categories_formdata([MEALS], ["receipt0000"], purpose)
    assert browser.post("categories", form, draft=draft).status_code == 303
    review = browser.get("review", draft=draft).text
    assert f"<dt>Business purpose</dt><dd>{escape(purpose.kept)}</dd>" in review
    assert browser.post("review", {"confirm": "y"}, draft=draft).status_code == 303
    with shared_app.app_context():
        assert stored_report(draft).business_purpose == purpose.kept


SUPPORT = SupportModel()


@pytest.mark.parametrize("step", SUPPORT.steps[:-1])
@settings(BASE, max_examples=30)
@given(data=st.data())
def test_support_step(shared_app: Flask, step: str, data: st.DataObject) -> None:
    """Each support step before review (memory on), with the machine's pages of it (SPEC
    §10's rules): valid -> 303 to the next step and memory gives back what was typed
    (stripped; the option chosen); invalid -> the step again with errors and everything
    typed; never a 5xx or raw markup."""
    raw = data.draw(SUPPORT.posts[step], label="page")
    browser, draft = draft_on(shared_app, SupportWizard, step)
    page = SUPPORT.page(step, raw, DraftModel(draft), memory_on=True)
    response = browser.post(step, page.form, draft=draft)
    assert_no_raw_markup(response, page.form.values())
    following = SUPPORT.steps[SUPPORT.steps.index(step) + 1]
    next_path = f"/support/{draft}/{following}"
    if expect_outcome(response, page.ok, step, next_path, SUPPORT.title(step)):
        remembered = DraftModel(draft, answers=page.answers)
        SUPPORT.shows(step, browser.get(step, draft=draft).text, remembered)
    else:
        page.shown(response.text)


confirm_posts: st.SearchStrategy[tuple[dict[str, str], bool | None]] = st.one_of(
    st.just(({}, False)),
    st.just(({"confirm": ""}, False)),
    st.sampled_from(("y", "on", "1", "yes", "true")).map(lambda v: ({"confirm": v}, True)),
    st.sampled_from(("false", "0", "no", "off")).map(lambda v: ({"confirm": v}, None)),
)


@EACH_FLOW
@settings(BASE, max_examples=15)
@given(post=confirm_posts)
def test_review_step(
    shared_app: Flask, driver: type[Wizard], post: tuple[dict[str, str], bool | None]
) -> None:
    """Step 4 (memory on): ticked -> 303 to the confirmation, which shows the flow's
    reference (EXP-, SUP-); not ticked -> the review again with an error; never a 5xx."""
    form, ok = post
    browser, draft = draft_on(shared_app, driver, "review")
    response = browser.post("review", form, draft=draft)
    title = driver.titles[-1]
    if expect_outcome(response, ok, "review", f"{driver.prefix}/{draft}/confirmation", title):
        confirmation = browser.client.get(response.location)
        assert confirmation.status_code == 200
        assert REFERENCES[driver.flow_name].search(confirmation.text)


@dataclass(frozen=True)
class WholeReport:
    """Everything a report asks for."""

    employee: dict[str, Typed]
    receipts: list[dict[str, Typed]]
    categories: list[dict[str, Typed]]
    purpose: Typed

    @property
    def ok(self) -> bool | None:
        return page_verdict(self.employee, self.receipts, self.categories, self.purpose)

    def texts(self) -> list[str]:
        return texts_of(self.employee, self.receipts, self.categories, self.purpose)


@st.composite
def whole_report(draw: st.DrawFn) -> WholeReport:
    """A whole report, valid, invalid (one part broken) or anything."""
    mode: Mode = draw(st.sampled_from(["valid", "invalid", "any"]))
    broken = draw(st.sampled_from(["employee", "receipts", "categories", "purpose"]))
    count = draw(st.integers(1, 2))

    def part(name: str) -> Mode:
        if mode == "invalid":
            return "invalid" if name == broken else "any"
        return mode

    return WholeReport(
        employee=draw(employee_fields(part("employee"))),
        receipts=draw(groups_of(receipt_fields, count, part("receipts"))),
        categories=draw(groups_of(category_fields, count, part("categories"))),
        purpose=draw(purpose_rule.typed(part("purpose"))),
    )


@settings(BASE, max_examples=50)
@given(report=whole_report())
def test_whole_report_with_memory_off(shared_app: Flask, report: WholeReport) -> None:
    """Memory off, the review page asks for the whole report: valid -> one report equal to
    what was typed (stripped; amounts in minor units); invalid -> the page again with
    errors and everything typed."""
    browser = Wizard(shared_app.test_client())
    assert browser.switch_memory(False).status_code == 303
    browser.start()
    draft = browser.draft_id
    ids = [f"receipt{i:04d}" for i in range(len(report.receipts))]
    form = {
        **prefixed("employee-", report.employee),
        **receipts_formdata(report.receipts, ids, report.categories),
        "business_purpose": report.purpose.text,
        "confirm": "y",
    }
    response = browser.post("review", form, draft=draft)
    assert_no_raw_markup(response, report.texts())
    if expect_outcome(response, report.ok, "review", f"/report/{draft}/confirmation"):
        assert_report_is(shared_app, draft, report)
        return
    assert_fields_shown(response.text, named("employee-", report.employee))
    assert_fields_shown(response.text, {"business_purpose": report.purpose})
    for i, (receipt, category) in enumerate(zip(report.receipts, report.categories, strict=True)):
        assert_fields_shown(response.text, named(f"receipts-{i}-", {**receipt, **category}))


def stored_report(draft: str) -> Report:
    """The one report of a draft (fails if there are none or several)."""
    [report] = db.session.scalars(select(Report).where(Report.draft_id == draft)).all()
    return report


def assert_report_is(app: Flask, draft: str, report: WholeReport) -> None:
    """The stored report holds exactly what was typed (texts stripped, amounts in minor units)."""
    with app.app_context():
        stored = stored_report(draft)
        employee = {name: value.kept for name, value in report.employee.items()}
        assert {name: getattr(stored, name) for name in employee} == employee
        assert stored.business_purpose == report.purpose.kept
        got = [
            (i.merchant, i.amount_minor, i.currency, i.description, i.category, i.details)
            for i in stored.items
        ]
        want = [
            (
                r["merchant"].kept,
                minor_units(r["amount"].text, r["currency"].text),
                r["currency"].text,
                r["description"].kept,
                c["category"].text,
                c["details"].kept,
            )
            for r, c in zip(report.receipts, report.categories, strict=True)
        ]
        assert got == want


# ---------------------------------------------------------------- hostile form data

FIELD_NAMES = (
    r"(receipts|categories)-\d{1,3}-"
    r"(id|date|merchant|amount|currency|description|file_id|category|details|receipt_id)"
    r"|employee-(full_name|work_email|employee_id|department|manager_email)"
    r"|attachments-\d{1,3}-(id|file_id|file)"
    r"|contact-(full_name|email|customer_number|preferred_contact|phone)"
    r"|order-(product|order_number|purchased_on)|problem-(what_went_wrong|description)"
    r"|business_purpose|urgency|confirm|action|csrf_token|[a-z_-]{1,12}"
)
ACTIONS = (
    "add",
    "continue",
    "remove-0",
    "remove-1",
    "remove-99",
    "remove-x",
    "remove-" + "9" * 40,
    "remove-file-0",
    "remove-file--1",
    "explode",
)
hostile_value = st.one_of(st.text(max_size=30), markup, st.sampled_from(ACTIONS))


# ---------------------------------------------------------------- the memory budget


@pytest.fixture(scope="module")
def small_budget_app() -> Iterator[Flask]:
    """An app whose drafts may keep 2 KB of memory, so the budget is easy to reach."""
    with fresh_app(WIZARD_MEMORY_BUDGET=2048) as app:
        yield app


def receipt(**texts: str) -> dict[str, Typed]:
    """A receipt group of plain valid texts (for explicit examples)."""
    values = {"date": today().isoformat(), "merchant": "Hotel", "amount": "12.50"}
    values |= {"currency": "EUR", "description": "", **texts}
    return {name: Typed(text) for name, text in values.items()}


def post_receipts(
    browser: Wizard, draft: str, groups: list[dict[str, Typed]], action: str
) -> TestResponse:
    ids = [f"receipt{i:04d}" for i in range(len(groups))]
    return browser.post(
        "receipts", {**receipts_formdata(groups, ids), "action": action}, draft=draft
    )


any_groups = st.integers(1, 4).flatmap(lambda n: groups_of(receipt_fields, n, "any"))
valid_groups = st.integers(1, 4).flatmap(lambda n: groups_of(receipt_fields, n, "valid"))


@settings(BASE, max_examples=40)
@given(typed=any_groups, action=st.sampled_from(["add", "remove-0"]), final=valid_groups)
@example(  # BUG: refused as over budget (2,472 bytes) though the memory it leaves fits
    typed=[receipt(), receipt(merchant="\U0001f600" * 100, description="d" * 200)],
    action="add",
    final=[receipt(description=c * 200) for c in "abcd"],
)
def test_add_or_remove_never_blocks_a_later_continue(
    small_budget_app: Flask,
    typed: list[dict[str, Typed]],
    action: str,
    final: list[dict[str, Typed]],
) -> None:
    """Memory on: a valid Continue on step 2 gets the same answer after Add or Remove
    (whose unvalidated input memory keeps until then) as on a fresh draft. The budget
    judges what memory will hold, not the input this Continue replaces (SPEC §6)."""
    fresh, fresh_draft = draft_at(small_budget_app, "receipts")
    expected = post_receipts(fresh, fresh_draft, final, "continue").status_code
    browser, draft = draft_at(small_budget_app, "receipts")
    changed = post_receipts(browser, draft, typed, action)
    assert_no_server_error(changed)
    if changed.status_code == 200:  # Add or Remove itself was over the budget
        assert OVER_BUDGET in changed.text
    response = post_receipts(browser, draft, final, "continue")
    assert_no_server_error(response)
    assert response.status_code == expected, re.findall(r"too large[^<]*", response.text)


STALE_PAGE = {"categories-0-category": "Meals", "categories-1-category": "Meals"}


@EACH_FLOW
@settings(BASE, max_examples=40)
@given(
    number=st.integers(0, 3),
    memory_on=st.booleans(),
    form=st.dictionaries(st.from_regex(FIELD_NAMES, fullmatch=True), hostile_value, max_size=30),
)
# Was a 500: a step 3 page with more groups than remembered receipts failing its CSRF check
# (fixed in 4d32e5f).
@example(number=2, memory_on=True, form={"csrf_token": "", **STALE_PAGE})
def test_any_form_data_never_breaks_a_step(
    shared_app: Flask, driver: type[Wizard], number: int, memory_on: bool, form: dict[str, str]
) -> None:
    """Whatever a tampered form posts to any step (number: its index) of either flow, with
    memory on or off: a page of the site (200, 303, or a 4xx), never a 5xx, never unescaped
    markup."""
    step = driver.steps[number]
    browser, draft = draft_on(shared_app, driver, step)
    if not memory_on:
        browser.switch_memory(False)
    response = browser.post(step, form, draft=draft)
    assert_no_server_error(response)
    assert_no_raw_markup(response, form.values())
    if response.status_code == 303:
        follow = browser.client.get(response.location)
        assert_no_server_error(follow)
        assert_no_raw_markup(follow, form.values())


url_segment = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="/?#%"),
    min_size=1,
    max_size=40,
)


PAGES = sorted({*(s for d in DRIVERS for s in d.steps), "confirmation", "delete", "keep-alive"})


@EACH_FLOW
@settings(BASE, max_examples=30)
@given(
    draft_id=url_segment,
    page=st.one_of(st.sampled_from(PAGES), url_segment),
    post=st.booleans(),
)
def test_made_up_draft_urls_get_a_404(
    shared_app: Flask, driver: type[Wizard], draft_id: str, page: str, post: bool
) -> None:
    """A draft id this browser never had (SPEC §3: made up): 404 for any page of either
    flow, GET or POST (405 where the page takes no such method; keep-alive says 410, gone),
    never a 5xx."""
    browser = driver(shared_app.test_client())
    path = f"{driver.prefix}/{quote(draft_id, safe='')}/{quote(page, safe='')}"
    response = (
        browser.client.post(path, data={"csrf_token": browser.token()})
        if post
        else browser.client.get(path)
    )
    assert_no_server_error(response)
    assert response.status_code in (404, 405, 410), (path, response.status_code)
    assert response.status_code != 410 or page == "keep-alive"
