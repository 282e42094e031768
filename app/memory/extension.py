"""What session memory binds to an app, under one app.extensions key (as Flask-WTF's
CSRFProtect does): the store, the ledger of ended drafts, the places memory can live and
the per-browser reservations of cookie sizes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from .cookie_jar import CookieJarReservations
from .drafts import DraftRepository
from .ledger import DraftLedger
from .places import Places
from .store import KeyValueStore

EXTENSION_KEY = "session_memory"


@dataclass(frozen=True)
class MemoryExtension:
    """Session memory as one app has it."""

    store: KeyValueStore  # the server's: browser sessions, server drafts, the ledger
    ledger: DraftLedger
    places: Places
    cookie_jar: CookieJarReservations
    # Whether a path is a page of this draft that takes the memory passed through its form
    # (the flows say: memory knows no URL). None yet: no page does.
    pages_of: Callable[[str, str], bool] | None = None

    @property
    def drafts(self) -> DraftRepository:
        """The repository of drafts kept on the server (the default place)."""
        return self.places.default.repository


def bound() -> MemoryExtension:
    """Session memory of the current app."""
    extension: MemoryExtension = current_app.extensions[EXTENSION_KEY]
    return extension
