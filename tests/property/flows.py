"""The flow under test as a model the state machine (test_machine.py) runs on.

What every flow shares is here: a draft's status and answers, the repeated-input counter as
SPEC §4 defines it, and the journey (which step is complete, where Continue leads, what a
page asks again with memory off) read from the flow's own declaration (its steps' `asks`
and `needs`). What each flow has of its own (its fields, its pages' form data, what a page
shows, the record it submits) is a FlowModel subclass: model_expenses.py, model_support.py.
The counts are computed here, never by the engine's counting code.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from hypothesis import strategies as st
from hypothesis.stateful import Bundle
from markupsafe import escape

from app.flows.engine import Flow, Step
from app.flows.engine.sections import Collection, Group, PerItem, Section
from tests.helpers import Wizard
from tests.property import Typed, page_verdict, prefixed

Flat = dict[str, str]  # a field as the counter names it -> its value (non-empty only)
Answers = dict[str, Any]  # a section's memory key -> the model's value of it
Status = Literal["live", "expired", "submitted"]
DRAFTS = Bundle("drafts")  # by name, so a flow's own rules (mixins) can draw drafts too


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
        """(fields typed, typed again, memory use) as the record must keep them."""
        modes = set(self.pages)
        if self.again and modes <= {True}:
            modes.add(False)  # asked again though every page went with memory on: off between
        use = "part" if len(modes) > 1 else ("off" if False in modes else "on")
        return sum(self.typed.values()), self.again, use


@dataclass
class DraftModel:
    """What one draft's memory must hold, and where the draft stands."""

    id: str
    status: Status = "live"
    answers: Answers = field(default_factory=dict)  # section key -> value, as accepted
    unsaved: list[dict[str, Typed]] | None = None  # items kept by Add/Remove, not validated
    unsaved_bytes: tuple[int, int] = (0, 0)
    # A refused page's fields as it showed them, kept (memory on) until the step is accepted:
    # the step shows them again; with their bytes
    kept: dict[str, tuple[dict[str, str], tuple[int, int]]] = field(default_factory=dict)
    kept_with: dict[str, Answers] = field(default_factory=dict)  # the answers when kept
    report: Any = None  # what the submitted record must hold
    reference: str = ""
    counter: CounterModel = field(default_factory=CounterModel)  # outlives memory (forget)
    counts: tuple[int, int, str] | None = None  # the counter's result, once submitted

    def forget(self) -> None:
        """Memory discarded (switched off)."""
        self.answers, self.unsaved, self.unsaved_bytes = {}, None, (0, 0)
        self.kept, self.kept_with = {}, {}

    @property
    def extra_bytes(self) -> tuple[int, int]:
        """Bounds of the bytes raw input (not answers) takes in memory."""
        low, high = self.unsaved_bytes
        for _, (kept_low, kept_high) in self.kept.values():
            low, high = low + kept_low, high + kept_high
        return low, high


@dataclass(frozen=True)
class Page:
    """A step page as posted: its form, the spec's verdict, what memory holds for its
    sections once accepted, what the counter sees of it (typed, and what memory supplied),
    and a check that a page showing the post again shows everything typed."""

    form: dict[str, str]
    ok: bool | None
    answers: Answers
    typed: Flat
    supplied: Flat
    shown: Callable[[str], None]


def item_id(item: Any) -> str:
    return str(item["id"] if isinstance(item, dict) else item.id)


class FlowModel:
    """One flow as the machine sees it. The journey comes from the declaration; the rest
    each flow says (subclasses)."""

    driver: type[Wizard]
    flow: Flow
    record: type[Any]  # the submitted record's model (it has draft_id and the counts)
    reference: re.Pattern[str]
    posts: dict[str, st.SearchStrategy[Any]]  # each step's rule argument (review aside)
    whole: st.SearchStrategy[Any]  # a whole submission, valid or not (memory off review)
    valid: st.SearchStrategy[Any]  # a whole valid submission
    examples = 25  # the machine's max_examples

    @property
    def steps(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.flow.steps)

    def step(self, name: str) -> Step:
        found = self.flow.step_named(name)
        assert found is not None
        return found

    def title(self, name: str) -> str:
        return self.driver.titles[self.steps.index(name)]

    # ------------------------------------------------------------ from the declaration

    def complete(self, section: Section, answers: Answers) -> bool:
        """Whether the model holds the section's whole answer: a required collection needs
        an item, an optional one an answer (none is one), a per-item section an answer for
        each item."""
        if isinstance(section, PerItem):
            items = answers.get(str(section.of.key)) or []
            held = answers.get(str(section.key)) or {}
            return bool(items) and all(item_id(item) in held for item in items)
        if isinstance(section, Collection) and not section.optional:
            return bool(answers.get(str(section.key)))
        return section.key in answers

    def step_complete(self, name: str, answers: Answers) -> bool:
        return all(self.complete(s, answers) for s in self.step(name).asks)

    def first_incomplete_before(self, name: str, answers: Answers) -> str | None:
        earlier = self.steps[: self.steps.index(name)]
        return next((s for s in earlier if not self.step_complete(s, answers)), None)

    def next_after(self, name: str, answers: Answers) -> str:
        """Where Continue leads: the first later step lacking answers, else review."""
        later = self.steps[self.steps.index(name) + 1 : -1]
        return next((s for s in later if not self.step_complete(s, answers)), self.steps[-1])

    def asks_again(self, name: str) -> bool:
        """Whether, memory off, the step asks for earlier steps' answers too."""
        return bool(self.step(name).needs)

    # ------------------------------------------------------------ each flow's own

    def page(self, step: str, raw: Any, model: DraftModel, memory_on: bool) -> Page:
        """The page a step's rule posts, from its drawn argument."""
        raise NotImplementedError

    def fill_post(self, step: str, whole: Any) -> Any:
        """The step's rule argument answering it as a whole valid submission does."""
        raise NotImplementedError

    def shows(self, step: str, body: str, model: DraftModel) -> None:
        """A GET of the step (memory on) shows what memory holds."""
        raise NotImplementedError

    def expected(self, answers: Answers) -> Any:
        """The record a submit of these (complete) answers must store."""
        raise NotImplementedError

    def review_again(self, whole: Any) -> tuple[dict[str, str], Any, Flat]:
        """Memory off: review's form asking everything again, the record it must make
        (None: invalid) and what the counter sees typed."""
        raise NotImplementedError

    def stored(self, record: Any) -> Any:
        """A stored record in the terms of expected()."""
        raise NotImplementedError

    def record_values(self, record: Any) -> list[Any]:
        """Every answer a stored record holds (each counted as typed at least once)."""
        raise NotImplementedError

    def memory_bytes(self, model: DraftModel) -> tuple[int, int]:
        """Lower and upper bounds of the model's memory as the app keeps it (compact JSON)."""
        raise NotImplementedError


# ---------------------------------------------------------------- shared page pieces


def group_flat(key: str, values: dict[str, str] | None) -> Flat:
    """A group's fields as the counter names them ("contact.email")."""
    return {f"{key}.{k}": v for k, v in (values or {}).items() if v}


def group_page(
    section: Group,
    fields: dict[str, Typed],
    model: DraftModel,
    shown: Callable[[str, dict[str, Typed]], None],
    kept: Callable[[str, Typed], str] = lambda name, value: value.kept,
) -> Page:
    """A page asking one group of fields (step 1 of either flow, the order)."""
    key = str(section.key)
    values = {name: kept(name, value) for name, value in fields.items()}
    named = {f"{section.name}-{k}": v for k, v in fields.items()}
    return Page(
        form=prefixed(f"{section.name}-", fields),
        ok=page_verdict(fields),
        answers={key: values},
        typed=group_flat(key, values),
        supplied=group_flat(key, model.answers.get(key)),
        shown=lambda body: shown(body, named),
    )


def text_bytes(values: list[Any], overhead: int) -> tuple[int, int]:
    """Bounds of JSON holding these texts: each at least its UTF-8 bytes, at most twice
    them (escapes), plus keys and punctuation."""
    size = sum(len(str(value).encode()) for value in values)
    return size, 2 * size + overhead


def assert_checked(body: str, name: str, value: str) -> None:
    """The radio of this value is the one chosen."""
    pattern = rf'<input [^>]*name="{re.escape(name)}" value="{re.escape(escape(value))}"[^>]*>'
    found = re.search(pattern, body)
    assert found is not None and " checked" in found[0], f"{name}: {value!r} not chosen"


def assert_textarea(body: str, name: str, value: str) -> None:
    """The textarea shows value, HTML-escaped."""
    start = re.search(rf'<textarea\b[^>]*\bname="{re.escape(name)}"[^>]*>', body)
    assert start is not None, f"no textarea named {name!r} on the page"
    content = body[start.end() : body.index("</textarea>", start.end())]
    shown = content.removeprefix("\r\n").removeprefix("\n")
    assert shown == escape(value), f"{name}: {value!r} is not shown; {shown[:300]!r}"
