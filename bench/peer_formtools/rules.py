"""The rules of SPEC §3 the peer shares with the app, written once more here so that the
peer stands on its own (it never imports the app, which may change shape at any time)."""

from __future__ import annotations

import re
import secrets
import string
from decimal import Decimal, InvalidOperation

CATEGORIES = (
    "Travel",
    "Lodging",
    "Meals",
    "Ground transport",
    "Office supplies",
    "Software",
    "Training",
    "Other",
)
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF")
DEPARTMENTS = ("Engineering", "Finance", "Human Resources", "Marketing", "Operations", "Sales")
MAX_RECEIPTS = 20
MAX_AMOUNT = 100_000
# The app's headers (app/security.py), sent by the peer's middleware too.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
_AMOUNT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$|^\.\d+$", re.ASCII)


def parse_amount(text: str) -> Decimal | None:
    """Read an amount like 12.50 or 1,234.5; None if it is not a plain number."""
    if not _AMOUNT.match(text):
        return None
    try:
        return Decimal(text.replace(",", "")).normalize() if text else None
    except InvalidOperation:
        return None


def decimals_of(currency: str) -> int:
    return 0 if currency == "JPY" else 2


def to_minor(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(decimals_of(currency)))


def display_minor(minor: int, currency: str) -> str:
    """1234550, EUR -> '12,345.50 EUR'."""
    places = decimals_of(currency)
    return f"{Decimal(minor).scaleb(-places):,.{places}f} {currency}"


def new_reference() -> str:
    """EXP- and 8 random characters from 0-9A-Z."""
    return "EXP-" + "".join(
        secrets.choice(string.digits + string.ascii_uppercase) for _ in range(8)
    )
