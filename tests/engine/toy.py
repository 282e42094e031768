"""A tiny flow of the tests' own: two steps, one repeatable collection. It is declared the
way a product flow is, and the engine serves it with no line of engine code for it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wtforms import Form
from wtforms.validators import Regexp

from app.flows.engine import Collection, Flow, Group, Step
from app.flows.engine.fields import HiddenField, RequiredWhen, radios, text
from app.flows.engine.sections import Row
from app.flows.engine.submission import Submission, TypingCounts
from app.memory import BudgetExceededError, TooLargeForCookieError, TooManyCookiesError

TEMPLATES = str(Path(__file__).parent / "templates")


class PersonForm(Form):
    name = text("Your name", "Enter your name", 50)
    town = text("Town", None, 50)
    reach = radios("How to reach you", ("Email", "Phone"), "Select how to reach you")
    phone = text(
        "Phone",
        None,
        20,
        checks=(
            RequiredWhen("reach", "Phone", "Enter your phone number"),
            Regexp(r"^[0-9 +()-]{6,20}$", message="Enter a phone number, like 020 7946 0000"),
        ),
    )


class ThingForm(Form):
    id = HiddenField()
    label = text("Label", "Enter a label for {item}", 50)


@dataclass
class Sent:
    """What the toy's submission stored."""

    draft_id: str
    lineage: str
    reference: str
    answers: dict[str, Any]
    counts: TypingCounts


SENT: dict[str, Sent] = {}  # lineage -> what was stored from it (tests clear it)


def store(
    draft_id: str, lineage: str, answers: dict[str, Any], counts: TypingCounts, on: bool
) -> Sent:
    """Once per lineage, like a product's submit: a second call returns the first record."""
    reference = f"TOY-{len(SENT) + 1}"
    return SENT.setdefault(lineage, Sent(draft_id, lineage, reference, answers, counts))


def find(draft_id: str, lineage: str | None) -> Sent | None:
    return next((s for s in SENT.values() if s.draft_id == draft_id or s.lineage == lineage), None)


PERSON = Group("person", PersonForm, "About you", "toy/person.html")
THINGS = Collection(
    "things",
    ThingForm,
    to_value=lambda entry: {"id": entry["id"].data, "label": entry["label"].data},
    to_formdata=lambda item: {k: str(v) for k, v in item.items()},
    max_items=3,
    item_anchor="thing",
    item_rows=lambda item, shown: (Row("Label", item["label"]),),
    item_heading="Thing",
    heading="Things",
    template="toy/things.html",
)
TOY = Flow(
    name="toy",
    prefix="/toy",
    noun="toy request",
    steps=(
        Step("person", "About you", "engine/step.html", asks=(PERSON,)),
        Step("things", "Your things", "engine/review.html", asks=(THINGS,), needs=(PERSON,)),
    ),
    sections=(PERSON, THINGS),
    submission=Submission(
        store=store,  # type: ignore[arg-type]
        find=find,
        answers_of=lambda sent: sent.answers,
    ),
    refusals={
        BudgetExceededError: "Too much to keep ({size} of {limit} bytes).",
        TooLargeForCookieError: "Too much for a cookie ({size} of {limit} bytes).",
        TooManyCookiesError: "Too many cookies ({size} of {limit} bytes).",
    },
    confirmation_template="toy/confirmation.html",
    start_label="Start a toy request",
    submit_label="Send toy request",
)
