"""The browser session: Flask-Session's server-side session over our own store.

The cookie carries only a random id. A new id is issued when what the session may
do changes (memory switched, report submitted); the old id then only forwards to the
new one for a few seconds, so a double click or a request already on its way still
lands in the same session instead of an empty one, and is dead after that.

The session holds the memory switch, the ids of this browser's drafts and the CSRF
secret; draft memory lives in its own store entries (see drafts.py). A save never
writes the session whole: it replays what this request changed (top-level keys, and
the keys inside a dict value) on the freshest stored copy, in one store update, so two
requests of one browser at once (two tabs) keep each other's changes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import msgspec
from flask import Flask, Request, Response
from flask_session.base import ServerSideSession, ServerSideSessionInterface

from .store import KeyValueStore, StoreUnavailableError

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(dict[str, Any])


class SafeSerializer:
    """Msgpack only: Flask-Session 0.8 falls back to pickle, which would let anyone
    who can write to the store run code in the app."""

    def encode(self, session: ServerSideSession) -> bytes:
        return _encoder.encode(dict(session))

    def decode(self, data: bytes) -> dict[str, Any]:
        return _decoder.decode(data)  # raises msgspec.DecodeError; never unpickles


# A retired session's entry, kept as long as a session lives: the id it moved to, and until
# when opening it still leads there (a double click). A request that opened the session
# before it moved always saves into its successor, however slow; a retired id never opens
# a session again once the grace is over.
MOVED_TO = "_moved_to"
FORWARD_UNTIL = "_forward_until"
# A browser that holds nothing but its CSRF secret (every visitor's first page) gets no
# store entry: its secret is derived from its session id, which its cookie keeps, and goes
# into the store with the first thing worth keeping. So a loop of cookieless GETs writes
# nothing on the server, and requests sent at once from a first page share one session.
CSRF_KEY = "csrf_token"  # Flask-WTF's session key (WTF_CSRF_FIELD_NAME)
NOT_WORTH_KEEPING = {CSRF_KEY, "_permanent"}  # and Flask's own mark of a permanent session
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{32,128}")
MAX_FORWARDS = 3  # a few rotations within one grace period, never a loop
_ABSENT = object()


def _snapshot(data: dict[str, Any]) -> dict[str, Any]:
    return _decoder.decode(_encoder.encode(data))  # a deep copy, as the store would give


class BrowserSession(ServerSideSession):  # type: ignore[misc]
    """A server-side session that remembers what it was loaded with, so a save can replay
    only this request's changes."""

    def __init__(self, initial: Any = None, sid: str | None = None, permanent: Any = None):
        super().__init__(initial, sid, permanent)
        self.loaded = _snapshot(dict(self))
        self.new = False  # its id was made for this request: the cookie must be sent
        self.csrf_read = False  # a page or a check used the CSRF secret
        self.written = False  # this request stored it already

    def __getitem__(self, key: str) -> Any:
        if key == CSRF_KEY:
            self.csrf_read = True
        return super().__getitem__(key)

    def replayed_on(self, fresh: dict[str, Any]) -> dict[str, Any]:
        """The freshest stored copy with this request's changes applied."""
        result = dict(fresh)
        for key in self.loaded.keys() - self.keys():
            result.pop(key, None)
        for key, value in self.items():
            before = self.loaded.get(key, _ABSENT)
            if value == before or (key == CSRF_KEY and CSRF_KEY in result):
                continue  # a stored CSRF secret is never replaced by a request's
            if isinstance(value, dict) and isinstance(result.get(key), dict):
                base = before if isinstance(before, dict) else {}
                value = _merged(result[key], base, value)
            result[key] = value
        return result


def _merged(fresh: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """One dict value's changes (before -> after) applied to its freshest copy."""
    merged = {k: v for k, v in fresh.items() if k in after or k not in before}
    merged.update({k: v for k, v in after.items() if before.get(k, _ABSENT) != v})
    return merged


class _ForwardedError(Exception):
    """The stored entry is a retired id's: the session lives on under another id."""

    def __init__(self, sid: str) -> None:
        super().__init__(sid)
        self.sid = sid


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
        self.session_class = BrowserSession

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        data = self.store.get(store_id)
        # Unreadable (or planted) data: a new session, with a new id.
        return self._decoded(data) or None

    def _delete_session(self, store_id: str) -> None:
        self.store.delete(store_id)

    def _upsert_session(
        self, session_lifetime: timedelta, session: BrowserSession, store_id: str
    ) -> None:
        if session.written and dict(session) == session.loaded:
            return  # stored whole a moment ago (a new id): nothing changed since
        self._replay(session, self.serializer.encode, session_lifetime.total_seconds())

    def regenerate(self, session: BrowserSession) -> None:
        """Give the session a new id; the old one forwards to it for the grace period only.
        If another request retired the id meanwhile, its new id serves this one too."""
        new_sid = self._generate_sid(self.sid_length)
        lifetime = self.app.permanent_session_lifetime.total_seconds()

        def retire(fresh: dict[str, Any]) -> bytes:
            self.store.put(self._get_store_id(new_sid), self.serializer.encode(fresh), lifetime)
            forward_until = time.time() + self.rotation_grace
            return _encoder.encode({MOVED_TO: new_sid, FORWARD_UNTIL: forward_until})

        try:
            self._replay_once(session, retire, lifetime)
            session.sid = new_sid
        except _ForwardedError as forwarded:
            session.sid = forwarded.sid
            self._replay(session, self.serializer.encode, lifetime)
        session.modified = True

    def _replay(
        self,
        session: BrowserSession,
        write: Callable[[dict[str, Any]], bytes | None],
        ttl: float,
    ) -> None:
        """Save the request's changes, following the session to its new id if another
        request retired this one meanwhile (the cookie then names the live id)."""
        for _ in range(MAX_FORWARDS + 1):
            try:
                return self._replay_once(session, write, ttl)
            except _ForwardedError as forwarded:
                session.sid = forwarded.sid
        raise StoreUnavailableError("The browser session kept moving while it was saved.")

    def _replay_once(
        self,
        session: BrowserSession,
        write: Callable[[dict[str, Any]], bytes | None],
        ttl: float,
    ) -> None:
        """Apply the request's changes to the freshest stored copy, in one store update."""

        def mutate(data: bytes | None) -> bytes | None:
            # Gone meanwhile (expired, deleted): what this request loaded is the base, so
            # the session is never rewritten from its last changes alone.
            fresh = session.loaded if data is None else self._decoded(data)
            if isinstance(moved_to := fresh.get(MOVED_TO), str):
                raise _ForwardedError(moved_to)
            return write(session.replayed_on(fresh))

        self.store.update(self._get_store_id(session.sid), mutate, ttl)
        session.loaded = _snapshot(dict(session))
        session.written = True

    def _decoded(self, data: bytes | None) -> dict[str, Any]:
        if data is None:
            return {}
        try:
            return self.serializer.decode(data)
        except msgspec.DecodeError:
            return {}

    def save_session(self, app: Flask, session: BrowserSession, response: Response) -> None:
        """Store the session once it holds something worth keeping; until then only its id
        travels, in the cookie."""
        if not (session.keys() | session.loaded.keys()) <= NOT_WORTH_KEEPING:
            if session.loaded.keys() <= NOT_WORTH_KEEPING and not session.new:
                # The first thing worth keeping goes under a new id: an id someone planted in
                # this browser (session fixation) never holds anything. The CSRF secret stays,
                # so pages open in other tabs still work (SESSION_COOKIE_SECURE's __Host-
                # prefix is what keeps other hosts from planting an id at all).
                self.regenerate(session)
            return super().save_session(app, session, response)  # type: ignore[no-any-return]
        if session.new and session.csrf_read:  # a token was handed out: keep its secret
            response.set_cookie(
                self.get_cookie_name(app),
                session.sid,
                expires=self.get_expiration_time(app, session),
                httponly=self.get_cookie_httponly(app),
                domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app),
                secure=self.get_cookie_secure(app),
                samesite=self.get_cookie_samesite(app),
            )
        return None

    def open_session(self, app: Flask, request: Request) -> ServerSideSession:
        """Open the session, following a retired id to its successor (whose cookie is sent).
        An id without an entry stays (a visitor who has kept nothing yet); a malformed or
        absent one is replaced."""
        sid = request.cookies.get(self.get_cookie_name(app), "")
        well_formed = bool(_SESSION_ID.fullmatch(sid))
        stored = self._retrieve_session_data(self._get_store_id(sid)) if well_formed else None
        if well_formed:
            session = self._followed(BrowserSession(stored, sid=sid, permanent=True))
        if not well_formed or MOVED_TO in session:  # absent, malformed or retired: afresh
            session = BrowserSession(sid=self._generate_sid(self.sid_length), permanent=True)
            session.new = True
        if CSRF_KEY not in session:
            session.update({CSRF_KEY: self._csrf_secret(app, session.sid)})
        return session

    @staticmethod
    def _csrf_secret(app: Flask, sid: str) -> str:
        key = str(app.secret_key).encode()
        return hmac.new(key, b"csrf:" + sid.encode(), hashlib.sha256).hexdigest()

    def _followed(self, session: BrowserSession) -> BrowserSession:
        """The session a retired id leads to within its grace period (whose cookie is sent);
        a retired id past it, or a chain too long, stays as it is (to be replaced)."""
        for _ in range(MAX_FORWARDS):
            new_sid = session.get(MOVED_TO)
            if not isinstance(new_sid, str) or session.get(FORWARD_UNTIL, 0) < time.time():
                break
            data = self._retrieve_session_data(self._get_store_id(new_sid)) or {}
            session = BrowserSession(data, sid=new_sid, permanent=True)
            session.modified = True  # sends the new id's cookie
        return session
