"""A flow as declarations: sections of its answers, the steps that ask for them.

Navigation (the next step, the first incomplete one, what a step must ask again) is
computed from these declarations; no step has hand-written routing. Models: the
StepsHelper of django-formtools, hmpo-form-wizard's prereqs and checkJourney.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...memory import Memory
from .sections import Answers, Collection, PerItem, Section
from .submission import Submission

if TYPE_CHECKING:
    from .summary import Block


@dataclass(frozen=True)
class Step:
    """One page of a flow: what it asks for, and what earlier answers it needs."""

    name: str
    title: str
    template: str
    asks: tuple[Section, ...]
    needs: tuple[Section, ...] = ()
    summary_heading: str | None = None  # its block's heading on review, if not its title

    def is_complete(self, memory: Memory) -> bool:
        """Say whether memory holds every answer this step asks for."""
        return all(section.complete(memory) for section in self.asks)


@dataclass(frozen=True)
class Flow:
    """A flow: its steps in order, the last one the review that submits."""

    name: str  # its blueprint's name
    prefix: str  # its URL prefix: <prefix>/<draft id>/<step>
    noun: str  # what a draft of it makes, as pages name it ("support request")
    steps: tuple[Step, ...]
    sections: tuple[Section, ...]  # in the order pages show them
    submission: Submission
    # Memory's refusals (BudgetExceededError and its kinds) in the flow's words, with what
    # the person can leave out; formatted with size= and limit=.
    refusals: Mapping[type[Exception], str]
    confirmation_template: str
    start_label: str  # the button that starts a draft
    submit_label: str  # the button on the final step
    template_globals: Mapping[str, Any] = field(default_factory=dict)  # its templates' helpers
    # Made-up answers for Use example answers (a demo aid), by field name without item
    # numbers (items-date for items-0-date); a callable is asked each time (dates).
    examples: Mapping[str, str | Callable[[], str]] = field(default_factory=dict)
    macros: tuple[str, ...] = ()  # its templates' macro libraries, made globals once
    # Blocks of its own after the steps' on review and confirmation (totals), from answers.
    summary_extras: Callable[[Answers], list[Block]] | None = None
    _by_name: dict[str, Step] = field(init=False, repr=False, compare=False)
    # The names of its repeated groups in form data (items-0-name), read on every post.
    repeated: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {step.name: step for step in self.steps})
        groups = (s.name for s in self.sections if isinstance(s, Collection | PerItem))
        object.__setattr__(self, "repeated", tuple(groups))

    @property
    def first(self) -> Step:
        return self.steps[0]

    @property
    def final(self) -> Step:
        """The review step, which submits."""
        return self.steps[-1]

    def step_named(self, name: str) -> Step | None:
        """Return the step with this URL name, or None."""
        return self._by_name.get(name)

    def number_of(self, step: Step) -> int:
        """The step's 1-based position, as shown in "Step N of M"."""
        return self.steps.index(step) + 1

    def previous(self, step: Step) -> Step | None:
        """The step before this one, or None on the first."""
        index = self.steps.index(step)
        return self.steps[index - 1] if index else None

    def first_incomplete_before(self, step: Step, memory: Memory) -> Step | None:
        """The first earlier step whose answers memory lacks (the journey guard)."""
        earlier = self.steps[: self.steps.index(step)]
        return next((s for s in earlier if not s.is_complete(memory)), None)

    def next_step(self, step: Step, memory: Memory) -> Step:
        """Where Continue leads: the first later step still lacking answers, else review."""
        later = self.steps[self.steps.index(step) + 1 : -1]
        return next((s for s in later if not s.is_complete(memory)), self.final)

    def owner_of(self, section: Section) -> Step:
        """The step that asks for section on its own page."""
        return next(step for step in self.steps if section in step.asks)

    def sections_to_ask(self, step: Step, memory: Memory) -> tuple[Section, ...]:
        """The step's own sections, plus every needed one that memory lacks."""
        wanted = {s for s in step.needs if not s.complete(memory)} | set(step.asks)
        return tuple(s for s in self.sections if s in wanted)

    def answers_in(self, memory: Memory) -> int:
        """How many answers memory holds for this flow: each field given, once."""
        answers = {s.key: memory.get(s.key) for s in self.sections if s.key and memory.has(s.key)}
        held = _Held(answers)
        given = (
            value
            for section in self.sections
            if section.key in answers
            for value in section.typed(answers, held).values()
        )
        return sum(1 for value in given if value not in ("", None))

    def section_of_field(self, field_id: str) -> Section:
        """The section a form field belongs to, from its id (a per-item field inside an
        item belongs to its per-item section)."""
        owners = [s for s in self.sections if s.owns(field_id)]
        return next((s for s in owners if isinstance(s, PerItem)), owners[0])


@dataclass
class _Held:
    """A collection's items as answers hold them (for counting what memory holds)."""

    answers: Answers

    def items(self, collection: Collection, answers: Answers | None = None) -> list[Any]:
        items = self.answers.get(collection.name)
        return items if isinstance(items, list) else []
