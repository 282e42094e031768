"""Locust users for bench/load_bench.py: each walks the whole wizard, again and again.

Run by load_bench.py, never on its own: it passes --host (always http://127.0.0.1:<port>) and
two environment variables: LOAD_BENCH_SAMPLES (where to write every request's timing, JSON)
and LOAD_BENCH_THINK ("min,max" seconds a person pauses on each page; "0,0": none).

One walk is 11 requests, as a browser makes them: GET / (its CSRF token), POST /report,
then for each step its page (the 303's target) and its POST, up to the confirmation. Every
response is checked for its status and a text it must contain (a POST: 303 to the next
step); anything else is a failure and ends the walk. Each walk starts in a new browser
session (cookies cleared). The pause comes after each page, before its form is sent.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from driver import categories_form, employee_form, receipts_form
from locust import FastHttpUser, between, events, task
from locust.contrib.fasthttp import ResponseContextManager
from locust.env import Environment

RECEIPTS = 2
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
REFERENCE = re.compile(r"\bEXP-[0-9A-Z]{8}\b")
LOOPBACK = "http://127.0.0.1:"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
THINK = tuple(float(s) for s in os.environ.get("LOAD_BENCH_THINK", "0,0").split(","))


class StepFailedError(Exception):
    """A response was not the one the walk expects; the walk stops there."""


@dataclass(frozen=True)
class Page:
    """A GET: its name in the report, what it must contain."""

    name: str
    step: str  # the step in the draft's URL, or "" for a path of its own
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Post:
    """A form POST: its name in the report, its fields, the step its 303 must go to."""

    name: str
    step: str
    form: Callable[[], dict[str, str]]
    goes_to: str


START = Page("01 GET / (start)", "", ("Submit an expense report",))
STEPS: tuple[tuple[Page, Post], ...] = (
    (
        Page("03 GET employee", "employee", ("Step 1 of 4", "Employee details")),
        Post("04 POST employee", "employee", employee_form, "receipts"),
    ),
    (
        Page("05 GET receipts", "receipts", ("Step 2 of 4", "Receipt 1")),
        Post("06 POST receipts (2)", "receipts", lambda: receipts_form(RECEIPTS), "categories"),
    ),
    (
        Page("07 GET categories", "categories", ("Step 3 of 4", f"Merchant {RECEIPTS}")),
        Post("08 POST categories", "categories", lambda: categories_form(RECEIPTS), "review"),
    ),
    (
        Page("09 GET review", "review", ("Review and submit", "Ada Lovelace")),
        Post("10 POST review (submit)", "review", lambda: {"confirm": "y"}, "confirmation"),
    ),
)
CONFIRMATION = Page("11 GET confirmation", "confirmation", ("Expense report submitted",))

_samples: list[tuple[str, float, float, str | None]] = []  # name, start (epoch s), ms, error
_marks: dict[str, float] = {}
_walks = {"done": 0, "stopped": 0}


@events.init.add_listener
def _only_loopback(environment: Environment, **_: Any) -> None:
    if not (environment.host or "").startswith(LOOPBACK):
        raise SystemExit(f"load_locustfile talks to {LOOPBACK}<port> only, not {environment.host}")


@events.request.add_listener
def _record(name: str, start_time: float, response_time: float, exception: Any, **_: Any) -> None:
    _samples.append(
        (name, start_time, response_time, None if exception is None else str(exception))
    )


@events.spawning_complete.add_listener
def _spawned(user_count: int, **_: Any) -> None:
    _marks.setdefault("spawned", time.time())


@events.test_start.add_listener
def _started(**_: Any) -> None:
    _marks["started"] = time.time()


@events.test_stop.add_listener
def _stopped(**_: Any) -> None:
    _marks["stopped"] = time.time()


@events.quitting.add_listener
def _write(**_: Any) -> None:
    out = os.environ.get("LOAD_BENCH_SAMPLES")
    if out:
        data = {**_marks, "walks": _walks, "think": THINK, "samples": _samples}
        with open(out, "w") as f:
            json.dump(data, f)


class WizardUser(FastHttpUser):
    """One person at a time in a new browser session, walking the wizard to the end."""

    wait_time = between(*THINK)
    draft_url = ""
    token = ""

    @task
    def walk(self) -> None:
        self.client.cookiejar.clear()
        try:
            self.token = self.open(START, "/")
            self.wait()
            self.draft_url = self.send(Post("02 POST /report", "", dict, "employee"), "/report")
            for page, post in STEPS:
                self.token = self.open(page, f"{self.draft_url}/{page.step}")
                self.wait()  # the person reads and types
                self.send(post, f"{self.draft_url}/{post.step}")
            self.open(CONFIRMATION, f"{self.draft_url}/{CONFIRMATION.step}")
        except StepFailedError:
            _walks["stopped"] += 1
            return
        _walks["done"] += 1

    def open(self, page: Page, path: str) -> str:
        """GET the page, check it; return its CSRF token (empty if it has no form)."""
        with self.client.get(path, name=page.name, catch_response=True) as response:
            text = response.text or ""
            missing = [t for t in page.texts if t not in text]
            if page is CONFIRMATION and not REFERENCE.search(text):
                missing.append("a reference EXP-XXXXXXXX")
            _check(response, response.status_code == 200 and not missing, f"200 with {missing}")
            token = TOKEN.search(text)
            return token[1] if token else ""

    def send(self, post: Post, path: str) -> str:
        """POST the form with the page's CSRF token; return the draft URL its 303 names."""
        body = urlencode({"csrf_token": self.token, **post.form()})
        options: dict[str, Any] = {"headers": FORM, "allow_redirects": False}
        with self.client.post(
            path, body, name=post.name, catch_response=True, **options
        ) as response:
            location = _location(response)
            ok = response.status_code == 303 and location.endswith(f"/{post.goes_to}")
            _check(response, ok, f"303 to .../{post.goes_to}")
            return location.rsplit("/", 1)[0]


def _check(response: ResponseContextManager, ok: bool, expected: str) -> None:
    """Mark the request failed (with what came instead) and stop the walk unless ok."""
    if ok:
        response.success()
        return
    where, error = _location(response), getattr(response, "error", None)
    got = f"{response.status_code}" + (f" to {where}" if where else "")
    got += f" ({type(error).__name__}: {error})" if response.status_code == 0 else ""
    response.failure(f"expected {expected}, got {got}")
    raise StepFailedError(expected)


def _location(response: ResponseContextManager) -> str:
    """The path a redirect names ("" if none; a failed connection has no headers)."""
    location = response.headers.get("Location") if response.headers else None
    return urlsplit(str(location or "")).path
