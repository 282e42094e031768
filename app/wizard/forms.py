"""WTForms for each section of the report, and the page form that combines them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import wtforms
from markupsafe import Markup, escape
from wtforms import FieldList, Form, FormField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Regexp,
    ValidationError,
)
from wtforms.widgets.core import clean_key

from .money import MAX_AMOUNT, decimals_of

# Widgets -----------------------------------------------------------------------------------
# WTForms' own widgets, rendering the same HTML faster: its html_params formats every
# attribute through Markup.format, its inputs list dir(field.flags) and its select inspects
# a signature on every call; rendering was most of a step page's time.


def _html_params(**kwargs: Any) -> str:
    """wtforms.widgets.html_params, the same output, without Markup.format per attribute."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(clean_key(key))
        elif value is not False:
            params.append(f'{clean_key(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return " ".join(params)


class _Input(widgets.Input):
    """widgets.Input.__call__, reading only the flags it may render."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("type", self.input_type)
        if "value" not in kwargs:
            kwargs["value"] = field._value()
        datalist = getattr(field, "_datalist", None)
        if datalist is not None and "list" not in kwargs:
            kwargs["list"] = datalist if isinstance(datalist, str) else datalist.id
        flags = vars(field.flags)
        for key in self.validation_attrs:
            if key in flags and key not in kwargs:
                value = flags[key]
                kwargs[key] = value() if callable(value) else value
        return Markup(f"<input {_html_params(name=field.name, **kwargs)}>")


class _TextInput(widgets.TextInput, _Input):
    pass


class _HiddenInput(widgets.HiddenInput, _Input):
    pass


class _DateInput(widgets.DateInput, _Input):
    pass


class _FileInput(widgets.FileInput, _Input):
    pass


class _CheckboxInput(widgets.CheckboxInput, _Input):
    pass


@cache
def _option(value: str, label: str, selected: bool) -> str:
    params = _html_params(value=value, selected=True) if selected else _html_params(value=value)
    return f"<option {params}>{escape(label)}</option>"


class _Select(widgets.Select):
    """widgets.Select for flat choices without render_kw; each option's HTML made once."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        if self.multiple or field.has_groups():
            return super().__call__(field, **kwargs)  # type: ignore[no-any-return]
        options = []
        for choice in field._iter_choices_normalized():
            if choice.render_kw or not isinstance(choice.value, str):
                return super().__call__(field, **kwargs)  # type: ignore[no-any-return]
            options.append(_option(choice.value, choice.label or choice.value, choice.selected))
        kwargs.setdefault("id", field.id)
        flags = vars(field.flags)
        for key in self.validation_attrs:
            if key in flags and key not in kwargs:
                kwargs[key] = flags[key]
        params = _html_params(name=field.name, **kwargs)
        return Markup(f"<select {params}>{''.join(options)}</select>")


class StringField(wtforms.StringField):
    widget = _TextInput()


class HiddenField(wtforms.HiddenField):
    widget = _HiddenInput()


class DateField(wtforms.DateField):
    widget = _DateInput()


class FileField(wtforms.FileField):
    widget = _FileInput()


class BooleanField(wtforms.BooleanField):
    widget = _CheckboxInput()


class SelectField(wtforms.SelectField):
    widget = _Select()


# Forms -------------------------------------------------------------------------------------


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
RECEIPT_ID = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
_AMOUNT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$|^\.\d+$", re.ASCII)
# Text fields refuse control characters: they cannot be typed, only injected.
_NO_CONTROL = Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", message="Remove the special characters"
)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _text(label: str, required: str | None, max_length: int, **kwargs: Any) -> StringField:
    """A stripped text field: required (with this message) or optional, length-limited."""
    too_long = Length(max=max_length, message=f"{label} must be {max_length} characters or fewer")
    checks = [too_long, _NO_CONTROL]
    # No Optional() for optional fields: it would stop inline validate_<field> checks.
    return StringField(
        label,
        [DataRequired(required), *checks] if required else checks,
        filters=[_strip],
        **kwargs,
    )


def _select(label: str, options: tuple[str, ...], message: str) -> SelectField:
    """A select with an empty first choice; only the listed options are accepted."""
    choices = [SelectChoice("", f"Select {label.lower()}"), *(SelectChoice(o) for o in options)]
    return SelectField(
        label,
        choices=choices,
        validate_choice=False,
        validators=[DataRequired(message), AnyOf(options, message=message)],
    )


class EmployeeForm(Form):
    full_name = _text("Full name", "Enter your full name", 100, render_kw={"autocomplete": "name"})
    work_email = StringField(
        "Work email",
        [
            DataRequired("Enter your work email address"),
            Email("Enter a work email address in the correct format, like name@example.com"),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "email", "type": "email"},
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
        filters=[_strip],
        render_kw={"spellcheck": "false"},
    )
    department = _select("Department", DEPARTMENTS, "Select your department")
    manager_email = StringField(
        "Manager's email",
        [
            DataRequired("Enter your manager's email address"),
            Email(
                "Enter your manager's email address in the correct format, like name@example.com"
            ),
        ],
        filters=[_strip],
        render_kw={"type": "email"},
    )

    def validate_manager_email(self, field: StringField) -> None:
        if field.data and field.data.casefold() == (self.work_email.data or "").casefold():
            raise ValidationError("Manager's email must be different from your work email")


class ReceiptDateField(DateField):
    """A date input whose parse error speaks plainly."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as e:
            raise ValueError("Date must be a real date, like 2026-11-02") from e


class ReceiptForm(Form):
    id = HiddenField()
    file_id = HiddenField()  # a file stored at upload; the bytes never enter memory
    file = FileField("Receipt file")  # checked and stored before validation (receipts.service)
    date = ReceiptDateField("Date", [InputRequired("Enter the date of the receipt")])
    merchant = _text("Merchant", "Enter the merchant", 100)
    amount = StringField(
        "Amount",
        [DataRequired("Enter the amount")],
        filters=[_strip],
        render_kw={"inputmode": "decimal"},  # no autocomplete="off": Back must restore it
    )
    currency = _select("Currency", CURRENCIES, "Select the currency")
    description = _text("Description", None, 200)

    def validate_date(self, field: DateField) -> None:
        today = dt.date.today()
        if field.data and field.data > today:
            raise ValidationError("Date must be today or in the past")
        if field.data and field.data < today - dt.timedelta(days=365):
            raise ValidationError("Date must be within the last 365 days")

    def validate_amount(self, field: StringField) -> None:
        amount = parse_amount(field.data or "")
        if amount is None:
            raise ValidationError("Amount must be a number, like 12.50")
        if amount <= 0:
            raise ValidationError("Amount must be more than 0")
        if amount > MAX_AMOUNT:
            raise ValidationError("Amount must be 100,000 or less")
        places = decimals_of(self.currency.data or "")
        if -amount.as_tuple().exponent > places:  # type: ignore[operator]
            raise ValidationError(
                "Amounts in JPY must be whole numbers"
                if places == 0
                else "Amount must have no more than 2 decimal places"
            )


def parse_amount(text: str) -> Decimal | None:
    """Read an amount like 12.50 or 1,234.5; None if it is not a plain number."""
    if not _AMOUNT.match(text):
        return None
    try:
        return Decimal(text.replace(",", "")).normalize() if text else None
    except InvalidOperation:
        return None


class CategoryFields(Form):
    category = _select("Category", CATEGORIES, "Select a category")
    details = _text("Details", None, 200)

    def validate_details(self, field: StringField) -> None:
        if self.category.data == "Other" and not field.data:
            raise ValidationError("Enter details for the Other category")


class CategoryForm(CategoryFields):
    receipt_id = HiddenField()


class ReceiptWithCategoryForm(ReceiptForm, CategoryFields):
    """A receipt asked again together with its category (memory off)."""


@cache
def page_form_class(sections: tuple[str, ...]) -> type[Form]:
    """Build (once) the form class for a page that asks for these sections.

    A plain WTForms form, not Flask-WTF's: CSRFProtect checks every POST's token before the
    view runs and the templates print csrf_token(), so a form-level CSRF field would only
    check the same token again (measured: 0.3 ms less a POST)."""
    fields: dict[str, Any] = {}
    if "employee" in sections:
        fields["employee"] = FormField(EmployeeForm)
    if "receipts" in sections:
        entry = ReceiptWithCategoryForm if "categories" in sections else ReceiptForm
        fields["receipts"] = FieldList(FormField(entry), min_entries=1, max_entries=MAX_RECEIPTS)
    elif "categories" in sections:
        fields["categories"] = FieldList(FormField(CategoryForm), max_entries=MAX_RECEIPTS)
    if "purpose" in sections:
        fields["business_purpose"] = _text("Business purpose", "Enter the business purpose", 200)
    if "confirm" in sections:
        fields["confirm"] = BooleanField(
            "I confirm these expenses are accurate and for business purposes",
            [DataRequired("Confirm that these expenses are accurate and for business purposes")],
        )
    return type("PageForm_" + "_".join(sections), (Form,), fields)
