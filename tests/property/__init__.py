"""Property-based tests (Hypothesis): strategies for every field of every step, apps of their
own, and the checks every response must pass. (The browser is tests/helpers.py's Wizard: its
calls name the draft, so one browser may hold several.)

A generated field value is a `Typed`: the text a person (or an attacker) sends, and what
SPEC §3 says about it: valid (True), invalid (False) or either (None: the spec is silent,
e.g. "12." as an amount). The oracle is written from the spec, not from app/flows/expenses/forms.py.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from flask import Flask
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from markupsafe import escape
from werkzeug.test import TestResponse

from app import create_app
from app.extensions import db

# No explain phase (it traces coverage, which makes a failing stateful run take minutes);
# one bug at a time. Failing examples are kept in .hypothesis/ and replayed first.
BASE = settings(
    phases=[phase for phase in Phase if phase is not Phase.explain],
    deadline=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# The allowed lists, as SPEC §3 names them.
DEPARTMENTS = ("Engineering", "Finance", "Human Resources", "Marketing", "Operations", "Sales")
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF")
CATEGORIES = (
    "Travel",
    "Lodging",
    "Meals",
    "Ground transport",
    "Office supplies",
    "Software",
    "Training",
    "Other",
)
EXPIRED = "This expense report draft has expired"
SUBMITTED = "This expense report has already been submitted"
OVER_BUDGET = "too large to keep in session memory"
Mode = Literal["valid", "invalid", "any"]


# ---------------------------------------------------------------- typed values


@dataclass(frozen=True)
class Typed:
    """One field as sent, and whether the spec says it must be accepted."""

    text: str
    ok: bool | None = True

    @property
    def kept(self) -> str:
        """The value as the app may keep it: surrounding whitespace stripped."""
        return self.text.strip()


def verdict(values: Iterable[Typed]) -> bool | None:
    """A page's verdict: invalid if any field is, either if any field may be, else valid."""
    oks = [value.ok for value in values]
    if False in oks:
        return False
    return None if None in oks else True


@dataclass(frozen=True)
class Rule:
    """The valid, invalid and either-way texts of one field."""

    valid: st.SearchStrategy[str]
    invalid: st.SearchStrategy[str]
    either: st.SearchStrategy[str] | None = None

    def typed(self, mode: Mode = "any") -> st.SearchStrategy[Typed]:
        """Values of this field, marked with the spec's verdict."""
        good = self.valid.map(lambda text: Typed(text, True))
        bad = self.invalid.map(lambda text: Typed(text, False))
        if mode == "valid":
            return good
        if mode == "invalid":
            return bad
        either = st.nothing() if self.either is None else self.either
        return st.one_of(good, bad, either.map(lambda text: Typed(text, None)))


# ---------------------------------------------------------------- text

MARKUP_TEMPLATES = (
    "<script>alert({n})</script>",
    '"><img src=x onerror=alert({n})>',
    "'><svg onload=alert({n})>",
    "</title><script>x{n}</script>",
    "<a href=javascript:alert({n})>x</a>",
    "<iframe srcdoc=x{n}></iframe>",
    "<!--{n}--><b>bold{n}</b>",
)
markup = st.builds(
    lambda template, n: template.format(n=n), st.sampled_from(MARKUP_TEMPLATES), st.integers(0, 999)
)
# Surrounding whitespace the app may strip (str.isspace: \x1f and \x85 count too).
WHITESPACE = (" ", "  ", "\t", "\xa0", "\u3000", "\u2003", "\n", "\r\n", "\u2028", "\x1f", "\x85")
padding = st.lists(st.sampled_from(WHITESPACE), max_size=2).map("".join)
blank = st.sampled_from(("", " ", "\t", "\xa0\u3000", "\n", "\u2028 "))
# Odd but allowed: bidi controls, combining marks, emoji sequences, quotes, template syntax.
PIECES = (
    "\u202e",
    "\u200f",
    "\u2067",
    "e\u0301",
    "\u0301",
    "\u200d",
    "\u200b",
    "\ufeff",
    "😀",
    "👩‍👩‍👧",
    "🇩🇪",
    "ß",
    "İ",
    "ﬃ",
    "\U0001d518",
    "中文",
    "العربية",
    "עברית",
    "&amp;",
    "&",
    "'",
    '"',
    "\\",
    "%s",
    "%00",
    "{{ 7*7 }}",
    "{% raw %}",
    "${x}",
    "'; DROP TABLE reports; --",
)
# Whole values that read as JSON literals: memory must give them back as typed (SPEC §6).
LITERALS = ("true", "false", "null", "0", "30", "2.5", "00123", "1e3", "[1,2]", '{"a": 1}', "[]")
CONTROLS = tuple(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
CONTROL_CHARS = st.sampled_from(CONTROLS)
VISIBLE = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Co", "Cn"])
LETTERS = st.characters(categories=["L", "N", "P", "S"], codec="utf-8")
word = st.text(st.characters(categories=["L", "N"], codec="utf-8"), min_size=1, max_size=8)


def _fits(low: int, high: int) -> Any:
    return lambda text: low <= len(text.strip()) <= high


def visible_text(low: int, high: int) -> st.SearchStrategy[str]:
    """Text without control characters whose stripped length is within [low, high]."""
    pieces = st.one_of(st.sampled_from(PIECES), markup, st.text(VISIBLE, max_size=4))
    near_limit = st.builds(
        lambda char, n: char * n,
        st.sampled_from(("a", "é", "😀", "中", "א")),
        st.integers(max(low, 1), high),
    )
    core = st.one_of(
        st.text(VISIBLE, min_size=low, max_size=min(high, 24)),
        st.lists(pieces, max_size=6).map("".join),
        st.sampled_from(LITERALS),
        near_limit,
    )
    return st.tuples(padding, core, padding).map("".join).filter(_fits(low, high))


def too_long(high: int) -> st.SearchStrategy[str]:
    """Longer than high characters however they are counted (no combining marks)."""
    return st.one_of(
        st.text(LETTERS, min_size=high + 1, max_size=high + 8),
        st.builds(
            lambda char, n: char * n, st.sampled_from(("x", "é", "😀")), st.integers(high + 1, 3000)
        ),
    )


def with_control(chars: st.SearchStrategy[str] = CONTROL_CHARS) -> st.SearchStrategy[str]:
    """A word, a character from chars, a word: nothing that stripping removes."""
    return st.builds(lambda a, c, b: a + c + b, word, chars, word)


def text_rule(high: int, required: bool) -> Rule:
    """A free-text field of up to high characters (SPEC §3)."""
    invalid = st.one_of(too_long(high), with_control(), *([blank] if required else []))
    return Rule(
        valid=visible_text(1 if required else 0, high),
        invalid=invalid,
        either=with_control(st.sampled_from(("\t", "\n", "\x9b"))),
    )


# ---------------------------------------------------------------- emails and ids


def _email(local: str, domain: str, tld: str, upper: bool) -> str:
    address = f"{local}@{domain}.{tld}"
    return address.upper() if upper else address


valid_email = st.builds(
    _email,
    st.lists(st.from_regex(r"[a-zA-Z0-9+_-]{1,8}", fullmatch=True), min_size=1, max_size=3).map(
        ".".join
    ),
    st.lists(st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6})?", fullmatch=True), max_size=2)
    .map(".".join)
    .map(lambda sub: f"{sub}.example" if sub else "example"),
    st.sampled_from(("com", "org", "net", "de", "io", "co.uk")),
    st.booleans(),
)
INVALID_EMAILS = (
    "ada",
    "ada.example.com",
    "ada@",
    "@example.com",
    "ada@@example.com",
    "ada@exa mple.com",
    "ada @example.com",
    "a..b@example.com",
    ".ada@example.com",
    "ada.@example.com",
    "ada@-example.com",
    "ada@example..com",
    "ada@example.com<script>alert(1)</script>",
    "ada\x00@example.com",
    "a" * 65 + "@example.com",
    "ada@" + "b" * 250 + ".com",
)
# Valid by RFC but refused by some checkers: the spec does not decide.
ODD_EMAILS = ("josé@example.com", "ada@bücher.de", "ada@localhost", "ada@example", '"a b"@x.com')
email_rule = Rule(
    valid=st.tuples(padding, valid_email, padding).map("".join),
    invalid=st.one_of(st.sampled_from(INVALID_EMAILS), blank, markup),
    either=st.sampled_from(ODD_EMAILS),
)
employee_id_rule = Rule(
    valid=st.tuples(
        padding,
        st.one_of(
            st.from_regex(r"[A-Za-z0-9-]{3,20}", fullmatch=True),
            st.sampled_from(("00123", "000", "---", "1e3", "true", "null", "A" * 20)),
        ),
        padding,
    ).map("".join),
    invalid=st.one_of(
        blank,
        st.from_regex(r"[A-Za-z0-9-]{1,2}|[A-Za-z0-9-]{21,40}", fullmatch=True),
        st.builds(
            lambda a, c, b: a + c + b,
            st.from_regex(r"[A-Za-z0-9]{1,5}", fullmatch=True),
            st.sampled_from((" ", "_", ".", "@", "/", "+", "#", "\x00", "<", "'")),
            st.from_regex(r"[A-Za-z0-9]{1,5}", fullmatch=True),
        ),
        markup,
    ),
    either=st.sampled_from(("ÄBC", "١٢٣", "\uff11\uff12\uff13", "abc\u200b")),
)


# ---------------------------------------------------------------- selects


def select_rule(options: tuple[str, ...]) -> Rule:
    """A select: one of options, or anything else (as a tampered form sends it)."""
    variants = (
        [o.lower() for o in options] + [f" {o} " for o in options] + [o.upper() for o in options]
    )
    folded = {o.casefold() for o in options}
    outside = st.text(max_size=12).filter(lambda text: text.strip().casefold() not in folded)
    return Rule(
        valid=st.sampled_from(options),
        invalid=st.one_of(outside, markup, st.sampled_from(("\u202eRUE", "Other\x00", "BTC"))),
        either=st.sampled_from([v for v in variants if v not in options]),
    )


department_rule = select_rule(DEPARTMENTS)
currency_rule = select_rule(CURRENCIES)
category_rule = select_rule(CATEGORIES)


# ---------------------------------------------------------------- dates


def today() -> dt.date:
    return dt.date.today()


def _days_ago(days: int) -> str:
    return (today() - dt.timedelta(days=days)).isoformat()


def _odd_date_forms(days: int) -> st.SearchStrategy[str]:
    day = today() - dt.timedelta(days=days)
    return st.sampled_from(
        (
            f"{day.year}-{day.month}-{day.day}",
            f" {day.isoformat()} ",
            f"{day.isoformat()}T00:00",
            day.strftime("%Y%m%d"),
            day.strftime("%d/%m/%Y"),
            day.strftime("%m/%d/%Y"),
        )
    )


NOT_DATES = (
    "2025-02-30",
    "2025-13-01",
    "2025-00-10",
    "2025-04-31",
    "yesterday",
    "today",
    "0000-00-00",
    "9999-99-99",
    "2025-01-01'--",
)
date_rule = Rule(
    valid=st.integers(0, 365).map(_days_ago),
    invalid=st.one_of(
        st.integers(-4000, -1).map(_days_ago),  # in the future
        st.integers(366, 20000).map(_days_ago),
        st.sampled_from(NOT_DATES),
        blank,
        markup,
    ),
    either=st.integers(1, 364).flatmap(_odd_date_forms),
)


# ---------------------------------------------------------------- amounts


def places_of(currency: str) -> int:
    """Decimal places of a currency's amounts (SPEC §3: 0 for JPY, else 2)."""
    return 0 if currency == "JPY" else 2


def minor_units(text: str, currency: str) -> int:
    """The amount a text stands for, in minor units (for texts the spec accepts)."""
    return int(Decimal(text.strip().replace(",", "")).scaleb(places_of(currency)))


def shown_amount(minor: int, currency: str) -> str:
    """How a remembered amount reads back in the Amount field: 12.50, 1500."""
    places = places_of(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f}"


def _forms_of(minor: int, places: int) -> list[str]:
    """Valid spellings of an amount: 12.50, 12.5, 1,234.50."""
    value = Decimal(minor).scaleb(-places)
    forms = [f"{value:.{places}f}", f"{value:,.{places}f}"]
    if places and minor % 10**places == 0:
        forms.append(f"{value:.0f}")
    elif places and minor % 10 == 0:
        forms.append(f"{value:.1f}")
    return forms


def _odd_forms_of(minor: int, places: int) -> list[str]:
    """Spellings the spec neither allows nor forbids: 012.50, 12., .5, 12.500, 1500.00."""
    plain = f"{Decimal(minor).scaleb(-places):.{places}f}"
    forms = ["0" + plain, plain + ("0" if places else ".00")]
    if minor % 10**places == 0:
        forms.append(plain.split(".")[0] + ".")
    if plain.startswith("0."):
        forms.append(plain[1:])
    return forms


NOT_AMOUNTS = (
    "twelve",
    "12,50",
    "1,23",
    "1 000",
    "1e3",
    "1E2",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1_000",
    "١٢",
    "\uff11\uff12",
    "+5",
    "$5",
    "5 EUR",
    "€5",
    "0x10",
    "1.2.3",
    ",",
    ".",
    "--1",
    "0",
    "0.00",
    ".00",
    "-0",
    "00",
)


def amount_rule(currency: str) -> Rule:
    """Amounts for a currency: more than 0, at most 100,000, with its decimal places."""
    places = places_of(currency)
    scale = 10**places
    minor = st.integers(1, 100_000 * scale)
    spelled = minor.flatmap(lambda m: st.sampled_from(_forms_of(m, places)))
    too_precise = st.integers(1, 100_000 * scale - 1).map(
        lambda m: f"{Decimal(m).scaleb(-places):.{places}f}" + ("1" if places else ".5")
    )
    too_big = st.integers(100_000 * scale + 1, 10**12).map(
        lambda m: f"{Decimal(m).scaleb(-places):,.{places}f}"
    )
    return Rule(
        valid=st.tuples(padding, spelled, padding).map("".join),
        invalid=st.one_of(
            st.sampled_from(NOT_AMOUNTS),
            minor.map(lambda m: "-" + shown_amount(m, currency)),
            too_precise,
            too_big,
            blank,
            markup,
        ),
        either=minor.flatmap(lambda m: st.sampled_from(_odd_forms_of(m, places))),
    )


# ---------------------------------------------------------------- pages


RECEIPT_TEXT = {"merchant": text_rule(100, True), "description": text_rule(200, False)}
EMPLOYEE_RULES = {
    "full_name": text_rule(100, True),
    "work_email": email_rule,
    "employee_id": employee_id_rule,
    "department": department_rule,
}
purpose_rule = text_rule(200, True)
details_rule = text_rule(200, False)


def field_modes(draw: Any, names: list[str], mode: Mode) -> dict[str, Mode]:
    """Each field's mode: all valid, all any, or any with at least one invalid."""
    if mode != "invalid":
        return dict.fromkeys(names, mode)
    broken = draw(st.sets(st.sampled_from(names), min_size=1))
    return {name: "invalid" if name in broken else "any" for name in names}


@st.composite
def employee_fields(draw: Any, mode: Mode = "any") -> dict[str, Typed]:
    """Step 1: the five employee fields (the manager's email differs from the work email)."""
    modes = field_modes(draw, [*EMPLOYEE_RULES, "manager_email"], mode)
    fields = {name: draw(rule.typed(modes[name])) for name, rule in EMPLOYEE_RULES.items()}
    fields["manager_email"] = draw(manager_email(fields["work_email"], modes["manager_email"]))
    return fields


def manager_email(work: Typed, mode: Mode) -> st.SearchStrategy[Typed]:
    """A manager's email: a valid one other than work, an invalid one, or work again."""
    folded = work.kept.casefold()
    good = email_rule.valid.filter(lambda text: text.strip().casefold() != folded)
    good_typed = good.map(lambda text: Typed(text, True))
    same = st.sampled_from((work.kept, work.kept.upper(), f" {work.kept.swapcase()} "))
    bad = st.one_of(email_rule.typed("invalid"), same.map(lambda text: Typed(text, False)))
    if mode == "valid":
        return good_typed
    if mode == "invalid":
        return bad
    return st.one_of(
        good_typed, bad, st.sampled_from(ODD_EMAILS).map(lambda text: Typed(text, None))
    )


receipt_id = st.from_regex(r"[A-Za-z0-9_-]{8,16}", fullmatch=True)


@st.composite
def receipt_fields(draw: Any, mode: Mode = "any") -> dict[str, Typed]:
    """Step 2: one receipt's fields (its amount spelled for its currency)."""
    modes = field_modes(draw, ["date", "merchant", "amount", "currency", "description"], mode)
    currency = draw(currency_rule.typed(modes["currency"]))
    fields = {
        "date": draw(date_rule.typed(modes["date"])),
        "merchant": draw(RECEIPT_TEXT["merchant"].typed(modes["merchant"])),
        "amount": draw(amount_rule(currency.text).typed(modes["amount"])),
        "currency": currency,
        "description": draw(RECEIPT_TEXT["description"].typed(modes["description"])),
    }
    return fields


@st.composite
def category_fields(draw: Any, mode: Mode = "any") -> dict[str, Typed]:
    """Step 3: one receipt's category and details (details required for Other)."""
    modes = field_modes(draw, ["category", "details"], mode)
    category = draw(category_rule.typed(modes["category"]))
    details = draw(details_rule.typed(modes["details"]))
    if category.text == "Other" and not details.kept:
        if modes["details"] == "valid":
            details = Typed(draw(visible_text(1, 200)), True)
        elif details.ok is not False:
            details = Typed(details.text, False)  # Other without details
    return {"category": category, "details": details}


@st.composite
def groups_of(draw: Any, fields: Any, count: int, mode: Mode) -> list[dict[str, Typed]]:
    """count groups of fields; in invalid mode at least one group is invalid."""
    broken = draw(st.integers(0, count - 1))
    return [
        draw(fields("invalid" if mode == "invalid" and i == broken else _group_mode(mode)))
        for i in range(count)
    ]


def _group_mode(mode: Mode) -> Mode:
    return "valid" if mode == "valid" else "any"


def page_verdict(*groups: Any) -> bool | None:
    """The verdict of a page made of typed values, groups and lists of groups."""
    return verdict(_flatten(groups))


def _flatten(items: Iterable[Any]) -> Iterator[Typed]:
    for item in items:
        if isinstance(item, Typed):
            yield item
        elif isinstance(item, dict):
            yield from _flatten(item.values())
        else:
            yield from _flatten(item)


def prefixed(prefix: str, fields: dict[str, Typed]) -> dict[str, str]:
    """Form data of a group: prefix + field name -> text."""
    return {prefix + name: value.text for name, value in fields.items()}


def receipts_formdata(
    receipts: list[dict[str, Typed]],
    ids: list[str],
    categories: list[dict[str, Typed]] | None = None,
) -> dict[str, str]:
    """The form data of receipt groups (with their categories when a page asks both)."""
    data: dict[str, str] = {}
    for i, (receipt, rid) in enumerate(zip(receipts, ids, strict=True)):
        data.update(prefixed(f"receipts-{i}-", receipt))
        data[f"receipts-{i}-id"] = rid
        if categories is not None:
            data.update(prefixed(f"receipts-{i}-", categories[i]))
    return data


def categories_formdata(
    categories: list[dict[str, Typed]], ids: list[str], purpose: Typed
) -> dict[str, str]:
    """The form data of step 3 with memory on: a category per remembered receipt."""
    data = {"business_purpose": purpose.text}
    for i, (category, rid) in enumerate(zip(categories, ids, strict=True)):
        data.update(prefixed(f"categories-{i}-", category))
        data[f"categories-{i}-receipt_id"] = rid
    return data


# ---------------------------------------------------------------- the app


def build_app(instance: Path, **config: Any) -> Flask:
    """An app of its own: its own memory store and reports database, no rate limits, and
    no background mail sender (its MIME boundaries would draw from `random` while
    Hypothesis draws examples)."""
    quiet = {"RATELIMIT_ENABLED": False, "OUTBOX_SEND_IN_BACKGROUND": False}
    settings = {"TESTING": True, **quiet, **config}
    return create_app(settings, instance_path=str(instance))


def close_app(app: Flask) -> None:
    """Close the app's database and store connections."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    store = app.extensions["session_memory"].store
    if hasattr(store, "close"):
        store.close()


@contextmanager
def fresh_app(**config: Any) -> Iterator[Flask]:
    """An app in a temporary instance folder, closed and removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="expense-wizard-prop-") as folder:
        app = build_app(Path(folder) / "instance", **config)
        try:
            yield app
        finally:
            close_app(app)


STEPS = ("employee", "receipts", "categories", "review")
TITLES = {  # each step's <h1> (SPEC §3)
    "employee": "Employee details",
    "receipts": "Receipts",
    "categories": "Categories",
    "review": "Review and submit",
}


# ---------------------------------------------------------------- checks on pages


def assert_no_server_error(response: TestResponse) -> None:
    """No input ever makes a 5xx (SPEC §9)."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:2000]}"


def assert_no_raw_markup(response: TestResponse, texts: Iterable[str]) -> None:
    """No markup someone typed ever reaches the page unescaped."""
    body = response.get_data(as_text=True)
    for text in texts:
        kept = text.strip()
        if re.search(r"<[A-Za-z!/]", kept) and len(kept) >= 8:
            assert kept not in body, f"unescaped markup in the page: {kept!r}"


def input_tag(body: str, name: str) -> str:
    """The <input> (or <select>) element of a field, by its name."""
    found = re.search(rf'<(?:input|select)\b[^>]*\bname="{re.escape(name)}"[^>]*>', body)
    assert found is not None, f"no field named {name!r} on the page"
    if found[0].startswith("<select"):
        return body[found.start() : body.index("</select>", found.start())]
    return found[0]


def assert_shows(body: str, name: str, value: str) -> None:
    """The field shows value, HTML-escaped."""
    tag = input_tag(body, name)
    assert f'value="{escape(value)}"' in tag, f"{name}: {value!r} is not shown; {tag[:600]!r}"


def assert_selected(body: str, name: str, value: str) -> None:
    """The select shows value as its chosen option."""
    tag = input_tag(body, name)
    assert f'<option selected value="{escape(value)}">' in tag, f"{name}: {value!r} not chosen"


def assert_error_page(response: TestResponse, step: str, title: str | None = None) -> None:
    """An invalid post: the same step again (200) with the error summary (title: the
    step's <h1>, if not the expense report's)."""
    assert response.status_code == 200, response.status_code
    heading = title or TITLES[step]
    assert f"<h1>{heading}</h1>" in response.text, f"not the {step} step again"
    assert "<title>Error: " in response.text and "There is a problem" in response.text


def assert_fields_shown(body: str, fields: dict[str, Typed], selects: Iterable[str] = ()) -> None:
    """Every text field shows what was typed (stripped); valid selects are chosen."""
    for name, value in fields.items():
        short = name.rsplit("-", 1)[-1]
        if short in selects or short in SELECT_FIELDS:
            if value.text in ALLOWED.get(short, ()):
                assert_selected(body, name, value.text)
        else:
            assert_shows(body, name, value.kept if short not in RAW_FIELDS else value.text)


SELECT_FIELDS = {"department", "currency", "category"}
RAW_FIELDS = {"date"}  # a date input shows exactly what was sent
ALLOWED = {"department": DEPARTMENTS, "currency": CURRENCIES, "category": CATEGORIES}


def named(prefix: str, fields: dict[str, Typed]) -> dict[str, Typed]:
    """The same fields keyed by their form names."""
    return {prefix + name: value for name, value in fields.items()}


def texts_of(*groups: Any) -> list[str]:
    """Every text in typed values, groups and lists of groups."""
    return [value.text for value in _flatten(groups)]
