"""SessionState over HTTP (JSON): the contract through the Flask test client, then
Schemathesis against the API's OpenAPI description."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from flask import Flask, abort
from flask.testing import FlaskClient
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from werkzeug.test import TestResponse

from app.flows.engine.views import flows_of
from app.memory import StoreUnavailableError
from tests.clock import IDLE_TIMEOUT, MINUTE, MovableClock
from tests.helpers import Wizard, employee_form

pytestmark = pytest.mark.demo  # the demonstration layer's own pages

NOT_FOUND = {
    "type": "about:blank",
    "title": "Not Found",
    "status": 404,
    "code": "not_found",
    "detail": "There is nothing at this address. A draft's memory answers only the browser "
    "that started the draft, and only while the draft is live.",
}


class StateApi:
    """One browser's requests to one draft's memory."""

    def __init__(self, wizard: Wizard, draft_id: str | None = None) -> None:
        self.wizard = wizard
        self.client = wizard.client
        self.base = f"/api/drafts/{draft_id or wizard.draft_id}/state"

    def url(self, key: str) -> str:
        return f"{self.base}/{key}"

    def listing(self) -> TestResponse:
        return self.client.get(self.base)

    def get(self, key: str, **query: str) -> TestResponse:
        return self.client.get(self.url(key), query_string=query)

    def head(self, key: str) -> TestResponse:
        return self.client.head(self.url(key))

    def put(self, key: str, body: str | bytes, content_type: str, **headers: str) -> TestResponse:
        headers = {"X-CSRFToken": self.wizard.token(), **headers}
        headers["Content-Type"] = content_type
        return self.client.put(self.url(key), data=body, headers=headers)

    def put_text(self, key: str, text: str) -> TestResponse:
        return self.put(key, text, "text/plain")

    def put_json(self, key: str, value: Any) -> TestResponse:
        return self.put(key, json.dumps(value), "application/json")

    def delete(self, key: str, **headers: str) -> TestResponse:
        headers = {"X-CSRFToken": self.wizard.token(), **headers}
        return self.client.delete(self.url(key), headers=headers)


@pytest.fixture
def owner(wizard: Wizard) -> Wizard:
    """A browser with a draft whose step 1 is done."""
    wizard.start()
    assert wizard.fill_employee().status_code == 303
    return wizard


@pytest.fixture
def api(owner: Wizard) -> StateApi:
    return StateApi(owner)


@pytest.fixture
def stranger(app: Flask) -> Wizard:
    """Another browser, with a session (and a CSRF token) of its own."""
    other = Wizard(app.test_client())
    other.token()
    return other


def problem_of(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    """The response's problem document, checked to be one with this status and code."""
    assert response.status_code == status, response.text
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    assert (body["status"], body["code"]) == (status, code) and body["detail"]
    return body


# --- every verb -------------------------------------------------------------------------------


def test_the_listing_shows_keys_types_sizes_and_writers(api: StateApi) -> None:
    api.put_text("visits", "3")
    listing = api.listing()
    assert listing.status_code == 200 and listing.mimetype == "application/json"
    keys = {info["key"]: info for info in listing.json["keys"]}  # type: ignore[index]
    assert set(keys) == {"employee", "visits"}
    assert (keys["visits"]["type"], keys["visits"]["size"], keys["visits"]["written_by"]) == (
        "number",
        1,
        "api",
    )
    assert keys["employee"]["written_by"] == "employee"
    assert listing.json["memory_on"] is True and listing.json["budget"] == 16 * 1024  # type: ignore[index]


def test_get_answers_a_value_and_its_type(api: StateApi) -> None:
    response = api.get("employee")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == {
        "key": "employee",
        "type": "object",
        "value": {k.removeprefix("employee-"): v for k, v in employee_form().items()},
    }
    problem_of(api.get("missing"), 404, "no_such_key")


@pytest.mark.parametrize(
    ("text", "stored", "type_name"),
    [
        ("30", 30, "number"),
        ("2.5", 2.5, "number"),
        ("-4", -4, "number"),
        ("00123", "00123", "string"),
        ("12.50", "12.50", "string"),
        ("1e3", "1e3", "string"),
        (" 7", " 7", "string"),
        ("true", True, "boolean"),
        ("false", False, "boolean"),
        ("[1,2]", [1, 2], "array"),
        ('{"a": [1, "b"]}', {"a": [1, "b"]}, "object"),
        ("[1,", "[1,", "string"),
        ("null", "null", "string"),
        ("Client visit", "Client visit", "string"),
        ("", "", "string"),
        ("Zürich ☕", "Zürich ☕", "string"),
    ],
)
def test_text_plain_goes_through_type_detection(
    api: StateApi, text: str, stored: Any, type_name: str
) -> None:
    expected = {"key": "value", "value": stored, "type": type_name}
    response = api.put_text("value", text)
    assert (response.status_code, response.json) == (200, expected)
    assert api.get("value").json == expected
    assert type(api.get("value").json["value"]) is type(stored)  # type: ignore[index]


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        ("30", "string"),
        ("true", "string"),
        ("[1]", "string"),
        (30, "number"),
        (2.5, "number"),
        (None, "null"),
        (False, "boolean"),
        ([1, "two", None], "array"),
        ({"nested": {"deep": [True]}}, "object"),
    ],
)
def test_a_json_body_is_stored_as_it_is(api: StateApi, value: Any, type_name: str) -> None:
    response = api.put_json("value", value)
    assert (response.status_code, response.json["type"]) == (200, type_name)  # type: ignore[index]
    assert api.get("value").json == {"key": "value", "value": value, "type": type_name}


@pytest.mark.parametrize(
    ("stored", "item", "answer"),
    [
        ("Berlin conference", "conference", True),
        ("Berlin conference", "Paris", False),
        ("Room 30", "30", True),
        ([1, 2], "2", True),  # the item as the value its text spells
        ([1, 2], "3", False),
        (["30", "b"], "30", True),  # or as the text itself
        ([{"a": 1}], '{"a": 1}', True),
        ({"Meals": 1, "Travel": 2}, "Travel", True),
        ({"Meals": 1}, "1", False),  # objects: keys, not values
        (30, "3", False),
        (True, "true", False),
    ],
)
def test_contains_by_type(api: StateApi, stored: Any, item: str, answer: bool) -> None:
    assert api.put_json("value", stored).status_code == 200
    response = api.get("value", contains=item)
    assert response.status_code == 200
    assert response.json == {"key": "value", "item": item, "contains": answer}


def test_contains_is_false_for_a_missing_key(api: StateApi) -> None:
    response = api.get("missing", contains="x")
    assert response.json == {"key": "missing", "item": "x", "contains": False}


def test_head_says_whether_memory_has_a_key(api: StateApi) -> None:
    api.put_json("nothing", None)
    for key, status in (("employee", 200), ("nothing", 200), ("missing", 404)):
        response = api.head(key)
        assert (response.status_code, response.data) == (status, b"")


def test_delete_forgets_a_key_and_is_quiet_about_a_missing_one(api: StateApi) -> None:
    api.put_text("note", "hello")
    for _ in range(2):
        response = api.delete("note")
        assert (response.status_code, response.data) == (204, b"")
    assert api.head("note").status_code == 404


@pytest.mark.parametrize("key", ["a/b", "a//b", "/leading", "trailing/", " spaced ", "é?#&%"])
def test_any_key_text_works_in_the_path_percent_encoded(api: StateApi, key: str) -> None:
    encoded = quote(key, safe="")
    assert api.put_text(encoded, "1").json == {"key": key, "value": 1, "type": "number"}
    assert api.get(encoded).json["key"] == key  # type: ignore[index]
    assert api.delete(encoded).status_code == 204 and api.head(encoded).status_code == 404


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "k" * 129])
def test_a_bad_key_is_a_400_for_every_verb(api: StateApi, key: str) -> None:
    problem_of(api.get(key), 400, "bad_key")
    problem_of(api.get(key, contains="x"), 400, "bad_key")
    problem_of(api.put_text(key, "1"), 400, "bad_key")
    problem_of(api.delete(key), 400, "bad_key")
    assert api.head(key).status_code == 400


def test_text_too_deeply_nested_to_be_a_value_stays_text(api: StateApi) -> None:
    deep = "[" * 5000 + "]" * 5000
    stored = api.put_text("deep", deep)
    assert stored.status_code == 200 and stored.json["type"] == "string"


def test_a_key_of_128_characters_is_fine(api: StateApi) -> None:
    assert api.put_text("k" * 128, "1").status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("", "application/json"),
        ("NaN", "application/json"),
        ('"\\ud800"', "application/json"),  # a lone surrogate: JSON allows it, UTF-8 does not
        ("1" * 5000, "application/json"),  # beyond Python's digit limit
        (str(2**63), "application/json"),  # beyond what msgpack (and so Redis) carries
        ("[1e300]", "application/json"),  # numbers: one range, floats too
        ("[1e999]", "application/json"),  # Python reads it as infinity
        ("[" * 33 + "]" * 33, "application/json"),
        ("[" * 5000 + "]" * 5000, "application/json"),
        (b"\xff\xfe", "text/plain"),
    ],
)
def test_a_bad_value_is_a_400_and_nothing_is_stored(
    api: StateApi, body: str | bytes, content_type: str
) -> None:
    problem_of(api.put("value", body, content_type), 400, "bad_value")
    assert api.head("value").status_code == 404


def test_nesting_up_to_32_levels_and_numbers_up_to_2_to_the_63_are_fine(api: StateApi) -> None:
    assert api.put_text("value", "[" * 32 + "]" * 32).status_code == 200
    for number in (2**63 - 1, -(2**63 - 1), 1.5e18):
        assert api.put_json("value", number).json["value"] == number  # type: ignore[index]


@pytest.mark.parametrize(
    "content_type",
    ["application/xml", "application/x-www-form-urlencoded", "multipart/form-data", ""],
)
def test_other_content_types_are_a_415(api: StateApi, content_type: str) -> None:
    problem_of(api.put("value", "1", content_type), 415, "unsupported_media_type")


def test_a_write_over_the_budget_is_a_422_and_nothing_is_stored(api: StateApi) -> None:
    assert api.put_text("big", "x" * 15_000).status_code == 200
    body = problem_of(api.put_text("more", "y" * 2_000), 422, "budget_exceeded")
    assert "the limit is 16,384 bytes" in body["detail"]
    assert api.head("more").status_code == 404
    assert api.delete("big").status_code == 204
    assert api.put_text("more", "y" * 2_000).status_code == 200


def test_a_body_larger_than_the_whole_budget_is_a_413(api: StateApi) -> None:
    problem_of(api.put_text("big", "x" * (16 * 1024 + 1)), 413, "request_entity_too_large")


@pytest.mark.parametrize("token", [None, "forged"])
def test_put_and_delete_need_the_csrf_token_in_a_header(api: StateApi, token: str | None) -> None:
    headers = {"X-CSRFToken": token} if token else {}
    api.put_text("kept", "1")
    for response in (
        api.client.put(api.url("new"), data="1", content_type="text/plain", headers=headers),
        api.client.delete(api.url("kept"), headers=headers),
    ):
        body = problem_of(response, 400, "csrf_failed")
        assert "X-CSRFToken" in body["detail"]
    assert api.head("new").status_code == 404 and api.head("kept").status_code == 200


@pytest.fixture
def flow_api(app: Flask, driver: type[Wizard]) -> StateApi:
    """A draft of each flow in turn, its step 1 done."""
    wizard = driver(app.test_client())
    wizard.start()
    assert wizard.fill(wizard.steps[0]).status_code == 303
    return StateApi(wizard)


def wizard_keys(app: Flask, wizard: Wizard) -> list[str]:
    """The keys a flow's pages write: its sections', and the input Add and Remove keep."""
    flow = flows_of(app)[wizard.flow_name]
    return [s.key for s in flow.sections if s.key] + [f"unsaved:{wizard.items_step}"]


def test_keys_the_wizard_writes_are_refused_with_a_409(app: Flask, flow_api: StateApi) -> None:
    first = flow_api.wizard.steps[0]
    before = flow_api.get(first).json
    keys = wizard_keys(app, flow_api.wizard)
    assert len(keys) >= 5 and first in keys
    for key in keys:
        body = problem_of(flow_api.put_json(key, {"any": "shape"}), 409, "written_by_wizard")
        assert "DELETE is allowed" in body["detail"], key
    assert flow_api.get(first).json == before


def test_deleting_a_wizard_key_makes_its_page_ask_again(flow_api: StateApi) -> None:
    wizard = flow_api.wizard
    first, field = wizard.text_field
    typed = wizard.page_data(first)[field]
    assert f'value="{typed}"' in wizard.get(first).text
    assert flow_api.delete(first).status_code == 204
    assert f'value="{typed}"' not in wizard.get(first).text
    guarded = wizard.get(wizard.steps[1])
    assert guarded.status_code == 303 and f"/{first}" in guarded.location


# --- privacy, lifetimes, memory off -----------------------------------------------------------


def test_another_browser_gets_the_same_404_as_for_a_draft_that_does_not_exist(
    api: StateApi, stranger: Wizard
) -> None:
    real = StateApi(stranger, api.wizard.draft_id)
    made_up = StateApi(stranger, "A" * 22)
    for own in (real, made_up, StateApi(api.wizard, "A" * 22)):
        for response in (
            own.listing(),
            own.get("employee"),
            own.get("employee", contains="full_name"),
            own.put_text("x", "1"),
            own.delete("employee"),
        ):
            assert problem_of(response, 404, "not_found") == NOT_FOUND
            assert "Set-Cookie" not in response.headers
        assert own.head("employee").status_code == 404
    assert api.head("employee").status_code == 200 and api.head("x").status_code == 404


def test_an_expired_or_submitted_draft_gets_the_same_404(app: Flask, api: StateApi) -> None:
    app.extensions["session_memory"].drafts.delete(api.wizard.draft_id)
    for response in (api.listing(), api.get("employee"), api.put_text("x", "1")):
        assert problem_of(response, 404, "not_found") == NOT_FOUND


def test_api_use_slides_the_idle_timeout_like_a_page(api: StateApi, clock: MovableClock) -> None:
    for _ in range(3):  # 87 minutes in all: long expired without the requests
        clock.sleep(IDLE_TIMEOUT - MINUTE)
        assert api.head("employee").status_code == 200
    assert 'value="Ada Lovelace"' in api.wizard.get("employee").text


def test_with_memory_off_the_api_says_memory_is_empty_and_refuses_writes(api: StateApi) -> None:
    api.put_text("kept", "1")
    api.wizard.switch_memory(on=False)
    listing = api.listing().json
    assert listing["memory_on"] is False and listing["keys"] == []  # type: ignore[index]
    assert listing["total_size"] == 0  # type: ignore[index]
    problem_of(api.get("employee"), 404, "no_such_key")
    assert api.head("employee").status_code == 404
    assert api.get("kept", contains="1").json["contains"] is False  # type: ignore[index]
    body = problem_of(api.put_text("kept", "2"), 409, "memory_off")
    assert "Session memory is off" in body["detail"]
    problem_of(api.put_json("kept", float("inf")), 400, "bad_value")  # as the Python API
    assert api.delete("kept").status_code == 204
    api.wizard.switch_memory(on=True)
    assert api.listing().json["keys"] == []  # type: ignore[index]


# --- the wizard after API writes ----------------------------------------------------------------


def walk_every_step(wizard: Wizard) -> list[int]:
    """GET and submit every step page (valid answers); return every status seen."""
    statuses = [wizard.get(step).status_code for step in wizard.steps]
    statuses += [wizard.fill(step).status_code for step in wizard.steps[:-1]]
    statuses += [wizard.get(step).status_code for step in wizard.steps]
    statuses.append(wizard.submit().status_code)
    return statuses


def test_the_wizard_never_fails_after_api_writes(app: Flask, driver: type[Wizard]) -> None:
    """Whichever key of its own is deleted (or none), after a script's refused and
    accepted writes: every page answers, and the draft is submitted."""
    for deleted in (None, *wizard_keys(app, driver(app.test_client()))):
        wizard = driver(app.test_client())
        wizard.to_review()
        api = StateApi(wizard)
        for key in wizard_keys(app, wizard):
            api.put_json(key, ["not", "the", "shape"])  # refused, as a tampering script would be
        for key, value in {"receipts ": [1], "unsaved": "x", "notes": {"a": None}}.items():
            assert api.put_json(key, value).status_code == 200
        if deleted:
            assert api.delete(deleted).status_code == 204
        statuses = walk_every_step(wizard)
        assert all(status < 500 for status in statuses), (deleted, statuses)
        assert statuses[-1] == 303, deleted  # submitted


def test_a_budget_filled_through_the_api_is_told_on_the_page(
    app: Flask, flow_api: StateApi
) -> None:
    used = flow_api.listing().json["total_size"]  # type: ignore[index]
    room = app.config["WIZARD_MEMORY_BUDGET"] - used
    assert flow_api.put_text("filler", "x" * (room - 40)).status_code == 200  # ~30 bytes left
    wizard = flow_api.wizard
    page = wizard.fill(wizard.steps[1])
    assert page.status_code == 200 and "too large to keep in session memory" in page.text


# --- every error under /api/ is JSON ---------------------------------------------------------


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    """The app with routes that fail in each way, under /api/ and outside it."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a real 500, as in production

    def store_down() -> str:
        raise StoreUnavailableError("Session memory cannot be reached.")

    def crash() -> str:
        raise RuntimeError("a bug")

    for prefix in ("/api/test", "/test"):
        app.add_url_rule(f"{prefix}/429", f"{prefix}429", lambda: abort(429))
        app.add_url_rule(f"{prefix}/503", f"{prefix}503", store_down)
        app.add_url_rule(f"{prefix}/500", f"{prefix}500", crash)
    return app


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/nothing/here", 404),
        ("POST", "/api/drafts/x/state/key", 405),
        ("PATCH", "/api/drafts/x/state", 405),
        ("GET", "/api/test/429", 429),
        ("GET", "/api/test/500", 500),
        ("GET", "/api/test/503", 503),
    ],
)
def test_every_error_under_api_is_a_problem_document(
    failing_app: Flask, method: str, path: str, status: int
) -> None:
    response = failing_app.test_client().open(path, method=method)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert response.json["status"] == status and response.json["detail"]  # type: ignore[index]
    assert "<html" not in response.text
    if status == 405:
        assert "GET" in response.headers["Allow"]
    if status == 500:
        assert response.json["reference"]  # type: ignore[index]
    if status == 503:
        assert response.headers["Retry-After"].isdigit()


@pytest.mark.parametrize("status", [429, 500, 503])
def test_the_same_errors_outside_api_are_still_pages(failing_app: Flask, status: int) -> None:
    response = failing_app.test_client().get(f"/test/{status}")
    assert response.status_code == status and response.mimetype == "text/html"
    assert response.text.startswith("<!doctype html>")


def test_a_request_too_large_for_the_app_is_a_problem_document(app: Flask, api: StateApi) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    response = api.put_text("value", "x" * 100)
    problem_of(response, 413, "request_entity_too_large")


def test_the_openapi_description_is_served(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json["openapi"].startswith("3.1")
    paths = response.json["paths"]
    assert set(paths["/api/drafts/{draft_id}/state/{key}"]) >= {"get", "head", "put", "delete"}


# --- Schemathesis: the API keeps to its OpenAPI description ------------------------------------
# Its engine (what `schemathesis run` drives): the examples, coverage and fuzzing phases, every
# check. Its pytest plugin (schemathesis.pytest.from_fixture) does not run on pytest 9.2.

CHECKS = {
    # Valid data may still not fit: the draft's budget (422) or the body limit (413).
    "positive_data_acceptance": {"expected-statuses": ["2xx", "404", "409", "413", "422"]},
}


def as_browser(app: Flask, wizard: Wizard) -> None:
    """Send every request to app with the wizard's session cookie, as its browser would."""
    cookie = wizard.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    inner = app.wsgi_app

    def with_cookie(environ: dict[str, Any], start_response: Any) -> Any:
        environ["HTTP_COOKIE"] = f"{cookie.key}={cookie.value}"
        return inner(environ, start_response)

    app.wsgi_app = with_cookie  # type: ignore[method-assign]


def findings(stream: Any) -> tuple[list[str], Counter[str]]:
    """Every failed check and engine error of a run, and how often each method got each status."""
    found: list[str] = []
    statuses: Counter[str] = Counter()
    for event in stream:
        if isinstance(event, events.NonFatalError | events.FatalError):
            found.append(f"error: {event}")
        recorder = getattr(event, "recorder", None)
        if recorder is None:
            continue
        for case_id, checks in recorder.checks.items():
            found += [described(recorder.interactions.get(case_id), c) for c in checks]
        for interaction in recorder.interactions.values():
            response = interaction.response
            statuses[f"{interaction.request.method} {response and response.status_code}"] += 1
    return [finding for finding in found if finding], statuses


def described(interaction: Any, check: Any) -> str:
    """A failed check as request, status and what failed; empty for a check that passed."""
    if check.failure_info is None:
        return ""
    request, response = interaction.request, interaction.response
    failure = check.failure_info.failure
    status = response and response.status_code
    return f"{request.method} {request.uri} -> {status}: {failure.title}: {failure.message}"


def test_schemathesis_finds_no_server_error_and_nothing_off_the_description(
    app: Flask, owner: Wizard
) -> None:
    as_browser(app, owner)
    config = SchemathesisConfig.from_dict(
        {
            "parameters": {"draft_id": owner.draft_id, "X-CSRFToken": owner.token()},
            "generation": {"max-examples": 40},
            "checks": CHECKS,
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)
    found, statuses = findings(schemathesis.engine.from_schema(schema).execute())
    assert not found, "\n\n".join(found)
    assert not any(status.endswith(" 500") for status in statuses), statuses
    # It reached the draft, as its owner: values were stored, read and deleted.
    assert min(statuses["PUT 200"], statuses["GET 200"], statuses["DELETE 204"]) > 10, statuses


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "WIZARD_API_WRITE_RATE": "3 per minute"}]
)
def test_writes_over_the_limit_get_a_429_problem_and_store_nothing(api: StateApi) -> None:
    assert [api.put_json(f"note{n}", n).status_code for n in range(2)] == [200, 200]
    assert api.delete("note0").status_code == 204
    refused = api.put_json("note9", 9)
    problem_of(refused, 429, "too_many_requests")
    assert int(refused.headers["Retry-After"]) > 0
    assert api.head("note9").status_code == 404  # nothing was stored
    assert api.get("note1").json["value"] == 1  # reads are not limited
