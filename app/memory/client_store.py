"""Stores that keep a draft's entry in the browser instead of on the server.

They are KeyValueStores like the server's, so drafts, steps and views work on them
unchanged: only where the bytes travel differs. An entry is compressed, signed with a
timestamp (itsdangerous), and read back only if the signature holds and it is younger
than its time to live, so the browser can carry it but never forge or revive it.

- CookieStore: one cookie per draft; its whole Set-Cookie header within the 4,093 bytes
  Flask allows (browsers keep about 4,096).
- FormStore: a hidden field that every form of the draft sends back; nothing of the
  draft stays on the server between requests.

Within a request, what was written is what is read (an overlay), and what must go
out is gathered in `g` until the response is made.
"""

from __future__ import annotations

import base64
import math
import time
import zlib
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from itsdangerous import BadSignature, TimestampSigner
from werkzeug.http import dump_cookie

from .browser_session import CSRF_KEY
from .cookie_jar import header_size
from .extension import EXTENSION_KEY, MemoryExtension
from .state import BudgetExceededError
from .store import Mutation

COOKIE_LIMIT = 4096  # bytes of name and value a browser keeps for one cookie
FORM_FIELD = "memory_state"
OWNER_MARK = "!"  # between the draft's key and its signed memory in FORM_FIELD


class TooLargeForCookieError(BudgetExceededError):
    """The draft no longer fits in a browser cookie; nothing was written."""

    def __init__(self, size: int, message: str = "") -> None:
        super().__init__(
            size,
            COOKIE_LIMIT,
            message
            or f"This draft no longer fits in a browser cookie ({size:,} bytes; browsers keep "
            f"about {COOKIE_LIMIT:,}). Nothing was lost: keep session memory on the server "
            "to go on.",
        )


class TooManyCookiesError(TooLargeForCookieError):
    """This draft's cookie would push all the cookies the browser sends past what servers
    accept in one header; nothing was written."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            size,
            f"Together with your other drafts, this draft no longer fits in your browser's "
            f"cookies ({size:,} bytes; at most {limit:,} are sent to this service). Nothing "
            "was lost: keep session memory on the server to go on, or finish or delete "
            "another draft.",
        )
        self.limit = limit


class TamperedStateError(ValueError):
    """A passed-through state whose signature does not hold: changed on the way."""

    def __init__(self) -> None:
        super().__init__(
            "The session memory this page carried was changed on its way back, so it cannot "
            "be trusted and was not used. Nothing was submitted."
        )


class ClientHeldStore:
    """The KeyValueStore operations over bytes the browser carries between requests."""

    name = "client"
    salt = "expense-wizard-client-store"

    def __init__(self, app: Flask) -> None:
        self._secret = app.secret_key

    def _signer_for(self, key: str) -> TimestampSigner:
        # The key is in the salt: one draft's entry is never accepted for another's.
        return TimestampSigner(self._secret, salt=f"{self.salt}:{key}")  # type: ignore[arg-type]

    # What a subclass provides: where the signed text travels.
    def _read(self, key: str) -> str | None:
        raise NotImplementedError

    def _write(self, key: str, signed: str | None, ttl: float) -> None:
        raise NotImplementedError

    def carrier(self, key: str) -> tuple[str, int]:
        """The name of what carries the entry in the browser, and its bytes after this request."""
        raise NotImplementedError

    def _overlay(self) -> dict[str, bytes | None]:
        overlay: dict[str, bytes | None] = g.setdefault(f"{self.name}_overlay", {})
        return overlay

    def get(self, key: str) -> bytes | None:
        return self._aged(key)[0]

    def _aged(self, key: str) -> tuple[bytes | None, float]:
        """The entry and seconds since it was signed (0 for one written by this request)."""
        overlay = self._overlay()
        if key in overlay:
            return overlay[key], 0.0
        signed = self._read(key)
        return (None, 0.0) if signed is None else self._unsign(key, signed)

    def get_touch(self, key: str, ttl: float) -> bytes | None:
        value = self.get(key)
        if value is not None and self.renewal_due(key):
            self.put(key, value, ttl)  # a new timestamp: the idle timeout slides
        return value

    def renewal_due(self, key: str) -> bool:
        """Whether the entry's signature is old enough to be renewed (see renew_after)."""
        return self._aged(key)[1] >= self.renew_after * _idle()

    renew_after = 0.0  # renew the signature when older than this part of the idle timeout

    def put(self, key: str, value: bytes, ttl: float) -> None:
        self._write(key, self.sign(key, value, ttl), ttl)
        self._overlay()[key] = value

    def delete(self, key: str) -> None:
        self._write(key, None, 0)
        self._overlay()[key] = None

    def update(self, key: str, mutate: Mutation, ttl: float) -> bytes | None:
        new = mutate(self.get(key))
        if new is None:
            self.delete(key)
        else:
            self.put(key, new, ttl)
        return new

    def delete_expired(self) -> int:
        return 0  # expired entries die in the browser

    def count(self) -> int:
        return 0  # the server cannot see them

    def ping(self) -> None:
        return None

    def sign(self, key: str, value: bytes, ttl: float) -> str:
        """The value compressed and signed with the time; its time to live is signed too."""
        packed = base64.urlsafe_b64encode(zlib.compress(value, 9)).decode("ascii")
        return self._signer_for(key).sign(f"{math.ceil(ttl)}:{packed}").decode("ascii")

    def _unsign(self, key: str, signed: str) -> tuple[bytes | None, float]:
        try:
            text, signed_at = self._signer_for(key).unsign(signed, return_timestamp=True)
        except BadSignature:
            return self._refused(signed), 0.0
        ttl, _, packed = text.decode("ascii").rpartition(":")  # base64 has no ":"
        idle = _idle()  # also the ttl of an entry signed without one
        age = time.time() - signed_at.timestamp()
        if age > min(float(ttl or idle), idle):
            return None, age  # left idle too long: the draft has expired
        try:
            return zlib.decompress(base64.urlsafe_b64decode(packed)), age
        except (ValueError, zlib.error):
            return self._refused(signed), age

    def _refused(self, signed: str) -> bytes | None:
        return None


class CookieStore(ClientHeldStore):
    """Each draft's entry in its own signed, compressed cookie."""

    name = "cookie"
    salt = "expense-wizard-draft-cookie"
    # Every tab shares the one cookie and the last Set-Cookie wins: a page that only reads
    # renews it seldom, so a renewal rarely races another tab's save (see ledger.py).
    renew_after = 0.25

    def cookie_name(self, key: str) -> str:
        prefix = "__Host-" if current_app.config["SESSION_COOKIE_SECURE"] else ""
        return prefix + "expense_wizard_" + key.replace(":", "_")

    def _read(self, key: str) -> str | None:
        return request.cookies.get(self.cookie_name(key))

    def _write(self, key: str, signed: str | None, ttl: float) -> None:
        name = self.cookie_name(key)
        if signed is not None:
            # The whole Set-Cookie header counts: some browsers count its attributes too,
            # and Flask warns beyond MAX_COOKIE_SIZE (4,093 bytes).
            size = _header_size(name, signed, ttl)
            if size > current_app.config["MAX_COOKIE_SIZE"]:
                raise TooLargeForCookieError(size)
            if len(signed) > len(request.cookies.get(name, "")):  # renewals never grow
                _check_cookie_header(name, signed)
        pending: dict[str, tuple[str | None, float]] = g.setdefault("cookies_out", {})
        pending[name] = (signed, ttl)

    def carrier(self, key: str) -> tuple[str, int]:
        """The draft cookie's name and the bytes of its Set-Cookie header (what is limited)."""
        pending: dict[str, Any] = g.get("cookies_out", {})
        name = self.cookie_name(key)
        signed, ttl = pending.get(name) or (request.cookies.get(name), _idle())
        return name, 0 if signed is None else _header_size(name, signed, ttl)


class FormStore(ClientHeldStore):
    """The draft's entry in a signed hidden field that every form of the draft sends back.

    The server keeps nothing of the draft between requests. A request reads the field it
    was sent (or, for a page shown in place of a redirect, what the POST before handed on);
    the page it answers with carries the new state in its forms.
    """

    name = "form"
    salt = "expense-wizard-passed-state"
    environ_key = "expense_wizard.passed_state"  # set only by PassedStateForwarder

    def _carried(self) -> tuple[str, str]:
        """The draft the request's field names, and its signed memory."""
        passed = request.environ.get(self.environ_key)
        carried = passed if passed is not None else request.form.get(FORM_FIELD) or ""
        owner, mark, signed = carried.partition(OWNER_MARK)
        return (owner, signed) if mark else ("", carried)

    def _read(self, key: str) -> str | None:
        # The field names its draft, so a page of one draft is no other draft's memory
        # (a changed name is still caught: the key is in the signature's salt).
        owner, signed = self._carried()
        return signed or None if owner in (key, "") else None

    def _write(self, key: str, signed: str | None, ttl: float) -> None:
        if signed is None and key != g.get("passed_state_key", self._carried()[0]):
            return  # another draft's memory is not in this request: nothing to delete
        g.passed_state = None if signed is None else f"{key}{OWNER_MARK}{signed}"
        g.passed_state_key = key

    def _refused(self, signed: str) -> bytes | None:
        raise TamperedStateError()

    def carrier(self, key: str) -> tuple[str, int]:
        signed = g.get("passed_state") or self._read(key) or ""
        return FORM_FIELD, len(signed)


def passed_state() -> str | None:
    """The state this response hands on in its forms (None: the draft is not passed through)."""
    state: str | None = g.get("passed_state")
    return state


def send_cookies(response: Response) -> Response:
    """Set or delete the draft cookies this request wrote (after_request)."""
    for name, (signed, ttl) in g.get("cookies_out", {}).items():
        if signed is None:
            response.delete_cookie(name, path="/", secure=_secure(), samesite="Lax")
        else:
            response.set_cookie(name, signed, **_cookie_attributes(ttl))
    return response


def _check_cookie_header(name: str, signed: str) -> None:
    """Refuse a cookie that would make the browser's Cookie header too long for servers
    (gunicorn refuses a header over 8,190 bytes with a 431 on every page)."""
    jar = {key: len(value) for key, value in request.cookies.items()}
    for pending, (value, _) in g.get("cookies_out", {}).items():
        if value is None:
            jar.pop(pending, None)
        else:
            jar[pending] = len(value)
    jar[name] = len(signed)
    limit = int(current_app.config["WIZARD_COOKIE_HEADER_LIMIT"])
    extension: MemoryExtension | None = current_app.extensions.get(EXTENSION_KEY)
    browser = session.get(CSRF_KEY)
    if extension and isinstance(browser, str):  # requests in flight count too
        size = extension.cookie_jar.reserve(browser, jar, name, limit)
    else:
        size = header_size(jar)
    if size > limit:
        raise TooManyCookiesError(size, limit)


def _header_size(name: str, signed: str, ttl: float) -> int:
    return len(dump_cookie(name, signed, max_size=0, **_cookie_attributes(ttl)))


def _idle() -> float:
    return float(current_app.config["WIZARD_IDLE_TIMEOUT"])


def _cookie_attributes(ttl: float) -> dict[str, Any]:
    return {
        "max_age": int(ttl),
        "path": "/",
        "secure": _secure(),
        "httponly": True,
        "samesite": "Lax",
    }


def _secure() -> bool:
    return bool(current_app.config["SESSION_COOKIE_SECURE"])
