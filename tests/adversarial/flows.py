"""What the trust suite needs of a flow beyond the drivers' flow-neutral API (tests/helpers.py):
a text field on the step with Add and Remove, an answer that step refuses, and every answer
at once (memory off asks them again).
Each function takes a driver, so a test written with them runs on every flow."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from app.extensions import db
from app.flows.expenses.forms import MAX_RECEIPTS
from app.flows.expenses.models import Report
from app.flows.support.forms import MAX_ATTACHMENTS
from app.flows.support.models import SupportRequest
from tests.adversarial.browsers import forms_of
from tests.files import png
from tests.helpers import Wizard

# What a page says of a file id the draft never stored ("... is not one this draft stored",
# "This attachment is not a file this draft stored").
MADE_UP_FILE = "this draft stored"


@dataclass(frozen=True)
class ItemsStep:
    typed: str  # a text field of the items step (a page_data key) ...
    typed_name: str  # ... and its name in the form
    wrong: dict[str, str]  # page_data changes the step refuses ...
    error: tuple[str, str]  # ... and the error it lists then
    odd_item: tuple[str, str]  # an item field and a value that make a stray item an error


STEPS = {
    "expenses": ItemsStep(
        "merchant",
        "receipts-0-merchant",
        {"amount": "x"},
        ("receipts-0-amount", "The amount of receipt 1 must be a number, like 12.50"),
        ("amount", "1"),
    ),
    "support": ItemsStep(
        "description",
        "problem-description",
        {"what_went_wrong": ""},
        ("problem-what_went_wrong", "Select what went wrong"),
        ("file_id", "madeUpFileId0000000000"),
    ),
}


MODELS = {"expenses": Report, "support": SupportRequest}  # what a submission stores
MAX_ITEMS = {"expenses": MAX_RECEIPTS, "support": MAX_ATTACHMENTS}  # items one page may hold
REFERENCE = {"expenses": "EXP-", "support": "SUP-"}  # how a submission's reference begins
# A text field of the second step (a page_data key) taking letters and digits: what a test
# types there to see whether it was kept.
SECOND_STEP_TEXT = {"expenses": "merchant", "support": "order_number"}


def second_step(wizard: Wizard, text: str) -> dict[str, str]:
    """The second step's valid fields with `text` (6-20 letters or digits) typed in it."""
    field = SECOND_STEP_TEXT[wizard.flow_name]
    return wizard.page_data(wizard.steps[1], **{field: text})


def references(wizard: Wizard, app: Flask) -> list[str]:
    """The references of the flow's stored submissions."""
    with app.app_context():
        return [r.reference for r in db.session.query(MODELS[wizard.flow_name]).all()]


def forms(flow: type[Wizard]) -> Wizard:
    """A driver for its forms only (page_data, typed...): the browser is an HTTP one."""
    return flow(None)  # type: ignore[arg-type]


def items_step(wizard: Wizard) -> ItemsStep:
    return STEPS[wizard.flow_name]


def title(wizard: Wizard, step: str) -> str:
    """The <h1> of one of the flow's steps."""
    return wizard.titles[wizard.steps.index(step)]


def typed(wizard: Wizard, text: str, wrong: bool = False) -> dict[str, str]:
    """The items step's valid fields with `text` typed in its text field (and, if `wrong`,
    one answer it refuses)."""
    facts = items_step(wizard)
    changes = {facts.typed: text, **(facts.wrong if wrong else {})}
    return wizard.page_data(wizard.items_step, **changes)


def shown(page: TestResponse, wizard: Wizard) -> str | None:
    """What the page's items-step form shows in its text field (None: no such field)."""
    name = items_step(wizard).typed_name
    return next((f.fields[name] for f in forms_of(page) if name in f.fields), None)


def kept(wizard: Wizard) -> str | None:
    """What the draft's items step shows in its text field now."""
    return shown(wizard.get(wizard.items_step), wizard)


def item_field(wizard: Wizard, index: int | str, name: str) -> str:
    """The form name of an item's field: receipts-0-file_id, attachments-0-file_id..."""
    return f"{wizard.items}-{index}-{name}"


def with_file(wizard: Wizard, content: bytes | None = None) -> dict[str, Any]:
    """The items step's fields with one item holding an uploaded file (post it multipart)."""
    upload = (io.BytesIO(png() if content is None else content), "photo.png")
    return {**wizard.items_page([{}]), item_field(wizard, 0, "file"): upload}


def with_files(wizard: Wizard, count: int, name: str = "photo") -> dict[str, Any]:
    """The items step's fields with `count` items, each holding an uploaded file
    (<name><i>.png); post them multipart."""
    files = {
        item_field(wizard, i, "file"): (io.BytesIO(png()), f"{name}{i}.png") for i in range(count)
    }
    return {**wizard.items_page([{} for _ in range(count)]), **files}


def before_items(wizard: Wizard) -> None:
    """Every step before the items step answered (memory on), the draft started first."""
    wizard.start()
    for step in wizard.steps[: wizard.steps.index(wizard.items_step)]:
        wizard.moved_on(wizard.fill(step))


def after_items(wizard: Wizard) -> tuple[str, ...]:
    """The steps between the items step and review."""
    return wizard.steps[wizard.steps.index(wizard.items_step) + 1 : -1]


def stray_item(wizard: Wizard, index: str) -> dict[str, str]:
    """One field of an item numbered `index`: a page that took it for an item lists an error."""
    name, value = items_step(wizard).odd_item
    return {item_field(wizard, index, name): value}


def named_items(wizard: Wizard, names: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    """The items step's fields with one item per name, and what the page shows of each: a
    receipt's merchant; an attachment's file name (the files uploaded first, as a browser
    does: an attachment without a file is no attachment)."""
    if wizard.flow_name == "expenses":
        return wizard.items_page([{"merchant": n} for n in names]), [f'value="{n}"' for n in names]
    files = {
        item_field(wizard, i, "file"): (io.BytesIO(png()), f"{n}.png") for i, n in enumerate(names)
    }
    data = {**wizard.items_page([{} for _ in names]), **files, "action": "add"}
    page = wizard.post(wizard.items_step, data, content_type="multipart/form-data")
    assert page.status_code == 200, page.status_code
    form = next(f for f in forms_of(page) if f.action.endswith(f"/{wizard.items_step}"))
    fields = {
        k: v
        for k, v in form.fields.items()
        if k not in ("action", "revision", "csrf_token", "memory_state")
    }
    return fields, [f"{n}.png" for n in names]


def every_answer(wizard: Wizard) -> dict[str, str]:
    """Every step's fields at once: what a page asks again with memory off."""
    data: dict[str, str] = {}
    for step in wizard.steps[:-1]:
        data.update(wizard.page_data(step))
    if wizard.flow_name == "expenses":  # the receipts asked again carry their category
        data["receipts-0-category"] = "Meals"
    return data


def at_review(wizard: Wizard) -> None:
    """A draft started and every step before review answered (memory on or off)."""
    wizard.start()
    answers = every_answer(wizard)
    for step in wizard.steps[:-1]:
        wizard.moved_on(wizard.post(step, wizard.page_data(step) if wizard.memory_on else answers))
