"""Turning memory off asks first when it would discard answers (issue 19, point 1): which
drafts hold answers, and the question page that lists them."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app, render_template

from ... import memory
from .registry import flows_of


@dataclass(frozen=True)
class AtRisk:
    """A draft whose answers turning memory off would discard, as the question lists it."""

    noun: str  # what it drafts ("expense report")
    answers: int
    minutes: int  # since it was started


def at_risk() -> list[AtRisk]:
    """The drafts of this browser whose memory holds answers."""
    flows = flows_of(current_app)
    found = []
    for draft in memory.drafts_with_memory():
        flow = flows.get(draft.kind)
        held = flow.answers_in(draft.memory) if flow else len(draft.memory.list_keys())
        if held:
            minutes = int(time.time() - draft.created) // 60
            found.append(AtRisk(flow.noun if flow else "draft", held, minutes))
    return found


def question_before_off(
    found: list[AtRisk], confirm_to: str, fields: Mapping[str, str], back: str, carried: str = ""
) -> str:
    """The question page listing the drafts turning memory off would discard (`found`, from
    at_risk). Yes sends `fields` (with confirmed=yes) to `confirm_to`; Cancel goes back;
    `carried`: memory that travels in the page, handed on as it was sent."""
    others = len(memory.owned_draft_ids()) > len(found)  # some not seen from here
    return render_template(
        "memory_off.html",
        at_risk=found,
        back=back,
        others=others,
        carried=carried,
        confirm_to=confirm_to,
        fields=fields,
    )
