"""Money as integer minor units plus a currency: never floats, never Decimal in memory."""

from __future__ import annotations

from decimal import Decimal

MAX_AMOUNT = Decimal(100_000)  # in major units, for most currencies
# A yen is worth about a cent: a night in a Tokyo hotel is an ordinary ¥150,000.
MAX_AMOUNTS = {"JPY": Decimal(15_000_000)}
_ZERO_DECIMAL_CURRENCIES = frozenset({"JPY"})


def max_amount(currency: str) -> Decimal:
    """The largest amount one receipt may have in this currency."""
    return MAX_AMOUNTS.get(currency, MAX_AMOUNT)


def decimals_of(currency: str) -> int:
    """How many decimal places amounts in this currency have."""
    return 0 if currency in _ZERO_DECIMAL_CURRENCIES else 2


def to_minor(amount: Decimal, currency: str) -> int:
    """12.5 EUR -> 1250; 1500 JPY -> 1500."""
    return int(amount.scaleb(decimals_of(currency)))


def format_minor(minor: int, currency: str) -> str:
    """1250, EUR -> '12.50'; 1500, JPY -> '1500' (as typed into the Amount field)."""
    places = decimals_of(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f}"


def display_minor(minor: int, currency: str) -> str:
    """1234550, EUR -> '12,345.50 EUR', for summaries."""
    places = decimals_of(currency)
    return f"{Decimal(minor).scaleb(-places):,.{places}f} {currency}"
