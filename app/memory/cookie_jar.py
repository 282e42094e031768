"""The Cookie header a browser will send, reserved before one of its draft cookies grows.

A request checks the header its browser would send afterwards (every cookie it carries,
with this request's new and deleted ones) against WIZARD_COOKIE_HEADER_LIMIT. Two requests
of one browser growing two draft cookies at once would each see the other's old size,
pass together and cross the limit: the browser would then get 431 on every page. So a
growing cookie's new size is reserved in the server's store, one entry per browser, in one
atomic update that counts what other requests reserved moments ago (their answers may not
have reached the browser yet).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import msgspec

from .ledger import IN_FLIGHT
from .store import KeyValueStore

KEY_PREFIX = "jar:"
Reserved = dict[str, tuple[int, float]]  # cookie name -> (bytes of its value, when)
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Reserved)


def header_size(values: dict[str, int]) -> int:
    """Bytes of a Cookie header with cookies of these names and value sizes."""
    return sum(len(name) + 1 + size for name, size in values.items()) + 2 * (len(values) - 1)


@dataclass(frozen=True)
class CookieJarReservations:
    """Sizes of draft cookies granted moments ago, per browser."""

    store: KeyValueStore

    def reserve(self, browser: str, carried: dict[str, int], name: str, limit: int) -> int:
        """The header's size with cookie `name` at carried[name] bytes, counting sizes other
        requests reserved in flight; the new size is kept only if the total is in `limit`."""
        key = KEY_PREFIX + hashlib.sha256(browser.encode()).hexdigest()[:32]
        total = 0

        def mark(data: bytes | None) -> bytes | None:
            nonlocal total
            now = time.time()
            reserved = {n: r for n, r in _decoded(data).items() if now - r[1] < IN_FLIGHT}
            sizes = dict(carried)
            for other, (size, _) in reserved.items():
                if other != name:
                    sizes[other] = max(sizes.get(other, 0), size)
            total = header_size(sizes)
            if total <= limit:
                reserved[name] = (carried[name], now)
            return _encoder.encode(reserved) if reserved else None

        self.store.update(key, mark, IN_FLIGHT)
        return total


def _decoded(data: bytes | None) -> Reserved:
    if data is None:
        return {}
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError:
        return {}
