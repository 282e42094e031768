"""The four steps' forms, with the fields, messages and rules of app/flows/expenses/forms.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.forms import BaseFormSet, formset_factory

from .rules import (
    CATEGORIES,
    CURRENCIES,
    DEPARTMENTS,
    MAX_AMOUNT,
    MAX_RECEIPTS,
    decimals_of,
    parse_amount,
)

NO_CONTROL = RegexValidator(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", message="Remove the special characters"
)
EMPLOYEE_ID = RegexValidator(
    r"^[A-Za-z0-9-]{3,20}$", message="Employee ID must be 3 to 20 letters, numbers or hyphens"
)


def text(label: str, required: str | None, max_length: int, **kwargs: Any) -> forms.CharField:
    """A stripped text field (CharField strips), required or optional, length-limited."""
    attrs = {"class": "input", **kwargs.pop("attrs", {})}
    messages = {"max_length": f"{label} must be {max_length} characters or fewer"}
    if required:
        messages["required"] = required
    return forms.CharField(
        label=label,
        required=bool(required),
        max_length=max_length,
        validators=[NO_CONTROL],
        error_messages=messages,
        widget=forms.TextInput(attrs=attrs),
        **kwargs,
    )


def email(label: str, required: str, invalid: str, **attrs: str) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        error_messages={"required": required, "invalid": invalid},
        widget=forms.EmailInput(attrs={"class": "input", **attrs}),
    )


def select(label: str, options: tuple[str, ...], message: str) -> forms.ChoiceField:
    """A select with an empty first choice; only the listed options are accepted."""
    return forms.ChoiceField(
        label=label,
        choices=[("", f"Select {label.lower()}"), *((o, o) for o in options)],
        error_messages={"required": message, "invalid_choice": message},
        widget=forms.Select(attrs={"class": "input"}),
    )


class PeerForm(forms.Form):  # type: ignore[misc]  # Django ships no types
    """Ids are the field names (employee-full_name), as in the app."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class PeerFormSet(BaseFormSet):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class EmployeeForm(PeerForm):
    full_name = text("Full name", "Enter your full name", 100, attrs={"autocomplete": "name"})
    work_email = email(
        "Work email",
        "Enter your work email address",
        "Enter a work email address in the correct format, like name@example.com",
        autocomplete="email",
    )
    employee_id = forms.CharField(
        label="Employee ID",
        validators=[EMPLOYEE_ID],
        error_messages={"required": "Enter your employee ID"},
        help_text="3 to 20 letters, numbers or hyphens, exactly as on your payslip",
        widget=forms.TextInput(attrs={"class": "input", "spellcheck": "false"}),
    )
    department = select("Department", DEPARTMENTS, "Select your department")
    manager_email = email(
        "Manager's email",
        "Enter your manager's email address",
        "Enter your manager's email address in the correct format, like name@example.com",
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        manager, work = data.get("manager_email"), data.get("work_email") or ""
        if manager and manager.casefold() == work.casefold():
            self.add_error(
                "manager_email", "Manager's email must be different from your work email"
            )
        return data


def amount_problem(text: str, currency: str) -> str | None:
    """The message for an amount the app would refuse, else None (ReceiptForm.validate_amount)."""
    amount = parse_amount(text)
    if amount is None:
        return "Amount must be a number, like 12.50"
    if amount <= 0:
        return "Amount must be more than 0"
    if amount > MAX_AMOUNT:
        return "Amount must be 100,000 or less"
    places = decimals_of(currency)
    if -amount.as_tuple().exponent > places:  # type: ignore[operator]
        if places == 0:
            return "Amounts in JPY must be whole numbers"
        return "Amount must have no more than 2 decimal places"
    return None


class ReceiptForm(PeerForm):
    id = forms.CharField(required=False, widget=forms.HiddenInput)
    date = forms.DateField(
        label="Date",
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Enter the date of the receipt",
            "invalid": "Date must be a real date, like 2026-11-02",
        },
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "class": "input input-date"}
        ),
    )
    merchant = text("Merchant", "Enter the merchant", 100)
    amount = forms.CharField(
        label="Amount",
        error_messages={"required": "Enter the amount"},
        help_text="For example, 12.50",
        widget=forms.TextInput(
            attrs={"class": "input input-amount", "inputmode": "decimal", "autocomplete": "off"}
        ),
    )
    currency = select("Currency", CURRENCIES, "Select the currency")
    description = text("Description", None, 200, help_text="Optional")

    def clean_date(self) -> dt.date:
        date: dt.date = self.cleaned_data["date"]
        today = dt.date.today()
        if date > today:
            raise forms.ValidationError("Date must be today or in the past")
        if date < today - dt.timedelta(days=365):
            raise forms.ValidationError("Date must be within the last 365 days")
        return date

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if "amount" in data:
            problem = amount_problem(data["amount"], data.get("currency") or "")
            if problem:
                self.add_error("amount", problem)
        return data


ReceiptFormSet = formset_factory(
    ReceiptForm,
    formset=PeerFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_RECEIPTS,
    validate_min=True,
    validate_max=True,
)


class CategoryForm(PeerForm):
    receipt_id = forms.CharField(required=False, widget=forms.HiddenInput)
    category = select("Category", CATEGORIES, "Select a category")
    details = text("Details", None, 200, help_text="Required for Other")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("category") == "Other" and not data.get("details"):
            self.add_error("details", "Enter details for the Other category")
        return data


class PurposeForm(PeerForm):
    business_purpose = text(
        "Business purpose",
        "Enter the business purpose",
        200,
        help_text="For example, the customer visit or conference these expenses were for",
    )


class CategoriesFormSetBase(PeerFormSet):
    """Step 3 as formtools wants it, one form class: every receipt's category (the
    formset) plus the report's business purpose (its `purpose` form)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.purpose = PurposeForm(self.data if self.is_bound else None, prefix=self.prefix)

    def is_valid(self) -> bool:
        categories_ok = super().is_valid()
        return bool(self.purpose.is_valid()) and categories_ok


CategoriesStepForm = formset_factory(
    CategoryForm, formset=CategoriesFormSetBase, extra=0, max_num=MAX_RECEIPTS, validate_max=True
)


class ReviewForm(PeerForm):
    confirm = forms.BooleanField(
        label="I confirm these expenses are accurate and for business purposes",
        error_messages={
            "required": "Confirm that these expenses are accurate and for business purposes"
        },
        widget=forms.CheckboxInput(attrs={"class": "checkbox-input"}),
    )
