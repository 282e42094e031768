"""Session memory: the browser session, drafts, the memory switch. The only code that
touches flask.session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, session

from .browser_session import StoreSessionInterface
from .drafts import Draft, DraftExpiredError, DraftRepository, Lifetimes
from .redis_store import RedisStore, redis_client
from .state import BudgetExceededError, Memory, NullState, SessionState, SessionStateError
from .store import KeyValueStore, SQLiteStore, StoreUnavailableError

__all__ = [
    "BudgetExceededError",
    "Draft",
    "DraftExpiredError",
    "Memory",
    "NullState",
    "SessionState",
    "SessionStateError",
    "StoreUnavailableError",
    "init_app",
]

MAX_REMEMBERED_DRAFTS = 50  # ids only; the oldest are dropped first
# Where a draft's memory lives: the setting's values and the labels people see.
STRATEGIES = {
    "server": "On the server",
    "cookie": "In a browser cookie",
    "form": "Passed through the form",
}
DEFAULT_STRATEGY = "server"


def init_app(app: Flask) -> None:
    """Set up the session store, browser sessions and the draft repository."""
    store = _make_store(app)
    lifetimes = Lifetimes(
        idle=float(app.config["WIZARD_IDLE_TIMEOUT"]),
        absolute=float(app.config["WIZARD_ABSOLUTE_LIFETIME"]),
    )
    app.session_interface = StoreSessionInterface(app, store)
    app.extensions["drafts"] = DraftRepository(store, lifetimes, app.config["WIZARD_MEMORY_BUDGET"])
    app.extensions["memory_store"] = store


def _make_store(app: Flask) -> KeyValueStore:
    kind = app.config["SESSION_TYPE"]
    if kind == "sqlite":
        path = app.config["WIZARD_SQLITE_STORE"] or Path(app.instance_path) / "memory.sqlite3"
        return SQLiteStore(path)
    if kind == "redis":
        client = redis_client(app.config["REDIS_URL"], float(app.config["REDIS_TIMEOUT"]))
        return RedisStore(client, app.config["REDIS_KEY_PREFIX"])
    raise ValueError(f"SESSION_TYPE {kind!r} is not supported; use 'sqlite' or 'redis'.")


def store() -> KeyValueStore:
    """The app's session-memory store."""
    return drafts().store


def drafts() -> DraftRepository:
    """The app's draft repository."""
    repository: DraftRepository = current_app.extensions["drafts"]
    return repository


def memory_is_on() -> bool:
    """Say whether this browser has session memory switched on (the default)."""
    return not session.get("memory_off", False)


def strategy() -> str:
    """Where this browser keeps the memory of new drafts (one of STRATEGIES)."""
    chosen: str = session.get("strategy", DEFAULT_STRATEGY)
    return chosen if chosen in STRATEGIES else DEFAULT_STRATEGY


def choose_strategy(name: str) -> None:
    """Keep the memory of this browser's new drafts in another place."""
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}")
    if name == DEFAULT_STRATEGY:
        session.pop("strategy", None)
    else:
        session["strategy"] = name


def owned_draft_ids() -> list[str]:
    """Ids of the drafts this browser started, newest last."""
    ids: list[str] = session.get("drafts", [])
    return ids


def owns(draft_id: str) -> bool:
    """Say whether this browser started the draft."""
    return draft_id in owned_draft_ids()


def start_draft() -> str:
    """Create a draft owned by this browser and return its id."""
    draft_id = drafts().create()
    # Reassign the top-level key: Flask-Session saves only top-level changes.
    session["drafts"] = [*owned_draft_ids(), draft_id][-MAX_REMEMBERED_DRAFTS:]
    return draft_id


def open_draft(draft_id: str, step: str) -> Draft | None:
    """Load this browser's draft with memory on or off; None if it has expired."""
    return drafts().load(draft_id, memory_is_on(), writer=step)


def seconds_left(draft: Draft) -> float:
    """Seconds until the draft expires if nothing happens (idle or absolute, the sooner)."""
    return max(0.0, drafts().lifetimes.ttl(draft.created))


def draft_is_live(draft_id: str) -> bool:
    """Say whether a draft still exists (neither expired nor submitted)."""
    return drafts().exists(draft_id)


def delete_expired() -> int:
    """Delete expired drafts and browser sessions from the store; return how many went."""
    return drafts().store.delete_expired()


def save_draft(draft: Draft) -> None:
    """Write what the request changed in the draft."""
    drafts().save(draft)


def forget_draft(draft_id: str) -> None:
    """Delete a submitted draft's memory; the browser keeps its id to show the report."""
    drafts().delete(draft_id)


def remember_result(result: dict[str, Any]) -> None:
    """Keep what a submitted report cost, one per memory mode, for the comparison page."""
    mode = "on" if result["memory_on"] else "off"
    session["results"] = {**submitted_results(), mode: result}


def submitted_results() -> dict[str, dict[str, Any]]:
    """The last report this browser submitted with memory on and with memory off, if any."""
    results: dict[str, dict[str, Any]] = session.get("results", {})
    return results


def switch_memory(on: bool) -> None:
    """Turn session memory on or off for this browser; off discards every draft's memory."""
    if not on:
        drafts().discard_memory(owned_draft_ids())
    if on == memory_is_on():
        return
    if on:
        session.pop("memory_off", None)
    else:
        session["memory_off"] = True
    renew_session_id()


def renew_session_id() -> None:
    """Issue this browser a new session id: a change of what the session may do gets one
    (ASVS 4 3.2.1, 5 7.2.4). The old id only forwards for SESSION_ROTATION_GRACE seconds."""
    interface: StoreSessionInterface = current_app.session_interface  # type: ignore[assignment]
    interface.regenerate(session)
