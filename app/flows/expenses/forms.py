"""The expense report's forms: one per section, plus a receipt asked with its category."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from wtforms import Form
from wtforms.validators import DataRequired, InputRequired, Regexp, ValidationError

from ..engine.fields import (
    DateField,
    FileField,
    HiddenField,
    StringField,
    email_address,
    select,
    strip,
    text,
)
from .money import decimals_of, max_amount

DEPARTMENTS = ("Engineering", "Finance", "Human Resources", "Marketing", "Operations", "Sales")
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF")
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
MAX_RECEIPTS = 20
_COMMA_DECIMALS = re.compile(r"^\d+,\d{1,2}$", re.ASCII)  # 12,50: a decimal comma
_CURRENCY_SIGNS = "$€£¥"
_AMOUNT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$|^\.\d+$", re.ASCII)


class EmployeeForm(Form):
    full_name = text("Full name", "Enter your full name", 100, render_kw={"autocomplete": "name"})
    work_email = email_address(
        "Work email",
        "Enter your work email address",
        "Enter a work email address in the correct format, like name@example.com",
        autocomplete="email",
    )
    employee_id = StringField(
        "Employee ID",
        [
            DataRequired("Enter your employee ID"),
            Regexp(
                r"^[A-Za-z0-9-]{3,20}$",
                message="Employee ID must be 3 to 20 letters, numbers or hyphens",
            ),
        ],
        filters=[strip],
        render_kw={"spellcheck": "false"},
    )
    department = select("Department", DEPARTMENTS, "Select your department")
    manager_email = email_address(
        "Manager's email",
        "Enter your manager's email address",
        "Enter your manager's email address in the correct format, like name@example.com",
    )

    def validate_manager_email(self, field: StringField) -> None:
        if field.data and field.data.casefold() == (self.work_email.data or "").casefold():
            raise ValidationError("Manager's email must be different from your work email")


class ReceiptForm(Form):
    id = HiddenField()
    file_id = HiddenField()  # a file stored at upload; the bytes never enter memory
    file = FileField("Receipt file")  # checked and stored before validation (receipts.service)
    date = DateField("Date", [InputRequired("Enter the date of {item}")])
    merchant = text("Merchant", "Enter the merchant of {item}", 100)
    amount = StringField(
        "Amount",
        [DataRequired("Enter the amount of {item}")],
        filters=[strip],
        render_kw={"inputmode": "decimal"},  # no autocomplete="off": Back must restore it
    )
    currency = select("Currency", CURRENCIES, "Select the currency of {item}")
    description = text("Description", None, 200)

    def validate_date(self, field: DateField) -> None:
        today = dt.date.today()
        if field.data and field.data > today:
            raise ValidationError("The date of {item} must be today or in the past")
        if field.data and field.data < today - dt.timedelta(days=365):
            raise ValidationError("The date of {item} must be within the last 365 days")

    def validate_amount(self, field: StringField) -> None:
        typed, currency = field.data or "", self.currency.data or ""
        amount = parse_amount(typed)
        if amount is None:
            raise ValidationError(_not_a_number(typed))
        if amount <= 0:
            raise ValidationError("The amount of {item} must be more than 0")
        if amount > (limit := max_amount(currency)):
            raise ValidationError(f"The amount of {{item}} must be {limit:,} {currency} or less")
        places = decimals_of(currency)
        if -amount.as_tuple().exponent > places:  # type: ignore[operator]
            raise ValidationError(
                f"The amount of {{item}} must be a whole number: {self.currency.data} has no "
                "decimals"
                if places == 0
                else "The amount of {item} must have no more than 2 decimal places"
            )


def _not_a_number(typed: str) -> str:
    """Why an amount is not read as one, in words that say what to type instead."""
    if _COMMA_DECIMALS.match(typed):
        return "The amount of {item} must use a point for decimals, like 12.50"
    if typed and (typed[0] in _CURRENCY_SIGNS or typed[-1] in _CURRENCY_SIGNS):
        return "The amount of {item} must be a number without a currency sign, like 12.50"
    return "The amount of {item} must be a number, like 12.50"


def parse_amount(typed: str) -> Decimal | None:
    """Read an amount like 12.50 or 1,234.5; None if it is not a plain number."""
    if not _AMOUNT.match(typed):
        return None
    try:
        return Decimal(typed.replace(",", "")).normalize() if typed else None
    except InvalidOperation:
        return None


class CategoryFields(Form):
    category = select("Category", CATEGORIES, "Select a category for {item}")
    details = text("Details", None, 200)

    def validate_details(self, field: StringField) -> None:
        if self.category.data == "Other" and not field.data:
            raise ValidationError("Enter details for the Other category of {item}")
