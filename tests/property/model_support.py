"""The support request as the state machine models it (SPEC §10): the rules of its fields,
its pages' form data, what memory keeps, what pages show, the request a send stores.

Answers, by memory key: "contact", "order", "problem" (field -> kept text), "urgency" (the
chosen option), "attachments" (always none: the machine posts blank attachment groups,
which are no attachment; files are the integration tests' business).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from markupsafe import escape

from app.flows.support.flow import CONTACT, ORDER, SUPPORT
from app.flows.support.models import SupportRequest
from tests.helpers import SupportWizard
from tests.property import (
    NOT_DATES,
    Mode,
    Rule,
    Typed,
    _days_ago,
    _odd_date_forms,
    assert_selected,
    assert_shows,
    blank,
    email_rule,
    field_modes,
    markup,
    padding,
    page_verdict,
    prefixed,
    select_rule,
    text_rule,
    with_control,
)
from tests.property.flows import (
    Answers,
    DraftModel,
    Flat,
    FlowModel,
    Page,
    assert_checked,
    assert_textarea,
    group_flat,
    group_page,
    text_bytes,
)

# The allowed lists, as SPEC §10 names them.
CONTACT_BY = ("Email", "Phone")
PRODUCTS = ("Laptop", "Phone", "Tablet", "Headphones", "Smart watch", "Other")
PROBLEMS = (
    "Does not turn on",
    "Broken or damaged",
    "Missing parts",
    "Wrong item",
    "Billing",
    "Other",
)
URGENCIES = ("Low", "Normal", "High")
OPTIONS = {
    "preferred_contact": CONTACT_BY,
    "product": PRODUCTS,
    "what_went_wrong": PROBLEMS,
    "urgency": URGENCIES,
}
RADIOS = {"preferred_contact", "urgency"}


def code_rule(low: int, high: int, required: bool) -> Rule:
    """low..high letters, digits or hyphens, kept as typed (stripped)."""
    short = rf"[A-Za-z0-9-]{{1,{low - 1}}}"
    return Rule(
        valid=st.tuples(
            padding,
            st.one_of(
                st.from_regex(rf"[A-Za-z0-9-]{{{low},{high}}}", fullmatch=True),
                st.sampled_from(("0" * low, "-" * low, "A" * high)),
            ),
            padding,
        ).map("".join),
        invalid=st.one_of(
            *([blank] if required else []),
            st.from_regex(rf"{short}|[A-Za-z0-9-]{{{high + 1},{high + 20}}}", fullmatch=True),
            st.builds(
                lambda a, c, b: a + c + b,
                st.from_regex(r"[A-Za-z0-9]{2,5}", fullmatch=True),
                st.sampled_from((" ", "_", ".", "@", "/", "+", "#", "\x00", "<", "'", "é")),
                st.from_regex(r"[A-Za-z0-9]{2,5}", fullmatch=True),
            ),
            markup,
        ),
    )


PHONE_CHARS = st.from_regex(r"[0-9 +()-]{6,20}", fullmatch=True)
phone_rule = Rule(  # not blank: whether blank is allowed depends on the preferred contact
    valid=st.tuples(padding, PHONE_CHARS, padding)
    .map("".join)
    .filter(lambda text: 6 <= len(text.strip()) <= 20),
    invalid=st.one_of(
        st.from_regex(r"[0-9]{1,5}|[0-9]{21,30}", fullmatch=True),
        st.sampled_from(("phone", "020 7946 x000", "+44 (20) 7946.0000", "١٢٣٤٥٦٧")),
        with_control(),
        markup,
    ),
)
FIVE_YEARS = 5 * 365  # days surely within 5 years; 5 * 365 + 2 surely not
purchase_rule = Rule(
    valid=st.integers(0, FIVE_YEARS).map(_days_ago),
    invalid=st.one_of(
        st.integers(-4000, -1).map(_days_ago),  # in the future
        st.integers(FIVE_YEARS + 3, 20000).map(_days_ago),
        st.sampled_from(NOT_DATES),
        blank,
        markup,
    ),
    either=st.integers(1, 364).flatmap(_odd_date_forms),
)
CONTACT_RULES = {
    "full_name": text_rule(100, True),
    "email": email_rule,
    "customer_number": code_rule(4, 20, False),
    "preferred_contact": select_rule(CONTACT_BY),
}
ORDER_RULES = {
    "product": select_rule(PRODUCTS),
    "order_number": code_rule(6, 20, True),
    "purchased_on": purchase_rule,
}
PROBLEM_RULES = {"what_went_wrong": select_rule(PROBLEMS), "description": text_rule(2000, True)}
urgency_rule = select_rule(URGENCIES)


def phone_for(preferred: Typed, mode: Mode) -> st.SearchStrategy[Typed]:
    """A phone: required when Phone is chosen, else blank or a valid number."""
    required = preferred.text == "Phone"
    empty = blank.map(lambda text: Typed(text, not required))
    good = phone_rule.typed("valid")
    if mode == "valid":
        return good if required else st.one_of(empty, good)
    bad = phone_rule.typed("invalid")
    if mode == "invalid":
        return st.one_of(bad, empty) if required else bad
    return st.one_of(good, bad, empty)


@st.composite
def group_fields(draw: Any, rules: dict[str, Rule], mode: Mode = "any") -> dict[str, Typed]:
    modes = field_modes(draw, list(rules), mode)
    return {name: draw(rule.typed(modes[name])) for name, rule in rules.items()}


@st.composite
def contact_fields(draw: Any, mode: Mode = "any") -> dict[str, Typed]:
    """Step 1: the five contact fields (the phone as the preferred contact asks)."""
    modes = field_modes(draw, [*CONTACT_RULES, "phone"], mode)
    fields = {name: draw(rule.typed(modes[name])) for name, rule in CONTACT_RULES.items()}
    fields["phone"] = draw(phone_for(fields["preferred_contact"], modes["phone"]))
    return fields


def valid_or_not(fields: Any) -> st.SearchStrategy[dict[str, Typed]]:
    return st.one_of(fields("valid"), fields("invalid"))


def order_fields(mode: Mode) -> st.SearchStrategy[dict[str, Typed]]:
    return group_fields(ORDER_RULES, mode)


@dataclass(frozen=True)
class ProblemPost:
    """Step 3: the problem, the urgency and blank attachment groups; with memory off the
    page asks for the order again (order)."""

    problem: dict[str, Typed]
    urgency: Typed
    attachments: int
    order: dict[str, Typed]


@st.composite
def problem_posts(draw: Any, mode: Mode) -> ProblemPost:
    modes = field_modes(draw, [*PROBLEM_RULES, "urgency"], mode)
    problem = {name: draw(rule.typed(modes[name])) for name, rule in PROBLEM_RULES.items()}
    urgency = draw(urgency_rule.typed(modes["urgency"]))
    order_mode = "valid" if mode == "valid" else draw(st.sampled_from(["valid", "invalid"]))
    order = draw(order_fields(order_mode))
    return ProblemPost(problem, urgency, draw(st.integers(0, 2)), order)


@dataclass(frozen=True)
class WholeRequest:
    """A whole request: the contact details and the rest (the order in problem.order)."""

    contact: dict[str, Typed]
    problem: ProblemPost

    def fields(self) -> list[Any]:
        post = self.problem
        return [self.contact, post.order, post.problem, post.urgency]


contact_posts = valid_or_not(contact_fields)
order_posts = valid_or_not(order_fields)
any_problem = st.one_of(problem_posts("valid"), problem_posts("invalid"))
valid_requests = st.builds(WholeRequest, contact_fields("valid"), problem_posts("valid"))
whole_requests = st.builds(WholeRequest, contact_posts, any_problem)


def kept(name: str, value: Typed) -> str:
    """A field as memory keeps it: stripped; a description's line breaks counted once."""
    text = value.kept
    return text.replace("\r\n", "\n") if name == "description" else text


def kept_all(fields: dict[str, Typed]) -> dict[str, str]:
    return {name: kept(name, value) for name, value in fields.items()}


def attachment_groups(count: int) -> dict[str, str]:
    """Attachment groups left blank (no file): no attachment at all."""
    form: dict[str, str] = {}
    for i in range(count):
        form |= {f"attachments-{i}-id": f"attachment{i:04d}", f"attachments-{i}-file_id": ""}
    return form


def assert_support_shown(body: str, fields: dict[str, Typed]) -> None:
    """Every field shows what was typed: text stripped, a date as sent, a valid choice
    chosen."""
    for name, value in fields.items():
        short = name.rsplit("-", 1)[-1]
        if short in OPTIONS:
            if value.text in OPTIONS[short]:
                check = assert_checked if short in RADIOS else assert_selected
                check(body, name, value.text)
        elif short == "description":
            assert_textarea(body, name, kept(short, value))
        else:
            assert_shows(body, name, value.text if short == "purchased_on" else value.kept)


class SupportModel(FlowModel):
    driver = SupportWizard
    flow = SUPPORT
    record = SupportRequest
    reference = re.compile(r"SUP-[0-9A-Z]{8}")
    posts = {  # noqa: RUF012 (read only)
        "contact": contact_posts,
        "order": order_posts,
        "problem": any_problem,
    }
    whole = st.one_of(valid_requests, whole_requests)
    valid = valid_requests
    examples = 15

    def page(self, step: str, raw: Any, model: DraftModel, memory_on: bool) -> Page:
        if step in ("contact", "order"):
            section = CONTACT if step == "contact" else ORDER
            return group_page(section, raw, model, assert_support_shown, kept)
        return self.problem_page(raw, model, memory_on)

    def problem_page(self, raw: ProblemPost, model: DraftModel, memory_on: bool) -> Page:
        """Step 3; with memory off it asks for the order again (SPEC §10)."""
        again = {} if memory_on else raw.order
        form = {
            **prefixed("problem-", raw.problem),
            "urgency": raw.urgency.text,
            **attachment_groups(raw.attachments),
            **prefixed("order-", again),
        }
        problem = kept_all(raw.problem)
        held = model.answers
        named = {
            **{f"problem-{k}": v for k, v in raw.problem.items()},
            "urgency": raw.urgency,
            **{f"order-{k}": v for k, v in again.items()},
        }
        return Page(
            form=form,
            ok=page_verdict(raw.problem, raw.urgency, again),
            answers={"problem": problem, "urgency": raw.urgency.text, "attachments": []},
            typed={
                **group_flat("problem", problem),
                **urgency_flat(raw.urgency.text),
                **group_flat("order", kept_all(again)),
            },
            supplied={
                **group_flat("problem", held.get("problem")),
                **urgency_flat(held.get("urgency", "")),
            },
            shown=lambda body: assert_support_shown(body, named),
        )

    def fill_post(self, step: str, whole: WholeRequest) -> Any:
        if step == "contact":
            return whole.contact
        return whole.problem.order if step == "order" else whole.problem

    def review_again(self, whole: WholeRequest) -> tuple[dict[str, str], Any, Flat]:
        """Memory off, review asks for everything again, the email included."""
        post = whole.problem
        form = {
            **prefixed("contact-", whole.contact),
            **prefixed("order-", post.order),
            **prefixed("problem-", post.problem),
            "urgency": post.urgency.text,
            "confirm": "y",
        }
        if page_verdict(*whole.fields()) is not True:
            return form, None, {}
        answers = {
            "contact": kept_all(whole.contact),
            "order": kept_all(post.order),
            "problem": kept_all(post.problem),
            "urgency": post.urgency.text,
            "attachments": [],
        }
        typed = {
            **{
                k: v
                for g in ("contact", "order", "problem")
                for k, v in group_flat(g, answers[g]).items()
            },
            **urgency_flat(post.urgency.text),
        }
        return form, self.expected(answers), typed

    def expected(self, answers: Answers) -> dict[str, Any]:
        groups = ("contact", "order", "problem")
        values = {k: v for group in groups for k, v in answers[group].items()}
        return {**values, "urgency": answers["urgency"], "attachments": 0}

    def stored(self, record: SupportRequest) -> dict[str, Any]:
        names = ("full_name", "email", "customer_number", "preferred_contact", "phone")
        names += ("product", "order_number", "what_went_wrong", "description", "urgency")
        values = {name: getattr(record, name) for name in names}
        values["purchased_on"] = record.purchased_on.isoformat()
        return {**values, "attachments": len(record.attachments)}

    def record_values(self, record: SupportRequest) -> list[Any]:
        return [v for k, v in self.stored(record).items() if k != "attachments"]

    def memory_bytes(self, model: DraftModel) -> tuple[int, int]:
        answers = model.answers
        texts = [answers.get("urgency", "")]
        for group in ("contact", "order", "problem"):
            texts += list((answers.get(group) or {}).values())
        low, high = text_bytes(texts, 500)
        extra_low, extra_high = model.extra_bytes
        return low + extra_low, high + extra_high

    def shows(self, step: str, body: str, model: DraftModel) -> None:
        answers = model.answers
        if step == "review":
            rows = [("Full name", "contact", "full_name"), ("Email", "contact", "email")]
            rows += [("Order number", "order", "order_number")]
            rows += [("Description", "problem", "description")]
            for label, group, name in rows:
                value = (answers.get(group) or {}).get(name, "")
                assert f"<dt>{label}</dt><dd>{escape(value)}</dd>" in body, (label, value)
            return
        for group in self.step(step).asks:
            held = answers.get(str(group.key))
            if isinstance(held, dict):
                fields = {f"{group.name}-{k}": Typed(v) for k, v in held.items()}
                assert_support_shown(body, fields)
            elif isinstance(held, str):
                assert_checked(body, group.name, held)


def urgency_flat(urgency: str) -> Flat:
    return {"urgency": urgency} if urgency else {}
