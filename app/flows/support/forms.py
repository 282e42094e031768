"""The support request's forms: contact details, the order, the problem, an attachment."""

from __future__ import annotations

import datetime as dt

from wtforms import Form
from wtforms.validators import InputRequired, Optional, Regexp, ValidationError

from ..engine.fields import (
    DateField,
    FileField,
    HiddenField,
    RequiredWhen,
    email_address,
    paragraph,
    radios,
    select,
    text,
)

PRODUCTS = ("Laptop", "Phone", "Tablet", "Headphones", "Smart watch", "Other")
PROBLEMS = (
    "Does not turn on",
    "Broken or damaged",
    "Missing parts",
    "Wrong item",
    "Billing",
    "Other",
)
URGENCIES = ("Low", "Normal", "High")
MAX_ATTACHMENTS = 5
MAX_DESCRIPTION = 2000
YEARS_BACK = 5


class ContactForm(Form):
    full_name = text("Full name", "Enter your full name", 100, render_kw={"autocomplete": "name"})
    email = email_address(
        "Email",
        "Enter your email address",
        "Enter an email address in the correct format, like name@example.com",
        autocomplete="email",
    )
    customer_number = text(
        "Customer number",
        None,
        20,
        checks=(
            Optional(),  # kept as typed; checked only when typed
            Regexp(
                r"^[A-Za-z0-9-]{4,20}$",
                message="Customer number must be 4 to 20 letters, numbers or hyphens",
            ),
        ),
        render_kw={"spellcheck": "false"},
    )
    preferred_contact = radios(
        "Preferred contact", ("Email", "Phone"), "Select how you would like us to contact you"
    )
    phone = text(
        "Phone",
        None,
        20,
        checks=(
            RequiredWhen("preferred_contact", "Phone", "Enter your phone number"),
            Regexp(
                r"^[0-9 +()-]{6,20}$",
                message="Phone must be 6 to 20 digits, spaces or the characters + - ( )",
            ),
        ),
        render_kw={"autocomplete": "tel", "type": "tel"},
    )


class OrderForm(Form):
    product = select("Product", PRODUCTS, "Select the product")
    order_number = text(
        "Order number",
        "Enter your order number",
        20,
        checks=(
            Regexp(
                r"^[A-Za-z0-9-]{6,20}$",
                message="Order number must be 6 to 20 letters, numbers or hyphens",
            ),
        ),
        render_kw={"spellcheck": "false"},
    )
    purchased_on = DateField("Date of purchase", [InputRequired("Enter the date of purchase")])

    def validate_purchased_on(self, field: DateField) -> None:
        today = dt.date.today()
        if field.data and field.data > today:
            raise ValidationError("Date of purchase must be today or in the past")
        if field.data and field.data < years_before(today, YEARS_BACK):
            raise ValidationError(f"Date of purchase must be within the last {YEARS_BACK} years")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day that many years before (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class ProblemForm(Form):
    what_went_wrong = select("What went wrong", PROBLEMS, "Select what went wrong")
    description = paragraph("Description", "Describe the problem", MAX_DESCRIPTION)


class AttachmentForm(Form):
    id = HiddenField()
    file_id = HiddenField()  # a file stored at upload; the bytes never enter memory
    file = FileField("File")  # checked and stored before validation (engine.uploads)
