"""The layer that shows, in a POST's answer, the page its redirect names (memory passed
through the form) keeps its internal header inside the app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.test import Client

from app.memory.forwarding import FORWARD_HEADER, MAX_FORWARDS, PassedStateForwarder


def test_a_redirect_that_keeps_asking_to_be_forwarded_stops_without_leaking_the_state() -> None:
    calls: list[str] = []

    def always_forward(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        calls.append(environ["REQUEST_METHOD"])
        start_response(
            "303 See Other", [("Location", "/report/f.x/receipts"), (FORWARD_HEADER, "state")]
        )
        return [b""]

    response = Client(PassedStateForwarder(always_forward)).post("/report/f.x/employee")
    assert len(calls) == MAX_FORWARDS  # a loop is cut off
    assert response.status_code == 303
    assert FORWARD_HEADER not in response.headers
