"""Thin views: look up the draft and the step, bind, validate, hand on, redirect (303)."""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .. import memory
from ..errors import note_submitted
from ..extensions import limiter
from ..flows.engine import Step
from ..flows.engine.sections import error_list, well_numbered
from ..flows.engine.signals import report_submitted
from ..flows.expenses.flow import EXPENSES
from ..memory import (
    BudgetExceededError,
    Draft,
    DraftChangedError,
    TooLargeForCookieError,
    TooManyCookiesError,
)
from ..receipts.service import discard_unsubmitted, file_for_download
from ..reports.service import TypingCounts, UnknownFileError, find_report, submit_report
from .page import StepPage, with_file_errors
from .summary import answers_of, summarise
from .uploads import Received, change_items, receive_files

bp = Blueprint("wizard", __name__)
NOTICES = {
    "incomplete": "Complete this step first: the later steps need its answers.",
    "full": "This draft does not fit in your browser's cookies (it is too large, or your "
    "other drafts' cookies take the room), so its memory stays where it is.",
    "check": "Some answers on this page no longer pass the checks. Check them and continue.",
    "not-moved": "This draft was changed in another tab at the same moment, so its memory "
    "was not moved. Check the answers here, then move it again if you want to.",
    "moved": "This draft's memory was moved to another place (in another tab), so it has a "
    "new address. Anything sent from the older page was not saved: check the answers here.",
}
TOO_LARGE = "That was too much to send"


@bp.get("/")
def start() -> str:
    deleted = request.args.get("notice") == "deleted"
    return render_template("start.html", notice="Your draft was deleted." if deleted else None)


def _draft_rate() -> str:
    return str(current_app.config["WIZARD_DRAFT_RATE"])


def _upload_rate() -> str:
    return str(current_app.config["WIZARD_UPLOAD_RATE"])


def _no_file_sent() -> bool:
    return not any(upload.filename for upload in request.files.values())


@bp.post("/report")
@limiter.limit(_draft_rate)
def new_report() -> Response:
    if (mode := request.form.get("memory")) in ("on", "off"):  # "try it the other way"
        memory.switch_memory(mode == "on")
    draft_id = memory.start_draft()
    return redirect(url_for(".step", draft_id=draft_id, step_name="employee"), 303)


def _switch_rate() -> str:
    return str(current_app.config["WIZARD_SWITCH_RATE"])


@bp.post("/memory")
@limiter.limit(_switch_rate)
def switch_memory() -> Response:
    memory.switch_memory(request.form.get("memory") == "on")
    return redirect(_local_path(request.form.get("next", "/")), 303)


@bp.post("/memory/strategy")
@limiter.limit(_switch_rate)
def choose_strategy() -> Response:
    """Keep memory elsewhere from now on; from the inspector, move this draft there too."""
    name = request.form.get("strategy", "")
    if name not in memory.place_labels():
        return redirect(_local_path(request.form.get("next", "/")), 303)
    memory.choose_strategy(name)
    draft_id, step_name = request.form.get("draft", ""), request.form.get("step", "")
    if not (memory.owns(draft_id) and EXPENSES.step_named(step_name)):
        return redirect(_local_path(request.form.get("next", "/")), 303)
    notice = None
    try:
        moved = _moved(draft_id, name)
    except TooLargeForCookieError:
        moved, notice = draft_id, "full"
    except DraftChangedError:  # another tab wrote the cookie at that moment: not moved
        moved, notice = draft_id, "not-moved"
    return redirect(url_for(".step", draft_id=moved, step_name=step_name, notice=notice), 303)


def _moved(draft_id: str, to: str) -> str:
    """Move the draft's memory to another place; its new id (the same if not). Its files
    stay where they are: they are its lineage's, which the move keeps."""
    if memory.strategy_of(draft_id) == to:
        return draft_id
    new_id = memory.move_draft(draft_id, to)
    return draft_id if new_id is None else new_id  # None: expired, and its page says so


@bp.route("/report/<draft_id>/<step_name>", methods=["GET", "POST"])
@limiter.limit(_upload_rate, methods=["POST"], exempt_when=_no_file_sent)
def step(draft_id: str, step_name: str) -> ResponseReturnValue:
    if request.form.get("move_to") == "server" and memory.owns(draft_id):
        with contextlib.suppress(DraftChangedError):  # not moved: the save says why
            draft_id = _moved(draft_id, "server")  # offered when the draft outgrew its cookie
    found = _open(draft_id, step_name)
    if not isinstance(found, StepPage):
        return found
    page = found
    if page.memory.carries_forward and (
        earlier := EXPENSES.first_incomplete_before(page.step, page.memory)
    ):
        return _go(page.draft, earlier, notice="incomplete")
    if request.method == "GET" or "goto" in request.form:  # goto: a link that carries memory
        return render_step(page, page.form(page.remembered_formdata()), errors=[])
    return _post_step(page)


@bp.get("/report/<draft_id>/confirmation")
def confirmation(draft_id: str) -> str:
    report = find_report(draft_id) if memory.owns(draft_id) else None
    if report is None:
        abort(404)
    summary = summarise(answers_of(report), draft_id)
    return render_template(
        "confirmation.html",
        report=report,
        summary=summary,
        already_submitted=request.args.get("notice") == "already",
    )


@bp.post("/report/<draft_id>/keep-alive")
def keep_alive(draft_id: str) -> tuple[dict[str, Any], int]:
    """Extend the draft's idle timeout (the expiry dialog's Keep my draft); say how long now,
    and hand back renewed memory when it is passed through the form."""
    draft = memory.open_draft(draft_id, "keep-alive") if memory.owns(draft_id) else None
    if draft is None:
        return {"expires_in": 0}, 410
    renewed = {"memory_state": state} if (state := memory.passed_state()) else {}
    return {"expires_in": memory.seconds_left(draft), **renewed}, 200


@bp.post("/report/<draft_id>/delete")
def delete_draft(draft_id: str) -> Response:
    """Delete the draft and its files now (the expiry dialog's second choice)."""
    if not memory.owns(draft_id):
        abort(404)
    if memory.forget_draft(draft_id, deleted=True):
        discard_unsubmitted(memory.lineage_of(draft_id))
        return redirect(url_for(".start", notice="deleted"), 303)
    if report := find_report(draft_id, memory.lineage_of(draft_id)):
        url = url_for(".confirmation", draft_id=report.draft_id, notice="already")
        return redirect(url, 303)  # submitted first (another tab): nothing was deleted
    if successor := memory.moved_to(draft_id):  # it lives on under another id: not deleted
        return redirect(
            url_for(".step", draft_id=successor, step_name="review", notice="moved"), 303
        )
    return redirect(url_for(".start", notice="deleted"), 303)  # deleted already


@bp.get("/report/<draft_id>/files/<file_id>")
def receipt_file(draft_id: str, file_id: str) -> Response:
    """Send a receipt file, only to the browser that owns its draft."""
    owned = memory.owns(draft_id)
    stored = file_for_download(memory.lineage_of(draft_id), file_id) if owned else None
    if stored is None:
        abort(404)
    response = send_file(
        io.BytesIO(stored.data),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _open(draft_id: str, step_name: str) -> StepPage | ResponseReturnValue:
    """The page for this draft and step, or the response that replaces it."""
    step_ = EXPENSES.step_named(step_name)
    if step_ is None or not memory.owns(draft_id):
        abort(404)
    draft = memory.open_draft(draft_id, step_.name)
    if draft is not None:
        return StepPage(EXPENSES, step_, draft)
    if report := find_report(draft_id, memory.lineage_of(draft_id)):
        if request.method == "POST":  # a repeated submit lands on the confirmation
            url = url_for(".confirmation", draft_id=report.draft_id, notice="already")
            return redirect(url, 303)
        return render_template("submitted.html", report=report)
    if successor := memory.moved_to(draft_id):  # moved by another tab: it lives on there
        url = url_for(".step", draft_id=successor, step_name=step_.name, notice="moved")
        return redirect(url, 303)
    if memory.was_deleted(draft_id):  # in another tab: say so, not "expired"
        return redirect(url_for(".start", notice="deleted"), 303)
    return render_template("expired.html")


def _post_step(page: StepPage) -> ResponseReturnValue:
    page.draft.note_page_sent()
    received = _received(page)
    action = request.form.get("action", "continue")
    stale = page.draft.changed_since(request.form.get("revision"), page.own_keys())
    if action != "continue" and page.collection:
        return (
            _changed_elsewhere(page, received)
            if stale
            else _change_receipts(page, received, action)
        )
    form = page.form(received.formdata)
    valid = form.validate()
    if not valid or received.errors:
        return _shown_again(page, with_file_errors(form, page.collection, received.errors))
    answers = page.answers_of(form)
    if stale and not page.holds(answers):  # the same answers again (a second click) go on
        return _changed_elsewhere(page, received)
    if page.is_final:
        return _submit(page, received.formdata)
    try:
        page.accept(answers)
        memory.save_draft(page.draft, guarded=True)
    except BudgetExceededError as e:
        return _refused(page, form, e)
    except DraftChangedError:  # another tab saved the same answers at the same moment
        return _changed_elsewhere(page, received)
    return _go(page.draft, EXPENSES.next_step(page.step, page.memory))


def _received(page: StepPage) -> Received:
    """What the page posted, with its files stored."""
    formdata = _posted_formdata(page)
    held = page.collection
    if held is None or not held.file_slot:
        return Received(formdata)
    return receive_files(page.draft.id, held, formdata, request.files, page.files_in_memory())


def _posted_formdata(page: StepPage) -> MultiDict[str, str]:
    """The posted fields, per-item answers bound to the items memory holds, by item id."""
    return page.aligned(well_numbered(request.form, page.flow.repeated))


def _change_receipts(page: StepPage, received: Received, action: str) -> ResponseReturnValue:
    """Add or remove a receipt or its file, keeping everything typed (not yet validated)."""
    assert page.collection is not None
    formdata, anchor = change_items(page.draft.id, page.collection, received.formdata, action)
    form = page.form(formdata)
    if not page.memory.carries_forward or received.errors:
        return _shown_again(page, with_file_errors(form, page.collection, received.errors))
    try:
        page.keep_unsaved(formdata)
        memory.save_draft(page.draft)
    except BudgetExceededError as e:
        return _refused(page, form, e)
    except DraftChangedError:  # another tab wrote this cookie draft at the same moment
        return _changed_elsewhere(page, received)
    url = url_for(".step", draft_id=page.draft.id, step_name=page.step.name, _anchor=anchor)
    return redirect(url, 303)


def _submit(page: StepPage, formdata: MultiDict[str, str]) -> ResponseReturnValue:
    """Re-validate the whole report (memory and page together), then store it once."""
    form = page.whole_flow_form(formdata)
    if not form.validate():
        return _go(page.draft, _step_to_fix(page, form), notice="check")
    answers = page.answers_of(form, whole=True)
    page.count_typed(page.own_answers(answers))
    counts = TypingCounts.from_counter(page.draft.counter())
    lineage = memory.lineage_of(page.draft.id)
    try:
        give_back = memory.claim_for_submit(page.draft)  # another tab's newer cookie: not sent
    except DraftChangedError:
        return _changed_elsewhere(page, Received(formdata))
    try:
        report = submit_report(
            page.draft.id, lineage, answers, counts, memory_on=page.memory.carries_forward
        )
    except UnknownFileError as e:  # the draft is kept as it was: nothing counted or saved
        give_back()
        return render_step(page, page.form(formdata), errors=[("main-content", str(e))])
    note_submitted(report.reference)  # what fails from here on must not say nothing was
    ended_here = memory.forget_draft(page.draft.id)
    if not ended_here or report.draft_id != page.draft.id:  # a second click, another copy
        return redirect(url_for(".confirmation", draft_id=report.draft_id, notice="already"), 303)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    report_submitted.send(app, report=report, draft=page.draft)
    memory.renew_session_id()
    return redirect(url_for(".confirmation", draft_id=page.draft.id), 303)


def render_step(
    page: StepPage,
    form: Any,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
    offer_server: bool = False,
) -> tuple[str, int]:
    """Render a step page, with its error summary when there are errors."""
    errors = error_list(form) if errors is None else errors
    context = {
        "page": page,
        "form": form,
        "errors": errors,
        "notice": NOTICES.get(request.args.get("notice", "")),
        "files": page.stored_files(form),
        "expires_in": memory.seconds_left(page.draft),
        "offer_server": offer_server,
    }
    if page.is_final and not page.asks_again:
        context["summary"] = summarise(page.remembered_answers(), page.draft.id)
    return render_template(page.step.template, **context), status


def _changed_elsewhere(page: StepPage, received: Received) -> tuple[str, int]:
    """The page again with what it sent, unsaved, when the answers it asks for were saved
    after it was made (another tab of the draft): the person sees and decides."""
    message = (
        "This draft was changed in another tab after this page was shown, so what you sent "
        "from this page was not saved yet. Check the answers below and press the button again."
    )
    form = with_file_errors(page.form(received.formdata), page.collection, received.errors)
    return render_step(page, form, errors=[("main-content", message)], status=409)


def _refused(page: StepPage, form: Any, error: BudgetExceededError) -> tuple[str, int]:
    """The page again with everything typed, saying why memory could not keep it."""
    too_large_for_cookie = isinstance(error, TooLargeForCookieError)
    said = _REFUSALS[type(error)].format(size=error.size, limit=error.limit)
    errors = [("move-to-server" if too_large_for_cookie else "main-content", said)]
    return render_step(page, form, errors=errors, offer_server=too_large_for_cookie)


# Memory's refusals in the expense report's words, with what the person can leave out.
_REFUSALS = {
    BudgetExceededError: "This report is too large to keep in session memory ({size:,} bytes; "
    "the limit is {limit:,} bytes). Remove a receipt or shorten a description.",
    TooLargeForCookieError: "This report no longer fits in a browser cookie ({size:,} bytes; "
    "browsers keep about {limit:,}). Nothing was lost: keep session memory on the server to "
    "go on, or remove a receipt.",
    TooManyCookiesError: "Together with your other drafts, this report no longer fits in your "
    "browser's cookies ({size:,} bytes; at most {limit:,} are sent to this service). Nothing "
    "was lost: keep session memory on the server to go on, or finish or delete another draft.",
}


def _shown_again(page: StepPage, form: Any) -> tuple[str, int]:
    """The page again with its messages; only the page count is saved (memory unchanged;
    if another tab wrote this cookie draft at the same moment, its copy stays whole)."""
    with contextlib.suppress(DraftChangedError):
        memory.save_draft(page.draft)
    return render_step(page, form)


def _step_to_fix(page: StepPage, form: Any) -> Step:
    """The step that asks for the first invalid answer of a whole-flow form."""
    field_id = error_list(form)[0][0]
    return page.flow.owner_of(page.flow.section_of_field(field_id))


def _go(draft: Draft, step_: Step, notice: str | None = None) -> Response:
    url = url_for(".step", draft_id=draft.id, step_name=step_.name, notice=notice)
    return redirect(url, 303)


# Segments end in "/" but the last: unambiguous, so no catastrophic backtracking.
_LOCAL_PATH = re.compile(r"/(?:[A-Za-z0-9_.~-]+/)*[A-Za-z0-9_.~-]*", re.ASCII)


def _local_path(target: str) -> str:
    """Only ever redirect to a plain path of this site. Browsers drop tabs and newlines from
    URLs (a tab between two slashes makes "//evil.example"), so anything unusual goes to "/"."""
    return target if _LOCAL_PATH.fullmatch(target) else "/"


def step_after_too_large(message: str, draft_id: str, step_name: str) -> ResponseReturnValue:
    """Show the step again from memory when the page sent was too large to read."""
    if (
        EXPENSES.step_named(step_name)
        and memory.owns(draft_id)
        and memory.strategy_of(draft_id) == "form"
    ):
        # Its memory was in the body that was not read (reading it again is no answer).
        return render_template(
            "error.html",
            code=413,
            title=TOO_LARGE,
            message=(
                f"{message} This draft's memory travels with the page, and it was part of what "
                "could not be read, so this page cannot show your answers. Nothing is lost: "
                "your browser's Back button returns to the page as you left it."
            ),
        ), 413
    found = _open(draft_id, step_name)
    if not isinstance(found, StepPage):
        return found
    shown = (
        " Below is what memory holds; your browser's Back button returns to the page as "
        "you left it."
    )
    form = found.form(found.remembered_formdata())
    return render_step(found, form, errors=[("main-content", message + shown)], status=413)


def step_after_csrf_failure(draft_id: str, step_name: str) -> ResponseReturnValue:
    """Show the step again with everything typed when its form's CSRF token failed."""
    if not memory.owns(draft_id):
        return render_template("expired.html")  # the browser session itself was lost
    found = _open(draft_id, step_name)
    if not isinstance(found, StepPage):
        return found
    message = (
        "This page was out of date, so your answers were not saved yet. "
        "Check them and press the button again."
    )
    form = found.form(_posted_formdata(found))  # files of a refused post are not stored
    return render_step(found, form, errors=[("main-content", message)])
