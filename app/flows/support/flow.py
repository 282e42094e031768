"""The support request as declarations: its sections, and the four steps that ask for them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from wtforms import Form
from wtforms.validators import DataRequired

from ...memory import BudgetExceededError, TooLargeForCookieError, TooManyCookiesError
from ..engine import Flow, Step
from ..engine.fields import BooleanField, days_ago, radios
from ..engine.sections import Collection, FileSlot, Group, Row, Shown, Single
from ..engine.submission import Submission
from .forms import MAX_ATTACHMENTS, URGENCIES, AttachmentForm, ContactForm, OrderForm, ProblemForm
from .submit import answers_of, find_request, follow_up, send_request


def _attachment_value(entry: Form) -> dict[str, Any]:
    return {"id": entry["id"].data, "file_id": entry["file_id"].data or ""}


def _attachment_rows(attachment: dict[str, Any], shown: Shown) -> tuple[Row, ...]:
    return (shown.file_row("File", attachment),)


CONTACT = Group("contact", ContactForm, "Contact details", "support/contact.html")
ORDER = Group("order", OrderForm, "Product and order", "support/order.html")
PROBLEM = Group("problem", ProblemForm, "The problem", "support/problem.html")
ATTACHMENTS = Collection(
    "attachments",
    AttachmentForm,
    to_value=_attachment_value,
    to_formdata=lambda attachment: {k: str(v) for k, v in attachment.items()},
    max_items=MAX_ATTACHMENTS,
    item_anchor="attachment",
    item_rows=_attachment_rows,
    item_heading="Attachment",
    file_slot=FileSlot(
        max_bytes_setting="SUPPORT_ATTACHMENT_MAX_BYTES",
        unknown_file="The file of {item} is not one this draft stored: choose the file again",
        full="This request already holds {limit} files, the most one draft may. Remove a "
        "file you no longer need, then choose this one again",
    ),
    heading="Attachments",
    template="support/attachments.html",
    optional=True,
)
URGENCY = Single(
    "urgency",
    radios("Urgency", URGENCIES, "Select how urgent this is"),
    template="support/urgency.html",
)
CONFIRM = Single(
    "confirm",
    BooleanField(
        "I confirm these details are correct",
        [DataRequired("Confirm that these details are correct")],
    ),
    remembered=False,
    template="engine/confirm.html",
    heading="Now send your request",  # shown when review asks everything again
)

EXAMPLES: dict[str, str | Callable[[], str]] = {
    "contact-full_name": "Grace Hopper",
    "contact-email": "grace@example.com",
    "contact-preferred_contact": "Email",
    "order-product": "Laptop",
    "order-order_number": "ORD-123456",
    "order-purchased_on": days_ago(20),
    "problem-what_went_wrong": "Does not turn on",
    "problem-description": "The screen stays dark after charging all night.",
    "urgency": "Normal",
}

SUPPORT = Flow(
    name="support",
    prefix="/support",
    noun="support request",
    steps=(
        Step("contact", "Contact details", "engine/step.html", asks=(CONTACT,)),
        Step("order", "Product and order", "engine/step.html", asks=(ORDER,)),
        Step(
            "problem",
            "The problem",
            "engine/step.html",
            asks=(PROBLEM, URGENCY, ATTACHMENTS),
            needs=(ORDER,),
        ),
        Step(
            "review",
            "Review and send",
            "engine/review.html",
            asks=(CONFIRM,),
            needs=(CONTACT, ORDER, PROBLEM, URGENCY, ATTACHMENTS),
        ),
    ),
    # Urgency before the attachments: asked again with other steps' answers, each part has
    # a heading, and a question after the attachments would sit under theirs.
    sections=(CONTACT, ORDER, PROBLEM, URGENCY, ATTACHMENTS, CONFIRM),
    submission=Submission(
        store=send_request, find=find_request, answers_of=answers_of, follow_up=follow_up
    ),
    examples=EXAMPLES,
    refusals={
        BudgetExceededError: "This request is too large to keep in session memory ({size:,} "
        "bytes; the limit is {limit:,} bytes). Shorten the description.",
        TooLargeForCookieError: "This request no longer fits in a browser cookie ({size:,} "
        "bytes; browsers keep about {limit:,}). Nothing was lost: keep session memory on the "
        "server to go on, or shorten the description.",
        TooManyCookiesError: "Together with your other drafts, this request no longer fits in "
        "your browser's cookies ({size:,} bytes; at most {limit:,} are sent to this service). "
        "Nothing was lost: keep session memory on the server to go on, or finish or delete "
        "another draft.",
    },
    confirmation_template="support/confirmation.html",
    start_label="Start a support request",
    submit_label="Send request",
    template_globals={
        "attachment_max_bytes": lambda: current_app.config["SUPPORT_ATTACHMENT_MAX_BYTES"],
    },
)
