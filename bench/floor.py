"""The floor: the app with no session memory cost at all.

The browser session and every draft's memory are live Python objects in this
process: nothing is stored, encoded, decoded or written, and no transaction runs.
Views, forms, templates, CSRF checks and redirects are the app's own, so the time
above this floor is what session memory costs a request.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask_session.base import ServerSideSession, ServerSideSessionInterface

from app.memory import Draft, NullState, SessionState
from app.memory.drafts import Lifetimes, new_draft_id
from app.memory.store import KeyValueStore


class ResidentSessionInterface(ServerSideSessionInterface):  # type: ignore[misc]
    """Flask-Session's cookie and id handling over a dict of live session dicts."""

    def __init__(self, app: Flask) -> None:
        super().__init__(
            app,
            key_prefix=app.config["SESSION_KEY_PREFIX"],
            permanent=True,
            sid_length=app.config["SESSION_ID_LENGTH"],
        )
        self.sessions: dict[str, dict[str, Any]] = {}

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        return self.sessions.get(store_id)

    def _delete_session(self, store_id: str) -> None:
        self.sessions.pop(store_id, None)

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        self.sessions[store_id] = dict(session)


class ResidentDrafts:
    """DraftRepository's interface over live records: SessionState changes them in place."""

    def __init__(self, lifetimes: Lifetimes, budget: int, store: KeyValueStore) -> None:
        self.lifetimes = lifetimes
        self.budget = budget
        self.store = store  # holds nothing: app/housekeeping.py deletes its expired entries
        self.records: dict[str, dict[str, Any]] = {}

    def create(self) -> str:
        draft_id = new_draft_id()
        self.records[draft_id] = {"created": time.time(), "values": {}, "meta": {}, "typed": {}}
        return draft_id

    def load(self, draft_id: str, memory_on: bool, writer: str) -> Draft | None:
        record = self.records.get(draft_id)
        if record is None:
            return None
        memory: SessionState | NullState = (
            SessionState(record["values"], record["meta"], self.budget, writer)
            if memory_on
            else NullState()
        )
        return Draft(draft_id, record["created"], memory, record["typed"])

    def exists(self, draft_id: str) -> bool:
        return draft_id in self.records

    def save(self, draft: Draft) -> None:
        typed = self.records[draft.id]["typed"]
        for name in draft.typed_now:
            typed[name] = typed.get(name, 0) + 1
        draft.memory.operations.clear()  # already applied to the live record
        draft.typed_now.clear()

    def discard_memory(self, draft_ids: Iterable[str]) -> None:
        for draft_id in draft_ids:
            if record := self.records.get(draft_id):
                record["values"], record["meta"] = {}, {}

    def delete(self, draft_id: str) -> None:
        self.records.pop(draft_id, None)
