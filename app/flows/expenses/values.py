"""What memory holds for each section of the expense report, as types.

The sections write these values only from validated forms (app/flows/expenses/flow.py);
the SessionState API refuses the flows' keys, and memory the browser carries comes back only
with its signature intact. The engine reads them back through its sections (mapping_in,
items_in: checked by isinstance, never cast).
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


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
