"""Passed-through memory and the redirect after a POST.

The wizard answers every POST with a redirect to the next page (PRG). Memory passed
through the form cannot follow a redirect: the browser's GET carries no form, and the
state must not go into the URL (it holds personal data). So, for such a draft, the app
shows the page the redirect names in the POST's own response: the view still redirects;
this WSGI layer fetches the target inside the app, handing the new state to it, and
sends that page instead, with the POST's cookies.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Response, g, request
from werkzeug.http import parse_cookie

from .client_store import FORM_FIELD, OWNER_MARK, FormStore
from .extension import bound

FORWARD_HEADER = "X-Expense-Wizard-Forward-State"  # internal: never leaves the app
MAX_FORWARDS = 3  # a page may itself send on once or twice (the journey guard)
# The shape of a passed state: the draft's key, the mark, its signed memory (itsdangerous:
# base64 text, a ttl and dots). What a client posts goes into a header only in this shape:
# a line break in a header value makes Werkzeug raise, and would split the header anyway.
PASSED_STATE = re.compile(r"draft:[A-Za-z0-9._-]{1,64}![A-Za-z0-9._:=-]+", re.ASCII)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def mark_forward(response: Response) -> Response:
    """After a request that passed state on, mark a redirect that must become its page."""
    if response.status_code not in (302, 303):
        return response
    if "passed_state_key" in g:
        state, key = g.passed_state, g.passed_state_key
    else:  # the request left its draft's memory alone (the memory switch): it goes on as it came
        state = request.form.get(FORM_FIELD)
        key = (state or "").partition(OWNER_MARK)[0]
    if state and PASSED_STATE.fullmatch(state) and _takes_state(key, response.location):
        response.headers[FORWARD_HEADER] = state
    return response


def _takes_state(key: str, location: str) -> bool:
    """Whether the redirect leads to a page of the draft that takes its passed memory."""
    pages_of = bound().pages_of
    return bool(pages_of and pages_of(key.removeprefix("draft:"), urlsplit(location).path))


class PassedStateForwarder:
    """Replace a marked redirect by the page it names, fetched inside the app."""

    def __init__(self, wsgi_app: WSGIApp) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        cookies: list[tuple[str, str]] = []
        for _ in range(MAX_FORWARDS):
            status, headers, body = _run(self.wsgi_app, environ)
            state = _header(headers, FORWARD_HEADER)
            if state is None:
                break
            cookies += [(k, v) for k, v in headers if k.lower() == "set-cookie"]
            environ = _get_environ(environ, _header(headers, "Location") or "/", cookies, state)
        internal = FORWARD_HEADER.lower()  # never leaves the app, even after the last forward
        start_response(status, cookies + [h for h in headers if h[0].lower() != internal])
        return body


def _run(
    wsgi_app: WSGIApp, environ: dict[str, Any]
) -> tuple[str, list[tuple[str, str]], list[bytes]]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer.update(status=status, headers=headers)
        return lambda data: None

    iterable = wsgi_app(environ, start_response)
    try:
        body = list(iterable)  # a page or a redirect: small, read whole
    finally:
        if hasattr(iterable, "close"):
            iterable.close()
    return answer["status"], answer["headers"], body


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name.lower()), None)


def _get_environ(
    post: dict[str, Any], location: str, set_cookies: list[tuple[str, str]], state: str
) -> dict[str, Any]:
    """The environ of a GET of location by the same browser, with the cookies just set."""
    target = urlsplit(location)
    environ = {
        **post,
        "REQUEST_METHOD": "GET",
        "PATH_INFO": target.path,
        "QUERY_STRING": target.query,
        "CONTENT_TYPE": "",
        "CONTENT_LENGTH": "0",
        "wsgi.input": io.BytesIO(b""),
        "HTTP_COOKIE": _cookies_after(post.get("HTTP_COOKIE", ""), set_cookies),
        FormStore.environ_key: state,
    }
    environ.pop("werkzeug.request", None)
    return environ


def _cookies_after(cookie_header: str, set_cookies: list[tuple[str, str]]) -> str:
    jar = dict(parse_cookie(cookie_header))
    for _, header in set_cookies:
        name, _, rest = header.partition("=")
        value, _, attributes = rest.partition(";")
        if "max-age=0" in attributes.lower() or "expires=thu, 01 jan 1970" in attributes.lower():
            jar.pop(name, None)
        else:
            jar[name] = value
    return "; ".join(f"{name}={value}" for name, value in jar.items())
