"""Answers: from a page's form into memory values, from memory back into form data,
and flattened into field names for the repeated-input counter."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from ..flows.expenses.values import Categories, Receipt, Receipts, remembered
from ..memory import Memory
from .forms import RECEIPT_ID, parse_amount
from .money import format_minor, to_minor

EMPLOYEE_FIELDS = ("full_name", "work_email", "employee_id", "department", "manager_email")
RECEIPT_FIELDS = ("date", "merchant", "amount", "currency", "description")
CATEGORY_FIELDS = ("category", "details")
GROUPS = ("receipts", "categories")  # the repeated groups a page may post, as name-N-field
# A group's (or a Remove button's) number: ASCII digits only, and few of them. str.isdigit()
# accepts "²" and "①", which int() refuses, and int() refuses over 4,300 digits.
_INDEX = re.compile(r"[0-9]{1,4}", re.ASCII)
Answers = dict[str, Any]  # memory key -> value, as the steps store them


def new_receipt_id() -> str:
    """A stable id for a receipt, so its category follows it wherever it moves."""
    return secrets.token_urlsafe(8)


def answers_from(form: Any) -> Answers:
    """Read the memory values of every section on a validated page form."""
    answers: Answers = {}
    if "employee" in form:
        answers["employee"] = {name: form.employee[name].data for name in EMPLOYEE_FIELDS}
    if "receipts" in form:
        entries = [entry.form for entry in form.receipts]
        _give_unique_ids(entries)
        answers["receipts"] = [_receipt(entry) for entry in entries]
        if "category" in entries[0]:
            answers["categories"] = {e.id.data: _category(e) for e in entries}
    elif "categories" in form:
        answers["categories"] = {e.form.receipt_id.data: _category(e.form) for e in form.categories}
    if "business_purpose" in form:
        answers["business_purpose"] = form.business_purpose.data
    return answers


def _give_unique_ids(entries: list[Any]) -> None:
    seen: set[str] = set()
    for entry in entries:
        if not RECEIPT_ID.match(entry.id.data or "") or entry.id.data in seen:
            entry.id.data = new_receipt_id()  # a tampered or copied id gets a fresh one
        seen.add(entry.id.data)


def _receipt(entry: Any) -> dict[str, Any]:
    currency = entry.currency.data
    receipt = {
        "id": entry.id.data,
        "date": entry.date.data.isoformat(),
        "merchant": entry.merchant.data,
        "amount_minor": to_minor(parse_amount(entry.amount.data), currency),  # type: ignore[arg-type]
        "currency": currency,
        "description": entry.description.data or "",
    }
    if entry.file_id.data:  # only when there is one: every byte of memory counts
        receipt["file_id"] = entry.file_id.data
    return receipt


def _category(entry: Any) -> dict[str, str]:
    return {"category": entry.category.data, "details": entry.details.data or ""}


def formdata_from_memory(memory: Memory, sections: tuple[str, ...]) -> MultiDict[str, str]:
    """What memory holds for these sections, as the form data a page would post."""
    data: MultiDict[str, str] = MultiDict()
    employee = remembered(memory, "employee", dict[str, str], {})
    if "employee" in sections:
        data.update({f"employee-{k}": v for k, v in employee.items()})
    receipts = remembered(memory, "receipts", Receipts, [])
    categories = remembered(memory, "categories", Categories, {})
    if "receipts" in sections:
        for i, receipt in enumerate(receipts):
            data.update(_prefixed(f"receipts-{i}-", _receipt_formdata(receipt)))
            if "categories" in sections:
                data.update(_prefixed(f"receipts-{i}-", categories.get(receipt["id"], {})))
    elif "categories" in sections:
        for i, receipt in enumerate(receipts):
            data[f"categories-{i}-receipt_id"] = receipt["id"]
            data.update(_prefixed(f"categories-{i}-", categories.get(receipt["id"], {})))
    if "purpose" in sections and memory.has("business_purpose"):
        data["business_purpose"] = str(memory.get("business_purpose"))
    return data


def _receipt_formdata(receipt: Receipt) -> dict[str, str]:
    amount = format_minor(receipt["amount_minor"], receipt["currency"])
    held: Mapping[str, object] = receipt
    fields = {k: str(held.get(k, "")) for k in ("id", "date", "merchant", "currency", "file_id")}
    return {**fields, "amount": amount, "description": receipt.get("description", "")}


def _prefixed(prefix: str, values: Mapping[str, object]) -> dict[str, str]:
    return {prefix + k: str(v) for k, v in values.items()}


def typed_fields(answers: Answers, receipts: Receipts) -> dict[str, str]:
    """Name every answered field (receipts by position) with its value, for the counter."""
    flat: dict[str, str] = {}
    for name, value in (answers.get("employee") or {}).items():
        flat[f"employee.{name}"] = value
    for n, receipt in enumerate(answers.get("receipts") or [], start=1):
        for name in ("date", "merchant", "amount_minor", "currency", "description", "file_id"):
            flat[f"receipts.{n}.{name}"] = str(receipt.get(name, ""))
    position = {r["id"]: n for n, r in enumerate(receipts, start=1)}
    for receipt_id, category in (answers.get("categories") or {}).items():
        for name, value in category.items():
            flat[f"categories.{position.get(receipt_id, 0)}.{name}"] = value
    if answers.get("business_purpose"):
        flat["business_purpose"] = answers["business_purpose"]
    return {name: value for name, value in flat.items() if value not in ("", None)}


def group_index(text: str) -> int | None:
    """The number text gives a group or a button (remove-3), if it is a plain one."""
    return int(text) if _INDEX.fullmatch(text) else None


def well_numbered(formdata: MultiDict[str, str]) -> MultiDict[str, str]:
    """The posted fields less those of a group with no plain number: no browser sends them,
    and WTForms would read "receipts-²-amount" as group int("²")."""
    return MultiDict([(k, v) for k, v in formdata.items(multi=True) if not _odd_group_key(k)])


def _odd_group_key(key: str) -> bool:
    group = next((name for name in GROUPS if key.startswith(name)), None)
    if group is None:
        return False
    sep, number = key[len(group) : len(group) + 1], key[len(group) + 1 :].split("-", 1)[0]
    return sep != "-" or group_index(number) is None


def groups(formdata: MultiDict[str, str], prefix: str) -> list[dict[str, str]]:
    """The repeated groups a page posted under prefix, in order, as field -> raw text."""
    pattern = _group_pattern(prefix)
    found: dict[int, dict[str, str]] = {}
    for key, value in formdata.items():
        if match := pattern.match(key):
            found.setdefault(int(match[1]), {})[match[2]] = value
    return [found[i] for i in sorted(found)]


def with_groups(
    formdata: MultiDict[str, str], prefix: str, new_groups: list[dict[str, str]]
) -> MultiDict[str, str]:
    """Form data with its groups under prefix replaced by these, numbered from 0."""
    pattern = _group_pattern(prefix)
    data: MultiDict[str, str] = MultiDict(
        [(k, v) for k, v in formdata.items(multi=True) if not pattern.match(k)]
    )
    for i, group in enumerate(new_groups):
        data.update(_prefixed(f"{prefix}-{i}-", group))
    return data


def _group_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{prefix}-({_INDEX.pattern})-(\w+)$", re.ASCII)


def aligned_categories(formdata: MultiDict[str, str], receipts: Receipts) -> MultiDict[str, str]:
    """Posted categories re-ordered to match the receipts in memory, by receipt id.

    A page opened before the receipts changed (another tab, Back) then still binds
    each category to its own receipt, and new receipts come without one.
    """
    posted = {group.get("receipt_id", ""): group for group in groups(formdata, "categories")}
    aligned = [{**posted.get(r["id"], {}), "receipt_id": r["id"]} for r in receipts]
    return with_groups(formdata, "categories", aligned)
