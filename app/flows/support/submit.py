"""Sending a support request: one transaction, once per draft lineage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...outbox.compose import compose_and_enqueue, messages_about, said
from ..engine.storing import claim_files, insert_with_items, new_reference, store_once
from ..engine.submission import SubmitRefusedError, TypingCounts
from .models import SupportAttachment, SupportRequest


class UnknownAttachmentError(SubmitRefusedError):
    """An attachment names a file its draft did not store (made up, or gone)."""

    def __init__(self, positions: list[int]) -> None:
        which = ", ".join(str(n) for n in positions)
        super().__init__(
            f"The file of attachment {which} is not one this draft stored, so nothing was "
            "sent. Check the attachments, then send the request again."
        )


def find_request(draft_id: str, lineage: str | None = None) -> SupportRequest | None:
    """The request sent from this draft (or, given, from any draft of its lineage)."""
    sent_from = SupportRequest.draft_id == draft_id
    found = sent_from if lineage is None else sent_from | (SupportRequest.lineage == lineage)
    query = select(SupportRequest).where(found).options(selectinload(SupportRequest.attachments))
    request: SupportRequest | None = db.session.scalars(query).first()
    return request


def send_request(
    draft_id: str, lineage: str, answers: dict[str, Any], counts: TypingCounts, memory_on: bool
) -> SupportRequest:
    """Store the request and its attachments once (a second send of the draft, or of any
    draft of its lineage, returns the first); UnknownAttachmentError writes nothing."""

    def write() -> SupportRequest:
        request = _build(draft_id, lineage, answers, counts, memory_on)
        claim_files(lineage, answers["attachments"], UnknownAttachmentError)
        insert_with_items(request, request.attachments, "request_id")
        # Sent once the transaction commits, by the same outbox as expense approvals
        compose_and_enqueue(
            "request-received", to=request.email, about=request.reference, support=request
        )
        return request

    return store_once(write, lambda: find_request(draft_id, lineage))


def _build(
    draft_id: str, lineage: str, answers: dict[str, Any], counts: TypingCounts, memory_on: bool
) -> SupportRequest:
    order = answers["order"]
    return SupportRequest(
        reference=new_reference("SUP-"),
        draft_id=draft_id,
        lineage=lineage,
        submitted_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        **answers["contact"],
        product=order["product"],
        order_number=order["order_number"],
        purchased_on=dt.date.fromisoformat(order["purchased_on"]),
        **answers["problem"],
        urgency=answers["urgency"],
        memory_on=memory_on,
        fields_typed=counts.typed,
        fields_repeated=counts.repeated,
        memory_use=counts.memory_use,
        attachments=[
            SupportAttachment(position=n, file_id=a["file_id"])
            for n, a in enumerate(answers["attachments"])
        ],
    )


def answers_of(request: SupportRequest) -> dict[str, Any]:
    """A sent request's answers, in the shape memory holds them."""
    contact = ("full_name", "email", "customer_number", "preferred_contact", "phone")
    return {
        "contact": {name: getattr(request, name) for name in contact},
        "order": {
            "product": request.product,
            "order_number": request.order_number,
            "purchased_on": request.purchased_on.isoformat(),
        },
        "problem": {
            "what_went_wrong": request.what_went_wrong,
            "description": request.description,
        },
        "attachments": [{"id": str(a.position), "file_id": a.file_id} for a in request.attachments],
        "urgency": request.urgency,
    }


def follow_up(request: SupportRequest) -> dict[str, Any]:
    """What the confirmation says of the emails about the request (sent, or will be)."""
    return {"emails": [said(message) for message in messages_about(request.reference)]}
