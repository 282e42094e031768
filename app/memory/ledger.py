"""What happened to a draft, kept on the server where no older page can undo it.

A draft whose memory the browser carries (in a cookie, or passed through the form) can
be sent back by any older page, another tab or a replayed request. So whether it has
ended (submitted, deleted, or moved elsewhere under a new id) and when its memory was
last wiped (the memory switch turned off) are written here, one small store entry per
draft, for as long as the draft could live. Reads of a carried draft consult it first.
Ending is an atomic claim: of two requests that end one draft, exactly one wins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import msgspec

from .store import KeyValueStore

KEY_PREFIX = "fate:"


class Fate(msgspec.Struct, frozen=True):
    """A draft's entry in the ledger (absent: live, never wiped)."""

    ended: bool = False
    wiped: float = 0.0  # when its memory was last wiped (0: never)
    moved_to: str = ""  # the id it lives on under, if it ended by moving
    deleted: bool = False  # it ended because the person deleted it


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
