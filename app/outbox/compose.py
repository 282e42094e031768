"""Mail written from templates, the same way for every flow: templates/mail/<kind>.subject.txt,
<kind>.txt and <kind>.html, given what the message is about."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from .models import FAILED, SENT, OutboxMessage
from .service import enqueue

_PARTS = (".subject.txt", ".txt", ".html")


def _render(name: str, context: dict[str, Any]) -> str:
    """A mail template, without the page's context (no request, no session: the sender
    may be a script) but with the helpers every template has (shown_time)."""
    return current_app.jinja_env.get_template(name).render(**context).strip()


def compose_and_enqueue(kind: str, *, to: str, about: str, **context: Any) -> OutboxMessage:
    """Render the kind's templates with this context and queue the message in the
    caller's transaction (enqueue)."""
    subject, text, html = (_render(f"mail/{kind}{end}", context) for end in _PARTS)
    return enqueue(to=to, subject=subject, text=text, html=html, about=about, kind=kind)


def messages_about(about: str) -> list[OutboxMessage]:
    """The messages about this (a reference), oldest first."""
    query = select(OutboxMessage).where(OutboxMessage.about == about).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def said(message: OutboxMessage) -> str:
    """A message's state as a person reads it: sent, will be sent, or could not be sent."""
    to = f"Email to {message.to_address} ({message.subject})"
    if message.status == SENT:
        return f"{to} sent."
    if message.status == FAILED:
        return f"{to} could not be sent: {message.last_error}."
    return f"{to} will be sent."  # queued, or being sent: the outbox keeps it until it is
