"""What a flow does with a whole draft at the end (django-formtools' done(),
hmpo-form-wizard's submit controller): the engine re-validates every answer, then hands
them to the flow's Submission, which stores them once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .sections import Answers

if TYPE_CHECKING:
    from ...memory.drafts import RepeatCounter


class Record(Protocol):
    """A stored submission, as the engine needs it: which draft, which reference."""

    @property
    def draft_id(self) -> str: ...

    @property
    def reference(self) -> str: ...


@dataclass(frozen=True)
class TypingCounts:
    """How many fields the person typed, how many of those were repeats, and whether
    memory was on ("on"), off ("off") or both ("part") for the pages accepted."""

    typed: int
    repeated: int
    memory_use: str = "on"

    @classmethod
    def from_counter(cls, counter: RepeatCounter) -> TypingCounts:
        return cls(counter.fields_typed, counter.again, counter.memory_use)


class SubmitRefusedError(ValueError):
    """The flow refused the answers at submit (nothing was stored); its message says why
    and what to do, and the review page shows it."""


# store(draft_id, lineage, answers, counts, memory_on): one transaction, idempotent on the
# draft's lineage (a second call returns the record the first stored).
Store = Callable[[str, str, Answers, TypingCounts, bool], Record]


@dataclass(frozen=True)
class Submission:
    """How a flow stores a whole draft, and finds it again."""

    store: Store
    find: Callable[[str, str | None], Record | None]  # (draft id, lineage or None)
    answers_of: Callable[[Any], Answers]  # a stored record's answers, as memory held them
    # What happened to a stored record since (an approval), for its confirmation's template.
    follow_up: Callable[[Any], dict[str, Any]] | None = None
