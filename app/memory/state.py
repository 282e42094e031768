"""SessionState: the memory of one draft, and its null twin for when memory is off.

Steps share data only through this interface. Values are JSON-like; strings go
through type detection (SPEC §6). Every write is recorded as an operation so the
draft repository can replay it on the freshest copy of the draft (no lost updates).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import msgspec

JSON = None | bool | int | float | str | list[Any] | dict[str, Any]
_MISSING = object()
_encoder = msgspec.json.Encoder()


class SessionStateError(ValueError):
    """Base of the errors SessionState raises; the message is shown to people."""


class BadKeyError(SessionStateError):
    """A key that is not 1-128 characters of text."""


class BadValueError(SessionStateError):
    """A value that is not JSON-like."""


class BudgetExceededError(SessionStateError):
    """A write that would take a draft's memory over its size budget; nothing was written.
    (Its words are a flow's: see Flow.refusals in app/flows/engine/flow.py.)"""

    def __init__(self, size: int, limit: int, message: str = "") -> None:
        super().__init__(
            message
            or f"This draft is too large to keep in session memory ({size:,} bytes; the limit "
            f"is {limit:,} bytes)."
        )
        self.size, self.limit = size, limit


def check_key(key: object) -> str:
    """Return key if it is a valid memory key, else raise BadKeyError."""
    if not isinstance(key, str) or not 1 <= len(key) <= 128:
        raise BadKeyError("A memory key must be text of 1 to 128 characters.")
    return key


MAX_DEPTH = 32  # nesting a person could mean; deeper values are refused, never crash


def _is_json_like(value: object, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, str):
        return _encodes(value)
    if isinstance(value, int):
        return abs(value) < 2**63  # what msgpack (and so Redis) can carry
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_json_like(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(k, str) and _encodes(k) and _is_json_like(v, depth + 1)
            for k, v in value.items()
        )
    return False


def _encodes(text: str) -> bool:
    """False for text with lone surrogates, which no UTF-8 store can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _number_or_none(text: str) -> int | float | None:
    """The number text stands for, if it reads back exactly as text (30, 2.5, -4)."""
    try:
        number: int | float = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return None
    exact = math.isfinite(number) and abs(number) <= 2**53 and repr(number) == text
    return number if exact else None  # beyond 2**53 a JSON reader would change it


def detect_type(text: str) -> JSON:
    """Turn a string into the JSON value it literally spells, or keep it as a string."""
    if text in ("true", "false"):
        return text == "true"
    if text[:1] in ("{", "["):
        try:
            parsed: JSON = json.loads(text)
        except (ValueError, RecursionError):
            return text
        if isinstance(parsed, dict | list) and _is_json_like(parsed):
            return parsed
        return text
    number = _number_or_none(text)
    return text if number is None else number


def normalise(value: object) -> JSON:
    """Return value as it will be stored: strings type-detected, the rest checked."""
    if isinstance(value, str) and _encodes(value):
        return detect_type(value)
    if not _is_json_like(value):
        raise BadValueError(
            f"A memory value must be text, a number, true/false, null, or a JSON object "
            f"or array; {type(value).__name__} is none of these."
        )
    return value  # type: ignore[return-value]


def type_name(value: JSON) -> str:
    """Name the JSON type of value, as the inspector shows it."""
    names = {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }
    return "null" if value is None else names[type(value)]


def size_of(value: object) -> int:
    """Bytes value takes as compact JSON."""
    return len(_encoder.encode(value))


def contains(value: JSON, item: object) -> bool:
    """Substring for strings, element for arrays, key for objects."""
    if isinstance(value, str):
        return isinstance(item, str) and item in value
    if isinstance(value, list):
        return any(_json_equal(element, item) for element in value)
    if isinstance(value, dict):
        return isinstance(item, str) and item in value
    return False


def _json_equal(a: object, b: object) -> bool:
    """Equal as JSON values: true is not 1 (as Python would say), 1 is 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def check_budget(values: dict[str, Any], budget: int) -> None:
    """Raise BudgetExceededError if values would not fit in budget bytes."""
    size = size_of(values)
    if size > budget:
        raise BudgetExceededError(size, budget)


@dataclass(frozen=True)
class KeyInfo:
    """What the inspector may show about one key (never its value)."""

    key: str
    type: str
    size: int
    written_by: str
    written_at: float


class Memory(Protocol):
    """The memory of one draft, as steps see it."""

    # True when what one page stores is there on the next page: the journey
    # guard can send people back to a step; a null memory must ask on the page.
    carries_forward: bool

    def get(self, key: str, default: JSON = None) -> JSON: ...
    def set(self, key: str, value: object, *, detect_types: bool = True) -> None: ...
    def delete(self, key: str) -> None: ...
    def has(self, key: str) -> bool: ...
    def contains(self, key: str, item: object) -> bool: ...
    def list_keys(self) -> list[KeyInfo]: ...
    def total_size(self) -> int: ...


class SessionState:
    """Remembering memory over one draft's values; writes are kept as operations."""

    carries_forward = True

    def __init__(
        self, values: dict[str, Any], meta: dict[str, Any], budget: int, writer: str = ""
    ) -> None:
        self._values = values
        self._meta = meta
        self.budget = budget
        self.writer = writer
        self.operations: list[tuple[str, str, JSON]] = []

    def get(self, key: str, default: JSON = None) -> JSON:
        """Return the value of key, or default."""
        value = self._values.get(check_key(key), _MISSING)
        return default if value is _MISSING else value

    def set(self, key: str, value: object, *, detect_types: bool = True) -> None:
        """Store value under key within the budget; strings are type-detected unless told not."""
        stored = normalise(value) if detect_types or not isinstance(value, str) else value
        check_key(key)
        self._check_budget(key, stored)
        self._apply("set", key, stored)
        self.operations.append(("set", key, stored))

    def delete(self, key: str) -> None:
        """Forget key; no error if it is absent."""
        check_key(key)
        self._apply("delete", key, None)
        self.operations.append(("delete", key, None))

    def has(self, key: str) -> bool:
        """Say whether key is in memory."""
        return check_key(key) in self._values

    def contains(self, key: str, item: object) -> bool:
        """Say whether the value of key contains item; false for a missing key."""
        return self.has(key) and contains(self._values[key], item)

    def list_keys(self) -> list[KeyInfo]:
        """List each key with its type, size and which step wrote it when."""
        return [self._info(key) for key in self._values]

    def total_size(self) -> int:
        """Bytes all values take as compact JSON."""
        return size_of(self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def _info(self, key: str) -> KeyInfo:
        writer, at = self._meta.get(key, ("", 0.0))
        value = self._values[key]
        return KeyInfo(key, type_name(value), size_of(value), writer, at)

    def _check_budget(self, key: str, value: JSON) -> None:
        check_budget({**self._values, key: value}, self.budget)

    def _apply(self, op: str, key: str, value: JSON) -> None:
        apply_operation(self._values, self._meta, (op, key, value), self.writer)


def apply_operation(
    values: dict[str, Any], meta: dict[str, Any], operation: tuple[str, str, JSON], writer: str
) -> None:
    """Apply one recorded set/delete to a draft's values and their metadata."""
    op, key, value = operation
    if op == "set":
        values[key] = value
        meta[key] = (writer, time.time())
    else:
        values.pop(key, None)
        meta.pop(key, None)


class NullState:
    """Memory that is off: it remembers nothing, so every step asks for what it needs."""

    carries_forward = False

    @property
    def operations(self) -> list[tuple[str, str, JSON]]:
        return []  # nothing is ever written

    def get(self, key: str, default: JSON = None) -> JSON:
        check_key(key)
        return default

    def set(self, key: str, value: object, *, detect_types: bool = True) -> None:
        check_key(key)
        normalise(value)  # a bad value is still an error, so both modes behave alike

    def delete(self, key: str) -> None:
        check_key(key)

    def has(self, key: str) -> bool:
        check_key(key)
        return False

    def contains(self, key: str, item: object) -> bool:
        check_key(key)
        return False

    def list_keys(self) -> list[KeyInfo]:
        return []

    def total_size(self) -> int:
        return 0
