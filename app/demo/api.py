"""SessionState over HTTP (JSON), for the browser that owns the draft (SPEC §6).

Described in openapi.json, served at /api/openapi.json. Errors are RFC 9457 problem
documents (app/errors.py). The decisions, each for a reason:

- A draft of another browser, an expired one and one that never existed get the same 404,
  decided from this browser's session before any draft is looked up: nobody learns whether
  another browser's draft exists.
- PUT to a key the wizard's pages write (their answers, and the "unsaved:" input kept while
  receipts are added or removed) is refused with 409: another shape there would break the
  page that reads it. DELETE is allowed; the page then asks again.
- With memory off the state reads as empty (it is), and PUT is refused with 409.
- A value the draft's budget has no room for: 422 (the request is fine; the draft is full).
  A body larger than the whole budget can never fit: 413, refused unread.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from werkzeug.routing import PathConverter

from .. import memory
from ..errors import problem
from ..extensions import limiter
from ..flows.engine.registry import flows_of
from ..memory import Draft, DraftChangedError, Memory
from ..memory.state import (
    JSON,
    BadKeyError,
    BadValueError,
    BudgetExceededError,
    SessionStateError,
    check_key,
    detect_type,
    type_name,
)

bp = Blueprint("api", __name__, url_prefix="/api")
OPENAPI = Path(__file__).with_name("openapi.json")
KEY_URL = "/drafts/<draft_id>/state/<memory_key:key>"
UNSAVED_PREFIX = "unsaved:"
MAX_NESTING = 32  # deeper values would only be there to exhaust the parser and the encoders
MAX_NUMBER = 2**63 - 1  # what msgpack (and so Redis) carries; floats too, for one simple rule
TOO_DEEP = f"Arrays and objects may nest at most {MAX_NESTING} levels deep."
TOO_BIG = f"Numbers must be finite and between -{MAX_NUMBER} and {MAX_NUMBER}."
STATE_ERRORS: dict[type[SessionStateError], tuple[int, str]] = {
    BadKeyError: (400, "bad_key"),
    BadValueError: (400, "bad_value"),
    BudgetExceededError: (422, "budget_exceeded"),
}
MEMORY_OFF = (
    "Session memory is off in this browser, so nothing can be stored. Turn session memory "
    "on (the button at the top of every page) to store values."
)
MEDIA_TYPES = (
    "Send the value as application/json (stored as it is) or as text/plain "
    "(UTF-8 text, stored through type detection)."
)


class RefusedError(Exception):
    """A request the API answers with a problem document."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class MemoryKeyConverter(PathConverter):
    """Any key text, slashes and the empty key included: a bad key gets a 400 that says why,
    not a 404 (the empty key is .../state/)."""

    regex = "(?s:.*)"  # newlines too
    part_isolating = False  # else werkzeug sets it: the regex has no "/"


def _register_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["memory_key"] = MemoryKeyConverter


bp.record_once(_register_converter)  # before the routes below: they need the converter


@bp.errorhandler(RefusedError)
def _refused(error: RefusedError) -> Response:
    return problem(error.status, error.code, error.detail)


@bp.errorhandler(DraftChangedError)
def _changed_elsewhere(error: DraftChangedError) -> Response:
    detail = "Another request wrote this draft at the same moment; nothing was stored. Try again."
    return problem(409, "changed_elsewhere", detail)


@bp.errorhandler(SessionStateError)
def _refused_by_memory(error: SessionStateError) -> Response:
    status, code = STATE_ERRORS.get(type(error), (400, "bad_request"))
    return problem(status, code, str(error))


def _write_rate() -> str:
    return str(current_app.config["WIZARD_API_WRITE_RATE"])


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return Response(_openapi_document(), mimetype="application/json")


@bp.get("/drafts/<draft_id>/state")
def memory_json(draft_id: str) -> dict[str, Any]:
    """The draft's memory as the inspector sees it: keys, types, sizes, writers; no values."""
    draft = _owned_draft(draft_id, "inspector")
    return {
        "draft": draft.id,
        "memory_on": draft.memory.carries_forward,
        "budget": memory.drafts().budget,
        "total_size": draft.memory.total_size(),
        "keys": [asdict(info) for info in draft.memory.list_keys()],
    }


@bp.route(KEY_URL, methods=["GET"], merge_slashes=False)  # Flask answers HEAD from it: has
def read_key(draft_id: str, key: str) -> ResponseReturnValue:
    """The value of key and its type; with ?contains=<item>, whether it contains item."""
    state = _owned_draft(draft_id, "api").memory
    item = request.args.get("contains")
    if item is not None:
        return {"key": key, "item": item, "contains": _contains(state, key, item)}
    if not state.has(key):
        raise RefusedError(404, "no_such_key", f"This draft's memory has no key {json.dumps(key)}.")
    return _described(key, state.get(key))


@bp.route(KEY_URL, methods=["PUT"], merge_slashes=False)
@limiter.shared_limit(_write_rate, scope="api-writes")
def write_key(draft_id: str, key: str) -> ResponseReturnValue:
    """Store the body under key: JSON as it is, text/plain through type detection."""
    draft = _owned_draft(draft_id, "api")
    _refuse_wizard_key(check_key(key))
    value = _posted_value(memory.drafts().budget)
    try:
        draft.memory.set(key, value, detect_types=False)  # text was type-detected already
    except UnicodeEncodeError as e:  # JSON allows lone surrogates ("\ud800"); UTF-8 does not
        raise BadValueError("A memory value must be valid Unicode text.") from e
    if not draft.memory.carries_forward:
        raise RefusedError(409, "memory_off", MEMORY_OFF)
    memory.save_draft(draft)
    return _described(key, draft.memory.get(key))


@bp.route(KEY_URL, methods=["DELETE"], merge_slashes=False)
@limiter.shared_limit(_write_rate, scope="api-writes")
def delete_key(draft_id: str, key: str) -> ResponseReturnValue:
    """Forget key; no error if it is absent (the wizard asks again for its own keys)."""
    draft = _owned_draft(draft_id, "api")
    draft.memory.delete(key)
    memory.save_draft(draft)
    return "", 204


def _owned_draft(draft_id: str, writer: str) -> Draft:
    """This browser's live draft, its idle timeout slid as by a page; else the one 404."""
    draft = memory.open_draft(draft_id, writer) if memory.owns(draft_id) else None
    if draft is None:
        abort(404)
    return draft


def _described(key: str, value: JSON) -> dict[str, Any]:
    return {"key": key, "value": value, "type": type_name(value)}


def _contains(state: Memory, key: str, item: str) -> bool:
    """contains() for an item sent as text: text for strings and object keys; an array also
    matches the value the text spells, as text/plain would store it (?contains=2 in [1, 2])."""
    if state.contains(key, item):
        return True
    return isinstance(state.get(key), list) and state.contains(key, _detected(item))


def _flow_keys() -> dict[str, str]:
    """The title of the page whose answers each key holds, in every flow served (the key
    "unsaved:<step>" is a step's input kept by Add or Remove)."""
    flows = flows_of(current_app).values()
    return {s.key: f.owner_of(s).title for f in flows for s in f.sections if s.key}


def _refuse_wizard_key(key: str) -> None:
    page = "the step" if key.startswith(UNSAVED_PREFIX) else _flow_keys().get(key)
    if page:
        raise RefusedError(
            409,
            "written_by_wizard",
            f"The key {json.dumps(key)} is written by the wizard's {page} page, in the shape "
            "that page reads; change it there. DELETE is allowed: the page then asks again.",
        )


def _posted_value(limit: int) -> object:
    """The body as the value to store: JSON parsed, text/plain type-detected."""
    if request.is_json:
        value = _parsed(_body(limit))
    elif request.mimetype == "text/plain":
        value = _detected(_utf8(_body(limit)))
    else:
        raise RefusedError(415, "unsupported_media_type", MEDIA_TYPES)
    _check_storable(value)
    return value


def _body(limit: int) -> bytes:
    """The request body; a body larger than limit can never fit, so it is refused unread."""
    data: bytes = request.stream.read(limit + 1)
    if len(data) > limit:
        abort(413)
    return data


def _parsed(data: bytes) -> object:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as e:
        raise BadValueError("The body is not a JSON value (application/json).") from e


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadValueError("A text/plain body must be UTF-8 text.") from e


def _detected(text: str) -> JSON:
    try:
        return detect_type(text)
    except RecursionError as e:  # a literal nested thousands deep
        raise BadValueError(TOO_DEEP) from e


def _check_storable(value: object) -> None:
    """Refuse what JSON allows but memory cannot keep; walked without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth > MAX_NESTING:
                raise BadValueError(TOO_DEEP)
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, int | float) and not -MAX_NUMBER <= item <= MAX_NUMBER:
            raise BadValueError(TOO_BIG)  # NaN too: it compares false


@cache
def _openapi_document() -> bytes:
    return OPENAPI.read_bytes()
