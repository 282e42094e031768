"""Every field every page sends, hidden ones and buttons too, with control characters, odd
Unicode digits and overlong numbers, as a web scanner sends them: on each step, in each
place memory lives, memory on and off. Never a 5xx; a step page that comes back shows what
was typed (issue 15, class 3). On both flows."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.adversarial.browsers import PageForm, forms_of, heading
from tests.adversarial.browsers import step_form as form_of_step
from tests.helpers import PLACES, Wizard, employee_form, receipt_form, support_page

# What scanners send (control characters, header injection), what int() and str.isdigit()
# disagree on, and text that turns around. Each field gets one of each kind, in turn; with
# FUZZ_ALL=1 every field gets every value (about three times the requests).
KINDS = [
    ["\x00", "\r\nX-Injected: 1", "\n", "\x1b[0m\x7f\x08", "\t\x0b\x0c"],
    ["²", "①", "٣", "9" * 5000, "remove-²", "remove-file-③", "remove-1" + "0" * 4400],
    ["\u202e\ufeff", "", "%00"],
]
ODD_INDICES = ["²", "①", "9" * 5000]
EVERY_VALUE = bool(os.environ.get("FUZZ_ALL"))
GROUP_KEY = re.compile(r"^(receipts|categories|attachments)-0-(\w+)$")
# Valid answers for every field a step may ask, "Kept" ones to find on a page shown again.
TYPED = {
    "expenses": {
        **employee_form(full_name="Kept Person"),
        **receipt_form(0, merchant="Kept Merchant"),
        "receipts-0-category": "Meals",
        "categories-0-category": "Meals",
        "business_purpose": "Kept purpose",
    },
    "support": {
        **support_page("contact", full_name="Kept Person"),
        **support_page("order", order_number="Kept-123"),
        **support_page("problem", description="Kept description"),
    },
}
LAST = ("memory", "delete")  # they end the walk (memory off, draft deleted): fuzzed at the end


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PROPAGATE_EXCEPTIONS": False}  # a crash is a 500 to count, as a scanner sees it


class Scan:
    """Requests sent and 5xx answers seen."""

    def __init__(self) -> None:
        self.requests = 0
        self.failures: list[str] = []
        self.shown_again = 0  # step pages that came back, each checked for what was typed

    def send(self, wizard: Wizard, form: PageForm, data: dict[str, str]) -> TestResponse:
        response = wizard.client.post(form.action, data=data, content_type="multipart/form-data")
        self.requests += 1
        if response.status_code >= 500:
            self.failures.append(f"{form.action} {sorted(set(data) - set(form.fields))} {data}")
        return response


def variants(form: PageForm, skip: tuple[str, ...] = ()) -> Iterator[dict[str, str]]:
    """The form's data with one field changed at a time, then with odd group numbers."""
    # Without the page's revision unless it is the field fuzzed: after the first variant
    # saved, each would be "changed in another tab" and never reach the checks.
    fresh = {k: v for k, v in form.fields.items() if k != "revision"}
    for turn, name in enumerate(form.fields):
        if name in skip:
            continue
        for values in KINDS:
            for value in values if EVERY_VALUE else [values[turn % len(values)]]:
                yield {**fresh, name: value}
    for name, value in fresh.items():
        if match := GROUP_KEY.match(name):
            for index in ODD_INDICES:
                yield {**fresh, f"{match[1]}-{index}-{match[2]}": value}


def step_form(page: TestResponse, step: str, typed: dict[str, str]) -> PageForm:
    form = form_of_step(page, step)
    form.fields.update({k: v for k, v in typed.items() if k in form.fields})
    form.fields.pop("confirm", None)  # unticked, so the review page comes back
    return form


def check_step(scan: Scan, wizard: Wizard, step: str, title: str) -> None:
    """Fuzz the step's own form: a page shown again keeps what was typed."""
    typed = TYPED[wizard.flow_name]
    form = step_form(wizard.page, step, typed)  # type: ignore[arg-type]
    kept = [name for name, value in typed.items() if value.startswith("Kept")]
    for data in variants(form):
        response = scan.send(wizard, form, data)
        # 409: another post of the fuzz saved first ("changed in another tab"): kept too
        if response.status_code in (200, 409) and heading(response) == title:
            scan.shown_again += 1
            shown = next(f for f in forms_of(response) if f.action.endswith(f"/{step}"))
            for name in kept:
                if data.get(name) == typed[name]:
                    assert shown.fields.get(name) == typed[name], (name, data)


def check_other_forms(scan: Scan, wizard: Wizard, memory_on: bool, last: bool) -> None:
    """Fuzz the page's other forms (memory switch, strategy, delete)."""
    for form in forms_of(wizard.page):  # type: ignore[arg-type]
        if f"{wizard.prefix}/" in form.action and not form.action.endswith("/delete"):
            continue
        if form.action.rsplit("/", 1)[-1] in LAST and not last:
            continue
        if "memory" in form.fields:
            form.fields["memory"] = "on" if memory_on else "off"  # as it is: no switch
        for data in variants(form):
            scan.send(wizard, form, data)


@pytest.mark.parametrize("memory_on", [True, False], ids=["memory-on", "memory-off"])
@pytest.mark.parametrize("place", PLACES)
def test_every_field_of_every_step_with_what_scanners_send(
    app: Flask, driver: type[Wizard], place: str, memory_on: bool
) -> None:
    scan = Scan()
    wizard = driver(app.test_client(), place, memory_on, follow=True)
    wizard.start()
    for step, title in zip(wizard.steps, wizard.titles, strict=True):
        assert heading(wizard.page) == title  # type: ignore[arg-type]
        state, typed = wizard.state, TYPED[wizard.flow_name]
        as_shown = step_form(wizard.page, step, typed).fields  # type: ignore[arg-type]
        check_step(scan, wizard, step, title)
        check_other_forms(scan, wizard, memory_on, last=False)
        wizard.state = state
        if step != "review":
            # What was typed before the fuzz, with the page's revision now (the fuzz's
            # accepted posts changed the draft, and the page shows its last typing, kept).
            wizard.show(step)
            now = step_form(wizard.page, step, typed).fields  # type: ignore[arg-type]
            wizard.post(step, {**as_shown, "revision": now["revision"]})
    check_other_forms(scan, wizard, memory_on, last=True)
    print(
        f"\n{wizard.flow_name}, {place}, memory {'on' if memory_on else 'off'}: "
        f"{scan.requests} requests, {len(scan.failures)} 5xx, "
        f"{scan.shown_again} step pages shown again"
    )
    assert scan.failures == [], scan.failures[:5]
    assert scan.shown_again > 20  # the check of what was typed is not idle
