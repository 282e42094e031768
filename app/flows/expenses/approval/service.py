"""Approval links, the one decision per report, and what the employee sees of both."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, NamedTuple
from urllib.parse import urljoin

from flask import current_app, has_request_context, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ....extensions import db
from ....outbox.compose import compose_and_enqueue, messages_about, said
from ....rows import insert_now
from ..models import Report
from ..summary import answers_of, totals
from .models import ApprovalLink, Decision, ReportEvent

OUTCOMES = {"approve": "approved", "reject": "rejected"}


class Status(NamedTuple):
    """What the confirmation says of a report's approval."""

    label: str  # "Awaiting approval", "Approved", "Rejected"
    decision: Decision | None


class HistoryLine(NamedTuple):
    at: dt.datetime
    text: str


def now() -> dt.datetime:
    """UTC without a zone, as every time in the database is kept."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def hashed(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_approval(report: Report) -> None:
    """In the submit's transaction: the manager's link (256 random bits, kept hashed), the
    report's first event, and the email that carries the link (the outbox sends it once
    the transaction commits; if it rolls back, none of it was ever there)."""
    token = secrets.token_urlsafe(32)
    lifetime = dt.timedelta(seconds=current_app.config["APPROVAL_LINK_LIFETIME"])
    link = ApprovalLink(
        report_id=report.id,
        token_hash=hashed(token),
        sent_to=report.manager_email,
        expires_at=report.submitted_at + lifetime,
    )
    insert_now(link)  # in the submit's statements, not flushed at its commit
    insert_now(_event(report.id, "submitted", report.full_name, report.submitted_at))
    compose_and_enqueue(
        "approval-request",
        to=report.manager_email,
        about=report.reference,
        report=report,
        totals=totals(answers_of(report))[0].items,
        link=_public_url("approval.approve", token=token),
        expires_at=link.expires_at,
    )


def _public_url(endpoint: str, **values: str) -> str:
    """An address for an email: under WIZARD_PUBLIC_URL if set, else under the address the
    request came to (a submit outside a request, as in a script, uses localhost)."""
    base = current_app.config["WIZARD_PUBLIC_URL"]
    if base is None and has_request_context():
        base = request.host_url
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return urljoin(base or "http://localhost/", path)


def open_link(token: str) -> ApprovalLink | None:
    """The link with this token, unless made up or expired (the two look alike)."""
    if not token or len(token) > 100:
        return None
    link: ApprovalLink | None = db.session.scalar(
        select(ApprovalLink).where(ApprovalLink.token_hash == hashed(token))
    )
    return link if link is not None and link.expires_at > now() else None


def record_opened(link: ApprovalLink) -> None:
    """The report's history says when the approver first opened it."""
    opened = select(ReportEvent.id).where(
        ReportEvent.report_id == link.report_id, ReportEvent.event == "opened"
    )
    if db.session.scalar(opened) is None:
        db.session.add(_event(link.report_id, "opened", link.sent_to))
        db.session.commit()


def decide(link: ApprovalLink, report: Report, action: str, reason: str) -> bool:
    """Approve or reject the report, and tell the employee; False if it was decided
    already (a second click, another tab or process): that first decision stands."""
    outcome = OUTCOMES[action]
    decision = Decision(
        report_id=report.id,
        outcome=outcome,
        reason=reason if outcome == "rejected" else "",
        decided_by=link.sent_to,
        decided_at=now(),
    )
    try:  # the decision's key is the report's: another decision fails at its INSERT,
        # which may come as the outbox's INSERT flushes it, or at the commit
        db.session.add(decision)
        db.session.add(_event(report.id, outcome, decision.reason, decision.decided_at))
        compose_and_enqueue(
            "decision",
            to=report.work_email,
            about=report.reference,
            report=report,
            decision=decision,
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def decision_of(report_id: int) -> Decision | None:
    found: Decision | None = db.session.get(Decision, report_id)
    return found


def status_of(report: Report) -> Status:
    decision = decision_of(report.id)
    if decision is None:
        return AWAITING
    return Status(decision.outcome.capitalize(), decision)


AWAITING = Status("Awaiting approval", None)


def follow_up(report: Report) -> dict[str, Any]:
    """What the confirmation shows of the approval: its status and the report's history.
    A decision is written with its event: with no such event there is none to read."""
    events = list(db.session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)))
    decided = any(event.event in OUTCOMES.values() for event in events)
    return {
        "status": status_of(report) if decided else AWAITING,
        "history": history_of(report, events),
    }


def history_of(report: Report, events: list[ReportEvent]) -> list[HistoryLine]:
    """Every event of the report and every email about it, oldest first."""
    lines = [HistoryLine(e.at, _said(e)) for e in events]
    for message in messages_about(report.reference):
        lines.append(HistoryLine(message.sent_at or message.created_at, said(message)))
    return sorted(lines, key=lambda line: line.at)


def _said(event: ReportEvent) -> str:
    return {
        "submitted": f"Submitted by {event.detail}.",
        "opened": f"Opened by the approver, {event.detail}.",
        "approved": "Approved.",
        "rejected": f"Rejected: {event.detail}",
    }.get(event.event, event.event)


def _event(report_id: int, event: str, detail: str, at: dt.datetime | None = None) -> ReportEvent:
    return ReportEvent(report_id=report_id, at=at or now(), event=event, detail=detail)
