"""Error pages in the site's layout; store failures become a 503 that says what happened.

Under /api/ every error is an RFC 9457 problem document (JSON) instead of a page.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from functools import partial
from types import CodeType
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound, RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.sansio.multipart import MultipartDecoder

from .extensions import db
from .health import RETRY_AFTER_SECONDS
from .memory import DraftExpiredError, StoreUnavailableError, TamperedStateError

log = logging.getLogger(__name__)
TITLES = {
    400: "Something was wrong with that request",
    403: "You cannot see this page",
    404: "Page not found",
    405: "That action is not possible here",
    413: "That was too much to send",
    429: "Too many requests",
    503: "Sorry, the service is unavailable",
}
MESSAGES = {
    404: "There is no page at this address. If you typed it, check it is correct. "
    "A link to an expense report works only in the browser that started it.",
    405: "That action is not possible on this page. Go back and use the buttons on the page.",
    413: "What you sent was larger than this service accepts. Go back and try a smaller file.",
    429: "You started many reports or sent many files in a short time. Wait a minute, then "
    "go back and try again. Your drafts are kept.",
}
# Where a blueprint's pages need other words than the employee's (the approver's pages).
BLUEPRINT_MESSAGES = {
    ("approval", 404): "There is nothing at this address. Open the report from the link in "
    "the email, and its files from the report.",
    ("approval", 429): "This approval link was opened or pressed many times in a short time. "
    "Wait a minute, then open it again: nothing was decided by the refused request.",
}
API_PREFIX = "/api/"
API_MESSAGES = {
    # One 404 for every URL under /api/: a draft of another browser, an expired draft and
    # one that never existed must look alike.
    404: "There is nothing at this address. A draft's memory answers only the browser that "
    "started the draft, and only while the draft is live.",
    405: "This address does not take that method; the Allow header lists the ones it takes.",
    413: "The request body is larger than this service accepts.",
    429: "Too many requests from this client. Wait a minute, then try again.",
}
UNAVAILABLE = {
    StoreUnavailableError: "Session memory cannot be reached just now.",
    # The rate limiter counts in the session store (Redis, or its SQLite file).
    StorageError: "Session memory cannot be reached just now.",
    OperationalError: "The reports database cannot be reached just now.",
}

# What a request cut short by a fault may have left undone, where it is not a submit. It
# may have got part of the way: "may not", so the person tries again to be sure.
NOT_DONE = {
    "delete_draft": "Your draft may not have been deleted.",
    "home.choose_strategy": "Your draft's memory may not have been moved.",
    "home.switch_memory": "Session memory may not have been switched.",
}


def init_app(app: Flask) -> None:
    """Render every HTTP error as a page of the site."""
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _internal_error)
    app.register_error_handler(StoreUnavailableError, _unavailable)
    app.register_error_handler(OperationalError, _unavailable)
    app.register_error_handler(StorageError, _unavailable)
    app.register_error_handler(DraftExpiredError, _draft_expired)
    app.register_error_handler(TamperedStateError, _tampered)


def note_submitted(reference: str, noun: str) -> None:
    """The submission (an expense report, a support request: noun) is committed: from here
    on, a failure of this request must say it was submitted, never that nothing was."""
    g.submitted_reference, g.submitted_noun = reference, noun


def problem(status: int, code: str, detail: str, **extra: Any) -> Response:
    """An RFC 9457 problem document: what API clients get instead of an error page."""
    title = HTTP_STATUS_CODES.get(status, "Error")
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    response = jsonify({**body, "code": code, **extra})
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _for_api() -> bool:
    return request.path.startswith(API_PREFIX)


def _on_a_step() -> bool:
    """Whether the request was for a step page of a flow."""
    from .flows.engine.registry import flows_of

    in_a_flow = request.blueprint in flows_of(current_app)
    return in_a_flow and bool(request.view_args) and (request.endpoint or "").endswith(".step")


def _csrf_failed(error: CSRFError) -> ResponseReturnValue:
    if _for_api():
        hint = "Send the csrf_token of one of this browser's pages in the X-CSRFToken header."
        return problem(400, "csrf_failed", f"{error.description} {hint}")
    if _on_a_step():
        from .flows.engine.views import step_after_csrf_failure

        return _step_again(step_after_csrf_failure)
    return _page(400, "This page was out of date. Go back, reload the page and try again.")


def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    if _for_api():
        return _api_error(error)
    message = too_large_message(error)
    if _on_a_step():
        from .flows.engine.views import step_after_too_large

        return _step_again(partial(step_after_too_large, message))
    return _page(413, f"{message} Go back and try again.")


# Werkzeug refuses a body with the same bare RequestEntityTooLarge for each of its limits;
# only the check that raised it tells them apart. The whole body's size is known from its
# header before anything is read; the form parser checks the other two as it reads.
_RAISED_BY: dict[CodeType, str] = {
    MultipartDecoder.next_event.__code__: "parts",  # one part more than MAX_FORM_PARTS
    MultipartDecoder.receive_data.__code__: "field",  # MAX_FORM_MEMORY_SIZE, in one chunk
    MultiPartParser.parse.__code__: "field",  # MAX_FORM_MEMORY_SIZE, over several chunks
}


def exceeded_limit(error: RequestEntityTooLarge) -> str:
    """Which limit refused the body: "field", "parts" or (the rest) "whole"."""
    traceback = error.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    raised_in = traceback.tb_frame.f_code if traceback else None
    return _RAISED_BY.get(raised_in, "whole") if raised_in else "whole"


def too_large_message(error: RequestEntityTooLarge) -> str:
    """What was too large, truly: the whole body, one field, or the number of parts."""
    from .attachments.checks import human_size

    limit = exceeded_limit(error)
    if limit == "field":
        size = human_size(request.max_form_memory_size or 0)
        return f"One field on this page held more than {size}, so nothing on the page was sent."
    if limit == "parts":
        parts = request.max_form_parts or 0
        return (
            f"This page sent more than {parts:,} fields and files at once, more than this "
            "service reads, so nothing on it was sent."
        )
    size = human_size(request.max_content_length or 0)
    if request.mimetype != "multipart/form-data":  # no files: what was typed is too much
        return f"This page sent more than {size}, so nothing on it was sent."
    return (
        f"The files you chose add up to more than {size}, so nothing on the page was sent. "
        "Choose fewer or smaller files at a time."
    )


def _step_again(show: Callable[..., ResponseReturnValue]) -> ResponseReturnValue:
    """The step again, from an error handler. What stops it (no such step: a 404; a changed
    state; a store fault) gets its own answer as in a view: raised here it would be a 500."""
    try:
        return show(**(request.view_args or {}))
    except (CSRFError, RequestEntityTooLarge) as e:  # the error being handled, once more:
        return _http_error(e)  # its plain page, never its handler again
    except Exception as e:  # handed to its own handler, as a view's would be
        return current_app.handle_user_exception(e)


def _tampered(error: TamperedStateError) -> ResponseReturnValue:
    # Passed-through memory whose signature does not hold: refused, never half-used.
    if _for_api():
        return problem(400, "tampered_state", str(error))
    return _page(400, f"{error} Start a new report, or go back to the page you came from.")


def _draft_expired(error: DraftExpiredError) -> ResponseReturnValue:
    # The draft expired while this request worked on it: the same answer as on arrival.
    if _for_api():
        return _api_error(NotFound())
    from .flows.engine.registry import flows_of

    flows = flows_of(current_app)
    flow = flows.get(request.blueprint or "") or next(iter(flows.values()))
    return render_template("engine/expired.html", flow=flow)


def _http_error(error: HTTPException) -> ResponseReturnValue:
    if _for_api():
        return _api_error(error)
    code = error.code or 500
    said = BLUEPRINT_MESSAGES.get((request.blueprint or "", code)) or MESSAGES.get(code)
    return _page(code, said or error.description or "")


def _api_error(error: HTTPException) -> Response:
    code = error.code or 500
    title = HTTP_STATUS_CODES.get(code, "Error")
    slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    response = problem(code, slug, API_MESSAGES.get(code, error.description or title))
    # Keep what the exception adds (Allow on a 405), but not its HTML content type.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers.add(name, value)
    return response


def _internal_error(error: InternalServerError) -> ResponseReturnValue:
    # Store failures while opening or saving the session arrive here, wrapped.
    original = error.original_exception
    if isinstance(original, StoreUnavailableError | StorageError | OperationalError):
        return _unavailable(original)
    reference = secrets.token_hex(4).upper()
    log.error("Unhandled error %s", reference, exc_info=original)
    if "submitted_reference" in g:
        return _submitted_anyway(500, support_reference=reference)
    if _for_api():
        detail = "Something went wrong on the server. If you contact support, quote the reference."
        return problem(500, "internal_error", detail, reference=reference)
    message = "Nothing you typed was submitted. Please try again."
    page = render_template(
        "error.html",
        code=500,
        title="Sorry, something went wrong",
        message=message,
        reference=reference,
    )
    return page, 500


def _unavailable(error: Exception) -> ResponseReturnValue:
    """503 with Retry-After: fail closed, say nothing was submitted; it recovers by itself."""
    log.error("Service unavailable: %s", error)
    if isinstance(error, OperationalError):
        db.session.rollback()
    what = next(text for kind, text in UNAVAILABLE.items() if isinstance(error, kind))
    endpoint = request.endpoint or ""
    not_done = NOT_DONE.get(endpoint) or NOT_DONE.get(endpoint.rpartition(".")[2], "")
    not_done = not_done or "Nothing was submitted."
    message = f"{what} {not_done} Please try again in a minute."
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if "submitted_reference" in g:
        page, code = _submitted_anyway(503)
        return page, code, retry
    if _for_api():
        return problem(503, "unavailable", message), retry
    page, code = _page(503, message)
    return page, code, retry


def _submitted_anyway(code: int, support_reference: str | None = None) -> tuple[str, int]:
    """A failure after the submission was committed (tidying up memory, saving the browser
    session): the submission stands, and the page says so in its flow's words."""
    noun = g.submitted_noun
    message = (
        f"Your {noun} {g.submitted_reference} is stored, but this browser's session memory "
        "could not be updated just now, so it may still show the draft. Submitting it again "
        f"makes no second {noun.rsplit(' ', 1)[-1]}."
    )
    title = f"Your {noun} was submitted"
    page = render_template(
        "error.html", code=code, title=title, message=message, reference=support_reference
    )
    return page, code


def _page(code: int, message: str) -> tuple[str, int]:
    title = TITLES.get(code, "Something went wrong")
    return render_template("error.html", code=code, title=title, message=message), code
