"""Drafts: one store entry per flow being filled in.

A draft entry holds the draft's memory (values and who wrote them), when it was
created, and the repeated-input counter (field names and counts, never values).
Writes replay the request's operations on the freshest copy inside one store
transaction, so two tabs working at once never lose each other's answers.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from .ledger import LIVE, DraftLedger
from .state import NullState, SessionState, apply_operation, check_budget
from .store import KeyValueStore

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(dict[str, Any])
KEY_PREFIX = "draft:"


def new_draft_id() -> str:
    """Return an unguessable draft id (128 bits from the OS's CSPRNG)."""
    return secrets.token_urlsafe(16)


REVISION = re.compile(r"[0-9]{1,9}", re.ASCII)
LINEAGE_MARK = "."  # never in a token: <place prefix><lineage>[.<move>]


def moved_draft_id(lineage: str) -> str:
    """A new id for a draft that moved: the same lineage (one report at most), a new suffix."""
    return f"{lineage}{LINEAGE_MARK}{secrets.token_urlsafe(6)}"


class DraftExpiredError(RuntimeError):
    """The draft expired or was submitted while this request was working on it."""


class DraftChangedError(RuntimeError):
    """Another request saved the answers this one was about to save (a second tab)."""


Typing = tuple[str, bool]  # a field typed on an accepted page; True: memory did not have it


@dataclass(frozen=True)
class RepeatCounter:
    """The repeated-input counter of a draft: field names and counts, never values."""

    typed: dict[str, int] = field(default_factory=dict)  # times each field was typed
    again: int = 0  # typings of a field typed before, asked again because memory lacked it
    pages_on: int = 0  # pages accepted with session memory on
    pages_off: int = 0  # and with it off

    @property
    def fields_typed(self) -> int:
        return sum(self.typed.values())

    @property
    def memory_use(self) -> str:
        """How memory was used for the accepted pages: "on", "off" or "part". A page that
        asked again for what memory lacked means it was off (or wiped) for part, even if
        every page was sent with it on (off and on again in between)."""
        if self.pages_off:
            return "part" if self.pages_on else "off"
        return "part" if self.again else "on"

    def plus(self, typings: Iterable[Typing], accepted: Iterable[bool]) -> RepeatCounter:
        """This counter after more typings and accepted pages (memory on or off)."""
        typed, again = dict(self.typed), self.again
        for name, asked in typings:
            if asked and name in typed:  # typed before, and memory did not have it now
                again += 1
            typed[name] = typed.get(name, 0) + 1
        modes = list(accepted)
        on = self.pages_on + sum(modes)
        return RepeatCounter(typed, again, on, self.pages_off + len(modes) - sum(modes))


@dataclass
class Draft:
    """One draft as a request sees it: its memory and its counter."""

    id: str
    created: float
    memory: SessionState | NullState
    counted: RepeatCounter = field(default_factory=RepeatCounter)  # as stored
    typed_now: list[Typing] = field(default_factory=list)
    accepted_now: list[bool] = field(default_factory=list)  # memory on for each page
    pages: int = 0  # step pages sent (Continue, Add, Remove, Submit), for the comparison
    pages_now: int = 0
    revision: int = 0  # how many saves changed its memory: a page shows the one it was made at
    key_revisions: dict[str, int] = field(default_factory=dict)  # the save that wrote each key
    copy: int = 0  # which write of a cookie draft's one copy this request started from
    kind: str = ""  # what it drafts, as its starter named it ("" for drafts from before)

    def changed_since(self, shown: str | None, keys: Iterable[str] | None) -> bool:
        """Whether any of these memory keys (None: any at all) was written after a page made
        at revision `shown` (another tab of the draft saved meanwhile). A page without one
        is not checked; one that is no revision is."""
        if shown is None:
            return False
        if not REVISION.fullmatch(shown):
            return True
        if keys is None:
            return self.revision > int(shown)
        return any(self.key_revisions.get(key, 0) > int(shown) for key in keys)

    def note_accepted(self, typings: Iterable[Typing], memory_on: bool) -> None:
        """Count the fields typed on a step page just accepted, and whether memory was on."""
        self.typed_now.extend(typings)
        self.accepted_now.append(memory_on)

    def note_page_sent(self) -> None:
        """Count a step page the person sent, whatever became of it."""
        self.pages_now += 1

    @property
    def pages_sent(self) -> int:
        """Step pages sent in this draft, including this request."""
        return self.pages + self.pages_now

    def counter(self) -> RepeatCounter:
        """The counter of this draft, including this request."""
        return self.counted.plus(self.typed_now, self.accepted_now)

    @property
    def typed(self) -> dict[str, int]:
        """Times each field was typed in this draft (as stored)."""
        return self.counted.typed

    @property
    def repeats(self) -> int:
        """Fields typed again so far because memory did not have them."""
        return self.counted.again

    @property
    def has_changes(self) -> bool:
        return bool(self.memory.operations or self.accepted_now or self.pages_now)


@dataclass(frozen=True)
class Lifetimes:
    """How long drafts live, in seconds."""

    idle: float
    absolute: float

    def ttl(self, created: float) -> float:
        """Seconds a draft created at `created` may live from now if left alone."""
        return min(self.idle, created + self.absolute - time.time())


class DraftRepository:
    """Create, load and save drafts in a KeyValueStore."""

    def __init__(
        self,
        store: KeyValueStore,
        lifetimes: Lifetimes,
        budget: int,
        id_prefix: str = "",
        ledger: DraftLedger | None = None,
        carried: bool = False,
        shared_copy: bool = False,
    ) -> None:
        self.store = store
        self.lifetimes = lifetimes
        self.budget = budget
        self.id_prefix = id_prefix  # says where a draft's memory lives, even without a request
        self.ledger = ledger  # ends are claimed there, so a draft ends (or moves) only once
        # Drafts the browser carries: whether they ended, and wipes, are known only there.
        self._consulted = ledger if carried else None
        # One copy all tabs share (a cookie): each write claims the next copy in the ledger.
        self._copies = ledger if shared_copy else None

    def create(self, kind: str = "") -> str:
        """Start an empty draft of this kind (the caller's name for what it drafts; it stays
        with the draft wherever it moves) and return its id."""
        draft_id = self.id_prefix + new_draft_id()
        counter = counter_record(RepeatCounter())
        record = {"created": time.time(), "values": {}, "meta": {}, **counter}
        if kind:
            record["kind"] = kind
        self.store.put(KEY_PREFIX + draft_id, _encoder.encode(record), self.lifetimes.idle)
        return draft_id

    def adopt(self, entry: bytes, lineage: str) -> str:
        """Keep another place's draft entry here, under a new id of this place; return it."""
        draft_id = self.id_prefix + moved_draft_id(lineage)
        created = _decoder.decode(entry)["created"]
        self.store.put(KEY_PREFIX + draft_id, entry, self.lifetimes.ttl(created))
        return draft_id

    def entry(self, draft_id: str) -> bytes | None:
        """The draft's stored entry, for moving it elsewhere (None once ended or expired;
        without the memory a wipe discarded)."""
        record = self._live_record(draft_id, touch=False)
        if record is not None and self._copies:  # moving it is a write of its one copy
            self.claim(draft_id, record.get("copy", 0))
        return None if record is None else _encoder.encode(record)

    def claim_for_submit(self, draft: Draft) -> Callable[[], None]:
        """Claim the next copy of a cookie draft before it is submitted, so no save of an
        older copy lands meanwhile (DraftChangedError if a newer copy exists); return what
        gives the claim back if the submit is refused."""
        copy = self.claim(draft.id, draft.copy)
        ledger = self._copies
        if copy is None or ledger is None:
            return lambda: None
        return lambda: ledger.release_copy(draft.id, copy, draft.copy)

    def claim(self, draft_id: str, held: int) -> int | None:
        """For a draft whose one copy all tabs share (a cookie): claim the next copy, from the
        copy `held`; DraftChangedError if another tab wrote a newer one. Else None."""
        if not self._copies:
            return None
        copy = self._copies.claim_copy(draft_id, held)
        if copy is None:
            raise DraftChangedError("Another tab saved this draft at the same moment.")
        return copy

    def load(self, draft_id: str, memory_on: bool, writer: str, touch: bool = True) -> Draft | None:
        """Return the live draft (sliding its idle timeout unless only looked at: touch
        False), or None if it is gone or ended."""
        record = self._live_record(draft_id, touch=touch)
        if record is None:
            return None
        memory: SessionState | NullState = (
            SessionState(record["values"], record["meta"], self.budget, writer)
            if memory_on
            else NullState()
        )
        counted = counter_of(record)
        pages, revision = record.get("pages", 0), record.get("rev", 0)
        return Draft(
            draft_id,
            record["created"],
            memory,
            counted,
            pages=pages,
            revision=revision,
            key_revisions=record.get("keyrev", {}),
            copy=record.get("copy", 0),
            kind=record.get("kind", ""),
        )

    def _live_record(self, draft_id: str, touch: bool) -> dict[str, Any] | None:
        """The one way a draft is read: what the ledger knows of it applied first (an ended
        draft is not read nor renewed; a copy from before a wipe comes without its memory)."""
        fate = self._consulted.fate(draft_id) if self._consulted else LIVE
        if fate.ended:
            return None
        key = KEY_PREFIX + draft_id
        if touch and not self._copies:
            data = self.store.get_touch(key, self.lifetimes.idle)
        else:
            data = self.store.get(key)
        if data is None:
            return None
        record = _decoder.decode(data)
        if self.lifetimes.ttl(record["created"]) <= 0:
            self.store.delete(key)
            return None
        if touch and self._copies:
            self._renewed(draft_id, record)
        if fate.wiped > record.get("wiped", 0.0):  # a copy from before the switch went off
            record = self._wiped(draft_id, record, fate.wiped)
        return record

    def _renewed(self, draft_id: str, record: dict[str, Any]) -> None:
        """Slide the idle timeout of a draft whose one copy all tabs share: a renewal is a
        write of that copy, so it claims the next copy number first; if another tab wrote
        a newer one, nothing is renewed (an older copy must never land after it)."""
        store: Any = self.store
        if not store.renewal_due(KEY_PREFIX + draft_id) or self._copies is None:
            return
        copy = self._copies.claim_copy(draft_id, record.get("copy", 0))
        if copy is not None:
            record["copy"] = copy
            ttl = self.lifetimes.ttl(record["created"])
            self.store.put(KEY_PREFIX + draft_id, _encoder.encode(record), ttl)

    def exists(self, draft_id: str) -> bool:
        """Say whether the draft is still in the store."""
        return self.store.get(KEY_PREFIX + draft_id) is not None

    def save(self, draft: Draft, guarded: bool = False) -> None:
        """Write the draft's new memory and counts, replayed on the stored copy. Guarded:
        refuse (DraftChangedError) if a key it writes was written since it was loaded."""
        if not draft.has_changes:
            return
        copy = self.claim(draft.id, draft.copy)  # another tab's newer cookie is not overwritten
        if copy is None or self._copies is None:
            return self._replay(draft, guarded)
        try:
            self._replay(draft, guarded, copy)
        except BaseException:
            self._copies.release_copy(draft.id, copy, draft.copy)
            raise

    def _replay(self, draft: Draft, guarded: bool, copy: int | None = None) -> None:
        """Apply the draft's changes to the stored copy in one store update."""
        replayed: dict[str, int] = {}

        def replay(data: bytes | None) -> bytes:
            if data is None:
                raise DraftExpiredError("This draft has expired.")
            record = _decoder.decode(data)
            if guarded and _written_since(record.get("keyrev", {}), draft):
                raise DraftChangedError("Another tab saved these answers meanwhile.")
            replayed["rev"] = _with_changes(record, draft, copy).get("rev", 0)
            check_budget(record["values"], self.budget)
            return _encoder.encode(record)

        self.store.update(KEY_PREFIX + draft.id, replay, self.lifetimes.ttl(draft.created))
        if draft.memory.operations:  # the page made next shows this save's revision
            draft.revision = replayed["rev"]
        draft.memory.operations.clear()
        draft.counted = draft.counter()
        draft.typed_now.clear()
        draft.accepted_now.clear()
        draft.pages, draft.pages_now = draft.pages + draft.pages_now, 0
        draft.copy = draft.copy if copy is None else copy

    def _wiped(self, draft_id: str, record: dict[str, Any], at: float) -> dict[str, Any]:
        record = {**record, "values": {}, "meta": {}, "wiped": at}
        ttl = self.lifetimes.ttl(record["created"])
        self.store.put(KEY_PREFIX + draft_id, _encoder.encode(record), ttl)
        return record

    def discard_memory(self, draft_ids: Iterable[str]) -> None:
        """Forget the memory of these drafts at once, every copy; their counters stay."""
        for draft_id in draft_ids:
            if self._consulted:  # copies travel in pages and cookies: refused from now on
                self._consulted.wipe(draft_id)
            else:
                self.store.update(KEY_PREFIX + draft_id, _without_memory, self.lifetimes.idle)

    def end(self, draft_id: str, moved_to: str = "", deleted: bool = False) -> bool:
        """Delete the draft (submitted, deleted or moved); False if it had already ended.
        The ledger first: if its write fails, the draft is still whole, not half-ended."""
        ended_here = self.ledger.end(draft_id, moved_to, deleted) if self.ledger else True
        self.store.delete(KEY_PREFIX + draft_id)
        return ended_here

    def delete(self, draft_id: str) -> None:
        """Remove a draft's entry (its end, if it matters, goes through end())."""
        self.store.delete(KEY_PREFIX + draft_id)


def _with_changes(record: dict[str, Any], draft: Draft, copy: int | None) -> dict[str, Any]:
    """The stored record (changed in place) with this request's operations, counts and
    pages; a change of memory is a new revision, and it notes which keys it wrote."""
    writer = getattr(draft.memory, "writer", "")
    for operation in draft.memory.operations:
        apply_operation(record["values"], record["meta"], operation, writer)
    record.update(counter_record(counter_of(record).plus(draft.typed_now, draft.accepted_now)))
    record["pages"] = record.get("pages", 0) + draft.pages_now
    if draft.memory.operations:
        record["rev"] = revision = record.get("rev", 0) + 1
        record["keyrev"] = _written(record.get("keyrev", {}), draft, revision)
    if copy is not None:
        record["copy"] = copy
    return record


def _written_since(key_revisions: dict[str, int], draft: Draft) -> bool:
    """Whether a key the draft writes was written by a save after it was loaded."""
    loaded = draft.key_revisions
    return any(
        key_revisions.get(key, 0) > loaded.get(key, 0) for _, key, _ in draft.memory.operations
    )


def _written(key_revisions: dict[str, int], draft: Draft, revision: int) -> dict[str, int]:
    """Which save wrote each key, after this one (a deleted key has none)."""
    written = dict(key_revisions)
    for op, key, _ in draft.memory.operations:
        if op == "set":
            written[key] = revision
        else:
            written.pop(key, None)
    return written


def _without_memory(data: bytes | None) -> bytes | None:
    if data is None:
        return None
    record = _decoder.decode(data)
    record["values"], record["meta"] = {}, {}
    return _encoder.encode(record)


def counter_record(counter: RepeatCounter) -> dict[str, Any]:
    """The counter's part of a stored draft (small: bench/memory_size.py)."""
    return {
        "typed": nested_counts(counter.typed),
        "again": counter.again,
        "accepted": [counter.pages_on, counter.pages_off],
    }


def counter_of(record: dict[str, Any]) -> RepeatCounter:
    """The counter of a stored draft. One stored before "again" was kept counted every
    typing of a field after its first as a repeat: read it so, as its pages showed it."""
    typed = flat_counts(record["typed"])
    again = record.get("again", sum(n - 1 for n in typed.values()))
    pages_on, pages_off = record.get("accepted", (0, 0))
    return RepeatCounter(typed, again, pages_on, pages_off)


# The counter is stored nested by the dots of its field names ("items.3.name" under "items",
# "3"): half the bytes of the flat names for a draft of ten items (bench/memory_size.py).
# Where a name is both a field and a prefix of others, its own count is under "".
# A name with an empty part is no path: it is kept whole at the top.
Counts = dict[str, Any]


def nested_counts(flat: dict[str, int]) -> Counts:
    """{"items.1.date": 1} -> {"items": {"1": {"date": 1}}}."""
    root: Counts = {}
    for name, count in flat.items():
        *path, leaf = parts = name.split(".")
        if "" in parts:  # not a path ("a..b", "a."): kept whole, and it reads back whole
            root[name] = count
            continue
        node = root
        for part in path:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {} if child is None else {"": child}
            node = child
        if isinstance(node.get(leaf), dict):
            node[leaf][""] = count
        else:
            node[leaf] = count
    return root


def flat_counts(nested: Counts, prefix: str = "") -> dict[str, int]:
    """The inverse of nested_counts; an older, flat counter reads as itself."""
    flat: dict[str, int] = {}
    for key, value in nested.items():
        name = ".".join(part for part in (prefix, key) if part)
        if isinstance(value, dict):
            flat.update(flat_counts(value, name))
        else:
            flat[name] = value
    return flat
