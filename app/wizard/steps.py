"""The wizard as declarations: sections of the report, and the steps that ask for them.

Navigation (next step, first incomplete step, what a step must ask again) is
computed from these declarations; no step has hand-written routing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..memory import Memory


def _has(key: str) -> Callable[[Memory], bool]:
    return lambda memory: memory.has(key)


def _receipts_complete(memory: Memory) -> bool:
    return bool(memory.get("receipts"))


def _categories_complete(memory: Memory) -> bool:
    receipts: list[dict[str, Any]] = memory.get("receipts") or []  # type: ignore[assignment]
    categories: dict[str, Any] = memory.get("categories") or {}  # type: ignore[assignment]
    return bool(receipts) and all(r["id"] in categories for r in receipts)


@dataclass(frozen=True)
class Section:
    """A part of the report: the memory key it fills and when memory holds it all."""

    name: str
    key: str | None  # None: asked on its page, never remembered (the confirmation tick)
    complete: Callable[[Memory], bool]


EMPLOYEE = Section("employee", "employee", _has("employee"))
RECEIPTS = Section("receipts", "receipts", _receipts_complete)
CATEGORIES = Section("categories", "categories", _categories_complete)
PURPOSE = Section("purpose", "business_purpose", _has("business_purpose"))
CONFIRM = Section("confirm", None, lambda memory: False)
SECTION_ORDER = (EMPLOYEE, RECEIPTS, CATEGORIES, PURPOSE, CONFIRM)


@dataclass(frozen=True)
class Step:
    """One page of the wizard: what it asks for, and what earlier answers it needs."""

    name: str
    title: str
    template: str
    asks: tuple[Section, ...]
    needs: tuple[Section, ...] = ()

    def is_complete(self, memory: Memory) -> bool:
        """Say whether memory holds every answer this step asks for."""
        return all(section.complete(memory) for section in self.asks)

    def sections_to_ask(self, memory: Memory) -> tuple[Section, ...]:
        """This step's own sections, plus every needed one that memory lacks."""
        wanted = {s for s in self.needs if not s.complete(memory)} | set(self.asks)
        return tuple(s for s in SECTION_ORDER if s in wanted)


STEPS = (
    Step("employee", "Employee details", "step.html", asks=(EMPLOYEE,)),
    Step("receipts", "Receipts", "step.html", asks=(RECEIPTS,)),
    Step("categories", "Categories", "step.html", asks=(CATEGORIES, PURPOSE), needs=(RECEIPTS,)),
    Step(
        "review",
        "Review and submit",
        "review.html",
        asks=(CONFIRM,),
        needs=(EMPLOYEE, RECEIPTS, CATEGORIES, PURPOSE),
    ),
)
FIRST, FINAL = STEPS[0], STEPS[-1]
_BY_NAME = {step.name: step for step in STEPS}


def step_named(name: str) -> Step | None:
    """Return the step with this URL name, or None."""
    return _BY_NAME.get(name)


def number_of(step: Step) -> int:
    """The step's 1-based position, as shown in "Step N of 4"."""
    return STEPS.index(step) + 1


def previous_step(step: Step) -> Step | None:
    """The step before this one, or None on the first."""
    index = STEPS.index(step)
    return STEPS[index - 1] if index else None


def first_incomplete_before(step: Step, memory: Memory) -> Step | None:
    """The first earlier step whose answers memory lacks (the journey guard)."""
    return next((s for s in STEPS[: STEPS.index(step)] if not s.is_complete(memory)), None)


def next_step(step: Step, memory: Memory) -> Step:
    """Where Continue leads: the first later step still lacking answers, else review."""
    later = STEPS[STEPS.index(step) + 1 : -1]
    return next((s for s in later if not s.is_complete(memory)), FINAL)


def owner_of(section: Section) -> Step:
    """The step that asks for section on its own page."""
    return next(step for step in STEPS if section in step.asks)
