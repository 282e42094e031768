"""/mailbox, on the embedded default only (mail written to .eml files, not sent): the mail
about what this browser submitted, so a visitor can play the manager (SPEC §11). Nobody
else's: a browser sees the messages about the references it submitted."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, abort, render_template
from markupsafe import Markup, escape
from sqlalchemy import Select, select

from .. import memory
from ..extensions import db
from ..flows.engine.signals import submitted
from .models import SENT, OutboxMessage

bp = Blueprint("mailbox", __name__)
_LINK = re.compile(r"https?://[^\s<>\"']+")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    submitted.connect(_remember, app)


def _remember(sender: Flask, record: Any, **extra: Any) -> None:
    """A browser's submissions, by reference: whose mail its Mailbox shows."""
    memory.remember_submitted(record.reference)


def _ours() -> Select[Any]:
    """The messages about what this browser submitted (none if it submitted nothing)."""
    return select(OutboxMessage).where(OutboxMessage.about.in_(memory.submitted_here()))


@bp.get("/mailbox")
def mailbox() -> str:
    messages: list[OutboxMessage] = list(
        db.session.scalars(_ours().order_by(OutboxMessage.id.desc()))
    )
    sent = [m for m in messages if m.status == SENT]
    return render_template("mailbox/list.html", sent=sent, waiting=len(messages) - len(sent))


@bp.get("/mailbox/<int:number>")
def message(number: int) -> str:
    query = _ours().where(OutboxMessage.id == number, OutboxMessage.status == SENT)
    found: OutboxMessage | None = db.session.scalar(query)
    if found is None:
        abort(404)
    return render_template("mailbox/message.html", message=found, body=linked(found.text_body))


def linked(text: str) -> Markup:
    """Plain text with its web addresses as links (everything else escaped)."""
    parts, last = [], 0
    for match in _LINK.finditer(text):
        parts += [escape(text[last : match.start()]), _anchor(match[0])]
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def _anchor(url: str) -> Markup:
    return Markup('<a href="{0}">{0}</a>').format(url)
