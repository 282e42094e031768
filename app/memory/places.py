"""The places a draft's memory can live: one registry, used by the switch, the inspector,
the guide and the diagram alike.

A place is a name (the setting's value), the label people see, and the draft repository
that keeps drafts there. A draft's id starts with its place's prefix, so where a draft's
memory lives is known from its id alone, even without a request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .drafts import DraftRepository


@dataclass(frozen=True)
class Place:
    """One place a draft's memory can live."""

    name: str  # the setting's value: "server", "cookie" or "form"
    label: str  # what people see
    repository: DraftRepository

    @property
    def carried_by_browser(self) -> bool:
        """Whether only the browser holds its drafts' memory (the server cannot delete it)."""
        return bool(self.repository.id_prefix)


@dataclass(frozen=True)
class Places:
    """Every place, the default (the server, whose ids have no prefix) first."""

    all: tuple[Place, ...]

    @property
    def default(self) -> Place:
        return self.all[0]

    def __iter__(self) -> Iterator[Place]:
        return iter(self.all)

    def named(self, name: str) -> Place | None:
        """The place with this setting's value, or None."""
        return next((place for place in self.all if place.name == name), None)

    def of(self, draft_id: str) -> Place:
        """Where a draft's memory lives, read from its id."""
        carried = (p for p in self.all[1:] if draft_id.startswith(p.repository.id_prefix))
        return next(carried, self.default)

    def labels(self) -> dict[str, str]:
        """Setting value -> label, in the order offered."""
        return {place.name: place.label for place in self.all}
