"""The memory inspector: what session memory holds for this draft, and what the browser holds.

A view model only: it reads memory (values only for the owner, who alone gets here),
and the template shows it. Nothing here writes.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, request

from .. import memory
from ..flows.engine.registry import flows_of

STORE_NAMES = {
    "sqlite": "the app's embedded SQLite store on this server",
    "redis": "Redis, shared by every app process",
}
CARRIER_NAMES = {
    "cookie": "a signed, compressed cookie in your browser",
    "form": "a signed hidden field that every form of this draft sends back",
}
AFTER_MOVE = frozenset({"memory-moved", "full", "not-moved"})  # notices after Move memory
PREVIEW_CHARS = 160  # a long value (many receipts) is cut; its size says how long it is
_LATER_LETTERS = re.compile(r"\B\w")  # every letter or digit but the first of a word
# Fields that say nothing about a person stay readable when values are masked.
NOT_PERSONAL = frozenset({"id", "file_id", "date", "currency", "category", "department"})


@dataclass(frozen=True)
class KeyRow:
    key: str
    type: str
    size: int
    written_by: str
    written_ago: str
    value: str  # partly masked
    full: str  # shown when asked: both are on the page, so asking loses nothing typed


@dataclass(frozen=True)
class Inspector:
    memory_on: bool
    rows: list[KeyRow]
    total: int
    budget: int
    expires_in: float
    strategy: str
    store_name: str
    cookie_name: str
    cookie_size: int
    carried: tuple[str, int] | None  # the draft's cookie or field, and its bytes
    opened: bool  # shown open: the page after Move memory

    @property
    def percent_used(self) -> int:
        return round(100 * self.total / self.budget) if self.budget else 0


def inspector_for(draft: memory.Draft) -> Inspector:
    """Describe the draft's memory for its owner."""
    now = time.time()
    rows = [
        KeyRow(
            info.key,
            info.type,
            info.size,
            _writer_title(info.written_by),
            ago(now - info.written_at),
            preview(draft.memory.get(info.key), masked=True),
            preview(draft.memory.get(info.key), masked=False),
        )
        for info in draft.memory.list_keys()
    ]
    strategy = memory.strategy_of(draft.id)
    cookie_name, cookie_size = _session_cookie()
    return Inspector(
        memory_on=draft.memory.carries_forward,
        rows=rows,
        total=draft.memory.total_size() if rows else 0,
        budget=memory.drafts().budget,
        expires_in=memory.seconds_left(draft),
        strategy=strategy,
        store_name=_where_memory_lives(strategy),
        cookie_name=cookie_name,
        cookie_size=cookie_size,
        carried=memory.carried_by_browser(draft.id),
        opened=request.args.get("notice") in AFTER_MOVE,
    )


@dataclass(frozen=True)
class AfterSubmit:
    """The inspector on the confirmation: memory is gone, the report is in the database."""

    store_name: str
    cookie_name: str
    cookie_size: int


def inspector_after_submit(draft_id: str) -> AfterSubmit:
    """Describe where the submitted draft's memory lived and what the browser still holds."""
    name, size = _session_cookie()
    return AfterSubmit(_where_memory_lives(memory.strategy_of(draft_id)), name, size)


def _where_memory_lives(strategy: str) -> str:
    server_store = STORE_NAMES.get(current_app.config["SESSION_TYPE"], "a session store")
    return CARRIER_NAMES.get(strategy, server_store)


def _session_cookie() -> tuple[str, int]:
    """The browser session cookie's name and its bytes as the browser sends them."""
    name = current_app.config["SESSION_COOKIE_NAME"]
    return name, len(name) + 1 + len(request.cookies.get(name, ""))


def mask(text: str) -> str:
    """Keep the first character of each word: 'Ada Lovelace' -> 'A•• L•••••••'."""
    return _LATER_LETTERS.sub("•", text)


def preview(value: Any, masked: bool) -> str:
    """A value as compact JSON, its strings partly masked unless asked, cut when long."""
    shown = _mask_strings(value) if masked else value
    text = json.dumps(shown, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def _mask_strings(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_mask_strings(item) for item in value]
    if isinstance(value, dict):
        return {k: v if k in NOT_PERSONAL else _mask_strings(v) for k, v in value.items()}
    return value


WRITERS = {"api": "The HTTP API"}  # writers that are not steps


def _writer_title(writer: str) -> str:
    steps = (flow.step_named(writer) for flow in flows_of(current_app).values())
    found = next((step for step in steps if step), None)
    return found.title if found else WRITERS.get(writer, writer or "unknown")


def ago(seconds: float) -> str:
    """'just now', '45 seconds ago', '3 minutes ago', '2 hours ago'."""
    if seconds < 5:
        return "just now"
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size:
            amount = int(seconds // size)
            return f"{amount} {unit}{'' if amount == 1 else 's'} ago"
    return "just now"
