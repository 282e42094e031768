"""/approve/<token>: the manager reads the complete report and approves or rejects it."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .... import memory
from ....attachments.responses import send_stored
from ....attachments.service import file_for_download
from ....extensions import db, limiter
from ...engine.registry import flows_of
from ...engine.sections import error_list
from ...engine.summary import summary_of
from ..models import Report
from ..summary import answers_of
from . import service
from .forms import REASON_LIMIT, DecisionForm
from .models import ApprovalLink

bp = Blueprint("approval", __name__)


def _rate() -> str:
    return str(current_app.config["APPROVAL_RATE"])


@bp.after_request
def _link_in_the_address(response: Response) -> Response:
    # The token is in the URL: no other site may see it in a Referer (same-origin, not
    # no-referrer: Flask-WTF's HTTPS CSRF check needs a same-origin Referer). no-store comes
    # from security.py, as on every page that carries no memory.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.route("/approve/<token>", methods=["GET", "POST"])
@limiter.limit(_rate)
def approve(token: str) -> ResponseReturnValue:
    link = service.open_link(token)
    if link is None:
        return render_template("approval/unusable.html"), 404
    report = _report(link)
    action = request.form.get("action", "")
    if request.method == "POST" and action in service.OUTCOMES:
        return _decide(token, link, report, action)
    service.record_opened(link)
    status = 400 if request.method == "POST" else 200  # a press no button of the page sends
    return _page(token, link, report, DecisionForm(), status)


def _decide(token: str, link: ApprovalLink, report: Report, action: str) -> ResponseReturnValue:
    form = DecisionForm(request.form)
    if service.decision_of(report.id) is not None:  # decided already: that decision stands
        return redirect(url_for(".approve", token=token, notice="already"), 303)
    if not form.validate_for(action):
        return _page(token, link, report, form)
    made = service.decide(link, report, action, form.reason.data or "")
    return redirect(url_for(".approve", token=token, notice=None if made else "already"), 303)


def _page(
    token: str, link: ApprovalLink, report: Report, form: DecisionForm, status: int = 200
) -> tuple[str, int]:
    def file_url(file_id: str) -> str:  # the approver's download, not the employee's
        return url_for(".file", token=token, file_id=file_id)

    expenses = flows_of(current_app)["expenses"]
    summary = summary_of(expenses, answers_of(report), report.draft_id, file_url=file_url)
    page = render_template(
        "approval/approve.html",
        report=report,
        link=link,
        summary=summary,
        form=form,
        reason_limit=REASON_LIMIT,
        errors=error_list(form),
        decision=service.decision_of(report.id),
        already=request.args.get("notice") == "already",
    )
    return page, status


@bp.route("/approve/<token>/files/<file_id>")
@limiter.limit(_rate)
def file(token: str, file_id: str) -> Response:
    """A receipt's file, to the holder of the report's link only."""
    link = service.open_link(token)
    report = _report(link) if link else None
    if report is None or file_id not in {item.file_id for item in report.items}:
        abort(404)
    stored = file_for_download(memory.lineage_of(report.draft_id), file_id)
    if stored is None:
        abort(404)
    return send_stored(stored)


def _report(link: ApprovalLink) -> Report:
    query = select(Report).where(Report.id == link.report_id).options(joinedload(Report.items))
    report: Report = db.session.execute(query).unique().scalar_one()
    return report
