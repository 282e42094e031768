"""Session memory: the browser session, drafts, the memory switch. The only code that
touches flask.session."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
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
    TooManyCookiesError,
    passed_state,
    send_cookies,
)
from .cookie_jar import CookieJarReservations
from .drafts import (
    KEY_PREFIX,
    LINEAGE_MARK,
    Draft,
    DraftChangedError,
    DraftExpiredError,
    DraftRepository,
    Lifetimes,
)
from .extension import EXTENSION_KEY, MemoryExtension, bound
from .forwarding import PassedStateForwarder, mark_forward
from .ledger import DraftLedger, Fate
from .places import Place, Places
from .redis_store import RedisStore, redis_client
from .state import BudgetExceededError, Memory, NullState, SessionState, SessionStateError
from .store import KeyValueStore, SQLiteStore, StoreUnavailableError

__all__ = [
    "EXTENSION_KEY",
    "BudgetExceededError",
    "Draft",
    "DraftChangedError",
    "DraftExpiredError",
    "Memory",
    "NullState",
    "SessionState",
    "SessionStateError",
    "StoreUnavailableError",
    "TamperedStateError",
    "TooLargeForCookieError",
    "TooManyCookiesError",
    "init_app",
    "passed_state",
]

# Draft ids a browser session keeps (ids only; the oldest go first), so it can tell its own
# expired draft from one it never had; a bound on what one session can be made to hold.
MAX_REMEMBERED_DRAFTS = 500
MAX_MOVES_FOLLOWED = 20  # by housekeeping, from the id a file was uploaded under
# Where a draft's memory lives: the setting's value, the label people see, the id prefix.
PLACES = (
    ("server", "On the server", ""),
    ("cookie", "In a browser cookie", "c."),
    ("form", "Passed through the form", "f."),
)
CARRIERS = {"cookie": CookieStore, "form": FormStore}  # what carries a draft in the browser


def init_app(app: Flask) -> None:
    """Set up the session store, browser sessions and the places drafts can live."""
    store = _make_store(app)
    lifetimes = Lifetimes(
        idle=float(app.config["WIZARD_IDLE_TIMEOUT"]),
        absolute=float(app.config["WIZARD_ABSOLUTE_LIFETIME"]),
    )
    budget = app.config["WIZARD_MEMORY_BUDGET"]
    ledger = DraftLedger(store, lifetimes.absolute)
    app.session_interface = StoreSessionInterface(app, store)

    def repository(name: str, prefix: str) -> DraftRepository:
        carrier = CARRIERS.get(name)
        return DraftRepository(
            carrier(app) if carrier else store,
            lifetimes,
            budget,
            id_prefix=prefix,
            ledger=ledger,
            carried=carrier is not None,  # ended and wiped are known only from the ledger
            shared_copy=carrier is CookieStore,  # every tab shares one copy
        )

    places = Places(tuple(Place(n, label, repository(n, prefix)) for n, label, prefix in PLACES))
    app.extensions[EXTENSION_KEY] = MemoryExtension(
        store, ledger, places, CookieJarReservations(store)
    )
    app.after_request(send_cookies)
    app.after_request(mark_forward)
    app.wsgi_app = PassedStateForwarder(app.wsgi_app)  # type: ignore[method-assign]
    app.jinja_env.globals["passed_state"] = passed_state


def _make_store(app: Flask) -> KeyValueStore:
    if factory := app.config["WIZARD_STORE_FACTORY"]:  # another store (bench/variants.py)
        store: KeyValueStore = factory(app)
        return store
    kind = app.config["SESSION_TYPE"]
    if kind == "sqlite":
        path = app.config["WIZARD_SQLITE_STORE"] or Path(app.instance_path) / "memory.sqlite3"
        return SQLiteStore(path)
    if kind == "redis":
        client = redis_client(app.config["REDIS_URL"], float(app.config["REDIS_TIMEOUT"]))
        return RedisStore(client, app.config["REDIS_KEY_PREFIX"])
    raise ValueError(f"SESSION_TYPE {kind!r} is not supported; use 'sqlite' or 'redis'.")


def pass_state_to(app: Flask, pages_of: Callable[[str, str], bool]) -> None:
    """Say which paths are pages of a draft (draft id, path) that take the memory passed
    through its forms: a redirect there after a POST is shown in the POST's response."""
    app.extensions[EXTENSION_KEY] = replace(app.extensions[EXTENSION_KEY], pages_of=pages_of)


def store() -> KeyValueStore:
    """The app's session-memory store."""
    return bound().store


def drafts() -> DraftRepository:
    """The repository of drafts kept on the server."""
    return bound().drafts


def place_labels() -> dict[str, str]:
    """Each place memory can live, as the setting's value and the label people see."""
    return bound().places.labels()


def default_place() -> str:
    """Where memory lives unless a browser chose otherwise."""
    return bound().places.default.name


def strategy_of(draft_id: str) -> str:
    """Where a draft's memory lives, read from its id."""
    return bound().places.of(draft_id).name


def carried_by_browser_only(draft_id: str) -> bool:
    """Whether only the browser holds this draft's memory (the server cannot delete it)."""
    return bound().places.of(draft_id).carried_by_browser


def drafts_of(draft_id: str) -> DraftRepository:
    """The repository that keeps this draft."""
    return bound().places.of(draft_id).repository


def memory_is_on() -> bool:
    """Say whether this browser has session memory switched on (the default)."""
    return not session.get("memory_off", False)


def strategy() -> str:
    """Where this browser keeps the memory of new drafts (a place's name)."""
    places = bound().places
    chosen = places.named(session.get("strategy", ""))
    return (chosen or places.default).name


def lineage_of(draft_id: str) -> str:
    """The id of the draft this one was moved from, first of all (itself if never moved):
    a lineage makes one report at most."""
    bare = draft_id.removeprefix(drafts_of(draft_id).id_prefix)
    return bare.partition(LINEAGE_MARK)[0]


def move_draft(draft_id: str, to: str) -> str | None:
    """Move a draft's memory to another place (its id changes with it); None if it expired
    or ended. Raises TooLargeForCookieError, keeping the draft where it was, when it does
    not fit."""
    source = drafts_of(draft_id)
    target = _place_named(to).repository
    entry = source.entry(draft_id)
    if entry is None:
        return None
    new_id = target.adopt(entry, lineage_of(draft_id))  # first: it may not fit
    if not source.end(draft_id, moved_to=new_id):  # another request ended or moved it
        target.delete(new_id)
        return None
    _own(new_id)
    return new_id


def moved_to(draft_id: str) -> str | None:
    """The id a draft of this browser lives on under after it was moved (another tab)."""
    successor = _fate(draft_id).moved_to
    return successor if successor and owns(successor) else None


def was_deleted(draft_id: str) -> bool:
    """Whether the person deleted this draft (in this tab or another)."""
    return _fate(draft_id).deleted


def _fate(draft_id: str) -> Fate:
    return bound().ledger.fate(draft_id)


def _place_named(name: str) -> Place:
    place = bound().places.named(name)
    if place is None:
        raise ValueError(f"unknown place for session memory {name!r}")
    return place


def carried_by_browser(draft_id: str) -> tuple[str, int] | None:
    """For a draft the browser carries: the cookie or field that holds it, and its bytes."""
    place = bound().places.of(draft_id)
    if not place.carried_by_browser:
        return None
    client: ClientHeldStore = place.repository.store  # type: ignore[assignment]
    return client.carrier(KEY_PREFIX + draft_id)


def choose_strategy(name: str) -> None:
    """Keep the memory of this browser's new drafts in another place."""
    if _place_named(name) is bound().places.default:
        session.pop("strategy", None)
    else:
        session["strategy"] = name


def owned_draft_ids() -> list[str]:
    """Ids of the drafts this browser started, oldest first."""
    return list(_owned())


def _owned() -> dict[str, float]:
    owned = session.get("drafts", {})
    # A dict, not a list: two requests adding a draft at once both keep theirs (the
    # session is saved key by key, see browser_session.py). Older sessions held a list.
    return dict.fromkeys(owned, 0.0) if isinstance(owned, list) else owned


def _own(draft_id: str) -> None:
    kept = sorted(_owned().items(), key=lambda item: item[1])[-(MAX_REMEMBERED_DRAFTS - 1) :]
    session["drafts"] = {**dict(kept), draft_id: time.time()}


def _drafts_that_may_live() -> list[str]:
    """This browser's drafts started within a draft's absolute lifetime (older ones are
    gone wherever their memory lived)."""
    since = time.time() - drafts().lifetimes.absolute
    return [draft_id for draft_id, started in _owned().items() if started > since]


def owns(draft_id: str) -> bool:
    """Say whether this browser started the draft."""
    return draft_id in _owned()


def may_still_live(draft_id: str) -> bool:
    """Whether this browser's draft was started (or moved here) within a draft's absolute
    lifetime: older ones are gone wherever their memory lived."""
    return draft_id in _drafts_that_may_live()


def start_draft(kind: str = "") -> str:
    """Create a draft of this kind owned by this browser and return its id."""
    try:
        draft_id = _place_named(strategy()).repository.create(kind)
    except TooLargeForCookieError:  # the browser's cookies are full: this one on the server
        draft_id = drafts().create(kind)
    _own(draft_id)
    return draft_id


def open_draft(draft_id: str, step: str) -> Draft | None:
    """Load this browser's draft with memory on or off; None if it has expired or ended
    (what the browser still carries of an ended draft is neither read nor renewed)."""
    return drafts_of(draft_id).load(draft_id, memory_is_on(), writer=step)


def seconds_left(draft: Draft) -> float:
    """Seconds until the draft expires if nothing happens (idle or absolute, the sooner)."""
    return max(0.0, drafts().lifetimes.ttl(draft.created))


def draft_is_live(draft_id: str) -> bool:
    """Say whether a draft still exists (neither expired nor submitted). The server cannot
    see drafts the browser carries: they count as live until their absolute lifetime ends."""
    return carried_by_browser_only(draft_id) or drafts().exists(draft_id)


def lives_on(draft_id: str) -> bool:
    """Whether the draft still exists, under this id or one it was moved to since."""
    for _ in range(MAX_MOVES_FOLLOWED):
        if draft_is_live(draft_id):
            return True
        draft_id = _fate(draft_id).moved_to
        if not draft_id:
            return False
    return True  # a chain this long: kept until its absolute lifetime ends


def delete_expired() -> int:
    """Delete expired drafts and browser sessions from the store; return how many went."""
    return drafts().store.delete_expired()


def save_draft(draft: Draft, guarded: bool = False) -> None:
    """Write what the request changed in the draft (guarded: only if no other request wrote
    the same answers since it was loaded, else DraftChangedError)."""
    drafts_of(draft.id).save(draft, guarded)


def claim_for_submit(draft: Draft) -> Callable[[], None]:
    """Before a draft is submitted: claim its memory in a cookie so no other tab's save of
    an older copy lands meanwhile (DraftChangedError if another tab wrote a newer copy than
    the one this request read); return what gives the claim back if the submit is refused."""
    return drafts_of(draft.id).claim_for_submit(draft)


def forget_draft(draft_id: str, deleted: bool = False) -> bool:
    """Delete a submitted or deleted draft's memory, and record that it ended; the browser
    keeps its id to show the report. False if another request ended it first."""
    return drafts_of(draft_id).end(draft_id, deleted=deleted)


def remember_result(kind: str, result: dict[str, Any]) -> None:
    """Keep what a submission of this kind (a flow) cost, one per memory mode, for the
    comparison page."""
    mode = "on" if result["memory_on"] else "off"
    every = session.get("results", {})
    session["results"] = {**every, kind: {**submitted_results(kind), mode: result}}


def remember_submitted(reference: str, kept: int = 50) -> None:
    """Keep the reference of a submission this browser made (the latest `kept`)."""
    session["submitted_references"] = [*submitted_here(), reference][-kept:]


def submitted_here() -> list[str]:
    """The references of what this browser submitted, oldest first."""
    references: list[str] = session.get("submitted_references", [])
    return references


def submitted_results(kind: str) -> dict[str, dict[str, Any]]:
    """The last submission of this kind this browser made with memory on and with memory
    off, if any."""
    results: dict[str, dict[str, Any]] = session.get("results", {}).get(kind, {})
    return results


def drafts_with_memory() -> list[Draft]:
    """This browser's live drafts whose memory holds something: what turning memory off
    would discard (looked at only: their idle timeouts do not move)."""
    if not memory_is_on():
        return []
    found = (drafts_of(i).load(i, True, writer="", touch=False) for i in _drafts_that_may_live())
    return [draft for draft in found if draft is not None and draft.memory.list_keys()]


def switch_memory(on: bool) -> None:
    """Turn session memory on or off for this browser; off discards every draft's memory."""
    if not on:
        for draft_id in _drafts_that_may_live():
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
    interface.regenerate(session)  # type: ignore[arg-type]
