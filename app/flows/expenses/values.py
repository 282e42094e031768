"""What memory holds for each section of the expense report, as types.

The wizard writes these values only from validated forms; the SessionState API refuses the
wizard's keys, and memory the browser carries comes back only with its signature intact.
So a value read back is the one written: remembered() gives it its type, in one place,
instead of a cast at every read.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict, TypeVar, cast

from ...memory import Memory


class Employee(TypedDict):
    full_name: str
    work_email: str
    employee_id: str
    department: str
    manager_email: str


class Receipt(TypedDict):
    id: str  # stable: its category follows it wherever it moves
    date: str  # ISO
    merchant: str
    amount_minor: int
    currency: str
    description: str
    file_id: NotRequired[str]


class Category(TypedDict):
    category: str
    details: str


Receipts = list[Receipt]
Categories = dict[str, Category]  # receipt id -> its category
Unsaved = dict[str, str]  # a page's raw input kept by Add or Remove, field name -> text
T = TypeVar("T")


def remembered(memory: Memory, key: str, kind: type[T], default: T) -> T:
    """The section's value as memory holds it (written by this flow only), else default."""
    value = memory.get(key)
    return default if value is None or value == {} or value == [] else cast(T, value)
