"""Amounts: parsed strictly, kept as integer minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.flows.expenses.forms import parse_amount
from app.flows.expenses.money import display_minor, format_minor, to_minor


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12.50", Decimal("12.5")),
        ("12", Decimal(12)),
        ("1,234.5", Decimal("1234.5")),
        (".5", Decimal("0.5")),
        ("0", Decimal(0)),
        ("12.", Decimal(12)),
    ],
)
def test_amounts_people_type_are_read(text: str, amount: Decimal) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize(
    "text", ["", "abc", "12,50", "1e3", "-5", "12.5.1", "1,23", "١٢", "12 EUR"]
)
def test_anything_else_is_not_an_amount(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("amount", "currency", "minor", "typed", "shown"),
    [
        (Decimal("120"), "EUR", 12000, "120.00", "120.00 EUR"),
        (Decimal("0.1"), "USD", 10, "0.10", "0.10 USD"),
        (Decimal("1500"), "JPY", 1500, "1500", "1,500 JPY"),
        (Decimal("100000"), "GBP", 10_000_000, "100000.00", "100,000.00 GBP"),
    ],
)
def test_minor_units_round_trip(
    amount: Decimal, currency: str, minor: int, typed: str, shown: str
) -> None:
    assert to_minor(amount, currency) == minor
    assert format_minor(minor, currency) == typed
    assert display_minor(minor, currency) == shown
