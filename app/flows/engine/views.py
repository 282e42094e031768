"""Thin views for every flow: look up the draft and the step, bind, validate, hand on,
redirect (303). flow_blueprint(flow) serves a flow's pages under its prefix."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ... import memory
from ...attachments.responses import send_stored
from ...attachments.service import discard_unsubmitted, file_for_download
from ...errors import note_submitted
from ...extensions import limiter
from ...memory import (
    BudgetExceededError,
    DraftChangedError,
    TooLargeForCookieError,
)
from ...security import local_path
from .flow import Flow, Step
from .memory_off import at_risk, question_before_off
from .page import StepPage, with_file_errors
from .registry import flows_of
from .sections import (
    Collection,
    error_list,
    field_names,
    group_index,
    groups,
    well_numbered,
)
from .signals import submitted
from .submission import SubmitRefusedError, TypingCounts
from .summary import summary_of
from .uploads import Received, change_items, receive_files

NOTICES = {
    "incomplete": "Complete this step first: the later steps need its answers.",
    "full": "This draft does not fit in your browser's cookies (it is too large, or your "
    "other drafts' cookies take the room), so its memory stays where it is.",
    "check": "Some answers on this page no longer pass the checks. Check them and continue.",
    "not-moved": "This draft was changed in another tab at the same moment, so its memory "
    "was not moved. Check the answers here, then move it again if you want to.",
    "moved": "This draft's memory was moved to another place (in another tab), so it has a "
    "new address. Anything sent from the older page was not saved: check the answers here.",
    "moved-kept": "This draft's memory was moved to another place (in another tab), so it has "
    "a new address. What you sent from the older page is filled in below but not saved yet: "
    "check it and continue.",
    "discarded": "Your earlier answers were discarded when you turned session memory off.",
    "examples": "Example answers fill the empty fields on this page (a demonstration aid). "
    "Change any you like, then press Continue.",
    "memory-went-off": "Session memory was turned off (in another tab, or on another page) "
    "after this page was shown, so this step now asks again for what earlier steps collected. "
    "What you sent from this page is kept below: fill in the rest and continue.",
}
TOO_LARGE = "That was too much to send"
REMOVED = re.compile(r"(file-)?removed-(\d{1,2})")  # the notice after Remove (file) of item N


def flow_blueprint(flow: Flow, template_folder: str | None = None) -> Blueprint:
    """The pages of a flow, under its prefix: start, steps, confirmation, files, expiry."""
    bp = Blueprint(flow.name, __name__, url_prefix=flow.prefix, template_folder=template_folder)
    bp.add_url_rule("", "new_draft", new_draft, methods=["POST"])
    bp.add_url_rule("/<draft_id>/<step_name>", "step", step, methods=["GET", "POST"])
    bp.add_url_rule("/<draft_id>/confirmation", "confirmation", confirmation)
    bp.add_url_rule("/<draft_id>/keep-alive", "keep_alive", keep_alive, methods=["POST"])
    bp.add_url_rule("/<draft_id>/delete", "delete_draft", delete_draft, methods=["POST"])
    bp.add_url_rule("/<draft_id>/files/<file_id>", "file", stored_file)
    bp.record_once(lambda state: _serve(state.app, flow))
    return bp


def _serve(app: App, flow: Flow) -> None:
    flows_of(app)[flow.name] = flow


def current_flow() -> Flow:
    """The flow whose page this request is for."""
    return flows_of(current_app)[request.blueprint or ""]


def _draft_rate() -> str:
    return str(current_app.config["WIZARD_DRAFT_RATE"])


def _upload_rate() -> str:
    return str(current_app.config["WIZARD_UPLOAD_RATE"])


def _no_file_sent() -> bool:
    return not any(upload.filename for upload in request.files.values())


@limiter.limit(_draft_rate)
def new_draft() -> ResponseReturnValue:
    """Start a draft of this flow (memory switched first when the button says so; off asks
    first when it would discard the answers of other drafts)."""
    if (mode := request.form.get("memory")) in ("on", "off"):  # "try it the other way"
        if mode == "off" and request.form.get("confirmed") != "yes":
            back = local_path(request.form.get("next", "/"))
            if found := at_risk():
                return question_before_off(found, request.path, {"memory": "off"}, back)
        memory.switch_memory(mode == "on")
    chosen = request.form.get("strategy", "")  # the start page's place, chosen with Start
    if chosen in memory.place_labels():
        memory.choose_strategy(chosen)
    draft_id = memory.start_draft(kind=current_flow().name)
    return _go(current_flow(), draft_id, current_flow().first)


def step(draft_id: str, step_name: str) -> ResponseReturnValue:
    """A step's page, and its form sent. Only a form that sends a file counts against the
    upload limit: the limiter's check would cost every other request too (bench http)."""
    if request.method == "POST" and not _no_file_sent():
        return _step_with_files(draft_id, step_name)
    return _step(draft_id, step_name)


@limiter.limit(_upload_rate)
def _step_with_files(draft_id: str, step_name: str) -> ResponseReturnValue:
    return _step(draft_id, step_name)


def _step(draft_id: str, step_name: str) -> ResponseReturnValue:
    if request.form.get("action") == "move-memory" and current_app.config["WIZARD_DEMO"]:
        return _move_memory(draft_id, step_name)
    if request.form.get("move_to") == "server" and memory.owns(draft_id):
        with contextlib.suppress(DraftChangedError):  # not moved: the save says why
            draft_id = moved_draft(draft_id, "server")  # offered when it outgrew its cookie
    found = _open(draft_id, step_name, keep_posted=True)
    if not isinstance(found, StepPage):
        return found
    page = found
    if page.memory.carries_forward and (
        earlier := page.flow.first_incomplete_before(page.step, page.memory)
    ):
        return _go(page.flow, page.draft.id, earlier, notice="incomplete")
    if request.method == "GET" or "goto" in request.form:  # goto: a link that carries memory
        return render_step(page, page.form(page.remembered_formdata()), errors=[])
    return _post_step(page)


def confirmation(draft_id: str) -> str:
    flow = current_flow()
    record = flow.submission.find(draft_id, None) if memory.owns(draft_id) else None
    if record is None:
        abort(404)
    summary = summary_of(flow, flow.submission.answers_of(record), draft_id)
    follow_up = flow.submission.follow_up
    return render_template(
        flow.confirmation_template,
        flow=flow,
        report=record,
        summary=summary,
        already_submitted=request.args.get("notice") == "already",
        **(follow_up(record) if follow_up else {}),
    )


def keep_alive(draft_id: str) -> tuple[dict[str, Any], int]:
    """Extend the draft's idle timeout (the expiry dialog's Keep my draft); say how long now,
    and hand back renewed memory when it is passed through the form."""
    draft = memory.open_draft(draft_id, "keep-alive") if memory.owns(draft_id) else None
    if draft is None:
        return {"expires_in": 0}, 410
    renewed = {"memory_state": state} if (state := memory.passed_state()) else {}
    return {"expires_in": memory.seconds_left(draft), **renewed}, 200


def delete_draft(draft_id: str) -> Response:
    """Delete the draft and its files now (the expiry dialog's second choice)."""
    if not memory.owns(draft_id):
        abort(404)
    flow = current_flow()
    if memory.forget_draft(draft_id, deleted=True):
        discard_unsubmitted(memory.lineage_of(draft_id))
        return redirect(url_for("home.start", notice="deleted"), 303)
    if record := flow.submission.find(draft_id, memory.lineage_of(draft_id)):
        url = url_for(".confirmation", draft_id=record.draft_id, notice="already")
        return redirect(url, 303)  # submitted first (another tab): nothing was deleted
    if successor := memory.moved_to(draft_id):  # it lives on under another id: not deleted
        return _go(flow, successor, flow.final, notice="moved")
    return redirect(url_for("home.start", notice="deleted"), 303)  # deleted already


def stored_file(draft_id: str, file_id: str) -> Response:
    """Send a file of a draft, only to the browser that owns the draft."""
    owned = memory.owns(draft_id)
    stored = file_for_download(memory.lineage_of(draft_id), file_id) if owned else None
    if stored is None:
        abort(404)
    return send_stored(stored)


def _move_memory(draft_id: str, step_name: str) -> ResponseReturnValue:
    """The inspector's Move memory, sent with the page's form: what the page had typed goes
    with the draft (kept as typed, not yet checked), then its memory moves."""
    found = _open(draft_id, step_name)
    if not isinstance(found, StepPage):
        return found
    page, place = found, request.form.get("strategy", "")
    received = _received(page)
    if page.draft.changed_since(request.form.get("revision"), page.own_keys()):
        return _changed_elsewhere(page, received)
    if place not in memory.place_labels():  # no form sends this: the page again, as typed
        return render_step(page, page.form(received.formdata), errors=[])
    if not_kept := _typing_kept(page, received.formdata, received, guarded=True):
        return not_kept
    memory.choose_strategy(place)
    moved_id, notice = moved_saying_why(draft_id, place)
    if page.memory.carries_forward:
        return _go(page.flow, moved_id, page.step, notice=notice or "memory-moved")
    return _shown_moved(page.flow, moved_id, page.step, received.formdata, notice)


def _shown_moved(
    flow: Flow, draft_id: str, step_: Step, formdata: MultiDict[str, str], notice: str | None
) -> ResponseReturnValue:
    """With memory off nothing is kept between pages: the moved draft's page comes back in
    this response, with what was typed."""
    draft = memory.open_draft(draft_id, step_.name)
    if draft is None:
        return _go(flow, draft_id, step_, notice=notice)
    page = StepPage(flow, step_, draft)
    return render_step(page, page.form(formdata), errors=[], notice=notice or "memory-moved")


def moved_saying_why(draft_id: str, to: str) -> tuple[str, str | None]:
    """Move the draft's memory; its id after, and the notice that says why it did not move."""
    try:
        return moved_draft(draft_id, to), None
    except TooLargeForCookieError:
        return draft_id, "full"
    except DraftChangedError:  # another tab wrote the cookie at that moment: not moved
        return draft_id, "not-moved"


def moved_draft(draft_id: str, to: str) -> str:
    """Move the draft's memory to another place; its new id (the same if not). Its files
    stay where they are: they are its lineage's, which the move keeps."""
    if memory.strategy_of(draft_id) == to:
        return draft_id
    new_id = memory.move_draft(draft_id, to)
    return draft_id if new_id is None else new_id  # None: expired, and its page says so


def _open(
    draft_id: str, step_name: str, keep_posted: bool = False
) -> StepPage | ResponseReturnValue:
    """The page for this draft and step, or the response that replaces it. keep_posted: a
    post (its token checked) to a draft another tab moved is kept, as typed, where it went."""
    flow = current_flow()
    step_ = flow.step_named(step_name)
    if step_ is None or not memory.owns(draft_id):
        abort(404)
    draft = memory.open_draft(draft_id, step_.name)
    if draft is not None and draft.kind not in ("", flow.name):
        abort(404)  # another flow's draft: its answers would not fit this flow's pages
    if draft is not None:
        return StepPage(flow, step_, draft)
    return _no_longer_open(flow, draft_id, step_, keep_posted)


def _no_longer_open(
    flow: Flow, draft_id: str, step_: Step, keep_posted: bool
) -> ResponseReturnValue:
    """What replaces the page of a draft that is no longer open: submitted, moved, deleted
    or expired."""
    if record := flow.submission.find(draft_id, memory.lineage_of(draft_id)):
        if request.method == "POST":  # a repeated submit lands on the confirmation
            url = url_for(".confirmation", draft_id=record.draft_id, notice="already")
            return redirect(url, 303)
        return render_template("engine/submitted.html", flow=flow, report=record)
    if successor := memory.moved_to(draft_id):  # moved by another tab: it lives on there
        if keep_posted and request.method == "POST" and "goto" not in request.form:
            return _kept_where_moved(flow, successor, step_)
        return _go(flow, successor, step_, notice="moved")
    if memory.was_deleted(draft_id):  # in another tab: say so, not "expired"
        return redirect(url_for("home.start", notice="deleted"), 303)
    if _memory_left_in_the_page(draft_id):
        # 409: the address alone cannot give the page, and the person can resolve that by
        # going back to the page that carries it (never cached: no 200, no state on it).
        return render_template("engine/not_in_address.html", flow=flow), 409
    return render_template("engine/expired.html", flow=flow)


def _memory_left_in_the_page(draft_id: str) -> bool:
    """Whether this is the address of a live-looking draft whose memory travels in its
    pages, opened without them (a new tab, a bookmark, a reload or Back once the address
    bar shows the page's own address): the server cannot tell it from an expired one."""
    return (
        request.method == "GET"
        and memory.strategy_of(draft_id) == "form"
        and memory.may_still_live(draft_id)
    )


def _kept_where_moved(flow: Flow, successor: str, step_: Step) -> ResponseReturnValue:
    """What an older page sent to a draft moved since, kept as typed (not saved) on the
    moved draft's page, so nothing is lost."""
    draft = memory.open_draft(successor, step_.name)
    if draft is None:  # memory that travels in a page: the older page has none of it
        return _go(flow, successor, step_, notice="moved")
    page = StepPage(flow, step_, draft)
    posted = _posted_formdata(page)  # files of an older page are not stored
    if not field_names(page.form(posted)) & set(posted):  # nothing of this page was sent
        return _go(flow, successor, step_, notice="moved")
    if not page.memory.carries_forward:
        return render_step(page, page.form(posted), errors=[], notice="moved-kept")
    try:
        page.keep_unsaved(posted)
        memory.save_draft(draft)
    except (BudgetExceededError, DraftChangedError):
        return _go(flow, successor, step_, notice="moved")
    return _go(flow, successor, step_, notice="moved-kept")


def _post_step(page: StepPage) -> ResponseReturnValue:
    action = request.form.get("action", "continue")
    if action != "example":  # a demo aid, not a page a person would send
        page.draft.note_page_sent()
    received = _received(page)
    stale = page.draft.changed_since(request.form.get("revision"), page.own_keys())
    if action != "continue" and (changed := _changed_page(page, received, action, stale)):
        return changed
    form = page.form(received.formdata)
    if not_taken := _not_taken(page, form, received, keep=not stale):
        return not_taken
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
    return _go(page.flow, page.draft.id, page.flow.next_step(page.step, page.memory))


def _changed_page(
    page: StepPage, received: Received, action: str, stale: bool
) -> ResponseReturnValue | None:
    """Use example answers, Add and Remove: the page again, changed, nothing taken yet."""
    if action == "example":  # never a submit, even where there is nothing to fill
        if page.offers_examples:
            return _with_examples(page, received, stale)
        return render_step(page, page.form(received.formdata), errors=[])
    if page.collection:
        return (
            _changed_elsewhere(page, received) if stale else _change_items(page, received, action)
        )
    return None


def _not_taken(
    page: StepPage, form: Any, received: Received, keep: bool
) -> ResponseReturnValue | None:
    """The page again if what it sent cannot be taken as it is: made before memory went off
    (another tab; what it sent is kept, no errors), or not valid (what it sent is kept as
    typed unless another tab saved this page's answers since: Back loses nothing)."""
    if page.made_with_memory_on(request.form):
        return render_step(page, form, errors=[], notice="memory-went-off")
    if not form.validate() or received.errors:
        form = with_file_errors(form, page.collection, received.errors)
        return _shown_again(page, form, received.formdata if keep else None)
    return None


def _received(page: StepPage) -> Received:
    """What the page posted, with its files stored."""
    formdata = _posted_formdata(page)
    held = page.collection
    if held is None or held.file_slot is None:
        return Received(formdata)
    return receive_files(page.draft.id, held, formdata, request.files, page.files_in_memory())


def _posted_formdata(page: StepPage) -> MultiDict[str, str]:
    """The posted fields, per-item answers bound to the items memory holds, by item id."""
    return page.aligned(well_numbered(request.form, page.flow.repeated))


def _change_items(page: StepPage, received: Received, action: str) -> ResponseReturnValue:
    """Add or remove an item or its file, keeping everything typed (not yet validated)."""
    assert page.collection is not None
    formdata, anchor = change_items(page.draft.id, page.collection, received.formdata, action)
    form = page.form(formdata)
    notice = _what_went(page.collection.name, received.formdata, formdata, action)
    if not page.memory.carries_forward or received.errors:
        form = with_file_errors(form, page.collection, received.errors)
        return _shown_again(page, form, notice=notice)
    if not_kept := _typing_kept(page, formdata, received):
        return not_kept
    url = url_for(
        ".step", draft_id=page.draft.id, step_name=page.step.name, notice=notice, _anchor=anchor
    )
    return redirect(url, 303)


def _what_went(
    name: str, before: MultiDict[str, str], after: MultiDict[str, str], action: str
) -> str | None:
    """The notice after Remove or Remove file: what went, by its number (None: nothing)."""
    verb, _, number = action.rpartition("-")
    index = group_index(number)
    if index is None:
        return None
    was, now = groups(before, name), groups(after, name)
    if verb == "remove" and len(now) < len(was):
        return f"removed-{index + 1}"
    if verb == "remove-file" and index < len(now) and not now[index].get("file_id"):
        return f"file-removed-{index + 1}" if was[index].get("file_id") else None
    return None


def _with_examples(page: StepPage, received: Received, stale: bool) -> ResponseReturnValue:
    """Use example answers (a demo aid): the page again with its empty fields filled in,
    kept as typed (not yet taken: Continue takes them, and counts them as typed)."""
    if stale:
        return _changed_elsewhere(page, received)
    formdata = page.with_examples(received.formdata)
    form = page.form(formdata)
    if not page.memory.carries_forward or received.errors:
        form = with_file_errors(form, page.collection, received.errors)
        errors: list[tuple[str, str]] | None = None if received.errors else []  # a file's, too
        return render_step(page, form, errors=errors, notice="examples")
    if not_kept := _typing_kept(page, formdata, received):
        return not_kept
    return _go(page.flow, page.draft.id, page.step, notice="examples")


def _submit(page: StepPage, formdata: MultiDict[str, str]) -> ResponseReturnValue:
    """Re-validate the whole draft (memory and page together), then store it once."""
    form = page.whole_flow_form(formdata)
    if not form.validate():
        return _go(page.flow, page.draft.id, _step_to_fix(page, form), notice="check")
    answers = page.answers_of(form, whole=True)
    page.count_typed(page.own_answers(answers))
    counts = TypingCounts.from_counter(page.draft.counter())
    lineage = memory.lineage_of(page.draft.id)
    try:
        give_back = memory.claim_for_submit(page.draft)  # another tab's newer cookie: not sent
    except DraftChangedError:
        return _changed_elsewhere(page, Received(formdata))
    try:
        on = page.memory.carries_forward
        record = page.flow.submission.store(page.draft.id, lineage, answers, counts, on)
    except SubmitRefusedError as e:  # the draft is kept as it was: nothing counted or saved
        give_back()
        return render_step(page, page.form(formdata), errors=[("main-content", str(e))])
    return _submitted(page, record)


def _submitted(page: StepPage, record: Any) -> Response:
    """Where a stored submit leads: its confirmation (the first time, a fresh session)."""
    note_submitted(record.reference, page.flow.noun)  # what fails now must not say nothing was
    ended_here = memory.forget_draft(page.draft.id)
    if not ended_here or record.draft_id != page.draft.id:  # a second click, another copy
        url = url_for(".confirmation", draft_id=record.draft_id, notice="already")
        return redirect(url, 303)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    submitted.send(app, flow=page.flow, record=record, draft=page.draft)
    memory.renew_session_id()
    return redirect(url_for(".confirmation", draft_id=page.draft.id), 303)


def render_step(
    page: StepPage,
    form: Any,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
    offer_server: bool = False,
    notice: str | None = None,
) -> tuple[str, int]:
    """Render a step page, with its error summary when there are errors."""
    page.name_items(form)  # beside each field too, whatever the summary lists
    errors = error_list(form) if errors is None else errors
    context = {
        "page": page,
        "form": form,
        "errors": errors,
        "notice": _notice(page, form, notice or request.args.get("notice", "")),
        "files": page.stored_files(form),
        "expires_in": memory.seconds_left(page.draft),
        "offer_server": offer_server,
    }
    if page.is_final and not page.asks_again:
        answers = page.remembered_answers()
        changes = page.change_links()
        context["summary"] = summary_of(page.flow, answers, page.draft.id, changes)
    return render_template(page.step.template, **context), status


def _notice(page: StepPage, form: Any, name: str) -> str | None:
    """A notice by its name; with none, a new draft's first page says where its memory
    lives (the start page's choice, made with Start)."""
    if page.collection and (went := REMOVED.fullmatch(name)):
        return _removed(page.collection, form, went)
    where = memory.place_labels()[memory.strategy_of(page.draft.id)]
    if name == "memory-moved":
        return (
            f"This draft's memory was moved. Where session memory lives for this draft: "
            f"{where}. What you had typed on this page came with it, not saved yet."
        )
    if name or page.step is not page.flow.first or page.draft.revision:
        return NOTICES.get(name)
    return f"Where session memory lives for this draft: {where} (the start page's setting)."


def _removed(collection: Collection, form: Any, went: re.Match[str]) -> str | None:
    """'Receipt 2 was removed', if the page shown could follow that (an address typed by
    hand, 'removed-99', says nothing)."""
    shown = len(form[collection.name]) if collection.name in form else 0
    number = int(went[2])
    if not 1 <= number <= (shown if went[1] else shown + 1):
        return None
    item = f"{collection.item_heading} {number}"
    if went[1]:
        return f"The file of {item.lower()} was removed. Everything else is as you left it."
    return f"{item} was removed. Everything else you typed is kept."


def _typing_kept(
    page: StepPage, formdata: MultiDict[str, str], received: Received, guarded: bool = False
) -> ResponseReturnValue | None:
    """Keep what the page had typed (not yet checked) in memory; None when kept, else the
    page again saying why not (too large, or another tab wrote the draft at that moment).
    guarded: the write must not follow another tab's (Move memory moves what it writes)."""
    try:
        page.keep_unsaved(formdata)
        memory.save_draft(page.draft, guarded=guarded)
    except BudgetExceededError as e:
        return _refused(page, page.form(formdata), e)
    except DraftChangedError:
        return _changed_elsewhere(page, received)
    return None


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
    """The page again with everything typed, saying (in the flow's words) why memory
    could not keep it."""
    too_large_for_cookie = isinstance(error, TooLargeForCookieError)
    said = page.flow.refusals[type(error)].format(size=error.size, limit=error.limit)
    errors = [("move-to-server" if too_large_for_cookie else "main-content", said)]
    return render_step(page, form, errors=errors, offer_server=too_large_for_cookie)


def _shown_again(
    page: StepPage, form: Any, typed: MultiDict[str, str] | None = None, notice: str | None = None
) -> tuple[str, int]:
    """The page again with its messages. Saved: the page count, and what was typed (not
    answers: memory's answers are unchanged), so Back and coming back show it again; if
    another tab wrote this cookie draft at the same moment, its copy stays whole."""
    if typed is not None:
        with contextlib.suppress(BudgetExceededError):  # too large to keep: shown, not kept
            page.keep_unsaved(typed)
    with contextlib.suppress(DraftChangedError):
        memory.save_draft(page.draft)
    return render_step(page, form, notice=notice)


def _step_to_fix(page: StepPage, form: Any) -> Step:
    """The step that asks for the first invalid answer of a whole-flow form."""
    field_id = error_list(form)[0][0]
    return page.flow.owner_of(page.flow.section_of_field(field_id))


def _go(flow: Flow, draft_id: str, step_: Step, notice: str | None = None) -> Response:
    url = url_for(f"{flow.name}.step", draft_id=draft_id, step_name=step_.name, notice=notice)
    return redirect(url, 303)


def step_after_too_large(message: str, draft_id: str, step_name: str) -> ResponseReturnValue:
    """Show the step again from memory when the page sent was too large to read."""
    if (
        current_flow().step_named(step_name)
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
        return render_template("engine/expired.html", flow=current_flow())
    found = _open(draft_id, step_name)
    if not isinstance(found, StepPage):
        return found
    message = (
        "This page was out of date, so your answers were not saved yet. "
        "Check them and press the button again."
    )
    form = found.form(_posted_formdata(found))  # files of a refused post are not stored
    return render_step(found, form, errors=[("main-content", message)])
