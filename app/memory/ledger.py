"""What happened to a draft, kept on the server where no older page can undo it.

A draft whose memory the browser carries (in a cookie, or passed through the form) can
be sent back by any older page, another tab or a replayed request. So whether it has
ended (submitted, deleted, or moved elsewhere under a new id) and when its memory was
last wiped (the memory switch turned off) are written here, one small store entry per
draft, for as long as the draft could live. Reads of a carried draft consult it first.
Ending is an atomic claim: of two requests that end one draft, exactly one wins.

A draft in a cookie has one copy that every tab of the browser shares, and the last
Set-Cookie wins: so each write of it claims the next copy number here first, and a
request that started from an older copy while a newer one may still be on its way to
the browser is refused instead of overwriting it (another tab saved at the same moment).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import msgspec

from .store import KeyValueStore

KEY_PREFIX = "fate:"
# Seconds a response may take to reach the browser: a copy written longer ago than this
# has reached it, or never will (a lost response must not lock the draft for good).
IN_FLIGHT = 10.0


class Fate(msgspec.Struct, frozen=True):
    """A draft's entry in the ledger (absent: live, never wiped)."""

    ended: bool = False
    wiped: float = 0.0  # when its memory was last wiped (0: never)
    moved_to: str = ""  # the id it lives on under, if it ended by moving
    deleted: bool = False  # it ended because the person deleted it
    copy: int = 0  # the latest write of its browser-held copy (a cookie draft)
    copy_at: float = 0.0  # when that write was claimed


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Fate)
LIVE = Fate()


@dataclass(frozen=True)
class DraftLedger:
    """Ended drafts and memory wipes, in the server's store."""

    store: KeyValueStore
    lifetime: float  # a draft's absolute lifetime: no older draft can be read anyway

    def fate(self, draft_id: str) -> Fate:
        """What the ledger knows of a draft."""
        data = self.store.get(KEY_PREFIX + draft_id)
        return LIVE if data is None else _decode(data)

    def has_ended(self, draft_id: str) -> bool:
        """Whether the draft was submitted, deleted or moved."""
        return self.fate(draft_id).ended

    def end(self, draft_id: str, moved_to: str = "", deleted: bool = False) -> bool:
        """Mark the draft ended (moved: to that id); True only for the one call that ended it."""
        claimed = False

        def mark(data: bytes | None) -> bytes:
            nonlocal claimed
            fate = LIVE if data is None else _decode(data)
            claimed = not fate.ended
            if not claimed:
                return _encoder.encode(fate)
            ended = msgspec.structs.replace(fate, ended=True, moved_to=moved_to, deleted=deleted)
            return _encoder.encode(ended)

        self.store.update(KEY_PREFIX + draft_id, mark, self.lifetime)
        return claimed

    def claim_copy(self, draft_id: str, held: int) -> int | None:
        """The number of the next copy of a cookie draft, written from copy `held`; None if
        the draft ended, or a newer copy was written (never overwritten from an older one).
        A newer copy written longer ago than IN_FLIGHT never reached the browser (a lost
        answer), or this request is a slow one: either way it is refused, and the copy it
        holds becomes the base, so the person's next press (from the browser's copy) goes on."""
        claimed: int | None = None

        def mark(data: bytes | None) -> bytes:
            nonlocal claimed
            claimed = None  # a store may run this again (Redis: the key changed meanwhile)
            fate = LIVE if data is None else _decode(data)
            if fate.ended:
                return _encoder.encode(fate)
            if fate.copy > held:
                if time.time() - fate.copy_at >= IN_FLIGHT:
                    fate = msgspec.structs.replace(fate, copy=held, copy_at=time.time())
                return _encoder.encode(fate)
            claimed = max(fate.copy, held) + 1
            return _encoder.encode(msgspec.structs.replace(fate, copy=claimed, copy_at=time.time()))

        self.store.update(KEY_PREFIX + draft_id, mark, self.lifetime)
        return claimed

    def release_copy(self, draft_id: str, claimed: int, held: int) -> None:
        """Give back a claimed copy that was never written (the write failed)."""

        def mark(data: bytes | None) -> bytes | None:
            fate = LIVE if data is None else _decode(data)
            if fate.copy != claimed:
                return None if data is None else data
            return _encoder.encode(msgspec.structs.replace(fate, copy=held, copy_at=0.0))

        self.store.update(KEY_PREFIX + draft_id, mark, self.lifetime)

    def wipe(self, draft_id: str) -> None:
        """Note that the draft's memory is discarded now, wherever a copy of it travels."""

        def mark(data: bytes | None) -> bytes:
            fate = LIVE if data is None else _decode(data)
            return _encoder.encode(msgspec.structs.replace(fate, wiped=time.time()))

        self.store.update(KEY_PREFIX + draft_id, mark, self.lifetime)


def _decode(data: bytes) -> Fate:
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError:
        return Fate(ended=True)  # unreadable: fail closed, the draft is not revived
