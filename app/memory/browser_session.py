"""The browser session: Flask-Session's server-side session over our own store.

The cookie carries only a random id. The session holds the memory switch, the
ids of this browser's drafts and the CSRF secret; draft memory lives in its own
store entries (see drafts.py), so two tabs never overwrite each other's drafts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
from flask import Flask
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


class StoreSessionInterface(ServerSideSessionInterface):  # type: ignore[misc]
    """Keep browser sessions in a KeyValueStore."""

    def __init__(self, app: Flask, store: KeyValueStore) -> None:
        self.store = store
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
