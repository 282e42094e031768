"""A flow's answers arranged for reading, from its declarations: one block per step that
asks for something, its rows from the sections it asks, its Change link to that step. The
review page and the confirmation share it (the confirmation without Change links)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from flask import url_for

from ... import memory
from ...attachments.models import StoredFile
from ...attachments.service import files_of
from .sections import Answers, Collection, Rows, Shown

if TYPE_CHECKING:
    from .flow import Flow, Step


class Block(NamedTuple):
    """What one step collected, or a flow's own addition (totals): a plain list of items."""

    id: str
    heading: str
    groups: tuple[Rows, ...] = ()
    items: tuple[str, ...] = ()
    change: str = ""  # the URL of the step that asks for it (review only)
    change_label: str = ""  # what the Change link changes, for screen readers


def summary_of(
    flow: Flow,
    answers: Answers,
    draft_id: str,
    changes: dict[str, str] | None = None,
    file_url: Callable[[str], str] | None = None,
) -> list[Block]:
    """The answers as blocks: one per step that asks for a remembered section (in step
    order), then the flow's own (totals); with Change links when changes are given. Files
    link to the draft's downloads unless file_url says otherwise (the approver's)."""
    links = file_url or _file_url(flow, draft_id)
    shown = Shown(answers, _files(flow, answers, draft_id), links)
    blocks = [_block(step, shown, changes or {}) for step in flow.steps]
    extra = flow.summary_extras(answers) if flow.summary_extras else []
    return [block for block in blocks if block is not None] + extra


def _block(step: Step, shown: Shown, changes: dict[str, str]) -> Block | None:
    groups = [group for s in step.asks if s.key for group in s.rows(shown)]
    if not groups:
        return None
    return Block(
        id=step.name,
        heading=step.summary_heading or step.title,
        groups=tuple(_joined(groups)),
        change=changes.get(step.name, ""),
        change_label=step.title.lower(),
    )


def _joined(groups: list[Rows]) -> list[Rows]:
    """Rows without a heading that follow each other read as one list."""
    joined: list[Rows] = []
    for group in groups:
        if joined and group.heading is None and joined[-1].heading is None:
            joined[-1] = Rows(None, joined[-1].rows + group.rows)
        else:
            joined.append(group)
    return joined


def _files(flow: Flow, answers: Answers, draft_id: str) -> dict[str, StoredFile]:
    slots = [s for s in flow.sections if isinstance(s, Collection) and s.file_slot]
    wanted = [i.get("file_id", "") for s in slots for i in answers.get(s.name) or []]
    return files_of(memory.lineage_of(draft_id), wanted) if wanted else {}


def _file_url(flow: Flow, draft_id: str) -> Callable[[str], str]:
    return lambda file_id: url_for(f"{flow.name}.file", draft_id=draft_id, file_id=file_id)
