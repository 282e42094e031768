"""Session memory: the browser session, drafts, the memory switch. The only code that
touches flask.session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, session

from .browser_session import StoreSessionInterface
from .client_store import (
    ClientHeldStore,
    CookieStore,
    FormStore,
    TamperedStateError,
    TooLargeForCookieError,
    passed_state,
    send_cookies,
)
from .drafts import KEY_PREFIX, Draft, DraftExpiredError, DraftRepository, Lifetimes
from .forwarding import PassedStateForwarder, mark_forward
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
    "TamperedStateError",
    "TooLargeForCookieError",
    "init_app",
    "passed_state",
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
    budget = app.config["WIZARD_MEMORY_BUDGET"]
    app.session_interface = StoreSessionInterface(app, store)
    app.extensions["drafts"] = DraftRepository(store, lifetimes, budget)
    app.extensions["memory_store"] = store
    # Drafts whose memory the browser carries: their id's prefix says which way.
    app.extensions["client_drafts"] = {
        "cookie": DraftRepository(CookieStore(app), lifetimes, budget, id_prefix="c."),
        "form": DraftRepository(FormStore(app), lifetimes, budget, id_prefix="f."),
    }
    app.after_request(send_cookies)
    app.after_request(mark_forward)
    app.wsgi_app = PassedStateForwarder(app.wsgi_app)  # type: ignore[method-assign]
    app.jinja_env.globals["passed_state"] = passed_state


def _make_store(app: Flask) -> KeyValueStore:
    kind = app.config["SESSION_TYPE"]
    if kind == "sqlite":
        path = app.config["WIZARD_SQLITE_STORE"] or Path(app.instance_path) / "memory.sqlite3"
        return SQLiteStore(path)
    if kind == "redis":
        client = redis_client(app.config["REDIS_URL"], float(app.config["REDIS_TIMEOUT"]))
        return RedisStore(client, app.config["REDIS_KEY_PREFIX"])
    raise ValueError(f"SESSION_TYPE {kind!r} is not supported; use 'sqlite' or 'redis'.")


def _client_drafts(name: str) -> DraftRepository:
    repository: DraftRepository = current_app.extensions["client_drafts"][name]
    return repository


def store() -> KeyValueStore:
    """The app's session-memory store."""
    return drafts().store


def drafts() -> DraftRepository:
    """The app's draft repository."""
    repository: DraftRepository = current_app.extensions["drafts"]
    return repository


def strategy_of(draft_id: str) -> str:
    """Where a draft's memory lives, read from its id."""
    for name, repository in current_app.extensions["client_drafts"].items():
        if draft_id.startswith(repository.id_prefix):
            return str(name)
    return DEFAULT_STRATEGY


def carried_by_browser_only(draft_id: str) -> bool:
    """Whether only the browser holds this draft's memory (the server cannot delete it)."""
    return strategy_of(draft_id) != DEFAULT_STRATEGY


def drafts_of(draft_id: str) -> DraftRepository:
    """The repository that keeps this draft."""
    name = strategy_of(draft_id)
    return drafts() if name == DEFAULT_STRATEGY else _client_drafts(name)


def memory_is_on() -> bool:
    """Say whether this browser has session memory switched on (the default)."""
    return not session.get("memory_off", False)


def strategy() -> str:
    """Where this browser keeps the memory of new drafts (one of STRATEGIES)."""
    chosen: str = session.get("strategy", DEFAULT_STRATEGY)
    return chosen if chosen in STRATEGIES else DEFAULT_STRATEGY


def move_draft(draft_id: str, to: str) -> str | None:
    """Move a draft's memory to another place (its id changes with it); None if expired.
    Raises TooLargeForCookieError, keeping the draft where it was, when it does not fit."""
    source = drafts_of(draft_id)
    entry = source.entry(draft_id)
    if entry is None:
        return None
    new_id = (drafts() if to == DEFAULT_STRATEGY else _client_drafts(to)).adopt(entry)
    source.delete(draft_id)
    _mark_ended(draft_id)  # an older page of it must not go on as a second draft
    session["drafts"] = [*owned_draft_ids(), new_id][-MAX_REMEMBERED_DRAFTS:]
    return new_id


def carried_by_browser(draft_id: str) -> tuple[str, int] | None:
    """For a draft the browser carries: the cookie or field that holds it, and its bytes."""
    if strategy_of(draft_id) == DEFAULT_STRATEGY:
        return None
    client: ClientHeldStore = drafts_of(draft_id).store  # type: ignore[assignment]
    return client.carrier(KEY_PREFIX + draft_id)


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
    name = strategy()
    draft_id = (drafts() if name == DEFAULT_STRATEGY else _client_drafts(name)).create()
    # Reassign the top-level key: Flask-Session saves only top-level changes.
    session["drafts"] = [*owned_draft_ids(), draft_id][-MAX_REMEMBERED_DRAFTS:]
    return draft_id


def open_draft(draft_id: str, step: str) -> Draft | None:
    """Load this browser's draft with memory on or off; None if it has expired or ended
    (what the browser still carries of an ended draft is neither read nor renewed)."""
    if has_ended(draft_id):
        return None
    return drafts_of(draft_id).load(draft_id, memory_is_on(), writer=step)


def seconds_left(draft: Draft) -> float:
    """Seconds until the draft expires if nothing happens (idle or absolute, the sooner)."""
    return max(0.0, drafts().lifetimes.ttl(draft.created))


def draft_is_live(draft_id: str) -> bool:
    """Say whether a draft still exists (neither expired nor submitted). The server cannot
    see drafts the browser carries: they count as live until their absolute lifetime ends."""
    return carried_by_browser_only(draft_id) or drafts().exists(draft_id)


def delete_expired() -> int:
    """Delete expired drafts and browser sessions from the store; return how many went."""
    return drafts().store.delete_expired()


def save_draft(draft: Draft) -> None:
    """Write what the request changed in the draft."""
    drafts_of(draft.id).save(draft)


def forget_draft(draft_id: str) -> None:
    """Delete a submitted or deleted draft's memory; the browser keeps its id to show the
    report."""
    drafts_of(draft_id).delete(draft_id)
    _mark_ended(draft_id)


def _mark_ended(draft_id: str) -> None:
    """Remember that a draft the browser may still carry (an older page, a cookie on its way)
    is over: submitted, deleted or moved. The server's own drafts end with their entry."""
    if carried_by_browser_only(draft_id):
        session["ended"] = [*session.get("ended", []), draft_id][-MAX_REMEMBERED_DRAFTS:]


def has_ended(draft_id: str) -> bool:
    """Whether this browser submitted, deleted or moved a draft whose memory it may carry."""
    return draft_id in session.get("ended", [])


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
        for draft_id in owned_draft_ids():
            drafts_of(draft_id).discard_memory([draft_id])
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
