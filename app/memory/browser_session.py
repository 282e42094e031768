"""The browser session: Flask-Session's server-side session over our own store.

The cookie carries only a random id. A new id is issued when what the session may
do changes (memory switched, report submitted); the old id then only forwards to the
new one for a few seconds, so a double click or a request already on its way still
lands in the same session instead of an empty one, and is dead after that.

The session holds the memory switch, the ids of this browser's drafts and the CSRF
secret; draft memory lives in its own store entries (see drafts.py), so two tabs
never overwrite each other's drafts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
from flask import Flask, Request
from flask_session.base import ServerSideSession, ServerSideSessionInterface

from .store import KeyValueStore

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(dict[str, Any])


class SafeSerializer:
    """Msgpack only: Flask-Session 0.8 falls back to pickle, which would let anyone
    who can write to the store run code in the app."""

    def encode(self, session: ServerSideSession) -> bytes:
        return _encoder.encode(dict(session))

    def decode(self, data: bytes) -> dict[str, Any]:
        return _decoder.decode(data)  # raises msgspec.DecodeError; never unpickles


MOVED_TO = "_moved_to"  # the only key of a retired session's entry
MAX_FORWARDS = 3  # a few rotations within one grace period, never a loop


class StoreSessionInterface(ServerSideSessionInterface):  # type: ignore[misc]
    """Keep browser sessions in a KeyValueStore."""

    def __init__(self, app: Flask, store: KeyValueStore) -> None:
        self.store = store
        self.rotation_grace = float(app.config["SESSION_ROTATION_GRACE"])
        super().__init__(
            app,
            key_prefix=app.config["SESSION_KEY_PREFIX"],
            permanent=True,
            sid_length=app.config["SESSION_ID_LENGTH"],
        )
        self.serializer = SafeSerializer()

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        data = self.store.get(store_id)
        if data is None:
            return None
        try:
            return self.serializer.decode(data)
        except msgspec.DecodeError:
            return None  # unreadable (or planted) data: a new session, with a new id

    def _delete_session(self, store_id: str) -> None:
        self.store.delete(store_id)

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        data = self.serializer.encode(session)
        self.store.put(store_id, data, session_lifetime.total_seconds())

    def regenerate(self, session: ServerSideSession) -> None:
        """Give the session a new id; the old one forwards to it for the grace period only."""
        old_store_id = self._get_store_id(session.sid)
        session.sid = self._generate_sid(self.sid_length)
        session.modified = True
        self._upsert_session(
            self.app.permanent_session_lifetime, session, self._get_store_id(session.sid)
        )
        if self.rotation_grace > 0:
            forward = _encoder.encode({MOVED_TO: session.sid})
            self.store.put(old_store_id, forward, self.rotation_grace)
        else:
            self.store.delete(old_store_id)

    def open_session(self, app: Flask, request: Request) -> ServerSideSession:
        """Open the session, following a retired id to its successor (whose cookie is sent)."""
        session: ServerSideSession = super().open_session(app, request)
        for _ in range(MAX_FORWARDS):
            new_sid = session.get(MOVED_TO)
            if not isinstance(new_sid, str):
                break
            data = self._retrieve_session_data(self._get_store_id(new_sid)) or {}
            session = self.session_class(data, sid=new_sid)
            session.modified = True  # sends the new id's cookie
        if MOVED_TO in session:  # a chain too long or a planted entry: start afresh
            session = self.session_class(sid=self._generate_sid(self.sid_length), permanent=True)
        return session
