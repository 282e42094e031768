"""Approval (issue 20, SPEC §11) through the Flask test client: submitting queues the
manager's email in the report's transaction; its link opens the complete report, read from
the database; one decision per report; the employee is told and the confirmation shows the
status and the history; bad tokens say nothing of whether a report exists."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.flows.expenses.approval.models import ApprovalLink
from app.outbox import deliver_due, utcnow
from app.outbox.compose import messages_about
from app.outbox.models import OutboxMessage
from tests.conftest import make_app
from tests.helpers import Wizard, errors_of, receipt_form
from tests.smtp_server import SmtpServer, text_of

OUTAGE_REPORTS = 5  # submitted while the mail server is down
LINK = re.compile(r"http://localhost(/approve/[A-Za-z0-9_-]{43})\b")


def submitted(wizard: Wizard) -> str:
    """Walk a report with 2 receipts to its confirmation; its reference."""
    response = wizard.complete_draft(receipts=2)
    page = wizard.client.get(response.location)
    found = re.search(r"EXP-[0-9A-Z]{8}", page.text)
    assert found, page.text
    return found[0]


def emails(app: Flask, reference: str) -> list[OutboxMessage]:
    with app.app_context():
        return messages_about(reference)


def approval_path(app: Flask, reference: str) -> str:
    (request,) = [m for m in emails(app, reference) if m.kind == "approval-request"]
    found = LINK.search(request.text_body)
    assert found, request.text_body
    return found[1]


def h1(page: TestResponse) -> str:
    found = re.search(r"<h1[^>]*>([^<]+)</h1>", page.text)
    return found[1].strip() if found else ""


def messages(page: TestResponse) -> list[str]:
    return [message for _, message in errors_of(page)]


def decide(client: FlaskClient, path: str, action: str, reason: str = "") -> TestResponse:
    page = client.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return client.post(path, data={"csrf_token": token[1], "action": action, "reason": reason})


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"WTF_CSRF_ENABLED": True}


def test_submit_queues_the_managers_email_with_the_report_and_its_link(
    app: Flask, wizard: Wizard
) -> None:
    reference = submitted(wizard)
    (message,) = emails(app, reference)
    assert (message.to_address, message.kind, message.status) == (
        "charles@example.com",
        "approval-request",
        "queued",
    )
    assert message.subject == f"Expense report {reference} from Ada Lovelace to approve"
    for shown in (reference, "Ada Lovelace", "Total: 25.00 EUR", "Receipts: 2", "Client visit"):
        assert shown in message.text_body
    assert LINK.search(message.text_body) and LINK.search(message.html_body or "")
    with app.app_context():
        (link,) = ApprovalLink.query.all()
        assert approval_path(app, reference).rsplit("/", 1)[1] not in link.token_hash  # hashed
    confirmation = wizard.client.get(f"/report/{wizard.draft_id}/confirmation").text
    assert "Status: Awaiting approval" in confirmation
    assert "Email to charles@example.com" in confirmation and "will be sent" in confirmation


def test_the_manager_sees_the_complete_report_and_approves_it_once(
    app: Flask, wizard: Wizard
) -> None:
    reference = submitted(wizard)
    path = approval_path(app, reference)
    manager = app.test_client()  # another browser: no session of the employee's
    page = manager.get(path)
    assert page.status_code == 200 and h1(page) == "Approve expense report"
    for shown in (reference, "Ada Lovelace", "Merchant 1", "Merchant 2", "Meals", "Client visit"):
        assert shown in page.text
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" in page.headers["Cache-Control"]

    approved = decide(manager, path, "approve")
    assert approved.status_code == 303
    after = manager.get(path)
    assert "Status: Approved" in after.text and "Approved by charles@example.com" in after.text
    assert 'value="approve"' not in after.text  # no second decision offered

    again = manager.post(path, data={"action": "reject", "reason": "Too late"})
    assert again.status_code in (303, 400)
    confirmation = wizard.client.get(f"/report/{wizard.draft_id}/confirmation").text
    assert "Status: Approved" in confirmation and "Too late" not in confirmation
    kinds = [m.kind for m in emails(app, reference)]
    assert kinds == ["approval-request", "decision"]  # the employee is told, once
    decision = emails(app, reference)[1]
    assert decision.to_address == "ada@example.com"
    assert f"Your expense report {reference} was approved" == decision.subject


def test_rejecting_needs_a_reason_and_keeps_what_was_typed(app: Flask, wizard: Wizard) -> None:
    reference = submitted(wizard)
    path = approval_path(app, reference)
    manager = app.test_client()
    page = decide(manager, path, "reject", reason="   ")
    assert messages(page) == ["Enter the reason for rejecting"]
    long_reason = "r" * 501
    page = decide(manager, path, "reject", reason=long_reason)
    assert messages(page) == ["Reason for rejecting must be 500 characters or fewer"]
    assert long_reason in page.text
    decide(manager, path, "reject", reason="Receipts are from a personal trip")
    confirmation = wizard.client.get(f"/report/{wizard.draft_id}/confirmation").text
    assert "Status: Rejected" in confirmation
    assert "Reason: Receipts are from a personal trip" in confirmation
    history = confirmation.split("<h2>History</h2>", 1)[1]
    order = ["Submitted by Ada Lovelace", "Opened by the approver", "Rejected: Receipts"]
    assert [history.index(text) for text in order] == sorted(history.index(t) for t in order)


@pytest.mark.parametrize("token", ["A" * 43, "short", "x" * 500, "%00", "..%5Cetc"], ids=str)
def test_a_made_up_token_says_the_link_cannot_be_used(client: FlaskClient, token: str) -> None:
    page = client.get(f"/approve/{token}")
    assert page.status_code == 404
    assert h1(page) == "This approval link cannot be used"


def test_an_expired_link_looks_like_a_made_up_one(app: Flask, wizard: Wizard) -> None:
    reference = submitted(wizard)
    path = approval_path(app, reference)
    with app.app_context():
        from app.extensions import db

        link = db.session.scalars(db.select(ApprovalLink)).one()
        link.expires_at = link.expires_at.replace(year=2000)
        db.session.commit()
    page = app.test_client().get(path)
    assert page.status_code == 404 and h1(page) == "This approval link cannot be used"
    assert reference not in page.text


def test_approval_works_after_the_employees_session_and_the_app_are_gone(
    tmp_path: Path,
) -> None:
    employee_app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    wizard = Wizard(employee_app.test_client())
    reference = submitted(wizard)
    path = approval_path(employee_app, reference)
    del wizard  # the browser is closed: its session (and any memory) is gone
    restarted = make_app(tmp_path, WTF_CSRF_ENABLED=True)  # the same instance, a new process
    manager = restarted.test_client()
    page = manager.get(path)
    for shown in (reference, "Merchant 1", "Merchant 2", "Meals", "Client visit", "25.00 EUR"):
        assert shown in page.text
    decide(manager, path, "approve")
    assert "Status: Approved" in manager.get(path).text


@pytest.mark.demo  # the Mailbox is a demonstration: a submitter reads the manager's link
def test_the_mailbox_shows_this_browsers_mail_only(app: Flask, wizard: Wizard) -> None:
    reference = submitted(wizard)
    other = Wizard(app.test_client())
    other_reference = submitted(other)
    with app.app_context():
        assert deliver_due().sent == 2
    box = wizard.client.get("/mailbox")
    assert box.status_code == 200 and h1(box) == "Mailbox"
    assert reference in box.text and other_reference not in box.text
    number = re.search(r'href="/mailbox/(\d+)"', box.text)
    assert number
    message = wizard.client.get(f"/mailbox/{number[1]}")
    assert approval_path(app, reference) in message.text
    assert other.client.get(f"/mailbox/{number[1]}").status_code == 404  # nobody else's
    mail_files = list((Path(app.instance_path) / "mail").glob("*.eml"))
    assert len(mail_files) == 2


def test_the_mailbox_is_absent_with_a_mail_server(tmp_path: Path) -> None:
    app = make_app(tmp_path, MAIL_BACKEND="smtp")
    assert app.test_client().get("/mailbox").status_code == 404


def test_a_support_request_emails_the_customer_through_the_same_outbox(
    app: Flask, client: FlaskClient
) -> None:
    from tests.helpers import SupportWizard

    support = SupportWizard(client)
    response = support.complete_draft()
    page = client.get(response.location)
    reference = re.search(r"SUP-[0-9A-Z]{8}", page.text)
    assert reference
    (message,) = emails(app, reference[0])
    assert message.kind == "request-received" and reference[0] in message.subject
    assert "will be sent" in page.text


def test_through_a_real_mail_server_that_is_down_at_submit(tmp_path: Path) -> None:
    """The mail server is down while five reports are sent: their messages wait in the
    outbox and the confirmation says "will be sent"; once the server is back each arrives
    once, with its link in both parts, and the decision's email follows."""
    smtp = SmtpServer(tmp_path / "smtp")  # not started: an outage
    app = make_app(tmp_path / "instance", WTF_CSRF_ENABLED=True, **smtp.config())
    others = [submitted(Wizard(app.test_client())) for _ in range(OUTAGE_REPORTS - 1)]
    wizard = Wizard(app.test_client())
    reference = submitted(wizard)
    with app.app_context():
        assert deliver_due().retried == 1  # the first try fails; the rest wait their turn
    confirmation = wizard.client.get(f"/report/{wizard.draft_id}/confirmation")
    assert confirmation.status_code == 200 and "will be sent" in confirmation.text
    assert app.test_client().get("/mailbox").status_code == 404  # a real server: no Mailbox

    smtp.start()
    try:
        with app.app_context():
            assert deliver_due(now=utcnow() + dt.timedelta(minutes=1)).sent == OUTAGE_REPORTS
        received = next(m for m in smtp.wait_for(OUTAGE_REPORTS) if reference in m["Subject"])
        path = approval_path(app, reference)
        assert received["To"] == "charles@example.com" and reference in received["Subject"]
        assert received["Message-ID"] == emails(app, reference)[0].message_id
        assert path in (text_of(received, "plain") or "") and path in (
            text_of(received, "html") or ""
        )
        decide(app.test_client(), path, "approve")
        with app.app_context():
            assert deliver_due().sent == 1
        told = smtp.wait_for(OUTAGE_REPORTS + 1)[-1]
        assert told["To"] == "ada@example.com" and "approved" in told["Subject"]
    finally:
        smtp.stop()
    got = [m["Subject"] for m in smtp.received()]  # every message once: no duplicates
    assert len(got) == len(set(got)) == OUTAGE_REPORTS + 1
    assert all(any(ref in subject for subject in got) for ref in others)
    page = wizard.client.get(f"/report/{wizard.draft_id}/confirmation").text
    assert "Status: Approved" in page and "will be sent" not in page


@pytest.mark.demo  # Use example answers walks it
def test_a_report_sent_with_memory_off_reaches_the_manager_complete(app: Flask) -> None:
    from tests.integration.test_examples import step_fields, use_examples

    wizard = Wizard(app.test_client(), memory_on=False, follow=True)
    wizard.start()
    for step in wizard.steps:
        page = use_examples(wizard, step)
        fields = {k: v for k, v in step_fields(page, step).items() if k != "memory_state"}
        done = wizard.post(step, {**fields, "confirm": "y"} if step == "review" else fields)
    reference = re.search(r"EXP-[0-9A-Z]{8}", done.text)
    assert reference, done.text
    page = app.test_client().get(approval_path(app, reference[0]))
    for shown in ("Ada Lovelace", "00123", "Cafe Einstein", "Meals", "18.00 EUR", "Berlin"):
        assert shown in page.text
    assert (
        "Status: Awaiting approval"
        in wizard.client.get(f"/report/{wizard.draft_id}/confirmation").text
    )


def test_a_decision_needs_the_pages_csrf_token(app: Flask, wizard: Wizard) -> None:
    path = approval_path(app, submitted(wizard))
    forged = app.test_client().post(path, data={"action": "approve"})  # another site's form
    assert forged.status_code == 400
    assert (
        "Status: Awaiting approval"
        in wizard.client.get(f"/report/{wizard.draft_id}/confirmation").text
    )


def test_the_approval_link_is_rate_limited_with_a_clear_page(tmp_path: Path) -> None:
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, APPROVAL_RATE="3 per minute")
    manager = app.test_client()
    answers = [manager.get("/approve/" + "A" * 43) for _ in range(4)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert "This approval link was opened or pressed many times" in answers[-1].text
    no_file = manager.get("/approve/x/files/y")  # counted on its own
    assert no_file.status_code == 404 and "Open the report from the link" in no_file.text


def test_the_manager_downloads_the_reports_files_and_no_others(app: Flask, wizard: Wizard) -> None:
    from tests.files import pdf
    from tests.integration.test_receipt_files import post_receipts, upload

    wizard.start()
    wizard.fill_employee()
    post_receipts(wizard, {**receipt_form(0), "receipts-0-file": upload(pdf(), "hotel.pdf")})
    wizard.fill_categories(["Lodging"])
    sent = wizard.submit()
    reference = re.search(r"EXP-[0-9A-Z]{8}", wizard.client.get(sent.location).text)
    assert reference
    path = approval_path(app, reference[0])
    manager = app.test_client()
    page = manager.get(path)
    link = re.search(rf'href="({path}/files/[^"]+)">hotel.pdf</a>', page.text)
    assert link, page.text
    download = manager.get(link[1])
    assert download.status_code == 200 and download.data == pdf()
    assert "attachment" in download.headers["Content-Disposition"]
    other = Wizard(app.test_client())
    other_path = approval_path(app, submitted(other))
    file_id = link[1].rsplit("/", 1)[1]
    assert manager.get(f"{other_path}/files/{file_id}").status_code == 404  # not that report's


def test_what_the_employee_typed_is_escaped_in_the_html_email(app: Flask, wizard: Wizard) -> None:
    wizard.start()
    wizard.fill_employee(full_name="Ada <b>Lovelace</b>")
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"], purpose='<script>alert("x")</script>')
    sent = wizard.submit()
    reference = re.search(r"EXP-[0-9A-Z]{8}", wizard.client.get(sent.location).text)
    assert reference
    (message,) = emails(app, reference[0])
    html = message.html_body or ""
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html
    assert '<script>alert("x")</script>' in message.text_body  # plain text is as typed


def test_on_postgresql_the_link_opens_the_report_and_decides_once(
    tmp_path: Path, postgres_uri: str
) -> None:
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, SQLALCHEMY_DATABASE_URI=postgres_uri)
    wizard = Wizard(app.test_client())
    path = approval_path(app, submitted(wizard))
    first, second = app.test_client(), app.test_client()
    for tab in (first, second):  # both pages opened before either decides
        assert "Merchant 2" in tab.get(path).text
    assert decide(first, path, "approve").status_code == 303
    late = decide(second, path, "reject", reason="Too late")
    assert late.status_code == 303 and late.location.endswith("?notice=already")
    page = wizard.client.get(f"/report/{wizard.draft_id}/confirmation").text
    assert "Status: Approved" in page and "Too late" not in page


def test_without_the_demonstration_there_is_no_mailbox(tmp_path: Path) -> None:
    """A submitter must not read the manager's link in a plain service."""
    app = make_app(tmp_path, WIZARD_DEMO=False)
    assert app.test_client().get("/mailbox").status_code == 404
    wizard = Wizard(app.test_client())
    submitted(wizard)
    page = wizard.client.get(f"/report/{wizard.draft_id}/confirmation").text
    assert "Status: Awaiting approval" in page and "Mailbox" not in page
